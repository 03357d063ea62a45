# Generated from book/eng_errors.ipynb, book/eng_modules.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Checks: the validation and error-message helpers shared by every module (appendix, *How the library reports errors*).

Every public entry point of nnbook validates what it receives with these
helpers, so that a mistake raises a ``ValueError`` (or ``TypeError``,
``RuntimeError``) naming the culprit, the shapes or values, and the fix,
instead of returning a wrong answer. They are not re-exported at the top level
of ``nnbook``: reach them as ``nnbook.checks.check_input``.
"""

__all__ = ['describe', 'module_name', 'all_finite', 'check_input', 'check_grad_out', 'no_forward_error', 'positive_int', 'real_number', 'one_of', 'as_generator', 'check_target', 'check_probabilities', 'check_class_indices', 'check_state_dict', 'bad_child_error']


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

    One pass, no temporary array: the sum of squares :math:`\\sum_i x_i^2`
    (BLAS's dot product of ``x`` with itself) is NaN or infinite whenever
    one :math:`x_i` is, because its terms are never negative and so cannot
    cancel an infinity. Only when that sum is not finite, or ``x`` is not
    contiguous, does the exact test run: ``min`` and ``max``, through which
    NaN propagates and of which an infinity is one.

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
    >>> all_finite(np.array([1e200, -1e200]))  # the squares overflow; the exact test decides
    True
    """
    if x.size == 0:
        return True
    if x.flags.c_contiguous or x.flags.f_contiguous:
        flat = x.reshape(-1, order="A")  # a view
        with np.errstate(over="ignore", invalid="ignore"):  # no warning, no raise: we only look
            if math.isfinite(np.dot(flat, flat)):
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


def as_generator(rng, who):
    """``numpy.random.default_rng(rng)``, or an error naming ``who`` if ``rng`` is neither a seed nor a generator.

    Every function of nnbook that draws random numbers takes ``rng`` and
    passes it through here, so that ``rng="0"`` or ``rng=-1`` is refused with
    a message that names the function, not NumPy's ``SeedSequence``.

    Parameters
    ----------
    rng : None, int, numpy.random.Generator, SeedSequence or BitGenerator
        None draws fresh entropy; an integer >= 0 is a seed; a Generator is
        used as it is (not copied), so successive calls continue its stream.
    who : object or str
        Named in the message.

    Examples
    --------
    >>> int(as_generator(0, "make_moons").integers(10)) == int(np.random.default_rng(0).integers(10))
    True
    """
    if rng is None or isinstance(rng, (np.random.Generator, np.random.SeedSequence, np.random.BitGenerator)):
        return np.random.default_rng(rng)
    if isinstance(rng, bool) or not isinstance(rng, numbers.Integral):
        raise TypeError(
            f"{module_name(who)}: rng must be None, an integer seed >= 0 or a numpy.random.Generator, "
            f"got {rng!r} ({type(rng).__name__}); e.g. rng=0 or rng=np.random.default_rng(0)"
        )
    if rng < 0:
        raise ValueError(f"{module_name(who)}: an integer rng is a seed and must be >= 0, got {rng}")
    return np.random.default_rng(int(rng))


# %% book/eng_errors.ipynb cell-016
def check_target(target, pred, who):
    """Validate the target of an elementwise loss and return it with ``pred``'s dtype.

    The target must hold real numbers, have exactly the shape of ``pred`` (no
    broadcasting: ``(n, 1)`` against ``(n,)`` is the classic mistake) and be
    finite.

    Parameters
    ----------
    target : array_like
        The target given to the loss.
    pred : ndarray
        The prediction, already checked by :func:`check_input`.
    who : object or str
        The loss, named in the message.

    Returns
    -------
    ndarray
        ``target`` cast to ``pred.dtype`` (no copy when it already has it).

    Examples
    --------
    >>> check_target([[1], [0]], np.zeros((2, 1), dtype=np.float32), "MSELoss").dtype
    dtype('float32')
    """
    target = np.asarray(target)
    if target.dtype.kind not in "iuf":  # not a real number (bool, complex, str, object...)
        fix = "" if target.dtype.kind == "c" else f"; convert it with .astype(np.{pred.dtype.name})"
        raise ValueError(
            f"{module_name(who)}: target must be an array of real numbers, got dtype "
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
            f"{module_name(who)}: pred has shape {pred.shape} but target has shape "
            f"{target.shape}; they must be identical{broadcast}: {hint}"
        )
    target = target.astype(pred.dtype, copy=False)
    if not all_finite(target):
        raise ValueError(
            f"{module_name(who)}: target of shape {target.shape} contains NaN or infinite values"
        )
    return target


def check_probabilities(x, label, who, *, rows=False, hint=""):
    """Return ``x`` if its values lie in [0, 1] (and, with ``rows``, each row sums to 1).

    Parameters
    ----------
    x : ndarray
        A finite floating-point array (checked before).
    label : str
        What ``x`` is, for the message (``"predictions"``, ``"targets"``).
    who : object or str
        Named in the message.
    rows : bool, default False
        ``x`` has shape ``(n, C)`` and each row is a distribution: it must sum
        to 1, within ``max(1e-6, 100 * eps)`` of the dtype.
    hint : str, optional
        Appended to the range message (``"; if these are logits, use ..."``).

    Examples
    --------
    >>> check_probabilities(np.array([0.0, 1.5]), "targets", "BCELoss")
    Traceback (most recent call last):
    ...
    ValueError: BCELoss: targets must be probabilities in [0, 1], got values in [0, 1.5] (shape (2,))
    """
    low, high = x.min(), x.max()
    if low < 0 or high > 1:
        raise ValueError(
            f"{module_name(who)}: {label} must be probabilities in [0, 1], got values in "
            f"[{low:.4g}, {high:.4g}] (shape {x.shape}){hint}"
        )
    if rows:
        sums = x.sum(axis=1)
        worst = sums[np.argmax(np.abs(sums - 1))]
        if abs(worst - 1) > max(1e-6, 100 * np.finfo(x.dtype).eps):
            raise ValueError(
                f"{module_name(who)}: each row of the {label} (shape {x.shape}) must sum to 1 "
                f"(one-hot or probabilities), found a row summing to {worst:.6g}"
            )
    return x


def check_class_indices(labels, shape, who):
    """Validate class labels for scores (logits) of shape ``(n, C)``; return them as integers.

    One label per row, each a whole number in ``[0, C)``. Floats holding whole
    numbers (``2.0``) are accepted, as many loaders deliver labels that way.

    Parameters
    ----------
    labels : array_like
        The labels, shape ``(n,)``.
    shape : tuple of 2 ints
        ``(n, C)``, the shape of the logits the labels index.
    who : object or str
        Named in the message.

    Returns
    -------
    ndarray of intp, shape (n,)
        Usable as an index: ``logits[np.arange(n), labels]``.

    Examples
    --------
    >>> check_class_indices([0, 2.0], (2, 3), "CrossEntropyLoss")
    array([0, 2])
    """
    labels = np.asarray(labels)
    n, n_classes = shape
    if labels.dtype.kind not in "iuf":  # bool, complex, str, object...
        raise ValueError(f"{module_name(who)}: target must be integer class labels, got dtype {labels.dtype}")
    if labels.ndim != 1:
        hint = "; use target.ravel() for labels stored as a column" if labels.shape == (n, 1) else ""
        raise ValueError(
            f"{module_name(who)}: logits have shape {tuple(shape)}, so target must be {n} class "
            f"labels of shape ({n},) (or probability rows of shape {tuple(shape)}); got target of "
            f"shape {labels.shape}{hint}"
        )
    if labels.shape[0] != n:
        raise ValueError(
            f"{module_name(who)}: logits have {n} rows (shape {tuple(shape)}) but target has "
            f"{labels.shape[0]} labels (shape {labels.shape})"
        )
    if labels.dtype.kind == "f":
        if not all_finite(labels):
            raise ValueError(f"{module_name(who)}: labels of shape {labels.shape} contain NaN or infinite values")
        fractional = labels != np.round(labels)
        if fractional.any():
            raise ValueError(
                f"{module_name(who)}: labels must be whole numbers (class indices), got "
                f"{float(labels[fractional][0]):g} in target of shape {labels.shape}; for soft "
                f"labels pass rows of shape {tuple(shape)}"
            )
    low, high = labels.min(), labels.max()
    if low < 0 or high >= n_classes:
        raise ValueError(
            f"{module_name(who)}: labels must be in [0, {n_classes}) for logits of shape "
            f"{tuple(shape)}, got values in [{low:g}, {high:g}]"
        )
    return labels.astype(np.intp, copy=False)


# %% book/eng_modules.ipynb cell-007
def check_state_dict(state, current, who):
    """Check that a state dict fits the arrays it is to be loaded into; raise a ValueError if not.

    ``state`` must have exactly the keys of ``current``, and each value the
    shape and dtype of the current one. Nothing is written here:
    ``Module.load_state_dict`` calls this first and writes only if it passes,
    so a refused dict leaves the model unchanged.

    Parameters
    ----------
    state : dict
        Dotted name to array_like: what the caller wants to load.
    current : dict
        Dotted name to the array (or scalar buffer) it would be written into.
    who : str
        Named in the message, e.g. ``"Sequential.load_state_dict"``.

    Examples
    --------
    >>> check_state_dict({"w": np.zeros(3)}, {"w": np.ones(2)}, "Toy.load_state_dict")
    Traceback (most recent call last):
    ...
    ValueError: Toy.load_state_dict: 'w' has shape (3,) and dtype float64, expected shape (2,) and dtype float64
    """
    missing = [name for name in current if name not in state]
    unexpected = [name for name in state if name not in current]
    if missing or unexpected:
        raise ValueError(f"{who}: missing keys {missing}, unexpected keys {unexpected}")
    for name, array in current.items():
        value, array = np.asarray(state[name]), np.asarray(array)
        if value.shape != array.shape or value.dtype != array.dtype:
            raise ValueError(
                f"{who}: {name!r} has shape {value.shape} and dtype {value.dtype}, "
                f"expected shape {array.shape} and dtype {array.dtype}" + (
                    "; it is the transpose: nnbook stores a Linear weight as (in_features, "
                    "out_features), PyTorch as (out, in), so load its .T" if value.ndim == 2
                    and value.shape == array.shape[::-1] != array.shape else "")
            )


# %% book/eng_modules.ipynb cell-011
def bad_child_error(item, index, siblings, who):
    """The error for ``item``, refused as entry ``index`` of a container of modules (returned, for ``raise``).

    A container such as ``Sequential`` takes module *instances*, each at most
    once: a module caches what its forward pass saw, so one instance cannot
    serve two places in a chain. The container makes the test; this says
    what went wrong.

    Parameters
    ----------
    item : object
        What was refused.
    index : int
        The position it was to take.
    siblings : sequence
        The entries already in the container.
    who : str
        The container, for the message.
    """
    for j, other in enumerate(siblings):
        if other is item:
            return ValueError(
                f"{who}: item {index} is the same {module_name(item)} object as item {j}; "
                "each module caches its input for backward, so use a new instance"
            )
    if isinstance(item, type) and hasattr(item, "backward"):  # a Module class
        return ValueError(
            f"{who}: item {index} is the class {item.__name__}, not a Module instance; "
            f"write {item.__name__}(...) (e.g. ReLU() instead of ReLU)"
        )
    return ValueError(
        f"{who}: item {index} is a {type(item).__name__}, not a Module "
        "(did you pass a class instead of an instance, e.g. ReLU instead of ReLU()?)"
    )
