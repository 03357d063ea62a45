# Generated from book/16_autograd.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Automatic differentiation: a reverse-mode engine on NumPy arrays (chapter 16, *Automatic differentiation*).

A :class:`Tensor` holds an array ``data``, its gradient ``grad`` and, when it was
computed from other tensors that require a gradient, how: its parents and a
function that turns the gradient of the result into the gradients of the
parents (a vector-Jacobian product). :meth:`Tensor.backward` walks this graph
from a scalar in reverse topological order and accumulates the gradient of
every leaf that has ``requires_grad=True`` into its ``.grad``, as PyTorch's
autograd does. Every binary operation broadcasts as NumPy does, and sends back
gradients summed over the broadcast axes (``_unbroadcast``).

``no_grad`` is :class:`nnbook.grad_mode.no_grad`, the library's one switch: inside
``with no_grad():`` no operation is recorded (and modules keep their caches).

Conventions: ``x.grad`` accumulates across backward calls, as in PyTorch; clear
it with :meth:`Tensor.zero_grad`. Only leaves keep a ``.grad``.
"""

__all__ = ['Tensor', 'cross_entropy', 'mse_loss']


# %% book/16_autograd.ipynb cell-003
import numpy as np

from nnbook.grad_mode import is_grad_enabled, no_grad  # one switch for the whole library


# %% book/16_autograd.ipynb cell-004
def _unbroadcast(grad, shape):
    """The gradient of an operand of shape ``shape`` that NumPy broadcast to ``grad.shape``.

    Broadcasting copies each entry of the operand along the broadcast axes, so
    its gradient is the *sum* of the gradients of the copies: over the leading
    axes that broadcasting added, and (keeping them) over the axes where
    ``shape`` has a 1 and ``grad`` does not.

    Parameters
    ----------
    grad : ndarray
        :math:`\\partial L / \\partial (\\text{result})`, of the broadcast shape.
    shape : tuple of int
        The operand's shape.

    Returns
    -------
    ndarray of shape ``shape``
    """
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, k in enumerate(shape) if k == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad


# %% book/16_autograd.ipynb cell-006
def _as_data(value, who):
    """``value`` as a floating-point ndarray (integers and booleans become float64); a TypeError otherwise."""
    if isinstance(value, Tensor):
        raise TypeError(f"{who}: got a Tensor where an array was expected; pass tensor.data, or "
                        "use the Tensor itself in an operation")
    array = np.asarray(value)
    if array.dtype.kind in "biu":
        return array.astype(np.float64)
    if array.dtype.kind != "f":
        raise TypeError(f"{who}: expected numbers (a float ndarray, a list of numbers or a number), got "
                        f"{type(value).__name__} of dtype {array.dtype}; convert it with "
                        "np.asarray(..., dtype=np.float64)")
    return array


class Tensor:
    """An array that remembers how it was computed, for reverse-mode differentiation.

    Parameters
    ----------
    data : array_like
        The value: a floating-point array of any shape (used without a copy), a
        list of numbers or a number. Integer and boolean arrays are converted to
        float64; strings, objects and complex numbers raise a TypeError.
    requires_grad : bool, default False
        Whether :meth:`backward` computes :math:`\\partial L/\\partial \\text{data}`
        for this tensor. Set it on the leaves you differentiate with respect to
        (parameters, sometimes the input); a result requires a gradient when one
        of its operands does.

    Attributes
    ----------
    data : ndarray
        The value.
    grad : ndarray or None
        For a leaf with ``requires_grad=True``: the gradient of the loss, same
        shape as ``data``. None until a backward pass reaches it and after
        :meth:`zero_grad`; backward passes *accumulate* into it, as in PyTorch.
        Results (non-leaves) keep no gradient.
    requires_grad : bool
        See above.

    Notes
    -----
    A result of an operation records its operands in ``_parents`` and, in
    ``_backward``, a function from :math:`\\bar y = \\partial L/\\partial y` to the
    tuple :math:`(\\bar x_1, \\bar x_2, \\dots)`, each of its operand's shape: the
    vector-Jacobian products. Nothing is recorded when no operand requires a
    gradient, or inside ``with no_grad():``. Operators broadcast as NumPy does.
    Plain numbers and arrays mix with tensors on either side (``2 * x``,
    ``X @ w``) as constants; a Python number takes the tensor's dtype (float32
    stays float32), an array follows NumPy's promotion rules; NumPy functions do not (``np.exp(x)`` raises a
    TypeError): use the methods (``x.exp()``).

    Examples
    --------
    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> loss = (x * x).sum()
    >>> loss.backward()
    >>> x.grad
    array([2., 4., 6.])
    """

    __array_ufunc__ = None  # ndarray + Tensor calls Tensor.__radd__; np.exp(tensor) raises

    def __init__(self, data, requires_grad=False):
        self.data = _as_data(data, "Tensor")
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._parents = ()      # the operands this tensor was computed from
        self._backward = None   # grad of this tensor -> tuple of grads of the parents
        self._op = "leaf"       # the operation's name, for messages and drawings

    # -- recording ----------------------------------------------------------------
    def _result(self, data, parents, backward, op):
        """The tensor ``data`` computed by ``op`` from ``parents``, recorded if one of them needs a gradient."""
        out = type(self)(data)
        if is_grad_enabled() and any(p.requires_grad for p in parents):
            out.requires_grad = True
            out._parents, out._backward, out._op = parents, backward, op
        return out

    def _lift(self, other, op):
        """``other`` as a Tensor: a Tensor as is, a number or an array as a constant."""
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (int, float)):  # a Python number takes this tensor's dtype, as in PyTorch
            return type(self)(np.asarray(other, dtype=self.data.dtype))
        if isinstance(other, (int, float, np.ndarray, np.number, np.bool_, list, tuple)):
            return type(self)(_as_data(other, f"Tensor {op}"))
        raise TypeError(f"Tensor {op}: the other operand is a {type(other).__name__}; expected a Tensor, "
                        "an ndarray or a number")

    @property
    def is_leaf(self):
        """True for a tensor made by the user (or under ``no_grad``), False for a recorded result."""
        return self._backward is None

    # -- the backward pass ------------------------------------------------------------
    def backward(self, grad=None):
        """Accumulate :math:`\\partial L/\\partial x` into ``x.grad`` for every leaf ``x`` this tensor depends on.

        Visits the graph once, in reverse topological order: a node's gradient is
        complete (every consumer has added its contribution) before the node
        passes it on to its operands. Contributions to a tensor used several times
        are added. The graph is kept, so ``backward`` can run again; leaves'
        gradients then add up, as with PyTorch's ``retain_graph=True``.

        Parameters
        ----------
        grad : array_like, optional
            :math:`\\partial L/\\partial\\,\\text{self}`, of this tensor's shape.
            Optional for a tensor of one element (a scalar loss), where it is 1.

        Raises
        ------
        RuntimeError
            If this tensor does not require a gradient.
        ValueError
            If ``grad`` is missing for a non-scalar tensor, or has the wrong shape.
        """
        if not self.requires_grad:
            raise RuntimeError("Tensor.backward: this tensor does not require a gradient, so no graph leads to "
                               "it; create the leaves with Tensor(..., requires_grad=True), outside no_grad()")
        if grad is None:
            if self.data.size != 1:
                raise ValueError(f"Tensor.backward: the tensor has shape {self.data.shape}, not a single number; "
                                 "reduce it to a scalar loss first (.sum() or .mean()), or pass grad=, "
                                 f"an array of shape {self.data.shape}")
            grad = np.ones_like(self.data)
        else:
            grad = _as_data(grad, "Tensor.backward")
            if grad.shape != self.data.shape:
                raise ValueError(f"Tensor.backward: grad has shape {grad.shape}, the tensor {self.data.shape}; "
                                 "they must be equal")
        grads = {id(self): grad}  # node -> its gradient, complete once the node is reached
        not_ours = {id(grad)}      # arrays a leaf must copy: the caller's, or one already given to a leaf
        for node in reversed(self._topological_order()):
            g = grads.get(id(node))
            if g is None:
                continue
            if node._backward is None:  # a leaf: keep its gradient, or add to it
                if node.grad is not None:
                    node.grad = node.grad + g
                elif id(g) in not_ours or not (g.flags.owndata and g.flags.writeable) or g.dtype != node.data.dtype:
                    node.grad = np.array(g, dtype=node.data.dtype, copy=True)
                else:
                    node.grad = g  # a fresh array of the engine's, not shared: no copy needed
                not_ours.add(id(node.grad))
                continue
            for parent, parent_grad in zip(node._parents, node._backward(g)):
                if parent.requires_grad:  # else the VJP returned None, or a gradient nobody needs
                    self._check_grad_shape(node, parent, parent_grad)
                    self._accumulate(grads, parent, parent_grad)

    def _topological_order(self):
        """Every node that requires a gradient and leads to this one, each after its parents.

        An iterative depth-first search (no recursion, so no recursion limit):
        a node is appended once all its parents have been.
        """
        order, visited, stack = [], set(), [(self, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
                continue
            if id(node) in visited:
                continue
            visited.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node._parents if p.requires_grad and id(p) not in visited)
        return order

    @staticmethod
    def _accumulate(grads, parent, grad):
        """Add one contribution to ``parent``'s gradient: the ``+=`` of fan-out."""
        grads[id(parent)] = grad if id(parent) not in grads else grads[id(parent)] + grad

    @staticmethod
    def _check_grad_shape(node, parent, grad):
        if np.shape(grad) != parent.data.shape:
            raise RuntimeError(f"Tensor.backward: the backward of {node._op} returned a gradient of shape "
                               f"{np.shape(grad)} for an operand of shape {parent.data.shape} (a bug in that "
                               "operation's backward: a broadcast not summed?)")

    _unbroadcast = staticmethod(_unbroadcast)

    def zero_grad(self):
        """Forget the accumulated gradient (sets :attr:`grad` to None)."""
        self.grad = None

    def detach(self):
        """A new leaf with the same ``data`` (not copied) that does not require a gradient."""
        return type(self)(self.data)

    # -- array-like conveniences --------------------------------------------------
    @property
    def shape(self):
        """The shape of :attr:`data`."""
        return self.data.shape

    @property
    def ndim(self):
        """The number of dimensions of :attr:`data`."""
        return self.data.ndim

    @property
    def dtype(self):
        """The dtype of :attr:`data`."""
        return self.data.dtype

    @property
    def size(self):
        """The number of entries of :attr:`data`."""
        return self.data.size

    def __len__(self):
        return len(self.data)

    def item(self):
        """The value of a one-element tensor as a Python float."""
        return self.data.item()

    def numpy(self):
        """The data (not a copy)."""
        return self.data

    def __repr__(self):
        grad = f", grad_fn={self._op}" if not self.is_leaf else ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({np.array2string(self.data, precision=4, separator=', ')}{grad})"

    # -- operations (defined below, one cell per family) ------------------------------
    def __add__(self, other):
        return _add(self, self._lift(other, "+"))

    def __radd__(self, other):
        return _add(self._lift(other, "+"), self)

    def __sub__(self, other):
        return _add(self, -self._lift(other, "-"))

    def __rsub__(self, other):
        return _add(self._lift(other, "-"), -self)

    def __mul__(self, other):
        return _mul(self, self._lift(other, "*"))

    def __rmul__(self, other):
        return _mul(self._lift(other, "*"), self)

    def __truediv__(self, other):
        return _mul(self, self._lift(other, "/") ** -1)

    def __rtruediv__(self, other):
        return _mul(self._lift(other, "/"), self ** -1)

    def __neg__(self):
        return _mul(self, self._lift(-1.0, "-"))

    def __pow__(self, exponent):
        return _pow(self, exponent)

    def __matmul__(self, other):
        return _matmul(self, self._lift(other, "@"))

    def __rmatmul__(self, other):
        return _matmul(self._lift(other, "@"), self)

    def exp(self):
        """:math:`e^x`, element-wise."""
        return _exp(self)

    def log(self):
        """The natural logarithm, element-wise."""
        return _log(self)

    def tanh(self):
        """:math:`\\tanh x`, element-wise."""
        return _tanh(self)

    def sigmoid(self):
        """:math:`\\sigma(x) = 1/(1 + e^{-x})`, element-wise, without overflow."""
        return _sigmoid(self)

    def relu(self):
        """:math:`\\max(x, 0)`, element-wise (derivative 0 at 0)."""
        return _relu(self)

    def sum(self, axis=None, keepdims=False):
        """The sum over ``axis`` (None: all; an int or a tuple of ints), as ``ndarray.sum``."""
        return _sum(self, axis, keepdims)

    def mean(self, axis=None, keepdims=False):
        """The mean over ``axis`` (None: all; an int or a tuple of ints), as ``ndarray.mean``."""
        return _mean(self, axis, keepdims)

    def max(self, axis=None, keepdims=False):
        """The maximum over ``axis``; its gradient is split evenly between tied entries."""
        return _max(self, axis, keepdims)

    def reshape(self, *shape):
        """The same entries in another shape: ``t.reshape(2, 3)`` or ``t.reshape((2, 3))``."""
        return _reshape(self, shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape)

    def transpose(self, *axes):
        """Axes permuted as ``np.transpose`` (reversed when no axes are given); PyTorch's ``permute``."""
        return _transpose(self, axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes or None)

    @property
    def T(self):
        """The transpose (axes reversed)."""
        return _transpose(self, None)

    def __getitem__(self, index):
        return _getitem(self, index)


# %% book/16_autograd.ipynb cell-008
def _add(a, b):
    """``a + b``, broadcast: the gradient is copied to both operands, then summed over the broadcast axes.

    A binary operation computes the gradient of an operand only if that operand requires
    one (None otherwise): the gradient of the data in ``X @ W`` is never formed.
    """
    def backward(g):
        return (a._unbroadcast(g, a.data.shape) if a.requires_grad else None,
                a._unbroadcast(g, b.data.shape) if b.requires_grad else None)
    return a._result(a.data + b.data, (a, b), backward, "add")


def _mul(a, b):
    """``a * b``, broadcast: each operand's gradient is the upstream gradient times the *other* operand."""
    def backward(g):
        return (a._unbroadcast(g * b.data, a.data.shape) if a.requires_grad else None,
                a._unbroadcast(g * a.data, b.data.shape) if b.requires_grad else None)
    return a._result(a.data * b.data, (a, b), backward, "mul")


def _pow(a, exponent):
    """``a ** p`` for a constant number ``p``: :math:`\\bar a = \\bar y \\, p\\, a^{p-1}`."""
    if isinstance(exponent, Tensor) or not isinstance(exponent, (int, float, np.integer, np.floating)):
        raise TypeError(f"Tensor ** {type(exponent).__name__}: the exponent must be a constant number; for a "
                        "Tensor exponent y write (y * x.log()).exp()")
    p = float(exponent)

    def backward(g):
        return (g * p * a.data ** (p - 1),)
    return a._result(a.data ** p, (a,), backward, f"pow {p:g}")


# %% book/16_autograd.ipynb cell-010
def _matmul(a, b):
    """``a @ b`` for matrices: :math:`\\bar A = \\bar Y B^\\top`, :math:`\\bar B = A^\\top \\bar Y`."""
    if a.data.ndim != 2 or b.data.ndim != 2:
        raise ValueError(f"Tensor @: both operands must be 2-d, got shapes {a.data.shape} and {b.data.shape}; "
                         "make a vector a matrix with .reshape(1, -1) (a row) or .reshape(-1, 1) (a column)")
    if a.data.shape[1] != b.data.shape[0]:
        raise ValueError(f"Tensor @: shapes {a.data.shape} and {b.data.shape} do not match: the first's "
                         f"columns ({a.data.shape[1]}) must equal the second's rows ({b.data.shape[0]})")

    def backward(g):
        return (g @ b.data.T if a.requires_grad else None, a.data.T @ g if b.requires_grad else None)
    return a._result(a.data @ b.data, (a, b), backward, "matmul")


# %% book/16_autograd.ipynb cell-012
def _exp(a):
    """:math:`y = e^a`, :math:`\\bar a = \\bar y \\, y` (the output is its own derivative)."""
    y = np.exp(a.data)
    return a._result(y, (a,), lambda g: (g * y,), "exp")


def _log(a):
    """:math:`y = \\log a`, :math:`\\bar a = \\bar y / a`."""
    return a._result(np.log(a.data), (a,), lambda g: (g / a.data,), "log")


def _tanh(a):
    """:math:`y = \\tanh a`, :math:`\\bar a = \\bar y (1 - y^2)`."""
    y = np.tanh(a.data)
    return a._result(y, (a,), lambda g: (g * (1 - y * y),), "tanh")


def _sigmoid(a):
    """:math:`y = \\sigma(a)`, computed without overflow; :math:`\\bar a = \\bar y\\, y (1 - y)`."""
    e = np.exp(-np.abs(a.data))
    y = np.where(a.data >= 0, 1 / (1 + e), e / (1 + e))
    return a._result(y, (a,), lambda g: (g * y * (1 - y),), "sigmoid")


def _relu(a):
    """:math:`y = \\max(a, 0)`, :math:`\\bar a = \\bar y\\,[a > 0]` (0 at the kink, as in PyTorch)."""
    mask = a.data > 0
    return a._result(a.data * mask, (a,), lambda g: (g * mask,), "relu")


# %% book/16_autograd.ipynb cell-014
def _normalize_axis(axis, ndim, who):
    """``axis`` (None, an int or a tuple of ints) as a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    for ax in axes:
        if not isinstance(ax, (int, np.integer)) or not -ndim <= ax < ndim:
            raise ValueError(f"Tensor.{who}: axis {axis!r} is out of range for a tensor of {ndim} dimensions")
    return tuple(sorted(int(ax) % ndim for ax in axes))


def _expand(g, shape, axes, keepdims):
    """The gradient of a reduction over ``axes``, put back into the input's ``shape`` by broadcasting."""
    if not keepdims:
        g = np.expand_dims(g, axes)
    return np.broadcast_to(g, shape)


def _sum(a, axis=None, keepdims=False):
    """The sum over ``axis``: every entry receives the gradient of its sum (the adjoint of broadcasting)."""
    axes = _normalize_axis(axis, a.data.ndim, "sum")
    return a._result(a.data.sum(axis=axes, keepdims=keepdims), (a,),
                     lambda g: (_expand(g, a.data.shape, axes, keepdims),), "sum")


def _mean(a, axis=None, keepdims=False):
    """The mean over ``axis``: the sum's gradient divided by the number of entries averaged."""
    axes = _normalize_axis(axis, a.data.ndim, "mean")
    count = int(np.prod([a.data.shape[ax] for ax in axes]))
    return a._result(a.data.mean(axis=axes, keepdims=keepdims), (a,),
                     lambda g: (_expand(g, a.data.shape, axes, keepdims) / count,), "mean")


def _max(a, axis=None, keepdims=False):
    """The maximum over ``axis``: the gradient goes to the entry that won (split evenly between ties)."""
    axes = _normalize_axis(axis, a.data.ndim, "max")
    y = a.data.max(axis=axes, keepdims=True)
    winners = a.data == y
    share = winners / winners.sum(axis=axes, keepdims=True)

    def backward(g):
        return (_expand(g, a.data.shape, axes, keepdims) * share,)
    return a._result(y if keepdims else y.squeeze(axes), (a,), backward, "max")


# %% book/16_autograd.ipynb cell-016
def _reshape(a, shape):
    """The same entries in another shape; the gradient is reshaped back."""
    try:
        y = a.data.reshape(shape)
    except ValueError:
        raise ValueError(f"Tensor.reshape: cannot reshape a tensor of shape {a.data.shape} ({a.data.size} "
                         f"entries) into {tuple(shape)}") from None
    return a._result(y, (a,), lambda g: (g.reshape(a.data.shape),), "reshape")


def _transpose(a, axes):
    """Axes permuted (reversed when ``axes`` is None); the gradient is permuted back."""
    try:
        y = np.transpose(a.data, axes)
    except ValueError:  # numpy's AxisError is a ValueError
        raise ValueError(f"Tensor.transpose: axes {tuple(axes)} are not a permutation of the {a.data.ndim} "
                         f"axes of a tensor of shape {a.data.shape}; give each of 0..{a.data.ndim - 1} "
                         "once (or no axes, to reverse them)") from None
    inverse = None if axes is None else np.argsort([int(ax) % a.data.ndim for ax in axes])  # -1 is the last
    return a._result(y, (a,), lambda g: (np.transpose(g, inverse),), "transpose")


def _getitem(a, index):
    """``a[index]``: the gradient is scattered back and *added* where an entry was taken several times.

    ``np.add.at`` adds for every occurrence of a repeated index; ``grad[index] += g``
    would keep only one of them.
    """
    parts = index if isinstance(index, tuple) else (index,)
    for part in parts:
        if isinstance(part, Tensor) or (isinstance(part, (np.ndarray, list)) and np.asarray(part).dtype.kind == "f"):
            raise TypeError(f"Tensor[...]: an index must be integers, slices or a boolean mask, got "
                            f"{type(part).__name__}{' of floats' if not isinstance(part, Tensor) else ''}; "
                            "use an integer array, e.g. y.astype(np.intp)")

    def backward(g):
        full = np.zeros_like(a.data)
        np.add.at(full, index, g)
        return (full,)
    return a._result(a.data[index], (a,), backward, "index")


# %% book/16_autograd.ipynb cell-022
def cross_entropy(logits, target):
    """The mean cross-entropy of integer class labels, built from Tensor operations.

    .. math::

        L = -\\frac{1}{n} \\sum_i \\log \\operatorname{softmax}(z_i)_{y_i},
        \\qquad \\log \\operatorname{softmax}(z)_k = z_k - m - \\log \\sum_j e^{z_j - m},

    with :math:`m = \\max_j z_j` subtracted as a constant, so that nothing overflows.

    Parameters
    ----------
    logits : Tensor of shape (n, C)
    target : array_like of int, shape (n,)
        Class indices in ``0 .. C-1``.

    Returns
    -------
    Tensor of shape ()
    """
    if not isinstance(logits, Tensor) or logits.ndim != 2:
        raise ValueError(f"cross_entropy: logits must be a 2-d Tensor (n, C), got "
                         f"{type(logits).__name__} of shape {np.shape(getattr(logits, 'data', logits))}")
    target = np.asarray(target)
    n, C = logits.shape
    if target.shape != (n,) or target.dtype.kind not in "iu" or (n and (target.min() < 0 or target.max() >= C)):
        raise ValueError(f"cross_entropy: target must be {n} class indices in 0..{C - 1}, shape ({n},), got "
                         f"shape {target.shape} and dtype {target.dtype}")
    shifted = logits - logits.data.max(axis=1, keepdims=True)  # a constant: changes no gradient
    log_probs = shifted - shifted.exp().sum(axis=1, keepdims=True).log()
    return -log_probs[np.arange(n, dtype=np.intp), target.astype(np.intp)].mean()


def mse_loss(pred, target):
    """The mean squared error :math:`L = \\frac{1}{N} \\sum (\\hat y - y)^2` over all :math:`N` entries.

    Parameters
    ----------
    pred : Tensor
    target : array_like or Tensor of the same shape

    Returns
    -------
    Tensor of shape ()
    """
    if not isinstance(pred, Tensor):
        raise TypeError(f"mse_loss: pred must be a Tensor (the output of Tensor operations), got "
                        f"{type(pred).__name__}; wrap an array with Tensor(array, requires_grad=True)")
    if np.shape(getattr(target, "data", target)) != pred.shape:
        raise ValueError(f"mse_loss: target has shape {np.shape(getattr(target, 'data', target))}, the "
                         f"prediction {pred.shape}; they must be equal (reshape the target, e.g. y.reshape(-1, 1))")
    return ((pred - target) ** 2).mean()
