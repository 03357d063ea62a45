# Generated from book/11_tuning.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""The learning-rate range test (chapter *Tuning and stabilising training*).

:func:`lr_find` trains for a few hundred steps with a learning rate that grows
exponentially from tiny to huge, records the smoothed loss at each rate, and puts
the model and the optimizer back as they were. The curve of loss against rate
(log scale) shows where training starts to bite and where it blows up (Smith,
2017; the fast.ai ``lr_find``).
"""

__all__ = ['lr_find']


# %% book/11_tuning.ipynb cell-010
import math

import numpy as np

from nnbook.checks import all_finite, as_generator, positive_int, real_number
from nnbook.data import DataLoader


def lr_find(model, loss_fn, optimizer, X, y, *, start_lr=1e-7, end_lr=10.0, num_steps=100,
            batch_size=32, rng=None, smoothing=0.98, divergence=4.0):
    """Train with exponentially increasing learning rates; return the rates and the smoothed losses.

    Step :math:`k = 0, \\dots, K-1` uses the rate
    :math:`\\eta_k = \\eta_{\\text{start}} (\\eta_{\\text{end}}/\\eta_{\\text{start}})^{k/(K-1)}`
    on a fresh minibatch (shuffled epochs, drawn from ``rng``) and records the
    bias-corrected exponential moving average of the minibatch losses,
    :math:`\\bar L_k = a_k / (1 - \\beta^{k+1})`, :math:`a_k = \\beta a_{k-1} + (1-\\beta) L_k`.
    The test stops early when a step overflows, the loss is not finite, or
    :math:`\\bar L_k > \\text{divergence} \\cdot \\min_{j \\le k} \\bar L_j`.
    Afterwards the model's parameters and buffers, its gradients and modes, and the
    optimizer's state (buffers, step counts, learning rate) are restored exactly,
    also if an exception interrupts the test.

    Parameters
    ----------
    model : Module
    loss_fn : Loss
    optimizer : Optimizer
        Built on ``model.parameters()``; its ``lr`` is overwritten at every step.
    X : ndarray, shape (n, ...)
    y : ndarray
        Targets as ``loss_fn`` expects them.
    start_lr, end_lr : float
        :math:`0 < \\eta_{\\text{start}} < \\eta_{\\text{end}}`.
    num_steps : int, default 100
        :math:`K \\ge 2`.
    batch_size : int, default 32
    rng : numpy.random.Generator or int, optional
        The order of the minibatches.
    smoothing : float, default 0.98
        :math:`\\beta \\in [0, 1)`; 0 records the raw minibatch losses.
    divergence : float, default 4.0
        Stop when the smoothed loss exceeds this multiple of its minimum (> 1).

    Returns
    -------
    lrs : ndarray, shape (k,)
        The rates tried, :math:`k \\le K`.
    losses : ndarray, shape (k,)
        The smoothed loss after the step at each rate.
    """
    who = "lr_find"
    start_lr = real_number(start_lr, "start_lr", who, low=0, low_open=True)
    end_lr = real_number(end_lr, "end_lr", who, low=start_lr, low_open=True)
    num_steps = positive_int(num_steps, "num_steps", who, minimum=2)
    smoothing = real_number(smoothing, "smoothing", who, low=0, high=1, high_open=True)
    divergence = real_number(divergence, "divergence", who, low=1, low_open=True)
    loader = DataLoader(X, y, batch_size=batch_size, shuffle=True, rng=as_generator(rng, who))
    params = model.parameters()
    saved_model, saved_optimizer = model.state_dict(), optimizer.state_dict()
    saved_grads = [None if p.grad is None else p.grad.copy() for p in params]
    saved_modes = [(m, m.training) for m in model.modules()]
    saved_count = getattr(optimizer, "_step_count", None)
    rates = start_lr * (end_lr / start_lr) ** (np.arange(num_steps) / (num_steps - 1))
    lrs, losses, average, best = [], [], 0.0, math.inf
    try:
        model.train()
        batches = iter(loader)
        for k, lr in enumerate(rates):
            try:
                xb, yb = next(batches)
            except StopIteration:                    # a new epoch, in a new order
                batches = iter(loader)
                xb, yb = next(batches)
            optimizer.lr = float(lr)
            optimizer.zero_grad()
            try:              # an overflow anywhere in the step means the rate is far too large
                with np.errstate(over="raise", invalid="raise", divide="raise"):
                    outputs = model(xb)
                    loss = float(loss_fn(outputs, yb))
                    if not (all_finite(outputs) and math.isfinite(loss)):
                        break
                    model.backward(loss_fn.backward(), input_grad=False)
                    optimizer.step()
            except FloatingPointError:
                break
            average = smoothing * average + (1 - smoothing) * loss
            smoothed = average / (1 - smoothing ** (k + 1))
            lrs.append(float(lr))
            losses.append(smoothed)
            best = min(best, smoothed)
            if smoothed > divergence * best:
                break
    finally:
        model.load_state_dict(saved_model)
        optimizer.load_state_dict(saved_optimizer)
        for p, grad in zip(params, saved_grads):
            p.grad = grad
        for module, mode in saved_modes:
            module.training = mode
        if saved_count is not None:
            optimizer._step_count = saved_count
    return np.array(lrs), np.array(losses)
