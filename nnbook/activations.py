# Generated from book/03_activations.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Activations: the nonlinearities between layers (chapter 3, *Activations*).

Two kinds of objects live here. The functions :func:`sigmoid`,
:func:`log_sigmoid`, :func:`softmax`, :func:`log_softmax` and :func:`relu`
are plain, numerically stable NumPy functions (the losses of chapter 4 use
them). The classes :class:`Identity`, :class:`Sigmoid`, :class:`Tanh`,
:class:`ReLU`, :class:`LeakyReLU`, :class:`Softmax`, :class:`GELU` and
:class:`Softplus` are modules without parameters: their ``forward`` applies
the function and caches what ``backward`` needs to multiply the incoming
gradient by the local derivative.

All of them accept arrays of any shape and preserve the floating dtype
(float32 in, float32 out). The functions are stable for inputs of any finite
magnitude and emit no overflow warnings; the modules also reject NaN and
infinity with a ``ValueError``.
"""

__all__ = ['sigmoid', 'log_sigmoid', 'Sigmoid', 'Tanh', 'relu', 'ReLU', 'LeakyReLU', 'GELU', 'Softplus', 'softmax', 'log_softmax', 'Softmax', 'Identity']


# %% book/03_activations.ipynb cell-013
import math

import numpy as np

from nnbook.layers import Module
from nnbook.checks import check_grad_out, check_input, describe, real_number


def _float_array(x, name):
    """``x`` as a floating-point ndarray, or a ValueError naming the function ``name``."""
    x = np.asarray(x)
    if x.dtype.kind != "f":  # not a floating-point dtype
        raise ValueError(
            f"{name}: expected a floating-point array, got {describe(x)}; "
            "convert it with .astype(np.float64) (or float32)"
        )
    return x


def _check_axis(axis, ndim, who):
    """Validate an ``axis`` argument against an array of ``ndim`` dimensions."""
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"{who}: axis {axis} is out of range for an input with {ndim} dimension(s); "
            f"use an axis in [-{ndim}, {ndim - 1}]"
        )


# %% book/03_activations.ipynb cell-015
def sigmoid(x):
    """The logistic sigmoid :math:`\\sigma(x) = 1 / (1 + e^{-x})`, element-wise.

    Computed without overflow for any finite input: with :math:`e = e^{-|x|}`
    (which lies in :math:`(0, 1]`), :math:`\\sigma(x) = 1/(1+e)` for
    :math:`x \\ge 0` and :math:`\\sigma(x) = e/(1+e)` for :math:`x < 0`. Both
    branches keep full relative precision in the tails.

    Parameters
    ----------
    x : array_like
        Floating-point input of any shape.

    Returns
    -------
    ndarray
        Same shape and dtype as ``x``, values in :math:`[0, 1]`.

    Notes
    -----
    The derivative is :math:`\\sigma'(x) = \\sigma(x)\\,(1 - \\sigma(x))`.

    Examples
    --------
    >>> sigmoid(np.array([-1e4, 0.0, 1e4]))
    array([0. , 0.5, 1. ])
    """
    x = _float_array(x, "sigmoid")
    e = np.exp(-np.abs(x))
    s = 1 / (1 + e)  # sigmoid(|x|)
    return np.where(x >= 0, s, e * s)  # e * s = e / (1 + e) = sigmoid(-|x|)


def log_sigmoid(x):
    """:math:`\\log \\sigma(x) = -\\log(1 + e^{-x})`, element-wise and stable.

    Computed as ``-np.logaddexp(0, -x)``, which never evaluates
    :math:`e^{-x}` for large negative ``x`` (where it would overflow) and
    returns about :math:`x` there, as it should.

    Parameters
    ----------
    x : array_like
        Floating-point input of any shape.

    Returns
    -------
    ndarray
        Same shape and dtype as ``x``, values :math:`\\le 0`.

    Notes
    -----
    The derivative is :math:`1 - \\sigma(x) = \\sigma(-x)`.
    """
    x = _float_array(x, "log_sigmoid")
    return -np.logaddexp(0, -x)


# %% book/03_activations.ipynb cell-019
class Sigmoid(Module):
    """Element-wise logistic sigmoid, :math:`A = \\sigma(Z) = 1/(1 + e^{-Z})`.

    Output in :math:`(0, 1)`; saturates (derivative near 0) for large
    :math:`|Z|`. Accepts any shape; see :func:`sigmoid`.

    Notes
    -----
    .. math::

        \\sigma'(z) = \\sigma(z)\\,(1 - \\sigma(z)) \\le \\tfrac14, \\qquad
        \\frac{\\partial L}{\\partial Z} = \\frac{\\partial L}{\\partial A} \\odot A \\odot (1 - A),

    so the forward pass caches :math:`A \\odot (1 - A)`, not the array it returns.
    """

    def forward(self, x):
        x = check_input(x, self)
        a = sigmoid(x)
        self._cache = a * (1 - a)  # sigmoid'(Z), computed from the output A
        return a

    def backward(self, grad_out, input_grad=True):
        slope = self._saved()
        grad_out = check_grad_out(grad_out, slope.shape, slope.dtype, self)
        return grad_out * slope


class Tanh(Module):
    """Element-wise hyperbolic tangent, :math:`A = \\tanh(Z)`.

    Output in :math:`(-1, 1)`, zero-centred; saturates for large :math:`|Z|`.
    Accepts any shape.

    Notes
    -----
    .. math::

        \\tanh'(z) = 1 - \\tanh^2(z), \\qquad
        \\frac{\\partial L}{\\partial Z} = \\frac{\\partial L}{\\partial A} \\odot (1 - A^2),

    so the forward pass caches :math:`1 - A^2`, not the array it returns.
    """

    def forward(self, x):
        x = check_input(x, self)
        a = np.tanh(x)
        self._cache = 1 - a * a  # tanh'(Z), computed from the output A
        return a

    def backward(self, grad_out, input_grad=True):
        slope = self._saved()
        grad_out = check_grad_out(grad_out, slope.shape, slope.dtype, self)
        return grad_out * slope


# %% book/03_activations.ipynb cell-021
def relu(x):
    """The rectified linear unit :math:`\\max(x, 0)`, element-wise.

    Parameters
    ----------
    x : array_like
        Floating-point input of any shape.

    Returns
    -------
    ndarray
        Same shape and dtype as ``x``.
    """
    x = _float_array(x, "relu")
    return np.maximum(x, 0)


class ReLU(Module):
    """Element-wise rectified linear unit, :math:`A = \\max(Z, 0)`.

    Accepts any shape; see :func:`relu`.

    Notes
    -----
    .. math::

        \\mathrm{ReLU}'(z) = \\begin{cases} 1 & z > 0 \\\\ 0 & z \\le 0 \\end{cases}, \\qquad
        \\frac{\\partial L}{\\partial Z} = \\frac{\\partial L}{\\partial A} \\odot [Z > 0].

    The derivative at the kink :math:`z = 0` is taken to be 0, as in PyTorch.
    The forward pass caches the mask :math:`[Z > 0]` (and the dtype), not the array it returns.
    """

    def forward(self, x):
        x = check_input(x, self)
        self._cache = x > 0, x.dtype  # the mask [Z > 0]
        return np.maximum(x, 0)

    def backward(self, grad_out, input_grad=True):
        mask, dtype = self._saved()
        grad_out = check_grad_out(grad_out, mask.shape, dtype, self)
        return grad_out * mask  # bool * float keeps the float's dtype


class LeakyReLU(Module):
    """Element-wise leaky ReLU: :math:`A = Z` where :math:`Z > 0`, else :math:`\\alpha Z`.

    Parameters
    ----------
    negative_slope : float, default 0.01
        The slope :math:`\\alpha` for negative inputs (a fixed
        hyperparameter, not learned), :math:`0 \\le \\alpha < 1` in practice.

    Notes
    -----
    .. math::

        f'(z) = \\begin{cases} 1 & z > 0 \\\\ \\alpha & z \\le 0 \\end{cases}, \\qquad
        \\frac{\\partial L}{\\partial Z} = \\frac{\\partial L}{\\partial A} \\odot f'(Z).

    Because the gradient is never exactly zero, a unit whose input is
    negative for every sample still learns (see "dead ReLUs" in chapter 3).
    """

    def __init__(self, negative_slope=0.01):
        super().__init__()
        # a Python float: keeps float32 inputs float32
        self.negative_slope = real_number(negative_slope, "negative_slope", "LeakyReLU")

    def forward(self, x):
        x = check_input(x, self)
        self._cache = x  # the input Z
        return np.where(x > 0, x, x * self.negative_slope)

    def backward(self, grad_out, input_grad=True):
        x = self._saved()
        grad_out = check_grad_out(grad_out, x.shape, x.dtype, self)
        return np.where(x > 0, grad_out, grad_out * self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


# %% book/03_activations.ipynb cell-023
class GELU(Module):
    """Gaussian error linear unit, tanh approximation, element-wise.

    .. math::

        \\mathrm{GELU}(z) \\approx \\tfrac12 z \\bigl(1 + \\tanh u\\bigr), \\qquad
        u = \\sqrt{2/\\pi}\\,\\bigl(z + 0.044715\\, z^3\\bigr),

    a smooth ReLU-like curve, :math:`z\\,\\Phi(z)` with :math:`\\Phi` the
    standard normal CDF (Hendrycks and Gimpel, 2016). This is PyTorch's
    ``GELU(approximate="tanh")``.

    Notes
    -----
    With :math:`t = \\tanh u`:

    .. math::

        \\mathrm{GELU}'(z) = \\tfrac12 (1 + t)
            + \\tfrac12 z (1 - t^2) \\sqrt{2/\\pi}\\,\\bigl(1 + 3 \\cdot 0.044715\\, z^2\\bigr).

    The forward pass caches :math:`z` and :math:`t`.
    """

    _C = math.sqrt(2 / math.pi)
    _K = 0.044715

    def forward(self, x):
        x = check_input(x, self)
        # tanh(u) is exactly +-1 once |z| > 10 or so; clipping z inside u keeps z**3
        # from overflowing for huge inputs and changes nothing else.
        xc = np.clip(x, -100, 100)
        t = np.tanh(self._C * (xc + self._K * xc**3))
        self._cache = x, t
        return 0.5 * x * (1 + t)

    def backward(self, grad_out, input_grad=True):
        x, t = self._saved()
        grad_out = check_grad_out(grad_out, x.shape, x.dtype, self)
        xc = np.clip(x, -100, 100)
        du = self._C * (1 + 3 * self._K * xc * xc)  # du/dz
        return grad_out * (0.5 * (1 + t) + 0.5 * xc * (1 - t * t) * du)

    def extra_repr(self):
        return "approximate='tanh'"


class Softplus(Module):
    """Element-wise softplus, :math:`A = \\frac{1}{\\beta}\\log(1 + e^{\\beta Z})`, a smooth ReLU.

    Computed as ``np.logaddexp(0, beta * x) / beta``, which does not overflow.

    Parameters
    ----------
    beta : float, default 1.0
        Sharpness: larger :math:`\\beta` brings the curve closer to ReLU.

    Notes
    -----
    The derivative is the sigmoid, :math:`\\frac{d}{dz}\\mathrm{softplus}(z) = \\sigma(\\beta z)`;
    the forward pass caches :math:`\\beta Z`.
    PyTorch's ``Softplus`` switches to the identity above ``threshold=20``;
    the difference is below :math:`10^{-8}` relative.
    """

    def __init__(self, beta=1.0):
        super().__init__()
        # a Python float: keeps float32 inputs float32
        self.beta = real_number(beta, "beta", "Softplus", low=0, low_open=True)

    def forward(self, x):
        x = check_input(x, self)
        self._cache = x * self.beta  # beta * Z
        return np.logaddexp(0, self._cache) / self.beta

    def backward(self, grad_out, input_grad=True):
        bx = self._saved()
        grad_out = check_grad_out(grad_out, bx.shape, bx.dtype, self)
        return grad_out * sigmoid(bx)

    def extra_repr(self):
        return f"beta={self.beta}"


# %% book/03_activations.ipynb cell-034
def softmax(x, axis=-1):
    """Softmax along ``axis``: :math:`\\mathrm{softmax}(z)_k = e^{z_k} / \\sum_j e^{z_j}`.

    The maximum along ``axis`` is subtracted first. This does not change the
    result (softmax is invariant to adding a constant to every logit) but
    makes the largest exponent :math:`e^0 = 1`, so nothing overflows and the
    denominator is at least 1.

    Parameters
    ----------
    x : array_like
        Floating-point logits of any shape, e.g. ``(n_samples, n_classes)``.
    axis : int, default -1
        The axis along which the outputs sum to one.

    Returns
    -------
    ndarray
        Same shape and dtype as ``x``; non-negative, summing to 1 along ``axis``.

    Notes
    -----
    The Jacobian of :math:`s = \\mathrm{softmax}(z)` is
    :math:`\\partial s_i / \\partial z_j = s_i(\\delta_{ij} - s_j)`, i.e.
    :math:`\\operatorname{diag}(s) - s s^\\top`.

    Examples
    --------
    >>> softmax(np.array([[1000.0, 1000.0], [0.0, np.log(3.0)]]))
    array([[0.5 , 0.5 ],
           [0.25, 0.75]])
    """
    x = _float_array(x, "softmax")
    _check_axis(axis, x.ndim, "softmax")
    e = x - x.max(axis=axis, keepdims=True)
    np.exp(e, out=e)
    e /= e.sum(axis=axis, keepdims=True)
    return e


def log_softmax(x, axis=-1):
    """The logarithm of the softmax, computed without taking ``log(softmax(x))``.

    .. math::

        \\log \\mathrm{softmax}(z)_k = z_k - m - \\log \\sum_j e^{z_j - m},
        \\qquad m = \\max_j z_j .

    This is finite wherever ``x`` is (``np.log(softmax(x))`` gives ``-inf``
    as soon as a probability underflows to zero), which is what a
    cross-entropy loss needs.

    Parameters
    ----------
    x : array_like
        Floating-point logits of any shape.
    axis : int, default -1
        The axis along which the softmax is normalised.

    Returns
    -------
    ndarray
        Same shape and dtype as ``x``, values :math:`\\le 0`.
    """
    x = _float_array(x, "log_softmax")
    _check_axis(axis, x.ndim, "log_softmax")
    shifted = x - x.max(axis=axis, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return shifted


# %% book/03_activations.ipynb cell-035
class Softmax(Module):
    """Softmax along ``axis``: :math:`A_{k} = e^{Z_{k}} / \\sum_j e^{Z_{j}}`.

    Turns a vector of logits into a probability vector. Accepts any shape;
    see :func:`softmax` for the stable computation.

    Parameters
    ----------
    axis : int, default -1
        The axis that is normalised (the class axis of ``(n_samples, n_classes)``).

    Notes
    -----
    Softmax is not element-wise: every output depends on every input along
    ``axis``. Its Jacobian is :math:`J = \\operatorname{diag}(s) - s s^\\top`,
    and since :math:`J` is symmetric the backward pass is

    .. math::

        \\frac{\\partial L}{\\partial z} = J g = s \\odot \\bigl(g - (g \\cdot s)\\bigr),
        \\qquad g = \\frac{\\partial L}{\\partial s},

    computed without ever forming :math:`J` (:math:`g \\cdot s` is summed along
    ``axis``). The forward pass caches a copy of :math:`s`. For classification, prefer
    feeding logits to ``CrossEntropyLoss`` (chapter 4), which fuses softmax and
    the logarithm.
    """

    def __init__(self, axis=-1):
        super().__init__()
        if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
            raise ValueError(f"Softmax: axis must be an integer, got {axis!r}")
        self.axis = int(axis)

    def forward(self, x):
        x = check_input(x, self)
        _check_axis(self.axis, x.ndim, f"Softmax(axis={self.axis}) with input of shape {x.shape}")
        s = softmax(x, axis=self.axis)
        self._cache = s.copy()  # the output s, a copy: the caller may edit s in place
        return s

    def backward(self, grad_out, input_grad=True):
        s = self._saved()
        grad_out = check_grad_out(grad_out, s.shape, s.dtype, self)
        gs = grad_out * s
        gs -= s * gs.sum(axis=self.axis, keepdims=True)
        return gs

    def extra_repr(self):
        return f"axis={self.axis}"


# %% book/03_activations.ipynb cell-046
class Identity(Module):
    """The identity :math:`f(x) = x` (derivative 1): a placeholder activation.

    Useful where a model builder expects an activation but none is wanted,
    e.g. the output layer of a regression network. Accepts any shape.
    """

    def forward(self, x):
        x = check_input(x, self)
        self._cache = x.shape, x.dtype  # for the checks of backward
        return x

    def backward(self, grad_out, input_grad=True):
        shape, dtype = self._saved()
        return check_grad_out(grad_out, shape, dtype, self)
