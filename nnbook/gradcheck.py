# Generated from book/05_backprop.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Gradient checking: compare backward passes with numerical derivatives (chapter 5).

The analytic gradients computed by ``backward`` are checked against central
differences, :math:`\\frac{f(x + \\epsilon) - f(x - \\epsilon)}{2\\epsilon}`,
coordinate by coordinate, and the two are compared with a relative error.
Use float64: in float32 the rounding error of the differences alone is larger
than the tolerance.
"""

__all__ = ['numerical_gradient', 'rel_error', 'check_module', 'check_loss']


import numpy as np

from nnbook.layers import Module, module_name


def numerical_gradient(f, x, eps=1e-6):
    """Central-difference gradient of the scalar function ``f()`` with respect to ``x``.

    Parameters
    ----------
    f : callable
        Takes no argument and returns a float that depends on the current
        contents of ``x``.
    x : ndarray
        The array to perturb. It is modified in place, one entry at a time,
        and restored exactly before the function returns.
    eps : float, default 1e-6
        The step :math:`\\epsilon`.

    Returns
    -------
    ndarray
        Same shape as ``x``: entry ``i`` is
        :math:`(f(x + \\epsilon e_i) - f(x - \\epsilon e_i)) / 2\\epsilon`.
    """
    grad = np.zeros(x.shape, dtype=np.float64)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + eps
        f_plus = float(f())
        x[index] = old - eps
        f_minus = float(f())
        x[index] = old
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad


def rel_error(a, b):
    """Relative error :math:`\\lVert a - b\\rVert / \\max(\\lVert a\\rVert + \\lVert b\\rVert, 10^{-300})`.

    Zero when the arrays agree exactly, about :math:`10^{-10}` for a correct
    float64 gradient checked with ``eps=1e-6``, and of order :math:`10^{-2}`
    or more for a wrong one.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error: shapes {a.shape} and {b.shape} differ")
    denominator = max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)
    return float(np.linalg.norm(a - b) / denominator)


def _require_float64(array, what, who):
    if np.asarray(array).dtype != np.float64:
        raise ValueError(
            f"{module_name(who)}: gradient checks need float64, got {what} of dtype "
            f"{np.asarray(array).dtype}; build the module with dtype=np.float64"
        )


def check_module(module, x, *, rng=None, eps=1e-6):
    """Check a module's backward pass against numerical gradients.

    The module is turned into a scalar function with a fixed random
    projection, :math:`L = \\sum_{ij} R_{ij} \\, f(X)_{ij}`, so that
    :math:`\\partial L / \\partial f(X) = R`. ``backward(R)`` then gives the
    analytic gradients, which are compared with central differences for the
    input and for every parameter.

    Parameters
    ----------
    module : Module
        A module whose forward pass is deterministic (fix any random mask).
    x : ndarray
        A float64 input batch. Keep inputs away from kinks such as ReLU's 0.
    rng : numpy.random.Generator or int, optional
        Source of the projection :math:`R`.
    eps : float, default 1e-6
        Finite-difference step.

    Returns
    -------
    dict
        ``{"input": error, "<parameter name>": error, ...}``: the relative
        error of each gradient (see :func:`rel_error`).
    """
    if not isinstance(module, Module):
        raise ValueError(f"check_module: expected a Module, got {type(module).__name__}")
    x = np.array(x, dtype=np.float64) if not isinstance(x, np.ndarray) else x.copy()
    _require_float64(x, "input", module)
    params = dict(module.named_parameters())
    for name, p in params.items():
        _require_float64(p.data, f"parameter {name!r}", module)
    rng = np.random.default_rng(rng)
    projection = rng.normal(size=np.shape(module(x)))

    def loss():
        return np.sum(module(x) * projection)

    module.zero_grad()
    loss()
    grad_x = module.backward(projection.copy())
    analytic = {name: (p.grad.copy() if p.grad is not None else np.zeros_like(p.data)) for name, p in params.items()}
    errors = {"input": rel_error(grad_x, numerical_gradient(loss, x, eps))}
    for name, p in params.items():
        errors[name] = rel_error(analytic[name], numerical_gradient(loss, p.data, eps))
    module.zero_grad()
    return errors


def check_loss(loss_fn, pred, target, *, eps=1e-6):
    """Check a loss's ``backward`` against the numerical gradient with respect to ``pred``.

    Parameters
    ----------
    loss_fn : callable
        A loss object: ``loss_fn(pred, target)`` returns a float and
        ``loss_fn.backward()`` returns :math:`\\partial L/\\partial \\text{pred}`.
    pred, target : ndarray
        Float64 predictions and the targets the loss expects.
    eps : float, default 1e-6
        Finite-difference step.

    Returns
    -------
    float
        The relative error of the gradient (see :func:`rel_error`).
    """
    pred = np.array(pred, dtype=np.float64, copy=True)
    _require_float64(pred, "pred", loss_fn)
    loss_fn(pred, target)
    analytic = np.array(loss_fn.backward(), copy=True)
    numeric = numerical_gradient(lambda: loss_fn(pred, target), pred, eps)
    return rel_error(analytic, numeric)
