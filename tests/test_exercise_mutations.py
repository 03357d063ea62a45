"""Mutation tests of the exercise checks (issue 18): every check must fail realistic wrong solutions.

For every exercise of the book, a table of wrong solutions a learner writes (a dropped
transpose, a wrong axis, a missing 1/n, a flipped sign, σ'(σ(z)), an input changed in place,
a factor off...). Each must grade "fail", with the promised diagnosis where there is one; the
book's own solution, executed from its notebook cell, must grade "pass". The checks are called
directly (fast), not through notebooks.
"""
import json
from pathlib import Path

import numpy as np
import pytest

from nnbook import exercises

BOOK = Path(__file__).resolve().parents[1] / "book"


def _book_exercises():
    """``{name: (chapter, cell id, title, function)}``, the book's solutions run as the chapter runs them."""
    found = {}
    for path in sorted(BOOK.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        namespace = {"np": np}
        for i, cell in enumerate(cells):
            source = "".join(cell["source"])
            if cell["cell_type"] != "code" or not source.startswith("#| exercise"):
                continue
            title = source.split("\n", 1)[0][len("#| exercise"):].strip()
            before = set(namespace)
            exec(compile(source, f"{path.name} {cell['id']}", "exec"), namespace)
            check_source = "".join(cells[i + 1]["source"])
            name = check_source.split('check("', 1)[1].split('"', 1)[0]
            found[name] = (path.stem, cell["id"], title, namespace[name])
            assert name not in before or name in found, name
            exec(compile(check_source, f"{path.name} check", "exec"), namespace)
    return found


BOOK_EXERCISES = _book_exercises()


# name -> [(description, wrong function, substring the message must contain or None)]
MUTATIONS = {}


def mutation(name, expected=None):
    def register(fn):
        MUTATIONS.setdefault(name, []).append((fn.__name__, fn, expected))
        return fn
    return register


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _softmax(z, axis=1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# -- chapter 1 ---------------------------------------------------------------
@mutation("neuron_forward", "the bias b is missing")
def no_bias(X, w, b):
    return X @ w


@mutation("neuron_forward", "the bias is subtracted")
def bias_subtracted(X, w, b):
    return X @ w - b


@mutation("neuron_forward", "shape")
def summed_over_samples(X, w, b):
    return (X * w).sum(axis=0) + b


@mutation("neuron_forward", "shape")
def outer_product(X, w, b):
    return X * w + b


@mutation("mse_gradients", "n times too large")
def summed_not_averaged(w, b, x, y):
    r = w * x + b - y
    return 2 * np.sum(r * x), 2 * np.sum(r)


@mutation("mse_gradients", "the square's derivative brings a factor 2")
def factor_two_missing(w, b, x, y):
    r = w * x + b - y
    return np.mean(r * x), np.mean(r)


@mutation("mse_gradients", "the sign is flipped")
def residual_the_other_way(w, b, x, y):
    r = y - (w * x + b)
    return 2 * np.mean(r * x), 2 * np.mean(r)


@mutation("mse_gradients", "dw has no factor x_i")
def dw_without_x(w, b, x, y):
    r = w * x + b - y
    return 2 * np.mean(r), 2 * np.mean(r)


@mutation("mse_gradients", "the order is (dw, db)")
def swapped(w, b, x, y):
    r = w * x + b - y
    return 2 * np.mean(r), 2 * np.mean(r * x)


@mutation("mse_gradients", "n times too small")
def divided_twice(w, b, x, y):
    r = w * x + b - y
    return 2 * np.mean(r * x) / len(x), 2 * np.mean(r) / len(x)


@mutation("gradient_step", "you stepped uphill")
def uphill(w, b, x, y, eta):
    r = w * x + b - y
    return w + eta * 2 * np.mean(r * x), b + eta * 2 * np.mean(r)


@mutation("gradient_step", "db was computed after w had moved")
def sequential_update(w, b, x, y, eta):
    w = w - eta * 2 * np.mean((w * x + b - y) * x)
    return w, b - eta * 2 * np.mean(w * x + b - y)


@mutation("gradient_step", "the learning rate eta is missing")
def no_learning_rate(w, b, x, y, eta):
    r = w * x + b - y
    return w - 2 * np.mean(r * x), b - 2 * np.mean(r)


@mutation("gradient_step", "n times too large")
def summed_gradient_step(w, b, x, y, eta):
    r = w * x + b - y
    return w - eta * 2 * np.sum(r * x), b - eta * 2 * np.sum(r)


# -- chapter 2 ---------------------------------------------------------------
@mutation("linear_backward", "dW has shape (4, 3), expected (3, 4): X.T @ G, not G.T @ X")
def dropped_transpose(X, W, G):
    return G @ W.T, G.T @ X, G.sum(axis=0)


@mutation("linear_backward", "it raised ValueError: matmul")
def dx_without_transpose(X, W, G):
    return G @ W, X.T @ G, G.sum(axis=0)


@mutation("linear_backward", "db has shape (5,), expected (4,)")
def bias_summed_over_features(X, W, G):
    return G @ W.T, X.T @ G, G.sum(axis=1)


@mutation("linear_backward", "n times too small")
def averaged_again(X, W, G):
    n = X.shape[0]
    return G @ W.T, X.T @ G / n, G.sum(axis=0) / n


@mutation("linear_backward", "db is wrong")
def bias_as_mean(X, W, G):
    return G @ W.T, X.T @ G, G.mean(axis=0)


@mutation("linear_backward", "the sign is flipped")
def negated(X, W, G):
    return -(G @ W.T), -(X.T @ G), -G.sum(axis=0)


@mutation("linear_backward", "changed its input G in place")
def averages_g_in_place(X, W, G):
    G /= X.shape[0]
    return G @ W.T, X.T @ G, G.sum(axis=0)


@mutation("linear_backward", "shape")
def db_kept_2d(X, W, G):
    return G @ W.T, X.T @ G, G.sum(axis=0, keepdims=True)


# -- chapter 3 ---------------------------------------------------------------
@mutation("sigmoid_backward", "this is σ'(σ(z)), not σ'(z)")
def sigmoid_twice(z, grad):
    s = _sigmoid(_sigmoid(z))
    return grad * s * (1 - s)


@mutation("sigmoid_backward", "you used z(1 - z)")
def sigmoid_formula_on_z(z, grad):
    return grad * z * (1 - z)


@mutation("sigmoid_backward", "grad is missing")
def sigmoid_no_chain_rule(z, grad):
    s = _sigmoid(z)
    return s * (1 - s)


@mutation("sigmoid_backward", "the sign is flipped")
def sigmoid_negated(z, grad):
    s = _sigmoid(z)
    return -grad * s * (1 - s)


@mutation("sigmoid_backward", "dL/dz is wrong")
def sigmoid_squared(z, grad):
    s = _sigmoid(z)
    return grad * s ** 2 * (1 - s)


@mutation("tanh_backward", "tanh'(tanh(z))")
def tanh_twice(z, grad):
    return grad * (1 - np.tanh(np.tanh(z)) ** 2)


@mutation("tanh_backward", "you used 1 - z²")
def tanh_formula_on_z(z, grad):
    return grad * (1 - z ** 2)


@mutation("tanh_backward", "the tanh is not squared")
def tanh_not_squared(z, grad):
    return grad * (1 - np.tanh(z))


@mutation("tanh_backward", "grad is missing")
def tanh_no_chain_rule(z, grad):
    return 1 - np.tanh(z) ** 2


@mutation("tanh_backward", "the sign is flipped")
def tanh_negated(z, grad):
    return grad * (np.tanh(z) ** 2 - 1)


@mutation("relu_backward", "at z = 0 the derivative is taken as 0")
def relu_ge(z, grad):
    return grad * (z >= 0)


@mutation("relu_backward", "you multiplied by relu(z)")
def relu_times_output(z, grad):
    return grad * np.maximum(z, 0)


@mutation("relu_backward", "changed its input grad in place")
def relu_in_place(z, grad):
    grad[z <= 0] = 0
    return grad


@mutation("relu_backward", "grad is missing")
def relu_no_chain_rule(z, grad):
    return (z > 0).astype(float)


@mutation("relu_backward", "dL/dz is wrong")
def relu_mask_on_grad(z, grad):
    return grad * (grad > 0)


@mutation("softmax_backward", "only the diagonal of the Jacobian")
def softmax_diagonal(z, grad):
    s = _softmax(z)
    return grad * s * (1 - s)


@mutation("softmax_backward", "the sum runs over the batch (axis 0)")
def softmax_wrong_axis(z, grad):
    s = _softmax(z)
    return s * (grad - np.sum(grad * s, axis=0, keepdims=True))


@mutation("softmax_backward", None)
def softmax_no_keepdims(z, grad):
    s = _softmax(z)
    return s * (grad - np.sum(grad * s, axis=1))


@mutation("softmax_backward", "nan or inf")
def softmax_unstable(z, grad):
    e = np.exp(z)
    s = e / e.sum(axis=1, keepdims=True)
    return s * (grad - np.sum(grad * s, axis=1, keepdims=True))


@mutation("softmax_backward", "the sign is flipped")
def softmax_negated(z, grad):
    s = _softmax(z)
    return -s * (grad - np.sum(grad * s, axis=1, keepdims=True))


@mutation("softmax_backward", "dL/dz is wrong")
def softmax_of_grad(z, grad):
    return _softmax(z) * grad


# -- chapter 4 ---------------------------------------------------------------
def _ce_parts(Z, y):
    logp = Z - Z.max(axis=1, keepdims=True)
    logp = logp - np.log(np.exp(logp).sum(axis=1, keepdims=True))
    return len(y), np.exp(logp), np.eye(Z.shape[1])[y], logp, None


@mutation("cross_entropy", "nan or inf")
def ce_unstable(Z, y):
    n = len(y)
    p = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    return -np.mean(np.log(p[np.arange(n), y])), (p - np.eye(Z.shape[1])[y]) / n


@mutation("cross_entropy", "n times too large")
def ce_gradient_not_averaged(Z, y):
    n, p, onehot, logp, _ = _ce_parts(Z, y)
    return -logp[np.arange(n), y].mean(), p - onehot


@mutation("cross_entropy", "n times too large")
def ce_loss_summed(Z, y):
    n, p, onehot, logp, _ = _ce_parts(Z, y)
    return -logp[np.arange(n), y].sum(), (p - onehot) / n


@mutation("cross_entropy", "you subtracted 1 from every entry")
def ce_minus_one_everywhere(Z, y):
    n, p, onehot, logp, _ = _ce_parts(Z, y)
    return -logp[np.arange(n), y].mean(), (p - 1) / n


@mutation("cross_entropy", "the one-hot rows are missing")
def ce_softmax_only(Z, y):
    n, p, onehot, logp, _ = _ce_parts(Z, y)
    return -logp[np.arange(n), y].mean(), p / n


@mutation("cross_entropy", "the sign is flipped")
def ce_negated_gradient(Z, y):
    n, p, onehot, logp, _ = _ce_parts(Z, y)
    return -logp[np.arange(n), y].mean(), (onehot - p) / n


@mutation("cross_entropy", "the loss is wrong")
def ce_mean_over_entries(Z, y):
    n, p, onehot, logp, _ = _ce_parts(Z, y)
    return -(onehot * logp).mean(), (p - onehot) / n


@mutation("cross_entropy", "the loss is wrong")
def ce_softmax_over_batch(Z, y):
    n = len(y)
    p = _softmax(Z, axis=0)
    return -np.mean(np.log(p[np.arange(n), y] + 1e-300)), (p - np.eye(Z.shape[1])[y]) / n


# -- chapter 5 ---------------------------------------------------------------
@mutation("mlp_backward", "not gated by the ReLU")
def mlp_no_relu_mask(X, W1, b1, W2, G):
    dZ1 = G @ W2.T
    return X.T @ dZ1, dZ1.sum(axis=0), np.maximum(X @ W1 + b1, 0).T @ G, G.sum(axis=0)


@mutation("mlp_backward", "dW2 uses the pre-activation Z1")
def mlp_z_instead_of_a(X, W1, b1, W2, G):
    Z1 = X @ W1 + b1
    dZ1 = (G @ W2.T) * (Z1 > 0)
    return X.T @ dZ1, dZ1.sum(axis=0), Z1.T @ G, G.sum(axis=0)


@mutation("mlp_backward", "dW1 has shape")
def mlp_transposed(X, W1, b1, W2, G):
    Z1 = X @ W1 + b1
    dZ1 = (G @ W2.T) * (Z1 > 0)
    return dZ1.T @ X, dZ1.sum(axis=0), np.maximum(Z1, 0).T @ G, G.sum(axis=0)


@mutation("mlp_backward", "db1 has shape")
def mlp_bias_wrong_axis(X, W1, b1, W2, G):
    Z1 = X @ W1 + b1
    dZ1 = (G @ W2.T) * (Z1 > 0)
    return X.T @ dZ1, dZ1.sum(axis=1), np.maximum(Z1, 0).T @ G, G.sum(axis=0)


@mutation("mlp_backward", "dW1 is wrong")
def mlp_mask_on_g(X, W1, b1, W2, G):
    Z1 = X @ W1 + b1
    dZ1 = (G @ W2.T) * (np.maximum(Z1, 0))
    return X.T @ dZ1, dZ1.sum(axis=0), np.maximum(Z1, 0).T @ G, G.sum(axis=0)


@mutation("mlp_backward", "changed its input G in place")
def mlp_in_place(X, W1, b1, W2, G):
    Z1 = X @ W1 + b1
    dW2 = np.maximum(Z1, 0).T @ G
    G *= 1.0000001
    dZ1 = (G @ W2.T) * (Z1 > 0)
    return X.T @ dZ1, dZ1.sum(axis=0), dW2, G.sum(axis=0)


@mutation("linear_backward_step", "the update ran before the error was propagated")
def update_then_propagate(X, W, b, G, eta):
    W -= eta * (X.T @ G)
    b -= eta * G.sum(axis=0)
    return G @ W.T


@mutation("linear_backward_step", "were not updated in place")
def rebinds_instead_of_updating(X, W, b, G, eta):
    dX = G @ W.T
    W = W - eta * (X.T @ G)
    b = b - eta * G.sum(axis=0)
    return dX


@mutation("linear_backward_step", "the update went uphill")
def update_uphill(X, W, b, G, eta):
    dX = G @ W.T
    W += eta * (X.T @ G)
    b += eta * G.sum(axis=0)
    return dX


@mutation("linear_backward_step", "changed its input G in place")
def step_scales_g(X, W, b, G, eta):
    G *= eta
    dX = G @ W.T / eta
    W -= X.T @ G
    b -= G.sum(axis=0)
    return dX


@mutation("linear_backward_step", "b after the update is wrong")
def bias_mean_update(X, W, b, G, eta):
    dX = G @ W.T
    W -= eta * (X.T @ G)
    b -= eta * G.mean(axis=0)
    return dX


@mutation("linear_backward_step", "it raised ValueError")
def transposed_weight_gradient(X, W, b, G, eta):
    dX = G @ W.T
    W -= eta * (G.T @ X)
    b -= eta * G.sum(axis=0)
    return dX


@mutation("central_difference", "one-sided difference")
def forward_difference(f, x, eps=1e-6):
    grad, f0 = np.zeros_like(x), f()
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        grad[i] = (f() - f0) / eps
        x[i] = old
    return grad


@mutation("central_difference", "twice the right answer")
def divided_by_eps_only(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f()
        x[i] = old - eps
        grad[i] = (up - f()) / eps
        x[i] = old
    return grad


@mutation("central_difference", "x was not restored")
def not_restored(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f()
        x[i] = old - eps
        grad[i] = (up - f()) / (2 * eps)
    return grad


@mutation("central_difference", "the numerical gradient is wrong")
def perturbs_a_copy(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        y = x.copy()
        y[i] += eps
        grad[i] = (f() - f()) / (2 * eps)
    return grad


@mutation("central_difference", "shape")
def flat_result(f, x, eps=1e-6):
    grad = []
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f()
        x[i] = old - eps
        grad.append((up - f()) / (2 * eps))
        x[i] = old
    return np.array(grad)


# -- chapter 6 ---------------------------------------------------------------
@mutation("xavier_std", "this is the variance")
def xavier_variance(fan_in, fan_out, gain=1.0):
    return gain * 2.0 / (fan_in + fan_out)


@mutation("xavier_std", "the bound of the uniform version")
def xavier_uniform_bound(fan_in, fan_out, gain=1.0):
    return gain * np.sqrt(6.0 / (fan_in + fan_out))


@mutation("xavier_std", "LeCun")
def lecun(fan_in, fan_out, gain=1.0):
    return gain / np.sqrt(fan_in)


@mutation("xavier_std", "He's")
def he_instead(fan_in, fan_out, gain=1.0):
    return gain * np.sqrt(2.0 / fan_in)


@mutation("xavier_std", "the gain is missing")
def xavier_no_gain(fan_in, fan_out, gain=1.0):
    return np.sqrt(2.0 / (fan_in + fan_out))


@mutation("xavier_std", "the gain is squared")
def xavier_gain_on_variance(fan_in, fan_out, gain=1.0):
    return np.sqrt(gain ** 2 * gain ** 2 * 2.0 / (fan_in + fan_out))


@mutation("xavier_std", "the std is wrong")
def xavier_product_of_fans(fan_in, fan_out, gain=1.0):
    return gain * np.sqrt(2.0 / (fan_in * fan_out))


@mutation("he_normal", "He uses fan_in")
def he_fan_out(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / fan_out), size=(fan_in, fan_out))


@mutation("he_normal", "LeCun's")
def he_without_two(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(1.0 / fan_in), size=(fan_in, fan_out))


@mutation("he_normal", "the variance: take its square root")
def he_variance_as_std(fan_in, fan_out, rng):
    return rng.normal(0.0, 2.0 / fan_in, size=(fan_in, fan_out))


@mutation("he_normal", "the transpose of PyTorch's")
def he_torch_layout(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_out, fan_in))


@mutation("he_normal", "not from np.random")
def he_global_state(fan_in, fan_out, rng):
    return np.random.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


@mutation("he_normal", "draw them with rng.normal")
def he_uniform(fan_in, fan_out, rng):
    bound = np.sqrt(3.0) * np.sqrt(2.0 / fan_in)
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


@mutation("he_normal", "expected 0 and")
def he_shifted(fan_in, fan_out, rng):
    return rng.normal(0.01, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


@mutation("he_normal", "Xavier's")
def he_xavier(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))


@mutation("leaky_relu_gain", "the slope must be squared")
def gain_slope_not_squared(negative_slope):
    return np.sqrt(2.0 / (1.0 + negative_slope))


@mutation("leaky_relu_gain", "this is the gain squared")
def gain_squared(negative_slope):
    return 2.0 / (1.0 + negative_slope ** 2)


@mutation("leaky_relu_gain", "the slope is ignored")
def gain_of_relu(negative_slope):
    return np.sqrt(2.0)


@mutation("leaky_relu_gain", "the gain is wrong")
def gain_inverted(negative_slope):
    return np.sqrt((1.0 + negative_slope ** 2) / 2.0)


# -- chapter 7 ---------------------------------------------------------------
@mutation("minibatch_indices", "come in their original order")
def batches_not_shuffled(n, batch_size, rng):
    return [np.arange(n)[i:i + batch_size] for i in range(0, n, batch_size)]


@mutation("minibatch_indices", "with replacement")
def batches_with_replacement(n, batch_size, rng):
    order = rng.integers(0, n, size=n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


@mutation("minibatch_indices", "the last, partial batch is missing")
def batches_drop_last(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n - batch_size + 1, batch_size)]


@mutation("minibatch_indices", "not with np.random")
def batches_global_state(n, batch_size, rng):
    order = np.random.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


@mutation("minibatch_indices", "contiguous block")
def batches_shuffled_as_blocks(n, batch_size, rng):
    blocks = [np.arange(n)[i:i + batch_size] for i in range(0, n, batch_size)]
    return [blocks[k] for k in rng.permutation(len(blocks))]


@mutation("minibatch_indices", "never used")
def batches_off_by_one(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n - 1, batch_size)] if n > 1 else []


@mutation("minibatch_indices", "batch sizes")
def batches_split_evenly(n, batch_size, rng):
    return np.array_split(rng.permutation(n), max(1, -(-n // batch_size)))


@mutation("split_indices", "blocks of the original order")
def split_not_shuffled(n, val_fraction, test_fraction, rng):
    n_val, n_test = int(n * val_fraction), int(n * test_fraction)
    order = np.arange(n)
    return order[:n - n_val - n_test], order[n - n_val - n_test:n - n_test], order[n - n_test:]


@mutation("split_indices", "overlap or leave samples out")
def split_overlapping(n, val_fraction, test_fraction, rng):
    order = rng.permutation(n)
    n_val, n_test = int(n * val_fraction), int(n * test_fraction)
    return order[n_val + n_test:], order[:n_val], order[:n_test]


@mutation("split_indices", "the sizes (train, val, test)")
def split_rounded(n, val_fraction, test_fraction, rng):
    order = rng.permutation(n)
    n_val, n_test = round(n * val_fraction + 0.5), round(n * test_fraction + 0.5)
    return order[n_val + n_test:], order[:n_val], order[n_val:n_val + n_test]


@mutation("split_indices", "not with np.random")
def split_global_state(n, val_fraction, test_fraction, rng):
    order = np.random.permutation(n)
    n_val, n_test = int(n * val_fraction), int(n * test_fraction)
    return order[n_val + n_test:], order[:n_val], order[n_val:n_val + n_test]


@mutation("split_indices", "must return a tuple (train, val, test)")
def split_two_parts(n, val_fraction, test_fraction, rng):
    order = rng.permutation(n)
    n_test = int(n * test_fraction)
    return order[n_test:], order[:n_test]


@mutation("standardize", "you used the statistics of X itself")
def standardize_other_with_own_stats(X_train, X):
    return ((X_train - X_train.mean(axis=0)) / X_train.std(axis=0), (X - X.mean(axis=0)) / X.std(axis=0))


@mutation("standardize", "per sample (axis 1)")
def standardize_wrong_axis(X_train, X):
    m, s = X_train.mean(axis=1, keepdims=True), X_train.std(axis=1, keepdims=True)
    return (X_train - m) / s, (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)


@mutation("standardize", "one mean and std for all features")
def standardize_global(X_train, X):
    m, s = X_train.mean(), X_train.std()
    return (X_train - m) / s, (X - m) / s


@mutation("standardize", "ddof=1")
def standardize_sample_std(X_train, X):
    m, s = X_train.mean(axis=0), X_train.std(axis=0, ddof=1)
    return (X_train - m) / s, (X - m) / s


@mutation("standardize", "changed its input X_train in place")
def standardize_in_place(X_train, X):
    m, s = X_train.mean(axis=0), X_train.std(axis=0)
    X_train -= m
    X_train /= s
    return X_train, (X - m) / s


@mutation("standardize", "the division by the std is missing")
def standardize_centre_only(X_train, X):
    m = X_train.mean(axis=0)
    return X_train - m, X - m


@mutation("standardize", "the standardized X is wrong")
def standardize_other_not_centred(X_train, X):
    m, s = X_train.mean(axis=0), X_train.std(axis=0)
    return (X_train - m) / s, X / s


def test_every_exercise_of_the_book_has_a_check_and_a_mutation_table():
    assert sorted(BOOK_EXERCISES) == sorted(exercises._CHECKS), "book exercises and registered checks differ"
    assert sorted(MUTATIONS) == sorted(exercises._CHECKS)
    for name, (chapter, cell_id, title, _) in BOOK_EXERCISES.items():
        assert title == exercises._CHECKS[name][0], f"{chapter} {cell_id}: the title differs from the check's"
    for name, table in MUTATIONS.items():
        assert len(table) >= 4, f"{name}: only {len(table)} mutations"


@pytest.mark.parametrize("name", sorted(BOOK_EXERCISES))
def test_the_books_solution_passes(name):
    status, message = exercises.grade(name, BOOK_EXERCISES[name][3])
    assert status == "pass", message


@pytest.mark.parametrize("name, label, wrong, expected",
                         [(name, label, fn, expected) for name, table in sorted(MUTATIONS.items())
                          for label, fn, expected in table],
                         ids=[f"{name}-{label}" for name, table in sorted(MUTATIONS.items()) for label, _, _ in table])
def test_a_wrong_solution_fails_with_its_diagnosis(name, label, wrong, expected):
    status, message = exercises.grade(name, wrong)
    assert status == "fail", f"{label} graded {status}: {message}"
    if expected is not None:
        assert expected in message, f"{label}: {message}"


def test_the_reference_is_never_graded_as_the_readers():
    for name, (_, reference, _) in exercises._CHECKS.items():
        status, message = exercises.grade(name, reference)
        assert status == "fail" and "reference implementation" in message
