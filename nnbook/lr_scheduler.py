# Generated from book/eng_schedulers.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Learning-rate schedulers (appendix *Learning-rate schedulers*; the schedules are taught
in chapter 8, *Optimizers*), as ``torch.optim.lr_scheduler``.

A scheduler sets its optimizer's ``lr`` once per epoch to a closed-form
function of the epoch: ``StepLR``, ``CosineAnnealingLR``, ``LinearLR`` (linear
warm-up), ``LambdaLR`` and ``SequentialLR`` (one schedule after another). Call
``scheduler.step()`` after each epoch's ``optimizer.step()`` calls.
"""

__all__ = ['LRScheduler', 'StepLR', 'CosineAnnealingLR', 'LinearLR', 'LambdaLR', 'SequentialLR']


# %% book/eng_schedulers.ipynb cell-001
import math
import numbers
import warnings
from bisect import bisect_right

import numpy as np

from nnbook.checks import positive_int, real_number


class LRScheduler:
    """Base class of the learning-rate schedules.

    A schedule sets ``optimizer.lr`` to :math:`\\eta_e`, a function of the
    epoch counter :math:`e` (``last_epoch``) and of the base learning rate
    :math:`\\eta_0` (the optimizer's ``lr`` when the first scheduler was
    attached). Creating the scheduler sets the epoch-0 value; each
    :meth:`step` advances :math:`e` by one. A subclass implements
    ``_lr_at(epoch)`` in closed form (PyTorch updates the rate recursively,
    with the same values).

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer whose ``lr`` is scheduled.

    Attributes
    ----------
    base_lr : float
        :math:`\\eta_0`.
    last_epoch : int
        How many times :meth:`step` was called.
    """

    def __init__(self, optimizer):
        if not (hasattr(optimizer, "lr") and callable(getattr(optimizer, "step", None))):
            raise ValueError(
                f"{type(self).__name__}: expected an Optimizer such as nnbook.optim.SGD, got "
                f"{type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        if getattr(optimizer, "initial_lr", None) is None:
            optimizer.initial_lr = optimizer.lr
        self.base_lr = optimizer.initial_lr
        self.last_epoch = 0
        self._apply()

    def _lr_at(self, epoch):
        raise NotImplementedError

    def _checked_lr_at(self, epoch):
        """``_lr_at(epoch)`` as a float, or a ValueError naming the scheduler, the epoch and the value."""
        lr = self._lr_at(epoch)
        if not _is_rate(lr):
            raise ValueError(
                f"{type(self).__name__}: the learning rate computed for epoch {epoch} is {lr!r} "
                f"(base_lr={self.base_lr:g}); a learning rate must be a finite number >= 0; "
                "check the scheduler's arguments"
            )
        return float(lr)

    def _apply(self):
        self._last_lr = self._checked_lr_at(self.last_epoch)   # nothing changes if it raises
        self.optimizer.lr = self._last_lr

    def step(self):
        """Advance one epoch and set the optimizer's learning rate.

        Warns (``UserWarning``) if the optimizer never stepped: the schedule
        would then skip its first value.
        """
        if self.last_epoch == 0 and getattr(self.optimizer, "_step_count", 1) == 0:
            warnings.warn(
                f"{type(self).__name__}.step() was called before {type(self.optimizer).__name__}"
                ".step(): the first learning rate of the schedule is skipped; call "
                "optimizer.step() for the batches of an epoch, then scheduler.step()",
                UserWarning, stacklevel=2,
            )
        self.last_epoch += 1
        try:
            self._apply()
        except Exception:
            self.last_epoch -= 1                   # a refused rate leaves the scheduler as it was
            raise

    def get_last_lr(self):
        """The learning rate set by the last step, as a one-element list (as in PyTorch)."""
        return [self._last_lr]

    def state_dict(self):
        """``{"last_epoch": ..., "base_lr": ...}``; the other arguments come from the constructor."""
        return {"last_epoch": self.last_epoch, "base_lr": self.base_lr}

    def load_state_dict(self, state_dict):
        """Restore the progress saved by :meth:`state_dict` (the optimizer restores its lr)."""
        who = f"{type(self).__name__}.load_state_dict"
        if set(state_dict) != {"last_epoch", "base_lr"}:
            raise ValueError(f"{who}: expected the keys ['base_lr', 'last_epoch'], got {sorted(state_dict)}")
        saved = {key: np.asarray(value).tolist() for key, value in state_dict.items()}  # from .npz
        self.last_epoch = positive_int(saved["last_epoch"], "last_epoch", who, minimum=0)
        self.base_lr = real_number(saved["base_lr"], "base_lr", who, low=0)
        self._last_lr = self._checked_lr_at(self.last_epoch)

    def __repr__(self):
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, lr={self._last_lr:g})"


def _is_rate(value):
    """True for a finite real number >= 0 (a NumPy scalar or 0-d array too), the only valid rates."""
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value.item()
    return (not isinstance(value, bool) and isinstance(value, numbers.Real)
            and math.isfinite(value) and value >= 0)


# %% book/eng_schedulers.ipynb cell-003
class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs.

    .. math:: \\eta_e = \\eta_0\\, \\gamma^{\\lfloor e / s \\rfloor}

    Parameters
    ----------
    optimizer : Optimizer
    step_size : int
        :math:`s \\ge 1`, the number of epochs between decays.
    gamma : float, default 0.1
        The factor :math:`\\gamma > 0` (0 would stop training silently after
        ``step_size`` epochs; PyTorch accepts it).
    """

    def __init__(self, optimizer, step_size, gamma=0.1):
        self.step_size = positive_int(step_size, "step_size", "StepLR")
        self.gamma = real_number(gamma, "gamma", "StepLR", low=0, low_open=True)
        super().__init__(optimizer)

    def _lr_at(self, epoch):
        return self.base_lr * self.gamma ** (epoch // self.step_size)


# %% book/eng_schedulers.ipynb cell-004
class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from the base learning rate down to ``eta_min`` in ``T_max`` epochs.

    .. math:: \\eta_e = \\eta_{\\min} + \\frac{\\eta_0 - \\eta_{\\min}}{2}
              \\left(1 + \\cos\\frac{\\pi e}{T_{\\max}}\\right)

    After :math:`T_{\\max}` epochs the cosine goes on (the rate climbs back),
    as in PyTorch.

    Parameters
    ----------
    optimizer : Optimizer
    T_max : int
        Half-period :math:`T_{\\max} \\ge 1` in epochs.
    eta_min : float, default 0
        The smallest learning rate :math:`\\eta_{\\min} \\ge 0`.
    """

    def __init__(self, optimizer, T_max, eta_min=0.0):
        self.T_max = positive_int(T_max, "T_max", "CosineAnnealingLR")
        self.eta_min = real_number(eta_min, "eta_min", "CosineAnnealingLR", low=0)
        super().__init__(optimizer)

    def _lr_at(self, epoch):
        cosine = (1 + math.cos(math.pi * epoch / self.T_max)) / 2
        return self.eta_min + (self.base_lr - self.eta_min) * cosine


# %% book/eng_schedulers.ipynb cell-005
class LinearLR(LRScheduler):
    """Scale the learning rate by a factor that changes linearly (a warm-up, typically).

    .. math:: \\eta_e = \\eta_0 \\left(f_0 + (f_1 - f_0)\\, \\frac{\\min(e, E)}{E}\\right)

    With ``start_factor=0.1`` and ``end_factor=1`` this is a linear warm-up
    from :math:`0.1\\eta_0` to :math:`\\eta_0` in :math:`E` epochs (Goyal et al., 2017).

    Parameters
    ----------
    optimizer : Optimizer
    start_factor : float, default 1/3
        :math:`f_0 \\in (0, 1]`.
    end_factor : float, default 1.0
        :math:`f_1 \\in [0, 1]`.
    total_iters : int, default 5
        :math:`E \\ge 1`, the number of epochs to go from :math:`f_0` to :math:`f_1`.
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5):
        self.start_factor = real_number(start_factor, "start_factor", "LinearLR", low=0, high=1,
                                        low_open=True)
        self.end_factor = real_number(end_factor, "end_factor", "LinearLR", low=0, high=1)
        self.total_iters = positive_int(total_iters, "total_iters", "LinearLR")
        super().__init__(optimizer)

    def _lr_at(self, epoch):
        progress = min(epoch, self.total_iters) / self.total_iters
        return self.base_lr * (self.start_factor + (self.end_factor - self.start_factor) * progress)


# %% book/eng_schedulers.ipynb cell-006
class LambdaLR(LRScheduler):
    """The learning rate is the base rate times a function of the epoch.

    .. math:: \\eta_e = \\eta_0\\, \\lambda(e)

    Parameters
    ----------
    optimizer : Optimizer
    lr_lambda : callable
        ``lr_lambda(epoch) -> float``, the factor :math:`\\lambda(e) \\ge 0`. A factor that
        is negative, NaN, infinite or not a number raises a ``ValueError`` naming the
        epoch, at the ``step()`` (or the construction, for epoch 0) that computes it.
    """

    def __init__(self, optimizer, lr_lambda):
        if not callable(lr_lambda):
            raise ValueError(f"LambdaLR: lr_lambda must be a function of the epoch, got {lr_lambda!r}")
        self.lr_lambda = lr_lambda
        super().__init__(optimizer)

    def _lr_at(self, epoch):
        factor = self.lr_lambda(epoch)
        if not _is_rate(factor):
            try:
                rate = f"{self.base_lr * float(np.asarray(factor)):g}"
            except (TypeError, ValueError):
                rate = "undefined"
            raise ValueError(
                f"LambdaLR: lr_lambda({epoch}) returned {factor!r}, so the learning rate of epoch "
                f"{epoch} would be {rate} (base_lr={self.base_lr:g} times that); lr_lambda must "
                "return a finite factor >= 0 for every epoch (clip it, e.g. max(0.0, ...))"
            )
        return self.base_lr * float(np.asarray(factor))


# %% book/eng_schedulers.ipynb cell-008
class SequentialLR(LRScheduler):
    """Several schedules one after the other, switching at the given epochs.

    Schedule :math:`k` runs from epoch ``milestones[k-1]`` (0 for the first)
    and restarts its own epoch count there, as PyTorch's ``SequentialLR``.
    Call ``step()`` on the ``SequentialLR`` only; the schedules inside are
    used as formulas. Warm-up then cosine annealing::

        SequentialLR(opt, [LinearLR(opt, start_factor=0.1, total_iters=5),
                           CosineAnnealingLR(opt, T_max=45)], milestones=[5])

    Parameters
    ----------
    optimizer : Optimizer
    schedulers : list of LRScheduler
        Built on the same optimizer.
    milestones : list of int
        Increasing epochs (>= 1), one fewer than the schedulers.
    """

    def __init__(self, optimizer, schedulers, milestones):
        schedulers, milestones = list(schedulers), list(milestones)
        if not schedulers or len(milestones) != len(schedulers) - 1:
            raise ValueError(f"SequentialLR: expected one milestone fewer than schedulers, got "
                             f"{len(schedulers)} schedulers and milestones {milestones}")
        for k, scheduler in enumerate(schedulers):
            if not isinstance(scheduler, LRScheduler) or scheduler.optimizer is not optimizer:
                raise ValueError(f"SequentialLR: schedulers[{k}] must be a scheduler of the same "
                                 f"optimizer, got {scheduler!r}")
        self.milestones = [positive_int(m, f"milestones[{k}]", "SequentialLR") for k, m in enumerate(milestones)]
        if self.milestones != sorted(set(self.milestones)):
            raise ValueError(f"SequentialLR: milestones must increase, got {milestones}")
        self.schedulers = schedulers
        super().__init__(optimizer)

    def _lr_at(self, epoch):
        k = bisect_right(self.milestones, epoch)
        return self.schedulers[k]._lr_at(epoch - (self.milestones[k - 1] if k else 0))

    def load_state_dict(self, state_dict):
        """Restore the progress saved by ``state_dict()``; the schedules inside share it."""
        super().load_state_dict(state_dict)
        for scheduler in self.schedulers:
            scheduler.base_lr = self.base_lr
        self._last_lr = self._checked_lr_at(self.last_epoch)
