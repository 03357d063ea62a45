# Generated from book/eng_grading.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""The checks of the exercises added to chapters 3, 5, 8 and 9 (appendix *How the exercises check themselves*).

Like :mod:`nnbook.exercises_more`, they register with :func:`nnbook.exercises.exercise`,
so :func:`nnbook.exercises.check` finds them, and they share the helpers of
:mod:`nnbook.exercises`.
"""

__all__ = []


# %% book/eng_grading.ipynb cell-037
import numpy as np

from nnbook.activations import sigmoid as _sigmoid
from nnbook.exercises import (Mistake, _array, _call, _case, _compare, _finite_differences, _passed,
                              _unpack, exercise)
from nnbook.exercises_more import _global_state_free


# Chapter 3, activations.
def _extreme_cases(seed, **extra):
    """Cases ``(z, grad, **extra)``: normal values, exact zeros and, in the last, z = ±800."""
    rng = np.random.default_rng(seed)
    cases = []
    for k, shape in enumerate([(5, 3), (1, 4), (3, 6)]):
        z = rng.normal(size=shape) * 3.0
        z.flat[0] = 0.0
        if k == 2:
            z.flat[1:5] = [40.0, -40.0, 800.0, -800.0]
        cases.append(_case(z=z, grad=rng.normal(size=shape), **{k_: v[k] for k_, v in extra.items()}))
    return cases


def _leaky_relu_backward(z, grad, negative_slope):
    return np.where(z > 0, grad, negative_slope * grad)


@exercise("leaky_relu_backward", "The leaky ReLU's backward pass", _leaky_relu_backward)
def _check_leaky_relu_backward(f):
    cases = _extreme_cases(305, negative_slope=[0.1, 0.01, 0.3])
    for inputs, where in cases:
        z, grad, a = inputs.values()
        _compare(_call(f, inputs), _leaky_relu_backward(z, grad, a), "dL/dz", where,
                 shape_hint="the gradient has the shape of z", mistakes=[
                     (np.where(z >= 0, grad, a * grad), "at z = 0 the slope is taken as α (as in nnbook's "
                                                        "LeakyReLU and PyTorch): use z > 0"),
                     (grad * (z > 0), "the negative side passes nothing, as in the ReLU: there the slope is α"),
                     (np.where(z > 0, a * grad, grad), "the slopes are swapped: 1 where z > 0, α elsewhere"),
                     (grad * np.where(z > 0, z, a * z), "you multiplied by the activation, not by its derivative"),
                     (np.where(z > 0, 1.0, a), "grad is missing: multiply the local derivative by grad "
                                               "(the chain rule)")])
    return _passed(cases, "matches grad times the derivative at z to rounding, z = 0 and ±800 included")


def _stable_log_softmax(z):
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


@exercise("stable_log_softmax", "A stable log-softmax", _stable_log_softmax)
def _check_stable_log_softmax(f):
    rng = np.random.default_rng(306)
    cases = [_case(z=rng.normal(size=shape) * scale) for shape, scale in
             [((4, 3), 2.0), ((1, 5), 2.0), ((5, 4), 1000.0), ((3, 6), 100.0)]]
    for inputs, where in cases:
        z = inputs["z"]
        want = _stable_log_softmax(z)
        got = _array(_call(f, inputs), "log_softmax(z)", where)
        with np.errstate(all="ignore"):
            unshifted = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        if got.shape == want.shape and (~np.isfinite(got)).any() and np.array_equal(got, unshifted):
            raise Mistake(f"log_softmax(z) has inf entries on {where}: Σ e^z overflowed; subtract each row's "
                          "maximum m before exp, and add it back: log Σ e^z = m + log Σ e^(z - m)")
        if got.shape == want.shape and np.isneginf(got).any():
            raise Mistake(f"log_softmax(z) has -inf entries on {where}: the log of a probability that "
                          "underflowed to 0; never take log(softmax(z)), use z - m - log Σ e^(z - m)")
        if got.shape == want.shape and (~np.isfinite(got)).any():
            raise Mistake(f"log_softmax(z) has nan or inf entries on {where}: exp overflowed; subtract each "
                          "row's maximum before exp")
        m = z.max(axis=1, keepdims=True)
        _compare(got, want, "log_softmax(z)", where, shape_hint="one log-probability per logit", mistakes=[
            (z - m, "the normalisation is missing: subtract log Σ_j e^(z_j - m) too"),
            (z - np.log(np.exp(z - m).sum(axis=1, keepdims=True)),
             "m is subtracted inside the sum only: log Σ e^z = m + log Σ e^(z - m), so subtract m as well"),
            (z - z.max(axis=0, keepdims=True) - np.log(np.exp(z - z.max(axis=0, keepdims=True)).sum(
                axis=0, keepdims=True)), "the sum runs over the batch (axis 0): normalise each row, axis 1"),
            (np.exp(want), "this is the softmax, not its logarithm")])
    return _passed(cases, "matches the reference to rounding, logits of 1000 included")


def _softplus_backward(z, grad):
    return grad * _sigmoid(z)


@exercise("softplus_backward", "The softplus's backward pass", _softplus_backward)
def _check_softplus_backward(f):
    cases = _extreme_cases(307)
    for inputs, where in cases:
        z, grad = inputs.values()
        s = _sigmoid(z)
        _compare(_call(f, inputs), grad * s, "dL/dz", where, shape_hint="the gradient has the shape of z",
                 mistakes=[(grad * s * (1 - s), "this is the derivative of the sigmoid: the softplus's "
                                                "derivative is the sigmoid itself"),
                           (grad * np.logaddexp(0, z), "you multiplied by the softplus, not by its derivative"),
                           (grad * (1 - s), "this is σ(-z): the derivative of log(1 + e^z) is e^z / (1 + e^z) "
                                            "= σ(z)"),
                           (s, "grad is missing: multiply the local derivative by grad (the chain rule)")])
    return _passed(cases, "matches grad times σ(z) to rounding, z = 0 and ±800 included")


# %% book/eng_grading.ipynb cell-039
# Chapter 5, backpropagation.
def _unbroadcast(grad, shape):
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))
    return grad.sum(axis=tuple(i for i, k in enumerate(shape) if k == 1), keepdims=True)


@exercise("unbroadcast", "The gradient of a broadcast", _unbroadcast)
def _check_unbroadcast(f):
    rng = np.random.default_rng(504)
    pairs = [((5, 3), (3,)), ((5, 3), (1, 3)), ((5, 3), (5, 1)), ((4, 2, 3), (2, 1)), ((3, 2, 4), (1, 2, 1)),
             ((1, 4), (4,)), ((5, 3), (5, 3)), ((2, 3, 4), ())]
    cases = [_case(grad=rng.normal(size=g), shape=s) for g, s in pairs]
    for inputs, where in cases:
        grad, shape = inputs.values()
        want = _unbroadcast(grad, shape)
        lead = tuple(range(grad.ndim - len(shape)))
        mean = grad.mean(axis=lead).mean(axis=tuple(i for i, k in enumerate(shape) if k == 1), keepdims=True)
        got = _call(f, inputs)
        _compare(got, want, "the gradient", where, shape_hint=f"the gradient has the input's shape {shape}: sum "
                 "over the leading axes the broadcast added, and (keepdims=True) over the axes where shape has a 1",
                 mistakes=[(mean, "this is a mean over the copies: each copy of an input entry adds its whole "
                                  "gradient, so sum them (the += rule)")])
        x = rng.normal(size=shape)
        _finite_differences(got, lambda: float(np.sum(grad * np.broadcast_to(x, grad.shape))), x,
                            "the gradient", where)
    return _passed(cases, "matches the reference to rounding and finite differences")


def _gates_backward(x, y, z, grad):
    a, m = x + y, np.maximum(y, z)
    y_wins = y > z
    return grad * m, grad * m + grad * a * y_wins, grad * a * ~y_wins


@exercise("gates_backward", "Backpropagation through add, multiply and max", _gates_backward)
def _check_gates_backward(f):
    rng = np.random.default_rng(505)
    cases = [_case(x=rng.normal(size=s), y=rng.normal(size=s), z=rng.normal(size=s), grad=rng.normal(size=s))
             for s in [(4, 3), (1, 5), (6,)]]
    cases.append(_case(x=np.array([1.0]), y=np.array([2.0]), z=np.array([-1.0]), grad=np.array([1.0])))
    names = ("dx", "dy", "dz")
    for inputs, where in cases:
        x, y, z, grad = inputs.values()
        a, m, w = x + y, np.maximum(y, z), y > z
        da, dm = grad * m, grad * a
        got = _unpack(_call(f, inputs), names, where)
        wrong = {"dx": [(grad * a, "the multiply gate swaps its inputs: the adjoint of a = x + y is grad * m, "
                                   "with m = max(y, z)"),
                        (m, "grad is missing: multiply the local derivatives by grad (the chain rule)")],
                 "dy": [(da, "only y's path through the add: y also feeds the max, and its two contributions "
                             "add up (the += rule)"),
                        (dm * w, "only y's path through the max: y also feeds the add, and its two contributions "
                                 "add up (the += rule)"),
                        (da + dm * ~w, "the max routed its adjoint to the loser: it goes to the larger input"),
                        (da + dm, "the max sent its adjoint to both inputs: only the larger one gets it"),
                        (grad * a + grad * m * w, "the multiply gate swaps its inputs: the adjoint of a is "
                                                  "grad * m, the adjoint of m is grad * a")],
                 "dz": [(dm * w, "the max routed its adjoint to the loser: it goes to the larger input"),
                        (dm, "the max sent its adjoint to both inputs: only the larger one gets it"),
                        (grad * m * ~w, "the multiply gate swaps its inputs: the adjoint of m = max(y, z) is "
                                        "grad * a, with a = x + y")]}
        for what, g, want in zip(names, got, _gates_backward(x, y, z, grad)):
            _compare(g, want, what, where, mistakes=wrong[what],
                     shape_hint="each adjoint has the shape of its input")
    return _passed(cases, "matches the adjoints of (x + y) max(y, z) to rounding, "
                          "the hand-worked point (1, 2, -1) included")


# %% book/eng_grading.ipynb cell-041
# Chapter 8, optimizers.
def _steps(seed, shape, n_steps, state_names, scale=1.0):
    """Gradients of ``n_steps`` steps and the initial ``theta`` and zero states, drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=shape)
    return theta, [rng.normal(size=shape) * scale for _ in range(n_steps)], {k: np.zeros(shape) for k in state_names}


def _check_optimizer(f, reference, seed, configs, state_names, mistakes):
    """Run ``f`` and ``reference`` step by step from the reference's state; compare every returned array.

    ``configs`` are ``(shape, n_steps, hyperparameters, gradient scale)``; ``mistakes(inputs, want)``
    gives the known wrong answers, a dict from returned name to ``(wrong, diagnosis)`` pairs.
    """
    names = ("theta",) + tuple(state_names)
    cases = []
    for shape, n_steps, hyper, scale in configs:
        theta, grads, state = _steps(seed, shape, n_steps, state_names, scale)
        seed += 1
        for t, g in enumerate(grads, start=1):
            inputs = {"theta": theta, "grad": g, **state, **({"t": t} if "t" in hyper else {}),
                      **{k: v for k, v in hyper.items() if k != "t"}}
            where = f"step {t} of {n_steps}, " + ", ".join(
                f"{k}={v:.3g}" for k, v in inputs.items() if isinstance(v, float)) + f", arrays {shape}"
            want = reference(*inputs.values())
            got = _unpack(_call(f, inputs), names, where)
            wrong = mistakes(inputs, want)
            for k in list(range(1, len(names))) + [0]:  # the state first: a wrong state makes theta wrong
                what, a, b = names[k], got[k], want[k]
                _compare(a, b, what, where, mistakes=wrong.get(what, ()),
                         shape_hint="every returned array has the shape of theta")
            theta, state = want[0], dict(zip(state_names, want[1:]))
        cases.append((None, f"{n_steps} steps on arrays {shape}, " + ", ".join(
            f"{k}={v:g}" for k, v in hyper.items() if k != "t")))
    return cases


def _momentum_step(theta, grad, buf, lr, momentum):
    buf = momentum * buf + grad
    return theta - lr * buf, buf


@exercise("momentum_step", "One step of SGD with momentum", _momentum_step)
def _check_momentum_step(f):
    def mistakes(inputs, want):
        theta, g, buf, lr, mu = inputs.values()
        damped = mu * buf + (1 - mu) * g
        return {"buf": [(damped, "this is the dampened average μ b + (1 - μ) g: PyTorch's SGD adds the whole "
                                 "gradient, b = μ b + g (so b_1 = g_1)"),
                        (mu * buf + lr * g, "the learning rate went into the buffer: b = μ b + g, then θ - η b")],
                "theta": [(theta - lr * g, "the step ignores the buffer: θ - η b, with b the new buffer"),
                          (theta - lr * buf, "the step uses the buffer of the previous step: update b first, "
                                             "then step by η b"),
                          (theta - lr * (g + mu * want[1]), "this is Nesterov's step, θ - η (g + μ b)"),
                          (theta - lr * damped, "this is the dampened average μ b + (1 - μ) g: PyTorch's SGD "
                                                "adds the whole gradient, b = μ b + g (so b_1 = g_1)"),
                          (theta + lr * want[1], "the step went uphill: subtract η b")]}
    cases = _check_optimizer(f, _momentum_step, 801, [((3, 4), 4, {"lr": 0.2, "momentum": 0.9}, 1.0),
                                                      ((5,), 3, {"lr": 0.05, "momentum": 0.5}, 1.0)],
                             ("buf",), mistakes)
    return _passed(cases, "theta and buf match PyTorch's SGD at every step")


def _rmsprop_step(theta, grad, v, lr, alpha, eps):
    v = alpha * v + (1 - alpha) * grad ** 2
    return theta - lr * grad / (np.sqrt(v) + eps), v


@exercise("rmsprop_step", "One step of RMSprop", _rmsprop_step)
def _check_rmsprop_step(f):
    def mistakes(inputs, want):
        theta, g, v, lr, alpha, eps = inputs.values()
        v_new = want[1]
        return {"v": [(alpha * v + (1 - alpha) * g, "v averages the squared gradient, g ** 2"),
                      (alpha * v + g ** 2, "the new square enters with weight 1 - α: v = α v + (1 - α) g²"),
                      ((1 - alpha) * v + alpha * g ** 2, "α and 1 - α are swapped: α weighs the old average")],
                "theta": [(theta - lr * g / np.sqrt(v_new + eps), "ε went inside the square root: "
                                                                   "divide by √v + ε"),
                          (theta - lr * g / (v_new + eps), "the square root is missing: divide by √v + ε"),
                          (theta - lr * g / (np.sqrt(v) + eps), "the step uses v of the previous step: "
                                                                "update v first"),
                          (theta + lr * g / (np.sqrt(v_new) + eps), "the step went uphill")]}
    cases = _check_optimizer(f, _rmsprop_step, 802, [((3, 4), 3, {"lr": 0.01, "alpha": 0.99, "eps": 1e-8}, 1.0),
                                                     ((4,), 3, {"lr": 0.1, "alpha": 0.9, "eps": 1e-3}, 1e-3)],
                             ("v",), mistakes)
    return _passed(cases, "theta and v match PyTorch's RMSprop at every step")


def _adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@exercise("adam_step", "One step of Adam, with bias correction", _adam_step)
def _check_adam_step(f):
    def mistakes(inputs, want):
        theta, g, m, v, t, lr, b1, b2, eps = inputs.values()
        m_new, v_new = want[1], want[2]
        m_hat, v_hat = m_new / (1 - b1 ** t), v_new / (1 - b2 ** t)
        return {"m": [(m_hat, "you returned the corrected m̂: keep the running average m uncorrected, "
                              "and correct only the copy used for the step"),
                      (b1 * m + g, "the new gradient enters with weight 1 - β1: m = β1 m + (1 - β1) g")],
                "v": [(v_hat, "you returned the corrected v̂: keep the running average v uncorrected"),
                      (b2 * v + (1 - b2) * g, "v averages the squared gradient, g ** 2")],
                "theta": [(theta - lr * m_new / (np.sqrt(v_new) + eps), "the bias correction is missing: "
                                                                         "divide m by 1 - β1^t and v by 1 - β2^t"),
                          (theta - lr * m_hat / np.sqrt(v_hat + eps), "ε went inside the square root: "
                                                                       "divide by √v̂ + ε"),
                          (theta - lr * m_hat / (v_hat + eps), "the square root is missing: divide by √v̂ + ε"),
                          (theta - lr * (m_new / (1 - b1 ** (t + 1))) / (np.sqrt(v_new / (1 - b2 ** (t + 1))) + eps),
                           "the correction uses β^(t+1): t counts the steps from 1, and this is step t"),
                          (theta + lr * m_hat / (np.sqrt(v_hat) + eps), "the step went uphill")]}
    cases = _check_optimizer(f, _adam_step, 803,
                             [((3, 4), 4, {"t": None, "lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, 1.0),
                              ((4,), 3, {"t": None, "lr": 0.1, "beta1": 0.8, "beta2": 0.9, "eps": 1e-3}, 1e-3)],
                             ("m", "v"), mistakes)
    return _passed(cases, "theta, m and v match PyTorch's Adam at every step, t = 1 included")


# %% book/eng_grading.ipynb cell-043
# Chapter 9, regularization.
def _dropout_forward(x, p, rng):
    mask = rng.random(x.shape) >= p
    return x * mask / (1.0 - p), mask


@exercise("dropout_forward", "Inverted dropout, forward", _dropout_forward)
def _check_dropout_forward(f):
    rng = np.random.default_rng(901)
    cases = [_case(x=rng.normal(size=s) + 2.0, p=p) for s, p in [((400, 250), 0.2), ((300, 200), 0.5),
                                                                  ((1, 8), 0.0), ((200, 100), 0.9)]]
    for inputs, where in cases:
        x, p = inputs.values()
        where = f"{where}, rng=np.random.default_rng(11)"
        first, second = _global_state_free(f, inputs, where)
        out, mask = _unpack(first, ("out", "mask"), where)
        mask = np.asarray(mask)
        if mask.shape != x.shape or mask.dtype.kind not in "buif" or not np.isin(mask, (0, 1)).all():
            raise Mistake(f"mask must be a boolean array of the shape of x, {x.shape}, True where an entry is "
                          f"kept; got shape {mask.shape} and dtype {mask.dtype} (on {where})")
        mask = mask.astype(bool)
        if not np.array_equal(mask, np.asarray(_unpack(second, ("out", "mask"), where)[1]).astype(bool)):
            raise Mistake(f"two calls with np.random.default_rng(11) gave different masks (on {where}): "
                          "draw them from rng (rng.random(x.shape)), not from np.random")
        _compare(out, x * mask / (1.0 - p), "out", where, shape_hint="out has the shape of x", mistakes=[
            (x * mask, "the kept entries are not rescaled: inverted dropout divides them by 1 - p, so that "
                       "the expected output is x"),
            (x * mask * (1.0 - p), "the kept entries are multiplied by 1 - p: divide by it (inverted dropout)"),
            (x * mask / max(p, 1e-12), "the kept entries are divided by p: divide by 1 - p, the keep probability")])
        kept = float(mask.mean())
        if x.size >= 1000:
            rows, cols = (mask == mask[:1]).all(axis=1).mean(), (mask == mask[:, :1]).all(axis=0).mean()
            if rows > 0.5 or cols > 0.5:
                raise Mistake(f"the mask is the same for every {'sample' if rows > 0.5 else 'feature'} (on "
                              f"{where}): draw one independent coin per entry, rng.random(x.shape)")
            if abs(kept - p) < 0.02 and abs(p - 0.5) > 0.05:
                raise Mistake(f"{kept:.1%} of the entries are kept, about p = {p} (on {where}): p is the "
                              "probability of dropping an entry; keep it with probability 1 - p")
            if abs(kept - (1 - p)) > 0.02:
                raise Mistake(f"{kept:.1%} of the entries are kept, expected about 1 - p = {1 - p:.0%} (on {where})")
        elif not mask.all():
            raise Mistake(f"with p = 0 nothing may be dropped, but {int((~mask).sum())} entries were (on {where})")
    return _passed(cases, "out = x * mask / (1 - p), each entry kept with probability 1 - p "
                          "independently, reproducible from rng")


def _dropout_backward(grad, mask, p):
    return grad * mask / (1.0 - p)


@exercise("dropout_backward", "Inverted dropout, backward", _dropout_backward)
def _check_dropout_backward(f):
    rng = np.random.default_rng(902)
    cases = [_case(grad=rng.normal(size=s), mask=rng.random(s) >= p, p=p)
             for s, p in [((5, 4), 0.2), ((1, 6), 0.5), ((3, 7), 0.75)]]
    for inputs, where in cases:
        grad, mask, p = inputs.values()
        _compare(_call(f, inputs), _dropout_backward(grad, mask, p), "dL/dx", where,
                 shape_hint="the gradient has the shape of grad", mistakes=[
                     (grad * mask, "the gradient is not rescaled: the forward pass divided by 1 - p, so the "
                                   "backward pass does too"),
                     (grad * mask * (1 - p), "the gradient is multiplied by 1 - p: divide by it, as the forward "
                                             "pass did"),
                     (grad / (1 - p), "the mask is missing: a dropped entry gets no gradient"),
                     (grad * ~mask / (1 - p), "the mask is inverted: the gradient flows through the kept "
                                              "entries (mask True)")])
    return _passed(cases)


def _bn_cases(seed):
    rng = np.random.default_rng(seed)
    cases = []
    for n, d, eps in [(6, 3, 1e-5), (2, 4, 1e-5), (8, 2, 0.5)]:
        X = rng.normal(size=(n, d)) * rng.uniform(0.5, 3, size=d) + rng.uniform(-3, 3, size=d)
        cases.append(_case(X=X, gamma=rng.uniform(0.5, 2, size=d), beta=rng.normal(size=d),
                           G=rng.normal(size=(n, d)), eps=eps))
    return cases


def _batchnorm_forward(X, gamma, beta, eps):
    X_hat = (X - X.mean(axis=0)) / np.sqrt(X.var(axis=0) + eps)
    return gamma * X_hat + beta


@exercise("batchnorm_forward", "Batch normalization, forward in training mode", _batchnorm_forward)
def _check_batchnorm_forward(f):
    cases = [_case(**{k: v for k, v in inputs.items() if k != "G"}) for inputs, _ in _bn_cases(903)]
    for inputs, where in cases:
        X, gamma, beta, eps = inputs.values()
        mean, var = X.mean(axis=0), X.var(axis=0)
        _compare(_call(f, inputs), _batchnorm_forward(X, gamma, beta, eps), "Y", where,
                 shape_hint="Y has the shape of X", mistakes=[
                     (gamma * (X - mean) / np.sqrt(X.var(axis=0, ddof=1) + eps) + beta,
                      "this is the sample variance (ddof=1): batch normalization divides by n, ddof=0"),
                     (gamma * (X - mean) / (np.sqrt(var) + eps) + beta, "ε went outside the square root: "
                                                                         "divide by √(var + ε)"),
                     (gamma * (X - mean) / (var + eps) + beta, "the square root is missing: divide by √(var + ε)"),
                     ((X - mean) / np.sqrt(var + eps), "γ and β are missing: Y = γ x̂ + β"),
                     (gamma * (X - X.mean(axis=1, keepdims=True)) / np.sqrt(X.var(axis=1, keepdims=True) + eps)
                      + beta, "the statistics are per sample (axis 1): batch normalization normalizes each "
                              "feature over the batch, axis 0")])
    return _passed(cases, "matches the reference to rounding, a batch of two included")


def _batchnorm_backward(X, gamma, G, eps):
    s = np.sqrt(X.var(axis=0) + eps)
    X_hat = (X - X.mean(axis=0)) / s
    dX_hat = G * gamma
    dX = (dX_hat - dX_hat.mean(axis=0) - X_hat * (dX_hat * X_hat).mean(axis=0)) / s
    return dX, (G * X_hat).sum(axis=0), G.sum(axis=0)


@exercise("batchnorm_backward", "Batch normalization, backward in training mode", _batchnorm_backward)
def _check_batchnorm_backward(f):
    cases = [_case(**{k: v for k, v in inputs.items() if k != "beta"}) for inputs, _ in _bn_cases(904)]
    names = ("dX", "dgamma", "dbeta")
    for inputs, where in cases:
        X, gamma, G, eps = inputs.values()
        n = X.shape[0]
        s = np.sqrt(X.var(axis=0) + eps)
        X_hat = (X - X.mean(axis=0)) / s
        dX_hat = G * gamma
        want = _batchnorm_backward(X, gamma, G, eps)
        got = _unpack(_call(f, inputs), names, where)
        wrong = {"dX": [(dX_hat / s, "the batch statistics were treated as constants: the mean and the variance "
                                     "depend on every sample, which adds two terms"),
                        ((dX_hat - dX_hat.mean(axis=0)) / s, "the term through the variance is missing: "
                                                             "subtract x̂ times the mean of dx̂ * x̂"),
                        ((dX_hat - X_hat * (dX_hat * X_hat).mean(axis=0)) / s,
                         "the term through the mean is missing: subtract the mean of dx̂ over the batch"),
                        ((G - G.mean(axis=0) - X_hat * (G * X_hat).mean(axis=0)) / s,
                         "γ is missing: the gradient reaching x̂ is G * γ")],
                 "dgamma": [((G * X).sum(axis=0), "dγ uses X: γ multiplies the normalized x̂"),
                            ((G * X_hat).mean(axis=0), f"it is n times too small (n = {n}): sum over the "
                                                       "batch, as for a bias")],
                 "dbeta": [(G.mean(axis=0), f"it is n times too small (n = {n}): sum over the batch, as for a bias")]}
        for what, g, w in zip(names, got, want):
            _compare(g, w, what, where, mistakes=wrong[what], shape_hint={
                "dX": "dX has the shape of X", "dgamma": "one entry per feature: sum over axis 0",
                "dbeta": "one entry per feature: sum over axis 0"}[what])
        if n == 6:
            arrays = {"X": X.copy(), "gamma": gamma.copy()}
            def loss():
                return float(np.sum(G * _batchnorm_forward(arrays["X"], arrays["gamma"], 0.0, eps)))
            for what, g, key in zip(names, got, ("X", "gamma")):
                _finite_differences(g, loss, arrays[key], what, where)
    return _passed(cases, "matches the reference to rounding and finite differences")


def _l2_penalty_with_grads(weights, weight_decay):
    penalty = 0.5 * weight_decay * sum(np.sum(W ** 2) for W in weights)
    return penalty, [weight_decay * W for W in weights]


@exercise("l2_penalty_with_grads", "The L2 penalty and its gradient", _l2_penalty_with_grads)
def _check_l2_penalty_with_grads(f):
    rng = np.random.default_rng(905)
    cases = [_case(weights=[rng.normal(size=s) for s in shapes], weight_decay=lam) for shapes, lam in
             [([(3, 4), (4, 2)], 0.1), ([(5,)], 0.01), ([(2, 3), (3, 3), (3, 1)], 0.5)]]
    for inputs, where in cases:
        weights, lam = inputs.values()
        where = f"weights of shapes {[W.shape for W in weights]}, weight_decay={lam:g}"
        saved = [W.copy() for W in weights]
        try:
            out = f([W.copy() for W in weights], lam)
        except NotImplementedError:
            raise
        except (Exception, SystemExit) as exc:
            raise Mistake(f"on {where} it raised {type(exc).__name__}: {exc}") from None
        penalty, grads = _unpack(out, ("penalty", "grads"), where)
        want_penalty, want_grads = _l2_penalty_with_grads(saved, lam)
        total = sum(np.sum(W ** 2) for W in saved)
        _compare(penalty, want_penalty, "the penalty", where, shape_hint="the penalty is one number",
                 mistakes=[(lam * np.sqrt(total), "this is λ times the norm: the penalty uses the squared norm"),
                           (0.5 * lam * sum(np.sqrt(np.sum(W ** 2)) for W in saved),
                            "this is a sum of norms: the penalty uses the squared norms")])
        if not isinstance(grads, (list, tuple)) or len(grads) != len(saved):
            raise Mistake(f"grads must be a list with one gradient per weight array (on {where})")
        for k, (g, W) in enumerate(zip(grads, saved)):
            _compare(g, lam * W, f"grads[{k}]", where, shape_hint="each gradient has the shape of its weights",
                     mistakes=[(lam * np.sign(W), "this is the gradient of the L1 penalty λ Σ|w|")],
                     scales=[(2.0, "it is twice the right answer: the ½ in (λ/2)‖W‖² cancels the 2 of the "
                                   "square, so the gradient is λ W")])
            x = W.copy()
            _finite_differences(g, lambda: 0.5 * lam * float(np.sum(x ** 2)), x, f"grads[{k}]", where)
    return _passed([(None, f"{len(c[0]['weights'])} arrays, weight_decay={c[0]['weight_decay']:g}") for c in cases],
                   "the penalty (λ/2) Σ ‖W‖² and the gradients λ W match to rounding")
