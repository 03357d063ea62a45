"""Reliability: extreme values never give NaN or a NumPy warning; fit stops on divergence.

* Every exported layer, activation and loss (the registry of
  test_reliability_validation.py), in float32 and float64, forward and
  backward at inputs of magnitude up to 1e4, inside
  ``np.errstate(over=, invalid=, divide="raise")``, the floating-point error
  state ``fit`` trains under (underflow to 0, as in ``exp(-1e4)``, is exact
  enough and allowed): no exception, no warning, finite results, and the
  dtype of the input kept end to end (no silent upcast).
* The values at the extremes are the right ones (closed forms), not just finite.
* ``fit`` stops with an error naming the epoch and the batch as soon as
  anything becomes non-finite, even when the user silenced NumPy's warnings,
  and it never takes the update of that batch.
* The test configuration itself turns warnings into errors.
"""
import math
import warnings

import numpy as np
import pytest

from nnbook.activations import log_sigmoid, log_softmax, sigmoid, softmax
from nnbook.layers import Linear, Sequential
from nnbook.losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from nnbook.optim import SGD, Adam
from nnbook.train import fit
from test_reliability_validation import LOSS_FACTORIES, LOSSES, MODULES, make_module

RAISE = dict(over="raise", invalid="raise", divide="raise")
DTYPES = [np.float32, np.float64]
SCALES = [1.0, 1e2, 1e4]


def extreme_batch(rng, scale, dtype, shape=(6, 3)):
    """Values of magnitude ``scale`` of both signs, with exact zeros and +-scale in every column."""
    x = rng.uniform(-scale, scale, size=shape)
    x[0], x[1], x[2] = scale, -scale, 0.0
    return x.astype(dtype)


def test_pytest_turns_every_warning_into_an_error(pytestconfig):
    assert pytestconfig.getini("filterwarnings")[0] == "error"
    with pytest.raises(RuntimeWarning):
        np.float64(1e308) * 10                      # the configuration is active in this test


# ----------------------------------------------------------------------------- every module

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("name", MODULES)
def test_every_module_is_finite_and_silent_at_extreme_inputs(name, scale, dtype, rng):
    module = make_module(name, dtype)
    x = extreme_batch(rng, scale, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(**RAISE):
            out = module(x)
            grad_out = rng.normal(size=out.shape).astype(dtype)
            grad_in = module.backward(grad_out)
    assert out.dtype == dtype and grad_in.dtype == dtype
    assert np.isfinite(out).all() and np.isfinite(grad_in).all()
    for p in module.parameters():
        assert p.grad.dtype == dtype and np.isfinite(p.grad).all()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", MODULES)
def test_every_module_keeps_float32_in_eval_mode_too(name, dtype, rng):
    module = make_module(name, dtype)
    module(extreme_batch(rng, 1.0, dtype))             # running statistics get updated once
    module.eval()
    out = module(extreme_batch(rng, 1e4, dtype))
    assert out.dtype == dtype and np.isfinite(out).all()
    assert module.backward(np.ones_like(out)).dtype == dtype


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("name", LOSSES)
def test_every_loss_is_finite_and_silent_at_extreme_predictions(name, scale, dtype, rng):
    factory, make = LOSS_FACTORIES[name]
    pred, target = make(rng, 6, dtype)
    if name == "BCELoss":                          # probabilities: the extremes are exactly 0 and 1
        pred[:3] = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 0.0]], dtype=dtype)
    else:
        pred = extreme_batch(rng, scale, dtype, pred.shape)
    for reduction in ("mean", "sum"):
        loss_fn = factory(reduction=reduction)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with np.errstate(**RAISE):
                value = loss_fn(pred, target)
                grad = loss_fn.backward()
        assert type(value) is float and math.isfinite(value) and value >= 0
        assert grad.dtype == dtype and grad.shape == pred.shape and np.isfinite(grad).all()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("function", [sigmoid, log_sigmoid, softmax, log_softmax])
def test_functions_are_silent_far_beyond_1e4(function, dtype):
    big = np.finfo(dtype).max / 4                     # x - max(x) cannot overflow at this size
    x = np.array([[-big, big, 0.0], [1e4, -1e4, 1.0], [big, big, -big]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(**RAISE):
            y = function(x)
    assert y.dtype == dtype and np.isfinite(y).all()


# ----------------------------------------------------------------------------- the right values

@pytest.mark.parametrize("dtype", DTYPES)
def test_values_and_gradients_at_plus_minus_1e4(dtype):
    z = np.array([[1e4, -1e4], [-1e4, 1e4], [0.0, 1e4]], dtype=dtype)
    with np.errstate(**RAISE):
        assert sigmoid(z).tolist() == [[1.0, 0.0], [0.0, 1.0], [0.5, 1.0]]
        np.testing.assert_allclose(log_sigmoid(z), [[0.0, -1e4], [-1e4, 0.0], [-math.log(2.0), 0.0]],
                                   rtol=1e-6)
        np.testing.assert_allclose(log_softmax(z), [[0.0, -2e4], [-2e4, 0.0], [-1e4, 0.0]], rtol=1e-6)

        ce = CrossEntropyLoss()
        # labels: row 0 right, row 1 wrong by 2e4, row 2 wrong by 1e4
        assert ce(z, np.array([0, 0, 0])) == pytest.approx((0 + 2e4 + 1e4) / 3, rel=1e-6)
        np.testing.assert_allclose(ce.backward(), np.array([[0, 0], [-1, 1], [-1, 1]]) / 3, atol=1e-7)

        bce = BCEWithLogitsLoss()
        y = np.array([[1, 0], [1, 0], [0, 1]], dtype=dtype)
        # row 0 right (cost 0), row 1 wrong by 1e4 twice, row 2: log 2 for the logit 0, then right
        assert bce(z, y) == pytest.approx((2e4 + math.log(2.0)) / 6, rel=1e-6)
        np.testing.assert_allclose(bce.backward(), (sigmoid(z.astype(np.float64)) - y) / 6, atol=1e-7)

        bce = BCELoss()
        p = sigmoid(z)                                              # exactly 0, 1 and 0.5
        # the two confidently wrong probabilities cost -log(eps) each, the 0.5 costs log 2
        assert bce(p, y) == pytest.approx((2 * -math.log(1e-12) + math.log(2.0)) / 6, rel=1e-5)
        assert np.isfinite(bce.backward()).all()


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_of_shifted_logits_is_unchanged(dtype, rng):
    """Softmax is shift invariant: adding 1e4 to every logit changes nothing."""
    z = rng.normal(size=(5, 4)).astype(dtype)
    labels = rng.integers(0, 4, 5)
    ce = CrossEntropyLoss()
    base, grad = ce(z, labels), ce.backward()
    shifted = ce(z + dtype(1e4), labels)
    tol = 1e-3 if dtype == np.float32 else 1e-9     # z + 1e4 in float32 keeps ~3 decimals of z
    assert shifted == pytest.approx(base, abs=tol)
    np.testing.assert_allclose(ce.backward(), grad, atol=tol)


def test_saturated_network_is_finite_in_float32(rng):
    """A float32 network whose logits reach 1e4 trains one step without NaN or a warning."""
    model = Sequential(Linear(3, 4, rng=0, dtype=np.float32), Linear(4, 3, rng=1, dtype=np.float32))
    model[1].weight.data *= np.float32(1e4)
    X = rng.normal(size=(16, 3)).astype(np.float32)
    y = rng.integers(0, 3, 16)
    history = fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=1e-6), X, y, epochs=2,
                  batch_size=8, rng=0)
    assert all(math.isfinite(v) for v in history["loss"])
    assert all(p.data.dtype == np.float32 and np.isfinite(p.data).all() for p in model.parameters())


# ----------------------------------------------------------------------------- fit stops on divergence

def _regression(rng, n=40, dtype=np.float64):
    X = rng.normal(size=(n, 3)).astype(dtype)
    return X, (X @ np.array([[1.0], [-2.0], [0.5]])).astype(dtype)


@pytest.mark.parametrize("at, epoch, batch", [(1, 1, 1), (3, 1, 3), (6, 2, 2), (12, 3, 4)])
def test_fit_names_the_epoch_and_batch_of_a_non_finite_loss_and_keeps_the_last_good_weights(
        at, epoch, batch, rng, breaking_loss):
    X, y = _regression(rng)
    model = Sequential(Linear(3, 1, rng=0))
    initial = [p.data.copy() for p in model.parameters()]
    seen = []

    class Snapshot(SGD):
        def step(self):
            super().step()
            seen.append([p.data.copy() for p in model.parameters()])

    optimizer = Snapshot(model.parameters(), lr=0.01)
    with pytest.raises(RuntimeError, match=rf"fit: the training loss is inf at epoch {epoch}/5, "
                                           rf"batch {batch}/4 .*learning rate 0.01.*Training stopped "
                                           r"before this batch changed the weights.*smaller learning rate"):
        fit(model, breaking_loss(at, math.inf), optimizer, X, y, epochs=5, batch_size=10, rng=0)
    assert len(seen) == at - 1                                   # no update for the bad batch
    last = seen[-1] if seen else initial
    for kept, p in zip(last, model.parameters()):
        np.testing.assert_array_equal(kept, p.data)


def test_fit_stops_on_float32_overflow_even_when_warnings_are_silenced(rng):
    X, y = _regression(rng, dtype=np.float32)
    y[17] = np.float32(3e38)          # finite, but its square overflows float32
    model = Sequential(Linear(3, 1, rng=0, dtype=np.float32))
    old = np.seterr(all="ignore")     # a user who silenced NumPy
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(RuntimeError, match=r"fit: the numbers diverged at epoch 1/3, batch \d/4 .*"
                                                   r"overflow.*in the loss.*before this batch changed"):
                fit(model, MSELoss(), SGD(model.parameters(), lr=0.01), X, y, epochs=3,
                    batch_size=10, rng=0)
    finally:
        np.seterr(**old)
    assert np.isfinite(model[0].weight.data).all()


def test_fit_never_trains_on_after_divergence_with_adam(rng, breaking_loss):
    """The error propagates: no later epoch, no callback's on_epoch_end for the failed epoch."""
    X, y = _regression(rng)
    model = Sequential(Linear(3, 1, rng=0))
    epochs_seen = []

    class Recorder:
        def on_epoch_end(self, epoch, logs, model):
            epochs_seen.append(epoch)
            return False

    with pytest.raises(RuntimeError, match="epoch 2/4, batch 1/4"):
        fit(model, breaking_loss(5, math.inf), Adam(model.parameters()), X, y, epochs=4, batch_size=10, rng=0,
            callbacks=[Recorder()])
    assert epochs_seen == [0]


def test_fit_names_the_forward_pass_when_it_overflows(rng):
    """The part of the step is read from the traceback: here the first layer's product."""
    X, y = _regression(rng, dtype=np.float32)
    model = Sequential(Linear(3, 1, rng=0, dtype=np.float32))
    model[0].weight.data[...] = np.float32(3e38)
    before = model[0].weight.data.copy()
    X[:] = np.float32(1e3)
    with pytest.raises(RuntimeError, match=r"fit: the numbers diverged at epoch 1/2, batch 1/4 .*"
                                           r"overflow.*in the forward pass\)\. Training stopped before "
                                           r"this batch changed the weights"):
        fit(model, MSELoss(), SGD(model.parameters(), lr=0.01), X, y, epochs=2, batch_size=10, rng=0)
    np.testing.assert_array_equal(model[0].weight.data, before)


def test_fit_names_the_optimizer_step_and_says_weights_may_have_changed(rng):
    X, y = _regression(rng, dtype=np.float32)
    model = Sequential(Linear(3, 1, rng=0, dtype=np.float32))
    with pytest.raises(RuntimeError, match=r"fit: the numbers diverged at epoch 1/2, batch 1/4 .*"
                                           r"learning rate 1e\+38 .*in the optimizer step\)\. Training "
                                           r"stopped \(this step may have updated some weights\)"):
        fit(model, MSELoss(), SGD(model.parameters(), lr=1e38), X, y, epochs=2, batch_size=10, rng=0)
