# Generated from book/06_initialization.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Initialization: the initial weights of a layer (chapter 6, *Initialization*).

Every function here has the signature that :class:`nnbook.layers.Linear`
expects for its ``init`` argument,
``f(fan_in, fan_out, rng=None, **options) -> ndarray`` of shape
``(fan_in, fan_out)`` and dtype float64, so that
``Linear(784, 256, init=nnbook.init.kaiming_normal, rng=0)`` draws its weight
matrix with it (and starts the bias at zero). Options are keyword-only; bind
them with ``functools.partial``, e.g.
``partial(nnbook.init.kaiming_normal, nonlinearity="tanh")``.

The names mirror ``torch.nn.init`` without the trailing underscore, since
these functions return a new array instead of filling a tensor in place.
Mind the layout: nnbook's weight has shape ``(fan_in, fan_out)``, PyTorch's
is the transpose, ``(fan_out, fan_in)``.
"""

__all__ = ['zeros', 'constant', 'normal', 'uniform', 'xavier_uniform', 'xavier_normal', 'calculate_gain', 'kaiming_uniform', 'kaiming_normal', 'glorot_uniform', 'glorot_normal', 'he_uniform', 'he_normal']


# %% book/06_initialization.ipynb cell-001
import math

import numpy as np

from nnbook.checks import as_generator, positive_int, real_number


# %% book/06_initialization.ipynb cell-007
def _fans(fan_in, fan_out, who):
    """The layer sizes every initializer receives, checked and returned as ints."""
    return positive_int(fan_in, "fan_in", who), positive_int(fan_out, "fan_out", who)


# %% book/06_initialization.ipynb cell-008
def zeros(fan_in, fan_out, rng=None):
    """All-zero weights, :math:`W = 0`. Do not use this for hidden layers.

    Every unit of the layer starts identical, and gradient descent keeps
    identical units identical (chapter 6, *Why not start from zero?*). It is
    occasionally used for the last layer of a network, where it makes the
    initial prediction depend on the output bias only.

    Parameters
    ----------
    fan_in, fan_out : int
        Number of inputs :math:`d` and outputs :math:`m` of the layer.
    rng : ignored
        Accepted so that ``zeros`` has the signature of every initializer.

    Returns
    -------
    ndarray, float64, shape (fan_in, fan_out)
    """
    fan_in, fan_out = _fans(fan_in, fan_out, "zeros")
    return np.zeros((fan_in, fan_out))


def constant(fan_in, fan_out, rng=None, *, value):
    """Weights that all equal ``value``. Shown for the symmetry argument, not for use.

    Parameters
    ----------
    fan_in, fan_out : int
        Number of inputs :math:`d` and outputs :math:`m` of the layer.
    rng : ignored
        Accepted so that ``constant`` has the signature of every initializer.
    value : float
        The value of every entry (keyword-only, required: bind it with
        ``functools.partial(constant, value=0.5)``).

    Returns
    -------
    ndarray, float64, shape (fan_in, fan_out)
    """
    fan_in, fan_out = _fans(fan_in, fan_out, "constant")
    value = real_number(value, "value", "constant")
    return np.full((fan_in, fan_out), value)


# %% book/06_initialization.ipynb cell-013
def normal(fan_in, fan_out, rng=None, *, mean=0.0, std=0.01):
    """Weights drawn independently from :math:`\\mathcal{N}(\\text{mean}, \\text{std}^2)`.

    A fixed ``std`` ignores the size of the layer: in deep networks the
    activations then shrink (or grow) geometrically with depth. Prefer
    :func:`xavier_normal` or :func:`kaiming_normal`, which scale with the fans.

    Parameters
    ----------
    fan_in, fan_out : int
        Number of inputs :math:`d` and outputs :math:`m` of the layer.
    rng : numpy.random.Generator or int, optional
        Source of randomness, passed to ``numpy.random.default_rng``.
    mean : float, default 0.0
    std : float, default 0.01
        Standard deviation, :math:`\\ge 0`.

    Returns
    -------
    ndarray, float64, shape (fan_in, fan_out)

    Examples
    --------
    >>> from functools import partial
    >>> W = normal(3, 2, rng=0, std=0.1)
    >>> W.shape, W.dtype
    ((3, 2), dtype('float64'))
    >>> init = partial(normal, std=0.1)      # the form Linear(init=...) takes
    """
    fan_in, fan_out = _fans(fan_in, fan_out, "normal")
    mean = real_number(mean, "mean", "normal")
    std = real_number(std, "std", "normal", low=0)
    return as_generator(rng, "normal").normal(mean, std, size=(fan_in, fan_out))


def uniform(fan_in, fan_out, rng=None, *, a=-0.05, b=0.05):
    """Weights drawn independently from the uniform distribution :math:`U(a, b)`.

    :math:`U(-r, r)` has variance :math:`r^2/3`; the default :math:`r = 0.05`
    has about the same standard deviation (0.029) whatever the layer's size,
    with the same problem as :func:`normal`.

    Parameters
    ----------
    fan_in, fan_out : int
        Number of inputs :math:`d` and outputs :math:`m` of the layer.
    rng : numpy.random.Generator or int, optional
        Source of randomness, passed to ``numpy.random.default_rng``.
    a, b : float, default -0.05 and 0.05
        Lower and upper bound, :math:`a < b`.

    Returns
    -------
    ndarray, float64, shape (fan_in, fan_out)
        Values in :math:`[a, b)`.
    """
    fan_in, fan_out = _fans(fan_in, fan_out, "uniform")
    a = real_number(a, "a", "uniform")
    b = real_number(b, "b", "uniform")
    if not a < b:
        raise ValueError(f"uniform: the lower bound a must be smaller than b, got a={a!r}, b={b!r}")
    return as_generator(rng, "uniform").uniform(a, b, size=(fan_in, fan_out))


# %% book/06_initialization.ipynb cell-020
def xavier_uniform(fan_in, fan_out, rng=None, *, gain=1.0):
    """Xavier (Glorot) uniform initialization :cite:p:`glorot2010`.

    Draws from :math:`U(-r, r)` with

    .. math::

        r = \\text{gain} \\sqrt{\\frac{6}{\\text{fan\\_in} + \\text{fan\\_out}}},
        \\qquad
        \\operatorname{Var}(w) = \\frac{r^2}{3}
        = \\text{gain}^2 \\, \\frac{2}{\\text{fan\\_in} + \\text{fan\\_out}},

    the compromise between keeping the variance of the activations (forward)
    and of the gradients (backward) constant across layers of linear or
    tanh-like units. Also available as ``glorot_uniform``.

    Parameters
    ----------
    fan_in, fan_out : int
        Number of inputs :math:`d` and outputs :math:`m` of the layer.
    rng : numpy.random.Generator or int, optional
        Source of randomness, passed to ``numpy.random.default_rng``.
    gain : float, default 1.0
        Positive factor on the standard deviation, e.g.
        ``calculate_gain("tanh")``.

    Returns
    -------
    ndarray, float64, shape (fan_in, fan_out)
    """
    fan_in, fan_out = _fans(fan_in, fan_out, "xavier_uniform")
    gain = real_number(gain, "gain", "xavier_uniform", low=0, low_open=True)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return as_generator(rng, "xavier_uniform").uniform(-bound, bound, size=(fan_in, fan_out))


def xavier_normal(fan_in, fan_out, rng=None, *, gain=1.0):
    """Xavier (Glorot) normal initialization :cite:p:`glorot2010`.

    Draws from :math:`\\mathcal{N}(0, s_w^2)` with

    .. math::

        s_w = \\text{gain} \\sqrt{\\frac{2}{\\text{fan\\_in} + \\text{fan\\_out}}}.

    Also available as ``glorot_normal``.

    Parameters
    ----------
    fan_in, fan_out : int
        Number of inputs :math:`d` and outputs :math:`m` of the layer.
    rng : numpy.random.Generator or int, optional
        Source of randomness, passed to ``numpy.random.default_rng``.
    gain : float, default 1.0
        Positive factor on the standard deviation.

    Returns
    -------
    ndarray, float64, shape (fan_in, fan_out)

    Examples
    --------
    >>> W = xavier_normal(400, 100, rng=0)
    >>> round(float(W.std()), 3)          # sqrt(2 / 500)
    0.063
    """
    fan_in, fan_out = _fans(fan_in, fan_out, "xavier_normal")
    gain = real_number(gain, "gain", "xavier_normal", low=0, low_open=True)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return as_generator(rng, "xavier_normal").normal(0.0, std, size=(fan_in, fan_out))


# %% book/06_initialization.ipynb cell-022
_NONLINEARITIES = ("linear", "identity", "sigmoid", "tanh", "relu", "leaky_relu", "selu")


def _gain(nonlinearity, param, who):
    """The gain of ``nonlinearity``; errors name ``who``."""
    if not isinstance(nonlinearity, str) or nonlinearity not in _NONLINEARITIES:
        raise ValueError(
            f"{who}: unknown nonlinearity {nonlinearity!r}; expected one of "
            f"{', '.join(repr(n) for n in _NONLINEARITIES)} (lower case, as in torch.nn.init)"
        )
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else real_number(param, "the negative slope", who)
        return math.sqrt(2.0 / (1.0 + slope * slope))
    return {
        "linear": 1.0,
        "identity": 1.0,
        "sigmoid": 1.0,
        "tanh": 5.0 / 3.0,
        "relu": math.sqrt(2.0),
        "selu": 3.0 / 4.0,
    }[nonlinearity]


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity (PyTorch's values).

    The gain multiplies the standard deviation of the weights,
    :math:`\\operatorname{std}(w) = \\text{gain} / \\sqrt{\\text{fan}}`, to
    undo what the activation that follows the layer does to the second moment
    of its input.

    ================================  ==========================================
    nonlinearity                      gain
    ================================  ==========================================
    ``"linear"``, ``"identity"``      :math:`1`
    ``"sigmoid"``                     :math:`1`
    ``"tanh"``                        :math:`5/3`
    ``"relu"``                        :math:`\\sqrt{2}`
    ``"leaky_relu"``                  :math:`\\sqrt{2 / (1 + \\alpha^2)}`, :math:`\\alpha` = ``param`` (default 0.01)
    ``"selu"``                        :math:`3/4`
    ================================  ==========================================

    Parameters
    ----------
    nonlinearity : str
        One of the names above (lower case, as in ``torch.nn.init.calculate_gain``).
    param : float, optional
        The negative slope :math:`\\alpha` for ``"leaky_relu"``; ignored otherwise.

    Returns
    -------
    float

    Examples
    --------
    >>> calculate_gain("relu") ** 2
    2.0000000000000004
    """
    return _gain(nonlinearity, param, "calculate_gain")


# %% book/06_initialization.ipynb cell-024
def _kaiming_std(fan_in, fan_out, nonlinearity, a, mode, who):
    """Validate the arguments of a Kaiming initializer; return ``(fan_in, fan_out, std)``."""
    fan_in, fan_out = _fans(fan_in, fan_out, who)
    a = real_number(a, "a (the negative slope)", who)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{who}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    gain = _gain(nonlinearity, a, who)
    fan = fan_in if mode == "fan_in" else fan_out
    return fan_in, fan_out, gain / math.sqrt(fan)


def kaiming_uniform(fan_in, fan_out, rng=None, *, nonlinearity="relu", a=0.0, mode="fan_in"):
    """He (Kaiming) uniform initialization :cite:p:`he2015`.

    Draws from :math:`U(-r, r)` with

    .. math::

        r = \\sqrt{3}\\, \\frac{\\text{gain}}{\\sqrt{\\text{fan}}}, \\qquad
        \\operatorname{Var}(w) = \\frac{\\text{gain}^2}{\\text{fan}},

    where ``gain = calculate_gain(nonlinearity, a)`` and ``fan`` is ``fan_in``
    or ``fan_out`` according to ``mode``. For ReLU, :math:`\\operatorname{Var}(w)
    = 2/\\text{fan\\_in}` keeps the second moment of the activations constant
    across layers. Also available as ``he_uniform``.

    Parameters
    ----------
    fan_in, fan_out : int
        Number of inputs :math:`d` and outputs :math:`m` of the layer. Note that
        nnbook's weight has shape ``(fan_in, fan_out)``; PyTorch's is the transpose.
    rng : numpy.random.Generator or int, optional
        Source of randomness, passed to ``numpy.random.default_rng``.
    nonlinearity : str, default "relu"
        The activation after the layer, a name accepted by :func:`calculate_gain`.
    a : float, default 0.0
        Negative slope of the leaky ReLU; used only with ``nonlinearity="leaky_relu"``.
    mode : {"fan_in", "fan_out"}, default "fan_in"
        ``"fan_in"`` preserves the variance of the activations in the forward
        pass, ``"fan_out"`` that of the gradients in the backward pass.

    Returns
    -------
    ndarray, float64, shape (fan_in, fan_out)
    """
    fan_in, fan_out, std = _kaiming_std(fan_in, fan_out, nonlinearity, a, mode, "kaiming_uniform")
    bound = math.sqrt(3.0) * std
    return as_generator(rng, "kaiming_uniform").uniform(-bound, bound, size=(fan_in, fan_out))


def kaiming_normal(fan_in, fan_out, rng=None, *, nonlinearity="relu", a=0.0, mode="fan_in"):
    """He (Kaiming) normal initialization :cite:p:`he2015`.

    Draws from :math:`\\mathcal{N}(0, s_w^2)` with

    .. math::

        s_w = \\frac{\\text{gain}}{\\sqrt{\\text{fan}}},

    where ``gain = calculate_gain(nonlinearity, a)`` and ``fan`` is ``fan_in``
    or ``fan_out`` according to ``mode``. For ReLU and ``mode="fan_in"``,
    :math:`s_w^2 = 2/\\text{fan\\_in}`. Also available as ``he_normal``.

    Parameters
    ----------
    fan_in, fan_out : int
        Number of inputs :math:`d` and outputs :math:`m` of the layer. Note that
        nnbook's weight has shape ``(fan_in, fan_out)``; PyTorch's is the transpose.
    rng : numpy.random.Generator or int, optional
        Source of randomness, passed to ``numpy.random.default_rng``.
    nonlinearity : str, default "relu"
        The activation after the layer, a name accepted by :func:`calculate_gain`.
    a : float, default 0.0
        Negative slope of the leaky ReLU; used only with ``nonlinearity="leaky_relu"``.
    mode : {"fan_in", "fan_out"}, default "fan_in"
        Which fan goes into :math:`s_w`.

    Returns
    -------
    ndarray, float64, shape (fan_in, fan_out)

    Examples
    --------
    >>> from nnbook.layers import Linear
    >>> layer = Linear(784, 256, init=kaiming_normal, rng=0)
    >>> round(float(layer.weight.data.std()), 2)      # sqrt(2 / 784) = 0.0505
    0.05
    >>> float(abs(layer.bias.data).max())
    0.0
    """
    fan_in, fan_out, std = _kaiming_std(fan_in, fan_out, nonlinearity, a, mode, "kaiming_normal")
    return as_generator(rng, "kaiming_normal").normal(0.0, std, size=(fan_in, fan_out))


glorot_uniform = xavier_uniform
glorot_normal = xavier_normal
he_uniform = kaiming_uniform
he_normal = kaiming_normal
