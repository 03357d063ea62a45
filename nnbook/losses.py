# Generated from book/04_losses.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Losses: how wrong a prediction is, and in which direction to fix it (chapter 4, *Losses*).

A loss turns predictions and targets into one number, :math:`L`; its :meth:`~Loss.backward`
returns :math:`\\partial L/\\partial \\hat y`, which starts the backward pass. ``MSELoss``
(regression), ``BCELoss`` and ``BCEWithLogitsLoss`` (binary, from probabilities or logits) and
``CrossEntropyLoss`` (:math:`C` classes, from logits) take ``reduction="mean"`` or ``"sum"``
and keep the dtype of the predictions in the gradient.
"""

__all__ = ['Loss', 'MSELoss', 'BCELoss', 'BCEWithLogitsLoss', 'CrossEntropyLoss']


# %% book/04_losses.ipynb cell-002
import numpy as np

from nnbook.activations import log_softmax, sigmoid
from nnbook.checks import check_input, no_forward_error, one_of, real_number
from nnbook.targets import check_class_indices, check_probabilities, check_target  # appendix eng_errors
from nnbook.grad_mode import _call_loss  # no_grad leaves the cache alone (appendix eng_modules)


# %% book/04_losses.ipynb cell-004
class Loss:
    """Base class of the losses.

    Not a :class:`~nnbook.layers.Module`: no parameters, and no upstream gradient
    (:math:`\\partial L/\\partial L = 1`). A subclass implements :meth:`forward`, which keeps in
    ``self._cache`` what :meth:`backward` needs, and :meth:`backward`, which starts with ``self._saved()``.

    Parameters
    ----------
    reduction : {"mean", "sum"}, default "mean"
        How the per-element (or per-sample) losses are combined. ``"sum"``
        multiplies the gradient, like the learning rate, by the number of terms.
    """

    def __init__(self, reduction="mean"):
        self.reduction = one_of(reduction, "reduction", type(self).__name__, ("mean", "sum"))
        self._cache = None  # what backward needs, written by forward

    def __call__(self, pred, target):
        return _call_loss(self, pred, target)

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
        total = values.sum()
        return float(total / values.size if self.reduction == "mean" else total)  # np.mean, without its overhead

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

    over all :math:`N` elements of the prediction (no :math:`1/N` with ``reduction="sum"``, see
    :class:`Loss`). ``pred`` and ``target`` must have identical shapes.

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
        diff = pred - check_target(target, pred, self)
        self._cache = diff
        return self._reduce(diff * diff)

    def backward(self):
        diff = self._saved()
        return diff * (2 / diff.size if self.reduction == "mean" else 2)


# %% book/04_losses.ipynb cell-011
class BCELoss(Loss):
    """Binary cross-entropy from probabilities :math:`\\hat y \\in [0, 1]`.

    .. math::

        L = -\\frac{1}{N} \\sum_k \\big[ y_k \\log \\hat y_k + (1 - y_k) \\log(1 - \\hat y_k) \\big], \\qquad
        \\frac{\\partial L}{\\partial \\hat y_k} = \\frac{1}{N}
        \\left( -\\frac{y_k}{\\hat y_k} + \\frac{1 - y_k}{1 - \\hat y_k} \\right).

    Targets may be soft labels in :math:`[0, 1]`. Prefer
    :class:`BCEWithLogitsLoss` on the logits: it is exact where this loss clips.

    Parameters
    ----------
    eps : float, default 1e-12
        Floor :math:`\\epsilon \\in (0, 0.5)` under :math:`\\hat y` and :math:`1 - \\hat y`
        (in the logs and the gradient): a prediction of exactly 0 or 1 costs at
        most :math:`-\\log \\epsilon \\approx 27.6`; a logit behind a sigmoid then gets almost no gradient.
    reduction : {"mean", "sum"}, default "mean"
    """

    def __init__(self, eps=1e-12, reduction="mean"):
        super().__init__(reduction)
        self.eps = real_number(eps, "eps", "BCELoss", low=0, high=0.5, low_open=True, high_open=True)

    def forward(self, pred, target):
        pred = check_probabilities(check_input(pred, self), "predictions", self,
                                   hint="; if these are logits, use BCEWithLogitsLoss")
        target = check_probabilities(check_target(target, pred, self), "targets", self)
        p = np.maximum(pred, self.eps)           # floor for log(p)
        q = np.maximum(1 - pred, self.eps)       # floor for log(1 - p)
        self._cache = (p, q, target)
        return self._reduce(-(target * np.log(p) + (1 - target) * np.log(q)))

    def backward(self):
        p, q, target = self._saved()
        grad = (1 - target) / q - target / p
        return grad / grad.size if self.reduction == "mean" else grad

    def extra_repr(self):
        return f"eps={self.eps:g}, reduction={self.reduction!r}"


# %% book/04_losses.ipynb cell-013
class BCEWithLogitsLoss(Loss):
    """Binary cross-entropy from logits :math:`z`, with the sigmoid fused in.

    With :math:`\\hat y = \\sigma(z)` and targets :math:`y \\in [0, 1]`,

    .. math::

        \\ell(z, y) = \\max(z, 0) - z y + \\log\\big(1 + e^{-|z|}\\big), \\qquad
        \\frac{\\partial L}{\\partial z_k} = \\frac{\\sigma(z_k) - y_k}{N}.

    No exponential of a positive number is ever taken, so the loss and its gradient are finite
    and accurate for any finite logit. ``reduction`` as in :class:`Loss`.

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
        target = check_probabilities(check_target(target, z, self), "targets", self)
        self._cache = (z, target)
        return self._reduce(np.maximum(z, 0) - z * target + np.log1p(np.exp(-np.abs(z))))

    def backward(self):
        z, target = self._saved()
        grad = sigmoid(z) - target
        return grad / grad.size if self.reduction == "mean" else grad


# %% book/04_losses.ipynb cell-027
class CrossEntropyLoss(Loss):
    """Softmax cross-entropy for :math:`C` classes, from logits.

    For logits :math:`Z` of shape ``(n, C)`` and labels :math:`y_i \\in \\{0, \\dots, C-1\\}`,

    .. math::

        L = -\\frac{1}{n} \\sum_{i=1}^{n} \\log \\operatorname{softmax}(Z_{i,:})_{y_i}, \\qquad
        \\frac{\\partial L}{\\partial Z} = \\frac{1}{n} \\big( \\operatorname{softmax}(Z) - Y \\big),

    where :math:`Y` is the one-hot matrix of the labels; the log-softmax uses the log-sum-exp
    trick, so any finite logits give a finite loss. ``reduction`` as in :class:`Loss` (``"sum"``:
    no :math:`1/n`). ``target`` is integer labels of shape ``(n,)`` (whole floats such as ``2.0``
    accepted), or probability rows of shape ``(n, C)`` (one-hot or soft labels), for which
    :math:`L = -\\frac{1}{n}\\sum_{i,c} Y_{ic} \\log \\operatorname{softmax}(Z_{i,:})_c`.
    ``label_smoothing`` :math:`\\alpha \\in [0, 1]` replaces the target, labels or rows, by
    :math:`(1 - \\alpha) Y + \\alpha / C` (PyTorch's definition), in the loss and the gradient.

    Examples
    --------
    >>> loss_fn = CrossEntropyLoss()
    >>> round(loss_fn(np.zeros((2, 4)), np.array([0, 3])), 4)   # uniform: log 4
    1.3863
    >>> loss_fn.backward()
    array([[-0.375,  0.125,  0.125,  0.125],
           [ 0.125,  0.125,  0.125, -0.375]])
    """

    def __init__(self, reduction="mean", label_smoothing=0.0):
        super().__init__(reduction)
        self.label_smoothing = real_number(label_smoothing, "label_smoothing", "CrossEntropyLoss", low=0, high=1)

    def forward(self, pred, target):
        logits = check_input(pred, self, ndim=2)
        if np.shape(target) == logits.shape:    # probability rows: one-hot or soft labels
            target = check_probabilities(check_target(target, logits, self), "target", self, rows=True)
        else:                                   # integer labels, one per row
            target = check_class_indices(target, logits.shape, self)
        if self.label_smoothing:                # rows (1 - α) Y + α / C, from labels or rows
            rows = np.eye(logits.shape[1], dtype=logits.dtype)[target] if target.ndim == 1 else target
            target = (1 - self.label_smoothing) * rows + self.label_smoothing / logits.shape[1]
        logp = log_softmax(logits, axis=1)
        self._cache = (logp, target)
        if target.ndim == 1:
            picked = logp[np.arange(len(logp)), target]   # log-probability of each true class
        else:
            picked = (target * logp).sum(axis=1)          # expected log-probability under the target
        return self._reduce(-picked)

    def backward(self):
        logp, target = self._saved()
        grad = np.exp(logp)                                # softmax(Z)
        if target.ndim == 1:
            grad[np.arange(len(grad)), target] -= 1        # minus the one-hot matrix, in place
        else:
            grad -= target
        return grad / len(grad) if self.reduction == "mean" else grad
