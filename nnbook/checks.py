# Generated from book/eng_errors.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Checks: the validation and error-message helpers shared by every module (appendix, *How the library reports errors*).

Every public entry point of nnbook validates what it receives with these
helpers, so that a mistake raises a ``ValueError`` (or ``TypeError``,
``RuntimeError``) naming the culprit, the shapes or values, and the fix,
instead of returning a wrong answer. They are not re-exported at the top level
of ``nnbook``: reach them as ``nnbook.checks.check_input``.
"""

__all__ = ['describe', 'module_name', 'all_finite', 'check_input', 'check_grad_out', 'no_forward_error', 'positive_int', 'real_number', 'one_of']


# %% book/eng_errors.ipynb cell-001
import math
import numbers

import numpy as np


# %% book/eng_errors.ipynb cell-003
def describe(x):
    """Shape and dtype of an array-like, for error messages (``"shape (3,), dtype int64"``)."""
    shape = getattr(x, "shape", None)
    dtype = getattr(x, "dtype", None)
    if shape is None:
        return f"{type(x).__name__}"
    return f"shape {tuple(shape)}, dtype {dtype}"


def module_name(who):
    """How an error message names a module, a loss or a function: ``Linear(in_features=3, ...)``.

    Parameters
    ----------
    who : object or str
        A string is used as it is; an object is named by its class and its
        ``extra_repr()``, if it has one.
    """
    if isinstance(who, str):
        return who
    extra = who.extra_repr() if hasattr(who, "extra_repr") else ""
    return f"{type(who).__name__}({extra})"


# %% book/eng_errors.ipynb cell-005
def all_finite(x):
    """True if the floating-point array ``x`` holds no NaN and no infinity.

    Two reductions and no temporary array: NaN propagates through ``min`` and
    ``max``, and an infinity is the minimum or the maximum of any array that
    holds it.

    Parameters
    ----------
    x : ndarray
        A floating-point array of any shape (an empty one is finite).

    Returns
    -------
    bool

    Examples
    --------
    >>> all_finite(np.array([1.0, 2.0])), all_finite(np.array([1.0, np.nan]))
    (True, False)
    """
    if x.size == 0:
        return True
    return bool(np.isfinite(np.minimum.reduce(x, axis=None))
                and np.isfinite(np.maximum.reduce(x, axis=None)))


# %% book/eng_errors.ipynb cell-006
def check_input(x, who, *, ndim=None, features=None, dtype=None, finite=True):
    """Validate a batch handed to ``who`` and return it as an ndarray.

    Every exported layer, activation and loss calls this first, so that a
    mistake produces a ``ValueError`` naming the culprit and the shapes
    instead of a wrong answer from NumPy broadcasting.

    Parameters
    ----------
    x : array_like
        The batch, ``(n_samples, ...)``.
    who : Module, object or str
        What receives ``x``; named in the error message.
    ndim : int, optional
        Required number of dimensions.
    features : int, optional
        Required size of the last axis.
    dtype : numpy dtype, optional
        Required floating-point dtype (the layer's own). A float32 batch fed
        to a float64 layer is an error, not a silent upcast.
    finite : bool, default True
        Reject NaN and infinity.

    Returns
    -------
    ndarray
        ``x`` itself when it already is an ndarray (no copy).
    """
    try:
        x = np.asarray(x)
    except ValueError:  # NumPy cannot make an array of rows of different lengths
        raise ValueError(
            f"{module_name(who)}: the input is a ragged nested list (rows of different "
            "lengths), not an array; give every row the same length"
        ) from None
    if x.dtype.kind != "f":  # a floating-point dtype (np.issubdtype is slower)
        raise ValueError(
            f"{module_name(who)}: expected a floating-point array, got {describe(x)}; "
            "convert it with .astype(np.float64) (or float32 to match the model)"
        )
    if ndim is not None and x.ndim != ndim:
        expected = "(n_samples, " + (str(features) if features is not None else "n_features") + ")"
        raise ValueError(
            f"{module_name(who)}: expected a {ndim}-d array of shape {expected}, got shape {x.shape}"
            + (
                "; a single sample is a row: use x.reshape(1, -1); n samples of one "
                "feature are a column: use x.reshape(-1, 1)"
                if x.ndim == 1 else ""
            )
        )
    if x.ndim == 0 or x.shape[0] == 0:
        raise ValueError(f"{module_name(who)}: got an empty batch, shape {x.shape}")
    if features is not None and x.shape[-1] != features:
        raise ValueError(
            f"{module_name(who)}: expected {features} features, got input of shape {x.shape} "
            f"({x.shape[-1]} features)"
        )
    if x.size == 0:  # e.g. (n, 0): samples without a single value
        raise ValueError(f"{module_name(who)}: input of shape {x.shape} holds no values")
    if dtype is not None and x.dtype != dtype:
        raise ValueError(
            f"{module_name(who)}: input dtype {x.dtype} does not match the layer's dtype "
            f"{np.dtype(dtype)}; cast the input with .astype(np.{np.dtype(dtype).name}) or build "
            f"the model with dtype=np.{x.dtype.name}"
        )
    if finite and not all_finite(x):
        bad = int(x.size - np.count_nonzero(np.isfinite(x)))
        raise ValueError(
            f"{module_name(who)}: input of shape {x.shape} contains {bad} NaN or infinite values"
        )
    return x


# %% book/eng_errors.ipynb cell-010
def check_grad_out(grad_out, output_shape, dtype, who):
    """Validate the gradient handed to ``who.backward``: the shape and dtype of its output.

    Parameters
    ----------
    grad_out : array_like
        :math:`\\partial L/\\partial Y`, as received by ``backward``.
    output_shape : tuple of int
        The shape of the output of the last forward pass.
    dtype : numpy dtype
        The dtype of that output.
    who : Module or str
        Named in the error message.

    Returns
    -------
    ndarray
        ``grad_out`` as an array.
    """
    grad_out = np.asarray(grad_out)
    if grad_out.shape != tuple(output_shape):
        raise ValueError(
            f"{module_name(who)}.backward: grad_out has shape {grad_out.shape}, expected the "
            f"output's shape {tuple(output_shape)}"
        )
    if grad_out.dtype != dtype:
        raise ValueError(
            f"{module_name(who)}.backward: grad_out has dtype {grad_out.dtype}, "
            f"expected {np.dtype(dtype)}"
        )
    return grad_out


def no_forward_error(who):
    """The error raised when ``backward`` comes before ``forward`` (returned, for ``raise``)."""
    return RuntimeError(
        f"{module_name(who)}: backward() called before forward(); run a forward pass "
        "on a batch first (the backward pass needs what forward cached)"
    )


# %% book/eng_errors.ipynb cell-012
def positive_int(value, label, who, *, minimum=1):
    """Return ``value`` as an int, or raise a ValueError if it is not an integer >= ``minimum``.

    ``bool`` is refused although Python counts it as an integer.

    Parameters
    ----------
    value : object
        What the caller passed.
    label : str
        The argument's name, for the message (``"batch_size"``).
    who : object or str
        Who receives it (see :func:`module_name`).
    minimum : int, default 1
        The smallest allowed value (0 for "a count that may be zero").

    Examples
    --------
    >>> positive_int(3, "epochs", "fit")
    3
    >>> positive_int(0, "epochs", "fit")
    Traceback (most recent call last):
    ...
    ValueError: fit: epochs must be a positive integer, got 0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        need = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"{module_name(who)}: {label} must be {need}, got {value!r}")
    return int(value)


def _interval(low, high, low_open, high_open):
    left = "(" if low_open or low is None else "["
    right = ")" if high_open or high is None else "]"
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    return f"{left}{lo}, {hi}{right}"


def real_number(value, label, who, *, low=None, high=None, low_open=False, high_open=False):
    """Return ``value`` as a float, or raise a ValueError if it is not a finite real in range.

    Parameters
    ----------
    value : object
        What the caller passed: a Python or NumPy real number (not a bool, not
        a string, not NaN or infinite).
    label : str
        The argument's name, for the message (``"lr"``).
    who : object or str
        Who receives it (see :func:`module_name`).
    low, high : float, optional
        The bounds of the allowed interval (None: unbounded).
    low_open, high_open : bool, default False
        Whether the bound itself is excluded.

    Examples
    --------
    >>> real_number(0.9, "momentum", "SGD", low=0, high=1, high_open=True)
    0.9
    >>> real_number(9, "momentum", "SGD", low=0, high=1, high_open=True)
    Traceback (most recent call last):
    ...
    ValueError: SGD: invalid momentum=9; it must be in [0, 1)
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{module_name(who)}: {label} must be a finite real number, got {value!r}")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        raise ValueError(
            f"{module_name(who)}: invalid {label}={value!r}; it must be in "
            f"{_interval(low, high, low_open, high_open)}"
        )
    return float(value)


def one_of(value, label, who, choices):
    """Return ``value`` if it is one of ``choices``, or raise a ValueError listing them.

    Examples
    --------
    >>> one_of("mean", "reduction", "MSELoss", ("mean", "sum"))
    'mean'
    """
    if not isinstance(value, str) or value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{module_name(who)}: {label} must be one of {allowed}, got {value!r}")
    return value
