# Generated from book/08_optimizers.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Optimizers and learning-rate schedules (chapter 8, *Optimizers*).

An optimizer updates the parameters of a model from their gradients, in place:
``SGD`` (with momentum, dampening, Nesterov momentum and L2 weight decay),
``Adagrad``, ``RMSprop``, ``Adam`` and ``AdamW``. A learning-rate scheduler
changes the optimizer's ``lr`` once per epoch: ``StepLR``,
``CosineAnnealingLR``, ``LinearLR`` (linear warm-up), ``LambdaLR`` and
``SequentialLR`` (one schedule after another).

The update rules, defaults and checks follow ``torch.optim`` and
``torch.optim.lr_scheduler``, so the same hyperparameters give the same numbers
in PyTorch. The usual loop is::

    optimizer = Adam(model.parameters(), lr=1e-3)
    for X, y in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        model.backward(loss_fn.backward())
        optimizer.step()
    scheduler.step()            # once per epoch, after the optimizer's steps
"""

__all__ = ['Optimizer', 'SGD', 'Adagrad', 'RMSprop', 'Adam', 'AdamW', 'LRScheduler', 'StepLR', 'CosineAnnealingLR', 'LinearLR', 'LambdaLR', 'SequentialLR']


# %% book/08_optimizers.ipynb cell-001
import itertools
import math
import warnings
from bisect import bisect_right

import numpy as np

from nnbook.layers import Parameter


# %% book/08_optimizers.ipynb cell-009
def _number(who, label, value, low=0.0, high=None, high_open=True):
    """Check that a hyperparameter is a finite number in range and return it as a float."""
    name = type(who).__name__
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: {label} must be a number, got {value!r}") from None
    too_high = high is not None and (number >= high if high_open else number > high)
    if not math.isfinite(number) or number < low or too_high:
        upper = "inf)" if high is None else f"{high:g}" + (")" if high_open else "]")
        raise ValueError(f"{name}: invalid {label}={value!r}; it must be in [{low:g}, {upper}")
    return number


_optimizer_ids = itertools.count(1)  # gives every optimizer its own stamp


class Optimizer:
    """Base class of the optimizers: parameters, hyperparameters and per-parameter state.

    A subclass passes its hyperparameters to ``super().__init__`` and
    implements three methods: ``_validate(hyper)`` checks them and returns them
    converted (floats, bools, tuples); ``_init_state(data)`` returns the
    buffers one parameter needs (arrays of its shape and dtype); and
    ``_update(data, grad, state)`` updates one parameter *in place* from its
    gradient. The base class does the rest: it skips parameters without a
    gradient, counts steps per parameter, and saves and restores the state.

    A gradient is applied by one optimizer. Each update records on the
    parameter which gradient array was applied and by which optimizer (the
    attribute ``_last_update``), so :meth:`step` can tell when *another*
    optimizer already applied the very same gradient: two optimizers then
    hold the same parameters, every batch moves them twice, and ``step``
    raises a ``RuntimeError``. Replacing an optimizer, or alternating between
    two, is not an error as long as each step uses a gradient from a new
    backward pass.

    Parameters
    ----------
    params : iterable of Parameter
        What to optimize, usually ``model.parameters()``. Each parameter may
        appear only once.
    **hyper
        The hyperparameters; each becomes an attribute (``optimizer.lr``, ...).

    Attributes
    ----------
    params : list of Parameter
        The parameters, in order; ``params[i].data`` is updated in place (never
        rebound), so the model and the optimizer keep sharing the arrays.
    lr : float
        The learning rate :math:`\\eta`. Learning-rate schedulers change it.
    defaults : dict
        The hyperparameters as given to the constructor (after validation).
    state : dict
        ``state[i]`` is a dict holding ``"step"`` (how many updates
        ``params[i]`` received) and the buffers of ``params[i]`` (momentum,
        moving averages...). Created at the parameter's first update.
    initial_lr : float or None
        The learning rate before the first scheduler changed it; set by that
        scheduler (all schedules are computed from it).

    Raises
    ------
    ValueError
        If ``params`` is empty, holds something that is not a
        :class:`~nnbook.layers.Parameter` or holds a parameter twice, or if a
        hyperparameter is out of range.
    """

    def __init__(self, params, **hyper):
        name = type(self).__name__
        if isinstance(params, Parameter):
            raise ValueError(
                f"{name}: params must be an iterable of Parameters, got a single Parameter; "
                f"wrap it in a list: {name}([p], ...)"
            )
        try:
            params = list(params)
        except TypeError:
            raise ValueError(
                f"{name}: params must be an iterable of Parameters such as model.parameters(), "
                f"got {type(params).__name__}"
            ) from None
        if not params:
            raise ValueError(
                f"{name}: got an empty parameter list; pass model.parameters() of a model "
                "that has trainable parameters"
            )
        seen = {}
        for i, p in enumerate(params):
            if not isinstance(p, Parameter):
                raise ValueError(
                    f"{name}: params[{i}] is a {type(p).__name__}, not a Parameter; "
                    "pass model.parameters() (not the model or arrays)"
                )
            if id(p) in seen:
                raise ValueError(
                    f"{name}: params[{i}] is the same Parameter as params[{seen[id(p)]}]; "
                    "each parameter may appear only once (it would be updated twice per step)"
                )
            seen[id(p)] = i
        self.params = params
        self.defaults = self._validate(hyper)
        self._set_hyper(self.defaults)
        self.state = {}
        self.initial_lr = None
        self._step_count = 0  # successful step() calls; schedulers check it
        self._stamp = (next(_optimizer_ids), name)  # identifies this optimizer's updates

    # -- what a subclass provides ----------------------------------------------
    def _validate(self, hyper):
        raise NotImplementedError

    def _init_state(self, data):
        return {}

    def _update(self, data, grad, state):
        raise NotImplementedError

    # -- the public interface --------------------------------------------------
    def _set_hyper(self, hyper):
        for key, value in hyper.items():
            setattr(self, key, value)

    def zero_grad(self):
        """Set the gradient of every parameter to None (before the next backward pass)."""
        for p in self.params:
            p.zero_grad()

    def step(self):
        """Update, in place, every parameter that has a gradient.

        Parameters whose ``grad`` is None are skipped (their state and step
        count do not change), as in PyTorch.

        Raises
        ------
        RuntimeError
            If no parameter has a gradient (the backward pass was not run), or
            if another optimizer already applied one of these gradients (two
            optimizers for the same parameters). Nothing is updated then.
        ValueError
            If a gradient's shape or dtype differs from its parameter's.
        """
        name = type(self).__name__
        todo = []
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            if p.grad.shape != p.data.shape or p.grad.dtype != p.data.dtype:
                raise ValueError(
                    f"{name}.step: params[{i}] has shape {p.data.shape} and dtype {p.data.dtype} "
                    f"but its gradient has shape {p.grad.shape} and dtype {p.grad.dtype}"
                )
            last = getattr(p, "_last_update", None)  # (gradient applied, by which optimizer)
            if last is not None and last[0] is p.grad and last[1] != self._stamp:
                raise RuntimeError(
                    f"{name}.step: the gradient of params[{i}] (shape {p.data.shape}) was "
                    f"already applied by another optimizer ({last[1][1]}): two optimizers hold "
                    "the same parameters, so every batch moves them twice. Use one optimizer "
                    "for model.parameters() (two only for disjoint parameter lists); to switch "
                    "optimizers, run a new backward pass before the new one's step()"
                )
            todo.append(i)
        if not todo:
            raise RuntimeError(
                f"{name}.step: none of the {len(self.params)} parameters has a gradient; "
                "call loss.backward() and model.backward(...) before step() "
                "(and zero_grad() before the backward pass, not after it)"
            )
        for i in todo:
            p = self.params[i]
            if i not in self.state:
                self.state[i] = {"step": 0, **self._init_state(p.data)}
            state = self.state[i]
            state["step"] += 1
            self._update(p.data, p.grad, state)
            p._last_update = (p.grad, self._stamp)
        self._step_count += 1

    def state_dict(self):
        """The hyperparameters and a copy of every buffer, in a flat dict.

        Keys are the hyperparameter names (``"lr"``, ``"betas"``, ...) and
        ``"state.<i>.<buffer>"`` for the buffers and step count of
        ``params[i]``. Values are numbers, tuples or arrays, so the dict can be
        written with ``np.savez`` and read back with ``allow_pickle=False``.
        """
        out = {key: getattr(self, key) for key in self.defaults}
        for i in sorted(self.state):
            for key, value in self.state[i].items():
                out[f"state.{i}.{key}"] = value if key == "step" else value.copy()
        return out

    def load_state_dict(self, state_dict):
        """Restore hyperparameters and buffers saved by ``state_dict()``.

        The optimizer must be built on the same parameters (same order,
        shapes and dtypes). Raises ``ValueError``, changing nothing, if a key
        is missing or unexpected, a hyperparameter is invalid, or a buffer has
        the wrong shape or dtype.
        """
        name = type(self).__name__
        missing = [key for key in self.defaults if key not in state_dict]
        if missing:
            raise ValueError(f"{name}.load_state_dict: missing keys {missing}")
        hyper = self._validate({key: state_dict[key] for key in self.defaults})
        old = {key: getattr(self, key) for key in self.defaults}
        self._set_hyper(hyper)  # _init_state below must see the new hyperparameters
        try:
            self.state = self._parse_state(state_dict)
        except ValueError:
            self._set_hyper(old)
            raise

    def _parse_state(self, state_dict):
        name = type(self).__name__
        found = {}
        for key, value in state_dict.items():
            if key in self.defaults:
                continue
            parts = key.split(".")
            if len(parts) != 3 or parts[0] != "state" or not parts[1].isdigit() \
                    or int(parts[1]) >= len(self.params):
                raise ValueError(f"{name}.load_state_dict: unexpected key {key!r}")
            found.setdefault(int(parts[1]), {})[parts[2]] = value
        state = {}
        for i, buffers in sorted(found.items()):
            data = self.params[i].data
            expected = {"step": None, **self._init_state(data)}
            if set(buffers) != set(expected):
                raise ValueError(
                    f"{name}.load_state_dict: params[{i}] has buffers {sorted(buffers)}, "
                    f"expected {sorted(expected)} (were the hyperparameters the same?)"
                )
            state[i] = {"step": int(buffers["step"])}
            for key in expected:
                if key == "step":
                    continue
                value = np.asarray(buffers[key])
                if value.shape != data.shape or value.dtype != data.dtype:
                    raise ValueError(
                        f"{name}.load_state_dict: 'state.{i}.{key}' has shape {value.shape} and "
                        f"dtype {value.dtype}, expected shape {data.shape} and dtype {data.dtype}"
                    )
                state[i][key] = value.copy()
        return state

    def __repr__(self):
        hyper = ", ".join(f"{key}={getattr(self, key)!r}" for key in self.defaults)
        return f"{type(self).__name__}({hyper})"


# %% book/08_optimizers.ipynb cell-011
class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum and weight decay.

    For each parameter :math:`\\theta` with gradient :math:`g_t` at step
    :math:`t = 1, 2, \\ldots` (PyTorch's formulation):

    .. math::

        g_t &\\leftarrow g_t + \\lambda\\,\\theta_{t-1}
            \\quad\\text{(if weight\\_decay } \\lambda \\ne 0) \\\\
        b_t &= \\begin{cases} g_t & t = 1 \\\\
            \\mu\\, b_{t-1} + (1 - \\tau)\\, g_t & t > 1 \\end{cases}
            \\quad\\text{(if momentum } \\mu \\ne 0) \\\\
        g_t &\\leftarrow g_t + \\mu\\, b_t \\text{ (Nesterov) or } b_t \\\\
        \\theta_t &= \\theta_{t-1} - \\eta\\, g_t

    Parameters
    ----------
    params : iterable of Parameter
        Usually ``model.parameters()``.
    lr : float, default 1e-3
        Learning rate :math:`\\eta \\ge 0`.
    momentum : float, default 0
        Momentum factor :math:`\\mu \\ge 0` (0.9 is common). With a constant
        gradient the step grows to :math:`\\eta g / (1 - \\mu)`.
    dampening : float, default 0
        :math:`\\tau \\in [0, 1]`: the new gradient enters the buffer scaled by
        :math:`1 - \\tau` (not on the first step, as in PyTorch).
    weight_decay : float, default 0
        L2 penalty :math:`\\lambda \\ge 0`, added to the gradient.
    nesterov : bool, default False
        Nesterov momentum (needs ``momentum > 0`` and ``dampening = 0``).

    Notes
    -----
    State per parameter: ``"momentum_buffer"`` :math:`b` (when
    :math:`\\mu \\ne 0`).

    Examples
    --------
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
        out = {
            "lr": _number(self, "lr", hyper["lr"]),
            "momentum": _number(self, "momentum", hyper["momentum"]),
            "dampening": _number(self, "dampening", hyper["dampening"], high=1.0,
                                 high_open=False),
            "weight_decay": _number(self, "weight_decay", hyper["weight_decay"]),
            "nesterov": bool(hyper["nesterov"]),
        }
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


# %% book/08_optimizers.ipynb cell-017
class Adagrad(Optimizer):
    """Adagrad: a per-coordinate learning rate that shrinks with the gradients seen so far.

    .. math::

        g_t &\\leftarrow g_t + \\lambda\\,\\theta_{t-1}
            \\quad\\text{(if weight\\_decay } \\lambda \\ne 0) \\\\
        \\tilde\\eta_t &= \\frac{\\eta}{1 + (t - 1)\\,\\delta} \\\\
        s_t &= s_{t-1} + g_t^2, \\qquad s_0 = \\text{initial\\_accumulator\\_value} \\\\
        \\theta_t &= \\theta_{t-1} - \\tilde\\eta_t\\, \\frac{g_t}{\\sqrt{s_t} + \\epsilon}

    (squares, roots and the division are elementwise).

    Parameters
    ----------
    params : iterable of Parameter
        Usually ``model.parameters()``.
    lr : float, default 1e-2
        Learning rate :math:`\\eta \\ge 0`.
    lr_decay : float, default 0
        :math:`\\delta \\ge 0`: the learning rate decays as :math:`1/(1 + (t-1)\\delta)`.
    weight_decay : float, default 0
        L2 penalty :math:`\\lambda \\ge 0`, added to the gradient.
    initial_accumulator_value : float, default 0
        Starting value :math:`s_0 \\ge 0` of the sum of squares.
    eps : float, default 1e-10
        :math:`\\epsilon \\ge 0`, added to the root to avoid division by zero.

    Notes
    -----
    State per parameter: ``"sum"`` :math:`s_t`. Reference: Duchi, Hazan and Singer (2011).
    """

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                 initial_accumulator_value=0.0, eps=1e-10):
        super().__init__(params, lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                         initial_accumulator_value=initial_accumulator_value, eps=eps)

    def _validate(self, hyper):
        return {key: _number(self, key, value) for key, value in hyper.items()}

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


# %% book/08_optimizers.ipynb cell-019
class RMSprop(Optimizer):
    """RMSprop: divide the gradient by a moving average of its recent magnitude.

    .. math::

        g_t &\\leftarrow g_t + \\lambda\\,\\theta_{t-1}
            \\quad\\text{(if weight\\_decay } \\lambda \\ne 0) \\\\
        v_t &= \\alpha\\, v_{t-1} + (1 - \\alpha)\\, g_t^2, \\qquad v_0 = 0 \\\\
        \\bar g_t &= \\alpha\\, \\bar g_{t-1} + (1 - \\alpha)\\, g_t
            \\quad\\text{(centered only; } \\bar g_0 = 0) \\\\
        d_t &= \\sqrt{v_t} + \\epsilon \\quad\\text{or, centered,}\\quad
            \\sqrt{v_t - \\bar g_t^2} + \\epsilon \\\\
        b_t &= \\mu\\, b_{t-1} + g_t / d_t, \\qquad b_0 = 0, \\qquad
            \\theta_t = \\theta_{t-1} - \\eta\\, b_t \\quad\\text{(if momentum } \\mu > 0) \\\\
        \\theta_t &= \\theta_{t-1} - \\eta\\, g_t / d_t \\quad\\text{(otherwise)}

    Parameters
    ----------
    params : iterable of Parameter
        Usually ``model.parameters()``.
    lr : float, default 1e-2
        Learning rate :math:`\\eta \\ge 0`.
    alpha : float, default 0.99
        Smoothing constant :math:`\\alpha \\in [0, 1)` of the moving averages.
    eps : float, default 1e-8
        :math:`\\epsilon \\ge 0`, added to the denominator.
    weight_decay : float, default 0
        L2 penalty :math:`\\lambda \\ge 0`, added to the gradient.
    momentum : float, default 0
        Momentum factor :math:`\\mu \\ge 0` applied to the scaled gradient.
    centered : bool, default False
        Divide by an estimate of the gradient's standard deviation
        (:math:`v_t - \\bar g_t^2`) instead of its root mean square.

    Notes
    -----
    State per parameter: ``"square_avg"`` :math:`v`, plus ``"grad_avg"``
    :math:`\\bar g` (centered) and ``"momentum_buffer"`` :math:`b` (momentum).
    The centered variance is clipped at 0 so rounding cannot produce a NaN.
    Reference: Tieleman and Hinton (2012).
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False):
        super().__init__(params, lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                         momentum=momentum, centered=centered)

    def _validate(self, hyper):
        out = {key: _number(self, key, hyper[key])
               for key in ("lr", "eps", "weight_decay", "momentum")}
        out["alpha"] = _number(self, "alpha", hyper["alpha"], high=1.0)
        out["centered"] = bool(hyper["centered"])
        return out

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


# %% book/08_optimizers.ipynb cell-023
class Adam(Optimizer):
    """Adam: momentum and RMSprop's scaling, with bias-corrected moving averages.

    .. math::

        g_t &\\leftarrow g_t + \\lambda\\,\\theta_{t-1}
            \\quad\\text{(if weight\\_decay } \\lambda \\ne 0\\text{: L2, not AdamW)} \\\\
        m_t &= \\beta_1 m_{t-1} + (1 - \\beta_1)\\, g_t, \\qquad
        v_t = \\beta_2 v_{t-1} + (1 - \\beta_2)\\, g_t^2, \\qquad m_0 = v_0 = 0 \\\\
        u_t &= \\max(u_{t-1}, v_t) \\text{ (amsgrad; } u_0 = 0) \\text{ or } v_t \\\\
        \\theta_t &= \\theta_{t-1} - \\frac{\\eta}{1 - \\beta_1^t}\\,
            \\frac{m_t}{\\sqrt{u_t} / \\sqrt{1 - \\beta_2^t} + \\epsilon}

    that is :math:`\\theta_t = \\theta_{t-1} - \\eta\\, \\hat m_t / (\\sqrt{\\hat v_t} + \\epsilon)`
    with the bias-corrected averages :math:`\\hat m_t = m_t / (1 - \\beta_1^t)` and
    :math:`\\hat v_t = u_t / (1 - \\beta_2^t)`, arranged as PyTorch computes it.

    Parameters
    ----------
    params : iterable of Parameter
        Usually ``model.parameters()``.
    lr : float, default 1e-3
        Learning rate :math:`\\eta \\ge 0`.
    betas : tuple of 2 floats, default (0.9, 0.999)
        :math:`(\\beta_1, \\beta_2)`, each in :math:`[0, 1)`: the decay rates of
        the first and second moment averages.
    eps : float, default 1e-8
        :math:`\\epsilon \\ge 0`, added to the denominator.
    weight_decay : float, default 0
        L2 penalty :math:`\\lambda \\ge 0` *added to the gradient* (so it is
        rescaled by the adaptive denominator; see :class:`AdamW`).
    amsgrad : bool, default False
        Use the running maximum of :math:`v_t` (AMSGrad).

    Notes
    -----
    State per parameter: ``"exp_avg"`` :math:`m`, ``"exp_avg_sq"`` :math:`v`,
    and ``"max_exp_avg_sq"`` (amsgrad). Reference: Kingma and Ba (2015).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 amsgrad=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad)

    def _validate(self, hyper):
        betas = hyper["betas"]
        if np.ndim(betas) != 1 or len(betas) != 2:
            raise ValueError(
                f"{type(self).__name__}: betas must be a pair (beta1, beta2), got {betas!r}"
            )
        return {
            "lr": _number(self, "lr", hyper["lr"]),
            "betas": (_number(self, "betas[0]", betas[0], high=1.0),
                      _number(self, "betas[1]", betas[1], high=1.0)),
            "eps": _number(self, "eps", hyper["eps"]),
            "weight_decay": _number(self, "weight_decay", hyper["weight_decay"]),
            "amsgrad": bool(hyper["amsgrad"]),
        }

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
        bias_correction1 = 1 - beta1 ** t
        bias_correction2 = 1 - beta2 ** t
        denom = np.sqrt(v)
        denom /= math.sqrt(bias_correction2)
        denom += self.eps
        data -= (self.lr / bias_correction1) * (m / denom)


# %% book/08_optimizers.ipynb cell-027
class AdamW(Adam):
    """AdamW: Adam with decoupled weight decay.

    Before the Adam update (:class:`Adam` with no L2 term), the parameter
    shrinks by a factor that does not depend on the gradients:

    .. math::

        \\theta_{t-1} \\leftarrow (1 - \\eta\\lambda)\\, \\theta_{t-1}

    so every weight decays at the same relative rate, whereas Adam's L2 term
    :math:`\\lambda\\theta` is divided by :math:`\\sqrt{\\hat v_t}` like the
    gradient and decays weights with large gradients less.

    Parameters
    ----------
    params : iterable of Parameter
        Usually ``model.parameters()``.
    lr : float, default 1e-3
        Learning rate :math:`\\eta \\ge 0`.
    betas : tuple of 2 floats, default (0.9, 0.999)
        :math:`(\\beta_1, \\beta_2)`, each in :math:`[0, 1)`.
    eps : float, default 1e-8
        :math:`\\epsilon \\ge 0`.
    weight_decay : float, default 1e-2
        Decoupled decay :math:`\\lambda \\ge 0` (note the nonzero default).
    amsgrad : bool, default False
        Use the running maximum of :math:`v_t`.

    Notes
    -----
    Same state as :class:`Adam`. Reference: Loshchilov and Hutter (2019).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad)

    def _apply_weight_decay(self, data, grad):
        """Decoupled decay: shrink the parameter in place; the gradient is unchanged."""
        if self.weight_decay != 0:
            data *= 1 - self.lr * self.weight_decay
        return grad


# %% book/08_optimizers.ipynb cell-036
def _count(who, label, value, minimum=1):
    """Check that an argument is an integer >= minimum and return it as an int."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        raise ValueError(
            f"{type(who).__name__}: {label} must be an integer >= {minimum}, got {value!r}"
        )
    return int(value)


class LRScheduler:
    """Base class of the learning-rate schedules.

    A schedule sets ``optimizer.lr`` to :math:`\\eta_e`, a function of the
    epoch counter :math:`e` (``last_epoch``) and of the base learning rate
    :math:`\\eta_0` (the optimizer's ``lr`` when the first scheduler was
    attached). Creating the scheduler sets :math:`\\eta_0`'s epoch-0 value;
    each :meth:`step` advances :math:`e` by one. A subclass implements
    ``_lr_at(epoch)`` in closed form; it gives the same values as PyTorch's
    schedulers (which update the rate recursively).

    Call ``scheduler.step()`` once per epoch, *after* that epoch's calls to
    ``optimizer.step()``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer whose ``lr`` is scheduled.

    Attributes
    ----------
    optimizer : Optimizer
    base_lr : float
        :math:`\\eta_0`.
    last_epoch : int
        How many times :meth:`step` was called.
    """

    def __init__(self, optimizer):
        name = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            raise ValueError(
                f"{name}: expected an Optimizer such as nnbook.optim.SGD, got "
                f"{type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        if optimizer.initial_lr is None:
            optimizer.initial_lr = optimizer.lr
        self.base_lr = optimizer.initial_lr
        self.last_epoch = 0
        self._apply()

    def _lr_at(self, epoch):
        raise NotImplementedError

    def _apply(self):
        self._last_lr = float(self._lr_at(self.last_epoch))
        self.optimizer.lr = self._last_lr

    def step(self):
        """Advance one epoch and set the optimizer's learning rate.

        Warns (``UserWarning``) if called before the optimizer ever stepped:
        the schedule would then skip its first value.
        """
        if self.last_epoch == 0 and self.optimizer._step_count == 0:
            warnings.warn(
                f"{type(self).__name__}.step() was called before {type(self.optimizer).__name__}"
                ".step(): the first learning rate of the schedule is skipped; call "
                "optimizer.step() for the batches of an epoch, then scheduler.step()",
                UserWarning,
                stacklevel=2,
            )
        self.last_epoch += 1
        self._apply()

    def get_last_lr(self):
        """The learning rate set by the last step, as a one-element list (as in PyTorch)."""
        return [self._last_lr]

    def state_dict(self):
        """``{"last_epoch": ..., "base_lr": ...}``: the progress of the schedule.

        The hyperparameters (step size, gamma, ...) come from the constructor:
        build the same scheduler, then load its state.
        """
        return {"last_epoch": self.last_epoch, "base_lr": self.base_lr}

    def load_state_dict(self, state_dict):
        """Restore the progress saved by ``state_dict()`` (the optimizer's lr is
        restored by the optimizer's own ``load_state_dict``)."""
        name = type(self).__name__
        if set(state_dict) != {"last_epoch", "base_lr"}:
            raise ValueError(
                f"{name}.load_state_dict: expected the keys ['base_lr', 'last_epoch'], "
                f"got {sorted(state_dict)}"
            )
        last_epoch = _count(self, "last_epoch", int(np.asarray(state_dict["last_epoch"])),
                            minimum=0)
        self.base_lr = _number(self, "base_lr", state_dict["base_lr"])
        self.last_epoch = last_epoch
        self._last_lr = float(self._lr_at(self.last_epoch))

    def __repr__(self):
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, lr={self._last_lr:g})"


# %% book/08_optimizers.ipynb cell-037
class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs.

    .. math:: \\eta_e = \\eta_0\\, \\gamma^{\\lfloor e / s \\rfloor}

    Parameters
    ----------
    optimizer : Optimizer
    step_size : int
        :math:`s \\ge 1`, the number of epochs between decays.
    gamma : float, default 0.1
        The factor :math:`\\gamma \\ge 0`.
    """

    def __init__(self, optimizer, step_size, gamma=0.1):
        self.step_size = _count(self, "step_size", step_size)
        self.gamma = _number(self, "gamma", gamma)
        super().__init__(optimizer)

    def _lr_at(self, epoch):
        return self.base_lr * self.gamma ** (epoch // self.step_size)


# %% book/08_optimizers.ipynb cell-038
class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from the base learning rate down to ``eta_min`` in ``T_max`` epochs.

    .. math:: \\eta_e = \\eta_{\\min} + \\frac{\\eta_0 - \\eta_{\\min}}{2}
              \\left(1 + \\cos\\frac{\\pi e}{T_{\\max}}\\right)

    After :math:`T_{\\max}` epochs the cosine continues (the rate climbs back),
    as in PyTorch; stop the training or chain another schedule there.

    Parameters
    ----------
    optimizer : Optimizer
    T_max : int
        Half-period :math:`T_{\\max} \\ge 1` in epochs.
    eta_min : float, default 0
        The smallest learning rate :math:`\\eta_{\\min} \\ge 0`.
    """

    def __init__(self, optimizer, T_max, eta_min=0.0):
        self.T_max = _count(self, "T_max", T_max)
        self.eta_min = _number(self, "eta_min", eta_min)
        super().__init__(optimizer)

    def _lr_at(self, epoch):
        cosine = (1 + math.cos(math.pi * epoch / self.T_max)) / 2
        return self.eta_min + (self.base_lr - self.eta_min) * cosine


# %% book/08_optimizers.ipynb cell-039
class LinearLR(LRScheduler):
    """Scale the learning rate by a factor that changes linearly (a warm-up, typically).

    .. math:: \\eta_e = \\eta_0 \\left(f_0 + (f_1 - f_0)\\,
              \\frac{\\min(e, E)}{E}\\right)

    With ``start_factor=0.1`` and the default ``end_factor=1`` this is a
    linear warm-up from :math:`0.1\\eta_0` to :math:`\\eta_0` in :math:`E`
    epochs (Goyal et al., 2017); afterwards the rate stays at :math:`f_1\\eta_0`.

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
        self.start_factor = _number(self, "start_factor", start_factor, high=1.0, high_open=False)
        if self.start_factor == 0:
            raise ValueError("LinearLR: invalid start_factor=0; it must be in (0, 1]")
        self.end_factor = _number(self, "end_factor", end_factor, high=1.0, high_open=False)
        self.total_iters = _count(self, "total_iters", total_iters)
        super().__init__(optimizer)

    def _lr_at(self, epoch):
        progress = min(epoch, self.total_iters) / self.total_iters
        return self.base_lr * (self.start_factor + (self.end_factor - self.start_factor) * progress)


# %% book/08_optimizers.ipynb cell-040
class LambdaLR(LRScheduler):
    """The learning rate is the base rate times a function of the epoch.

    .. math:: \\eta_e = \\eta_0\\, \\lambda(e)

    Parameters
    ----------
    optimizer : Optimizer
    lr_lambda : callable
        ``lr_lambda(epoch) -> float``, the factor :math:`\\lambda(e)`.
    """

    def __init__(self, optimizer, lr_lambda):
        if not callable(lr_lambda):
            raise ValueError(
                f"LambdaLR: lr_lambda must be a function of the epoch, got {lr_lambda!r}"
            )
        self.lr_lambda = lr_lambda
        super().__init__(optimizer)

    def _lr_at(self, epoch):
        return self.base_lr * self.lr_lambda(epoch)


# %% book/08_optimizers.ipynb cell-042
class SequentialLR(LRScheduler):
    """Several schedules one after the other, switching at the given epochs.

    Schedule :math:`k` runs from epoch ``milestones[k-1]`` (0 for the first)
    and restarts its own epoch count there, as PyTorch's ``SequentialLR``
    does. Warm-up then cosine annealing::

        warmup = LinearLR(opt, start_factor=0.1, total_iters=5)
        cosine = CosineAnnealingLR(opt, T_max=45)
        scheduler = SequentialLR(opt, [warmup, cosine], milestones=[5])

    Call ``step()`` on the ``SequentialLR`` only; the schedules inside are used
    as formulas.

    Parameters
    ----------
    optimizer : Optimizer
    schedulers : list of LRScheduler
        Built on the same optimizer.
    milestones : list of int
        Increasing epochs (>= 1) where the next schedule starts;
        ``len(milestones) == len(schedulers) - 1``.
    """

    def __init__(self, optimizer, schedulers, milestones):
        schedulers, milestones = list(schedulers), list(milestones)
        if not schedulers or len(milestones) != len(schedulers) - 1:
            raise ValueError(
                f"SequentialLR: expected one milestone fewer than schedulers, got "
                f"{len(schedulers)} schedulers and milestones {milestones}"
            )
        for k, scheduler in enumerate(schedulers):
            if not isinstance(scheduler, LRScheduler) or scheduler.optimizer is not optimizer:
                raise ValueError(
                    f"SequentialLR: schedulers[{k}] must be a scheduler of the same optimizer, "
                    f"got {scheduler!r}"
                )
        for k, milestone in enumerate(milestones):
            _count(self, f"milestones[{k}]", milestone)
            if k > 0 and milestone <= milestones[k - 1]:
                raise ValueError(f"SequentialLR: milestones must increase, got {milestones}")
        self.schedulers = schedulers
        self.milestones = [int(m) for m in milestones]
        super().__init__(optimizer)

    def _lr_at(self, epoch):
        k = bisect_right(self.milestones, epoch)
        start = self.milestones[k - 1] if k > 0 else 0
        return self.schedulers[k]._lr_at(epoch - start)

    def load_state_dict(self, state_dict):
        """Restore the progress saved by ``state_dict()``; the schedules inside share it."""
        super().load_state_dict(state_dict)
        for scheduler in self.schedulers:
            scheduler.base_lr = self.base_lr
        self._last_lr = float(self._lr_at(self.last_epoch))
