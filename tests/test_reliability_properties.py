"""Reliability: property-based tests (hypothesis) over random shapes, batch sizes and dtypes.

The per-module tests check gradients on a few hand-picked shapes; here
hypothesis draws the shapes, batch sizes, hyperparameters and values:

* the backward pass of every layer, activation and loss agrees with central
  differences (float64, relative error below ``GRAD_TOL``);
* cross-entropy with random integer labels equals its one-hot form, has the
  closed-form gradient, and stays finite up to logits of 1e4; labels out of
  range are always refused;
* float32 stays float32 and float64 stays float64 through every module and
  loss, forward and backward;
* any finite input up to 1e4 gives finite outputs and gradients.

``derandomize=True`` makes the examples the same on every run (CI is
reproducible); the example counts are small, so the module runs in seconds.
"""
import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import GRAD_TOL, away_from_kink
from nnbook.activations import GELU, Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Softplus, Tanh
from nnbook.gradcheck import check_loss, check_module
from nnbook.layers import Linear, Sequential
from nnbook.losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from nnbook.regularization import BatchNorm1d, Dropout
from test_reliability_validation import LOSS_FACTORIES, LOSSES, MODULES, make_module

FAST = settings(max_examples=30, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])
RAISE = dict(over="raise", invalid="raise", divide="raise")

sizes = st.integers(1, 5)
seeds = st.integers(0, 2**32 - 1)
shapes = st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)
reductions = st.sampled_from(["mean", "sum"])


def assert_gradients_ok(errors):
    assert all(error < GRAD_TOL for error in errors.values()), errors


# ----------------------------------------------------------------------------- layers

@FAST
@given(n=sizes, d=sizes, m=sizes, bias=st.booleans(), seed=seeds)
def test_linear_gradients(n, d, m, bias, seed):
    rng = np.random.default_rng(seed)
    assert_gradients_ok(check_module(Linear(d, m, bias, rng=rng), rng.normal(size=(n, d)), rng=rng))


ACTIVATIONS = {
    "Identity": lambda draw: Identity(),
    "Sigmoid": lambda draw: Sigmoid(),
    "Tanh": lambda draw: Tanh(),
    "ReLU": lambda draw: ReLU(),
    "LeakyReLU": lambda draw: LeakyReLU(draw(st.floats(0.0, 0.5))),
    "GELU": lambda draw: GELU(),
    "Softplus": lambda draw: Softplus(draw(st.floats(0.25, 4.0))),
    "Softmax": None,                                     # needs the shape for its axis
}


@FAST
@given(data=st.data(), name=st.sampled_from(sorted(ACTIVATIONS)), shape=shapes, seed=seeds)
def test_activation_gradients(data, name, shape, seed):
    rng = np.random.default_rng(seed)
    if name == "Softmax":
        module = Softmax(axis=data.draw(st.integers(-len(shape), len(shape) - 1)))
    else:
        module = ACTIVATIONS[name](data.draw)
    assert_gradients_ok(check_module(module, away_from_kink(rng, shape), rng=rng))


@FAST
@given(n=st.integers(3, 6), c=sizes, affine=st.booleans(), training=st.booleans(),
       momentum=st.sampled_from([0.1, 0.5, None]), seed=seeds)
def test_batchnorm_gradients(n, c, affine, training, momentum, seed):
    rng = np.random.default_rng(seed)
    bn = BatchNorm1d(c, affine=affine, momentum=momentum)
    if affine:
        bn.weight.data[:] = rng.uniform(0.5, 2.0, c)
        bn.bias.data[:] = rng.normal(size=c)
    bn(rng.normal(size=(n, c)) * 2 + 1)                   # running statistics move away from 0 and 1
    bn.train(training)
    assert_gradients_ok(check_module(bn, rng.normal(size=(n, c)) * rng.uniform(0.5, 3.0), rng=rng))


@FAST
@given(p=st.floats(0.0, 0.9), shape=shapes, seed=seeds)
def test_dropout_gradients_with_a_frozen_mask(p, shape, seed):
    rng = np.random.default_rng(seed)
    drop = Dropout(p, rng=rng)
    x = rng.normal(size=shape)
    drop(x)
    if drop.mask is None:                                 # p == 0: the identity
        assert_gradients_ok(check_module(drop, x, rng=rng))
        return
    with drop.freeze_mask():
        assert_gradients_ok(check_module(drop, x, rng=rng))


@FAST
@given(n=sizes, widths=st.lists(sizes, min_size=2, max_size=4),
       activation=st.sampled_from([Tanh, Sigmoid, GELU, Softplus]), seed=seeds)
def test_random_networks_gradients(n, widths, activation, seed):
    rng = np.random.default_rng(seed)
    layers = []
    for d, m in zip(widths, widths[1:]):
        layers += [Linear(d, m, rng=rng), activation()]
    model = Sequential(*layers)
    assert_gradients_ok(check_module(model, rng.normal(size=(n, widths[0])), rng=rng))


# ----------------------------------------------------------------------------- losses

@FAST
@given(shape=shapes, reduction=reductions, seed=seeds)
def test_elementwise_loss_gradients(shape, reduction, seed):
    rng = np.random.default_rng(seed)
    target = rng.integers(0, 2, shape).astype(float)
    for loss_fn, pred in ((MSELoss(reduction), rng.normal(size=shape)),
                          (BCELoss(reduction=reduction), rng.uniform(0.05, 0.95, shape)),
                          (BCEWithLogitsLoss(reduction), rng.normal(scale=3, size=shape))):
        assert check_loss(loss_fn, pred, target) < GRAD_TOL, loss_fn


@FAST
@given(n=sizes, c=st.integers(2, 6), reduction=reductions, soft=st.booleans(), seed=seeds)
def test_cross_entropy_gradients_with_random_labels(n, c, reduction, soft, seed):
    # (with C = 1 the loss is the constant 0 and the relative error compares rounding noise)
    rng = np.random.default_rng(seed)
    logits = rng.normal(scale=2, size=(n, c))
    if soft:
        target = rng.dirichlet(np.ones(c), size=n)
    else:
        target = rng.integers(0, c, n)
    assert check_loss(CrossEntropyLoss(reduction), logits, target) < GRAD_TOL


@FAST
@given(n=st.integers(1, 8), c=st.integers(2, 6), scale=st.sampled_from([1.0, 30.0, 1e4]),
       dtype=st.sampled_from([np.float32, np.float64]), seed=seeds)
def test_cross_entropy_with_random_labels_matches_the_formula(n, c, scale, dtype, seed):
    rng = np.random.default_rng(seed)
    logits = (rng.normal(size=(n, c)) * scale).astype(dtype)
    labels = rng.integers(0, c, n)
    one_hot = np.eye(c, dtype=dtype)[labels]
    ce = CrossEntropyLoss()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(**RAISE):
            value, grad = ce(logits, labels), ce.backward()
            value_1h, grad_1h = ce(logits, one_hot), ce.backward()
    z = logits.astype(np.float64)
    m = z.max(axis=1, keepdims=True)
    logp = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))    # reference in float64
    expected = -logp[np.arange(n), labels].mean()
    tol = 1e-5 if dtype == np.float32 else 1e-12
    assert np.isfinite(value) and value >= 0
    assert value == pytest.approx(expected, rel=tol, abs=tol * scale)
    assert value_1h == pytest.approx(value, rel=tol, abs=tol * scale)
    assert grad.dtype == dtype and np.isfinite(grad).all()
    np.testing.assert_allclose(grad, (np.exp(logp) - np.eye(c)[labels]) / n, atol=tol)
    np.testing.assert_allclose(grad_1h, grad, atol=tol)
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=10 * tol)


@FAST
@given(n=sizes, c=st.integers(1, 6), seed=seeds, bad=st.sampled_from(["high", "negative", "fraction"]))
def test_cross_entropy_always_refuses_labels_out_of_range(n, c, seed, bad):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, c, n).astype(float)
    i = rng.integers(0, n)
    labels[i] = {"high": c + rng.integers(0, 3), "negative": -1 - rng.integers(0, 3),
                 "fraction": rng.integers(0, c) + 0.5}[bad]
    pattern = r"whole numbers" if bad == "fraction" else rf"labels must be in \[0, {c}\)"
    with pytest.raises(ValueError, match=r"CrossEntropyLoss.*" + pattern):
        CrossEntropyLoss()(np.zeros((n, c)), labels)


# ----------------------------------------------------------------------------- dtypes

@FAST
@given(name=st.sampled_from(MODULES), n=st.integers(2, 6), dtype=st.sampled_from([np.float32, np.float64]),
       training=st.booleans(), seed=seeds)
def test_every_module_keeps_the_dtype(name, n, dtype, training, seed):
    rng = np.random.default_rng(seed)
    module = make_module(name, dtype)
    module.train(training)
    out = module(rng.normal(size=(n, 3)).astype(dtype))
    grad_in = module.backward(rng.normal(size=out.shape).astype(dtype))
    assert out.dtype == dtype and grad_in.dtype == dtype and grad_in.shape == (n, 3)
    assert all(p.grad.dtype == dtype for p in module.parameters())


@FAST
@given(name=st.sampled_from(LOSSES), n=sizes, dtype=st.sampled_from([np.float32, np.float64]),
       reduction=reductions, seed=seeds)
def test_every_loss_keeps_the_dtype(name, n, dtype, reduction, seed):
    factory, make = LOSS_FACTORIES[name]
    pred, target = make(np.random.default_rng(seed), n, dtype)
    loss_fn = factory(reduction=reduction)
    assert type(loss_fn(pred, target)) is float
    grad = loss_fn.backward()
    assert grad.dtype == dtype and grad.shape == pred.shape


# ----------------------------------------------------------------------------- finite everywhere

def _finite_arrays(dtype):
    return hnp.arrays(dtype, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=5),
                      elements=st.floats(-1e4, 1e4, allow_nan=False, width=np.dtype(dtype).itemsize * 8))


@FAST
@given(data=st.data(), name=st.sampled_from([m for m in MODULES if m not in
                                             ("Linear", "Sequential", "BatchNorm1d", "AveragedModel")]),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_activations_are_finite_for_any_input_up_to_1e4(data, name, dtype):
    x = data.draw(_finite_arrays(dtype))
    module = make_module(name, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(**RAISE):
            out = module(x)
            grad = module.backward(np.ones_like(out))
    assert np.isfinite(out).all() and np.isfinite(grad).all()


@FAST
@given(data=st.data(), dtype=st.sampled_from([np.float32, np.float64]), reduction=reductions)
def test_losses_are_finite_for_any_logits_up_to_1e4(data, dtype, reduction):
    z = data.draw(_finite_arrays(dtype))
    rng = np.random.default_rng(data.draw(seeds))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(**RAISE):
            for loss_fn, target in ((CrossEntropyLoss(reduction), rng.integers(0, z.shape[1], z.shape[0])),
                                    (BCEWithLogitsLoss(reduction), rng.integers(0, 2, z.shape).astype(dtype)),
                                    (MSELoss(reduction), rng.normal(size=z.shape).astype(dtype))):
                value = loss_fn(z, target)
                grad = loss_fn.backward()
                assert np.isfinite(value) and np.isfinite(grad).all(), loss_fn
