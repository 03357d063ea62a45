# Generated from book/11_tuning.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""The one-cycle learning-rate policy (chapter *Tuning and stabilising training*), as
``torch.optim.lr_scheduler.OneCycleLR``.

A schedule stepped once per *batch*: the rate climbs from ``max_lr / div_factor``
to ``max_lr`` in the first ``pct_start`` of the steps, then falls to
``max_lr / (div_factor * final_div_factor)``. It builds on
:class:`nnbook.lr_scheduler.LRScheduler` (appendix *Learning-rate schedulers*).
"""

__all__ = ['OneCycleLR']


# %% book/11_tuning.ipynb cell-017
import math

from nnbook.checks import one_of, positive_int, real_number
from nnbook.lr_scheduler import LRScheduler


class OneCycleLR(LRScheduler):
    """The one-cycle policy of Smith and Topin: warm up to ``max_lr``, then anneal far below it.

    With :math:`\\eta_{\\max}` = ``max_lr``, :math:`\\eta_0 = \\eta_{\\max}/d` (``d`` =
    ``div_factor``), :math:`\\eta_{\\min} = \\eta_0 / f` (``f`` = ``final_div_factor``)
    and :math:`N` = ``total_steps``, the phases end at the steps
    :math:`s_1 = p N - 1` and :math:`N - 1` (``p`` = ``pct_start``), and inside a
    phase from step :math:`a` to :math:`b`, going from rate :math:`u` to :math:`v`,

    .. math:: \\eta_t = v + \\frac{u - v}{2}\\Big(1 + \\cos\\frac{\\pi (t - a)}{b - a}\\Big)
              \\quad\\text{(cosine)}, \\qquad
              \\eta_t = u + (v - u)\\frac{t - a}{b - a} \\quad\\text{(linear)}.

    With ``three_phase=True`` the phases are :math:`\\eta_0 \\to \\eta_{\\max}` until
    :math:`pN - 1`, back to :math:`\\eta_0` until :math:`2pN - 2`, then down to
    :math:`\\eta_{\\min}` until :math:`N - 1` (the schedule of fast.ai's first version).
    The values are PyTorch's, step for step, for the :math:`N` batches. Call
    ``step()`` after every ``optimizer.step()``, that is once per batch; the base
    learning rate of the optimizer is ignored. After the last batch (step :math:`N`,
    whose rate no batch uses) the rate stays at :math:`\\eta_{\\min}`, where PyTorch
    extrapolates the last phase (to a negative rate with ``"linear"``). PyTorch also cycles the momentum (``cycle_momentum=True``,
    between 0.85 and 0.95); this class schedules the rate only.

    Parameters
    ----------
    optimizer : Optimizer
    max_lr : float
        :math:`\\eta_{\\max} > 0`, the peak; the learning-rate range test suggests it.
    total_steps : int, optional
        :math:`N`, the number of batches of the whole run; or give both
        ``epochs`` and ``steps_per_epoch`` (:math:`N` is their product).
    epochs, steps_per_epoch : int, optional
    pct_start : float, default 0.3
        The fraction of the steps spent climbing, in (0, 1) (in (0, 0.5) with
        ``three_phase``).
    anneal_strategy : {"cos", "linear"}, default "cos"
    div_factor : float, default 25
        :math:`d \\ge 1`.
    final_div_factor : float, default 1e4
        :math:`f \\ge 1`.
    three_phase : bool, default False

    Raises
    ------
    ValueError
        At construction for a bad argument; at ``step()`` when it is stepped more
        than ``total_steps`` times (the schedule does not fit the run).
    """

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
                 pct_start=0.3, anneal_strategy="cos", div_factor=25.0, final_div_factor=1e4,
                 three_phase=False):
        who = "OneCycleLR"
        self.max_lr = real_number(max_lr, "max_lr", who, low=0, low_open=True)
        if total_steps is None:
            if epochs is None or steps_per_epoch is None:
                raise ValueError(f"{who}: give total_steps, or both epochs and steps_per_epoch "
                                 "(len(loader) batches per epoch), so the cycle fits the run")
            total_steps = (positive_int(epochs, "epochs", who)
                           * positive_int(steps_per_epoch, "steps_per_epoch", who))
        self.total_steps = positive_int(total_steps, "total_steps", who)
        self.three_phase = bool(three_phase)
        self.pct_start = real_number(pct_start, "pct_start", who, low=0, high=0.5 if three_phase else 1,
                                     low_open=True, high_open=True)
        self.anneal_strategy = one_of(anneal_strategy, "anneal_strategy", who, ("cos", "linear"))
        div_factor = real_number(div_factor, "div_factor", who, low=1)
        final_div_factor = real_number(final_div_factor, "final_div_factor", who, low=1)
        self.initial_lr = self.max_lr / div_factor
        self.min_lr = self.initial_lr / final_div_factor
        n, p = self.total_steps, self.pct_start
        if self.three_phase:
            self._phases = [(p * n - 1, self.initial_lr, self.max_lr),
                            (2 * p * n - 2, self.max_lr, self.initial_lr),
                            (n - 1, self.initial_lr, self.min_lr)]
        else:
            self._phases = [(p * n - 1, self.initial_lr, self.max_lr), (n - 1, self.max_lr, self.min_lr)]
        ends = [0.0] + [end for end, _, _ in self._phases]
        if any(b <= a for a, b in zip(ends, ends[1:])):
            raise ValueError(f"{who}: total_steps={n} is too small for pct_start={p:g}: a phase "
                             "would last less than one step; use more steps or another pct_start")
        optimizer.initial_lr = self.initial_lr
        super().__init__(optimizer)

    def _anneal(self, start, end, pct):
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def _lr_at(self, step):
        if step > self.total_steps:
            raise ValueError(
                f"OneCycleLR: step() was called {step} times, but total_steps={self.total_steps}; "
                "the schedule must cover the whole run: total_steps = epochs * len(loader) "
                "(step the scheduler once per batch, not per epoch plus per batch)")
        if step == self.total_steps:     # after the last batch: PyTorch extrapolates, we stay
            return self.min_lr
        start_step = 0.0
        for i, (end_step, start_lr, end_lr) in enumerate(self._phases):
            if step <= end_step or i == len(self._phases) - 1:
                return self._anneal(start_lr, end_lr, (step - start_step) / (end_step - start_step))
            start_step = end_step
