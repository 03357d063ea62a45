"""Tests of chapter 9: nnbook.regularization (Dropout, BatchNorm1d, l2_penalty) and nnbook.callbacks.EarlyStopping.

Reference values come from formulas written out here or from PyTorch (when it is
installed), never from a stored run.
"""
import math

import numpy as np
import pytest

from helpers import GRAD_TOL
from nnbook.activations import ReLU
from nnbook.gradcheck import check_module, numerical_gradient, rel_error
from nnbook.layers import Linear, Module, Parameter, Sequential
from nnbook.optim import SGD
from nnbook.callbacks import EarlyStopping
from nnbook.regularization import BatchNorm1d, Dropout, l2_penalty


def randomize_affine(bn, rng):
    """Move gamma and beta away from 1 and 0 so that their gradients matter."""
    if bn.affine:
        bn.weight.data[...] = rng.normal(1.0, 0.5, size=bn.num_features)
        bn.bias.data[...] = rng.normal(0.0, 0.5, size=bn.num_features)
    return bn


# ======================================================================================
# BatchNorm1d
# ======================================================================================

SHAPES = [(2, 1), (3, 2), (5, 3), (8, 4), (16, 7)]


@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("shape", SHAPES)
def test_batchnorm_gradient_check_training(shape, affine, rng):
    # With n = 2 the normalised column is +-1 whatever the input, up to eps: the gradient is
    # of order eps and a tiny eps would leave nothing to check. A large eps makes it O(1).
    eps = 1.0 if shape[0] == 2 else 1e-5
    bn = randomize_affine(BatchNorm1d(shape[1], eps=eps, affine=affine), rng)
    x = rng.normal(1.5, 2.0, size=shape)
    errors = check_module(bn, x, rng=rng)
    expected = {"input", "weight", "bias"} if affine else {"input"}
    assert set(errors) == expected
    assert max(errors.values()) < GRAD_TOL, errors


@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("shape", [(1, 3), (4, 2), (9, 5)])
def test_batchnorm_gradient_check_eval(shape, affine, rng):
    bn = randomize_affine(BatchNorm1d(shape[1], affine=affine), rng)
    for _ in range(3):                      # non-trivial running statistics
        bn(rng.normal(-1.0, 3.0, size=(6, shape[1])))
    bn.eval()
    x = rng.normal(size=shape)
    errors = check_module(bn, x, rng=rng)
    assert max(errors.values()) < GRAD_TOL, errors


def test_batchnorm_gradient_check_without_running_stats_in_eval(rng):
    """track_running_stats=False uses batch statistics in eval mode too (and their gradient)."""
    bn = randomize_affine(BatchNorm1d(3, track_running_stats=False), rng)
    bn.eval()
    errors = check_module(bn, rng.normal(size=(6, 3)), rng=rng)
    assert max(errors.values()) < GRAD_TOL, errors


def test_batchnorm_gradient_check_inside_network(rng):
    model = Sequential(Linear(3, 6, rng=0), BatchNorm1d(6), ReLU(), Linear(6, 2, rng=1))
    randomize_affine(model[1], rng)
    x = rng.normal(size=(10, 3))
    # keep ReLU's inputs away from the kink
    assert np.abs(model[:2](x)).min() > 1e-3
    model.train()
    errors = check_module(model, x, rng=rng)
    # The bias of a linear layer right before batch normalization is subtracted with the
    # mean: its true gradient is zero, and the relative error of two zeros is noise.
    bias_error = errors.pop("0.bias")
    assert max(errors.values()) < GRAD_TOL, (errors, bias_error)
    out = model(x)
    model.backward(np.ones_like(out))
    np.testing.assert_allclose(model[0].bias.grad, 0.0, atol=1e-12)
    model.zero_grad()


def test_batchnorm_backward_compact_form_and_projections(rng):
    """Input gradient against the formula, and its two invariances (eps = 0 makes them exact)."""
    n, c = 12, 4
    bn = randomize_affine(BatchNorm1d(c, eps=1e-300), rng)
    x = rng.normal(2.0, 1.5, size=(n, c))
    bn(x)
    g = rng.normal(size=(n, c))
    grad_x = bn.backward(g)
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    xhat = (x - mu) / np.sqrt(var)
    dxhat = g * bn.weight.data
    expected = (n * dxhat - dxhat.sum(0) - xhat * (dxhat * xhat).sum(0)) / (n * np.sqrt(var))
    np.testing.assert_allclose(grad_x, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(grad_x.sum(axis=0), 0.0, atol=1e-13)
    np.testing.assert_allclose((grad_x * xhat).sum(axis=0), 0.0, atol=1e-13)
    np.testing.assert_allclose(bn.weight.grad, (g * xhat).sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(bn.bias.grad, g.sum(axis=0), rtol=1e-12)


def test_batchnorm_training_forward_and_running_stats_formula(rng):
    n, c = 10, 3
    bn = BatchNorm1d(c, momentum=0.25)
    running_mean, running_var = np.zeros(c), np.ones(c)
    for _ in range(4):
        x = rng.normal(3.0, 2.0, size=(n, c))
        out = bn(x)
        mean = x.mean(axis=0)
        biased = ((x - mean) ** 2).sum(axis=0) / n
        unbiased = ((x - mean) ** 2).sum(axis=0) / (n - 1)
        np.testing.assert_allclose(out, (x - mean) / np.sqrt(biased + 1e-5), rtol=1e-12, atol=1e-14)
        running_mean = 0.75 * running_mean + 0.25 * mean
        running_var = 0.75 * running_var + 0.25 * unbiased
        np.testing.assert_allclose(bn.running_mean, running_mean, rtol=1e-13)
        np.testing.assert_allclose(bn.running_var, running_var, rtol=1e-13)
    assert int(bn.num_batches_tracked) == 4
    bn.eval()
    x = rng.normal(size=(5, c))
    before = bn.state_dict()
    np.testing.assert_allclose(bn(x), (x - running_mean) / np.sqrt(running_var + 1e-5), rtol=1e-12)
    after = bn.state_dict()
    assert all(np.array_equal(before[k], after[k]) for k in before), "eval must not change buffers"


def test_batchnorm_cumulative_average_with_momentum_none(rng):
    bn = BatchNorm1d(2, momentum=None)
    batches = [rng.normal(t, 1.0 + t, size=(7, 2)) for t in range(5)]
    for b in batches:
        bn(b)
    np.testing.assert_allclose(bn.running_mean, np.mean([b.mean(0) for b in batches], axis=0),
                               rtol=1e-13)
    np.testing.assert_allclose(bn.running_var, np.mean([b.var(0, ddof=1) for b in batches], axis=0),
                               rtol=1e-13)


def test_batchnorm_parameters_buffers_and_state_dict():
    bn = BatchNorm1d(4)
    assert [name for name, _ in bn.named_parameters()] == ["weight", "bias"]
    np.testing.assert_array_equal(bn.weight.data, np.ones(4))
    np.testing.assert_array_equal(bn.bias.data, np.zeros(4))
    state = bn.state_dict()
    assert list(state) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert state["num_batches_tracked"].dtype == np.int64 and state["num_batches_tracked"].shape == ()
    bare = BatchNorm1d(4, affine=False, track_running_stats=False)
    assert bare.parameters() == [] and bare.state_dict() == {}


def test_batchnorm_state_dict_round_trip(rng):
    a = BatchNorm1d(3)
    for _ in range(3):
        a(rng.normal(size=(5, 3)))
    a.weight.data[...] = [0.5, 2.0, -1.0]
    b = BatchNorm1d(3)
    b.load_state_dict(a.state_dict())
    for key, value in a.state_dict().items():
        np.testing.assert_array_equal(b.state_dict()[key], value)
    a.eval(), b.eval()
    x = rng.normal(size=(4, 3))
    np.testing.assert_array_equal(a(x), b(x))
    b.train()
    b(rng.normal(size=(5, 3)))                         # counting continues after a load
    assert int(b.num_batches_tracked) == 4


TORCH_CONFIGS = [
    dict(),
    dict(momentum=0.3),
    dict(momentum=None),
    dict(affine=False),
    dict(eps=1e-3),
    dict(track_running_stats=False),
]


@pytest.mark.parametrize("config", TORCH_CONFIGS, ids=[str(c) for c in TORCH_CONFIGS])
def test_batchnorm_matches_torch(config, rng):
    torch = pytest.importorskip("torch")
    c = 5
    ours = BatchNorm1d(c, **config)
    theirs = torch.nn.BatchNorm1d(c, **config).double()
    if ours.affine:
        gamma, beta = rng.normal(1.0, 0.5, size=c), rng.normal(size=c)
        ours.weight.data[...] = gamma
        ours.bias.data[...] = beta
        with torch.no_grad():
            theirs.weight.copy_(torch.tensor(gamma))
            theirs.bias.copy_(torch.tensor(beta))
    for step, n in enumerate([8, 3, 16, 2]):
        x = rng.normal(2.0, 3.0, size=(n, c))
        g = rng.normal(size=(n, c))
        xt = torch.tensor(x, requires_grad=True)
        out_t = theirs(xt)
        out_t.backward(torch.tensor(g))
        ours.zero_grad()
        out = ours(x)
        grad_x = ours.backward(g)
        np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(grad_x, xt.grad.numpy(), rtol=1e-9, atol=1e-12)
        if ours.affine:
            np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-10)
            np.testing.assert_allclose(ours.bias.grad, theirs.bias.grad.numpy(), rtol=1e-10)
            theirs.zero_grad()
        state_t = theirs.state_dict()
        state = ours.state_dict()
        assert list(state) == list(state_t), (list(state), list(state_t))
        for key, value in state_t.items():
            np.testing.assert_allclose(state[key], value.numpy(), rtol=1e-12, err_msg=key)
            assert state[key].dtype == value.numpy().dtype, key
    # evaluation mode
    ours.eval(), theirs.eval()
    x = rng.normal(size=(4, c))
    with torch.no_grad():
        expected = theirs(torch.tensor(x)).numpy()
    np.testing.assert_allclose(ours(x), expected, rtol=1e-10, atol=1e-12)


def test_batchnorm_loads_a_torch_state_dict(rng):
    torch = pytest.importorskip("torch")
    theirs = torch.nn.BatchNorm1d(3).double()
    for _ in range(2):
        theirs(torch.tensor(rng.normal(size=(6, 3))))
    ours = BatchNorm1d(3)
    ours.load_state_dict({k: v.numpy().copy() for k, v in theirs.state_dict().items()})
    ours.eval(), theirs.eval()
    x = rng.normal(size=(4, 3))
    with torch.no_grad():
        np.testing.assert_allclose(ours(x), theirs(torch.tensor(x)).numpy(), rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batchnorm_dtype_preserved(dtype, rng):
    bn = BatchNorm1d(3, dtype=dtype)
    for name, value in bn.state_dict().items():
        if name != "num_batches_tracked":
            assert value.dtype == dtype, name
    x = rng.normal(size=(6, 3)).astype(dtype)
    for mode in ("train", "eval"):
        getattr(bn, mode)()
        out = bn(x)
        assert out.dtype == dtype
        grad = bn.backward(np.ones_like(out))
        assert grad.dtype == dtype
        assert bn.weight.grad.dtype == dtype and bn.bias.grad.dtype == dtype
        bn.zero_grad()
    assert bn.running_mean.dtype == dtype and bn.running_var.dtype == dtype


def test_batchnorm_float32_close_to_float64(rng):
    x = rng.normal(2.0, 3.0, size=(8, 4))
    g = rng.normal(size=(8, 4))
    b64, b32 = BatchNorm1d(4), BatchNorm1d(4, dtype=np.float32)
    out64, out32 = b64(x), b32(x.astype(np.float32))
    np.testing.assert_allclose(out32, out64, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(b32.backward(g.astype(np.float32)), b64.backward(g),
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(b32.running_var, b64.running_var, rtol=1e-5)


def test_batchnorm_output_is_not_the_cache(rng):
    """Modifying the output in place must not corrupt the backward pass."""
    for affine in (True, False):
        bn = randomize_affine(BatchNorm1d(3, affine=affine), rng)
        x = rng.normal(size=(5, 3))
        g = rng.normal(size=(5, 3))
        bn(x)
        expected = bn.backward(g)
        bn.zero_grad()
        out = bn(x)
        out[...] = 123.0
        np.testing.assert_array_equal(bn.backward(g), expected)


def test_batchnorm_bad_input():
    bn = BatchNorm1d(4)
    with pytest.raises(ValueError, match=r"BatchNorm1d.*4 features.*\(8, 3\)"):
        bn(np.zeros((8, 3)))
    with pytest.raises(ValueError, match=r"BatchNorm1d.*\(1, 4\).*at least 2 samples.*eval"):
        bn(np.ones((1, 4)))
    with pytest.raises(ValueError, match=r"BatchNorm1d.*\(4,\)"):
        bn(np.ones(4))
    with pytest.raises(ValueError, match=r"BatchNorm1d.*\(2, 4, 3\)"):
        bn(np.ones((2, 4, 3)))
    with pytest.raises(ValueError, match=r"BatchNorm1d.*float32.*float64"):
        bn(np.ones((3, 4), dtype=np.float32))
    with pytest.raises(ValueError, match=r"BatchNorm1d.*NaN"):
        bn(np.array([[1.0, 2.0, np.nan, 0.0], [0.0, 1.0, 2.0, 3.0]]))
    with pytest.raises(ValueError, match=r"BatchNorm1d.*floating-point"):
        bn(np.ones((3, 4), dtype=np.int64))
    bn.eval()
    assert bn(np.ones((1, 4))).shape == (1, 4)      # one sample is fine in eval mode
    no_stats = BatchNorm1d(4, track_running_stats=False).eval()
    with pytest.raises(ValueError, match=r"BatchNorm1d.*\(1, 4\)"):
        no_stats(np.ones((1, 4)))


def test_batchnorm_backward_errors(rng):
    bn = BatchNorm1d(3)
    with pytest.raises(RuntimeError, match=r"BatchNorm1d.*backward\(\) called before forward\(\)"):
        bn.backward(np.ones((4, 3)))
    bn(rng.normal(size=(4, 3)))
    with pytest.raises(ValueError, match=r"BatchNorm1d.*\(4, 2\).*\(4, 3\)"):
        bn.backward(np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"BatchNorm1d.*float32"):
        bn.backward(np.ones((4, 3), dtype=np.float32))


@pytest.mark.parametrize("kwargs, match", [
    (dict(num_features=0), "num_features"),
    (dict(num_features=2.5), "num_features"),
    (dict(num_features=True), "num_features"),
    (dict(num_features=3, eps=0.0), "eps"),
    (dict(num_features=3, eps=-1e-5), "eps"),
    (dict(num_features=3, momentum=1.5), "momentum"),
    (dict(num_features=3, momentum=-0.1), "momentum"),
    (dict(num_features=3, momentum=float("nan")), "momentum"),
    (dict(num_features=3, momentum="0.1"), "momentum"),
    (dict(num_features=3, dtype=np.int32), "dtype"),
])
def test_batchnorm_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=f"BatchNorm1d.*{match}"):
        BatchNorm1d(**kwargs)


def test_batchnorm_repr():
    assert repr(BatchNorm1d(4)) == (
        "BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)"
    )


# ======================================================================================
# Dropout
# ======================================================================================


def test_dropout_eval_is_identity(rng):
    drop = Dropout(0.5, rng=0).eval()
    x = rng.normal(size=(4, 5))
    assert drop(x) is x
    g = rng.normal(size=(4, 5))
    assert drop.backward(g) is g
    assert drop.mask is None


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_fraction_and_scaling(p):
    drop = Dropout(p, rng=123)
    x = np.random.default_rng(7).uniform(0.5, 1.5, size=(400, 250))   # no zeros in the input
    out = drop(x)
    dropped = out == 0
    n = x.size
    # the number of dropped elements is Binomial(n, p): allow 5 standard deviations
    assert abs(dropped.mean() - p) < 5 * math.sqrt(p * (1 - p) / n)
    scale = 1.0 / (1.0 - p)
    np.testing.assert_array_equal(np.unique(drop.mask), [0.0, scale])
    np.testing.assert_array_equal(out, x * drop.mask)
    np.testing.assert_allclose(out[~dropped], x[~dropped] / (1 - p), rtol=1e-15)


def test_dropout_expectation(rng):
    """Averaged over many masks, the output is the input (inverted dropout)."""
    drop = Dropout(0.3, rng=1)
    x = rng.uniform(1.0, 2.0, size=8)
    batch = np.tile(x, (20000, 1))                 # 20000 independent masks of the same sample
    mean = drop(batch).mean(axis=0)
    # each average has standard deviation x * sqrt(p / (1 - p) / 20000), x < 2: allow 5 of them
    np.testing.assert_allclose(mean, x, atol=5 * 2.0 * math.sqrt(0.3 / 0.7 / 20000))


def test_dropout_backward_uses_the_forward_mask(rng):
    p = 0.4
    drop = Dropout(p, rng=5)
    x = rng.normal(size=(6, 7))
    drop(x)
    kept = drop.mask != 0
    g = rng.normal(size=(6, 7))
    grad = drop.backward(g)
    np.testing.assert_array_equal(grad, g * drop.mask)
    np.testing.assert_allclose(grad, np.where(kept, g / (1 - p), 0.0), rtol=1e-15)
    first_mask = drop.mask.copy()
    drop(x)                                            # a new mask for the next pass
    assert not np.array_equal(drop.mask, first_mask)
    np.testing.assert_array_equal(drop.backward(g), g * drop.mask)


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
@pytest.mark.parametrize("shape", [(7,), (5, 4), (3, 4, 5)])
def test_dropout_gradient_check_with_frozen_mask(p, shape, rng):
    drop = Dropout(p, rng=rng)
    x = rng.normal(size=shape)
    drop(x)
    mask = drop.mask.copy()
    with drop.freeze_mask():
        errors = check_module(drop, x, rng=rng)
        np.testing.assert_array_equal(drop.mask, mask)   # the mask did not change
    assert errors["input"] < GRAD_TOL, errors
    drop(x)
    assert not np.array_equal(drop.mask, mask)           # unfrozen again


def test_dropout_gradient_check_eval(rng):
    drop = Dropout(0.5, rng=0).eval()
    assert check_module(drop, rng.normal(size=(5, 3)), rng=rng)["input"] < GRAD_TOL


def test_dropout_gradient_check_inside_network(rng):
    model = Sequential(Linear(3, 8, rng=0), ReLU(), Dropout(0.5, rng=1), Linear(8, 2, rng=2))
    x = np.random.default_rng(0).normal(size=(6, 3))
    assert np.abs(model[0](x)).min() > 1e-3
    model(x)
    with model[2].freeze_mask():
        errors = check_module(model, x, rng=rng)
    assert max(errors.values()) < GRAD_TOL, errors


def test_dropout_freeze_mask_errors(rng):
    drop = Dropout(0.5, rng=0)
    with pytest.raises(RuntimeError, match=r"Dropout\(p=0.5\).*freeze_mask.*forward"):
        with drop.freeze_mask():
            pass
    drop(rng.normal(size=(4, 3)))
    with drop.freeze_mask():
        with pytest.raises(ValueError, match=r"Dropout.*\(4, 3\).*\(5, 3\)"):
            drop(rng.normal(size=(5, 3)))
    assert drop(rng.normal(size=(5, 3))).shape == (5, 3)  # fine once unfrozen


def test_dropout_determinism_with_a_seed(rng):
    x = rng.normal(size=(10, 10))
    a, b, c = Dropout(0.3, rng=42), Dropout(0.3, rng=42), Dropout(0.3, rng=43)
    for _ in range(3):
        out_a, out_b, out_c = a(x), b(x), c(x)
        np.testing.assert_array_equal(out_a, out_b)
        assert not np.array_equal(out_a, out_c)
    gen = np.random.default_rng(9)
    assert Dropout(0.3, rng=gen).rng is gen               # a Generator is used as is


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dropout_dtype_preserved(dtype, rng):
    drop = Dropout(0.25, rng=0)
    x = rng.normal(size=(8, 6)).astype(dtype)
    out = drop(x)
    assert out.dtype == dtype and drop.mask.dtype == dtype
    assert np.unique(drop.mask).tolist() == [0.0, float(dtype(1 / 0.75))]
    assert drop.backward(np.ones_like(out)).dtype == dtype
    drop.eval()
    assert drop(x).dtype == dtype and drop.backward(np.ones_like(x)).dtype == dtype


def test_dropout_p_zero_is_identity_in_training(rng):
    drop = Dropout(0.0, rng=0)
    x = rng.normal(size=(3, 4))
    assert drop(x) is x
    assert drop.mask is None


@pytest.mark.parametrize("p", [1, 1.0])
def test_dropout_rejects_p_one(p):
    with pytest.raises(ValueError, match=r"Dropout.*\[0, 1\).*p=1 would drop every"):
        Dropout(p)


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_rejects_bad_p(p):
    with pytest.raises(ValueError, match=rf"Dropout: invalid p={p}; it must be in \[0, 1\)"):
        Dropout(p)


@pytest.mark.parametrize("p", [float("nan"), float("inf"), "0.5", None, True])
def test_dropout_rejects_a_p_that_is_not_a_finite_number(p):
    with pytest.raises(ValueError, match=r"Dropout: p must be a finite real number, got"):
        Dropout(p)


def test_dropout_bad_input_and_order(rng):
    drop = Dropout(0.5, rng=0)
    with pytest.raises(RuntimeError, match=r"Dropout.*backward\(\) called before forward\(\)"):
        drop.backward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"Dropout.*NaN"):
        drop(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match=r"Dropout.*floating-point"):
        drop(np.ones((2, 3), dtype=np.int64))
    drop(rng.normal(size=(2, 3)))
    with pytest.raises(ValueError, match=r"Dropout.*\(3, 2\).*\(2, 3\)"):
        drop.backward(np.ones((3, 2)))


def test_dropout_modes_follow_the_model(rng):
    model = Sequential(Linear(4, 4, rng=0), Dropout(0.5, rng=1))
    x = rng.normal(size=(3, 4))
    model.eval()
    np.testing.assert_array_equal(model(x), model[0](x))
    model.train()
    assert model[1].training
    assert isinstance(model[1], Module) and model[1].parameters() == []
    assert repr(model[1]) == "Dropout(p=0.5)"


# ======================================================================================
# EarlyStopping
# ======================================================================================


class Counter(Module):
    """A model with one parameter and one buffer, to watch what gets restored."""

    def __init__(self):
        super().__init__()
        self.w = Parameter(np.zeros(2))
        self.register_buffer("seen", np.zeros(1))

    def set(self, value):
        self.w.data[...] = value
        self.seen[...] = value


def run(stopper, values, model=None):
    """Feed values through the callback hooks as a training loop would; return stop epoch or None."""
    model = model if model is not None else Counter()
    stopper.on_train_begin(model)
    stopped = None
    for epoch, value in enumerate(values):
        model.set(epoch)
        if stopper.on_epoch_end(epoch, {"loss": 1.0, "val_loss": value, "val_accuracy": -value},
                                model):
            stopped = epoch
            break
    stopper.on_train_end(model)
    return stopped, model


def test_early_stopping_stops_after_patience():
    stopper = EarlyStopping(patience=3)
    values = [1.0, 0.8, 0.6, 0.7, 0.65, 0.9, 0.5, 0.4]
    stopped, model = run(stopper, values)
    assert stopped == 5 and stopper.stopped_epoch == 5
    assert stopper.best == 0.6 and stopper.best_epoch == 2 and stopper.wait == 3
    np.testing.assert_array_equal(model.w.data, [2.0, 2.0])   # restored to the best epoch
    np.testing.assert_array_equal(model.seen, [2.0])          # buffers too


def test_early_stopping_never_stops_while_improving():
    stopper = EarlyStopping(patience=1)
    stopped, model = run(stopper, [5.0, 4.0, 3.0, 2.0])
    assert stopped is None and stopper.stopped_epoch is None
    assert stopper.best_epoch == 3 and stopper.wait == 0


def test_early_stopping_min_delta():
    stopper = EarlyStopping(patience=2, min_delta=0.1)
    # 0.95 and 0.92 are lower than 1.0 but not by more than 0.1
    stopped, _ = run(stopper, [1.0, 0.95, 0.92, 0.5])
    assert stopped == 2 and stopper.best == 1.0 and stopper.best_epoch == 0
    stopper = EarlyStopping(patience=2, min_delta=0.1)
    stopped, _ = run(stopper, [1.0, 0.95, 0.85, 0.80, 0.79])
    assert stopped == 4 and stopper.best == 0.85 and stopper.best_epoch == 2


def test_early_stopping_mode_max():
    stopper = EarlyStopping(monitor="val_accuracy", patience=2, mode="max")
    # val_accuracy is -value in run(): 0.5, 0.7, 0.6, 0.65 as accuracies
    stopped, model = run(stopper, [-0.5, -0.7, -0.6, -0.65, -0.9])
    assert stopped == 3 and stopper.best == 0.7 and stopper.best_epoch == 1
    np.testing.assert_array_equal(model.w.data, [1.0, 1.0])
    assert EarlyStopping(monitor="val_accuracy", mode="max").best == -math.inf
    with pytest.raises(ValueError, match="EarlyStopping: mode='max' contradicts monitor='val_loss'"):
        EarlyStopping(mode="max")                       # the default monitor is a loss


def test_early_stopping_restore_best_false():
    stopper = EarlyStopping(patience=2, restore_best=False)
    stopped, model = run(stopper, [1.0, 2.0, 3.0])
    assert stopped == 2
    np.testing.assert_array_equal(model.w.data, [2.0, 2.0])  # the last weights are kept
    assert stopper.best_state is not None


def test_early_stopping_keeps_a_copy():
    model = Counter()
    stopper = EarlyStopping(patience=5)
    model.set(7.0)
    stopper.step(1.0, model)
    model.set(-1.0)                                # changing the model after the copy
    np.testing.assert_array_equal(stopper.best_state["w"], [7.0, 7.0])
    stopper.on_train_end(model)
    np.testing.assert_array_equal(model.w.data, [7.0, 7.0])


def test_early_stopping_restores_a_network(rng):
    """The weights and BatchNorm running statistics of the best epoch come back exactly."""
    model = Sequential(Linear(3, 4, rng=0), BatchNorm1d(4), ReLU(), Linear(4, 2, rng=1))
    optimizer = SGD(model.parameters(), lr=0.1)
    stopper = EarlyStopping(patience=2)
    stopper.on_train_begin(model)
    snapshots = []
    for epoch, value in enumerate([0.9, 0.5, 0.7, 0.8, 0.3]):
        model.train()
        optimizer.zero_grad()
        out = model(rng.normal(size=(8, 3)))
        model.backward(np.ones_like(out))
        optimizer.step()
        snapshots.append(model.state_dict())
        if stopper.on_epoch_end(epoch, {"val_loss": value}, model):
            break
    stopper.on_train_end(model)
    assert stopper.stopped_epoch == 3 and stopper.best_epoch == 1
    for key, value in snapshots[1].items():
        np.testing.assert_array_equal(model.state_dict()[key], value, err_msg=key)


def test_early_stopping_on_train_begin_resets():
    stopper = EarlyStopping(patience=1)
    run(stopper, [1.0, 2.0])
    assert stopper.stopped_epoch == 1
    stopper.on_train_begin(Counter())
    assert stopper.best == math.inf and stopper.best_epoch is None
    assert stopper.stopped_epoch is None and stopper.wait == 0 and stopper.best_state is None


def test_early_stopping_step_counts_epochs_and_ignores_nan():
    stopper = EarlyStopping(patience=2)
    assert stopper.step(1.0, None) is False
    assert stopper.step(float("nan"), None) is False         # NaN is never an improvement
    assert stopper.step(np.float64(0.5), None) is False
    assert stopper.best == 0.5 and stopper.best_epoch == 2
    assert stopper.step(0.6, None) is False
    assert stopper.step(0.6, None) is True and stopper.stopped_epoch == 4
    assert stopper.best_state is None                        # no model given


def test_early_stopping_missing_monitor_key():
    stopper = EarlyStopping(monitor="val_loss")
    with pytest.raises(ValueError, match=r"EarlyStopping.*'val_loss'.*\['accuracy', 'loss'\]"):
        stopper.on_epoch_end(0, {"loss": 0.5, "accuracy": 0.8}, Counter())


def test_early_stopping_non_numeric_value():
    with pytest.raises(ValueError, match="EarlyStopping.*number"):
        EarlyStopping().step("low", None)


@pytest.mark.parametrize("kwargs, match", [
    (dict(patience=0), "patience"),
    (dict(patience=2.5), "patience"),
    (dict(patience=True), "patience"),
    (dict(min_delta=-0.1), "min_delta"),
    (dict(min_delta=float("nan")), "min_delta"),
    (dict(mode="maximum"), "mode"),
    (dict(monitor=3), "monitor"),
])
def test_early_stopping_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=f"EarlyStopping.*{match}"):
        EarlyStopping(**kwargs)


@pytest.mark.parametrize("monitor, mode", [
    ("val_loss", "min"), ("loss", "min"), ("val_accuracy", "max"), ("accuracy", "max"),
    ("val_acc", "max"), ("val_f1", "max"), ("precision", "max"), ("val_recall", "max"),
    ("val_mse", "min"),
])
def test_early_stopping_infers_the_mode_from_the_monitor(monitor, mode):
    stopper = EarlyStopping(monitor=monitor)
    assert stopper.mode == mode
    assert stopper.best == (math.inf if mode == "min" else -math.inf)
    assert EarlyStopping(monitor=monitor, mode=mode).mode == mode     # a consistent explicit mode
    if mode == "max":                  # an explicit mode that contradicts the name is refused
        with pytest.raises(ValueError, match=f"EarlyStopping: mode='min' contradicts monitor='{monitor}'"):
            EarlyStopping(monitor=monitor, mode="min")


def test_early_stopping_on_an_accuracy_keeps_the_best_epoch_not_the_worst():
    stopper = EarlyStopping(monitor="val_accuracy", patience=2)
    # val_accuracy is -value in run(): 0.5, 0.7, 0.6, 0.65 as accuracies
    stopped, model = run(stopper, [-0.5, -0.7, -0.6, -0.65, -0.9])
    assert stopped == 3 and stopper.best == 0.7 and stopper.best_epoch == 1
    np.testing.assert_array_equal(model.w.data, [1.0, 1.0])


def test_early_stopping_repr():
    assert repr(EarlyStopping()) == (
        "EarlyStopping(monitor='val_loss', patience=5, min_delta=0, mode='min', restore_best=True)"
    )


# ======================================================================================
# l2_penalty
# ======================================================================================


def test_l2_penalty_value(rng):
    model = Sequential(Linear(3, 4, rng=0), ReLU(), Linear(4, 2, rng=1))
    expected = 0.5 * 0.03 * sum(np.sum(p.data ** 2) for p in model.parameters())
    assert l2_penalty(model, 0.03) == pytest.approx(expected, rel=1e-14)
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    expected_w = 0.5 * 0.03 * sum(np.sum(p.data ** 2) for p in weights)
    assert l2_penalty(weights, 0.03) == pytest.approx(expected_w, rel=1e-14)
    assert l2_penalty(model, 0) == 0.0
    assert isinstance(l2_penalty(model, 0.1), float)


def test_l2_penalty_gradient_is_weight_decay(rng):
    """d(penalty)/dW = lambda * W, which is what SGD's weight_decay adds to the gradient."""
    layer = Linear(4, 3, rng=0)
    for p in layer.parameters():
        numeric = numerical_gradient(lambda: l2_penalty(layer, 0.2), p.data)
        assert rel_error(numeric, 0.2 * p.data) < GRAD_TOL
    # one SGD step with weight_decay == one step on the gradient plus lambda * W
    a, b = Linear(4, 3, rng=0), Linear(4, 3, rng=0)
    g = rng.normal(size=(3,))
    for layer in (a, b):
        layer.weight.grad = np.ones((4, 3))
        layer.bias.grad = g.copy()
    SGD(a.parameters(), lr=0.1, weight_decay=0.2).step()
    for p in b.parameters():
        p.data -= 0.1 * (p.grad + 0.2 * p.data)
    for pa, pb in zip(a.parameters(), b.parameters()):
        np.testing.assert_allclose(pa.data, pb.data, rtol=1e-15)


@pytest.mark.parametrize("wd", [-0.1, float("nan"), "a lot"])
def test_l2_penalty_bad_weight_decay(wd):
    with pytest.raises(ValueError, match="l2_penalty.*weight_decay"):
        l2_penalty(Linear(2, 2, rng=0), wd)


def test_l2_penalty_bad_parameters():
    with pytest.raises(ValueError, match="l2_penalty.*item 1 is a ndarray"):
        l2_penalty([Parameter(np.ones(2)), np.ones(2)], 0.1)
    with pytest.raises(ValueError, match="l2_penalty.*int"):
        l2_penalty(3, 0.1)
    assert l2_penalty(Parameter(np.array([3.0, 4.0])), 2.0) == 25.0
