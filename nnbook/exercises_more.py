# Generated from book/eng_grading.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""The checks of the exercises of chapters 5 to 7 (appendix *How the exercises check themselves*).

They register with :func:`nnbook.exercises.exercise`, so :func:`nnbook.exercises.check`
finds them; the helpers they share are those of :mod:`nnbook.exercises`.
"""

__all__ = []


# %% book/eng_grading.ipynb cell-031
import warnings

import numpy as np

from nnbook.exercises import (Mistake, _array, _call, _case, _compare, _finite_differences, _passed,
                              _unpack, exercise)


# Chapter 5, backpropagation.
def _mlp_backward(X, W1, b1, W2, G):
    Z1 = X @ W1 + b1
    A1 = np.maximum(Z1, 0.0)
    dZ1 = (G @ W2.T) * (Z1 > 0)
    return X.T @ dZ1, dZ1.sum(axis=0), A1.T @ G, G.sum(axis=0)


@exercise("mlp_backward", "The backward pass of a two-layer network", _mlp_backward)
def _check_mlp_backward(f):
    rng = np.random.default_rng(501)
    cases = [_case(X=rng.normal(size=(n, d)), W1=rng.normal(size=(d, h)), b1=rng.normal(size=h) * 0.5,
                   W2=rng.normal(size=(h, m)), G=rng.normal(size=(n, m)) / n)
             for n, d, h, m in [(5, 3, 4, 2), (1, 2, 6, 3), (4, 3, 5, 1)]]
    names = ("dW1", "db1", "dW2", "db2")
    hints = {"dW1": "X.T @ dZ1, not dZ1.T @ X", "db1": "sum over the batch axis, axis 0",
             "dW2": "A1.T @ G, not G.T @ A1", "db2": "sum G over the batch axis, axis 0"}
    for inputs, where in cases:
        X, W1, b1, W2, G = inputs.values()
        Z1 = X @ W1 + b1
        want = _mlp_backward(X, W1, b1, W2, G)
        got = _unpack(_call(f, inputs), names, where)
        ungated = G @ W2.T
        wrong = {"dW1": [(X.T @ ungated, "the error was not gated by the ReLU: multiply G @ W2.T by (Z1 > 0)")],
                 "db1": [(ungated.sum(axis=0), "the error was not gated by the ReLU: multiply G @ W2.T by (Z1 > 0)")],
                 "dW2": [(Z1.T @ G, "dW2 uses the pre-activation Z1: the second layer's input is A1 = relu(Z1)")],
                 "db2": []}
        for what, g, w in zip(names, got, want):
            _compare(g, w, what, where, shape_hint=hints[what], mistakes=wrong[what])
        if X.shape[0] == 5:
            for what, g, key in zip(names, got, ("W1", "b1", "W2")):
                arrays = {k: v.copy() for k, v in inputs.items() if k != "G"}
                def loss():
                    A = np.maximum(arrays["X"] @ arrays["W1"] + arrays["b1"], 0.0)
                    return np.sum(G * (A @ arrays["W2"]))
                _finite_differences(g, loss, arrays[key], what, where)
    return _passed(cases, "matches the reference to rounding and finite differences")


def _linear_backward_step(X, W, b, G, eta):
    dX = G @ W.T
    W -= eta * (X.T @ G)
    b -= eta * G.sum(axis=0)
    return dX


@exercise("linear_backward_step", "Backward pass and update in one layer, in the right order",
          _linear_backward_step)
def _check_linear_backward_step(f):
    rng = np.random.default_rng(502)
    cases = [_case(X=rng.normal(size=(n, d)), W=rng.normal(size=(d, m)), b=rng.normal(size=m),
                   G=rng.normal(size=(n, m)), eta=eta)
             for n, d, m, eta in [(5, 3, 4, 0.5), (1, 4, 2, 0.1), (3, 2, 5, 1.0)]]
    for inputs, where in cases:
        X, W, b, G, eta = inputs.values()
        dX, after = _call(f, inputs, may_change=("W", "b"), keep=True)
        W_new, b_new = W - eta * (X.T @ G), b - eta * G.sum(axis=0)
        if np.array_equal(after["W"], W) and np.array_equal(after["b"], b):
            raise Mistake(f"W and b were not updated in place (on {where}): write `W -= eta * dW` "
                          "(the caller keeps its arrays; `W = W - eta * dW` only rebinds a local name)")
        _compare(after["W"], W_new, "W after the update", where, scales=[],
                 mistakes=[(W + eta * (X.T @ G), "the update went uphill: subtract eta times the gradient")])
        _compare(after["b"], b_new, "b after the update", where)
        _compare(dX, G @ W.T, "the returned dX", where, shape_hint="dX = G @ W.T has the shape of X",
                 mistakes=[(G @ W_new.T, "the update ran before the error was propagated: dX must use W "
                                         "as it was in the forward pass (compute dX first, then update)")])
    return _passed(cases, "dX and the updated W and b match the reference to rounding")


def _central_difference(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f()
        x[i] = old - eps
        down = f()
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad


@exercise("central_difference", "A numerical gradient by central differences", _central_difference)
def _check_central_difference(f):
    rng = np.random.default_rng(503)
    cases = []
    for shape in [(3, 4), (1,), (2, 3, 2)]:
        cases.append(_case(x=rng.normal(size=shape), A=rng.normal(size=shape)))
    for inputs, where in cases:
        x, A = inputs["x"].copy(), inputs["A"]

        def fun():
            return float(np.sum(A * np.sin(x)) + 2.0 * np.sum(x ** 3))
        exact = A * np.cos(x) + 6.0 * x ** 2
        saved = x.copy()
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                got = f(fun, x)
        except NotImplementedError:
            raise
        except (Exception, SystemExit) as exc:
            raise Mistake(f"on x {x.shape} it raised {type(exc).__name__}: {exc}") from None
        if not np.array_equal(x, saved):
            raise Mistake(f"x was not restored (on x {x.shape}): put each entry back after the two evaluations")
        eps = 1e-6
        forward = np.zeros_like(x)
        f0 = fun()
        for i in np.ndindex(x.shape):
            x[i] += eps
            forward[i] = (fun() - f0) / eps
            x[i] = saved[i]
        _compare(got, exact, "the numerical gradient", f"x {x.shape}", rtol=1e-9, atol=1e-7,
                 shape_hint="the gradient has the shape of x",
                 mistakes=[(forward, "this is a one-sided difference (f(x + eps) - f(x)) / eps: its error is "
                                     "of order eps; the central difference's is of order eps²")],
                 scales=[(2.0, "it is twice the right answer: divide by 2 eps, the distance between the two points")])
    return _passed([(None, f"x {c[0]['x'].shape}") for c in cases],
                   "matches the exact gradient of a test function to 1e-6, and x is restored")


# %% book/eng_grading.ipynb cell-033
# Chapter 6, initialization.
def _xavier_std(fan_in, fan_out, gain=1.0):
    return gain * np.sqrt(2.0 / (fan_in + fan_out))


@exercise("xavier_std", "The standard deviation of Xavier initialization", _xavier_std)
def _check_xavier_std(f):
    cases = [_case(fan_in=fi, fan_out=fo, gain=g) for fi, fo, g in
             [(3, 5, 1.0), (100, 10, 5 / 3), (1, 1, 1.0), (256, 512, 2 ** 0.5)]]
    for inputs, where in cases:
        fi, fo, g = inputs.values()
        want = _xavier_std(fi, fo, g)
        _compare(_call(f, inputs), want, "the std", where, shape_hint="the std is one number", mistakes=[
            (g * 2.0 / (fi + fo), "this is the variance 2 / (fan_in + fan_out): the std is its square root"),
            (g * np.sqrt(6.0 / (fi + fo)), "this is the bound of the uniform version, sqrt(6 / (fan_in + fan_out))"),
            (g * np.sqrt(1.0 / fi), "this is LeCun's 1 / sqrt(fan_in): Xavier averages the two fans"),
            (g * np.sqrt(2.0 / fi), "this is He's sqrt(2 / fan_in): Xavier uses fan_in + fan_out"),
            (np.sqrt(2.0 / (fi + fo)), "the gain is missing: multiply by gain"),
            (g ** 2 * np.sqrt(2.0 / (fi + fo)), "the gain is squared: it multiplies the std, not the variance")])
    return _passed(cases)


def _he_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


@exercise("he_normal", "He initialization, drawn with a generator", _he_normal)
def _check_he_normal(f):
    fi, fo = 400, 300
    where = f"fan_in={fi}, fan_out={fo}, rng=np.random.default_rng(7)"
    state = np.random.get_state()
    try:
        W = _call(f, {"fan_in": fi, "fan_out": fo, "rng": np.random.default_rng(7)})
        np.random.seed(12345)  # a global seed must not matter: the draws come from rng
        again = _call(f, {"fan_in": fi, "fan_out": fo, "rng": np.random.default_rng(7)})
    finally:
        np.random.set_state(state)
    W = _array(W, "W", where)
    if W.shape != (fi, fo):
        hint = ": nnbook's weight is (fan_in, fan_out), the transpose of PyTorch's" if W.shape == (fo, fi) else ""
        raise Mistake(f"W has shape {W.shape}, expected {(fi, fo)}{hint} (on {where})")
    if not np.array_equal(W, _array(again, "W", where)):
        raise Mistake("two calls with np.random.default_rng(7) gave different weights: draw them from rng "
                      "(rng.normal(...)), not from np.random")
    s, mean = float(W.std()), float(W.mean())
    target = np.sqrt(2.0 / fi)
    for value, diagnosis in [(np.sqrt(2.0 / fo), "the std is sqrt(2 / fan_out): He uses fan_in"),
                             (np.sqrt(1.0 / fi), "the std is sqrt(1 / fan_in), LeCun's: He's has the factor 2"),
                             (2.0 / fi, "the std is 2 / fan_in, the variance: take its square root"),
                             (np.sqrt(2.0 / (fi + fo)), "the std is Xavier's sqrt(2 / (fan_in + fan_out))")]:
        if abs(s / value - 1) < 0.02:
            raise Mistake(f"W has std {s:.4g}, expected sqrt(2 / fan_in) = {target:.4g} (on {where}): {diagnosis}")
    if abs(s / target - 1) > 0.02 or abs(mean) > 0.02 * target:
        raise Mistake(f"W has mean {mean:.3g} and std {s:.4g}, expected 0 and {target:.4g} (on {where})")
    inside = float(np.mean(np.abs(W) < target))
    if abs(inside - 0.6827) > 0.01:
        raise Mistake(f"{inside:.1%} of the weights lie within one std of 0, where a normal distribution has "
                      f"68.3% (on {where}): draw them with rng.normal")
    return (f"tested on {where}: shape (fan_in, fan_out), mean 0 and std sqrt(2 / fan_in) to 2%, "
            "normally distributed, and reproducible from rng")


def _leaky_relu_gain(negative_slope):
    return np.sqrt(2.0 / (1.0 + negative_slope ** 2))


@exercise("leaky_relu_gain", "The gain of a leaky ReLU", _leaky_relu_gain)
def _check_leaky_relu_gain(f):
    cases = [_case(negative_slope=a) for a in (0.0, 0.01, 0.2, 1.0, 0.5)]
    for inputs, where in cases:
        a = inputs["negative_slope"]
        _compare(_call(f, inputs), _leaky_relu_gain(a), "the gain", where, shape_hint="the gain is one number",
                 mistakes=[(np.sqrt(2.0 / (1.0 + a)), "the slope must be squared: the negative half keeps a² "
                                                       "of the variance"),
                           (2.0 / (1.0 + a ** 2), "this is the gain squared: the gain multiplies the std"),
                           (np.sqrt(2.0), "the slope is ignored: sqrt(2) is the gain of the plain ReLU")])
    return _passed(cases)


# %% book/eng_grading.ipynb cell-035
# Chapter 7, minibatches and data.
def _minibatch_indices(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def _global_state_free(f, inputs, where):
    """Call f twice with generators of the same seed, the global state moved in between."""
    state = np.random.get_state()
    try:
        first = _call(f, dict(inputs, rng=np.random.default_rng(11)))
        np.random.seed(54321)
        second = _call(f, dict(inputs, rng=np.random.default_rng(11)))
    finally:
        np.random.set_state(state)
    return first, second


def _as_index_list(out, what, where):
    if out is None:
        raise Mistake(f"it returned None on {where}: did you forget `return`?")
    try:
        parts = [np.asarray(p) for p in out]
    except TypeError:
        raise Mistake(f"{what} must be a list of index arrays, got {type(out).__name__} (on {where})") from None
    for p in parts:
        if p.ndim != 1 or (p.size and p.dtype.kind not in "iu"):
            raise Mistake(f"each part of {what} must be a 1-d array of integer indices, got shape {p.shape} "
                          f"and dtype {p.dtype} (on {where})")
    return parts


@exercise("minibatch_indices", "Shuffled minibatches for one epoch", _minibatch_indices)
def _check_minibatch_indices(f):
    cases = [_case(n=n, batch_size=b) for n, b in [(10, 3), (7, 7), (5, 1), (3, 4), (200, 32)]]
    for inputs, where in cases:
        n, B = inputs.values()
        first, second = _global_state_free(f, inputs, where)
        batches = _as_index_list(first, "the batches", where)
        if [list(p) for p in batches] != [list(p) for p in _as_index_list(second, "the batches", where)]:
            raise Mistake(f"two calls with np.random.default_rng(11) gave different batches (on {where}): "
                          "shuffle with rng (rng.permutation), not with np.random")
        flat = np.concatenate(batches) if batches else np.array([], dtype=int)
        counts = np.bincount(flat[(flat >= 0) & (flat < n)].astype(np.intp), minlength=n)  # intp: 32-bit in the browser
        if flat.size and (flat.min() < 0 or flat.max() >= n):
            raise Mistake(f"an index is outside 0..{n - 1} (on {where})")
        if (counts > 1).any():
            raise Mistake(f"sample {int(np.argmax(counts > 1))} appears {int(counts.max())} times in one epoch "
                          f"(on {where}): draw a permutation, not indices with replacement")
        if (counts == 0).any():
            missing = int((counts == 0).sum())
            last = "; the last, partial batch is missing" if missing == n % B else ""
            raise Mistake(f"{missing} of the {n} samples are never used in the epoch (on {where}){last}")
        if n >= 10 and np.array_equal(flat, np.arange(n)):
            raise Mistake(f"the samples come in their original order (on {where}): shuffle them")
        if n >= 10 and all(np.array_equal(np.sort(p), np.arange(p.min(), p.max() + 1)) for p in batches):
            raise Mistake(f"every batch is a contiguous block of samples (on {where}): shuffle the samples, "
                          "not only the order of the batches")
        sizes = [len(p) for p in batches]
        want = [B] * (n // B) + ([n % B] if n % B else [])
        if sizes != want:
            raise Mistake(f"the batch sizes are {sizes}, expected {want} (on {where}): full batches of "
                          "batch_size, then the remainder")
    return _passed(cases, "every sample exactly once, full batches then the rest, shuffled, "
                          "reproducible from rng")


def _split_indices(n, val_fraction, test_fraction, rng):
    order = rng.permutation(n)
    n_val, n_test = int(n * val_fraction), int(n * test_fraction)
    return order[n_val + n_test:], order[:n_val], order[n_val:n_val + n_test]


@exercise("split_indices", "Train, validation and test indices", _split_indices)
def _check_split_indices(f):
    cases = [_case(n=n, val_fraction=v, test_fraction=t) for n, v, t in
             [(100, 0.2, 0.1), (10, 0.25, 0.25), (37, 0.1, 0.2), (5, 0.0, 0.4)]]
    for inputs, where in cases:
        n, v, t = inputs.values()
        first, second = _global_state_free(f, inputs, where)
        parts = _unpack(first, ("train", "val", "test"), where)
        parts = _as_index_list(parts, "(train, val, test)", where)
        again = _as_index_list(_unpack(second, ("train", "val", "test"), where), "(train, val, test)", where)
        if any(not np.array_equal(a, b) for a, b in zip(parts, again)):
            raise Mistake(f"two calls with np.random.default_rng(11) gave different splits (on {where}): "
                          "shuffle with rng, not with np.random")
        want = (n - int(n * v) - int(n * t), int(n * v), int(n * t))
        sizes = tuple(len(p) for p in parts)
        if sizes != want:
            raise Mistake(f"the sizes (train, val, test) are {sizes}, expected {want} (on {where}): "
                          "int(n * fraction) for validation and test, the rest for training")
        flat = np.concatenate(parts)
        if len(np.unique(flat)) != n or flat.min() < 0 or flat.max() >= n:
            raise Mistake(f"the three parts overlap or leave samples out (on {where}): every sample must be in "
                          "exactly one of them")
        if n >= 30 and np.array_equal(flat, np.arange(n)) or n >= 30 and np.array_equal(
                np.concatenate([parts[1], parts[2], parts[0]]), np.arange(n)):
            raise Mistake(f"the parts are blocks of the original order (on {where}): shuffle first, or a sorted "
                          "dataset puts its last classes in the test set")
    return _passed(cases, "sizes int(n * fraction), disjoint, complete, shuffled, reproducible from rng")


def _standardize(X_train, X):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return (X_train - mean) / std, (X - mean) / std


@exercise("standardize", "Standardize with the training statistics", _standardize)
def _check_standardize(f):
    rng = np.random.default_rng(701)
    cases = []
    for n, n_other, d in [(20, 8, 3), (6, 1, 4), (50, 10, 1)]:
        scale, shift = rng.uniform(0.5, 10, size=d), rng.uniform(-20, 20, size=d)
        cases.append(_case(X_train=rng.normal(size=(n, d)) * scale + shift,
                           X=rng.normal(size=(n_other, d)) * scale + shift + 1.0))
    for inputs, where in cases:
        X_train, X = inputs.values()
        want = _standardize(X_train, X)
        got = _unpack(_call(f, inputs), ("train_std", "X_std"), where)
        mean, std = X_train.mean(axis=0), X_train.std(axis=0)
        _compare(got[0], want[0], "the standardized training set", where,
                 shape_hint="one standardized row per sample", mistakes=[
                     ((X_train - X_train.mean(axis=1, keepdims=True)) / X_train.std(axis=1, keepdims=True),
                      "the statistics are per sample (axis 1): standardize each feature, axis 0"),
                     ((X_train - X_train.mean()) / X_train.std(), "one mean and std for all features: "
                                                                  "compute them per feature, axis 0"),
                     ((X_train - mean) / X_train.std(axis=0, ddof=1), "this is the sample std (ddof=1): "
                                                                      "use the population std, ddof=0"),
                     (X_train - mean, "the division by the std is missing")])
        other = [((X - X.mean(axis=0)) / X.std(axis=0), "you used the statistics of X itself: X must be "
                                                          "scaled with the training mean and std, as the model saw")]
        if X.shape[0] == 1:
            other = [(np.zeros_like(X), "you used the statistics of X itself (its one row gives 0 / 0 or 0): "
                                        "use the training mean and std")]
        _compare(got[1], want[1], "the standardized X", where, shape_hint="one standardized row per sample",
                 mistakes=other)
    return _passed(cases)
