# Generated from book/eng_errors.ipynb, book/eng_modules.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Checks: the validation and error-message helpers shared by every module (appendix, *How the library reports errors*).

Every public entry point of nnbook validates what it receives with these
helpers, so that a mistake raises a ``ValueError`` (or ``TypeError``,
``RuntimeError``) naming the culprit, the shapes or values, and the fix,
instead of returning a wrong answer. They are not re-exported at the top level
of ``nnbook``: reach them as ``nnbook.checks.check_input``.
"""

__all__ = ['describe', 'module_name', 'all_finite', 'check_input', 'check_finite_input', 'check_grad_out', 'no_forward_error', 'positive_int', 'real_number', 'one_of', 'as_generator', 'check_state_dict', 'bad_child_error', 'check_attribute', 'check_init', 'is_parameter', 'check_layer_parameters']


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


def check_finite_input(x, out, who):
    """Refuse a non-finite input ``x`` of ``who``, looking first at the output ``out`` it produced.

    For a layer whose every output element is a sum of products with the
    elements of an input row (``Linear``: :math:`Z = XW + b`), a NaN or an
    infinity in :math:`X` reaches every output of its row (:math:`\\pm\\infty \\cdot w`
    is infinite or NaN, and NaN or :math:`\\infty - \\infty` survives any sum). So a
    finite output proves a finite input, and the check reads the output, often
    much smaller than the input and still in the cache; only when the output is
    not finite is the input examined, to raise :func:`check_input`'s error. An
    input that is finite with an output that is not (an overflow, weights holding
    NaN) is not an input error: the output is returned and the next check, or
    ``fit``'s divergence check, reports it.

    Parameters
    ----------
    x : ndarray
        The input, already checked by ``check_input(..., finite=False)``.
    out : ndarray
        What ``who`` computed from ``x``.
    who : Module or str
        Named in the error message.
    """
    if not all_finite(out):
        check_input(x, who)


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


# %% book/eng_modules.ipynb cell-009
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


# %% book/eng_modules.ipynb cell-013
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


# %% book/eng_modules.ipynb cell-030
_PARAMETER_NAMES = ("weight", "bias")  # attributes that must hold a Parameter when they hold an array


def check_attribute(module, name, value):
    """False, or an error for an attribute that would silently escape ``parameters()`` and ``state_dict()``.

    Called by ``Module.named_children`` for every attribute that is not a
    Module: a plain list, tuple or dict that holds modules (use
    :class:`~nnbook.containers.ModuleList`), or anything but a :class:`Parameter` (or None) named ``weight`` or ``bias``,
    such as a bare array (wrap it in a Parameter).
    """
    if name in _PARAMETER_NAMES and value is not None and not is_parameter(value):
        what = f"a bare ndarray ({describe(value)})" if isinstance(value, np.ndarray) else f"a {type(value).__name__}"
        raise TypeError(
            f"{module_name(module)}: {name} is {what}, not a Parameter, so "
            f"parameters(), state_dict() and the optimizers would not see it. Wrap it, "
            f"module.{name} = nnbook.Parameter(array), or copy into the existing parameter in place, "
            f"module.{name}.data[...] = array")
    if isinstance(value, (list, tuple, dict)):
        from nnbook.layers import Module  # here: nnbook.layers imports this module
        items = list(value.values() if isinstance(value, dict) else value)[:100]
        count = sum(isinstance(item, Module) for item in items)
        if count:
            raise TypeError(
                f"{type(module).__name__}: attribute {name!r} is a plain {type(value).__name__} holding "
                f"{count} module(s); parameters(), state_dict(), train() and eval() do not look inside "
                f"plain containers, so those layers would be neither trained nor saved. Use "
                f"self.{name} = nnbook.ModuleList([...]) (or a Sequential) instead")
    return False


def check_init(init, who="Linear"):
    """``init`` if it is a function ``init(fan_in, fan_out, rng)``; otherwise a TypeError with the fix."""
    if callable(init):
        return init
    hint = (f"; the function is nnbook.init.{init}, pass it without quotes"
            if isinstance(init, str) and init.isidentifier() else "")
    raise TypeError(
        f"{who}: init must be a function init(fan_in, fan_out, rng) returning the weight, such as "
        f"nnbook.init.he_normal, got {describe(init)}{hint}. To start from given weights, build the "
        "layer and copy them in place, layer.weight.data[...] = w, with w of shape "
        "(in_features, out_features): nnbook stores the transpose of PyTorch's (out, in) weight")


def is_parameter(p):
    """Whether ``p`` is a Parameter (by its attributes: chapter 2's notebook defines its own class)."""
    from nnbook.layers import Parameter  # here: nnbook.layers imports this module

    return isinstance(p, Parameter) or isinstance(getattr(p, "data", None), np.ndarray) and hasattr(p, "grad")


def check_layer_parameters(layer):
    """Refuse a ``Linear`` whose weight or bias was replaced by something it cannot use; O(1).

    Called first by ``Linear.forward``: the parameters must be :class:`Parameter`
    objects, floating point and of one dtype, the weight of shape
    ``(in_features, out_features)`` and the bias of shape ``(out_features,)`` (or None).
    """
    w, b, shape = layer.weight, layer.bias, (layer.in_features, layer.out_features)
    if (is_parameter(w) and w.data.shape == shape and w.data.dtype.kind == "f"
            and (b is None or is_parameter(b) and b.data.shape == shape[1:]
                 and b.data.dtype == w.data.dtype)):
        return
    for name, p, expected in (("weight", w, shape), ("bias", b, shape[1:])):
        if name == "bias" and p is None:
            continue
        if not is_parameter(p):
            check_attribute(layer, name, p)  # a bare array: the error of parameters()
            raise TypeError(f"{module_name(layer)}: {name} must be a Parameter (or None for the bias), "
                            f"got {describe(p)}; assign layer.{name} = nnbook.Parameter(array)")
        if p.data.shape != expected:
            hint = (": that is PyTorch's (out_features, in_features) layout; nnbook stores "
                    "(in_features, out_features), so use the transpose, w.T"
                    if name == "weight" and p.data.shape == shape[::-1] else
                    f"; reshape it, e.g. b.reshape({expected[0]})" if name == "bias" else
                    "; nnbook stores a weight as (in_features, out_features)")
            raise ValueError(f"{module_name(layer)}: {name} has shape {p.data.shape}, expected "
                             f"{expected}{hint}")
        if p.data.dtype.kind != "f" or p.data.dtype != w.data.dtype:
            raise ValueError(
                f"{module_name(layer)}: {name} has dtype {p.data.dtype}"
                + ("" if name == "weight" else f" (weight {w.data.dtype})") + "; "
                "parameters must be floating point and of one dtype: assign "
                f"layer.{name}.data = layer.{name}.data.astype(np.float64) (or float32)")
