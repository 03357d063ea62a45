"""Tests of nnbook.init (chapter 6, *Initialization*).

Reference values come from the formulas (stated in each test), and from
``torch.nn.init`` when torch is installed. Statistical checks use 10^6 draws,
for which the sample standard deviation is within about 0.1% of the true one
(its relative standard error is 1/sqrt(2N) = 0.07%), so a 1% tolerance is
more than ten standard errors and the tests cannot fail by chance.
"""
import math
from functools import partial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook import init
from nnbook.layers import Linear

# Every initializer with the options that make it usable as Linear(init=...).
INITIALIZERS = {
    "zeros": init.zeros,
    "constant": partial(init.constant, value=0.25),
    "normal": init.normal,
    "uniform": init.uniform,
    "xavier_uniform": init.xavier_uniform,
    "xavier_normal": init.xavier_normal,
    "kaiming_uniform": init.kaiming_uniform,
    "kaiming_normal": init.kaiming_normal,
}
RANDOM = ["normal", "uniform", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal"]

# PyTorch's gains, from the formulas in the docs of torch.nn.init.calculate_gain.
EXPECTED_GAINS = [
    ("linear", None, 1.0),
    ("identity", None, 1.0),
    ("sigmoid", None, 1.0),
    ("tanh", None, 5.0 / 3.0),
    ("relu", None, math.sqrt(2.0)),
    ("leaky_relu", None, math.sqrt(2.0 / (1.0 + 0.01**2))),
    ("leaky_relu", 0.2, math.sqrt(2.0 / (1.0 + 0.2**2))),
    ("leaky_relu", 0, math.sqrt(2.0)),
    ("leaky_relu", 1.0, 1.0),
    ("selu", None, 0.75),
]

N_IN, N_OUT = 1000, 1000  # 10^6 draws for the statistical checks
REL = 0.01


def assert_std(W, expected):
    assert abs(W.std() / expected - 1) < REL, (W.std(), expected)


def assert_centred(W, std):
    # The sample mean of N draws has standard error std / sqrt(N); allow 6 of them.
    assert abs(W.mean()) < 6 * std / math.sqrt(W.size)


# -- shapes, dtypes, determinism ----------------------------------------------

@pytest.mark.parametrize("name", list(INITIALIZERS))
@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (7, 2)])
def test_shape_and_dtype(name, shape):
    W = INITIALIZERS[name](*shape, 0)
    assert isinstance(W, np.ndarray)
    assert W.shape == shape
    assert W.dtype == np.float64


@pytest.mark.parametrize("name", list(INITIALIZERS))
def test_numpy_integer_sizes_accepted(name):
    W = INITIALIZERS[name](np.int64(4), np.int32(3), 0)
    assert W.shape == (4, 3)


@pytest.mark.parametrize("name", RANDOM)
def test_same_seed_same_weights(name):
    f = INITIALIZERS[name]
    np.testing.assert_array_equal(f(20, 30, 7), f(20, 30, 7))
    np.testing.assert_array_equal(f(20, 30, 7), f(20, 30, np.random.default_rng(7)))
    assert not np.array_equal(f(20, 30, 7), f(20, 30, 8))


@pytest.mark.parametrize("name", RANDOM)
def test_generator_is_advanced(name):
    """Passing one Generator to two calls gives two different matrices."""
    f = INITIALIZERS[name]
    rng = np.random.default_rng(0)
    assert not np.array_equal(f(10, 10, rng), f(10, 10, rng))


def test_rng_none_is_random():
    assert not np.array_equal(init.kaiming_normal(10, 10), init.kaiming_normal(10, 10))


def test_zeros_and_constant():
    np.testing.assert_array_equal(init.zeros(3, 4, rng=0), np.zeros((3, 4)))
    np.testing.assert_array_equal(init.constant(3, 4, value=-1.5), np.full((3, 4), -1.5))


def test_aliases():
    assert init.glorot_uniform is init.xavier_uniform
    assert init.glorot_normal is init.xavier_normal
    assert init.he_uniform is init.kaiming_uniform
    assert init.he_normal is init.kaiming_normal


# -- distributions ---------------------------------------------------------------

def test_normal_mean_and_std():
    W = init.normal(N_IN, N_OUT, rng=1, mean=0.3, std=0.1)
    assert abs(W.mean() - 0.3) < 6 * 0.1 / math.sqrt(W.size)
    assert_std(W, 0.1)
    assert_std(init.normal(N_IN, N_OUT, rng=2), 0.01)  # the default std


def test_normal_std_zero_gives_the_mean():
    np.testing.assert_array_equal(init.normal(3, 2, rng=0, mean=0.5, std=0.0), np.full((3, 2), 0.5))


def test_uniform_bounds_and_moments():
    a, b = -0.2, 0.6
    W = init.uniform(N_IN, N_OUT, rng=3, a=a, b=b)
    assert W.min() >= a and W.max() < b
    assert W.min() < a + 0.01 and W.max() > b - 0.01  # fills the interval
    assert abs(W.mean() - (a + b) / 2) < 6 * (b - a) / math.sqrt(12 * W.size)
    assert_std(W, (b - a) / math.sqrt(12))
    W = init.uniform(N_IN, N_OUT, rng=4)  # defaults U(-0.05, 0.05)
    assert W.min() >= -0.05 and W.max() < 0.05
    assert_std(W, 0.1 / math.sqrt(12))


@pytest.mark.parametrize("fan_in, fan_out", [(1000, 1000), (400, 2500), (2500, 400)])
@pytest.mark.parametrize("gain", [1.0, 5.0 / 3.0, 0.5])
def test_xavier_uniform(fan_in, fan_out, gain):
    W = init.xavier_uniform(fan_in, fan_out, rng=5, gain=gain)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    assert np.abs(W).max() <= bound
    assert np.abs(W).max() > 0.99 * bound
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    assert_std(W, std)
    assert_centred(W, std)


@pytest.mark.parametrize("fan_in, fan_out", [(1000, 1000), (400, 2500), (2500, 400)])
@pytest.mark.parametrize("gain", [1.0, math.sqrt(2.0)])
def test_xavier_normal(fan_in, fan_out, gain):
    W = init.xavier_normal(fan_in, fan_out, rng=6, gain=gain)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    assert_std(W, std)
    assert_centred(W, std)


KAIMING_CASES = [
    # (nonlinearity, a, gain from the formula)
    ("relu", 0.0, math.sqrt(2.0)),
    ("tanh", 0.0, 5.0 / 3.0),
    ("linear", 0.0, 1.0),
    ("sigmoid", 0.0, 1.0),
    ("leaky_relu", 0.0, math.sqrt(2.0)),
    ("leaky_relu", 0.2, math.sqrt(2.0 / 1.04)),
]


@pytest.mark.parametrize("nonlinearity, a, gain", KAIMING_CASES)
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
def test_kaiming_normal(nonlinearity, a, gain, mode):
    fan_in, fan_out = 2500, 400
    W = init.kaiming_normal(fan_in, fan_out, rng=7, nonlinearity=nonlinearity, a=a, mode=mode)
    std = gain / math.sqrt(fan_in if mode == "fan_in" else fan_out)
    assert_std(W, std)
    assert_centred(W, std)


@pytest.mark.parametrize("nonlinearity, a, gain", KAIMING_CASES)
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
def test_kaiming_uniform(nonlinearity, a, gain, mode):
    fan_in, fan_out = 400, 2500
    W = init.kaiming_uniform(fan_in, fan_out, rng=8, nonlinearity=nonlinearity, a=a, mode=mode)
    std = gain / math.sqrt(fan_in if mode == "fan_in" else fan_out)
    bound = math.sqrt(3.0) * std
    assert np.abs(W).max() <= bound
    assert np.abs(W).max() > 0.99 * bound
    assert_std(W, std)
    assert_centred(W, std)


def test_kaiming_defaults_are_relu_fan_in():
    W = init.kaiming_normal(N_IN, 300, rng=9)
    assert_std(W, math.sqrt(2.0 / N_IN))
    W = init.kaiming_uniform(N_IN, 300, rng=9)
    assert np.abs(W).max() <= math.sqrt(6.0 / N_IN)
    assert_std(W, math.sqrt(2.0 / N_IN))


@settings(max_examples=40, deadline=None)
@given(
    fan_in=st.integers(1, 40),
    fan_out=st.integers(1, 40),
    seed=st.integers(0, 2**32 - 1),
    gain=st.floats(0.01, 10.0),
)
def test_uniform_schemes_stay_within_their_bounds(fan_in, fan_out, seed, gain):
    W = init.xavier_uniform(fan_in, fan_out, seed, gain=gain)
    assert W.shape == (fan_in, fan_out)
    assert np.abs(W).max() <= gain * math.sqrt(6.0 / (fan_in + fan_out))
    W = init.kaiming_uniform(fan_in, fan_out, seed, nonlinearity="tanh")
    assert np.abs(W).max() <= math.sqrt(3.0) * (5.0 / 3.0) / math.sqrt(fan_in)


# -- gains -------------------------------------------------------------------

@pytest.mark.parametrize("nonlinearity, param, expected", EXPECTED_GAINS)
def test_calculate_gain_formulas(nonlinearity, param, expected):
    gain = init.calculate_gain(nonlinearity, param)
    assert isinstance(gain, float)
    assert gain == pytest.approx(expected, rel=1e-15)


def test_calculate_gain_ignores_param_when_not_leaky():
    assert init.calculate_gain("relu", 0.5) == init.calculate_gain("relu")


@pytest.mark.parametrize("nonlinearity, param, expected", EXPECTED_GAINS)
def test_calculate_gain_matches_torch(nonlinearity, param, expected):
    torch = pytest.importorskip("torch")
    if nonlinearity == "identity":  # nnbook's alias of "linear"; torch only knows "linear"
        nonlinearity_torch = "linear"
    else:
        nonlinearity_torch = nonlinearity
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity_torch, param), rel=1e-15
    )


@pytest.mark.parametrize(
    "ours, theirs, kwargs",
    [
        ("kaiming_normal", "kaiming_normal_", {"mode": "fan_in", "nonlinearity": "relu"}),
        ("kaiming_normal", "kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}),
        ("kaiming_uniform", "kaiming_uniform_", {"mode": "fan_in", "nonlinearity": "tanh"}),
        ("kaiming_uniform", "kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "leaky_relu", "a": 0.3}),
        ("xavier_normal", "xavier_normal_", {"gain": 2.0}),
        ("xavier_uniform", "xavier_uniform_", {"gain": 0.5}),
    ],
)
def test_same_distribution_as_torch(ours, theirs, kwargs):
    """nnbook's (fan_in, fan_out) matrix matches torch's (fan_out, fan_in) tensor, transposed."""
    torch = pytest.importorskip("torch")
    fan_in, fan_out = 2000, 500
    W = getattr(init, ours)(fan_in, fan_out, rng=10, **kwargs)
    g = torch.Generator().manual_seed(10)
    T = getattr(torch.nn.init, theirs)(torch.empty(fan_out, fan_in, dtype=torch.float64), generator=g, **kwargs)
    T = T.numpy().T
    assert W.shape == T.shape
    assert abs(W.std() / T.std() - 1) < 2 * REL
    if "uniform" in ours:
        assert abs(np.abs(W).max() / np.abs(T).max() - 1) < 1e-3


# -- use with Linear ---------------------------------------------------------

def test_linear_uses_init():
    layer = Linear(1000, 800, init=init.kaiming_normal, rng=11)
    assert_std(layer.weight.data, math.sqrt(2.0 / 1000))
    np.testing.assert_array_equal(layer.bias.data, np.zeros(800))
    # Linear hands its own Generator, made from the seed, to init.
    np.testing.assert_array_equal(layer.weight.data, init.kaiming_normal(1000, 800, 11))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_linear_init_dtype(dtype):
    layer = Linear(1000, 800, init=init.xavier_uniform, rng=12, dtype=dtype)
    assert layer.weight.dtype == dtype
    assert layer.bias.dtype == dtype
    assert np.abs(layer.weight.data).max() <= np.float32(math.sqrt(6.0 / 1800)) * (1 + 1e-6)
    assert_std(layer.weight.data.astype(np.float64), math.sqrt(2.0 / 1800))
    x = np.ones((2, 1000), dtype=dtype)
    assert layer(x).dtype == dtype


def test_linear_with_partial_options():
    layer = Linear(1000, 1000, init=partial(init.kaiming_normal, nonlinearity="tanh"), rng=13)
    assert_std(layer.weight.data, (5.0 / 3.0) / math.sqrt(1000))
    layer = Linear(1000, 1000, init=partial(init.normal, std=0.05), rng=14)
    assert_std(layer.weight.data, 0.05)
    layer = Linear(4, 3, init=init.zeros)
    assert not layer.weight.data.any() and not layer.bias.data.any()


@pytest.mark.parametrize("name", list(INITIALIZERS))
def test_linear_accepts_every_initializer(name):
    layer = Linear(6, 5, init=INITIALIZERS[name], rng=0)
    assert layer.weight.shape == (6, 5)
    assert layer(np.zeros((2, 6))).shape == (2, 5)


# -- bad arguments -----------------------------------------------------------

@pytest.mark.parametrize("name", list(INITIALIZERS))
@pytest.mark.parametrize("fan_in, fan_out, label, shown", [
    (0, 3, "fan_in", "0"),
    (-2, 3, "fan_in", "-2"),
    (2.5, 3, "fan_in", "2.5"),
    (True, 3, "fan_in", "True"),
    ("3", 3, "fan_in", "'3'"),
    (3, 0, "fan_out", "0"),
    (3, None, "fan_out", "None"),
])
def test_bad_fans(name, fan_in, fan_out, label, shown):
    function = name  # the partial of constant still reports "constant"
    with pytest.raises(ValueError, match=rf"^{function}: {label} must be a positive integer, got {shown}"):
        INITIALIZERS[name](fan_in, fan_out, 0)


@pytest.mark.parametrize("call, pattern", [
    (lambda: init.normal(3, 3, std=-0.1), r"^normal: invalid std=-0.1; it must be in \[0, inf\)"),
    (lambda: init.normal(3, 3, std=float("inf")), r"^normal: std must be a finite real number, got inf"),
    (lambda: init.normal(3, 3, mean="0"), r"^normal: mean must be a finite real number, got '0'"),
    (lambda: init.uniform(3, 3, a=0.1, b=0.1), r"^uniform: the lower bound a must be smaller than b, got a=0.1, b=0.1"),
    (lambda: init.uniform(3, 3, a=1.0, b=-1.0), r"^uniform: .*a=1.0, b=-1.0"),
    (lambda: init.uniform(3, 3, b=float("nan")), r"^uniform: b must be a finite real number, got nan"),
    (lambda: init.constant(3, 3, value=float("nan")), r"^constant: value must be a finite real number, got nan"),
    (lambda: init.xavier_uniform(3, 3, gain=0.0), r"^xavier_uniform: invalid gain=0.0; it must be in \(0, inf\)"),
    (lambda: init.xavier_normal(3, 3, gain=-1), r"^xavier_normal: invalid gain=-1; it must be in \(0, inf\)"),
    (lambda: init.xavier_normal(3, 3, gain=None), r"^xavier_normal: gain must be a finite real number, got None"),
    (lambda: init.kaiming_normal(3, 3, nonlinearity="ReLU"), r"^kaiming_normal: unknown nonlinearity 'ReLU'"),
    (lambda: init.kaiming_uniform(3, 3, nonlinearity="softmax"), r"^kaiming_uniform: unknown nonlinearity 'softmax'"),
    (lambda: init.kaiming_normal(3, 3, nonlinearity=None), r"^kaiming_normal: unknown nonlinearity None"),
    (lambda: init.kaiming_normal(3, 3, mode="in"), r"^kaiming_normal: mode must be 'fan_in' or 'fan_out', got 'in'"),
    (lambda: init.kaiming_uniform(3, 3, mode="FAN_IN"), r"^kaiming_uniform: mode must be .*got 'FAN_IN'"),
    (lambda: init.kaiming_uniform(3, 3, a=float("nan")), r"^kaiming_uniform: a \(the negative slope\) must be a finite real number, got nan"),
    (lambda: init.calculate_gain("gelu"), r"^calculate_gain: unknown nonlinearity 'gelu'; expected one of 'linear'"),
    (lambda: init.calculate_gain("leaky_relu", "0.2"), r"^calculate_gain: the negative slope must be a finite real number, got '0.2'"),
    (lambda: init.calculate_gain("leaky_relu", True), r"^calculate_gain: the negative slope must be a finite real number, got True"),
])
def test_bad_options(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        init.normal(3, 3, 0, 0.1)  # std passed positionally
    with pytest.raises(TypeError):
        init.kaiming_normal(3, 3, 0, "tanh")


def test_linear_reports_a_bad_init_option_by_name():
    with pytest.raises(ValueError, match=r"^kaiming_normal: unknown nonlinearity 'Tanh'"):
        Linear(4, 3, init=partial(init.kaiming_normal, nonlinearity="Tanh"), rng=0)
