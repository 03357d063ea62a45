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
from helpers import assert_graded_fail, mutation_cases, mutation_table

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
MUTATIONS, mutation = mutation_table()


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


# -- chapter 3, second series --------------------------------------------------
@mutation("leaky_relu_backward", "at z = 0 the slope is taken as α")
def leaky_ge(z, grad, negative_slope):
    return np.where(z >= 0, grad, negative_slope * grad)


@mutation("leaky_relu_backward", "the negative side passes nothing")
def leaky_as_relu(z, grad, negative_slope):
    return grad * (z > 0)


@mutation("leaky_relu_backward", "the slopes are swapped")
def leaky_swapped(z, grad, negative_slope):
    return np.where(z > 0, negative_slope * grad, grad)


@mutation("leaky_relu_backward", "you multiplied by the activation")
def leaky_times_output(z, grad, negative_slope):
    return grad * np.where(z > 0, z, negative_slope * z)


@mutation("leaky_relu_backward", "grad is missing")
def leaky_no_chain_rule(z, grad, negative_slope):
    return np.where(z > 0, 1.0, negative_slope)


@mutation("leaky_relu_backward", "changed its input grad in place")
def leaky_in_place(z, grad, negative_slope):
    grad[z <= 0] *= negative_slope
    return grad


@mutation("softplus_backward", "this is the derivative of the sigmoid")
def softplus_sigmoid_derivative(z, grad):
    s = _sigmoid(z)
    return grad * s * (1 - s)


@mutation("softplus_backward", "you multiplied by the softplus")
def softplus_times_output(z, grad):
    return grad * np.logaddexp(0, z)


@mutation("softplus_backward", "this is σ(-z)")
def softplus_sigmoid_of_minus_z(z, grad):
    return grad * _sigmoid(-z)


@mutation("softplus_backward", "nan or inf")
def softplus_overflows(z, grad):
    e = np.exp(z)
    return grad * e / (1 + e)


@mutation("softplus_backward", "grad is missing")
def softplus_no_chain_rule(z, grad):
    return _sigmoid(z)


@mutation("softplus_backward", "the sign is flipped")
def softplus_negated(z, grad):
    return -grad * _sigmoid(z)


@mutation("stable_log_softmax", "-inf entries")
def log_of_softmax(z):
    return np.log(_softmax(z))


@mutation("stable_log_softmax", "Σ e^z overflowed")
def log_softmax_unshifted(z):
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


@mutation("stable_log_softmax", "the normalisation is missing")
def log_softmax_shift_only(z):
    return z - z.max(axis=1, keepdims=True)


@mutation("stable_log_softmax", "subtract m as well")
def log_softmax_m_forgotten(z):
    m = z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z - m).sum(axis=1, keepdims=True))


@mutation("stable_log_softmax", "the sum runs over the batch (axis 0)")
def log_softmax_wrong_axis(z):
    shifted = z - z.max(axis=0, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))


@mutation("stable_log_softmax", "shape")
def log_softmax_no_keepdims(z):
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1))


@mutation("stable_log_softmax", "this is the softmax, not its logarithm")
def log_softmax_forgot_log(z):
    return _softmax(z)


# -- chapter 5, second series --------------------------------------------------
@mutation("unbroadcast", "this is a mean over the copies")
def unbroadcast_mean(grad, shape):
    grad = grad.mean(axis=tuple(range(grad.ndim - len(shape))))
    return grad.mean(axis=tuple(i for i, k in enumerate(shape) if k == 1), keepdims=True)


@mutation("unbroadcast", "the gradient has shape (3,), expected (1, 3)")
def unbroadcast_no_keepdims(grad, shape):
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))
    return grad.sum(axis=tuple(i for i, k in enumerate(shape) if k == 1))


@mutation("unbroadcast", "expected (5, 1)")
def unbroadcast_batch_axis_only(grad, shape):
    return grad.sum(axis=0, keepdims=len(shape) == grad.ndim)


@mutation("unbroadcast", "shape")
def unbroadcast_leading_axes_only(grad, shape):
    return grad.sum(axis=tuple(range(grad.ndim - len(shape))))


@mutation("unbroadcast", "the gradient is wrong")
def unbroadcast_takes_a_copy(grad, shape):
    while grad.ndim > len(shape):
        grad = grad[0]
    return grad[tuple(slice(0, 1) if k == 1 else slice(None) for k in shape)]


@mutation("unbroadcast", "shape")
def unbroadcast_sums_everything(grad, shape):
    return grad.sum() * np.ones(shape) if shape else grad.sum() * np.ones((1,))


@mutation("gates_backward", "only y's path through the add")
def gates_y_once(x, y, z, grad):
    a, m = x + y, np.maximum(y, z)
    return grad * m, grad * m, grad * a * (z > y)


@mutation("gates_backward", "only y's path through the max")
def gates_y_overwritten(x, y, z, grad):
    a, m = x + y, np.maximum(y, z)
    dy = grad * m
    dy = grad * a * (y > z)
    return grad * m, dy, grad * a * (z > y)


@mutation("gates_backward", "the max routed its adjoint to the loser")
def gates_max_to_loser(x, y, z, grad):
    a, m = x + y, np.maximum(y, z)
    return grad * m, grad * m + grad * a * (z > y), grad * a * (y > z)


@mutation("gates_backward", "the max sent its adjoint to both inputs")
def gates_max_to_both(x, y, z, grad):
    a, m = x + y, np.maximum(y, z)
    return grad * m, grad * m + grad * a, grad * a


@mutation("gates_backward", "the multiply gate swaps its inputs")
def gates_multiply_not_swapped(x, y, z, grad):
    a, m = x + y, np.maximum(y, z)
    return grad * a, grad * a + grad * m * (y > z), grad * m * (z > y)


@mutation("gates_backward", "grad is missing")
def gates_no_chain_rule(x, y, z, grad):
    a, m = x + y, np.maximum(y, z)
    return m, m + a * (y > z), a * (z > y)


@mutation("gates_backward", "dz has shape")
def gates_max_value_as_route(x, y, z, grad):
    a, m = x + y, np.maximum(y, z)
    return grad * m, grad * m + grad * a * (y > z), (grad * a * (z > y)).sum()


# -- chapter 8 ---------------------------------------------------------------
@mutation("momentum_step", "this is the dampened average")
def momentum_dampened(theta, grad, buf, lr, momentum):
    buf = momentum * buf + (1 - momentum) * grad
    return theta - lr * buf, buf


@mutation("momentum_step", "the step ignores the buffer")
def momentum_plain_sgd_step(theta, grad, buf, lr, momentum):
    buf = momentum * buf + grad
    return theta - lr * grad, buf


@mutation("momentum_step", "the step uses the buffer of the previous step")
def momentum_stale_buffer(theta, grad, buf, lr, momentum):
    theta = theta - lr * buf
    return theta, momentum * buf + grad


@mutation("momentum_step", "the learning rate went into the buffer")
def momentum_lr_in_buffer(theta, grad, buf, lr, momentum):
    buf = momentum * buf + lr * grad
    return theta - buf, buf


@mutation("momentum_step", "this is Nesterov's step")
def momentum_nesterov(theta, grad, buf, lr, momentum):
    buf = momentum * buf + grad
    return theta - lr * (grad + momentum * buf), buf


@mutation("momentum_step", "the step went uphill")
def momentum_uphill(theta, grad, buf, lr, momentum):
    buf = momentum * buf + grad
    return theta + lr * buf, buf


@mutation("momentum_step", "changed its input buf in place")
def momentum_in_place(theta, grad, buf, lr, momentum):
    buf *= momentum
    buf += grad
    return theta - lr * buf, buf


@mutation("rmsprop_step", "v averages the squared gradient")
def rmsprop_not_squared(theta, grad, v, lr, alpha, eps):
    v = alpha * v + (1 - alpha) * grad
    return theta - lr * grad / (np.sqrt(v) + eps), v


@mutation("rmsprop_step", "ε went inside the square root")
def rmsprop_eps_inside(theta, grad, v, lr, alpha, eps):
    v = alpha * v + (1 - alpha) * grad ** 2
    return theta - lr * grad / np.sqrt(v + eps), v


@mutation("rmsprop_step", "the square root is missing")
def rmsprop_no_sqrt(theta, grad, v, lr, alpha, eps):
    v = alpha * v + (1 - alpha) * grad ** 2
    return theta - lr * grad / (v + eps), v


@mutation("rmsprop_step", "α and 1 - α are swapped")
def rmsprop_swapped_weights(theta, grad, v, lr, alpha, eps):
    v = (1 - alpha) * v + alpha * grad ** 2
    return theta - lr * grad / (np.sqrt(v) + eps), v


@mutation("rmsprop_step", "the step uses v of the previous step")
def rmsprop_stale_v(theta, grad, v, lr, alpha, eps):
    theta = theta - lr * grad / (np.sqrt(v) + eps)
    return theta, alpha * v + (1 - alpha) * grad ** 2


@mutation("rmsprop_step", "the new square enters with weight 1 - α")
def rmsprop_sum_of_squares(theta, grad, v, lr, alpha, eps):
    v = alpha * v + grad ** 2
    return theta - lr * grad / (np.sqrt(v) + eps), v


@mutation("adam_step", "the bias correction is missing")
def adam_no_correction(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    return theta - lr * m / (np.sqrt(v) + eps), m, v


@mutation("adam_step", "you returned the corrected m̂")
def adam_returns_corrected(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m = (beta1 * m + (1 - beta1) * grad) / (1 - beta1 ** t)
    v = (beta2 * v + (1 - beta2) * grad ** 2) / (1 - beta2 ** t)
    return theta - lr * m / (np.sqrt(v) + eps), m, v


@mutation("adam_step", "ε went inside the square root")
def adam_eps_inside(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    return theta - lr * (m / (1 - beta1 ** t)) / np.sqrt(v / (1 - beta2 ** t) + eps), m, v


@mutation("adam_step", "the correction uses β^(t+1)")
def adam_off_by_one(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    t = t + 1
    return theta - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps), m, v


@mutation("adam_step", "nan or inf")
def adam_counts_from_zero(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    t = t - 1
    return theta - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps), m, v


@mutation("adam_step", "v averages the squared gradient")
def adam_v_not_squared(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad
    return theta - lr * (m / (1 - beta1 ** t)) / (np.sqrt(np.abs(v) / (1 - beta2 ** t)) + eps), m, v


@mutation("adam_step", "the step went uphill")
def adam_uphill(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    return theta + lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps), m, v


@mutation("adam_step", "changed its input m in place")
def adam_in_place(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m *= beta1
    m += (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    return theta - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps), m, v


# -- chapter 9 ---------------------------------------------------------------
@mutation("dropout_forward", "the kept entries are not rescaled")
def dropout_not_inverted(x, p, rng):
    mask = rng.random(x.shape) >= p
    return x * mask, mask


@mutation("dropout_forward", "the kept entries are multiplied by 1 - p")
def dropout_times_keep(x, p, rng):
    mask = rng.random(x.shape) >= p
    return x * mask * (1 - p), mask


@mutation("dropout_forward", "the kept entries are divided by p")
def dropout_divided_by_p(x, p, rng):
    mask = rng.random(x.shape) >= p
    return x * mask / p if p else x * mask, mask


@mutation("dropout_forward", "p is the probability of dropping")
def dropout_keeps_with_p(x, p, rng):
    mask = rng.random(x.shape) < p if p else np.ones(x.shape, dtype=bool)
    return x * mask / (1 - p), mask


@mutation("dropout_forward", "draw them from rng")
def dropout_global_state(x, p, rng):
    mask = np.random.random(x.shape) >= p
    return x * mask / (1 - p), mask


@mutation("dropout_forward", "the mask is the same for every sample")
def dropout_one_mask_per_feature(x, p, rng):
    mask = np.broadcast_to(rng.random(x.shape[1]) >= p, x.shape)
    return x * mask / (1 - p), mask


@mutation("dropout_forward", "mask must be a boolean array")
def dropout_returns_the_scale(x, p, rng):
    scale = (rng.random(x.shape) >= p) / (1 - p)
    return x * scale, scale


@mutation("dropout_backward", "the gradient is not rescaled")
def dropout_backward_not_scaled(grad, mask, p):
    return grad * mask


@mutation("dropout_backward", "the gradient is multiplied by 1 - p")
def dropout_backward_times_keep(grad, mask, p):
    return grad * mask * (1 - p)


@mutation("dropout_backward", "the mask is missing")
def dropout_backward_no_mask(grad, mask, p):
    return grad / (1 - p)


@mutation("dropout_backward", "the mask is inverted")
def dropout_backward_inverted_mask(grad, mask, p):
    return grad * ~mask / (1 - p)


@mutation("dropout_backward", "changed its input grad in place")
def dropout_backward_in_place(grad, mask, p):
    grad[~mask] = 0.0
    grad /= 1 - p
    return grad


@mutation("batchnorm_forward", "ddof=1")
def bn_sample_variance(X, gamma, beta, eps):
    return gamma * (X - X.mean(axis=0)) / np.sqrt(X.var(axis=0, ddof=1) + eps) + beta


@mutation("batchnorm_forward", "ε went outside the square root")
def bn_eps_outside(X, gamma, beta, eps):
    return gamma * (X - X.mean(axis=0)) / (X.std(axis=0) + eps) + beta


@mutation("batchnorm_forward", "the square root is missing")
def bn_no_sqrt(X, gamma, beta, eps):
    return gamma * (X - X.mean(axis=0)) / (X.var(axis=0) + eps) + beta


@mutation("batchnorm_forward", "γ and β are missing")
def bn_no_affine(X, gamma, beta, eps):
    return (X - X.mean(axis=0)) / np.sqrt(X.var(axis=0) + eps)


@mutation("batchnorm_forward", "the statistics are per sample")
def bn_per_sample(X, gamma, beta, eps):
    mean, var = X.mean(axis=1, keepdims=True), X.var(axis=1, keepdims=True)
    return gamma * (X - mean) / np.sqrt(var + eps) + beta


@mutation("batchnorm_forward", "changed its input X in place")
def bn_in_place(X, gamma, beta, eps):
    X -= X.mean(axis=0)
    X /= np.sqrt(X.var(axis=0) + eps)
    return gamma * X + beta


@mutation("batchnorm_backward", "the batch statistics were treated as constants")
def bn_backward_constant_statistics(X, gamma, G, eps):
    s = np.sqrt(X.var(axis=0) + eps)
    X_hat = (X - X.mean(axis=0)) / s
    return G * gamma / s, (G * X_hat).sum(axis=0), G.sum(axis=0)


@mutation("batchnorm_backward", "the term through the variance is missing")
def bn_backward_no_variance_term(X, gamma, G, eps):
    s = np.sqrt(X.var(axis=0) + eps)
    X_hat = (X - X.mean(axis=0)) / s
    dX_hat = G * gamma
    return (dX_hat - dX_hat.mean(axis=0)) / s, (G * X_hat).sum(axis=0), G.sum(axis=0)


@mutation("batchnorm_backward", "the term through the mean is missing")
def bn_backward_no_mean_term(X, gamma, G, eps):
    s = np.sqrt(X.var(axis=0) + eps)
    X_hat = (X - X.mean(axis=0)) / s
    dX_hat = G * gamma
    return (dX_hat - X_hat * (dX_hat * X_hat).mean(axis=0)) / s, (G * X_hat).sum(axis=0), G.sum(axis=0)


@mutation("batchnorm_backward", "γ is missing")
def bn_backward_no_gamma(X, gamma, G, eps):
    s = np.sqrt(X.var(axis=0) + eps)
    X_hat = (X - X.mean(axis=0)) / s
    return (G - G.mean(axis=0) - X_hat * (G * X_hat).mean(axis=0)) / s, (G * X_hat).sum(axis=0), G.sum(axis=0)


@mutation("batchnorm_backward", "dγ uses X")
def bn_backward_dgamma_from_x(X, gamma, G, eps):
    s = np.sqrt(X.var(axis=0) + eps)
    X_hat = (X - X.mean(axis=0)) / s
    dX_hat = G * gamma
    dX = (dX_hat - dX_hat.mean(axis=0) - X_hat * (dX_hat * X_hat).mean(axis=0)) / s
    return dX, (G * X).sum(axis=0), G.sum(axis=0)


@mutation("batchnorm_backward", "n times too small")
def bn_backward_averaged_parameters(X, gamma, G, eps):
    s = np.sqrt(X.var(axis=0) + eps)
    X_hat = (X - X.mean(axis=0)) / s
    dX_hat = G * gamma
    dX = (dX_hat - dX_hat.mean(axis=0) - X_hat * (dX_hat * X_hat).mean(axis=0)) / s
    return dX, (G * X_hat).mean(axis=0), G.mean(axis=0)


@mutation("batchnorm_backward", "dgamma has shape")
def bn_backward_dgamma_not_summed(X, gamma, G, eps):
    s = np.sqrt(X.var(axis=0) + eps)
    X_hat = (X - X.mean(axis=0)) / s
    dX_hat = G * gamma
    dX = (dX_hat - dX_hat.mean(axis=0) - X_hat * (dX_hat * X_hat).mean(axis=0)) / s
    return dX, G * X_hat, G.sum(axis=0)


@mutation("l2_penalty_with_grads", "twice the right answer")
def l2_gradient_twice(weights, weight_decay):
    penalty = 0.5 * weight_decay * sum(np.sum(W ** 2) for W in weights)
    return penalty, [2 * weight_decay * W for W in weights]


@mutation("l2_penalty_with_grads", "the penalty is wrong")
def l2_penalty_without_half(weights, weight_decay):
    penalty = weight_decay * sum(np.sum(W ** 2) for W in weights)
    return penalty, [weight_decay * W for W in weights]


@mutation("l2_penalty_with_grads", "this is λ times the norm")
def l2_norm_not_squared(weights, weight_decay):
    penalty = weight_decay * np.sqrt(sum(np.sum(W ** 2) for W in weights))
    return penalty, [weight_decay * W for W in weights]


@mutation("l2_penalty_with_grads", "the gradient of the L1 penalty")
def l2_gradient_is_l1s(weights, weight_decay):
    penalty = 0.5 * weight_decay * sum(np.sum(W ** 2) for W in weights)
    return penalty, [weight_decay * np.sign(W) for W in weights]


@mutation("l2_penalty_with_grads", "the sign is flipped")
def l2_gradient_negated(weights, weight_decay):
    penalty = 0.5 * weight_decay * sum(np.sum(W ** 2) for W in weights)
    return penalty, [-weight_decay * W for W in weights]


@mutation("l2_penalty_with_grads", "one gradient per weight array")
def l2_one_gradient(weights, weight_decay):
    penalty = 0.5 * weight_decay * sum(np.sum(W ** 2) for W in weights)
    return penalty, weight_decay * weights[0]


# Part IV keeps its mutation tables beside its own chapter's tests (tests/test_exercise_mutations_autograd.py,
# tests/test_exercise_mutations_conv.py); every table is run here, once.
from test_exercise_mutations_autograd import MUTATIONS as AUTOGRAD_MUTATIONS  # noqa: E402
from test_exercise_mutations_conv import MUTATIONS as CONV_MUTATIONS  # noqa: E402

TABLES = {**MUTATIONS, **AUTOGRAD_MUTATIONS, **CONV_MUTATIONS}


def test_every_exercise_of_the_book_has_a_check_and_a_mutation_table():
    assert sorted(BOOK_EXERCISES) == sorted(exercises._CHECKS), "book exercises and registered checks differ"
    assert len(TABLES) == len(MUTATIONS) + len(AUTOGRAD_MUTATIONS) + len(CONV_MUTATIONS), "a name in two tables"
    assert sorted(TABLES) == sorted(exercises._CHECKS)
    for name, (chapter, cell_id, title, _) in BOOK_EXERCISES.items():
        assert title == exercises._CHECKS[name][0], f"{chapter} {cell_id}: the title differs from the check's"
    for name, table in TABLES.items():
        assert len(table) >= 4, f"{name}: only {len(table)} mutations"


@pytest.mark.parametrize("name", sorted(BOOK_EXERCISES))
def test_the_books_solution_passes(name):
    status, message = exercises.grade(name, BOOK_EXERCISES[name][3])
    assert status == "pass", message


@pytest.mark.parametrize("name, label, wrong, expected", mutation_cases(TABLES))
def test_a_wrong_solution_fails_with_its_diagnosis(name, label, wrong, expected):
    assert_graded_fail(name, wrong, label, expected)


def test_the_reference_is_never_graded_as_the_readers():
    for name, (_, reference, _) in exercises._CHECKS.items():
        status, message = exercises.grade(name, reference)
        assert status == "fail" and "reference implementation" in message
