# Generated from book/02_layers.ipynb, book/eng_modules.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Layers: the building blocks of a network (chapter 2, *Layers*).

``Parameter`` holds a trainable array and its gradient; ``Module`` is the base
class of everything with a forward and a backward pass; ``Linear`` is the
fully connected layer :math:`Z = XW + b`; ``Sequential`` chains modules.

Conventions: data is batch-first, ``X`` has shape ``(n_samples, n_features)``;
``Linear.weight.data`` has shape ``(in_features, out_features)``.
"""

__all__ = ['Parameter', 'Module', 'Linear', 'Sequential']


# %% book/02_layers.ipynb cell-001
import numpy as np


# %% book/02_layers.ipynb cell-009
from nnbook.checks import (as_generator, bad_child_error, check_attribute, check_grad_out, check_init, check_input,
                           check_finite_input, check_layer_parameters, describe, no_forward_error,
                           positive_int)
from nnbook.grad_mode import _call_forward, _check_calls, no_grad  # appendix eng_modules
from nnbook.module_state import ModuleState  # modes, buffers, state dicts: appendix eng_modules


# %% book/02_layers.ipynb cell-011
class Parameter:
    """A trainable array and the gradient of the loss with respect to it.

    Parameters
    ----------
    data : ndarray
        The initial value, a floating-point array of any shape. It is used as
        is (not copied), so optimizers can update it in place.

    Attributes
    ----------
    data : ndarray
        The current value.
    grad : ndarray or None
        :math:`\\partial L / \\partial \\text{data}`, same shape and dtype as
        ``data``. ``None`` until a backward pass writes it and again after
        :meth:`zero_grad`, as in PyTorch; backward passes *accumulate* into it.
    """

    def __init__(self, data):
        data = np.asarray(data)
        if data.dtype.kind != "f":
            raise ValueError(f"Parameter: data must be a floating-point array, got {describe(data)}; "
                             "convert it with .astype(np.float64) or .astype(np.float32)")
        self.data = data
        self.grad = None

    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    def accumulate_grad(self, grad):
        """Add ``grad`` to :attr:`grad` (or store it, if there is none yet).

        Parameters
        ----------
        grad : ndarray
            Same shape and dtype as :attr:`data`. When :attr:`grad` is None the
            array is stored without a copy, so pass a freshly computed array.
        """
        if grad.shape != self.data.shape:
            raise ValueError(f"Parameter{self.data.shape}: gradient has shape {grad.shape}, "
                             f"expected {self.data.shape}")
        if self.grad is None:
            self.grad = grad.astype(self.data.dtype, copy=False)
        else:
            self.grad += grad

    def zero_grad(self):
        """Forget the accumulated gradient (sets :attr:`grad` to None)."""
        self.grad = None

    def __repr__(self):
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype})"


# %% book/02_layers.ipynb cell-016
class Module(ModuleState):
    """Base class of layers, activations and whole networks.

    A subclass implements :meth:`forward` (compute the output and keep in
    ``self._cache`` what the backward pass needs) and :meth:`backward` (take
    :math:`\\partial L/\\partial Y`, accumulate the parameters' gradients, return
    :math:`\\partial L/\\partial X`). Parameters and sub-modules assigned as
    attributes are found automatically, in the order they were assigned.
    The modes, buffers and state dicts (``train``, ``eval``, ``register_buffer``,
    ``state_dict``, ``load_state_dict``) are inherited from
    :class:`~nnbook.module_state.ModuleState` (appendix *Inside Module*).

    Attributes
    ----------
    training : bool
        True in training mode (the default), False after
        :meth:`~nnbook.module_state.ModuleState.eval`.
    """

    def __init__(self):
        self.training = True
        self._cache = None  # what forward keeps for backward (see _saved)

    def forward(self, x):
        """Compute the output for a batch ``x``; subclasses implement this."""
        raise NotImplementedError(f"{type(self).__name__} does not implement forward()")

    def backward(self, grad_out, input_grad=True):
        """Given dL/d(output), accumulate parameter gradients and return dL/d(input).

        With ``input_grad=False`` the caller does not need dL/d(input) (the input
        is the data): a module may then skip computing it and return None.
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement backward()")

    def _saved(self):
        """What the last forward pass kept in ``self._cache``; an error if there is none."""
        if self._cache is None:
            raise no_forward_error(self)
        return self._cache

    def __call__(self, x):  # forward(x), plus what no_grad needs (appendix eng_modules)
        return _call_forward(self, x)

    def named_children(self):
        """Yield ``(name, module)`` for the direct sub-modules, in assignment order."""
        for name, value in vars(self).items():
            if isinstance(value, Module) or check_attribute(self, name, value):  # a list of layers?
                yield name, value

    def children(self):
        """The direct sub-modules."""
        return [module for _, module in self.named_children()]

    def named_modules(self, memo=None, prefix=""):
        """Yield ``(dotted name, module)`` for this module (named ``prefix``) and every sub-module,
        depth first, each once (``memo`` holds the ids already seen), as in PyTorch."""
        memo = set() if memo is None else memo
        if id(self) not in memo:
            memo.add(id(self))
            yield prefix, self
            for name, child in self.named_children():
                yield from child.named_modules(memo, f"{prefix}.{name}" if prefix else name)

    def modules(self):
        """This module and every sub-module, depth first (see :meth:`named_modules`)."""
        return [module for _, module in self.named_modules()]

    def named_parameters(self, prefix=""):
        """Yield ``(dotted name, Parameter)`` for this module and its sub-modules."""
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                yield prefix + name, value
        for name, child in self.named_children():
            yield from child.named_parameters(prefix + name + ".")

    def parameters(self):
        """All trainable parameters, as a list for an optimizer; a shared one is listed once."""
        return list({id(p): p for _, p in self.named_parameters()}.values())

    def zero_grad(self):
        """Reset the gradient of every parameter."""
        for p in self.parameters():
            p.zero_grad()

    def extra_repr(self):
        """The text inside the parentheses of ``repr(module)``."""
        return ""

    def __repr__(self):
        children = list(self.named_children())
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        body = "".join(f"\n  ({name}): " + repr(child).replace("\n", "\n  ") for name, child in children)
        return f"{type(self).__name__}({body}\n)"


# %% book/02_layers.ipynb cell-023
class Linear(Module):
    """Fully connected layer: :math:`Z = XW + b`.

    Parameters
    ----------
    in_features : int
        Size :math:`d` of each input sample.
    out_features : int
        Size :math:`m` of each output sample (the number of neurons).
    bias : bool, default True
        Whether to add the learnable bias :math:`b`.
    init : callable, optional
        ``init(fan_in, fan_out, rng)`` returning the initial weight matrix of
        shape ``(in_features, out_features)``, e.g. ``nnbook.init.he_normal``;
        the bias then starts at zero. By default both weight and bias are
        drawn from :math:`U(-1/\\sqrt{d}, 1/\\sqrt{d})`, as PyTorch does.
    rng : numpy.random.Generator or int, optional
        Source of randomness for the initial values.
    dtype : numpy dtype, default float64
        dtype of the parameters; inputs must have the same dtype.

    Attributes
    ----------
    weight : Parameter
        Shape ``(in_features, out_features)``. (PyTorch stores the transpose.)
    bias : Parameter or None
        Shape ``(out_features,)``.

    Notes
    -----
    Forward, for a batch :math:`X` of shape ``(n, d)``: :math:`Z = XW + b`,
    shape ``(n, m)``. Backward, given :math:`G = \\partial L/\\partial Z`:

    .. math::

        \\frac{\\partial L}{\\partial W} = X^\\top G, \\qquad
        \\frac{\\partial L}{\\partial b} = \\sum_i G_{i,:}, \\qquad
        \\frac{\\partial L}{\\partial X} = G W^\\top.

    Examples
    --------
    >>> layer = Linear(3, 2, rng=0)
    >>> layer(np.ones((4, 3))).shape
    (4, 2)
    """

    def __init__(self, in_features, out_features, bias=True, *, init=None, rng=None, dtype=np.float64):
        super().__init__()
        in_features = self.in_features = positive_int(in_features, "in_features", "Linear")
        out_features = self.out_features = positive_int(out_features, "out_features", "Linear")
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise ValueError(f"Linear: dtype must be a floating-point type, got {dtype}")
        rng = as_generator(rng, "Linear")
        if init is None:
            bound = 1.0 / np.sqrt(in_features)
            w = rng.uniform(-bound, bound, size=(in_features, out_features))
            b = rng.uniform(-bound, bound, size=out_features)
        else:
            w = np.asarray(check_init(init)(in_features, out_features, rng))
            if w.shape != (in_features, out_features):
                raise ValueError(f"Linear: init returned shape {w.shape}, expected ({in_features}, "
                                 f"{out_features}) = (in_features, out_features), the transpose of PyTorch's")
            b = np.zeros(out_features)
        self.weight = Parameter(w.astype(dtype))
        self.bias = Parameter(b.astype(dtype)) if bias else None

    def forward(self, x):
        """Compute :math:`Z = XW + b` and cache ``x`` for the backward pass.

        Parameters
        ----------
        x : ndarray of shape (n, in_features)
            A batch, with the layer's dtype.

        Returns
        -------
        ndarray of shape (n, out_features)
        """
        check_layer_parameters(self)  # still Parameters of the right shapes and dtype (appendix eng_modules)
        x = check_input(x, self, ndim=2, features=self.in_features, dtype=self.weight.dtype, finite=False)
        with np.errstate(invalid="ignore"):  # inf in x: reported just below, not as a warning here
            out = x @ self.weight.data
        if self.bias is not None:
            out += self.bias.data
        check_finite_input(x, out, self)  # NaN or inf in x reaches out, often smaller: check out
        self._cache = x
        return out

    def backward(self, grad_out, input_grad=True):
        """Accumulate :math:`X^\\top G` into ``weight.grad`` and :math:`\\sum_i G_{i,:}` into ``bias.grad``.

        Parameters
        ----------
        grad_out : ndarray of shape (n, out_features)
            :math:`G = \\partial L/\\partial Z` for the output of the last forward pass.
        input_grad : bool, default True
            Compute :math:`\\partial L/\\partial X`. False (the input is the data) skips
            the product :math:`G W^\\top`, as costly as the forward pass.

        Returns
        -------
        ndarray of shape (n, in_features), or None
            :math:`\\partial L/\\partial X = G W^\\top`; None if ``input_grad`` is False.
        """
        x = self._saved()
        grad_out = check_grad_out(grad_out, (x.shape[0], self.out_features), x.dtype, self)
        self.weight.accumulate_grad(x.T @ grad_out)
        if self.bias is not None:
            self.bias.accumulate_grad(grad_out.sum(axis=0))
        if not input_grad:
            return None
        return grad_out @ self.weight.data.T

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


# %% book/02_layers.ipynb cell-032
class Sequential(Module):
    """A chain of modules: the output of each is the input of the next.

    ``forward`` calls the modules in order; ``backward`` calls their
    ``backward`` in reverse order, passing the gradient from one to the next
    (the chain rule, chapter 5).

    Parameters
    ----------
    *layers : Module
        The modules, first to last. Their parameters are named ``"0.weight"``,
        ``"0.bias"``, ``"2.weight"``... in :meth:`~nnbook.module_state.ModuleState.state_dict`, as in PyTorch.

    Examples
    --------
    >>> model = Sequential(Linear(2, 8, rng=0), Linear(8, 1, rng=1))
    >>> len(model.parameters())
    4
    """

    def __init__(self, *layers):
        super().__init__()
        self.layers = []
        for layer in layers:
            self.append(layer)

    def named_children(self):
        for i, layer in enumerate(self.layers):
            yield str(i), layer

    def forward(self, x):
        """Run ``x`` through every module in order and return the last output."""
        for layer in self.layers:
            x = layer(x)
        return x

    def backward(self, grad_out, input_grad=True):
        """Run the backward passes in reverse order; return :math:`\\partial L/\\partial X`.

        With ``input_grad=False`` the first module is told that nobody needs
        :math:`\\partial L/\\partial X` (a ``Linear`` then skips
        :math:`G W^\\top`, chapter 15) and None is returned. A first module
        whose ``backward`` does not take the flag (one you wrote) computes the
        gradient anyway (see ``_takes_input_grad``, appendix eng_modules).
        """
        _check_calls(self)  # no child ran another forward since ours (appendix eng_modules)
        for layer in reversed(self.layers[1:]):
            grad_out = layer.backward(grad_out)
        if not self.layers:
            return grad_out if input_grad else None
        first = self.layers[0]
        if input_grad or not _takes_input_grad(first):  # a module of yours may lack the flag
            grad_out = first.backward(grad_out)
            return grad_out if input_grad else None
        first.backward(grad_out, input_grad=False)
        return None

    def append(self, layer):
        """Add a module at the end; returns self.

        Refuses what is not a Module instance (``ReLU`` instead of ``ReLU()``)
        and a module already in the chain, whose cache one forward pass would
        overwrite (:func:`nnbook.checks.bad_child_error`).
        """
        if not isinstance(layer, Module) or any(layer is other for other in self.layers):
            raise bad_child_error(layer, len(self.layers), self.layers, "Sequential")
        self.layers.append(layer)
        return self

    def __len__(self):
        return len(self.layers)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Sequential(*self.layers[index])
        return self.layers[index]

    def __iter__(self):
        return iter(self.layers)


# %% book/eng_modules.ipynb cell-022
import inspect

_INPUT_GRAD_BY_CLASS = {}


def _takes_input_grad(module):
    """Whether ``module.backward`` accepts ``input_grad`` (the library's modules do; yours may not)."""
    cls = type(module)
    if cls not in _INPUT_GRAD_BY_CLASS:
        try:
            params = inspect.signature(cls.backward).parameters.values()
        except (TypeError, ValueError):  # no signature to read: do not pass the flag
            params = ()
        _INPUT_GRAD_BY_CLASS[cls] = any(
            p.name == "input_grad" or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
    return _INPUT_GRAD_BY_CLASS[cls]
