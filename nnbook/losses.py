# Generated from book/04_losses.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Losses: how wrong a prediction is, and in which direction to fix it (chapter 4, *Losses*).

A loss turns a batch of predictions and targets into one number, :math:`L`,
and its :meth:`~Loss.backward` returns :math:`\\partial L/\\partial \\hat y`,
the gradient that starts the backward pass through the network.

``MSELoss`` is for regression, ``BCELoss`` and ``BCEWithLogitsLoss`` for
binary classification (from probabilities and from logits),
``CrossEntropyLoss`` for classification into :math:`C` classes (from logits,
softmax fused in). All take ``reduction="mean"`` (the default) or ``"sum"``,
return the loss as a Python float, keep the dtype of the predictions in the
gradient, and reject mismatched shapes, bad labels, NaN and infinity with a
``ValueError`` that names the loss and the shapes.
"""

__all__ = ['Loss', 'MSELoss', 'BCELoss', 'BCEWithLogitsLoss', 'CrossEntropyLoss']


# %% book/04_losses.ipynb cell-002
import numpy as np

from nnbook.activations import log_softmax, sigmoid
from nnbook.checks import all_finite, check_input, module_name, no_forward_error


# %% book/04_losses.ipynb cell-004
class Loss:
    """Base class of the losses.

    A loss is not a :class:`~nnbook.layers.Module`: it has no parameters and
    its backward pass takes no upstream gradient (the loss is the end of the
    chain, :math:`\\partial L/\\partial L = 1`). A subclass implements
    :meth:`forward`, which stores in ``self._cache`` what the backward pass
    needs, and :meth:`backward`.

    Parameters
    ----------
    reduction : {"mean", "sum"}, default "mean"
        How the per-element (or per-sample) losses are combined. ``"mean"``
        makes the loss, and the size of its gradient, independent of the batch
        size; ``"sum"`` multiplies the gradient by the batch size, which acts
        like a learning rate :math:`n` times larger.
    """

    def __init__(self, reduction="mean"):
        if reduction not in ("mean", "sum"):
            raise ValueError(
                f"{type(self).__name__}: reduction must be 'mean' or 'sum', got {reduction!r}"
            )
        self.reduction = reduction
        self._cache = None  # what backward needs, written by forward

    def __call__(self, pred, target):
        return self.forward(pred, target)

    def forward(self, pred, target):
        """Return the loss (a Python float) and cache what :meth:`backward` needs."""
        raise NotImplementedError(f"{type(self).__name__} does not implement forward()")

    def backward(self):
        """Return :math:`\\partial L/\\partial \\text{pred}`: same shape and dtype as ``pred``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement backward()")

    def _saved(self):
        """The cache of the last forward pass, or the backward-before-forward error."""
        if self._cache is None:
            raise no_forward_error(self)
        return self._cache

    def _reduce(self, values):
        """Mean or sum of the per-element losses, as a Python float."""
        return float(values.mean() if self.reduction == "mean" else values.sum())

    def _check_target(self, target, pred):
        """A numeric, finite target with exactly the shape of ``pred``, cast to ``pred.dtype``."""
        target = np.asarray(target)
        if target.dtype.kind not in "iuf":  # not a real number (bool, complex, str, object...)
            fix = "" if target.dtype.kind == "c" else f"; convert it with .astype(np.{pred.dtype.name})"
            raise ValueError(
                f"{module_name(self)}: target must be an array of real numbers, got dtype "
                f"{target.dtype}{fix}"
            )
        if target.shape != pred.shape:
            hint = "make the shapes identical"
            if target.ndim == pred.ndim - 1 and pred.shape[-1] == 1:
                hint = "use target.reshape(-1, 1) (or pred.ravel())"
            elif pred.ndim == target.ndim - 1 and target.shape[-1] == 1:
                hint = "use target.ravel() (or pred.reshape(-1, 1))"
            try:
                both = np.broadcast_shapes(pred.shape, target.shape)
                broadcast = f" (NumPy would silently broadcast them to {both})"
            except ValueError:
                broadcast = ""
            raise ValueError(
                f"{module_name(self)}: pred has shape {pred.shape} but target has shape "
                f"{target.shape}; they must be identical{broadcast}: {hint}"
            )
        target = target.astype(pred.dtype, copy=False)
        if not all_finite(target):
            raise ValueError(
                f"{module_name(self)}: target of shape {target.shape} contains NaN or infinite values"
            )
        return target

    def extra_repr(self):
        return f"reduction={self.reduction!r}"

    def __repr__(self):
        return f"{type(self).__name__}({self.extra_repr()})"


# %% book/04_losses.ipynb cell-006
class MSELoss(Loss):
    """Mean squared error, for regression.

    .. math::

        L = \\frac{1}{N} \\sum_{k} (\\hat y_k - y_k)^2, \\qquad
        \\frac{\\partial L}{\\partial \\hat y_k} = \\frac{2}{N} (\\hat y_k - y_k),

    where the sum runs over all :math:`N` elements of the prediction (all
    samples and all outputs); with ``reduction="sum"`` there is no
    :math:`1/N`.

    Parameters
    ----------
    reduction : {"mean", "sum"}, default "mean"

    Notes
    -----
    ``pred`` and ``target`` must have identical shapes. A prediction of shape
    ``(n, 1)`` against a target of shape ``(n,)`` is the classic mistake:
    NumPy would broadcast the difference to ``(n, n)`` and return a wrong
    loss with no error. Here it raises a ``ValueError``.

    Examples
    --------
    >>> loss_fn = MSELoss()
    >>> loss_fn(np.array([[1.0], [2.0]]), np.array([[1.0], [4.0]]))
    2.0
    >>> loss_fn.backward()
    array([[ 0.],
           [-2.]])
    """

    def forward(self, pred, target):
        pred = check_input(pred, self)
        target = self._check_target(target, pred)
        diff = pred - target
        self._cache = diff
        return self._reduce(diff * diff)

    def backward(self):
        diff = self._saved()
        scale = 2 / diff.size if self.reduction == "mean" else 2
        return diff * scale


# %% book/04_losses.ipynb cell-014
class BCELoss(Loss):
    """Binary cross-entropy from probabilities :math:`\\hat y \\in [0, 1]`.

    .. math::

        L = -\\frac{1}{N} \\sum_k \\big[ y_k \\log \\hat y_k + (1 - y_k) \\log(1 - \\hat y_k) \\big],
        \\qquad
        \\frac{\\partial L}{\\partial \\hat y_k} = \\frac{1}{N}
        \\left( -\\frac{y_k}{\\hat y_k} + \\frac{1 - y_k}{1 - \\hat y_k} \\right).

    Parameters
    ----------
    eps : float, default 1e-12
        Floor for the arguments of the logarithms: the loss uses
        :math:`\\log \\max(\\hat y, \\epsilon)` and
        :math:`\\log \\max(1 - \\hat y, \\epsilon)`, so a prediction of exactly
        0 or 1 costs at most :math:`-\\log \\epsilon \\approx 27.6` per element
        instead of infinity. The gradient uses the same floors in its
        denominators: at a clipped prediction it is large
        (:math:`1/\\epsilon`) but finite and still points the right way.
    reduction : {"mean", "sum"}, default "mean"

    Notes
    -----
    The predictions usually come out of a sigmoid. Prefer
    :class:`BCEWithLogitsLoss` on the logits: it is exact where this loss has
    to clip, and its gradient is simply :math:`(\\sigma(z) - y)/N`.
    ``pred`` and ``target`` must have identical shapes, with values in
    :math:`[0, 1]` (targets may be soft labels).
    """

    def __init__(self, eps=1e-12, reduction="mean"):
        super().__init__(reduction)
        if not 0 < eps < 0.5:
            raise ValueError(f"BCELoss: eps must be in (0, 0.5), got {eps!r}")
        self.eps = float(eps)

    def forward(self, pred, target):
        pred = check_input(pred, self)
        target = self._check_target(target, pred)
        if pred.min() < 0 or pred.max() > 1:
            raise ValueError(
                f"{module_name(self)}: predictions must be probabilities in [0, 1], got values in "
                f"[{pred.min():.4g}, {pred.max():.4g}] (shape {pred.shape}); "
                "if these are logits, use BCEWithLogitsLoss"
            )
        if target.min() < 0 or target.max() > 1:
            raise ValueError(
                f"{module_name(self)}: targets must be in [0, 1], got values in "
                f"[{target.min():.4g}, {target.max():.4g}] (shape {target.shape})"
            )
        p = np.maximum(pred, self.eps)           # floor for log(p)
        q = np.maximum(1 - pred, self.eps)       # floor for log(1 - p)
        self._cache = (p, q, target)
        return self._reduce(-(target * np.log(p) + (1 - target) * np.log(q)))

    def backward(self):
        p, q, target = self._saved()
        grad = (1 - target) / q - target / p
        if self.reduction == "mean":
            grad /= grad.size
        return grad

    def extra_repr(self):
        return f"eps={self.eps:g}, reduction={self.reduction!r}"


# %% book/04_losses.ipynb cell-018
class BCEWithLogitsLoss(Loss):
    """Binary cross-entropy from logits :math:`z`, with the sigmoid fused in.

    With :math:`\\hat y = \\sigma(z)`, the binary cross-entropy rewritten in
    terms of :math:`z` is

    .. math::

        \\ell(z, y) = \\max(z, 0) - z y + \\log\\big(1 + e^{-|z|}\\big),
        \\qquad
        \\frac{\\partial L}{\\partial z_k} = \\frac{\\sigma(z_k) - y_k}{N}.

    No exponential of a positive number is ever taken, so the loss and its
    gradient are finite and accurate for any finite logit (even
    :math:`|z| = 10^4`, where :math:`\\sigma(z)` rounds to exactly 0 or 1).

    Parameters
    ----------
    reduction : {"mean", "sum"}, default "mean"

    Notes
    -----
    ``pred`` holds logits (any real numbers) and ``target`` values in
    :math:`[0, 1]`, with identical shapes.

    Examples
    --------
    >>> loss_fn = BCEWithLogitsLoss()
    >>> round(loss_fn(np.array([0.0, 1e4]), np.array([1.0, 0.0])), 4)
    5000.3466
    >>> loss_fn.backward()
    array([-0.25,  0.5 ])
    """

    def forward(self, pred, target):
        z = check_input(pred, self)
        target = self._check_target(target, z)
        if target.min() < 0 or target.max() > 1:
            raise ValueError(
                f"{module_name(self)}: targets must be in [0, 1], got values in "
                f"[{target.min():.4g}, {target.max():.4g}] (shape {target.shape})"
            )
        self._cache = (z, target)
        losses = np.maximum(z, 0) - z * target + np.log1p(np.exp(-np.abs(z)))
        return self._reduce(losses)

    def backward(self):
        z, target = self._saved()
        grad = sigmoid(z) - target
        if self.reduction == "mean":
            grad /= grad.size
        return grad


# %% book/04_losses.ipynb cell-030
class CrossEntropyLoss(Loss):
    """Softmax cross-entropy for :math:`C` classes, from logits.

    For logits :math:`Z` of shape ``(n, C)`` and integer labels
    :math:`y_i \\in \\{0, \\dots, C-1\\}`,

    .. math::

        L = -\\frac{1}{n} \\sum_{i=1}^{n} \\log \\operatorname{softmax}(Z_{i,:})_{y_i},
        \\qquad
        \\frac{\\partial L}{\\partial Z} = \\frac{1}{n} \\big( \\operatorname{softmax}(Z) - Y \\big),

    where :math:`Y` is the one-hot matrix of the labels. The log-softmax is
    computed with the log-sum-exp trick (:func:`nnbook.activations.log_softmax`),
    so any finite logits give a finite loss and gradient. With
    ``reduction="sum"`` there is no :math:`1/n`.

    Parameters
    ----------
    reduction : {"mean", "sum"}, default "mean"

    Notes
    -----
    ``target`` is either

    * integer labels of shape ``(n,)`` with values in ``[0, C)`` (floats
      holding whole numbers, such as ``2.0``, are accepted), or
    * probability rows of shape ``(n, C)``: one-hot or soft labels, each row
      non-negative and summing to 1; then
      :math:`L = -\\frac{1}{n}\\sum_{i,c} Y_{ic} \\log \\operatorname{softmax}(Z_{i,:})_c`.

    Both give the same loss and gradient for the same classes. The picked
    log-probabilities of integer labels are gathered with fancy indexing,
    ``logp[np.arange(n), y]``, without building a one-hot matrix.

    Examples
    --------
    >>> loss_fn = CrossEntropyLoss()
    >>> round(loss_fn(np.zeros((2, 4)), np.array([0, 3])), 4)   # uniform: log 4
    1.3863
    >>> loss_fn.backward()
    array([[-0.375,  0.125,  0.125,  0.125],
           [ 0.125,  0.125,  0.125, -0.375]])
    """

    def forward(self, pred, target):
        logits = check_input(pred, self, ndim=2)
        n, n_classes = logits.shape
        target = np.asarray(target)
        if target.dtype.kind not in "iuf":  # not a real number (bool, complex, str, object...)
            raise ValueError(
                f"{module_name(self)}: target must be integer labels or probability rows, "
                f"got dtype {target.dtype}"
            )
        if target.ndim == 1:
            target = self._check_labels(target, n, n_classes)
        elif target.ndim == 2 and target.shape == logits.shape:
            target = self._check_probabilities(target, logits.dtype)
        else:
            hint = "; use target.ravel() for labels stored as a column" if target.shape == (n, 1) else ""
            raise ValueError(
                f"{module_name(self)}: logits have shape {logits.shape}, so target must be "
                f"integer labels of shape ({n},) or probability rows of shape {logits.shape}; "
                f"got target of shape {target.shape}{hint}"
            )
        logp = log_softmax(logits, axis=1)
        self._cache = (logp, target)
        if target.ndim == 1:
            picked = logp[np.arange(n), target]       # log-probability of each true class
        else:
            picked = (target * logp).sum(axis=1)      # expected log-probability under the target
        return self._reduce(-picked)

    def _check_labels(self, labels, n, n_classes):
        if labels.shape[0] != n:
            raise ValueError(
                f"{module_name(self)}: logits have {n} rows (shape ({n}, {n_classes})) but "
                f"target has {labels.shape[0]} labels (shape {labels.shape})"
            )
        if labels.dtype.kind not in "iu":  # float labels
            if not all_finite(labels):
                raise ValueError(
                    f"{module_name(self)}: labels of shape {labels.shape} contain NaN or "
                    "infinite values"
                )
            if (labels != np.round(labels)).any():
                bad = float(labels[labels != np.round(labels)][0])
                raise ValueError(
                    f"{module_name(self)}: labels must be whole numbers (class indices), "
                    f"got {bad:g} in target of shape {labels.shape}; for soft labels pass "
                    f"rows of shape ({n}, {n_classes})"
                )
        low, high = labels.min(), labels.max()
        if low < 0 or high >= n_classes:
            raise ValueError(
                f"{module_name(self)}: labels must be in [0, {n_classes}) for logits of shape "
                f"({n}, {n_classes}), got values in [{low:g}, {high:g}]"
            )
        return labels.astype(np.intp, copy=False)

    def _check_probabilities(self, rows, dtype):
        rows = rows.astype(dtype, copy=False)
        if not all_finite(rows):
            raise ValueError(
                f"{module_name(self)}: target rows of shape {rows.shape} contain NaN or "
                "infinite values"
            )
        if rows.min() < 0:
            raise ValueError(
                f"{module_name(self)}: probability rows must be non-negative, got a minimum "
                f"of {rows.min():.4g}"
            )
        sums = rows.sum(axis=1)
        tolerance = max(1e-6, 100 * np.finfo(dtype).eps)
        if np.abs(sums - 1).max() > tolerance:
            worst = sums[np.argmax(np.abs(sums - 1))]
            raise ValueError(
                f"{module_name(self)}: each row of a target of shape {rows.shape} must sum to 1 "
                f"(one-hot or probabilities), found a row summing to {worst:.6g}"
            )
        return rows

    def backward(self):
        logp, target = self._saved()
        n = logp.shape[0]
        grad = np.exp(logp)                          # softmax(Z)
        if target.ndim == 1:
            grad[np.arange(n), target] -= 1          # minus the one-hot matrix, in place
        else:
            grad -= target
        if self.reduction == "mean":
            grad /= n
        return grad
