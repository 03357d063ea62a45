# Generated from book/05_backprop.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Gradient checking: compare backward passes with numerical derivatives (chapter 5, *Backpropagation*).

A backward pass is a hand-written program, and a wrong one often still
trains, just worse. These functions test it against the definition of the
derivative: each entry of the input and of every parameter is nudged by
:math:`\\pm\\epsilon`, the change of a scalar function is measured, and the
central difference

.. math::

    \\frac{f(x + \\epsilon e_i) - f(x - \\epsilon e_i)}{2\\epsilon}
    = \\frac{\\partial f}{\\partial x_i} + O(\\epsilon^2)

is compared with the analytic gradient through a relative error
(:func:`rel_error`). A correct float64 backward pass agrees to about
:math:`10^{-10}`; the tests of this package require less than :math:`10^{-7}`.

Everything here insists on float64: in float32 the rounding error of the
differences alone is larger than that tolerance.
"""

__all__ = ['numerical_gradient', 'rel_error', 'check_module', 'check_loss']


# %% book/05_backprop.ipynb cell-011
import numpy as np

from nnbook.layers import Module
from nnbook.checks import as_generator, module_name, real_number


# %% book/05_backprop.ipynb cell-013
def _require_float64(array, what, who, fix):
    """Raise a ValueError naming ``who`` unless ``array`` is a float64 ndarray."""
    dtype = np.asarray(array).dtype
    if dtype != np.float64:
        raise ValueError(
            f"{module_name(who)}: gradient checks need float64, got {what} of shape "
            f"{np.shape(array)} and dtype {dtype}; {fix} (in float32 the rounding error of "
            "finite differences is larger than the tolerance)"
        )


def _returned_gradient(grad, shape, who, what):
    """What ``who`` returned, as a float64 copy; a ValueError unless it is an array of ``shape``."""
    if not isinstance(grad, np.ndarray) or grad.shape != shape:
        got = f"shape {grad.shape}" if isinstance(grad, np.ndarray) else type(grad).__name__
        raise ValueError(
            f"{who} returned {got}, expected the gradient with respect to {what}, shape {shape}"
            + (" (did backward forget to return it?)" if grad is None else "")
        )
    return np.array(grad, dtype=np.float64, copy=True)


def _require_deterministic(module, x, out, name):
    """Refuse a module whose forward pass gives another output on the same input (e.g. dropout)."""
    again = np.asarray(module(x))
    if again.shape == np.shape(out) and np.allclose(again, out, rtol=1e-10, atol=0):
        return
    diff = (f"largest difference {np.max(np.abs(again - out)):.3g}" if again.shape == np.shape(out)
            else f"shapes {np.shape(out)} and {again.shape}")
    raise ValueError(
        f"check_module: {name} is not deterministic: two forward passes on the same input "
        f"differ ({diff}), so finite differences would report a correct "
        "backward as broken. Check it in evaluation mode (module.eval()) or with its randomness "
        "fixed (for Dropout: one forward pass, then `with layer.freeze_mask(): check_module(...)`)")


# %% book/05_backprop.ipynb cell-015
def numerical_gradient(f, x, eps=1e-6):
    """Central-difference gradient of the scalar function ``f()`` with respect to ``x``.

    Parameters
    ----------
    f : callable
        Takes no argument and returns a scalar that depends on the current
        contents of ``x`` (typically a closure that runs a forward pass).
    x : ndarray of float64
        The array to perturb, of any shape. It is modified in place, one
        entry at a time, and restored exactly before the function returns
        (also when ``f`` raises).
    eps : float, default 1e-6
        The step :math:`\\epsilon`. With float64 and values of order one,
        steps between about :math:`10^{-7}` and :math:`10^{-4}` work; see the
        chapter for the trade-off between truncation and rounding error.

    Returns
    -------
    ndarray of float64
        Same shape as ``x``; entry :math:`i` is

        .. math::

            \\frac{f(x + \\epsilon e_i) - f(x - \\epsilon e_i)}{2\\epsilon}.

        The denominator is the step actually taken, ``x_i^+ - x_i^-`` after
        rounding, which is exactly :math:`2\\epsilon` only when
        :math:`x_i \\pm \\epsilon` are representable.

    Raises
    ------
    ValueError
        If ``x`` is not a float64 ndarray, ``eps`` is not positive, or ``f``
        does not return a scalar.

    Notes
    -----
    The cost is two calls of ``f`` per entry of ``x``: use small arrays.

    Examples
    --------
    >>> x = np.array([1.0, 2.0])
    >>> g = numerical_gradient(lambda: np.sum(x ** 3), x)
    >>> bool(np.allclose(g, 3 * x ** 2))
    True
    """
    if not isinstance(x, np.ndarray):
        raise ValueError(
            f"numerical_gradient: x must be a NumPy array that f reads (it is perturbed in "
            f"place), got {type(x).__name__}"
        )
    _require_float64(x, "x", "numerical_gradient", "convert it with .astype(np.float64)")
    eps = real_number(eps, "eps", "numerical_gradient", low=0, low_open=True)

    def evaluate():
        value = f()
        if np.ndim(value) != 0:
            raise ValueError(
                f"numerical_gradient: f() must return a scalar, got an array of shape "
                f"{np.shape(value)}; reduce it first (e.g. with np.sum)"
            )
        return float(value)

    grad = np.empty(x.shape, dtype=np.float64)
    for index in np.ndindex(x.shape):
        old = x[index]
        try:
            x[index] = old + eps
            upper = x[index]
            f_plus = evaluate()
            x[index] = old - eps
            lower = x[index]
            f_minus = evaluate()
        finally:
            x[index] = old
        step = float(upper) - float(lower)
        if step == 0.0:
            raise ValueError(
                f"numerical_gradient: eps={eps:g} is too small to change x{list(index)} = "
                f"{float(old):g} in float64; use a larger eps"
            )
        grad[index] = (f_plus - f_minus) / step
    return grad


# %% book/05_backprop.ipynb cell-017
def rel_error(a, b):
    """Relative error between two arrays, :math:`\\lVert a - b\\rVert / (\\lVert a\\rVert + \\lVert b\\rVert)`.

    Parameters
    ----------
    a, b : array_like
        Arrays of the same shape (typically an analytic and a numerical
        gradient). Norms are Euclidean norms over all entries.

    Returns
    -------
    float
        A number in :math:`[0, 1]`: 0 when the arrays are equal (including
        both zero); 1 when one is zero and the other is not, or one is a
        negative multiple of the other; ``inf`` when either contains NaN or
        infinity. It is symmetric and does not change when both arrays are
        multiplied by the same non-zero number.

    Raises
    ------
    ValueError
        If the shapes differ (no broadcasting).

    Notes
    -----
    For a correct float64 gradient checked with ``eps=1e-6`` the error is
    typically :math:`10^{-11}` to :math:`10^{-9}`; below :math:`10^{-7}`
    counts as correct. A wrong gradient gives :math:`10^{-3}` or more.
    Being a ratio of norms over the whole array, it can hide one wrong entry
    that is tiny next to the others: check each parameter separately, as
    :func:`check_module` does.

    Examples
    --------
    >>> rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    0.0
    >>> rel_error(np.array([1.0]), np.array([-1.0]))
    1.0
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(
            f"rel_error: shapes {a.shape} and {b.shape} differ; compare arrays of the same shape"
        )
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return float("inf")
    # Divide by the largest entry first: the result is unchanged, and no norm can overflow.
    scale = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)))
    if scale == 0.0:
        return 0.0
    a = a / scale
    b = b / scale
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


# %% book/05_backprop.ipynb cell-019
def check_module(module, x, *, rng=None, eps=1e-6):
    """Check a module's backward pass against numerical gradients.

    The module is turned into a scalar function with a fixed random
    projection :math:`R` (same shape as the output),
    :math:`L = \\sum_{ij} R_{ij} \\, f(X)_{ij}`, so that
    :math:`\\partial L / \\partial f(X) = R`. ``backward(R)`` then gives the
    analytic gradients with respect to the input and to every parameter,
    and each is compared with central differences (:func:`numerical_gradient`).

    Parameters
    ----------
    module : Module
        A module whose forward pass is deterministic; a stochastic one (dropout
        in training mode) is refused: check it in evaluation mode or with its
        mask fixed (``Dropout.freeze_mask``). Its parameters must be float64.
    x : array_like
        A float64 input batch. It is copied, not modified. Keep it away from
        kinks, such as ReLU's at 0: no pre-activation within ``eps`` of one.
    rng : numpy.random.Generator or int, optional
        Source of the projection :math:`R`.
    eps : float, default 1e-6
        Finite-difference step.

    Returns
    -------
    dict
        ``{"input": error, "<parameter name>": error, ...}``: the relative
        error (:func:`rel_error`) of the gradient with respect to the input
        and to each parameter, named as in
        :meth:`~nnbook.layers.Module.named_parameters`
        (e.g. ``"0.weight"``). All below ``1e-7`` means the backward pass is
        correct.

    Raises
    ------
    ValueError
        If ``module`` is not a :class:`~nnbook.layers.Module`, the input or a
        parameter is not float64, two forward passes on the same input
        differ (the module is random), or ``backward`` returns something
        that is not an array of the input's shape.

    Notes
    -----
    Existing gradients are discarded. The numerical gradients are taken at
    the parameter values of the forward pass, so a ``backward`` that changes
    a parameter (which it must not do) shows up as a large error. On return
    every parameter's ``.grad`` is None, and parameters and buffers hold the
    values they had on entry.

    Examples
    --------
    >>> from nnbook.layers import Linear
    >>> errors = check_module(Linear(3, 2, rng=0), np.ones((4, 3)), rng=0)
    >>> sorted(errors), all(e < 1e-7 for e in errors.values())
    (['bias', 'input', 'weight'], True)
    """
    if not isinstance(module, Module):
        raise ValueError(
            f"check_module: expected a Module, got {type(module).__name__}; "
            "for a loss use check_loss(loss_fn, pred, target)"
        )
    x = x.copy() if isinstance(x, np.ndarray) else np.array(x, dtype=np.float64)
    _require_float64(x, "an input", module, "convert it with .astype(np.float64)")
    params = dict(module.named_parameters())
    for name, p in params.items():
        _require_float64(p.data, f"parameter {name!r}", module, "build the module with dtype=np.float64")
    eps = real_number(eps, "eps", "check_module", low=0, low_open=True)
    rng = as_generator(rng, "check_module")
    name = module_name(module)

    saved = module.state_dict()
    try:
        module.zero_grad()
        out = module(x)
        _require_deterministic(module, x, out, name)
        projection = rng.normal(size=np.shape(out))
        grad_x = _returned_gradient(module.backward(projection.copy()), x.shape,
                                    f"check_module: {name}.backward", "the input")
        analytic = {
            key: np.zeros_like(p.data) if p.grad is None else np.array(p.grad, dtype=np.float64, copy=True)
            for key, p in params.items()
        }
        # Differentiate numerically at the point the forward pass saw, even if
        # backward changed a parameter (which would be a bug worth catching).
        module.load_state_dict(saved)

        def loss():
            return np.sum(module(x) * projection)

        errors = {"input": rel_error(grad_x, numerical_gradient(loss, x, eps))}
        for key, p in params.items():
            errors[key] = rel_error(analytic[key], numerical_gradient(loss, p.data, eps))
    finally:
        module.zero_grad()
        module.load_state_dict(saved)
    return errors


# %% book/05_backprop.ipynb cell-021
def check_loss(loss_fn, pred, target, *, eps=1e-6):
    """Check a loss's ``backward`` against the numerical gradient with respect to ``pred``.

    Parameters
    ----------
    loss_fn : callable
        A loss object: ``loss_fn(pred, target)`` returns a scalar and
        ``loss_fn.backward()`` returns :math:`\\partial L/\\partial \\text{pred}`,
        e.g. :class:`nnbook.losses.CrossEntropyLoss`.
    pred : array_like
        Float64 predictions (logits for the losses that take logits). Copied,
        not modified.
    target : array_like
        The targets the loss expects (integer labels, or float64 values).
    eps : float, default 1e-6
        Finite-difference step.

    Returns
    -------
    float
        The relative error (:func:`rel_error`) between ``loss_fn.backward()``
        and the central-difference gradient; below ``1e-7`` means correct.

    Raises
    ------
    ValueError
        If ``pred`` or a floating-point ``target`` is not float64, or
        ``backward`` returns something that is not an array of ``pred``'s shape.
    """
    pred = pred.copy() if isinstance(pred, np.ndarray) else np.array(pred, dtype=np.float64)
    _require_float64(pred, "pred", loss_fn, "convert it with .astype(np.float64)")
    target_array = np.asarray(target)
    if np.issubdtype(target_array.dtype, np.floating):
        _require_float64(target_array, "target", loss_fn, "convert it with .astype(np.float64)")
    eps = real_number(eps, "eps", "check_loss", low=0, low_open=True)
    loss_fn(pred, target)
    analytic = _returned_gradient(loss_fn.backward(), pred.shape,
                                  f"check_loss: {module_name(loss_fn)}.backward()", "pred")
    numeric = numerical_gradient(lambda: loss_fn(pred, target), pred, eps)
    return rel_error(analytic, numeric)
