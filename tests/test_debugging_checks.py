"""The checks of chapter 13 (*Debugging backpropagation*) catch the bugs they are aimed at.

Each test builds a minimal version of one exhibit of the chapter and asserts that the
library's check flags the buggy variant and passes the correct one, so that a change to
``nnbook`` that would blind one of these checks fails here.
"""
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import GRAD_TOL
from nnbook.activations import Softmax, Tanh, log_softmax, sigmoid, softmax
from nnbook.gradcheck import check_loss, check_module
from nnbook.layers import Linear, Sequential
from nnbook.losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from nnbook.optim import SGD

WRONG = 1e-3  # a gradient this far off is a bug, not rounding


class _UpdateFirstLinear(Linear):
    """Exhibit 1: updates W inside backward, then propagates with the new W."""

    def __init__(self, in_features, out_features, *, lr, rng=None):
        super().__init__(in_features, out_features, rng=rng)
        self.lr = lr

    def backward(self, grad_out, input_grad=True):
        self.weight.accumulate_grad(self._saved().T @ grad_out)
        self.bias.accumulate_grad(grad_out.sum(axis=0))
        self.weight.data -= self.lr * self.weight.grad
        self.bias.data -= self.lr * self.bias.grad
        return grad_out @ self.weight.data.T


class _DiagonalSoftmax(Softmax):
    """Exhibit 2: the softmax Jacobian replaced by its diagonal."""

    def backward(self, grad_out, input_grad=True):
        s = self._saved()
        return grad_out * s * (1 - s)


class _MatmulTanh(Tanh):
    """Exhibit 3: @ where * was meant (runs only when batch size == width)."""

    def backward(self, grad_out, input_grad=True):
        t = self._saved()
        return grad_out @ (1 - t * t)


@pytest.mark.parametrize("lr", [1e-3, 0.1])
def test_update_before_propagate_fails_the_input_check(rng, lr):
    net = Sequential(_UpdateFirstLinear(3, 5, lr=lr, rng=rng), Tanh(),
                     _UpdateFirstLinear(5, 2, lr=lr, rng=rng))
    errors = check_module(net, rng.normal(size=(4, 3)), rng=rng)
    assert errors["input"] > WRONG
    assert errors["0.weight"] > WRONG
    # The last layer's own gradients are computed before its update: they are right.
    assert errors["2.weight"] < GRAD_TOL and errors["2.bias"] < GRAD_TOL


def test_update_with_zero_lr_is_a_correct_linear(rng):
    net = Sequential(_UpdateFirstLinear(3, 5, lr=0.0, rng=rng), Tanh(),
                     _UpdateFirstLinear(5, 2, lr=0.0, rng=rng))
    assert max(check_module(net, rng.normal(size=(4, 3)), rng=rng).values()) < GRAD_TOL


@pytest.mark.parametrize("shape", [(5, 4), (2, 3), (7, 6)])
def test_diagonal_softmax_fails_and_softmax_passes(rng, shape):
    n, d = shape
    x = rng.normal(size=(n, d))
    buggy = Sequential(Linear(d, 3, rng=1), _DiagonalSoftmax())
    correct = Sequential(Linear(d, 3, rng=1), Softmax())
    assert min(check_module(buggy, x, rng=2).values()) > WRONG
    assert max(check_module(correct, x, rng=2).values()) < GRAD_TOL


def test_diagonal_softmax_under_cross_entropy_is_right_only_on_the_true_class(rng):
    z = rng.normal(size=(6, 4))
    y = rng.integers(0, 4, size=6)
    onehot = np.eye(4)[y]
    s = softmax(z)
    buggy = (-onehot / s) * s * (1 - s)  # dL/ds of -log s_y, times the diagonal
    correct = s - onehot
    rows = np.arange(6)
    np.testing.assert_allclose(buggy[rows, y], correct[rows, y], rtol=1e-12)
    mask = onehot == 0
    assert np.all(buggy[mask] == 0) and np.all(correct[mask] > 0)


def test_matmul_for_elementwise_fails_when_square_and_raises_otherwise(rng):
    net = Sequential(Linear(3, 4, rng=rng), _MatmulTanh(), Linear(4, 2, rng=rng))
    errors = check_module(net, rng.normal(size=(4, 3)), rng=rng)
    assert errors["input"] > WRONG and errors["0.weight"] > WRONG
    net(rng.normal(size=(5, 3)))
    with pytest.raises(ValueError):
        net.backward(np.ones((5, 2)))


def test_gradient_of_wrong_shape_is_rejected(rng):
    """Exhibit 4: a (d, 1) gradient for a (d, h) weight is not broadcast silently."""
    layer = Linear(2, 16, rng=rng)
    with pytest.raises(ValueError, match=re.escape("gradient has shape (2, 1), expected (2, 16)")):
        layer.weight.accumulate_grad(np.ones((2, 1)))


def test_summed_loss_gradient_grows_with_n(rng):
    """Exhibit 5: the first gradient of a summed loss is n times that of the mean."""
    for n in (10, 1000):
        pred, target = rng.normal(size=(n, 1)), rng.normal(size=(n, 1))
        loss_sum, loss_mean = MSELoss("sum"), MSELoss("mean")
        loss_sum(pred, target)
        loss_mean(pred, target)
        np.testing.assert_allclose(loss_sum.backward(), n * loss_mean.backward(), rtol=1e-12)


def test_missing_zero_grad_accumulates(rng):
    """Exhibit 6: two backward passes without a reset give twice the gradient."""
    model = Sequential(Linear(3, 4, rng=rng), Tanh(), Linear(4, 1, rng=rng))
    x, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 1))
    loss_fn = MSELoss()
    loss_fn(model(x), y)
    model.backward(loss_fn.backward())
    once = [p.grad.copy() for p in model.parameters()]
    loss_fn(model(x), y)
    model.backward(loss_fn.backward())
    for p, g in zip(model.parameters(), once):
        np.testing.assert_allclose(p.grad, 2 * g, rtol=1e-12)
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_zero_grad_between_backward_and_step_is_an_error(rng):
    model = Linear(3, 1, rng=rng)
    optimizer = SGD(model.parameters(), lr=0.1)
    loss_fn = MSELoss()
    loss_fn(model(rng.normal(size=(5, 3))), rng.normal(size=(5, 1)))
    model.backward(loss_fn.backward())
    optimizer.zero_grad()
    with pytest.raises(RuntimeError, match=r"SGD\.step.*zero_grad\(\) before the backward pass"):
        optimizer.step()


@pytest.mark.parametrize("n", [3, 8])
def test_column_prediction_against_flat_target_is_rejected(rng, n):
    """Exhibit 7: MSELoss names both shapes and the (n, n) broadcast."""
    pred, target = rng.normal(size=(n, 1)), rng.normal(size=n)
    message = (f"pred has shape ({n}, 1) but target has shape ({n},)", f"broadcast them to ({n}, {n})")
    with pytest.raises(ValueError, match="MSELoss") as info:
        MSELoss()(pred, target)
    assert all(part in str(info.value) for part in message)


def test_broadcast_mse_is_minimised_by_the_mean_at_the_variance(rng):
    """Exhibit 7: the (n, n) loss at pred = mean(y) equals var(y) and is stationary there."""
    y = rng.normal(size=9)
    pred = np.full((9, 1), y.mean())
    diff = pred - y
    assert np.isclose(np.mean(diff**2), y.var(), rtol=1e-12)
    grad = 2 * diff.sum(axis=1) / diff.size
    np.testing.assert_allclose(grad, 0.0, atol=1e-15)


@settings(max_examples=50, deadline=None)
@given(n_classes=st.integers(2, 6), seed=st.integers(0, 2**32 - 1), scale=st.floats(0.1, 50.0))
def test_double_softmax_loss_has_a_floor(n_classes, seed, scale):
    """Exhibit 8: cross-entropy of probabilities used as logits is >= log(1 + (C-1)/e)."""
    rng = np.random.default_rng(seed)
    logits = scale * rng.normal(size=(7, n_classes))
    labels = rng.integers(0, n_classes, size=7)
    loss = CrossEntropyLoss()(softmax(logits), labels)
    assert loss >= np.log1p((n_classes - 1) / np.e) - 1e-12


def test_naive_bce_is_nan_where_the_library_losses_are_finite():
    """Exhibit 10: sigmoid(40) rounds to 1.0; the naive BCE gives NaN, the library does not."""
    z = np.array([[-3.0], [40.0], [2.0]])
    t = np.array([[0.0], [1.0], [1.0]])
    p = sigmoid(z)
    assert p[1, 0] == 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        naive = -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))
    assert np.isnan(naive)
    exact = -np.mean(t * log_sigmoid_ref(z) + (1 - t) * log_sigmoid_ref(-z))
    assert np.isclose(BCEWithLogitsLoss()(z, t), exact, rtol=1e-12)
    assert np.isfinite(BCELoss()(p, t))
    assert check_loss(BCEWithLogitsLoss(), z, t) < GRAD_TOL


def log_sigmoid_ref(z):
    """log(sigmoid(z)) through log_softmax of (0, z): an independent stable formula."""
    pairs = np.concatenate([np.zeros_like(z), z], axis=1)
    return log_softmax(pairs, axis=1)[:, 1:]
