"""Properties behind nnbook's speed (chapter 15), checked deterministically.

Nothing here measures time. The tests check what the speed relies on and
what must not be traded for it:

* float32 stays float32 through a whole training step (no silent upcast);
* in-place parameter updates keep the arrays' identity (model and optimizer
  share them), and the optimizers' buffers are updated in place;
* ``model.backward(grad, input_grad=False)`` gives exactly the same parameter
  gradients as the full backward pass, and skips only the data's gradient;
* the validation helpers do not build error messages for valid input, and
  :func:`nnbook.checks.all_finite` agrees with ``np.isfinite(x).all()``
  without allocating;
* the DataLoader's shuffled batches are fresh arrays (a batch kept is never
  overwritten by the next) of the data's dtype, and gathering one allocates
  a batch, not a dataset; an SGD step allocates at most one parameter-sized
  temporary at a time;
* the timing tools of :mod:`nnbook.profile` (rounds, rotation, warm-up,
  summaries, FLOP counts, the floor, the phase profile), with fake clocks.
"""
import itertools
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnbook.activations import GELU, LeakyReLU, ReLU, Sigmoid, Softplus, Tanh
from nnbook.data import DataLoader
from nnbook.layers import Linear, Module, Sequential
from nnbook.checks import all_finite, check_grad_out, check_input
from nnbook.losses import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from nnbook.optim import SGD, Adagrad, Adam, AdamW, RMSprop
from nnbook.profile import matmul_floor, mlp_flops, profile_step, ratio, summarize, time_rounds
from nnbook.regularization import BatchNorm1d, Dropout

OPTIMIZERS = [
    (SGD, {"lr": 0.1}),
    (SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}),
    (SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 0.5}),
    (Adam, {"lr": 1e-3, "amsgrad": True, "weight_decay": 1e-3}),
    (AdamW, {"lr": 1e-3}),
    (RMSprop, {"lr": 1e-3, "momentum": 0.9, "centered": True}),
    (Adagrad, {"lr": 1e-2, "lr_decay": 1e-3}),
]
OPT_IDS = [f"{cls.__name__}-{'-'.join(kw)}" for cls, kw in OPTIMIZERS]


def mlp(sizes, dtype, hidden=ReLU, seed=0):
    layers = []
    for i, (d, m) in enumerate(zip(sizes[:-1], sizes[1:])):
        if i:
            layers.append(hidden())
        layers.append(Linear(d, m, rng=seed + i, dtype=dtype))
    return Sequential(*layers)


# -- float32 stays float32 ---------------------------------------------------------------

ARCHITECTURES = {
    "relu": lambda dt: mlp([6, 8, 8, 3], dt),
    "tanh-sigmoid": lambda dt: Sequential(Linear(6, 8, rng=0, dtype=dt), Tanh(),
                                          Linear(8, 8, rng=1, dtype=dt), Sigmoid(),
                                          Linear(8, 3, rng=2, dtype=dt)),
    "leaky-gelu-softplus": lambda dt: Sequential(Linear(6, 8, rng=0, dtype=dt), LeakyReLU(0.1),
                                                 Linear(8, 8, rng=1, dtype=dt), GELU(),
                                                 Linear(8, 8, rng=2, dtype=dt), Softplus(),
                                                 Linear(8, 3, rng=3, dtype=dt)),
    "batchnorm-dropout": lambda dt: Sequential(Linear(6, 8, rng=0, dtype=dt),
                                               BatchNorm1d(8, dtype=dt), ReLU(), Dropout(0.3, rng=0),
                                               Linear(8, 3, rng=1, dtype=dt)),
}
LOSSES = {
    "cross-entropy labels": (CrossEntropyLoss, lambda rng, n, dt: rng.integers(0, 3, size=n)),
    "cross-entropy rows": (CrossEntropyLoss,
                           lambda rng, n, dt: np.eye(3, dtype=dt)[rng.integers(0, 3, size=n)]),
    "mse": (MSELoss, lambda rng, n, dt: rng.standard_normal((n, 3)).astype(dt)),
    "bce with logits": (BCEWithLogitsLoss, lambda rng, n, dt: rng.integers(0, 2, (n, 3)).astype(dt)),
}


@pytest.mark.parametrize("arch", list(ARCHITECTURES))
@pytest.mark.parametrize("loss_name", list(LOSSES))
@pytest.mark.parametrize("opt_index", range(len(OPTIMIZERS)), ids=OPT_IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_array_of_a_training_step_keeps_the_dtype(arch, loss_name, opt_index, dtype, rng):
    model = ARCHITECTURES[arch](dtype)
    loss_cls, make_target = LOSSES[loss_name]
    loss_fn = loss_cls()
    opt_cls, kwargs = OPTIMIZERS[opt_index]
    optimizer = opt_cls(model.parameters(), **kwargs)
    X = rng.standard_normal((16, 6)).astype(dtype)
    for step in range(3):  # several steps: optimizer state exists from the second on
        y = make_target(rng, 16, dtype)
        optimizer.zero_grad()
        out = X
        for layer in model:
            out = layer(out)
            assert out.dtype == dtype, f"{layer!r} forward gave {out.dtype}"
        loss = loss_fn(out, y)
        assert type(loss) is float
        grad = loss_fn.backward()
        assert grad.dtype == dtype
        for layer in reversed(list(model)):
            grad = layer.backward(grad)
            assert grad.dtype == dtype, f"{layer!r} backward gave {grad.dtype}"
        for p in model.parameters():
            assert p.grad.dtype == dtype
        optimizer.step()
        for p in model.parameters():
            assert p.data.dtype == dtype
        for state in optimizer.state.values():
            for key, value in state.items():
                if isinstance(value, np.ndarray):
                    assert value.dtype == dtype, f"optimizer state {key!r} is {value.dtype}"
        for name, buffer in model.named_buffers():
            if isinstance(buffer, np.ndarray) and buffer.dtype.kind == "f":
                assert buffer.dtype == dtype, f"buffer {name} is {buffer.dtype}"


@pytest.mark.parametrize("lr", [0.1, np.float64(0.1), np.float32(0.1)])
def test_numpy_scalar_hyperparameters_do_not_upcast(lr, rng):
    model = mlp([5, 4, 2], np.float32)
    optimizer = SGD(model.parameters(), lr=lr, momentum=np.float64(0.5))
    loss_fn = CrossEntropyLoss()
    for _ in range(2):
        optimizer.zero_grad()
        loss_fn(model(rng.standard_normal((8, 5)).astype(np.float32)), rng.integers(0, 2, 8))
        model.backward(loss_fn.backward(), input_grad=False)
        optimizer.step()
    assert {p.data.dtype for p in model.parameters()} == {np.dtype(np.float32)}
    assert type(optimizer.lr) is float


# -- in-place updates -------------------------------------------------------------------

@pytest.mark.parametrize("opt_index", range(len(OPTIMIZERS)), ids=OPT_IDS)
def test_updates_are_in_place_and_buffers_keep_their_identity(opt_index, rng):
    model = mlp([5, 7, 3], np.float32)
    opt_cls, kwargs = OPTIMIZERS[opt_index]
    optimizer = opt_cls(model.parameters(), **kwargs)
    arrays = [p.data for p in model.parameters()]
    before = [a.copy() for a in arrays]
    loss_fn = CrossEntropyLoss()
    buffers = None
    for _ in range(3):
        optimizer.zero_grad()
        loss_fn(model(rng.standard_normal((10, 5)).astype(np.float32)), rng.integers(0, 3, 10))
        model.backward(loss_fn.backward(), input_grad=False)
        optimizer.step()
        now = {(i, k): v for i, s in optimizer.state.items() for k, v in s.items()
               if isinstance(v, np.ndarray)}
        if buffers is not None:
            assert all(now[key] is buffers[key] for key in buffers), "a buffer was replaced"
        buffers = now
    for a, p, b in zip(arrays, model.parameters(), before):
        assert p.data is a, "the optimizer rebound a parameter's array"
        assert not np.array_equal(a, b), "the parameter did not change"
    assert model[0].weight.data is arrays[0]  # the model sees the updated array


def test_load_state_dict_writes_in_place():
    model = mlp([3, 4, 2], np.float32)
    arrays = [p.data for p in model.parameters()]
    model.load_state_dict({k: v + 1 for k, v in model.state_dict().items()})
    assert all(p.data is a for p, a in zip(model.parameters(), arrays))


# -- the gradient nobody uses ---------------------------------------------------------------

FIRST_MODULES = {
    "linear": lambda: mlp([6, 9, 4], np.float64),
    "nested sequential": lambda: Sequential(mlp([6, 9], np.float64), ReLU(), Linear(9, 4, rng=3)),
    "relu first": lambda: Sequential(ReLU(), Linear(6, 9, rng=1), Tanh(), Linear(9, 4, rng=2)),
    "batchnorm first": lambda: Sequential(BatchNorm1d(6), Linear(6, 4, rng=1)),
}


@pytest.mark.parametrize("first", list(FIRST_MODULES))
def test_input_grad_false_gives_identical_parameter_gradients(first, rng):
    X = rng.standard_normal((12, 6))
    X[np.abs(X) < 1e-3] = 0.5  # away from the ReLU kink
    y = rng.integers(0, 4, 12)
    grads, returned = [], []
    for input_grad in (True, False):
        model = FIRST_MODULES[first]()
        loss_fn = CrossEntropyLoss()
        loss_fn(model(X), y)
        returned.append(model.backward(loss_fn.backward(), input_grad=input_grad))
        grads.append([p.grad for p in model.parameters()])
    assert returned[0].shape == X.shape
    assert returned[1] is None
    for full, skipped in zip(*grads):
        np.testing.assert_array_equal(full, skipped)


def test_linear_backward_without_input_grad(rng):
    layer = Linear(5, 3, rng=0)
    x, g = rng.standard_normal((4, 5)), rng.standard_normal((4, 3))
    layer(x)
    assert layer.backward(g, input_grad=False) is None
    np.testing.assert_array_equal(layer.weight.grad, x.T @ g)
    np.testing.assert_array_equal(layer.bias.grad, g.sum(axis=0))
    layer.backward(g, input_grad=False)  # accumulates, as the full backward does
    np.testing.assert_array_equal(layer.weight.grad, 2 * (x.T @ g))
    with pytest.raises(RuntimeError, match="Linear.*backward.*before forward"):
        Linear(5, 3).backward(g, input_grad=False)


def test_empty_sequential_backward():
    g = np.ones((2, 3))
    assert Sequential().backward(g) is g
    assert Sequential().backward(g, input_grad=False) is None


# -- cheap validation -------------------------------------------------------------------------

class Sensitive(Module):
    """A module that records every time its error-message name is built."""

    def __init__(self):
        super().__init__()
        self.named = 0

    def extra_repr(self):
        self.named += 1
        return "sensitive"


def test_valid_input_builds_no_error_message(rng):
    who = Sensitive()
    x = rng.standard_normal((4, 3)).astype(np.float32)
    assert check_input(x, who, ndim=2, features=3, dtype=np.float32) is x  # no copy
    assert check_grad_out(x, (4, 3), np.float32, who) is x
    assert who.named == 0
    with pytest.raises(ValueError, match=r"Sensitive\(sensitive\): expected 5 features"):
        check_input(x, who, ndim=2, features=5)
    with pytest.raises(ValueError, match=r"Sensitive\(sensitive\)\.backward: grad_out has dtype"):
        check_grad_out(x, (4, 3), np.float64, who)
    assert who.named == 2


def test_layers_do_not_name_themselves_on_valid_batches(rng):
    class Quiet(Linear):
        def extra_repr(self):
            raise AssertionError("the error message was built for a valid batch")

    layer = Quiet(3, 2, rng=0)
    x = rng.standard_normal((5, 3))
    layer.backward(np.ones_like(layer(x)))
    layer.backward(np.ones((5, 2)), input_grad=False)


finite_arrays = hnp.arrays(
    dtype=st.sampled_from([np.float16, np.float32, np.float64]),
    shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6),
    elements={"allow_nan": True, "allow_infinity": True},
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(a=finite_arrays, view=st.sampled_from(["as is", "transposed", "strided", "reversed"]))
def test_all_finite_agrees_with_isfinite(a, view):
    if view == "transposed":
        a = a.T
    elif view == "strided":
        a = a[..., ::2]
    elif view == "reversed":
        a = a[::-1]
    result = all_finite(a)
    assert type(result) is bool
    assert result == bool(np.isfinite(a).all())


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_all_finite_finds_a_single_bad_value_anywhere(bad, dtype):
    for position in [0, 17, 99]:
        a = np.ones(100, dtype=dtype)
        a[position] = bad
        assert not all_finite(a)
        assert not all_finite(a.reshape(10, 10).T)
    assert all_finite(np.empty((0, 3)))
    big = np.finfo(np.float32).max
    assert all_finite(np.array([big, -big, big], dtype=np.float32))  # no overflow is possible


def test_all_finite_neither_warns_nor_raises_where_floating_point_errors_raise():
    # fit() trains under np.errstate(all="raise"): looking for NaN must not itself raise.
    with np.errstate(all="raise"):
        assert not all_finite(np.array([1.0, np.nan]))
        assert not all_finite(np.array([np.inf, 1.0], dtype=np.float32))
        assert all_finite(np.array([1e200, -1e200]))  # the sum of squares overflows; still finite
        assert all_finite(np.full((3, 4), 3e19, dtype=np.float32).T)


def test_all_finite_allocates_no_temporary():
    a = np.ones((1000, 500), dtype=np.float32)  # 2 MB
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        all_finite(a)
        check_input(a, "a layer", ndim=2, features=500, dtype=np.float32)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < a.nbytes / 100, f"a check allocated {peak} bytes for a {a.nbytes}-byte input"


# -- data and update allocations ----------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.uint8])
def test_dataloader_batches_keep_the_dtype(dtype, rng):
    X = rng.integers(0, 100, size=(50, 4)).astype(dtype)
    y = rng.integers(0, 3, size=50)
    for shuffle in (False, True):
        for xb, yb in DataLoader(X, y, batch_size=8, shuffle=shuffle, rng=0):
            assert xb.dtype == X.dtype and yb.dtype == y.dtype


def test_shuffled_batches_are_fresh_arrays_and_kept_batches_stay_correct(rng):
    X = rng.standard_normal((40, 3)).astype(np.float32)
    loader = DataLoader(X, batch_size=8, shuffle=True, rng=5)
    kept = list(loader)  # keep every batch of the epoch
    order = np.random.default_rng(5).permutation(40)  # the loader's own permutation
    for k, xb in enumerate(kept):
        np.testing.assert_array_equal(xb, X[order[8 * k:8 * k + 8]])
        assert not np.shares_memory(xb, X)
    assert len({id(b) for b in kept}) == len(kept)
    in_order = list(DataLoader(X, batch_size=8))
    assert all(np.shares_memory(b, X) for b in in_order)  # views: no copy at all


def test_gathering_a_batch_allocates_a_batch_not_the_dataset(rng):
    X = rng.standard_normal((20000, 50))  # 8 MB
    loader = DataLoader(X, batch_size=64, shuffle=True, rng=0)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        batches = iter(loader)
        next(batches)
        next(batches)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The permutation (160 kB of indices) and two batches (25 kB each), nothing dataset-sized.
    assert peak < X.nbytes / 20, f"{peak} bytes allocated to gather two batches"


@pytest.mark.parametrize("kwargs", [{"lr": 0.1}, {"lr": 0.1, "momentum": 0.9}])
def test_an_sgd_step_allocates_at_most_one_parameter_sized_temporary(kwargs, rng):
    model = mlp([300, 200, 10], np.float64)
    optimizer = SGD(model.parameters(), **kwargs)
    for p in model.parameters():
        p.grad = rng.standard_normal(p.shape)
    optimizer.step()  # the momentum buffers are created on the first step
    largest = max(p.data.nbytes for p in model.parameters())
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        optimizer.step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1.25 * largest, f"step allocated {peak} bytes; largest parameter {largest}"


def test_linear_caches_its_input_without_copy(rng):
    layer = Linear(4, 3, rng=0, dtype=np.float32)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    layer(x)
    assert layer._cache is x


# -- nnbook.profile ------------------------------------------------------------------------

class FakeClock:
    """A clock that advances by `tick` seconds every time it is read."""

    def __init__(self, tick=1.0):
        self.now, self.tick = 0.0, tick

    def __call__(self):
        self.now += self.tick
        return self.now


def test_time_rounds_interleaves_rotates_and_drops_the_warmup():
    calls = []
    candidates = {name: (lambda name=name: calls.append(name)) for name in "abc"}
    times = time_rounds(candidates, rounds=2, warmup=1, timer=FakeClock())
    assert calls == list("abc" "bca" "cab")
    assert list(times) == list("abc")
    for t in times.values():
        np.testing.assert_array_equal(t, [1.0, 1.0])  # each call spans one tick


def test_time_rounds_measures_what_the_function_spends():
    clock = FakeClock(tick=0.0)

    def costs(seconds):
        def f():
            clock.now += seconds
        return f

    times = time_rounds({"slow": costs(3.0), "fast": costs(1.0)}, rounds=4, timer=clock)
    np.testing.assert_array_equal(times["slow"], [3.0] * 4)
    assert ratio(times, "slow", "fast")["median"] == 3.0


@pytest.mark.parametrize("bad, match", [
    (({}, ), "candidates is empty"),
    (({"a": 3},), "candidate 'a' is a int, not a function"),
    (({"a": print}, 0), "rounds must be a positive integer, got 0"),
    (({"a": print}, 2, -1), "warmup must be an integer >= 0, got -1"),
    (({"a": print}, 2.5), "rounds must be a positive integer, got 2.5"),
])
def test_time_rounds_rejects_bad_arguments(bad, match):
    with pytest.raises(ValueError, match=r"time_rounds: " + match):
        time_rounds(*bad)


def test_summarize_and_ratio():
    s = summarize([5.0, 1.0, 3.0, 2.0, 100.0])
    assert s == {"median": 3.0, "q1": 2.0, "q3": 5.0, "min": 1.0, "max": 100.0, "n": 5}
    r = ratio({"a": np.array([2.0, 4.0, 9.0]), "b": np.array([1.0, 2.0, 3.0])}, "a", "b")
    assert r["median"] == 2.0 and r["max"] == 3.0
    with pytest.raises(ValueError, match="summarize: expected a non-empty 1-d array"):
        summarize([])
    with pytest.raises(ValueError, match=r"ratio: no timings for 'c'; the candidates are \['a'\]"):
        ratio({"a": [1.0]}, "a", "c")


def test_mlp_flops_counts_the_products():
    sizes, n = [784, 512, 256, 10], 128
    forward = sum(2 * n * d * m for d, m in zip(sizes[:-1], sizes[1:]))
    assert mlp_flops(sizes, n, input_grad=True) == 3 * forward
    assert mlp_flops(sizes, n) == 3 * forward - 2 * n * 784 * 512
    assert mlp_flops([784, 256, 10], 128) == 104_726_528
    with pytest.raises(ValueError, match="mlp_flops: sizes must be two or more positive"):
        mlp_flops([784], 128)
    with pytest.raises(ValueError, match="mlp_flops: the batch size n must be a positive integer"):
        mlp_flops([3, 2], 0)


@pytest.mark.parametrize("input_grad", [False, True])
def test_matmul_floor_performs_exactly_the_products_of_a_step(input_grad, monkeypatch):
    shapes = []
    real = np.matmul

    def counting(a, b, out=None):
        shapes.append((a.shape, b.shape))
        return real(a, b, out=out)

    sizes, batches = [7, 5, 4, 3], [8, 8, 3]
    run = matmul_floor(sizes, batches, np.float32, input_grad=input_grad)
    monkeypatch.setattr(np, "matmul", counting)
    assert run() is None
    per_layer = [2 + (l > 0 or input_grad) for l in range(3)]
    assert len(shapes) == len(batches) * sum(per_layer)
    flops = sum(2 * a[0] * a[1] * b[1] for a, b in shapes)
    assert flops == sum(mlp_flops(sizes, n, input_grad) for n in batches)
    with pytest.raises(ValueError, match=r"matmul_floor: batch_sizes\[1\] must be a positive integer, got 0"):
        matmul_floor(sizes, [8, 0])
    with pytest.raises(ValueError, match=r"matmul_floor: batch_sizes is empty"):
        matmul_floor(sizes, [])
    with pytest.raises(ValueError, match=r"matmul_floor: sizes\[1\] must be a positive integer, got 0"):
        matmul_floor([7, 0, 3], [8])
    with pytest.raises(ValueError, match=r"matmul_floor: sizes must be two or more"):
        matmul_floor([7], [8])


def test_profile_step_is_the_training_loop_with_timers(rng):
    X = rng.standard_normal((40, 6)).astype(np.float32)
    y = rng.integers(0, 3, size=40)
    models = []
    for profiled in (False, True):
        model = mlp([6, 8, 3], np.float32)
        loss_fn, optimizer = CrossEntropyLoss(), SGD(model.parameters(), lr=0.1, momentum=0.9)
        loader = DataLoader(X, y, batch_size=16, shuffle=True, rng=1)
        if profiled:
            phases = profile_step(model, loss_fn, optimizer, loader, timer=FakeClock())
        else:
            for xb, yb in loader:
                optimizer.zero_grad()
                loss_fn(model(xb), yb)
                model.backward(loss_fn.backward(), input_grad=False)
                optimizer.step()
        models.append(model)
    for a, b in zip(*[m.parameters() for m in models]):
        np.testing.assert_array_equal(a.data, b.data)
    assert list(phases) == ["data", "optimizer", "Linear forward", "ReLU forward", "loss",
                            "Linear backward", "ReLU backward"]
    # With a clock that ticks once per reading, every timed interval lasts one tick; the
    # optimizer (two intervals), each of the two Linear layers and the loss are per step.
    assert phases == {"data": 1.0, "optimizer": 2.0, "Linear forward": 2.0, "ReLU forward": 1.0,
                      "loss": 1.0, "Linear backward": 2.0, "ReLU backward": 1.0}


def test_profile_step_rejects_what_it_cannot_profile(rng):
    model = mlp([3, 2], np.float64)
    optimizer = SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="profile_step: model must be a non-empty Sequential"):
        profile_step(Linear(3, 2), CrossEntropyLoss(), optimizer, [])
    with pytest.raises(ValueError, match="profile_step: batches is empty"):
        profile_step(model, CrossEntropyLoss(), optimizer, itertools.islice([], 0))
