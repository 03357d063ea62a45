"""Tests of the tuning chapter's library code (book/11_tuning.ipynb).

``nnbook.clip_grad``, ``nnbook.one_cycle`` (``OneCycleLR``), ``nnbook.swa_utils``,
``nnbook.lr_finder`` and ``nnbook.calibration``: against PyTorch where it is installed
(skipped otherwise), and against values derived by hand; bad input raises errors that
name the function, the value and the fix.
"""
import math

import numpy as np
import pytest

from nnbook.activations import ReLU, softmax
from nnbook.calibration import expected_calibration_error, fit_temperature, reliability_curve
from nnbook.clip_grad import clip_grad_norm_, clip_grad_value_
from nnbook.layers import Linear, Parameter, Sequential
from nnbook.losses import CrossEntropyLoss
from nnbook.lr_finder import lr_find
from nnbook.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR
from nnbook.one_cycle import OneCycleLR
from nnbook.optim import SGD, Adam
from nnbook.regularization import BatchNorm1d
from nnbook.swa_utils import AveragedModel, get_ema_avg_fn, get_ema_multi_avg_fn


def _params_with_grads(rng, shapes=((3, 4), (4,), (4, 2), (2,))):
    params = []
    for shape in shapes:
        p = Parameter(rng.normal(size=shape))
        p.grad = rng.normal(scale=3.0, size=shape)
        params.append(p)
    return params


# -- gradient clipping ----------------------------------------------------------------

@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_torch_in_the_gradients_and_the_returned_norm(norm_type, max_norm, rng):
    torch = pytest.importorskip("torch")
    params = _params_with_grads(rng)
    tensors = [torch.tensor(p.data, requires_grad=True) for p in params]
    for t, p in zip(tensors, params):
        t.grad = torch.tensor(p.grad.copy())
    theirs = torch.nn.utils.clip_grad_norm_(tensors, max_norm, norm_type=norm_type)
    ours = clip_grad_norm_(params, max_norm, norm_type=norm_type)
    assert isinstance(ours, np.float64)
    np.testing.assert_allclose(ours, theirs.item(), rtol=1e-12)
    for t, p in zip(tensors, params):
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_clip_grad_norm_scales_by_max_norm_over_the_total_norm_plus_1e_6():
    p = Parameter(np.zeros(2))
    p.grad = np.array([3.0, 4.0])
    total = clip_grad_norm_(p, max_norm=1.0)               # one Parameter is accepted
    assert total == 5.0
    np.testing.assert_array_equal(p.grad, np.array([3.0, 4.0]) * (1.0 / (5.0 + 1e-6)))


def test_clip_grad_norm_returns_the_total_norm_and_leaves_small_gradients_untouched(rng):
    params = _params_with_grads(rng)
    before = [p.grad.copy() for p in params]
    total = clip_grad_norm_(params, max_norm=np.inf)      # inf: measure only, as in PyTorch
    expected = math.sqrt(sum(float(np.sum(g ** 2)) for g in before))
    assert total == pytest.approx(expected, rel=1e-13)
    for p, g in zip(params, before):
        np.testing.assert_array_equal(p.grad, g)


def test_clip_grad_norm_with_the_inf_norm_uses_the_largest_entry():
    a, b = Parameter(np.zeros(2)), Parameter(np.zeros(3))
    a.grad, b.grad = np.array([1.0, -8.0]), np.array([2.0, 0.5, 3.0])
    assert clip_grad_norm_([a, b], max_norm=4.0, norm_type="inf") == 8.0
    np.testing.assert_allclose(a.grad, [0.5, -4.0], rtol=1e-6)
    np.testing.assert_allclose(b.grad, [1.0, 0.25, 1.5], rtol=1e-6)


def test_clip_grad_norm_skips_parameters_without_a_gradient_and_returns_0_when_none_has_one():
    a, b = Parameter(np.zeros(2)), Parameter(np.zeros(2))
    assert clip_grad_norm_([a, b], 1.0) == 0.0
    b.grad = np.array([0.0, 2.0])
    assert clip_grad_norm_([a, b], 1.0) == 2.0
    assert a.grad is None


def test_clip_grad_norm_with_error_if_nonfinite_refuses_a_nan_norm_and_changes_nothing():
    p = Parameter(np.zeros(3))
    p.grad = np.array([1.0, np.nan, 2.0])
    with pytest.raises(RuntimeError, match="clip_grad_norm_.*nan.*error_if_nonfinite=False"):
        clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(p.grad, [1.0, np.nan, 2.0])
    p.grad = np.array([1.0, np.inf, 2.0])
    with pytest.raises(RuntimeError, match="inf"):
        clip_grad_norm_(p, 1.0, error_if_nonfinite=True)


def test_clip_grad_norm_of_nonfinite_gradients_behaves_as_torch_without_the_error_flag():
    torch = pytest.importorskip("torch")
    for bad in (np.nan, np.inf):
        grad = np.array([1.0, bad, 2.0])
        p, t = Parameter(np.zeros(3)), torch.zeros(3, dtype=torch.float64, requires_grad=True)
        p.grad, t.grad = grad.copy(), torch.tensor(grad)
        ours = clip_grad_norm_(p, 1.0)
        theirs = torch.nn.utils.clip_grad_norm_([t], 1.0)
        np.testing.assert_array_equal(p.grad, t.grad.numpy())
        assert np.isnan(ours) == math.isnan(theirs.item())


def test_clip_grad_value_matches_torch_and_clamps_by_hand(rng):
    params = _params_with_grads(rng)
    before = [p.grad.copy() for p in params]
    assert clip_grad_value_(params, 1.5) is None
    for p, g in zip(params, before):
        np.testing.assert_array_equal(p.grad, np.minimum(np.maximum(g, -1.5), 1.5))
    torch = pytest.importorskip("torch")
    tensors = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in before]
    for t, g in zip(tensors, before):
        t.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_value_(tensors, 1.5)
    for t, p in zip(tensors, params):
        np.testing.assert_array_equal(p.grad, t.grad.numpy())


@pytest.mark.parametrize("call, message", [
    (lambda ps: clip_grad_norm_(ps, -1.0), r"clip_grad_norm_: invalid max_norm=-1.0; it must be in \[0, inf\)"),
    (lambda ps: clip_grad_norm_(ps, float("nan")), "clip_grad_norm_: max_norm must be a finite real"),
    (lambda ps: clip_grad_norm_(ps, 1.0, norm_type=0), "clip_grad_norm_: norm_type must be a number > 0 or inf"),
    (lambda ps: clip_grad_norm_(ps, 1.0, norm_type="two"), "norm_type"),
    (lambda ps: clip_grad_value_(ps, -0.1), r"clip_grad_value_: invalid clip_value=-0.1"),
])
def test_clipping_refuses_bad_arguments_with_the_function_and_the_value(call, message, rng):
    with pytest.raises(ValueError, match=message):
        call(_params_with_grads(rng))


def test_clipping_refuses_something_that_is_not_parameters():
    with pytest.raises(TypeError, match=r"clip_grad_norm_: parameters\[0\] is a ndarray.*model.parameters"):
        clip_grad_norm_([np.zeros(3)], 1.0)
    with pytest.raises(TypeError, match="clip_grad_value_: parameters must be a Parameter or an iterable"):
        clip_grad_value_(3.0, 1.0)


# -- schedules stepped per batch --------------------------------------------------------

def _dummy_sgd(lr=0.1):
    p = Parameter(np.zeros(1))
    p.grad = np.zeros(1)
    return SGD([p], lr=lr)


def _per_batch(opt, scheduler, steps):
    """The rate of every batch: get_last_lr() before the first step and after each step."""
    lrs = [scheduler.get_last_lr()[0]]
    for _ in range(steps):
        opt.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    return np.array(lrs)


ONE_CYCLE_CASES = [
    dict(max_lr=0.5, total_steps=100),
    dict(max_lr=0.5, total_steps=100, anneal_strategy="linear"),
    dict(max_lr=2.0, total_steps=97, pct_start=0.25, three_phase=True),
    dict(max_lr=2.0, total_steps=97, pct_start=0.4, three_phase=True, anneal_strategy="linear"),
    dict(max_lr=0.1, epochs=7, steps_per_epoch=13, div_factor=10.0, final_div_factor=100.0),
]


@pytest.mark.parametrize("kwargs", ONE_CYCLE_CASES, ids=[str(sorted(k.items())) for k in ONE_CYCLE_CASES])
def test_one_cycle_stepped_per_batch_equals_torch_at_every_step(kwargs):
    torch = pytest.importorskip("torch")
    steps = kwargs.get("total_steps") or kwargs["epochs"] * kwargs["steps_per_epoch"]
    opt = _dummy_sgd()
    ours = _per_batch(opt, OneCycleLR(opt, **kwargs), steps)
    assert opt.lr == ours[-1]
    topt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    theirs = _per_batch(topt, torch.optim.lr_scheduler.OneCycleLR(topt, cycle_momentum=False, **kwargs),
                        steps)
    np.testing.assert_allclose(ours[:steps], theirs[:steps], rtol=1e-12, atol=1e-18)
    # after the last batch PyTorch extrapolates the last phase (below 0 for "linear"); we keep min_lr
    assert ours[steps] == pytest.approx(ours[0] / kwargs.get("final_div_factor", 1e4), rel=1e-12)


def test_one_cycle_by_hand_starts_at_max_lr_over_25_peaks_and_ends_10000_times_lower():
    opt = _dummy_sgd()
    lrs = _per_batch(opt, OneCycleLR(opt, max_lr=1.0, total_steps=10, pct_start=0.5), 10)
    assert lrs[0] == pytest.approx(1.0 / 25, rel=1e-14)
    assert lrs.argmax() == 4 and lrs[4] == pytest.approx(1.0, rel=1e-14)   # the peak at step pN - 1
    np.testing.assert_allclose(lrs[:5], 0.04 + 0.96 * (1 - np.cos(np.pi * np.arange(5) / 4)) / 2)
    np.testing.assert_allclose(lrs[4:10], 4e-6 + (1 - 4e-6) * (1 + np.cos(np.pi * np.arange(6) / 5)) / 2)
    assert lrs[9] == lrs[10] == pytest.approx(1.0 / 25 / 1e4)   # the last batch, and after it


def test_one_cycle_stepped_past_total_steps_raises_and_keeps_its_last_rate():
    opt = _dummy_sgd()
    scheduler = OneCycleLR(opt, max_lr=0.5, total_steps=10)
    _per_batch(opt, scheduler, 10)                   # total_steps steps are allowed, as in PyTorch
    last = opt.lr
    opt.step()
    with pytest.raises(ValueError, match=r"OneCycleLR: step\(\) was called 11 times, but total_steps=10.*epochs \* len\(loader\)"):
        scheduler.step()
    assert scheduler.last_epoch == 10 and opt.lr == last


@pytest.mark.parametrize("kwargs, message", [
    (dict(max_lr=0.0, total_steps=10), r"OneCycleLR: invalid max_lr=0.0; it must be in \(0, inf\)"),
    (dict(max_lr=0.1), "OneCycleLR: give total_steps, or both epochs and steps_per_epoch"),
    (dict(max_lr=0.1, epochs=3), "OneCycleLR: give total_steps"),
    (dict(max_lr=0.1, total_steps=0), "OneCycleLR: total_steps must be a positive integer, got 0"),
    (dict(max_lr=0.1, total_steps=10, pct_start=1.0), r"OneCycleLR: invalid pct_start=1.0; it must be in \(0, 1\)"),
    (dict(max_lr=0.1, total_steps=10, pct_start=0.6, three_phase=True), r"pct_start=0.6; it must be in \(0, 0.5\)"),
    (dict(max_lr=0.1, total_steps=10, anneal_strategy="cosine"), "OneCycleLR: anneal_strategy must be one of 'cos', 'linear'"),
    (dict(max_lr=0.1, total_steps=10, div_factor=0.5), "OneCycleLR: invalid div_factor=0.5"),
    (dict(max_lr=0.1, total_steps=3, pct_start=0.2), "OneCycleLR: total_steps=3 is too small for pct_start=0.2"),
])
def test_one_cycle_refuses_arguments_that_do_not_fit(kwargs, message):
    with pytest.raises(ValueError, match=message):
        OneCycleLR(_dummy_sgd(), **kwargs)


def test_warm_up_then_cosine_via_sequential_lr_stepped_per_batch_equals_torch():
    torch = pytest.importorskip("torch")
    warm, total = 25, 200

    def build(sched, o):
        return sched.SequentialLR(o, [sched.LinearLR(o, start_factor=0.01, total_iters=warm),
                                      sched.CosineAnnealingLR(o, T_max=total - warm, eta_min=1e-4)],
                                  milestones=[warm])

    import nnbook.lr_scheduler as ours_module
    opt = _dummy_sgd(0.3)
    ours = _per_batch(opt, build(ours_module, opt), total)
    topt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.3)
    theirs = _per_batch(topt, build(torch.optim.lr_scheduler, topt), total)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-15)
    assert ours[warm] == pytest.approx(0.3) and ours[total] == pytest.approx(1e-4)


def test_warm_up_then_cosine_by_hand():
    opt = _dummy_sgd(1.0)
    scheduler = SequentialLR(opt, [LinearLR(opt, start_factor=0.1, total_iters=4),
                                   CosineAnnealingLR(opt, T_max=8)], milestones=[4])
    lrs = _per_batch(opt, scheduler, 12)
    np.testing.assert_allclose(lrs[:5], [0.1, 0.325, 0.55, 0.775, 1.0])
    np.testing.assert_allclose(lrs[4:], (1 + np.cos(np.pi * np.arange(9) / 8)) / 2, atol=1e-15)


# -- weight averaging ---------------------------------------------------------------------

def _mlp(seed):
    return Sequential(Linear(3, 5, rng=seed), ReLU(), Linear(5, 2, rng=seed + 1))


def _torch_copy(model, torch):
    net = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 2)).double()
    _load_into_torch(model, net, torch)
    return net


def _load_into_torch(model, net, torch):
    with torch.no_grad():
        for (name, p), t in zip(model.named_parameters(), net.parameters()):
            t.copy_(torch.tensor(p.data.T if name.endswith("weight") else p.data))


@pytest.mark.parametrize("kind", ["ema_multi", "ema_single", "swa"])
def test_averaged_model_equals_torch_in_float64(kind, rng):
    torch = pytest.importorskip("torch")
    from torch.optim import swa_utils

    make = {"ema_multi": lambda lib: dict(multi_avg_fn=lib.get_ema_multi_avg_fn(0.9)),
            "ema_single": lambda lib: dict(avg_fn=lib.get_ema_avg_fn(0.8)),
            "swa": lambda lib: {}}[kind]
    import nnbook.swa_utils as ours_module
    model = _mlp(0)
    net = _torch_copy(model, torch)
    ours, theirs = AveragedModel(model, **make(ours_module)), swa_utils.AveragedModel(net, **make(swa_utils))
    for _ in range(30):
        for p in model.parameters():
            p.data += rng.normal(scale=0.1, size=p.data.shape)
        _load_into_torch(model, net, torch)
        ours.update_parameters(model)
        theirs.update_parameters(net)
    assert int(ours.n_averaged) == int(theirs.n_averaged) == 30
    for (name, p), t in zip(ours.named_parameters(), theirs.parameters()):
        expected = t.detach().numpy()
        got = p.data.T if name.endswith("weight") else p.data
        assert name.startswith("module.")
        assert np.max(np.abs(got - expected) / np.abs(expected)) < 1e-10


def test_averaged_model_ema_by_hand_is_the_geometric_weighting_of_the_copies(rng):
    model, beta = Linear(2, 2, rng=0), 0.7
    ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(beta))
    snapshots = []
    for _ in range(6):
        model.weight.data[...] = rng.normal(size=(2, 2))
        snapshots.append(model.weight.data.copy())
        ema.update_parameters(model)
    # the first call copies w_0; then a_k = beta a_{k-1} + (1 - beta) w_k
    k = len(snapshots) - 1
    expected = beta ** k * snapshots[0] + sum((1 - beta) * beta ** (k - j) * snapshots[j]
                                              for j in range(1, k + 1))
    np.testing.assert_allclose(ema.module.weight.data, expected, rtol=1e-13)
    swa = AveragedModel(model)
    for w in snapshots:
        model.weight.data[...] = w
        swa.update_parameters(model)
    np.testing.assert_allclose(swa.module.weight.data, np.mean(snapshots, axis=0), rtol=1e-13)


def test_averaged_model_is_a_copy_that_predicts_and_saves_n_averaged(rng):
    model = _mlp(3)
    ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.5))
    X = rng.normal(size=(4, 3))
    ema.update_parameters(model)
    np.testing.assert_array_equal(ema(X), model(X))
    model.parameters()[0].data += 1.0
    assert not np.array_equal(ema(X), model(X))           # a deep copy, not a view
    state = ema.state_dict()
    assert int(state["n_averaged"]) == 1 and "module.0.weight" in state
    again = AveragedModel(_mlp(3))
    again.load_state_dict(state)
    np.testing.assert_array_equal(again(X), ema(X))


def test_averaged_model_copies_the_batchnorm_statistics_unless_use_buffers(rng):
    model = Sequential(Linear(3, 4, rng=0), BatchNorm1d(4))
    copied = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.5))
    averaged = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.5), use_buffers=True)
    means = []
    for _ in range(3):
        model(rng.normal(loc=2.0, size=(8, 3)))             # training mode: the running mean moves
        means.append(model[1].running_mean.copy())
        copied.update_parameters(model)
        averaged.update_parameters(model)
    np.testing.assert_array_equal(copied.module[1].running_mean, means[-1])
    np.testing.assert_allclose(averaged.module[1].running_mean,
                               0.25 * means[0] + 0.25 * means[1] + 0.5 * means[2], rtol=1e-13)
    assert int(averaged.module[1].num_batches_tracked) == int(model[1].num_batches_tracked) == 3


@pytest.mark.parametrize("factory", [get_ema_multi_avg_fn, get_ema_avg_fn])
@pytest.mark.parametrize("decay", [-0.1, 1.5, float("nan")])
def test_ema_refuses_a_decay_outside_0_1(factory, decay):
    with pytest.raises(ValueError, match=f"{factory.__name__}: .*decay"):
        factory(decay)


def test_averaged_model_refuses_a_model_of_another_architecture():
    ema = AveragedModel(_mlp(0))
    with pytest.raises(TypeError, match="AveragedModel: model must be a Module"):
        AveragedModel([Linear(2, 2)])
    with pytest.raises(ValueError, match="update_parameters: the model does not have the architecture"):
        ema.update_parameters(Linear(3, 2))


# -- the learning-rate range test ---------------------------------------------------------

def _spiral_like(rng, n=120):
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64) + (X[:, 2] > 1).astype(np.int64)
    return X, y


def test_lr_find_restores_model_optimizer_gradients_and_modes_exactly(rng):
    X, y = _spiral_like(rng)
    model = Sequential(Linear(3, 16, rng=0), BatchNorm1d(16), ReLU(), Linear(16, 3, rng=1))
    optimizer = Adam(model.parameters(), lr=0.003)
    loss_fn = CrossEntropyLoss()
    for _ in range(3):                                     # give Adam some state
        optimizer.zero_grad()
        loss_fn(model(X[:32]), y[:32])
        model.backward(loss_fn.backward())
        optimizer.step()
    model[1].eval()                                        # a mixed mode, to be kept
    model_state, opt_state = model.state_dict(), optimizer.state_dict()
    grads = [p.grad.copy() for p in model.parameters()]
    count = optimizer._step_count
    lrs, losses = lr_find(model, loss_fn, optimizer, X, y, start_lr=1e-5, end_lr=1e3, num_steps=60,
                          batch_size=16, rng=0)
    assert 2 <= len(lrs) == len(losses) <= 60 and np.all(np.diff(lrs) > 0)
    after = model.state_dict()
    assert all(np.array_equal(after[k], v) for k, v in model_state.items())
    opt_after = optimizer.state_dict()
    assert set(opt_after) == set(opt_state)
    assert all(np.array_equal(opt_after[k], v) for k, v in opt_state.items())
    assert optimizer.lr == 0.003 and optimizer._step_count == count
    assert all(np.array_equal(p.grad, g) for p, g in zip(model.parameters(), grads))
    assert model.training and not model[1].training


def test_lr_find_rates_are_geometric_and_it_stops_when_the_loss_diverges(rng):
    X, y = _spiral_like(rng)
    model = _mlp(0)
    model = Sequential(Linear(3, 16, rng=0), ReLU(), Linear(16, 3, rng=1))
    lrs, losses = lr_find(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y,
                          start_lr=1e-4, end_lr=1e4, num_steps=81, rng=0)
    np.testing.assert_allclose(lrs, 1e-4 * 10 ** (np.arange(len(lrs)) / 10))
    assert len(lrs) < 81                                  # 1e4 diverges: stopped early
    assert np.all(np.isfinite(losses))


def test_lr_find_with_no_smoothing_records_the_loss_of_each_step(rng):
    X, y = _spiral_like(rng, n=16)
    model = Sequential(Linear(3, 3, rng=0))
    before = CrossEntropyLoss()(model(X), y)
    _, losses = lr_find(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y,
                        start_lr=1e-9, end_lr=1e-8, num_steps=2, batch_size=16, smoothing=0.0, rng=0)
    assert losses[0] == pytest.approx(before, rel=1e-12)  # one full batch, a rate of 1e-9


@pytest.mark.parametrize("kwargs, message", [
    (dict(start_lr=1e-3, end_lr=1e-4), r"lr_find: invalid end_lr=0.0001; it must be in \(0.001, inf\)"),
    (dict(start_lr=0.0), r"lr_find: invalid start_lr=0.0"),
    (dict(num_steps=1), "lr_find: num_steps must be an integer >= 2, got 1"),
    (dict(smoothing=1.0), r"lr_find: invalid smoothing=1.0; it must be in \[0, 1\)"),
    (dict(divergence=1.0), r"lr_find: invalid divergence=1.0"),
    (dict(rng="0"), "lr_find: rng must be None, an integer seed"),
])
def test_lr_find_refuses_bad_arguments(kwargs, message, rng):
    X, y = _spiral_like(rng, n=16)
    model = Sequential(Linear(3, 3, rng=0))
    with pytest.raises((ValueError, TypeError), match=message):
        lr_find(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, **kwargs)


# -- calibration -------------------------------------------------------------------------------

def test_reliability_curve_and_ece_by_hand():
    probs = np.array([[0.9, 0.1], [0.95, 0.05], [0.2, 0.8], [0.7, 0.3], [0.45, 0.55]])
    labels = np.array([0, 1, 1, 1, 1])
    confidence, accuracy, counts = reliability_curve(probs, labels, n_bins=5)
    # bins (0.4, 0.6], (0.6, 0.8], (0.8, 1.0]: confidences {0.55}, {0.8, 0.7}, {0.9, 0.95}
    np.testing.assert_array_equal(counts, [0, 0, 1, 2, 2])
    np.testing.assert_allclose(confidence[2:], [0.55, 0.75, 0.925])
    np.testing.assert_allclose(accuracy[2:], [1.0, 0.5, 0.5])
    assert np.isnan(confidence[:2]).all() and np.isnan(accuracy[:2]).all()
    expected = (1 * 0.45 + 2 * 0.25 + 2 * 0.425) / 5
    assert expected_calibration_error(probs, labels, n_bins=5) == pytest.approx(expected)


def test_ece_is_zero_when_each_confidence_is_matched_by_its_accuracy():
    probs = np.array([[0.75, 0.25]] * 4 + [[0.5, 0.5]] * 2)
    labels = np.array([0, 0, 0, 1, 0, 1])                 # 3 of 4 right at 0.75, 1 of 2 at 0.5
    assert expected_calibration_error(probs, labels, n_bins=10) == pytest.approx(0.0, abs=1e-15)


def test_ece_matches_a_direct_loop_over_the_bins_on_random_predictions(rng):
    logits = rng.normal(scale=3.0, size=(500, 4))
    probs, labels = softmax(logits, axis=1), rng.integers(0, 4, size=500)
    conf, correct = probs.max(axis=1), probs.argmax(axis=1) == labels
    edges = np.linspace(0, 1, 16)
    ece = sum(np.mean(inside) * abs(correct[inside].mean() - conf[inside].mean())
              for lo, hi in zip(edges[:-1], edges[1:])
              for inside in [(conf > lo) & (conf <= hi)] if inside.any())
    assert expected_calibration_error(probs, labels) == pytest.approx(ece, rel=1e-12)


def test_fit_temperature_finds_the_known_minimiser_of_the_nll():
    # one prediction (4, 0) right 3 times in 4: softmax((4, 0) / T) = (3/4, 1/4) at T = 4 / log 3
    logits, labels = np.array([[4.0, 0.0]] * 4), np.array([0, 0, 0, 1])
    assert fit_temperature(logits, labels) == pytest.approx(4 / math.log(3), rel=1e-5)


def test_fit_temperature_agrees_with_scipy_and_keeps_every_prediction(rng):
    scipy_optimize = pytest.importorskip("scipy.optimize")
    logits = rng.normal(scale=4.0, size=(300, 5))
    labels = np.where(rng.random(300) < 0.6, logits.argmax(axis=1), rng.integers(0, 5, size=300))

    def nll(log_t):
        z = logits / math.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(300), labels]))

    best = scipy_optimize.minimize_scalar(nll, bounds=(math.log(0.05), math.log(20)), method="bounded",
                                          options={"xatol": 1e-9})
    T = fit_temperature(logits, labels)
    assert T == pytest.approx(math.exp(best.x), rel=1e-4) and T > 1   # over-confident logits
    assert np.array_equal((logits / T).argmax(axis=1), logits.argmax(axis=1))


def test_calibration_refuses_bad_input_with_the_fix():
    with pytest.raises(ValueError, match="expected_calibration_error: each row of the probabilities"):
        expected_calibration_error(np.array([[2.0, 1.0]]) / 2.0, np.array([0]))
    with pytest.raises(ValueError, match="reliability_curve: probabilities must be .*pass softmax"):
        reliability_curve(np.array([[2.0, -1.0]]), np.array([0]))
    with pytest.raises(ValueError, match="fit_temperature"):
        fit_temperature(np.zeros((3, 2)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="reliability_curve: n_bins must be a positive integer"):
        reliability_curve(np.array([[0.5, 0.5]]), np.array([0]), n_bins=0)
    with pytest.raises(ValueError, match=r"fit_temperature: invalid high=0.01"):
        fit_temperature(np.zeros((2, 2)), np.array([0, 1]), low=0.1, high=0.01)


# -- label smoothing (chapter 4's CrossEntropyLoss) ------------------------------------------

def _smoothed(labels, n_classes, alpha):
    return (1 - alpha) * np.eye(n_classes)[labels] + alpha / n_classes


@pytest.mark.parametrize("alpha", [0.0, 0.1, 0.5, 1.0])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_label_smoothing_equals_torch_in_value_and_gradient_for_labels_and_probability_rows(alpha, reduction, rng):
    torch = pytest.importorskip("torch")
    Z, labels = rng.normal(scale=2.0, size=(7, 5)), rng.integers(0, 5, size=7)
    soft = softmax(rng.normal(size=(7, 5)), axis=1)
    for target, torch_target in ((labels, torch.from_numpy(labels)), (soft, torch.from_numpy(soft))):
        loss_fn = CrossEntropyLoss(reduction=reduction, label_smoothing=alpha)
        ours = loss_fn(Z, target)
        z = torch.tensor(Z, requires_grad=True)
        theirs = torch.nn.functional.cross_entropy(z, torch_target, reduction=reduction, label_smoothing=alpha)
        theirs.backward()
        assert ours == pytest.approx(theirs.item(), rel=1e-12)
        np.testing.assert_allclose(loss_fn.backward(), z.grad.numpy(), rtol=1e-10, atol=1e-15)


def test_label_smoothing_by_hand_is_cross_entropy_with_the_smoothed_rows(rng):
    Z, labels = rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)
    smooth, rows = CrossEntropyLoss(label_smoothing=0.2), CrossEntropyLoss()
    assert smooth(Z, labels) == pytest.approx(rows(Z, _smoothed(labels, 4, 0.2)), rel=1e-14)
    np.testing.assert_allclose(smooth.backward(), rows.backward(), rtol=1e-14)
    soft = softmax(rng.normal(size=(6, 4)), axis=1)
    assert smooth(Z, soft) == pytest.approx(rows(Z, 0.8 * soft + 0.05), rel=1e-14)
    # the gradient vanishes where the softmax equals the smoothed target: p_y = 1 - a + a / C
    gap = np.log(1 + 4 * 0.8 / 0.2)
    smooth(np.eye(4)[[2]] * gap, np.array([2]))
    np.testing.assert_allclose(smooth.backward(), 0.0, atol=1e-15)


@pytest.mark.parametrize("with_labels", [True, False])
def test_label_smoothing_passes_the_gradient_check(with_labels, rng):
    from nnbook.gradcheck import check_loss

    Z = rng.normal(size=(5, 3))
    target = rng.integers(0, 3, size=5) if with_labels else softmax(rng.normal(size=(5, 3)), axis=1)
    for reduction in ("mean", "sum"):
        assert check_loss(CrossEntropyLoss(reduction, label_smoothing=0.3), Z, target) < 1e-7


@pytest.mark.parametrize("alpha", [-0.1, 1.5, float("nan"), "0.1"])
def test_label_smoothing_outside_0_1_is_refused_with_the_interval(alpha):
    with pytest.raises(ValueError, match="CrossEntropyLoss: .*label_smoothing"):
        CrossEntropyLoss(label_smoothing=alpha)
