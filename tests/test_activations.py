"""Tests of nnbook.activations (chapter 3): functions and activation modules.

Reference values come from the formulas written out here (or from PyTorch,
when it is installed), never from a stored run.
"""
import math

import numpy as np
import pytest

from helpers import GRAD_TOL, away_from_kink
from nnbook.activations import (
    GELU,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Softplus,
    Tanh,
    log_sigmoid,
    log_softmax,
    relu,
    sigmoid,
    softmax,
)
from nnbook.gradcheck import check_module
from nnbook.layers import Module

FUNCTIONS = [sigmoid, log_sigmoid, relu, softmax, log_softmax]

# (factory, is element-wise)
MODULES = [
    (Identity, True),
    (Sigmoid, True),
    (Tanh, True),
    (ReLU, True),
    (lambda: LeakyReLU(0.1), True),
    (LeakyReLU, True),
    (GELU, True),
    (Softplus, True),
    (lambda: Softplus(beta=2.5), True),
    (Softmax, False),
    (lambda: Softmax(axis=0), False),
    (lambda: Softmax(axis=1), False),
]
MODULE_IDS = [
    "Identity", "Sigmoid", "Tanh", "ReLU", "LeakyReLU(0.1)", "LeakyReLU", "GELU",
    "Softplus", "Softplus(2.5)", "Softmax", "Softmax(0)", "Softmax(1)",
]


# --- gradient checks ----------------------------------------------------------------------


@pytest.mark.parametrize("factory, elementwise", MODULES, ids=MODULE_IDS)
@pytest.mark.parametrize("shape", [(7,), (5, 4), (3, 4, 5), (1, 1)])
def test_gradient_check(factory, elementwise, shape, rng):
    module = factory()
    assert isinstance(module, Module)
    assert module.parameters() == []
    if isinstance(module, Softmax) and module.axis >= len(shape):
        pytest.skip("axis out of range for this shape (tested separately)")
    x = away_from_kink(rng, shape)
    errors = check_module(module, x, rng=rng)
    assert set(errors) == {"input"}
    assert errors["input"] < GRAD_TOL, errors


@pytest.mark.parametrize("factory", [ReLU, LeakyReLU, Sigmoid, Tanh, GELU, Softplus])
def test_gradient_check_wide_range(factory, rng):
    """Large and small magnitudes (saturated regions included)."""
    x = away_from_kink(rng, (6, 10), scale=6.0)
    assert check_module(factory(), x, rng=rng)["input"] < GRAD_TOL


def test_softmax_backward_is_jacobian_vector_product(rng):
    z = rng.normal(size=(4, 6))
    g = rng.normal(size=(4, 6))
    module = Softmax()
    s = module(z)
    grad = module.backward(g)
    for i in range(z.shape[0]):
        jacobian = np.diag(s[i]) - np.outer(s[i], s[i])
        np.testing.assert_allclose(grad[i], jacobian @ g[i], rtol=1e-12, atol=1e-15)


def test_softmax_axis0_matches_transposed_axis_minus1(rng):
    z = rng.normal(size=(5, 3))
    g = rng.normal(size=(5, 3))
    a, b = Softmax(axis=0), Softmax(axis=-1)
    np.testing.assert_allclose(a(z), b(z.T).T, rtol=1e-14)
    np.testing.assert_allclose(a.backward(g), b.backward(g.T).T, rtol=1e-12, atol=1e-15)


# --- derivative formulas written out --------------------------------------------------------


def test_local_derivatives_match_formulas(rng):
    x = away_from_kink(rng, (50,), scale=3.0)
    ones = np.ones_like(x)
    s = 1 / (1 + np.exp(-x))
    cases = [
        (Sigmoid(), s, s * (1 - s)),
        (Tanh(), np.tanh(x), 1 - np.tanh(x) ** 2),
        (ReLU(), np.where(x > 0, x, 0.0), (x > 0).astype(float)),
        (LeakyReLU(0.2), np.where(x > 0, x, 0.2 * x), np.where(x > 0, 1.0, 0.2)),
        (Softplus(), np.log1p(np.exp(x)), s),
        (Identity(), x, ones),
    ]
    for module, value, derivative in cases:
        np.testing.assert_allclose(module(x), value, rtol=1e-12, atol=1e-15, err_msg=repr(module))
        np.testing.assert_allclose(module.backward(ones), derivative, rtol=1e-12, atol=1e-15,
                                   err_msg=repr(module))


def test_gelu_formula(rng):
    x = rng.normal(scale=3.0, size=100)
    c = math.sqrt(2 / math.pi)
    expected = 0.5 * x * (1 + np.tanh(c * (x + 0.044715 * x**3)))
    np.testing.assert_allclose(GELU()(x), expected, rtol=1e-13, atol=1e-15)


# --- properties of the functions -------------------------------------------------------------


def test_softmax_rows_sum_to_one_and_nonnegative(rng):
    z = rng.normal(scale=20.0, size=(10, 7))
    for axis in (0, 1, -1):
        s = softmax(z, axis=axis)
        assert (s >= 0).all()
        np.testing.assert_allclose(s.sum(axis=axis), 1.0, rtol=1e-14)


def test_softmax_shift_invariance(rng):
    z = rng.normal(size=(4, 5))
    np.testing.assert_allclose(softmax(z + 123.0), softmax(z), rtol=1e-12)
    np.testing.assert_allclose(softmax(z), np.exp(z) / np.exp(z).sum(axis=1, keepdims=True), rtol=1e-13)


def test_log_softmax_is_log_of_softmax(rng):
    z = rng.normal(scale=5.0, size=(6, 8))
    for axis in (0, -1):
        np.testing.assert_allclose(log_softmax(z, axis), np.log(softmax(z, axis)), rtol=1e-12)


def test_log_softmax_finite_where_log_softmax_is_not():
    z = np.array([[0.0, 1000.0]])
    with np.errstate(divide="ignore"):
        assert np.isneginf(np.log(softmax(z))[0, 0])
    np.testing.assert_allclose(log_softmax(z), [[-1000.0, 0.0]])


def test_sigmoid_symmetry_and_values(rng):
    x = rng.normal(scale=10.0, size=200)
    # 1 - sigmoid(x) is only accurate to about one ulp of 1 (cancellation), hence atol
    np.testing.assert_allclose(sigmoid(-x), 1 - sigmoid(x), rtol=1e-12, atol=4e-16)
    np.testing.assert_allclose(sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-14)
    assert sigmoid(np.array(0.0)) == 0.5
    # full relative precision in the left tail
    np.testing.assert_allclose(sigmoid(np.array([-40.0, -700.0])), np.exp([-40.0, -700.0]), rtol=1e-14)


def test_log_sigmoid_values(rng):
    x = rng.normal(scale=5.0, size=100)
    np.testing.assert_allclose(log_sigmoid(x), -np.log1p(np.exp(-x)), rtol=1e-13)
    np.testing.assert_allclose(log_sigmoid(np.array([-1e4, 1e4])), [-1e4, 0.0], atol=1e-300)


def test_relu_function(rng):
    x = rng.normal(size=(3, 4))
    np.testing.assert_array_equal(relu(x), np.where(x > 0, x, 0.0))


# --- dtype ------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.__name__)
def test_functions_preserve_dtype(function, dtype, rng):
    x = rng.normal(size=(3, 4)).astype(dtype)
    assert function(x).dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("factory, elementwise", MODULES, ids=MODULE_IDS)
def test_modules_preserve_dtype(factory, elementwise, dtype, rng):
    module = factory()
    x = away_from_kink(rng, (3, 4)).astype(dtype)
    y = module(x)
    assert y.dtype == dtype and y.shape == x.shape
    grad = module.backward(np.ones_like(y))
    assert grad.dtype == dtype and grad.shape == x.shape


# --- numerical stability (warnings are errors under pytest) ---------------------------------


EXTREME = [
    np.array([[-1e4, 1e4, 0.0], [1e4, 1e4, -1e4]]),
    np.array([[-1e3, 1e3, 5.0], [1e3, -1e3, 1e3]]),
    np.array([[1e4, 1e4 - 1.0, 1e4 - 2.0]]),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("x", EXTREME)
@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.__name__)
def test_functions_stable_at_extreme_inputs(function, x, dtype):
    y = function(x.astype(dtype))
    assert np.isfinite(y).all()


def test_stable_values_at_extreme_inputs():
    x = np.array([[-1e4, 1e4, 0.0]])
    np.testing.assert_array_equal(sigmoid(x), [[0.0, 1.0, 0.5]])
    np.testing.assert_array_equal(softmax(x), [[0.0, 1.0, 0.0]])
    np.testing.assert_allclose(softmax(np.array([[1e4, 1e4 - np.log(3.0)]])), [[0.75, 0.25]], rtol=1e-12)
    np.testing.assert_allclose(log_softmax(x), [[-2e4, 0.0, -1e4]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("x", EXTREME)
@pytest.mark.parametrize("factory, elementwise", MODULES, ids=MODULE_IDS)
def test_modules_stable_at_extreme_inputs(factory, elementwise, x, dtype, rng):
    module = factory()
    x = x.astype(dtype)
    if isinstance(module, Softmax) and module.axis >= x.ndim:
        pytest.skip("axis out of range")
    y = module(x)
    assert np.isfinite(y).all()
    grad = module.backward(rng.normal(size=x.shape).astype(dtype))
    assert np.isfinite(grad).all()


def test_saturated_sigmoid_and_tanh_have_zero_gradient():
    x = np.array([-1e4, 1e4])
    for module in (Sigmoid(), Tanh()):
        module(x)
        np.testing.assert_array_equal(module.backward(np.ones(2)), [0.0, 0.0])


# --- comparison with PyTorch ------------------------------------------------------------------


def _torch_pairs(torch):
    nn = torch.nn
    return [
        (Identity(), nn.Identity()),
        (Sigmoid(), nn.Sigmoid()),
        (Tanh(), nn.Tanh()),
        (ReLU(), nn.ReLU()),
        (LeakyReLU(0.2), nn.LeakyReLU(0.2)),
        (GELU(), nn.GELU(approximate="tanh")),
        (Softplus(beta=1.5), nn.Softplus(beta=1.5)),
        (Softmax(axis=-1), nn.Softmax(dim=-1)),
        (Softmax(axis=0), nn.Softmax(dim=0)),
    ]


@pytest.mark.parametrize("index", range(9))
def test_modules_match_torch(index, rng):
    torch = pytest.importorskip("torch")
    ours, theirs = _torch_pairs(torch)[index]
    x = away_from_kink(rng, (5, 6), scale=3.0)
    g = rng.normal(size=x.shape)
    xt = torch.tensor(x, requires_grad=True)
    yt = theirs(xt)
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(ours(x), yt.detach().numpy(), rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(ours.backward(g), xt.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_functions_match_torch(rng):
    torch = pytest.importorskip("torch")
    x = rng.normal(scale=10.0, size=(4, 7))
    xt = torch.tensor(x)
    np.testing.assert_allclose(sigmoid(x), torch.sigmoid(xt).numpy(), rtol=1e-12)
    np.testing.assert_allclose(log_sigmoid(x), torch.nn.functional.logsigmoid(xt).numpy(), rtol=1e-12)
    np.testing.assert_allclose(relu(x), torch.relu(xt).numpy())
    for axis in (0, 1):
        np.testing.assert_allclose(softmax(x, axis), torch.softmax(xt, axis).numpy(), rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(log_softmax(x, axis), torch.log_softmax(xt, axis).numpy(), rtol=1e-12)


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("factory, elementwise", MODULES, ids=MODULE_IDS)
def test_module_rejects_integer_input(factory, elementwise):
    module = factory()
    name = type(module).__name__
    with pytest.raises(ValueError, match=rf"{name}.*floating-point.*shape \(2, 3\), dtype int"):
        module(np.ones((2, 3), dtype=np.int64))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("factory, elementwise", MODULES, ids=MODULE_IDS)
def test_module_rejects_nan_and_inf(factory, elementwise, bad):
    module = factory()
    x = np.zeros((2, 3))
    x[1, 2] = bad
    with pytest.raises(ValueError, match=rf"{type(module).__name__}.*shape \(2, 3\).*1 NaN or infinite"):
        module(x)


@pytest.mark.parametrize("factory, elementwise", MODULES, ids=MODULE_IDS)
def test_backward_before_forward(factory, elementwise):
    module = factory()
    with pytest.raises(RuntimeError, match=rf"{type(module).__name__}.*backward\(\) called before forward\(\)"):
        module.backward(np.ones((2, 3)))


@pytest.mark.parametrize("factory, elementwise", MODULES, ids=MODULE_IDS)
def test_backward_wrong_shape(factory, elementwise):
    module = factory()
    module(np.ones((2, 3)))
    for wrong in [(3, 2), (2,), (2, 3, 1), (2, 1)]:
        with pytest.raises(ValueError, match=rf"{type(module).__name__}.*backward.*shape \({wrong[0]},"):
            module.backward(np.ones(wrong))


@pytest.mark.parametrize("factory, elementwise", MODULES, ids=MODULE_IDS)
def test_backward_wrong_dtype(factory, elementwise):
    module = factory()
    module(np.ones((2, 3), dtype=np.float32))
    with pytest.raises(ValueError, match=rf"{type(module).__name__}.*backward.*dtype float64, expected float32"):
        module.backward(np.ones((2, 3)))


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.__name__)
def test_functions_reject_integer_input(function):
    with pytest.raises(ValueError, match=rf"{function.__name__}: .*floating-point.*shape \(2, 3\), dtype int"):
        function(np.ones((2, 3), dtype=np.int64))


@pytest.mark.parametrize("function", [softmax, log_softmax], ids=lambda f: f.__name__)
def test_softmax_functions_reject_bad_axis(function):
    with pytest.raises(ValueError, match=rf"{function.__name__}: axis 2 is out of range.*2 dimension"):
        function(np.ones((2, 3)), axis=2)


def test_softmax_module_bad_axis():
    with pytest.raises(ValueError, match=r"Softmax\(axis=1\).*shape \(4,\).*axis 1 is out of range"):
        Softmax(axis=1)(np.ones(4))
    with pytest.raises(ValueError, match=r"Softmax: axis must be an integer"):
        Softmax(axis=1.0)


def test_constructor_validation():
    with pytest.raises(ValueError, match=r"LeakyReLU: negative_slope must be a finite real number, got nan"):
        LeakyReLU(float("nan"))
    with pytest.raises(ValueError, match=r"Softplus: invalid beta=0\.0; it must be in \(0, inf\)"):
        Softplus(beta=0.0)
    with pytest.raises(ValueError, match=r"Softplus: beta must be a finite real number, got inf"):
        Softplus(beta=float("inf"))


def test_slope_given_as_numpy_scalar_keeps_float32():
    module = LeakyReLU(np.float64(0.1))
    x = np.array([[-1.0, 2.0]], dtype=np.float32)
    assert module(x).dtype == np.float32
    assert module.backward(np.ones_like(x)).dtype == np.float32


def test_repr():
    assert repr(LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(Softmax(axis=0)) == "Softmax(axis=0)"
    assert repr(ReLU()) == "ReLU()"
    assert repr(Softplus(beta=2.0)) == "Softplus(beta=2.0)"
    assert repr(GELU()) == "GELU(approximate='tanh')"


def test_activations_compose_with_sequential(rng):
    from nnbook.layers import Linear, Sequential

    model = Sequential(Linear(3, 5, rng=0), Tanh(), Linear(5, 4, rng=1), ReLU(), Linear(4, 2, rng=2), Softmax())
    x = rng.normal(size=(6, 3))
    errors = check_module(model, x, rng=rng)
    assert max(errors.values()) < GRAD_TOL, errors
