# Generated from book/11_tuning.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Gradient clipping (chapter *Tuning and stabilising training*), as ``torch.nn.utils``.

:func:`clip_grad_norm_` rescales all the gradients together so that their joint
norm is at most ``max_norm`` and returns the norm they had;
:func:`clip_grad_value_` clamps every entry to ``[-clip_value, clip_value]``.
Both work in place on ``p.grad``, between the backward pass and
``optimizer.step()``.
"""

__all__ = ['clip_grad_norm_', 'clip_grad_value_']


# %% book/11_tuning.ipynb cell-021
import math
import numbers

import numpy as np

from nnbook.checks import is_parameter, real_number


def _gradients(parameters, who):
    """The gradient arrays (not None) of ``parameters``: one Parameter or an iterable of them."""
    if is_parameter(parameters):
        parameters = [parameters]
    try:
        parameters = list(parameters)
    except TypeError:
        raise TypeError(f"{who}: parameters must be a Parameter or an iterable of Parameters "
                        f"such as model.parameters(), got {type(parameters).__name__}") from None
    for i, p in enumerate(parameters):
        if not is_parameter(p):
            raise TypeError(f"{who}: parameters[{i}] is a {type(p).__name__}, not a Parameter; "
                            "pass model.parameters()")
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Scale the gradients in place so that their joint norm is at most ``max_norm``.

    The total norm is the norm of all gradient entries taken as one vector,
    :math:`\\|g\\|_p = (\\sum_k \\|g_k\\|_p^p)^{1/p}` over the parameters :math:`k`
    (the largest :math:`|g_{k,i}|` for ``norm_type=inf``). Every gradient is
    multiplied by :math:`c = \\text{max\\_norm} / (\\|g\\|_p + 10^{-6})` when
    :math:`c < 1`, and left alone otherwise: the direction of the step is kept,
    only its length is capped (PyTorch's formula, ``1e-6`` included).

    Parameters
    ----------
    parameters : Parameter or iterable of Parameter
        Usually ``model.parameters()``; those without a gradient are skipped.
    max_norm : float
        The largest allowed norm, :math:`\\ge 0`; ``inf`` scales nothing, which
        makes the call a way to measure the norm.
    norm_type : float, default 2.0
        :math:`p > 0`, or ``inf`` (``float("inf")``) for the largest entry.
    error_if_nonfinite : bool, default False
        Raise a ``RuntimeError`` if the total norm is NaN or infinite. If False
        (PyTorch's default), a NaN norm turns every gradient into NaN and an
        infinite one sets the finite entries to 0, as in PyTorch.

    Returns
    -------
    numpy.float64
        The total norm *before* clipping (PyTorch returns it as a tensor):
        log it, it is the best single number for watching the stability of a run.

    Examples
    --------
    >>> from nnbook.layers import Parameter
    >>> p = Parameter(np.zeros(2)); p.grad = np.array([3.0, 4.0])
    >>> float(clip_grad_norm_([p], max_norm=1.0)), np.round(p.grad, 4).tolist()
    (5.0, [0.6, 0.8])
    """
    who = "clip_grad_norm_"
    if not (isinstance(max_norm, numbers.Real) and max_norm == math.inf):   # inf: only measure
        max_norm = real_number(max_norm, "max_norm", who, low=0)
    if isinstance(norm_type, str) and norm_type == "inf":
        norm_type = math.inf
    if (isinstance(norm_type, bool) or not isinstance(norm_type, numbers.Real)
            or math.isnan(norm_type) or norm_type <= 0):
        raise ValueError(f"{who}: norm_type must be a number > 0 or inf (2.0 is the Euclidean "
                         f"norm), got {norm_type!r}")
    grads = _gradients(parameters, who)
    if not grads:
        return np.float64(0.0)
    if math.isinf(norm_type):
        total = max(float(np.max(np.abs(g))) if g.size else 0.0 for g in grads)
    else:
        norms = np.array([np.linalg.norm(g.ravel(), ord=norm_type) for g in grads], dtype=np.float64)
        total = float(np.linalg.norm(norms, ord=norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"{who}: the total norm of order {norm_type} of the gradients is {total}, so they "
            "cannot be clipped; find where the NaN or infinity comes from (a too large learning "
            "rate, a log of 0, unscaled inputs), or pass error_if_nonfinite=False to scale anyway")
    coef = max_norm / (total + 1e-6)
    if coef < 1 or math.isnan(coef):       # NaN spreads, as in PyTorch; c >= 1 changes nothing
        with np.errstate(invalid="ignore"):
            for g in grads:
                g *= coef
    return np.float64(total)


def clip_grad_value_(parameters, clip_value):
    """Clamp every gradient entry, in place, to ``[-clip_value, clip_value]``.

    Unlike :func:`clip_grad_norm_` this changes the direction of the step:
    large entries are cut, small ones kept.

    Parameters
    ----------
    parameters : Parameter or iterable of Parameter
        Usually ``model.parameters()``; those without a gradient are skipped.
    clip_value : float
        The largest allowed magnitude, :math:`\\ge 0`.

    Returns
    -------
    None

    Examples
    --------
    >>> from nnbook.layers import Parameter
    >>> p = Parameter(np.zeros(3)); p.grad = np.array([-5.0, 0.5, 2.0])
    >>> clip_grad_value_(p, 1.0); p.grad.tolist()
    [-1.0, 0.5, 1.0]
    """
    clip_value = real_number(clip_value, "clip_value", "clip_grad_value_", low=0)
    for g in _gradients(parameters, "clip_grad_value_"):
        np.clip(g, -clip_value, clip_value, out=g)
