# Generated from book/08_optimizers.ipynb, book/eng_errors.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""The base class of the optimizers (chapter 8; its checks in appendix *How errors are designed*).

:class:`Optimizer` holds the parameters, the hyperparameters and the per-parameter
state, and runs the step; each rule of :mod:`nnbook.optim` supplies only its update,
as in ``torch.optim.optimizer``.
"""

__all__ = ['Optimizer']


# %% book/08_optimizers.ipynb cell-010
import weakref

import numpy as np

from nnbook.checks import check_state_dict, real_number


class Optimizer:
    """Base class of the optimizers: parameters, hyperparameters and per-parameter state.

    A subclass passes its hyperparameters to ``super().__init__`` and
    implements ``_validate(hyper)`` (check and convert them), ``_init_state(data)``
    (the buffers of one parameter) and ``_update(data, grad, state)`` (update one
    parameter in place). The base class skips parameters without a gradient,
    counts steps per parameter, and saves and restores the state.

    Parameters
    ----------
    params : iterable of Parameter
        Usually ``model.parameters()``; ``params[i].data`` is updated in place.
    **hyper
        The hyperparameters; each becomes an attribute (``optimizer.lr``, ...).

    Attributes
    ----------
    state : dict
        ``state[i]``: ``"step"`` (updates of ``params[i]``) and its buffers.
    initial_lr : float or None
        The learning rate before the first scheduler changed it.
    """

    _live = weakref.WeakSet()  # the optimizers in use: step() asks the others what they applied

    def __init__(self, params, **hyper):
        self.params = _check_parameters(params, type(self).__name__)
        self.defaults = self._validate(hyper)
        vars(self).update(self.defaults)
        self.state = {}
        self.initial_lr = None
        self._step_count = 0  # successful step() calls; schedulers check it
        self._applied = {}  # id(parameter) -> the gradient array this optimizer applied last
        Optimizer._live.add(self)

    # -- what a subclass provides
    def _validate(self, hyper):
        raise NotImplementedError

    def _init_state(self, data):
        return {}

    def _update(self, data, grad, state):
        raise NotImplementedError

    def _numbers(self, hyper, *keys, low=0, **bounds):
        """The hyperparameters ``keys`` as floats, each checked to lie in [low, ...)."""
        return {key: real_number(hyper[key], key, type(self).__name__, low=low, **bounds)
                for key in keys}

    # -- the public interface
    def zero_grad(self):
        """Set the gradient of every parameter to None (before the next backward pass)."""
        for p in self.params:
            p.zero_grad()

    def step(self):
        """Update, in place, every parameter that has a gradient (the others are skipped).

        Raises a ``RuntimeError`` if no parameter has a gradient, or if another
        optimizer already applied one of these gradients; nothing is updated then.
        """
        name = type(self).__name__
        todo = [i for i, p in enumerate(self.params) if p.grad is not None]
        # Another live optimizer that applied this very gradient array (it keeps it alive, so
        # `is` cannot be fooled by a recycled id): one dictionary lookup per optimizer.
        others = [o for o in Optimizer._live if o is not self]
        for i in todo:
            p = self.params[i]
            if p.grad.shape != p.data.shape or p.grad.dtype != p.data.dtype:
                raise ValueError(
                    f"{name}.step: params[{i}] has shape {p.data.shape} and dtype {p.data.dtype} "
                    f"but its gradient has shape {p.grad.shape} and dtype {p.grad.dtype}"
                )
            by = next((o for o in others if o._applied.get(id(p)) is p.grad), None)
            if by is not None:
                raise RuntimeError(
                    f"{name}.step: the gradient of params[{i}] (shape {p.data.shape}) was "
                    f"already applied by another optimizer ({type(by).__name__}): two optimizers "
                    "hold the same parameters, so every batch moves them twice. Use one optimizer "
                    "for model.parameters() (two only for disjoint parameter lists); to switch "
                    "optimizers, run a new backward pass before the new one's step()"
                )
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
            self.state[i]["step"] += 1
            self._update(p.data, p.grad, self.state[i])
            self._applied[id(p)] = p.grad
        self._step_count += 1

    def state_dict(self):
        """The hyperparameters and copies of the buffers, keyed ``"state.<i>.<buffer>"``.

        Numbers, tuples and arrays only: ``np.savez`` can write it, without pickle.
        """
        out = {key: getattr(self, key) for key in self.defaults}
        for i in sorted(self.state):
            for key, value in self.state[i].items():
                out[f"state.{i}.{key}"] = value if key == "step" else value.copy()
        return out

    def load_state_dict(self, state_dict):
        """Restore what :meth:`state_dict` saved (same parameters); a ValueError changes nothing."""
        who = f"{type(self).__name__}.load_state_dict"
        missing = [key for key in self.defaults if key not in state_dict]
        if missing:
            raise ValueError(f"{who}: missing keys {missing}")
        # values read back from an .npz file are arrays: make them Python numbers again
        hyper = self._validate({key: np.asarray(state_dict[key]).tolist() for key in self.defaults})
        old = {key: getattr(self, key) for key in self.defaults}
        vars(self).update(hyper)  # _init_state must see the new hyperparameters
        try:
            self.state = _check_optimizer_state(state_dict, self.params, self.defaults,
                                               self._init_state, who)
        except ValueError:
            vars(self).update(old)
            raise

    def __repr__(self):
        hyper = ", ".join(f"{key}={getattr(self, key)!r}" for key in self.defaults)
        return f"{type(self).__name__}({hyper})"


# %% book/eng_errors.ipynb cell-020
def _check_parameters(params, who):
    """Return ``params`` as a list of distinct Parameters, or raise a ValueError saying what it is.

    Parameters
    ----------
    params : iterable of Parameter
        What an optimizer was given, usually ``model.parameters()``.
    who : str
        The optimizer's name, for the message.
    """
    from nnbook.layers import Parameter  # here, so that this cell also runs on its own

    if isinstance(params, Parameter):
        raise ValueError(
            f"{who}: params must be an iterable of Parameters, got a single Parameter; "
            f"wrap it in a list: {who}([p], ...)"
        )
    try:
        params = list(params)
    except TypeError:
        raise ValueError(
            f"{who}: params must be an iterable of Parameters such as model.parameters(), "
            f"got {type(params).__name__}"
        ) from None
    if not params:
        raise ValueError(
            f"{who}: got an empty parameter list; pass model.parameters() of a model that has "
            "trainable parameters"
        )
    seen = {}
    for i, p in enumerate(params):
        if not isinstance(p, Parameter):
            raise ValueError(
                f"{who}: params[{i}] is a {type(p).__name__}, not a Parameter; pass "
                "model.parameters() (not the model or arrays)"
            )
        if id(p) in seen:
            raise ValueError(
                f"{who}: params[{i}] is the same Parameter as params[{seen[id(p)]}]; each "
                "parameter may appear only once (it would be updated twice per step)"
            )
        seen[id(p)] = i
    return params


def _check_optimizer_state(state_dict, params, hyper, init_state, who):
    """Check the buffers of a saved optimizer state against ``params``; return copies of them.

    Parameters
    ----------
    state_dict : dict
        As written by ``Optimizer.state_dict()``: hyperparameters, and
        ``"state.<i>.<buffer>"`` for the step count and buffers of ``params[i]``.
    params : list of Parameter
        The parameters of the optimizer that loads the state.
    hyper : collection of str
        The hyperparameter names (their values are checked by the optimizer).
    init_state : callable
        ``init_state(data)`` returns the buffers one parameter needs.
    who : str
        Named in the message (``"Adam.load_state_dict"``).

    Returns
    -------
    dict
        ``{i: {"step": int, buffer name: ndarray, ...}}``, the new ``Optimizer.state``.
    """
    found = {}
    for key, value in state_dict.items():
        if key in hyper:
            continue
        parts = key.split(".")
        if len(parts) != 3 or parts[0] != "state" or not parts[1].isdigit() \
                or int(parts[1]) >= len(params):
            raise ValueError(f"{who}: unexpected key {key!r}")
        found.setdefault(int(parts[1]), {})[parts[2]] = value
    state = {}
    for i, buffers in sorted(found.items()):
        expected = init_state(params[i].data)  # the buffers this optimizer needs, as templates
        if set(buffers) != {"step", *expected}:
            raise ValueError(
                f"{who}: params[{i}] has buffers {sorted(buffers)}, expected "
                f"{sorted(['step', *expected])} (were the hyperparameters the same?)"
            )
        # shapes and dtypes, with the check of a model's state dict (appendix eng_modules)
        check_state_dict({f"state.{i}.{key}": buffers[key] for key in expected},
                         {f"state.{i}.{key}": value for key, value in expected.items()}, who)
        state[i] = {"step": int(buffers["step"]), **{key: np.array(buffers[key]) for key in expected}}
    return state
