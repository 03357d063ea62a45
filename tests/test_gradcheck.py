"""Tests of nnbook.gradcheck: the tool every other test relies on.

``numerical_gradient`` is checked against functions whose derivatives are
known in closed form; ``check_module`` and ``check_loss`` must pass correct
backward passes and fail wrong ones by a wide margin.
"""
import numpy as np
import pytest

from helpers import GRAD_TOL
from nnbook.gradcheck import check_loss, check_module, numerical_gradient, rel_error
from nnbook.layers import Linear, Module, Parameter, Sequential
from nnbook.checks import check_grad_out, no_forward_error

WRONG = 1e-3  # a wrong gradient must be off by at least this much


# ---------------------------------------------------------------------------
# numerical_gradient
# ---------------------------------------------------------------------------


def test_numerical_gradient_of_a_quadratic(rng):
    # f(x) = x^T A x + c^T x, gradient (A + A^T) x + c. Central differences are
    # exact for a quadratic, so only rounding error remains.
    A = rng.normal(size=(5, 5))
    c = rng.normal(size=5)
    x = rng.normal(size=5)
    numeric = numerical_gradient(lambda: x @ A @ x + c @ x, x)
    assert numeric.shape == x.shape and numeric.dtype == np.float64
    assert rel_error(numeric, (A + A.T) @ x + c) < 1e-9


def test_numerical_gradient_of_sin(rng):
    x = rng.uniform(-3, 3, size=(4, 3))
    numeric = numerical_gradient(lambda: np.sum(np.sin(x)), x)
    np.testing.assert_allclose(numeric, np.cos(x), rtol=0, atol=1e-8)


def test_numerical_gradient_of_a_matrix_function(rng):
    # f(A) = log det A for a symmetric positive definite A: df/dA = (A^{-1})^T.
    B = rng.normal(size=(4, 4))
    A = B @ B.T + 4 * np.eye(4)

    def f():
        sign, logdet = np.linalg.slogdet(A)
        return logdet

    numeric = numerical_gradient(f, A)
    assert rel_error(numeric, np.linalg.inv(A).T) < 1e-8


def test_numerical_gradient_of_a_least_squares_loss(rng):
    # f(W) = ||XW - Y||^2, df/dW = 2 X^T (XW - Y).
    X = rng.normal(size=(6, 3))
    Y = rng.normal(size=(6, 2))
    W = rng.normal(size=(3, 2))
    numeric = numerical_gradient(lambda: np.sum((X @ W - Y) ** 2), W)
    assert rel_error(numeric, 2 * X.T @ (X @ W - Y)) < 1e-9


def test_central_differences_are_second_order():
    # Halving eps divides the truncation error by about 4 (O(eps^2)).
    x = np.array([0.7])
    exact = np.cos(0.7)
    e1 = abs(numerical_gradient(lambda: np.sin(x[0]), x, eps=1e-2)[0] - exact)
    e2 = abs(numerical_gradient(lambda: np.sin(x[0]), x, eps=5e-3)[0] - exact)
    assert 3.5 < e1 / e2 < 4.5


def test_numerical_gradient_restores_x_exactly(rng):
    x = rng.normal(size=(3, 4)) * 1e3 + 0.1  # values where x + eps - eps != x in general
    before = x.copy()
    identity = id(x)
    numerical_gradient(lambda: np.sum(x**2), x, eps=1e-3)
    assert id(x) == identity
    assert np.array_equal(x.view(np.int64), before.view(np.int64))  # bit for bit


def test_numerical_gradient_restores_x_when_f_raises(rng):
    x = rng.normal(size=5)
    before = x.copy()
    calls = []

    def f():
        calls.append(1)
        if len(calls) == 4:
            raise ArithmeticError("boom")
        return float(np.sum(x))

    with pytest.raises(ArithmeticError, match="boom"):
        numerical_gradient(f, x)
    assert np.array_equal(x, before)


def test_numerical_gradient_of_a_scalar_array():
    x = np.array(2.0)
    g = numerical_gradient(lambda: x**3, x)
    assert g.shape == () and abs(g - 12.0) < 1e-7


def test_numerical_gradient_rejects_float32():
    x = np.ones(3, dtype=np.float32)
    with pytest.raises(ValueError, match=r"numerical_gradient.*float64.*float32"):
        numerical_gradient(lambda: np.sum(x), x)


def test_numerical_gradient_rejects_a_list():
    with pytest.raises(ValueError, match="numerical_gradient: x must be a NumPy array"):
        numerical_gradient(lambda: 0.0, [1.0, 2.0])


def test_numerical_gradient_rejects_non_scalar_f():
    x = np.ones(3)
    with pytest.raises(ValueError, match=r"f\(\) must return a scalar, got an array of shape \(3,\)"):
        numerical_gradient(lambda: x * 2, x)


@pytest.mark.parametrize("eps, message", [
    (0.0, r"invalid eps=0\.0; it must be in \(0, inf\)"),
    (-1e-6, r"invalid eps=-1e-06; it must be in \(0, inf\)"),
    (float("nan"), r"eps must be a finite real number, got nan"),
    ("small", r"eps must be a finite real number, got 'small'"),
])
def test_numerical_gradient_rejects_bad_eps(eps, message):
    x = np.ones(2)
    with pytest.raises(ValueError, match=r"^numerical_gradient: " + message):
        numerical_gradient(lambda: np.sum(x), x, eps=eps)


def test_numerical_gradient_step_lost_in_rounding():
    x = np.array([1e20])
    with pytest.raises(ValueError, match="too small to change"):
        numerical_gradient(lambda: float(x[0]), x, eps=1e-6)
    assert x[0] == 1e20


# ---------------------------------------------------------------------------
# rel_error
# ---------------------------------------------------------------------------


def test_rel_error_is_zero_for_equal_arrays(rng):
    a = rng.normal(size=(3, 4))
    assert rel_error(a, a.copy()) == 0.0
    assert rel_error(np.zeros(5), np.zeros(5)) == 0.0
    assert rel_error(np.zeros((0, 3)), np.zeros((0, 3))) == 0.0


def test_rel_error_is_symmetric(rng):
    a, b = rng.normal(size=(2, 10))
    assert rel_error(a, b) == rel_error(b, a)


@pytest.mark.parametrize("scale", [1e-30, 1e-3, -7.0, 1e30, 1e300])
def test_rel_error_is_scale_invariant(rng, scale):
    a = rng.normal(size=10)
    b = a + 1e-4 * rng.normal(size=10)
    assert rel_error(scale * a, scale * b) == pytest.approx(rel_error(a, b), rel=1e-9)


def test_rel_error_values(rng):
    a = rng.normal(size=6)
    assert rel_error(a, -a) == pytest.approx(1.0)  # opposite directions
    assert rel_error(a, np.zeros(6)) == pytest.approx(1.0)  # forgot the gradient
    assert rel_error(a, 2 * a) == pytest.approx(1 / 3)  # a missing factor 2
    # Independent formula on a small case.
    x, y = np.array([3.0, 4.0]), np.array([3.0, 5.0])
    assert rel_error(x, y) == pytest.approx(1.0 / (5.0 + np.sqrt(34.0)))
    e = rel_error(a, a + rng.normal(size=6))
    assert 0.0 <= e <= 1.0


def test_rel_error_non_finite_is_infinite():
    assert rel_error(np.array([1.0, np.nan]), np.array([1.0, 2.0])) == float("inf")
    assert rel_error(np.array([np.inf]), np.array([np.inf])) == float("inf")


@pytest.mark.parametrize("shapes", [((3,), (4,)), ((5, 1), (5,)), ((2, 3), (3, 2))])
def test_rel_error_shape_mismatch_raises(shapes):
    a, b = np.zeros(shapes[0]), np.zeros(shapes[1])
    with pytest.raises(ValueError, match=r"rel_error: shapes .* differ") as info:
        rel_error(a, b)
    assert str(shapes[0]) in str(info.value) and str(shapes[1]) in str(info.value)


# ---------------------------------------------------------------------------
# Modules used as test subjects
# ---------------------------------------------------------------------------


class Square(Module):
    """y = x**2, with a correct or deliberately wrong backward."""

    def __init__(self, factor=2.0):
        super().__init__()
        self.factor = factor  # the derivative is 2x; factor=1 is the classic slip
        self._x = None

    def forward(self, x):
        self._x = x
        return x**2

    def backward(self, grad_out):
        if self._x is None:
            raise no_forward_error(self)
        return self.factor * self._x * grad_out


class Scale(Module):
    """y = x * w (w a vector over features), with optional bugs in its backward."""

    def __init__(self, n_features, rng, bug=None):
        super().__init__()
        self.w = Parameter(np.random.default_rng(rng).normal(size=n_features))
        self.bug = bug
        self._x = None

    def forward(self, x):
        self._x = x
        return x * self.w.data

    def backward(self, grad_out):
        grad_out = check_grad_out(grad_out, self._x.shape, self._x.dtype, self)
        if self.bug != "no-param-grad":
            self.w.accumulate_grad((grad_out * self._x).sum(axis=0))
        if self.bug == "no-return":
            return None
        if self.bug == "wrong-shape":
            return (grad_out * self.w.data)[:, :1]
        return grad_out * self.w.data


class MeanBiasLinear(Linear):
    """A Linear whose bias gradient averages over the batch instead of summing."""

    def backward(self, grad_out):
        grad_in = super().backward(grad_out)
        self.bias.grad *= 1.0 / grad_out.shape[0]
        return grad_in


class UpdateInBackwardLinear(Linear):
    """The classic bug: update W inside backward, then propagate with the new W."""

    def backward(self, grad_out):
        x = self._saved()
        self.weight.accumulate_grad(x.T @ grad_out)
        self.bias.accumulate_grad(grad_out.sum(axis=0))
        self.weight.data -= 0.5 * self.weight.grad
        return grad_out @ self.weight.data.T


class SumSquaresLoss:
    """L = sum((pred - target)**2) / n, with an optional wrong backward."""

    def __init__(self, factor=2.0):
        self.factor = factor
        self._diff = None

    def __call__(self, pred, target):
        self._diff = pred - target
        return float(np.sum(self._diff**2) / pred.shape[0])

    def backward(self):
        return self.factor * self._diff / self._diff.shape[0]


# ---------------------------------------------------------------------------
# check_module
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("n, d, m", [(1, 1, 1), (4, 3, 2), (7, 5, 6)])
@pytest.mark.parametrize("bias", [True, False])
def test_check_module_passes_a_correct_linear(rng, n, d, m, bias):
    layer = Linear(d, m, bias=bias, rng=rng)
    errors = check_module(layer, rng.normal(size=(n, d)), rng=rng)
    assert set(errors) == {"input"} | {name for name, _ in layer.named_parameters()}
    assert all(err < GRAD_TOL for err in errors.values()), errors


def test_check_module_passes_a_correct_sequential(rng):
    model = Sequential(Linear(4, 6, rng=rng), Square(), Linear(6, 3, rng=rng))
    errors = check_module(model, rng.normal(size=(5, 4)), rng=rng)
    assert list(errors) == ["input", "0.weight", "0.bias", "2.weight", "2.bias"]
    assert all(err < GRAD_TOL for err in errors.values()), errors


def test_check_module_accepts_a_list_input(rng):
    errors = check_module(Linear(2, 2, rng=rng), [[1.0, 2.0], [3.0, -1.0]], rng=rng)
    assert all(err < GRAD_TOL for err in errors.values())


def test_check_module_catches_a_wrong_input_gradient(rng):
    errors = check_module(Square(factor=1.0), rng.normal(size=(4, 3)), rng=rng)
    assert errors["input"] > WRONG
    assert check_module(Square(), rng.normal(size=(4, 3)), rng=rng)["input"] < GRAD_TOL


def test_check_module_catches_a_missing_parameter_gradient(rng):
    errors = check_module(Scale(3, rng, bug="no-param-grad"), rng.normal(size=(4, 3)), rng=rng)
    assert errors["input"] < GRAD_TOL
    assert errors["w"] > WRONG


def test_check_module_catches_a_wrong_bias_gradient_inside_a_sequential(rng):
    model = Sequential(MeanBiasLinear(3, 4, rng=rng), Square(), Linear(4, 2, rng=rng))
    errors = check_module(model, rng.normal(size=(6, 3)), rng=rng)
    assert errors["0.bias"] == pytest.approx(5 / 7, rel=1e-6)  # a 1/n too many, n = 6
    for name in ("input", "0.weight", "2.weight", "2.bias"):
        assert errors[name] < GRAD_TOL, (name, errors)


def test_check_module_catches_update_in_backward_and_restores_the_weights(rng):
    layer = UpdateInBackwardLinear(3, 4, rng=rng)
    weight = layer.weight.data.copy()
    errors = check_module(layer, rng.normal(size=(5, 3)), rng=rng)
    assert errors["input"] > WRONG
    assert np.array_equal(layer.weight.data, weight)
    assert layer.weight.grad is None


def test_check_module_rejects_a_backward_without_return(rng):
    with pytest.raises(ValueError, match=r"Scale\(\)\.backward returned NoneType, expected .* shape \(4, 3\)"):
        check_module(Scale(3, rng, bug="no-return"), rng.normal(size=(4, 3)), rng=rng)


def test_check_module_rejects_a_backward_of_the_wrong_shape(rng):
    with pytest.raises(ValueError, match=r"returned shape \(4, 1\), expected .* shape \(4, 3\)"):
        check_module(Scale(3, rng, bug="wrong-shape"), rng.normal(size=(4, 3)), rng=rng)


def test_check_module_rejects_a_float32_module(rng):
    layer = Linear(3, 2, rng=rng, dtype=np.float32)
    with pytest.raises(ValueError, match=r"Linear\(in_features=3.*float64.*'weight'.*float32"):
        check_module(layer, rng.normal(size=(4, 3)), rng=rng)


def test_check_module_rejects_a_float32_input(rng):
    with pytest.raises(ValueError, match=r"Linear\(in_features=3.*float64.*shape \(4, 3\) and dtype float32"):
        check_module(Linear(3, 2, rng=rng), rng.normal(size=(4, 3)).astype(np.float32), rng=rng)


def test_check_module_rejects_a_non_module(rng):
    with pytest.raises(ValueError, match="check_module: expected a Module, got SumSquaresLoss"):
        check_module(SumSquaresLoss(), np.ones((2, 2)))


def test_check_module_leaves_gradients_none_and_values_unchanged(rng):
    model = Sequential(Linear(3, 4, rng=rng), Square(), Linear(4, 2, rng=rng))
    x = rng.normal(size=(5, 3))
    x_before = x.copy()
    state = model.state_dict()
    model(x)
    model.backward(np.ones((5, 2)))  # stale gradients must not leak into the check
    errors = check_module(model, x, rng=rng)
    assert all(err < GRAD_TOL for err in errors.values())
    assert all(p.grad is None for p in model.parameters())
    assert np.array_equal(x, x_before)
    for name, value in model.state_dict().items():
        assert np.array_equal(value, state[name]), name


def test_check_module_is_reproducible_with_a_seed(rng):
    layer = Linear(3, 2, rng=rng)
    x = rng.normal(size=(4, 3))
    assert check_module(layer, x, rng=7) == check_module(layer, x, rng=7)


# ---------------------------------------------------------------------------
# check_loss
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(1, 1), (5, 1), (4, 3)])
def test_check_loss_passes_a_correct_loss(rng, shape):
    assert check_loss(SumSquaresLoss(), rng.normal(size=shape), rng.normal(size=shape)) < GRAD_TOL


def test_check_loss_catches_a_wrong_loss(rng):
    pred, target = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    assert check_loss(SumSquaresLoss(factor=1.0), pred, target) > WRONG


def test_check_loss_does_not_modify_pred(rng):
    pred, target = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    before = pred.copy()
    check_loss(SumSquaresLoss(), pred, target)
    assert np.array_equal(pred, before)


def test_check_loss_rejects_float32(rng):
    pred, target = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    with pytest.raises(ValueError, match=r"SumSquaresLoss.*float64.*pred of shape \(4, 3\) and dtype float32"):
        check_loss(SumSquaresLoss(), pred.astype(np.float32), target)
    with pytest.raises(ValueError, match=r"SumSquaresLoss.*float64.*target of shape \(4, 3\) and dtype float32"):
        check_loss(SumSquaresLoss(), pred, target.astype(np.float32))


def test_check_loss_rejects_a_backward_of_the_wrong_shape(rng):
    class Flat(SumSquaresLoss):
        def backward(self):
            return super().backward().ravel()

    with pytest.raises(ValueError, match=r"Flat\(\)\.backward\(\) returned shape \(12,\), expected .* \(4, 3\)"):
        check_loss(Flat(), rng.normal(size=(4, 3)), rng.normal(size=(4, 3)))


def test_check_loss_on_nnbook_cross_entropy(rng):
    losses = pytest.importorskip("nnbook.losses")
    logits = rng.normal(size=(6, 4))
    labels = rng.integers(0, 4, size=6)
    assert check_loss(losses.CrossEntropyLoss(), logits, labels) < GRAD_TOL

    class MissingMean(losses.CrossEntropyLoss):
        def backward(self):
            return super().backward() * 6  # forgot the 1/n of the mean

    # rel_error(g, n g) = (n - 1) / (n + 1): the signature of a missing 1/n.
    assert check_loss(MissingMean(), logits, labels) == pytest.approx(5 / 7, rel=1e-6)
