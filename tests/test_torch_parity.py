"""Whole-model parity between nnbook and PyTorch (chapter 14, *From nnbook to PyTorch*).

The unit tests of each module compare one layer, one loss or one optimizer
with its PyTorch counterpart. These tests compare whole networks: an nnbook
model and a PyTorch model with the same weights (the ``Linear`` weights
transposed) must give the same outputs, losses, gradients of every parameter
and of the input, the same running statistics, and, after several training
steps with the same optimizer, the same weights. Everything runs in float64,
so the only differences left are rounding (summation order in different BLAS
libraries), far below the tolerances.

Skipped when PyTorch is not installed: torch is never a dependency of nnbook.
"""
import io

import numpy as np
import pytest

torch = pytest.importorskip("torch")
tnn = torch.nn

from nnbook import lr_scheduler, optim  # noqa: E402
from nnbook.activations import (  # noqa: E402
    GELU, Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Softplus, Tanh,
)
from nnbook.layers import Linear, Module, Sequential  # noqa: E402
from nnbook.losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss  # noqa: E402
from nnbook.regularization import BatchNorm1d, Dropout  # noqa: E402
from nnbook.checkpoint import load, save  # noqa: E402

FORWARD_RTOL = 1e-12   # outputs and losses
GRAD_RTOL = 1e-10      # gradients
TRAIN_RTOL = 1e-9      # weights after several optimizer steps


# -- the conversion helpers -------------------------------------------------------------

def _key(prefix, name):
    return f"{prefix}.{name}" if prefix else name


def linear_weight_keys(model):
    """The state-dict keys of the ``Linear`` weights: the only entries whose layout differs."""
    return {_key(prefix, "weight") for prefix, m in model.named_modules() if isinstance(m, Linear)}


def to_torch_state(model, arrays=None):
    """An nnbook state dict (or ``arrays``, keyed like it) as PyTorch tensors, in PyTorch's layout.

    The keys are the same (``nnbook.Sequential`` names its items "0", "1", ... as
    ``torch.nn.Sequential`` does); ``Linear`` weights are transposed from
    ``(in, out)`` to ``(out, in)``; everything else is copied as is.
    """
    arrays = model.state_dict() if arrays is None else arrays
    transpose = linear_weight_keys(model)
    # np.array(..., order="C") copies into C order; np.ascontiguousarray would turn the
    # 0-d buffer num_batches_tracked into shape (1,).
    return {key: torch.from_numpy(np.array(value.T if key in transpose else value, order="C"))
            for key, value in arrays.items()}


def from_torch_state(model, tensors):
    """The inverse of :func:`to_torch_state`: NumPy arrays for ``model.load_state_dict``."""
    transpose = linear_weight_keys(model)
    out = {}
    for key, value in tensors.items():
        array = value.detach().cpu().numpy()
        out[key] = np.array(array.T if key in transpose else array, order="C")
    return out


def torch_twin(module):
    """A PyTorch module with the same architecture, weights, buffers and mode as ``module``."""
    twin = _twin(module)
    twin.load_state_dict(to_torch_state(module), strict=True)
    twin.train(module.training)
    for (_, ours), theirs in zip(module.named_modules(), twin.modules()):
        theirs.train(ours.training)
    return twin


def _twin(m):
    f64 = torch.float64
    if isinstance(m, Sequential):
        return tnn.Sequential(*[_twin(layer) for layer in m])
    if isinstance(m, Linear):
        return tnn.Linear(m.in_features, m.out_features, bias=m.bias is not None, dtype=f64)
    if isinstance(m, BatchNorm1d):
        return tnn.BatchNorm1d(m.num_features, eps=m.eps, momentum=m.momentum, affine=m.affine,
                               track_running_stats=m.track_running_stats, dtype=f64)
    if isinstance(m, Dropout):
        return tnn.Dropout(m.p)
    if isinstance(m, LeakyReLU):
        return tnn.LeakyReLU(m.negative_slope)
    if isinstance(m, Softplus):
        return tnn.Softplus(beta=m.beta)
    if isinstance(m, Softmax):
        return tnn.Softmax(dim=m.axis)
    if isinstance(m, GELU):
        return tnn.GELU(approximate="tanh")
    simple = {ReLU: tnn.ReLU, Sigmoid: tnn.Sigmoid, Tanh: tnn.Tanh, Identity: tnn.Identity}
    if type(m) in simple:
        return simple[type(m)]()
    raise TypeError(f"torch_twin: no PyTorch counterpart known for {type(m).__name__}")


def torch_loss(loss_fn):
    """The PyTorch loss with the same reduction."""
    kinds = {MSELoss: tnn.MSELoss, BCELoss: tnn.BCELoss, BCEWithLogitsLoss: tnn.BCEWithLogitsLoss,
             CrossEntropyLoss: tnn.CrossEntropyLoss}
    return kinds[type(loss_fn)](reduction=loss_fn.reduction)


def assert_close(actual, expected, rtol, what=""):
    """Equal up to ``rtol`` relative to the largest magnitude of ``expected``.

    A per-element relative test would fail on entries that are zero up to
    rounding (a sum that cancels); scaling the absolute tolerance by the
    array's magnitude measures the error the way the relative error of a
    vector does.
    """
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, (what, actual.shape, expected.shape)
    scale = float(np.abs(expected).max()) if expected.size else 0.0
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale, err_msg=what)


# -- the models ---------------------------------------------------------------------------

D, C, N = 5, 3, 16     # features, outputs, batch size


def _bn_with_stats(num_features, rng):
    """A BatchNorm1d with random affine parameters and non-trivial running statistics."""
    bn = BatchNorm1d(num_features)
    bn.weight.data[...] = rng.uniform(0.5, 1.5, num_features)
    bn.bias.data[...] = rng.normal(0, 0.3, num_features)
    bn.running_mean[...] = rng.normal(0, 0.5, num_features)
    bn.running_var[...] = rng.uniform(0.5, 2.0, num_features)
    bn.num_batches_tracked[...] = 7
    return bn


def make_model(kind, rng):
    rng = np.random.default_rng(rng)
    if kind == "relu-tanh":
        return Sequential(Linear(D, 8, rng=rng), ReLU(), Linear(8, 6, rng=rng), Tanh(),
                          Linear(6, C, rng=rng))
    if kind == "sigmoid-leaky":
        return Sequential(Linear(D, 8, rng=rng), Sigmoid(), Linear(8, 6, rng=rng),
                          LeakyReLU(0.2), Linear(6, C, rng=rng))
    if kind == "gelu-softplus":
        return Sequential(Linear(D, 8, rng=rng), GELU(), Linear(8, 6, rng=rng),
                          Softplus(beta=2.0), Linear(6, C, rng=rng))
    if kind == "softmax-output":
        return Sequential(Linear(D, 8, rng=rng), Tanh(), Linear(8, C, rng=rng), Softmax())
    if kind == "no-bias-identity":
        return Sequential(Linear(D, 8, bias=False, rng=rng), ReLU(), Linear(8, C, rng=rng),
                          Identity())
    if kind == "nested":
        block = Sequential(Linear(8, 8, rng=rng), Tanh())
        return Sequential(Linear(D, 8, rng=rng), ReLU(), block, Linear(8, C, rng=rng))
    if kind == "batchnorm-train":
        return Sequential(Linear(D, 8, rng=rng), _bn_with_stats(8, rng), ReLU(),
                          Linear(8, C, rng=rng))
    if kind == "batchnorm-dropout-eval":
        model = Sequential(Linear(D, 8, rng=rng), _bn_with_stats(8, rng), ReLU(),
                           Dropout(0.3, rng=rng), Linear(8, C, rng=rng))
        return model.eval()
    raise ValueError(kind)


KINDS = ["relu-tanh", "sigmoid-leaky", "gelu-softplus", "softmax-output", "no-bias-identity",
         "nested", "batchnorm-train", "batchnorm-dropout-eval"]


def make_batch(rng, n=N):
    """Inputs of unit scale (no pre-activation sits within rounding of a ReLU kink)."""
    return np.random.default_rng(rng).normal(size=(n, D))


def exactly_zero_gradients(model):
    """Keys of the biases whose gradient is exactly 0 in exact arithmetic.

    A ``Linear`` bias followed by a training-mode ``BatchNorm1d`` shifts every
    sample of a feature by the same amount, which the batch mean removes: its
    gradient is zero, and both libraries return rounding noise of order 1e-17,
    which a relative comparison cannot match.
    """
    keys = set()
    for prefix, m in model.named_modules():
        if isinstance(m, Sequential):
            for i, (layer, after) in enumerate(zip(m, list(m)[1:])):
                if (isinstance(layer, Linear) and layer.bias is not None
                        and isinstance(after, BatchNorm1d) and after.training):
                    keys.add(_key(_key(prefix, str(i)), "bias"))
    return keys


def torch_grads(twin, model):
    """The gradients of the twin's parameters, as NumPy arrays in nnbook's naming and layout."""
    grads = {name: p.grad for name, p in twin.named_parameters()}
    return from_torch_state(model, grads)


# -- the helpers themselves ----------------------------------------------------------------

def test_conversion_transposes_exactly_the_linear_weights(rng):
    model = make_model("batchnorm-train", rng)
    tensors = to_torch_state(model)
    state = model.state_dict()
    assert list(tensors) == list(state)
    assert linear_weight_keys(model) == {"0.weight", "3.weight"}
    for key, array in state.items():
        expected = array.T if key in ("0.weight", "3.weight") else array
        assert tensors[key].dtype == torch.from_numpy(array).dtype
        np.testing.assert_array_equal(tensors[key].numpy(), expected)
    assert tuple(tensors["0.weight"].shape) == (8, D)            # PyTorch: (out, in)
    assert tensors["1.num_batches_tracked"].dtype == torch.int64


def test_conversion_matches_a_hand_built_torch_linear(rng):
    layer = Linear(4, 3, rng=rng)
    reference = tnn.Linear(4, 3, dtype=torch.float64)
    with torch.no_grad():                                         # by hand, no helper involved
        reference.weight.copy_(torch.tensor(layer.weight.data.T))
        reference.bias.copy_(torch.tensor(layer.bias.data))
    converted = to_torch_state(layer)
    assert set(converted) == {"weight", "bias"}
    for key, value in reference.state_dict().items():
        assert torch.equal(converted[key], value)
    x = np.random.default_rng(1).normal(size=(6, 4))
    assert_close(reference(torch.tensor(x)).detach().numpy(), layer(x), FORWARD_RTOL)


def test_nested_names_agree_with_torch(rng):
    model = make_model("nested", rng)
    twin = torch_twin(model)
    assert list(twin.state_dict()) == list(model.state_dict())
    assert "2.0.weight" in model.state_dict()
    names = [name for name, _ in model.named_modules()]
    assert names == [name for name, _ in twin.named_modules()]


def test_round_trip_is_exact(rng):
    model = make_model("batchnorm-dropout-eval", rng)
    state = model.state_dict()
    back = from_torch_state(model, to_torch_state(model))
    assert list(back) == list(state)
    for key in state:
        assert back[key].dtype == state[key].dtype
        np.testing.assert_array_equal(back[key], state[key])


def test_twin_rejects_unknown_modules():
    class Custom(Module):
        def forward(self, x):
            return x

    with pytest.raises(TypeError, match="Custom"):
        torch_twin(Sequential(Custom()))


# -- forward, loss and backward ------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_forward_matches(kind, rng):
    model = make_model(kind, rng)
    twin = torch_twin(model)
    x = make_batch(rng)
    out = model(x)
    with torch.no_grad():
        expected = twin(torch.tensor(x)).numpy()
    assert out.dtype == np.float64
    assert_close(out, expected, FORWARD_RTOL, kind)


def _targets(loss_fn, out, rng):
    rng = np.random.default_rng(rng)
    if isinstance(loss_fn, CrossEntropyLoss):
        return rng.integers(0, out.shape[1], size=out.shape[0])
    if isinstance(loss_fn, (BCELoss, BCEWithLogitsLoss)):
        return rng.uniform(0, 1, size=out.shape)                  # soft labels in [0, 1]
    return rng.normal(size=out.shape)


def _torch_target(target):
    return torch.tensor(target, dtype=torch.int64 if target.dtype.kind == "i" else torch.float64)


LOSS_CASES = [
    ("relu-tanh", MSELoss()),
    ("relu-tanh", MSELoss(reduction="sum")),
    ("softmax-output", MSELoss()),
    ("softmax-output", BCELoss()),
    ("gelu-softplus", BCEWithLogitsLoss()),
    ("sigmoid-leaky", CrossEntropyLoss()),
    ("nested", CrossEntropyLoss(reduction="sum")),
    ("batchnorm-train", CrossEntropyLoss()),
    ("batchnorm-dropout-eval", MSELoss()),
    ("no-bias-identity", BCEWithLogitsLoss(reduction="sum")),
]


@pytest.mark.parametrize("kind, loss_fn", LOSS_CASES, ids=lambda v: v if isinstance(v, str) else repr(v))
def test_loss_and_all_gradients_match(kind, loss_fn, rng):
    model = make_model(kind, rng)
    twin = torch_twin(model)
    x = make_batch(rng)

    # nnbook: forward, loss, backward by hand.
    model.zero_grad()
    out = model(x)
    target = _targets(loss_fn, out, rng)
    loss = loss_fn(out, target)
    grad_x = model.backward(loss_fn.backward())

    # PyTorch: forward, loss, autograd.
    xt = torch.tensor(x, requires_grad=True)
    loss_t = torch_loss(loss_fn)(twin(xt), _torch_target(target))
    loss_t.backward()

    assert isinstance(loss, float)
    assert loss == pytest.approx(loss_t.item(), rel=FORWARD_RTOL, abs=0)
    assert_close(grad_x, xt.grad.numpy(), GRAD_RTOL, "input gradient")
    expected = torch_grads(twin, model)
    ours = {name: p.grad for name, p in model.named_parameters()}
    assert list(ours) == list(expected)
    zero = exactly_zero_gradients(model)
    scale = max(float(np.abs(g).max()) for g in expected.values())
    for name in ours:
        if name in zero:   # both are rounding noise around 0: compare with the overall scale
            assert np.abs(ours[name]).max() < GRAD_RTOL * scale, name
            assert np.abs(expected[name]).max() < GRAD_RTOL * scale, name
        else:
            assert_close(ours[name], expected[name], GRAD_RTOL, name)
    # Training-mode batch normalization updated its running statistics the same way.
    for key, value in from_torch_state(model, twin.state_dict()).items():
        if key.endswith(("running_mean", "running_var", "num_batches_tracked")):
            assert_close(model.state_dict()[key], value, FORWARD_RTOL, key)


def test_bce_on_probabilities_matches(rng):
    model = Sequential(Linear(D, 4, rng=rng), Tanh(), Linear(4, 1, rng=rng), Sigmoid())
    twin = torch_twin(model)
    x = make_batch(rng)
    y = np.random.default_rng(3).integers(0, 2, size=(N, 1)).astype(np.float64)
    for reduction in ("mean", "sum"):
        loss_fn = BCELoss(reduction=reduction)
        model.zero_grad()
        loss = loss_fn(model(x), y)
        grad_x = model.backward(loss_fn.backward())
        twin.zero_grad()
        xt = torch.tensor(x, requires_grad=True)
        loss_t = tnn.BCELoss(reduction=reduction)(twin(xt), torch.tensor(y))
        loss_t.backward()
        assert loss == pytest.approx(loss_t.item(), rel=FORWARD_RTOL, abs=0)
        assert_close(grad_x, xt.grad.numpy(), GRAD_RTOL, "input gradient")
        for name, g in torch_grads(twin, model).items():
            assert_close(dict(model.named_parameters())[name].grad, g, GRAD_RTOL, name)


def test_cross_entropy_with_probability_rows_matches(rng):
    model = make_model("relu-tanh", rng)
    twin = torch_twin(model)
    x = make_batch(rng)
    rows = np.random.default_rng(5).dirichlet(np.ones(C), size=N)   # soft labels
    loss_fn = CrossEntropyLoss()
    loss = loss_fn(model(x), rows)
    model.backward(loss_fn.backward())
    loss_t = tnn.CrossEntropyLoss()(twin(torch.tensor(x)), torch.tensor(rows))
    loss_t.backward()
    assert loss == pytest.approx(loss_t.item(), rel=FORWARD_RTOL, abs=0)
    for name, g in torch_grads(twin, model).items():
        assert_close(dict(model.named_parameters())[name].grad, g, GRAD_RTOL, name)


def test_eval_mode_dropout_is_the_identity_in_both(rng):
    model = make_model("batchnorm-dropout-eval", rng)
    twin = torch_twin(model)
    assert not twin[3].training and not model[3].training
    x = make_batch(rng)
    first, second = model(x), model(x)
    np.testing.assert_array_equal(first, second)
    with torch.no_grad():
        assert_close(first, twin(torch.tensor(x)).numpy(), FORWARD_RTOL)


# -- training ------------------------------------------------------------------------------

OPTIMIZERS = {
    "sgd": (optim.SGD, torch.optim.SGD, dict(lr=0.1)),
    "sgd-momentum-dampening": (optim.SGD, torch.optim.SGD,
                               dict(lr=0.05, momentum=0.9, dampening=0.2, weight_decay=1e-3)),
    "sgd-nesterov": (optim.SGD, torch.optim.SGD,
                     dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3)),
    "adam": (optim.Adam, torch.optim.Adam, dict(lr=1e-2, betas=(0.8, 0.99))),
    "adam-l2": (optim.Adam, torch.optim.Adam, dict(lr=1e-2, weight_decay=1e-2)),
    "adam-amsgrad": (optim.Adam, torch.optim.Adam, dict(lr=1e-2, amsgrad=True)),
    "adamw": (optim.AdamW, torch.optim.AdamW, dict(lr=1e-2, weight_decay=0.1)),
    "rmsprop": (optim.RMSprop, torch.optim.RMSprop,
                dict(lr=1e-2, momentum=0.5, centered=True, weight_decay=1e-3)),
    "adagrad": (optim.Adagrad, torch.optim.Adagrad, dict(lr=0.1, lr_decay=0.01)),
}


def _train_both(kind, ours_cls, theirs_cls, kwargs, rng, steps=8, schedule=None):
    """Train an nnbook model and its twin on the same batches; return both and the losses."""
    model = make_model(kind, rng)
    twin = torch_twin(model)
    data_rng = np.random.default_rng(11)
    X = data_rng.normal(size=(steps * 8, D))
    y = data_rng.integers(0, C, size=steps * 8)
    opt = ours_cls(model.parameters(), **kwargs)
    opt_t = theirs_cls(twin.parameters(), **kwargs)
    sched = sched_t = None
    if schedule is not None:
        ours_sched, theirs_sched, skw = schedule
        sched, sched_t = ours_sched(opt, **skw), theirs_sched(opt_t, **skw)
    loss_fn, loss_t_fn = CrossEntropyLoss(), tnn.CrossEntropyLoss()
    losses, losses_t, lrs, lrs_t = [], [], [], []
    for step in range(steps):
        xb, yb = X[step * 8:(step + 1) * 8], y[step * 8:(step + 1) * 8]
        opt.zero_grad()
        losses.append(loss_fn(model(xb), yb))
        model.backward(loss_fn.backward())
        opt.step()

        opt_t.zero_grad()
        loss_t = loss_t_fn(twin(torch.tensor(xb)), torch.tensor(yb))
        loss_t.backward()
        opt_t.step()
        losses_t.append(loss_t.item())
        if schedule is not None:       # one "epoch" per batch, to see the schedule move
            lrs.append(opt.lr)
            lrs_t.append(opt_t.param_groups[0]["lr"])
            sched.step()
            sched_t.step()
    return model, twin, (losses, losses_t), (lrs, lrs_t)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_training_steps_give_the_same_weights(name, rng):
    ours_cls, theirs_cls, kwargs = OPTIMIZERS[name]
    model, twin, (losses, losses_t), _ = _train_both("relu-tanh", ours_cls, theirs_cls, kwargs, rng)
    assert_close(losses, losses_t, TRAIN_RTOL, "losses")
    trained = from_torch_state(model, twin.state_dict())
    for key, value in model.state_dict().items():
        assert_close(value, trained[key], TRAIN_RTOL, key)
    # The weights did move: the comparison is not between two untouched copies.
    start = make_model("relu-tanh", rng=np.random.default_rng(1234)).state_dict()
    assert max(np.abs(model.state_dict()[k] - start[k]).max() for k in start) > 1e-3


def test_training_with_batchnorm_and_adamw(rng):
    model, twin, (losses, losses_t), _ = _train_both(
        "batchnorm-train", optim.AdamW, torch.optim.AdamW, dict(lr=1e-2), rng)
    assert_close(losses, losses_t, TRAIN_RTOL, "losses")
    trained = from_torch_state(model, twin.state_dict())
    for key, value in model.state_dict().items():         # parameters and running statistics
        assert_close(value, trained[key], TRAIN_RTOL, key)
    assert int(model.state_dict()["1.num_batches_tracked"]) == 7 + 8


@pytest.mark.parametrize("schedule", [
    (lr_scheduler.StepLR, torch.optim.lr_scheduler.StepLR, dict(step_size=3, gamma=0.5)),
    (lr_scheduler.CosineAnnealingLR, torch.optim.lr_scheduler.CosineAnnealingLR, dict(T_max=8)),
    (lr_scheduler.LinearLR, torch.optim.lr_scheduler.LinearLR,
     dict(start_factor=0.25, total_iters=4)),
], ids=["step", "cosine", "linear"])
def test_training_with_a_schedule(schedule, rng):
    model, twin, (losses, losses_t), (lrs, lrs_t) = _train_both(
        "relu-tanh", optim.SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.9), rng,
        schedule=schedule)
    assert_close(lrs, lrs_t, FORWARD_RTOL, "learning rates")
    assert len(set(lrs)) > 1
    assert_close(losses, losses_t, TRAIN_RTOL, "losses")
    trained = from_torch_state(model, twin.state_dict())
    for key, value in model.state_dict().items():
        assert_close(value, trained[key], TRAIN_RTOL, key)


# -- checkpoints -----------------------------------------------------------------------------

def test_torch_trained_weights_load_into_nnbook(rng):
    """Train in PyTorch, convert, load into a fresh nnbook model: same predictions."""
    model = make_model("batchnorm-train", rng)
    twin = torch_twin(model)
    opt_t = torch.optim.Adam(twin.parameters(), lr=1e-2)
    data = np.random.default_rng(2)
    for _ in range(5):
        x = torch.tensor(data.normal(size=(8, D)))
        y = torch.tensor(data.integers(0, C, size=8))
        opt_t.zero_grad()
        tnn.CrossEntropyLoss()(twin(x), y).backward()
        opt_t.step()
    fresh = make_model("batchnorm-train", rng=99)
    fresh.load_state_dict(from_torch_state(fresh, twin.state_dict()))
    fresh.eval()
    twin.eval()
    x = make_batch(7)
    with torch.no_grad():
        assert_close(fresh(x), twin(torch.tensor(x)).numpy(), FORWARD_RTOL)


def test_npz_checkpoint_to_torch_save_and_back(rng, tmp_path):
    """nnbook .npz -> PyTorch (torch.save / torch.load(weights_only=True)) -> nnbook."""
    model = make_model("batchnorm-dropout-eval", rng)
    save(model, tmp_path / "model.npz")
    with np.load(tmp_path / "model.npz", allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    twin = _twin(model)
    twin.load_state_dict(to_torch_state(model, arrays), strict=True)
    twin.eval()

    buffer = io.BytesIO()
    torch.save(twin.state_dict(), buffer)
    buffer.seek(0)
    restored = torch.load(buffer, weights_only=True)

    back = make_model("batchnorm-dropout-eval", rng=42)
    back.load_state_dict(from_torch_state(back, restored))
    save(back, tmp_path / "back.npz")
    again = load(make_model("batchnorm-dropout-eval", rng=43), tmp_path / "back.npz")
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(again.state_dict()[key], value)
    x = make_batch(8)
    with torch.no_grad():
        assert_close(again(x), twin(torch.tensor(x)).numpy(), FORWARD_RTOL)


def test_untransposed_weights_are_rejected_by_torch(rng):
    """Forgetting the transpose of a non-square weight is caught by the shape check."""
    model = Sequential(Linear(D, 8, rng=rng), ReLU(), Linear(8, C, rng=rng))
    twin = _twin(model)
    raw = {key: torch.from_numpy(value) for key, value in model.state_dict().items()}
    with pytest.raises(RuntimeError, match="size mismatch"):
        twin.load_state_dict(raw)


def test_gradcheck_agrees_with_torch_autograd_gradcheck(rng):
    """Both numerical checks accept the same function: nnbook's check and PyTorch's."""
    from nnbook.gradcheck import check_module

    model = make_model("gelu-softplus", rng)
    errors = check_module(model, make_batch(rng, n=4), rng=0)
    assert max(errors.values()) < 1e-7
    twin = torch_twin(model)
    x = torch.tensor(make_batch(rng, n=4), requires_grad=True)
    assert torch.autograd.gradcheck(twin, (x,))
