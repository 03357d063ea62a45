# Generated from book/08_optimizers.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Optimizers (chapter 8, *Optimizers*): ``SGD`` (with momentum, dampening,
Nesterov momentum and L2 weight decay), ``Adagrad``, ``RMSprop``, ``Adam`` and
``AdamW``, with the update rules, defaults and checks of ``torch.optim``.

An optimizer updates the parameters of a model in place from their gradients::

    optimizer = Adam(model.parameters(), lr=1e-3)
    for X, y in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        model.backward(loss_fn.backward())
        optimizer.step()

The base class is in :mod:`nnbook.optimizer`, the learning-rate schedules in
:mod:`nnbook.lr_scheduler`.
"""

__all__ = ['SGD', 'Adagrad', 'RMSprop', 'Adam', 'AdamW']


# %% book/08_optimizers.ipynb cell-001
import math

import numpy as np

from nnbook.checks import real_number
from nnbook.optimizer import Optimizer


# %% book/08_optimizers.ipynb cell-012
class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum and weight decay (PyTorch's form).

    .. math::

        g_t &\\leftarrow g_t + \\lambda\\,\\theta_{t-1}, \\qquad
        b_t = \\mu\\, b_{t-1} + (1 - \\tau)\\, g_t \\quad (b_1 = g_1) \\\\
        \\theta_t &= \\theta_{t-1} - \\eta\\, b_t
            \\quad\\text{or, Nesterov,}\\quad \\theta_{t-1} - \\eta\\, (g_t + \\mu\\, b_t)

    (without momentum, :math:`\\theta_t = \\theta_{t-1} - \\eta\\, g_t`).

    Parameters
    ----------
    params : iterable of Parameter
    lr : float, default 1e-3
        Learning rate :math:`\\eta \\ge 0`.
    momentum : float, default 0
        :math:`\\mu \\in [0, 1)`; the state is then ``"momentum_buffer"`` :math:`b`.
        (PyTorch refuses only :math:`\\mu < 0`; with :math:`\\mu \\ge 1` the buffer
        never forgets a gradient and the steps grow without bound.)
    dampening : float, default 0
        :math:`\\tau \\in [0, 1]`.
    weight_decay : float, default 0
        L2 penalty :math:`\\lambda \\ge 0`, added to the gradient.
    nesterov : bool, default False
        Nesterov momentum (needs ``momentum > 0`` and ``dampening = 0``).

    Examples
    --------
    >>> from nnbook.layers import Parameter
    >>> p = Parameter(np.array([1.0, -2.0]))
    >>> opt = SGD([p], lr=0.1, momentum=0.9)
    >>> p.grad = np.array([1.0, 1.0]); opt.step(); p.data
    array([ 0.9, -2.1])
    """

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0,
                 nesterov=False):
        super().__init__(params, lr=lr, momentum=momentum, dampening=dampening,
                         weight_decay=weight_decay, nesterov=nesterov)

    def _validate(self, hyper):
        out = {**self._numbers(hyper, "lr"), **self._numbers(hyper, "momentum", high=1, high_open=True),
               **self._numbers(hyper, "dampening", high=1), **self._numbers(hyper, "weight_decay"),
               "nesterov": bool(hyper["nesterov"])}
        if out["nesterov"] and (out["momentum"] <= 0 or out["dampening"] != 0):
            raise ValueError(
                f"SGD: Nesterov momentum requires momentum > 0 and dampening = 0, got "
                f"momentum={out['momentum']:g} and dampening={out['dampening']:g}"
            )
        return out

    def _init_state(self, data):
        return {"momentum_buffer": np.zeros_like(data)} if self.momentum != 0 else {}

    def _update(self, data, grad, state):
        if self.weight_decay != 0:
            grad = grad + self.weight_decay * data  # a new array: p.grad is left untouched
        if self.momentum != 0:
            buf = state["momentum_buffer"]
            if state["step"] == 1:
                buf[...] = grad
            else:
                buf *= self.momentum
                buf += (1 - self.dampening) * grad
            grad = grad + self.momentum * buf if self.nesterov else buf
        data -= self.lr * grad


# %% book/08_optimizers.ipynb cell-018
class Adagrad(Optimizer):
    """Adagrad: a per-coordinate learning rate that shrinks with the gradients seen so far.

    .. math::

        g_t \\leftarrow g_t + \\lambda\\,\\theta_{t-1}, \\qquad s_t = s_{t-1} + g_t^2, \\qquad
        \\theta_t = \\theta_{t-1} - \\frac{\\eta}{1 + (t - 1)\\,\\delta}\\,
            \\frac{g_t}{\\sqrt{s_t} + \\epsilon}

    elementwise; the state is ``"sum"`` :math:`s_t`. Duchi, Hazan and Singer (2011).

    Parameters
    ----------
    params : iterable of Parameter
    lr, lr_decay : float, default 1e-2 and 0
        :math:`\\eta \\ge 0` and its decay :math:`\\delta \\ge 0`.
    weight_decay : float, default 0
        L2 penalty :math:`\\lambda \\ge 0`, added to the gradient.
    initial_accumulator_value, eps : float, default 0 and 1e-10
        :math:`s_0 \\ge 0` and :math:`\\epsilon > 0`.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                 initial_accumulator_value=0.0, eps=1e-10):
        super().__init__(params, lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                         initial_accumulator_value=initial_accumulator_value, eps=eps)

    def _validate(self, hyper):
        return {**self._numbers(hyper, "lr", "lr_decay", "weight_decay", "initial_accumulator_value"),
                **self._numbers(hyper, "eps", low_open=True)}

    def _init_state(self, data):
        return {"sum": np.full_like(data, self.initial_accumulator_value)}

    def _update(self, data, grad, state):
        if self.weight_decay != 0:
            grad = grad + self.weight_decay * data
        lr = self.lr / (1 + (state["step"] - 1) * self.lr_decay)
        state["sum"] += grad * grad
        std = np.sqrt(state["sum"])
        std += self.eps
        data -= lr * (grad / std)


# %% book/08_optimizers.ipynb cell-020
class RMSprop(Optimizer):
    """RMSprop: divide the gradient by a moving average of its recent magnitude.

    .. math::

        v_t &= \\alpha\\, v_{t-1} + (1 - \\alpha)\\, g_t^2, \\qquad
        \\bar g_t = \\alpha\\, \\bar g_{t-1} + (1 - \\alpha)\\, g_t \\quad\\text{(centered)} \\\\
        d_t &= \\sqrt{v_t} + \\epsilon \\quad\\text{or, centered,}\\quad
            \\sqrt{v_t - \\bar g_t^2} + \\epsilon \\\\
        \\theta_t &= \\theta_{t-1} - \\eta\\, g_t / d_t \\quad\\text{or, with momentum,}\\quad
            b_t = \\mu\\, b_{t-1} + g_t / d_t, \\ \\theta_t = \\theta_{t-1} - \\eta\\, b_t

    from zero averages, with :math:`g_t \\leftarrow g_t + \\lambda\\theta_{t-1}` first.
    The state is ``"square_avg"``, ``"grad_avg"`` (centered) and
    ``"momentum_buffer"``; the centered variance is clipped at 0. Tieleman and
    Hinton (2012).

    Parameters
    ----------
    params : iterable of Parameter
    lr : float, default 1e-2
        Learning rate :math:`\\eta \\ge 0`.
    alpha : float, default 0.99
        Smoothing constant :math:`\\alpha \\in [0, 1)`.
    eps, weight_decay, momentum : float, default 1e-8, 0 and 0
        :math:`\\epsilon > 0`, :math:`\\lambda \\ge 0` and :math:`\\mu \\in [0, 1)`.
    centered : bool, default False
        Divide by an estimate of the gradient's standard deviation.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False):
        super().__init__(params, lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                         momentum=momentum, centered=centered)

    def _validate(self, hyper):
        return {**self._numbers(hyper, "lr"), **self._numbers(hyper, "eps", low_open=True),
                **self._numbers(hyper, "weight_decay"),
                **self._numbers(hyper, "momentum", high=1, high_open=True),
                **self._numbers(hyper, "alpha", high=1, high_open=True),
                "centered": bool(hyper["centered"])}

    def _init_state(self, data):
        state = {"square_avg": np.zeros_like(data)}
        if self.centered:
            state["grad_avg"] = np.zeros_like(data)
        if self.momentum > 0:
            state["momentum_buffer"] = np.zeros_like(data)
        return state

    def _update(self, data, grad, state):
        if self.weight_decay != 0:
            grad = grad + self.weight_decay * data
        square_avg = state["square_avg"]
        square_avg *= self.alpha
        square_avg += (1 - self.alpha) * (grad * grad)
        if self.centered:
            grad_avg = state["grad_avg"]
            grad_avg *= self.alpha
            grad_avg += (1 - self.alpha) * grad
            denom = square_avg - grad_avg * grad_avg
            np.maximum(denom, 0, out=denom)
            np.sqrt(denom, out=denom)
        else:
            denom = np.sqrt(square_avg)
        denom += self.eps
        if self.momentum > 0:
            buf = state["momentum_buffer"]
            buf *= self.momentum
            buf += grad / denom
            data -= self.lr * buf
        else:
            data -= self.lr * (grad / denom)


# %% book/08_optimizers.ipynb cell-024
class Adam(Optimizer):
    """Adam: momentum and RMSprop's scaling, with bias-corrected moving averages.

    .. math::

        m_t &= \\beta_1 m_{t-1} + (1 - \\beta_1)\\, g_t, \\qquad
        v_t = \\beta_2 v_{t-1} + (1 - \\beta_2)\\, g_t^2, \\qquad m_0 = v_0 = 0 \\\\
        \\theta_t &= \\theta_{t-1} - \\frac{\\eta}{1 - \\beta_1^t}\\,
            \\frac{m_t}{\\sqrt{u_t} / \\sqrt{1 - \\beta_2^t} + \\epsilon}

    with :math:`u_t = v_t`, or :math:`\\max(u_{t-1}, v_t)` with ``amsgrad`` (of the raw
    :math:`v_t`, as in PyTorch, so the corrected :math:`\\hat v_t` can still decrease): that is
    :math:`\\eta\\, \\hat m_t / (\\sqrt{\\hat v_t} + \\epsilon)` with the bias-corrected
    :math:`\\hat m_t = m_t / (1 - \\beta_1^t)` and :math:`\\hat v_t = u_t / (1 - \\beta_2^t)`,
    arranged as PyTorch computes it. The state is ``"exp_avg"``, ``"exp_avg_sq"``
    and ``"max_exp_avg_sq"`` (amsgrad). Kingma and Ba (2015).

    Parameters
    ----------
    params : iterable of Parameter
    lr : float, default 1e-3
        Learning rate :math:`\\eta \\ge 0`.
    betas : tuple of 2 floats, default (0.9, 0.999)
        :math:`(\\beta_1, \\beta_2)`, each in :math:`[0, 1)`.
    eps : float, default 1e-8
        :math:`\\epsilon > 0` (0 would divide by zero where a gradient has always been 0).
    weight_decay : float, default 0
        L2 penalty :math:`\\lambda \\ge 0` added to :math:`g_t`, hence rescaled
        by the denominator (see :class:`AdamW`).
    amsgrad : bool, default False
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 amsgrad=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad)

    def _validate(self, hyper):
        name, betas = type(self).__name__, hyper["betas"]
        if np.ndim(betas) != 1 or len(betas) != 2:
            raise ValueError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
        betas = tuple(real_number(beta, f"betas[{k}]", name, low=0, high=1, high_open=True)
                      for k, beta in enumerate(betas))
        return {**self._numbers(hyper, "lr"), "betas": betas,
                **self._numbers(hyper, "eps", low_open=True), **self._numbers(hyper, "weight_decay"),
                "amsgrad": bool(hyper["amsgrad"])}

    def _init_state(self, data):
        state = {"exp_avg": np.zeros_like(data), "exp_avg_sq": np.zeros_like(data)}
        if self.amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(data)
        return state

    def _apply_weight_decay(self, data, grad):
        """L2 regularization: add :math:`\\lambda\\theta` to the gradient."""
        if self.weight_decay != 0:
            grad = grad + self.weight_decay * data
        return grad

    def _update(self, data, grad, state):
        grad = self._apply_weight_decay(data, grad)
        beta1, beta2 = self.betas
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= beta1
        m += (1 - beta1) * grad
        v *= beta2
        v += (1 - beta2) * (grad * grad)
        if self.amsgrad:
            np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        t = state["step"]
        denom = np.sqrt(v)
        denom /= math.sqrt(1 - beta2 ** t)          # bias correction of v
        denom += self.eps
        data -= (self.lr / (1 - beta1 ** t)) * (m / denom)


# %% book/08_optimizers.ipynb cell-031
class AdamW(Adam):
    """AdamW: Adam with decoupled weight decay.

    Before the Adam update (:class:`Adam` with no L2 term), the parameter
    shrinks by a factor that does not depend on the gradients,

    .. math::

        \\theta_{t-1} \\leftarrow (1 - \\eta\\lambda)\\, \\theta_{t-1},

    so every weight decays at the same relative rate, whereas Adam's L2 term is divided
    by :math:`\\sqrt{\\hat v_t}` like the gradient. As in PyTorch, the decay per step is
    ``lr * weight_decay``, so halving ``lr`` halves it (Loshchilov and Hutter (2019)
    multiply :math:`\\lambda` by the schedule's multiplier only, not by the base rate).
    The parameters and the state are Adam's, except the default ``weight_decay=1e-2``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad)

    def _validate(self, hyper):
        out = super()._validate(hyper)
        if out["lr"] * out["weight_decay"] >= 1:
            raise ValueError(
                f"AdamW: lr * weight_decay = {out['lr'] * out['weight_decay']:g} >= 1, so every step "
                f"would multiply the weights by {1 - out['lr'] * out['weight_decay']:g} (zero or a sign "
                "flip); use a weight_decay below 1 / lr (the default is 1e-2)")
        return out

    def _apply_weight_decay(self, data, grad):
        """Decoupled decay: shrink the parameter in place; the gradient is unchanged."""
        if self.weight_decay != 0:
            data *= 1 - self.lr * self.weight_decay
        return grad
