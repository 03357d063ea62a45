"""Tests of nnbook.optim (chapter 8): the optimizers (the schedulers: test_lr_scheduler.py).

Three kinds of reference values:

* the first three steps of every optimizer, re-derived here in plain Python
  (one float at a time, straight from the update rules in the chapter);
* ``torch.optim`` over longer random runs (skipped if torch is not installed);
* behaviour: dtype kept, in-place updates, errors, state round trips.
"""
import io
import itertools
import math
import zlib

import numpy as np
import pytest

from nnbook.layers import Parameter
from nnbook.optim import SGD, Adagrad, RMSprop, Adam, AdamW

P0 = [0.5, -1.5]
GRADS = [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.2]]


def run_nnbook(cls, kwargs, p0=P0, grads=GRADS, dtype=np.float64):
    """The parameter after each of the steps, as float64 arrays."""
    p = Parameter(np.array(p0, dtype=dtype))
    opt = cls([p], **kwargs)
    history = []
    for g in grads:
        p.grad = np.array(g, dtype=dtype)
        opt.step()
        history.append(p.data.astype(np.float64))
    return history


# -- plain-Python references: one coordinate at a time -------------------------

def ref_sgd(p0, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    out = []
    p = list(p0)
    buf = [None] * len(p)
    for g_t in grads:
        for j in range(len(p)):
            g = g_t[j] + weight_decay * p[j]
            if momentum:
                buf[j] = g if buf[j] is None else momentum * buf[j] + (1 - dampening) * g
                g = g + momentum * buf[j] if nesterov else buf[j]
            p[j] = p[j] - lr * g
        out.append(list(p))
    return out


def ref_adagrad(p0, grads, lr, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                eps=1e-10):
    out = []
    p = list(p0)
    acc = [initial_accumulator_value] * len(p)
    for t, g_t in enumerate(grads, start=1):
        clr = lr / (1 + (t - 1) * lr_decay)
        for j in range(len(p)):
            g = g_t[j] + weight_decay * p[j]
            acc[j] += g * g
            p[j] -= clr * g / (math.sqrt(acc[j]) + eps)
        out.append(list(p))
    return out


def ref_rmsprop(p0, grads, lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                centered=False):
    out = []
    p = list(p0)
    sq = [0.0] * len(p)
    mean = [0.0] * len(p)
    buf = [0.0] * len(p)
    for g_t in grads:
        for j in range(len(p)):
            g = g_t[j] + weight_decay * p[j]
            sq[j] = alpha * sq[j] + (1 - alpha) * g * g
            if centered:
                mean[j] = alpha * mean[j] + (1 - alpha) * g
                d = math.sqrt(sq[j] - mean[j] ** 2) + eps
            else:
                d = math.sqrt(sq[j]) + eps
            if momentum > 0:
                buf[j] = momentum * buf[j] + g / d
                p[j] -= lr * buf[j]
            else:
                p[j] -= lr * g / d
        out.append(list(p))
    return out


def ref_adam(p0, grads, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
             decoupled=False):
    """Adam in the paper's form: bias-corrected m_hat and v_hat (eps outside the root)."""
    b1, b2 = betas
    out = []
    p = list(p0)
    m = [0.0] * len(p)
    v = [0.0] * len(p)
    vmax = [0.0] * len(p)
    for t, g_t in enumerate(grads, start=1):
        for j in range(len(p)):
            g = g_t[j]
            if decoupled:
                p[j] *= 1 - lr * weight_decay
            else:
                g += weight_decay * p[j]
            m[j] = b1 * m[j] + (1 - b1) * g
            v[j] = b2 * v[j] + (1 - b2) * g * g
            vmax[j] = max(vmax[j], v[j])
            m_hat = m[j] / (1 - b1 ** t)
            v_hat = (vmax[j] if amsgrad else v[j]) / (1 - b2 ** t)
            p[j] -= lr * m_hat / (math.sqrt(v_hat) + eps)
        out.append(list(p))
    return out


HAND_CASES = [
    (SGD, dict(lr=0.1), ref_sgd),
    (SGD, dict(lr=0.1, momentum=0.9), ref_sgd),
    (SGD, dict(lr=0.1, momentum=0.9, dampening=0.5), ref_sgd),
    (SGD, dict(lr=0.1, momentum=0.9, nesterov=True), ref_sgd),
    (SGD, dict(lr=0.1, momentum=0.8, weight_decay=0.1, nesterov=True), ref_sgd),
    (SGD, dict(lr=0.05, weight_decay=0.3), ref_sgd),
    (Adagrad, dict(lr=0.1), ref_adagrad),
    (Adagrad, dict(lr=0.1, lr_decay=0.5), ref_adagrad),
    (Adagrad, dict(lr=0.1, weight_decay=0.2, initial_accumulator_value=0.3, eps=1e-3), ref_adagrad),
    (RMSprop, dict(lr=0.01), ref_rmsprop),
    (RMSprop, dict(lr=0.01, alpha=0.9, centered=True), ref_rmsprop),
    (RMSprop, dict(lr=0.01, momentum=0.9), ref_rmsprop),
    (RMSprop, dict(lr=0.01, alpha=0.8, momentum=0.5, centered=True, weight_decay=0.1,
                   eps=1e-3), ref_rmsprop),
    (Adam, dict(lr=0.1), ref_adam),
    (Adam, dict(lr=0.1, betas=(0.8, 0.9), weight_decay=0.1), ref_adam),
    (Adam, dict(lr=0.1, amsgrad=True), ref_adam),
    (Adam, dict(lr=0.1, betas=(0.5, 0.7), eps=1e-2, amsgrad=True, weight_decay=0.2), ref_adam),
]


@pytest.mark.parametrize("cls, kwargs, ref", HAND_CASES,
                         ids=[f"{c.__name__}-{k}" for c, k, _ in HAND_CASES])
def test_first_three_steps_match_the_update_rule(cls, kwargs, ref):
    got = run_nnbook(cls, kwargs)
    expected = ref(P0, GRADS, **kwargs)
    np.testing.assert_allclose(np.array(got), np.array(expected), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("kwargs", [dict(lr=0.1), dict(lr=0.1, weight_decay=0.5),
                                    dict(lr=0.1, betas=(0.8, 0.9), weight_decay=0.3, amsgrad=True)])
def test_adamw_first_three_steps(kwargs):
    kwargs = {"weight_decay": 1e-2, **kwargs}
    got = run_nnbook(AdamW, kwargs)
    expected = ref_adam(P0, GRADS, decoupled=True, **kwargs)
    np.testing.assert_allclose(np.array(got), np.array(expected), rtol=1e-13, atol=1e-15)


def test_hand_worked_numbers():
    """A few steps computed by hand, as in the chapter."""
    p = Parameter(np.array([1.0]))
    opt = SGD([p], lr=0.1, momentum=0.5)
    for _ in range(3):
        p.grad = np.array([1.0])
        opt.step()
    # buffers 1, 1.5, 1.75 -> steps 0.1, 0.15, 0.175
    assert p.data[0] == pytest.approx(1 - 0.425, abs=1e-15)
    # Adam's first step is lr * sign(g) (up to eps), whatever the gradient's scale
    for scale in (1e-3, 1.0, 1e3):
        q = Parameter(np.array([0.0, 0.0]))
        adam = Adam([q], lr=0.01, eps=1e-300)      # eps must be > 0; this one is below rounding
        q.grad = np.array([scale, -scale])
        adam.step()
        np.testing.assert_allclose(q.data, [-0.01, 0.01], rtol=1e-14)


def test_ema_form_equals_torch_form():
    """m = b m + (1-b) g with step alpha is v = b v + g with step alpha (1-b)."""
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(20, 3))
    beta, alpha = 0.9, 0.05
    theta = np.zeros(3)
    m = np.zeros(3)
    path = []
    for g in grads:
        m = beta * m + (1 - beta) * g
        theta = theta - alpha * m
        path.append(theta)
    got = run_nnbook(SGD, dict(lr=alpha * (1 - beta), momentum=beta), p0=np.zeros(3), grads=grads)
    np.testing.assert_allclose(np.array(got), np.array(path), rtol=1e-12, atol=1e-14)


# -- against torch.optim ------------------------------------------------------------

def _torch_cases():
    """Every combination of the options of every optimizer (plus the pure defaults)."""
    cases = [(name, {"lr": 0.01}) for name in ("SGD", "Adagrad", "RMSprop", "Adam", "AdamW")]
    for momentum, dampening, nesterov, wd in itertools.product((0.0, 0.9), (0.0, 0.3),
                                                               (False, True), (0.0, 0.02)):
        if nesterov and (momentum == 0 or dampening != 0):
            continue
        cases.append(("SGD", dict(lr=0.05, momentum=momentum, dampening=dampening,
                                  nesterov=nesterov, weight_decay=wd)))
    for lr_decay, wd, initial in itertools.product((0.0, 0.1), (0.0, 0.05), (0.0, 0.5)):
        cases.append(("Adagrad", dict(lr=0.1, lr_decay=lr_decay, weight_decay=wd,
                                      initial_accumulator_value=initial, eps=1e-6)))
    for momentum, centered, wd in itertools.product((0.0, 0.5), (False, True), (0.0, 0.1)):
        cases.append(("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6, momentum=momentum,
                                      centered=centered, weight_decay=wd)))
    for name, amsgrad, wd in itertools.product(("Adam", "AdamW"), (False, True), (0.0, 0.1)):
        cases.append((name, dict(lr=0.01, betas=(0.85, 0.99), eps=1e-6, amsgrad=amsgrad,
                                 weight_decay=wd)))
    return cases


TORCH_CASES = _torch_cases()


@pytest.mark.parametrize("name, kwargs", TORCH_CASES, ids=[f"{n}-{k}" for n, k in TORCH_CASES])
def test_matches_torch_over_ten_steps(name, kwargs):
    torch = pytest.importorskip("torch")
    import nnbook.optim as optim

    rng = np.random.default_rng(zlib.crc32(f"{name}{kwargs}".encode()))
    shapes = [(3, 4), (5,), (1,)]
    start = [rng.normal(size=s) for s in shapes]
    ours = [Parameter(a.copy()) for a in start]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in start]
    opt = getattr(optim, name)(ours, **kwargs)
    topt = getattr(torch.optim, name)(theirs, **kwargs)
    for step in range(10):
        for k, (p, tp) in enumerate(zip(ours, theirs)):
            if k == 1 and step in (3, 4):  # a parameter without gradient is skipped
                p.grad = None
                tp.grad = None
                continue
            g = rng.normal(scale=rng.choice([0.01, 1.0, 10.0]), size=p.shape)
            p.grad = g
            tp.grad = torch.tensor(g.copy())
        opt.step()
        topt.step()
        for p, tp in zip(ours, theirs):
            np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-10, atol=1e-13)


# -- behaviour -----------------------------------------------------------------------

ALL = [
    (SGD, dict(lr=0.1)),
    (SGD, dict(lr=0.1, momentum=0.9, weight_decay=0.1)),
    (SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    (Adagrad, dict(lr=0.1, lr_decay=0.1, weight_decay=0.1, initial_accumulator_value=0.1)),
    (RMSprop, dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.1)),
    (RMSprop, dict(lr=0.01)),
    (Adam, dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    (AdamW, dict(lr=0.01, amsgrad=True)),
]
ALL_IDS = [f"{c.__name__}-{k}" for c, k in ALL]


@pytest.mark.parametrize("cls, kwargs", ALL, ids=ALL_IDS)
def test_float32_stays_float32_and_updates_in_place(cls, kwargs, rng):
    arrays = [rng.normal(size=(4, 3)).astype(np.float32), rng.normal(size=3).astype(np.float32)]
    params = [Parameter(a) for a in arrays]
    opt = cls(params, **kwargs)
    for _ in range(3):
        for p in params:
            p.grad = rng.normal(size=p.shape).astype(np.float32)
        opt.step()
    for p, a in zip(params, arrays):
        assert p.data is a, "the optimizer must update p.data in place, not rebind it"
        assert p.data.dtype == np.float32
        assert p.grad.dtype == np.float32
    for buffers in opt.state.values():
        for key, value in buffers.items():
            if key != "step":
                assert value.dtype == np.float32, key


@pytest.mark.parametrize("cls, kwargs", ALL, ids=ALL_IDS)
def test_float32_matches_float64_closely(cls, kwargs, rng):
    start = rng.normal(size=5)
    grads = rng.normal(size=(4, 5))
    got32 = run_nnbook(cls, kwargs, p0=start, grads=grads, dtype=np.float32)
    got64 = run_nnbook(cls, kwargs, p0=start, grads=grads, dtype=np.float64)
    np.testing.assert_allclose(got32[-1], got64[-1], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("cls, kwargs", ALL, ids=ALL_IDS)
def test_gradient_is_not_modified(cls, kwargs):
    p = Parameter(np.array([1.0, -2.0, 3.0]))
    opt = cls([p], **kwargs)
    g = np.array([0.5, 0.25, -1.0])
    p.grad = g
    opt.step()
    opt.step()
    np.testing.assert_array_equal(g, [0.5, 0.25, -1.0])


@pytest.mark.parametrize("cls, kwargs", ALL, ids=ALL_IDS)
def test_step_without_gradients_raises(cls, kwargs):
    p = Parameter(np.ones(3))
    opt = cls([p], **kwargs)
    name = cls.__name__
    message = rf"{name}.step: none of the 1 parameters has a gradient.*backward"
    with pytest.raises(RuntimeError, match=message):
        opt.step()
    p.grad = np.ones(3)
    opt.step()
    opt.zero_grad()
    assert p.grad is None
    with pytest.raises(RuntimeError, match=rf"{name}.step"):
        opt.step()


@pytest.mark.parametrize("cls, kwargs", ALL, ids=ALL_IDS)
def test_parameters_without_gradient_are_skipped(cls, kwargs):
    a, b = Parameter(np.ones(3)), Parameter(np.ones(2))
    opt = cls([a, b], **kwargs)
    a.grad = np.full(3, 0.5)
    opt.step()
    opt.step()
    np.testing.assert_array_equal(b.data, np.ones(2))
    assert 1 not in opt.state and opt.state[0]["step"] == 2
    b.grad = np.full(2, 0.5)
    a.grad = None
    opt.step()
    assert opt.state[1]["step"] == 1 and opt.state[0]["step"] == 2
    # b's first update is the same as a fresh optimizer's first update
    fresh = Parameter(np.ones(2))
    fresh.grad = np.full(2, 0.5)
    cls([fresh], **kwargs).step()
    np.testing.assert_array_equal(b.data, fresh.data)


def test_gradient_of_wrong_shape_or_dtype_raises():
    p = Parameter(np.ones(3))
    opt = SGD([p], lr=0.1)
    p.grad = np.ones((3, 1))
    message = r"SGD.step: params\[0\] has shape \(3,\).*gradient has shape \(3, 1\)"
    with pytest.raises(ValueError, match=message):
        opt.step()
    p.grad = np.ones(3, dtype=np.float32)
    with pytest.raises(ValueError, match=r"SGD.step: .*dtype float64.*dtype float32"):
        opt.step()
    np.testing.assert_array_equal(p.data, np.ones(3))


def test_works_with_a_model():
    from nnbook.layers import Linear, Sequential
    rng = np.random.default_rng(0)
    model = Sequential(Linear(3, 4, rng=rng), Linear(4, 1, rng=rng))
    weights = [p.data for p in model.parameters()]
    opt = Adam(model.parameters(), lr=0.01)
    X, y = rng.normal(size=(16, 3)), rng.normal(size=(16, 1))
    losses = []
    for _ in range(50):
        opt.zero_grad()
        err = model(X) - y
        losses.append(float(np.mean(err ** 2)))
        model.backward(2 * err / err.size)
        opt.step()
    assert losses[-1] < 0.8 * losses[0]
    assert all(p.data is w for p, w in zip(model.parameters(), weights))


@pytest.mark.parametrize("params, match", [
    ([], r"Adam: got an empty parameter list"),
    (Parameter(np.ones(2)), r"Adam: params must be an iterable of Parameters, got a single Parameter"),
    ([np.ones(2)], r"Adam: params\[0\] is a ndarray, not a Parameter"),
    (3, r"Adam: params must be an iterable"),
])
def test_bad_parameter_lists(params, match):
    with pytest.raises(ValueError, match=match):
        Adam(params)


def test_passing_the_model_instead_of_its_parameters():
    from nnbook.layers import Linear, Sequential
    message = r"SGD: params\[0\] is a Linear, not a Parameter; pass model.parameters\(\)"
    with pytest.raises(ValueError, match=message):
        SGD(Sequential(Linear(2, 3, rng=0)), lr=0.1)
    message = r"SGD: params must be an iterable of Parameters such as model.parameters\(\), got Linear"
    with pytest.raises(ValueError, match=message):
        SGD(Linear(2, 3, rng=0), lr=0.1)


def test_centered_rmsprop_never_takes_the_root_of_a_negative_number():
    """v - g_bar^2 is >= 0 in exact arithmetic but rounds below 0 under a constant gradient."""
    p = Parameter(np.array([0.3, -1.7, 1e-3]))
    opt = RMSprop([p], lr=1e-3, alpha=0.5, centered=True, momentum=0.5)
    went_negative = False
    for _ in range(200):
        p.grad = np.array([0.7, -1.3, 3.1])
        opt.step()  # a RuntimeWarning from np.sqrt would fail the test (warnings are errors)
        s = opt.state[0]
        went_negative |= bool((s["square_avg"] - s["grad_avg"] ** 2 < 0).any())
    assert went_negative, "the test no longer exercises the clipping"
    assert np.isfinite(p.data).all()


def test_same_parameter_twice():
    p, q = Parameter(np.ones(2)), Parameter(np.ones(2))
    with pytest.raises(ValueError, match=r"SGD: params\[2\] is the same Parameter as params\[0\]"):
        SGD([p, q, p], lr=0.1)


@pytest.mark.parametrize("cls, kwargs, match", [
    (SGD, dict(lr=-0.1), r"SGD: invalid lr=-0.1"),
    (SGD, dict(lr=float("nan")), r"SGD: lr must be a finite real number, got nan"),
    (SGD, dict(lr="fast"), r"SGD: lr must be a finite real number, got 'fast'"),
    (SGD, dict(lr=0.1, momentum=-0.5), r"SGD: invalid momentum=-0.5"),
    (SGD, dict(lr=0.1, weight_decay=-1), r"SGD: invalid weight_decay=-1"),
    (SGD, dict(lr=0.1, dampening=1.5), r"SGD: invalid dampening=1.5; it must be in \[0, 1\]"),
    (SGD, dict(lr=0.1, nesterov=True), r"SGD: Nesterov momentum requires momentum > 0"),
    (SGD, dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), r"SGD: Nesterov.*dampening = 0"),
    (Adagrad, dict(lr=-1), r"Adagrad: invalid lr"),
    (Adagrad, dict(lr_decay=-1), r"Adagrad: invalid lr_decay"),
    (Adagrad, dict(initial_accumulator_value=-1), r"Adagrad: invalid initial_accumulator_value"),
    (Adagrad, dict(eps=-1e-10), r"Adagrad: invalid eps"),
    (RMSprop, dict(alpha=1.0), r"RMSprop: invalid alpha=1.0; it must be in \[0, 1\)"),
    (RMSprop, dict(alpha=-0.1), r"RMSprop: invalid alpha"),
    (RMSprop, dict(momentum=-0.1), r"RMSprop: invalid momentum"),
    (RMSprop, dict(eps=-1), r"RMSprop: invalid eps"),
    (Adam, dict(betas=(1.0, 0.999)), r"Adam: invalid betas\[0\]=1.0; it must be in \[0, 1\)"),
    (Adam, dict(betas=(0.9, -0.1)), r"Adam: invalid betas\[1\]"),
    (Adam, dict(betas=0.9), r"Adam: betas must be a pair"),
    (Adam, dict(betas=(0.9, 0.99, 0.999)), r"Adam: betas must be a pair"),
    (Adam, dict(eps=-1e-8), r"Adam: invalid eps"),
    (Adam, dict(weight_decay=-0.1), r"Adam: invalid weight_decay"),
    (AdamW, dict(lr=-1e-3), r"AdamW: invalid lr"),
    (AdamW, dict(betas=(0.9, 1.5)), r"AdamW: invalid betas\[1\]"),
])
def test_invalid_hyperparameters(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls([Parameter(np.ones(2))], **kwargs)


def test_hyperparameters_are_python_floats():
    """np.float64 hyperparameters would upcast float32 arrays; they are converted."""
    opt = Adam([Parameter(np.ones(2, dtype=np.float32))], lr=np.float64(0.1),
               betas=np.array([0.9, 0.99]))
    assert type(opt.lr) is float and all(type(b) is float for b in opt.betas)


@pytest.mark.parametrize("cls, kwargs", ALL, ids=ALL_IDS)
def test_state_dict_round_trip_continues_identically(cls, kwargs, rng):
    start = [rng.normal(size=(3, 2)), rng.normal(size=4)]
    grads = rng.normal(size=(10, 10))
    a = [Parameter(x.copy()) for x in start]
    opt_a = cls(a, **kwargs)

    def feed(params, opt, g):
        params[0].grad = g[:6].reshape(3, 2).copy()
        params[1].grad = g[6:].copy()
        opt.step()

    for g in grads[:5]:
        feed(a, opt_a, g)
    saved = opt_a.state_dict()
    # through an .npz file, as a checkpoint would
    buffer = io.BytesIO()
    np.savez(buffer, **saved)
    buffer.seek(0)
    with np.load(buffer, allow_pickle=False) as npz:
        loaded = {key: npz[key] for key in npz.files}
    b = [Parameter(p.data.copy()) for p in a]
    opt_b = cls(b, **kwargs)
    opt_b.load_state_dict(loaded)
    assert opt_b.state_dict().keys() == saved.keys()
    for g in grads[5:]:
        feed(a, opt_a, g)
        feed(b, opt_b, g)
    for p, q in zip(a, b):
        np.testing.assert_array_equal(p.data, q.data)
    # the saved copy did not change while opt_a kept training
    assert saved["state.0.step"] == 5


def test_state_dict_restores_hyperparameters_and_rejects_bad_state():
    p = Parameter(np.ones(3))
    opt = Adam([p], lr=0.1, amsgrad=True)
    p.grad = np.ones(3)
    opt.step()
    saved = opt.state_dict()
    assert saved["lr"] == 0.1 and saved["betas"] == (0.9, 0.999) and saved["state.0.step"] == 1
    assert set(saved) == {"lr", "betas", "eps", "weight_decay", "amsgrad", "state.0.step",
                          "state.0.exp_avg", "state.0.exp_avg_sq", "state.0.max_exp_avg_sq"}

    other = Adam([Parameter(np.ones(3))], lr=0.5, amsgrad=True)
    other.load_state_dict(saved)
    assert other.lr == 0.1

    bad = dict(saved)
    del bad["eps"]
    with pytest.raises(ValueError, match=r"Adam.load_state_dict: missing keys \['eps'\]"):
        other.load_state_dict(bad)
    bad = dict(saved, **{"state.0.exp_avg": np.ones(4)})
    with pytest.raises(ValueError, match=r"Adam.load_state_dict: 'state.0.exp_avg' has shape \(4,\)"):
        other.load_state_dict(bad)
    bad = dict(saved, **{"state.3.exp_avg": np.ones(3)})
    with pytest.raises(ValueError, match=r"Adam.load_state_dict: unexpected key 'state.3.exp_avg'"):
        other.load_state_dict(bad)
    bad = dict(saved, lr=-1.0)
    with pytest.raises(ValueError, match=r"Adam: invalid lr=-1.0"):
        other.load_state_dict(bad)
    # amsgrad off: the max_exp_avg_sq buffer is unexpected; nothing changes
    bad = dict(saved, amsgrad=False, lr=0.7)
    with pytest.raises(ValueError, match=r"Adam.load_state_dict: params\[0\] has buffers"):
        other.load_state_dict(bad)
    assert other.lr == 0.1 and other.amsgrad is True


def test_the_double_update_guard_writes_nothing_onto_parameters_and_keeps_none_alive():
    """The record of which optimizer applied which gradient is kept by Optimizer, weakly."""
    import gc
    import weakref

    p = Parameter(np.ones(3))
    before = set(vars(p))
    opt = SGD([p], lr=0.1)
    p.grad = np.ones(3)
    opt.step()
    assert set(vars(p)) == before, "the optimizer must not add attributes to a Parameter"
    alive = weakref.ref(p)
    del p, opt
    gc.collect()
    assert alive() is None, "the guard's record must not keep a parameter alive"
