"""Tests of nnbook.lr_scheduler (appendix eng_schedulers, schedules of chapter 8).

Reference values: ``torch.optim.lr_scheduler`` over 20 to 30 epochs (skipped if
torch is not installed) and closed forms computed by hand; behaviour: the
warning for a wrong call order, state round trips, argument errors.
"""
import numpy as np
import pytest

from nnbook.layers import Parameter
from nnbook.lr_scheduler import CosineAnnealingLR, LambdaLR, LinearLR, SequentialLR, StepLR
from nnbook.optim import SGD


# -- schedulers ----------------------------------------------------------------------

def _dummy_sgd(lr=0.1):
    p = Parameter(np.zeros(1))
    p.grad = np.zeros(1)
    return SGD([p], lr=lr)


SCHEDULER_CASES = [
    ("StepLR", dict(step_size=3)),
    ("StepLR", dict(step_size=4, gamma=0.5)),
    ("CosineAnnealingLR", dict(T_max=10)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.01)),
    ("LinearLR", dict()),
    ("LinearLR", dict(start_factor=0.1, total_iters=8)),
    ("LinearLR", dict(start_factor=1.0, end_factor=0.2, total_iters=6)),
]


def _lr_sequence(opt, scheduler, epochs, step):
    lrs = [scheduler.get_last_lr()[0]]
    for _ in range(epochs):
        step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
        current = opt.param_groups[0]["lr"] if hasattr(opt, "param_groups") else opt.lr
        assert current == lrs[-1]
    return np.array(lrs, dtype=float)


@pytest.mark.parametrize("name, kwargs", SCHEDULER_CASES,
                         ids=[f"{n}-{k}" for n, k in SCHEDULER_CASES])
def test_scheduler_matches_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    import nnbook.lr_scheduler as lr_scheduler

    opt = _dummy_sgd()
    ours = _lr_sequence(opt, getattr(lr_scheduler, name)(opt, **kwargs), 25, opt.step)
    topt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    theirs = _lr_sequence(topt, getattr(torch.optim.lr_scheduler, name)(topt, **kwargs), 25,
                          topt.step)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-15)


def test_lambda_and_sequential_match_torch():
    torch = pytest.importorskip("torch")
    lam = lambda e: 0.95 ** e  # noqa: E731

    opt = _dummy_sgd()
    ours = _lr_sequence(opt, LambdaLR(opt, lam), 20, opt.step)
    topt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    theirs = _lr_sequence(topt, torch.optim.lr_scheduler.LambdaLR(topt, lam), 20, topt.step)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)

    def build(lib, o):
        sched = lib.lr_scheduler if lib is torch.optim else lib
        warm = sched.LinearLR(o, start_factor=0.1, total_iters=5)
        cos = sched.CosineAnnealingLR(o, T_max=15, eta_min=0.001)
        step = sched.StepLR(o, step_size=2, gamma=0.5)
        return sched.SequentialLR(o, [warm, cos, step], milestones=[5, 20])

    import nnbook.lr_scheduler as lr_scheduler
    opt = _dummy_sgd()
    ours = _lr_sequence(opt, build(lr_scheduler, opt), 30, opt.step)
    topt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    theirs = _lr_sequence(topt, build(torch.optim, topt), 30, topt.step)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-15)


def test_scheduler_closed_forms():
    opt = _dummy_sgd(1.0)
    sched = StepLR(opt, step_size=2, gamma=0.5)
    lrs = [opt.lr]
    for _ in range(5):
        opt.step()
        sched.step()
        lrs.append(opt.lr)
    assert lrs == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    assert sched.last_epoch == 5

    opt = _dummy_sgd(1.0)
    sched = CosineAnnealingLR(opt, T_max=4)
    for _ in range(2):
        opt.step()
        sched.step()
    assert opt.lr == pytest.approx(0.5, abs=1e-15)

    opt = _dummy_sgd(1.0)
    sched = LinearLR(opt, start_factor=0.25, total_iters=3)
    assert opt.lr == 0.25
    for _ in range(5):
        opt.step()
        sched.step()
    assert opt.lr == 1.0


def test_scheduler_step_before_optimizer_step_warns():
    opt = _dummy_sgd()
    sched = StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match=r"StepLR.step\(\) was called before SGD.step\(\)"):
        sched.step()


def test_scheduler_state_dict_round_trip():
    opt = _dummy_sgd()
    sched = SequentialLR(opt, [LinearLR(opt, 0.1, total_iters=3), CosineAnnealingLR(opt, 10)],
                         milestones=[3])
    for _ in range(6):
        opt.step()
        sched.step()
    saved_opt, saved = opt.state_dict(), sched.state_dict()
    expected = []
    for _ in range(5):
        opt.step()
        sched.step()
        expected.append(opt.lr)

    opt2 = _dummy_sgd()
    sched2 = SequentialLR(opt2, [LinearLR(opt2, 0.1, total_iters=3), CosineAnnealingLR(opt2, 10)],
                          milestones=[3])
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved)
    assert sched2.last_epoch == 6
    got = []
    for _ in range(5):
        opt2.step()
        sched2.step()
        got.append(opt2.lr)
    assert got == expected
    with pytest.raises(ValueError, match="SequentialLR.load_state_dict"):
        sched2.load_state_dict({"last_epoch": 3})


@pytest.mark.parametrize("build, match", [
    (lambda o: StepLR(o, step_size=0), r"StepLR: step_size must be a positive integer, got 0"),
    (lambda o: StepLR(o, step_size=2.5), r"StepLR: step_size"),
    (lambda o: CosineAnnealingLR(o, T_max=0), r"CosineAnnealingLR: T_max"),
    (lambda o: CosineAnnealingLR(o, T_max=5, eta_min=-1), r"CosineAnnealingLR: invalid eta_min"),
    (lambda o: LinearLR(o, start_factor=0), r"LinearLR: invalid start_factor"),
    (lambda o: LinearLR(o, start_factor=1.5), r"LinearLR: invalid start_factor"),
    (lambda o: LinearLR(o, end_factor=-0.1), r"LinearLR: invalid end_factor"),
    (lambda o: LambdaLR(o, 0.5), r"LambdaLR: lr_lambda must be a function"),
    (lambda o: SequentialLR(o, [StepLR(o, 2)], milestones=[3]), r"SequentialLR: expected one milestone"),
    (lambda o: SequentialLR(o, [StepLR(o, 2), StepLR(o, 3)], milestones=[0]),
     r"SequentialLR: milestones\[0\]"),
    (lambda o: SequentialLR(o, [StepLR(o, 2), StepLR(_dummy_sgd(), 3)], milestones=[2]),
     r"SequentialLR: schedulers\[1\] must be a scheduler of the same optimizer"),
    (lambda o: StepLR(object(), 2), r"StepLR: expected an Optimizer"),
])
def test_invalid_scheduler_arguments(build, match):
    with pytest.raises(ValueError, match=match):
        build(_dummy_sgd())
