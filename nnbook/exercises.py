# Generated from book/eng_grading.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""The checks behind the book's self-checking exercises (appendix *How the exercises check themselves*).

A chapter's check cell calls ``f = check("name", f)``: the check registered under
that name runs the reader's function on random inputs of several shapes, compares
it with a reference implementation (and, for gradients, with finite differences),
displays a verdict (:func:`nnbook.grade.show_verdict`) and returns the function the
rest of the notebook should use: the reader's own when it passes, else the
reference. A check never raises and never prints the solution; a wrong answer gets
what was tested, the largest error and, for the classic mistakes, which one it looks
like. Only NumPy is needed, so the checks also run in the browser. The checks of
chapters 5 to 7 are in :mod:`nnbook.exercises_more`, and those of a second series of
exercises (chapters 3, 5, 8 and 9) in :mod:`nnbook.exercises_part2`, registered in the same
registry.
"""

__all__ = ['REFERENCE_NOTE', 'Mistake', 'exercise', 'grade', 'check']


# %% book/eng_grading.ipynb cell-015
import warnings

import numpy as np

from nnbook.gradcheck import numerical_gradient, rel_error

_CHECKS = {}
REFERENCE_NOTE = "(the cells below use the reference implementation until yours passes)"


class Mistake(Exception):
    """What a check raises when the reader's function is wrong; the message is the diagnosis."""


def exercise(name, title, reference):
    """Register the decorated ``check(candidate)`` as exercise ``name``, with its reference.

    The check raises :class:`Mistake` on a wrong answer and returns a sentence saying
    what was tested when the answer is right.
    """
    def register(check_fn):
        _CHECKS[name] = (title, reference, check_fn)
        return check_fn
    return register


def grade(name, candidate):
    """``(status, message)`` of ``candidate`` for exercise ``name``; never raises.

    ``status`` is ``"pass"``, ``"fail"`` or ``"todo"`` (the function still raises
    ``NotImplementedError``).
    """
    if name not in _CHECKS:
        return "fail", f"there is no exercise named {name!r}; the exercises are {sorted(_CHECKS)}"
    if not callable(candidate):
        return "fail", f"expected the function {name}, got {type(candidate).__name__}"
    who = getattr(candidate, "__name__", name)
    if candidate is _CHECKS[name][1]:
        return "fail", (f"this is the reference implementation, not yours: run the exercise cell "
                        f"that defines {name} (did it raise?), then this one")
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):  # the verdict says what went wrong
            warnings.simplefilter("ignore")
            return "pass", _CHECKS[name][2](candidate)
    except NotImplementedError:
        return "todo", (f"{who} still raises NotImplementedError: write its body in the "
                        "exercise cell, run that cell, then this one")
    except Mistake as mistake:
        return "fail", str(mistake)
    except (Exception, SystemExit) as exc:  # a reader's exception escaping a helper's guard
        return "fail", f"{who} raised {type(exc).__name__}: {exc}"


def check(name, candidate):
    """Grade ``candidate`` for exercise ``name``, display the verdict, return the function to use.

    Returns ``candidate`` when it passes, else the reference implementation (and says so).
    """
    from nnbook.grade import show_verdict  # here: `import nnbook` need not load the grader program

    title = _CHECKS[name][0] if name in _CHECKS else name
    status, message = grade(name, candidate)
    show_verdict(title, status, message)
    if status == "pass" or name not in _CHECKS:
        return candidate
    print(REFERENCE_NOTE)
    return _CHECKS[name][1]


# %% book/eng_grading.ipynb cell-017
def _describe(inputs):
    """``X (5, 3), W (3, 4), eta=0.1``: what a case was."""
    return ", ".join(f"{k} {np.shape(v)}" if isinstance(v, np.ndarray) else
                     f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v!r}" for k, v in inputs.items())


def _call(candidate, inputs, *, may_change=(), keep=False):
    """``candidate(*inputs.values())`` on copies; a Mistake if it raised or changed an input.

    Warnings (an overflow in ``exp``) are silenced: a check reports the wrong result
    they lead to. ``may_change`` names inputs the function is meant to update in place;
    with ``keep=True`` the result is ``(returned value, the inputs after the call)``.
    """
    copies = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in inputs.items()}
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            out = candidate(*copies.values())
    except NotImplementedError:
        raise
    except (Exception, SystemExit) as exc:
        raise Mistake(f"on {_describe(inputs)} it raised {type(exc).__name__}: {exc}") from None
    for k, v in inputs.items():
        if k not in may_change and isinstance(v, np.ndarray) and not (
                copies[k].shape == v.shape and np.array_equal(copies[k], v, equal_nan=True)):
            raise Mistake(f"your function changed its input {k} in place (on {_describe(inputs)}); "
                          f"compute a new array instead (`a = a * m`, not `a *= m` or `a[...] = 0`)")
    return (out, copies) if keep else out


def _unpack(out, names, where):
    """The parts of a returned tuple, or a Mistake saying what was expected."""
    if out is None:
        raise Mistake(f"it returned None on {where}: did you forget `return`?")
    if not isinstance(out, (tuple, list)) or len(out) != len(names):
        got = f"a {type(out).__name__} of length {len(out)}" if isinstance(out, (tuple, list)) else type(out).__name__
        raise Mistake(f"it must return a tuple ({', '.join(names)}), got {got} on {where}")
    return out


def _array(got, what, where):
    if got is None:
        raise Mistake(f"{what} is None on {where}: did you forget `return`?")
    try:
        return np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise Mistake(f"{what} is a {type(got).__name__}, not numbers (on {where})") from None


def _scale(got, want):
    """``s`` with ``got == s * want`` to rounding, or None."""
    denom = float(np.vdot(want, want))
    if denom == 0.0:
        return None
    s = float(np.vdot(got, want)) / denom
    return s if np.allclose(got, s * want, rtol=1e-6, atol=1e-9 * np.max(np.abs(want))) else None


def _compare(got, want, what, where, *, scales=(), mistakes=(), shape_hint=None, rtol=1e-7, atol=1e-10):
    """Raise a Mistake unless ``got`` equals ``want`` to rounding; diagnose the classic mistakes.

    ``mistakes`` are ``(wrong answer, diagnosis)`` pairs; ``scales`` are ``(factor, diagnosis)``
    pairs for an answer that is ``factor`` times the right one.
    """
    want = np.asarray(want, dtype=np.float64)
    got = _array(got, what, where)
    if got.shape != want.shape:
        hint = f": {shape_hint}" if shape_hint else ""
        raise Mistake(f"{what} has shape {got.shape}, expected {want.shape}{hint} (on {where})")
    bad = ~np.isfinite(got) & np.isfinite(want)
    if bad.any():
        raise Mistake(f"{what} has {int(bad.sum())} nan or inf entries where the answer is finite "
                      f"(on {where}): does a step overflow on large inputs?")
    if np.allclose(got, want, rtol=rtol, atol=atol):
        return
    err = float(np.max(np.abs(got - want)))
    message = (f"{what} is wrong on {where}: largest error {err:.3g} "
               f"(the largest entry of the answer is {float(np.max(np.abs(want))):.3g})")
    for wrong, diagnosis in mistakes:
        wrong = np.asarray(wrong, dtype=np.float64)
        if wrong.shape == got.shape and np.allclose(got, wrong, rtol=1e-6, atol=1e-9):
            raise Mistake(f"{message}; {diagnosis}")
    s = _scale(got, want)
    if s is not None:
        for factor, diagnosis in tuple(scales) + ((-1.0, "the sign is flipped"),
                                                  (2.0, "it is twice the right answer"),
                                                  (0.5, "it is half the right answer")):
            if np.isclose(s, factor, rtol=1e-6):
                raise Mistake(f"{message}; {diagnosis}")
        raise Mistake(f"{message}; it is {s:.4g} times the right answer")
    raise Mistake(message)


def _case(**inputs):
    """``(inputs, where)``: a test case and its description."""
    return inputs, _describe(inputs)


def _finite_differences(got, f, x, what, where):
    """Compare a gradient with central differences of the scalar ``f()`` (which reads ``x``)."""
    num = numerical_gradient(f, x)
    err = rel_error(np.asarray(got, dtype=np.float64), num)
    if not err < 1e-6:
        raise Mistake(f"{what} disagrees with finite differences on {where} (relative error {err:.2g})")


def _passed(cases, extra="matches the reference to rounding"):
    shapes = "; ".join(where for _, where in cases)
    return f"tested on {len(cases)} cases ({shapes}): {extra}"


# %% book/eng_grading.ipynb cell-020
# Chapter 1, the neuron.
def _neuron_forward(X, w, b):
    return X @ w + b


@exercise("neuron_forward", "A neuron's forward pass", _neuron_forward)
def _check_neuron_forward(f):
    rng = np.random.default_rng(101)
    cases = [_case(X=rng.normal(size=(n, d)), w=rng.normal(size=d), b=float(rng.normal()))
             for n, d in [(4, 3), (1, 5), (6, 2)]]
    for inputs, where in cases:
        X, w, b = inputs.values()
        _compare(_call(f, inputs), X @ w + b, "z", where,
                 shape_hint="one pre-activation per sample (row of X): sum over the features",
                 mistakes=[(X @ w, "the bias b is missing"), (X @ w - b, "the bias is subtracted")])
    return _passed(cases)


def _mse_gradients(w, b, x, y):
    r = w * x + b - y
    return 2.0 * np.mean(r * x), 2.0 * np.mean(r)


def _n_scales(n, what="the gradient"):
    return [(float(n), f"{what} is n times too large (n = {n}): did you average? (a mean, not a sum)"),
            (1.0 / n, f"{what} is n times too small (n = {n}): did you divide by n twice?")]


@exercise("mse_gradients", "The gradient of the MSE with respect to (w, b)", _mse_gradients)
def _check_mse_gradients(f):
    rng = np.random.default_rng(102)
    cases = []
    for n in [7, 1, 12]:
        x = rng.normal(size=n) * 3
        cases.append(_case(w=float(rng.normal()), b=float(rng.normal()), x=x, y=2 * x + rng.normal(size=n)))
    for inputs, where in cases:
        w, b, x, y = inputs.values()
        dw, db = _mse_gradients(w, b, x, y)
        got = _unpack(_call(f, inputs), ("dw", "db"), where)
        got = [_array(g, what, where) for g, what in zip(got, ("dw", "db"))]
        if not np.isclose(dw, db) and np.allclose(got, [db, dw], rtol=1e-9):
            raise Mistake(f"dw and db are wrong on {where}: you returned (db, dw); the order is (dw, db)")
        scales = _n_scales(x.size) + [
            (0.5, "it is half the right answer: the square's derivative brings a factor 2"),
            (-1.0, "the sign is flipped: the residual is y_hat - y, not y - y_hat")]
        _compare(got[0], dw, "dw", where, scales=scales,
                 mistakes=[(db, "dw has no factor x_i: dL/dw is 2 * mean(r * x)")])
        _compare(got[1], db, "db", where, scales=scales)
        theta = np.array([w, b])
        _finite_differences(np.array(got, dtype=np.float64),
                            lambda: np.mean((theta[0] * x + theta[1] - y) ** 2), theta, "(dw, db)", where)
    return _passed(cases, "matches the reference to rounding and finite differences")


def _gradient_step(w, b, x, y, eta):
    dw, db = _mse_gradients(w, b, x, y)
    return w - eta * dw, b - eta * db


@exercise("gradient_step", "One step of gradient descent", _gradient_step)
def _check_gradient_step(f):
    rng = np.random.default_rng(103)
    cases = []
    for n, eta in [(8, 0.02), (1, 0.1), (10, 0.003)]:
        x = rng.normal(size=n) * 2
        cases.append(_case(w=float(rng.normal()), b=float(rng.normal()), x=x, y=3 * x + 5, eta=eta))
    for inputs, where in cases:
        w, b, x, y, eta = inputs.values()
        dw, db = _mse_gradients(w, b, x, y)
        w_new, b_new = _unpack(_call(f, inputs), ("w_new", "b_new"), where)
        late = _mse_gradients(w - eta * dw, b, x, y)[1]   # db taken after w had moved
        step = np.array([_array(w_new, "w_new", where) - w, _array(b_new, "b_new", where) - b])
        _compare(step, [-eta * dw, -eta * db], "the step (w_new - w, b_new - b)", where,
                 scales=[(-1.0, "you stepped uphill: subtract eta times the gradient"),
                         (1.0 / eta, "the learning rate eta is missing")] + _n_scales(x.size),
                 mistakes=[([-eta * dw, -eta * late], "db was computed after w had moved: compute both "
                                                      "gradients at the current (w, b), then update both")])
    return _passed(cases)


# %% book/eng_grading.ipynb cell-022
# Chapter 2, layers.
def _linear_backward(X, W, G):
    return G @ W.T, X.T @ G, G.sum(axis=0)


@exercise("linear_backward", "A linear layer's backward pass", _linear_backward)
def _check_linear_backward(f):
    rng = np.random.default_rng(202)
    cases = [_case(X=rng.normal(size=(n, d)), W=rng.normal(size=(d, m)), G=rng.normal(size=(n, m)) / n)
             for n, d, m in [(5, 3, 4), (1, 3, 4), (4, 2, 6)]]
    hints = {"dX": "G @ W.T, not W @ G.T", "dW": "X.T @ G, not G.T @ X",
             "db": "sum G over the batch axis, axis 0"}
    for inputs, where in cases:
        X, W, G = inputs.values()
        n = X.shape[0]
        got = _unpack(_call(f, inputs), ("dX", "dW", "db"), where)
        for what, g, want in zip(("dX", "dW", "db"), got, _linear_backward(X, W, G)):
            scales = [] if what == "dX" else [
                (1.0 / n, f"it is n times too small (n = {n}): G already carries the 1/n of a mean loss, do not average again"),
                (float(n), f"it is n times too large (n = {n}): did you average? G is summed, not averaged")]
            _compare(g, want, what, where, shape_hint=hints[what], scales=scales)
        b = np.zeros(W.shape[1])
        for what, g, x in zip(("dX", "dW", "db"), got, (X.copy(), W.copy(), b)):
            arrays = {"dX": X, "dW": W, "db": b} | {what: x}
            _finite_differences(g, lambda: np.sum(G * (arrays["dX"] @ arrays["dW"] + arrays["db"])), x, what, where)
    return _passed(cases, "matches the reference to rounding and finite differences")


# %% book/eng_grading.ipynb cell-027
# Chapter 3, activations.
from nnbook.activations import log_softmax as _log_softmax, sigmoid as _sigmoid, softmax as _softmax


def _grad_cases(seed, shapes, scale=3.0):
    """Cases ``(z, grad)``: normal values, exact zeros and, in the last shape, large |z|."""
    rng = np.random.default_rng(seed)
    cases = []
    for k, shape in enumerate(shapes):
        z = rng.normal(size=shape) * scale
        z.flat[0] = 0.0
        if k == len(shapes) - 1:
            z.flat[1:3] = [40.0, -800.0]
        cases.append(_case(z=z, grad=rng.normal(size=shape)))
    return cases


def _check_elementwise(f, seed, derivative, mistakes):
    """Check ``f(z, grad) == grad * derivative(z)``, with diagnoses ``mistakes(z, grad)``."""
    cases = _grad_cases(seed, [(5, 3), (1, 4), (3, 6)])
    for inputs, where in cases:
        z, grad = inputs.values()
        want = grad * derivative(z)
        _compare(_call(f, inputs), want, "dL/dz", where, mistakes=mistakes(z, grad),
                 shape_hint="the gradient has the shape of z")
    return _passed(cases, "matches grad times the derivative at z to rounding, large |z| included")


def _sigmoid_backward(z, grad):
    s = _sigmoid(z)
    return grad * s * (1.0 - s)


@exercise("sigmoid_backward", "The sigmoid's backward pass", _sigmoid_backward)
def _check_sigmoid_backward(f):
    def d(z):
        s = _sigmoid(z)
        return s * (1.0 - s)
    return _check_elementwise(f, 301, d, lambda z, grad: [
        (grad * d(_sigmoid(z)), "this is σ'(σ(z)), not σ'(z): the sigmoid was applied twice; with "
                                "s = σ(z), the derivative is s(1 - s)"),
        (grad * z * (1 - z), "you used z(1 - z): the formula s(1 - s) needs s = σ(z), not z"),
        (d(z), "grad is missing: multiply the local derivative by grad (the chain rule)")])


def _tanh_backward(z, grad):
    return grad * (1.0 - np.tanh(z) ** 2)


@exercise("tanh_backward", "The tanh's backward pass", _tanh_backward)
def _check_tanh_backward(f):
    def d(z):
        return 1.0 - np.tanh(z) ** 2
    return _check_elementwise(f, 302, d, lambda z, grad: [
        (grad * d(np.tanh(z)), "this is tanh'(tanh(z)), not tanh'(z): tanh was applied twice"),
        (grad * (1 - z ** 2), "you used 1 - z²: the formula 1 - t² needs t = tanh(z), not z"),
        (grad * (1 - np.tanh(z)), "the tanh is not squared: the derivative is 1 - tanh(z)²"),
        (d(z), "grad is missing: multiply the local derivative by grad (the chain rule)")])


def _relu_backward(z, grad):
    return grad * (z > 0)


@exercise("relu_backward", "The ReLU's backward pass", _relu_backward)
def _check_relu_backward(f):
    return _check_elementwise(f, 303, lambda z: (z > 0).astype(float), lambda z, grad: [
        (grad * (z >= 0), "at z = 0 the derivative is taken as 0 (as in nnbook and PyTorch): use z > 0"),
        (grad * np.maximum(z, 0), "you multiplied by relu(z), not by its derivative (1 where z > 0, else 0)"),
        ((z > 0).astype(float), "grad is missing: multiply the local derivative by grad (the chain rule)")])


def _softmax_backward(z, grad):
    s = _softmax(z, axis=1)
    return s * (grad - np.sum(grad * s, axis=1, keepdims=True))


@exercise("softmax_backward", "The softmax's backward pass", _softmax_backward)
def _check_softmax_backward(f):
    rng = np.random.default_rng(304)
    cases = [_case(z=rng.normal(size=shape) * scale, grad=rng.normal(size=shape))
             for shape, scale in [((4, 3), 2.0), ((1, 5), 2.0), ((5, 4), 2.0), ((3, 3), 500.0)]]
    for inputs, where in cases:
        z, grad = inputs.values()
        s = _softmax(z, axis=1)
        want = _softmax_backward(z, grad)
        _compare(_call(f, inputs), want, "dL/dz", where, shape_hint="the gradient has the shape of z",
                 mistakes=[(grad * s * (1 - s), "only the diagonal of the Jacobian: every logit moves every "
                                                "probability, so subtract s times the row sum of grad * s"),
                           (s * (grad - np.sum(grad * s, axis=0, keepdims=True)),
                            "the sum runs over the batch (axis 0): sum over the classes of each row, axis 1")])
        if z.shape == (4, 3):
            z0 = z.copy()
            _finite_differences(_call(f, inputs), lambda: np.sum(grad * _softmax(z0, axis=1)), z0, "dL/dz", where)
    return _passed(cases, "matches the reference to rounding and finite differences, logits of 500 included")


# %% book/eng_grading.ipynb cell-029
# Chapter 4, losses.
def _cross_entropy(Z, y):
    logp = _log_softmax(Z, axis=1)
    n = len(y)
    G = np.exp(logp)
    G[np.arange(n), y] -= 1.0
    return -logp[np.arange(n), y].mean(), G / n


@exercise("cross_entropy", "Cross-entropy from logits, with its gradient", _cross_entropy)
def _check_cross_entropy(f):
    rng = np.random.default_rng(401)
    cases = []
    for (n, C), scale in [((5, 3), 2.0), ((1, 4), 2.0), ((6, 4), 1000.0)]:
        cases.append(_case(Z=rng.normal(size=(n, C)) * scale, y=rng.integers(0, C, size=n)))
    for inputs, where in cases:
        Z, y = inputs.values()
        n = len(y)
        loss, grad = _cross_entropy(Z, y)
        got = _unpack(_call(f, inputs), ("loss", "dL/dZ"), where)
        onehot = np.eye(Z.shape[1])[y]
        probs = _softmax(Z, axis=1)
        _compare(got[0], loss, "the loss", where, scales=_n_scales(n, "the loss") if n > 1 else [],
                 shape_hint="the loss is one number, the mean over the samples")
        _compare(got[1], grad, "dL/dZ", where, shape_hint="the gradient has the shape of Z",
                 scales=_n_scales(n) if n > 1 else [],
                 mistakes=[((probs - 1.0) / n, "you subtracted 1 from every entry: only the true class's "
                                               "probability gets the -1 (the one-hot row)"),
                           (probs / n, "the one-hot rows are missing: the gradient is (softmax - one-hot) / n"),
                           ((onehot - probs) / n, "the sign is flipped: it is softmax minus one-hot")])
        if n == 5:
            Z0 = Z.copy()
            _finite_differences(got[1], lambda: -np.mean(_log_softmax(Z0, axis=1)[np.arange(n), y]), Z0,
                                "dL/dZ", where)
    return _passed(cases, "matches the reference to rounding and finite differences, logits of 1000 included")
