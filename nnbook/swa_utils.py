# Generated from book/11_tuning.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Weight averaging (chapter *Tuning and stabilising training*), as ``torch.optim.swa_utils``.

:class:`AveragedModel` keeps a copy of a model whose parameters are an average
of the trained model's parameters over the steps at which
:meth:`~AveragedModel.update_parameters` was called: an exponential moving
average (EMA, Polyak averaging with a forgetting factor) with
:func:`get_ema_multi_avg_fn` or :func:`get_ema_avg_fn`, the plain running mean
of stochastic weight averaging (SWA) otherwise.
"""

__all__ = ['get_ema_multi_avg_fn', 'get_ema_avg_fn', 'AveragedModel']


# %% book/11_tuning.ipynb cell-040
import copy

import numpy as np

from nnbook.checks import real_number
from nnbook.layers import Module


def get_ema_multi_avg_fn(decay=0.999):
    """The EMA update for whole lists of arrays: :math:`\\bar w \\leftarrow \\beta \\bar w + (1-\\beta) w`.

    Parameters
    ----------
    decay : float, default 0.999
        :math:`\\beta \\in [0, 1]`; the average remembers about :math:`1/(1-\\beta)` steps.

    Returns
    -------
    callable
        ``ema_update(averaged_list, current_list, n_averaged)``, updating
        ``averaged_list`` in place (``n_averaged`` is unused, as in PyTorch).
    """
    decay = real_number(decay, "decay", "get_ema_multi_avg_fn", low=0, high=1)

    def ema_update(averaged, current, n_averaged):
        for avg, cur in zip(averaged, current):
            avg += (1.0 - decay) * (cur - avg)         # torch.lerp(avg, cur, 1 - decay)
    return ema_update


def get_ema_avg_fn(decay=0.999):
    """The EMA update for one array: returns :math:`\\beta \\bar w + (1-\\beta) w` (a new array).

    Parameters
    ----------
    decay : float, default 0.999
        :math:`\\beta \\in [0, 1]`.
    """
    decay = real_number(decay, "decay", "get_ema_avg_fn", low=0, high=1)

    def ema_update(averaged, current, n_averaged):
        return decay * averaged + (1.0 - decay) * current
    return ema_update


class AveragedModel(Module):
    """A copy of ``model`` whose parameters average those of ``model`` over training.

    The first :meth:`update_parameters` copies the model's parameters; every
    later one folds them into the average. Without ``avg_fn`` and
    ``multi_avg_fn`` the average is the running mean of all the copies (SWA),
    :math:`\\bar w_{n+1} = \\bar w_n + (w - \\bar w_n)/(n+1)`; with
    ``multi_avg_fn=get_ema_multi_avg_fn(decay)`` it is the EMA. As in PyTorch,
    the buffers (batch-normalization statistics) are copied from ``model`` at
    every update unless ``use_buffers=True``, which averages the floating-point
    ones too (integer buffers such as ``num_batches_tracked`` are copied; PyTorch
    averages and truncates them).

    Parameters
    ----------
    model : Module
        The model being trained; it is deep-copied, not changed.
    multi_avg_fn : callable, optional
        ``f(averaged_list, current_list, n_averaged)`` updating in place.
    avg_fn : callable, optional
        ``f(averaged, current, n_averaged) -> new averaged`` for one array.
    use_buffers : bool, default False

    Attributes
    ----------
    module : Module
        The averaged copy; ``averaged(x)`` runs it.
    n_averaged : ndarray
        0-d int64 buffer: how many times :meth:`update_parameters` was called.

    Examples
    --------
    >>> from nnbook.layers import Linear
    >>> model = Linear(2, 1, rng=0)
    >>> model.bias.data[:] = 0.0
    >>> ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.9))
    >>> ema.update_parameters(model)                     # the first call copies
    >>> model.bias.data[:] = 1.0
    >>> ema.update_parameters(model)                     # 0.9 * 0 + 0.1 * 1
    >>> round(float(ema.module.bias.data[0]), 12), int(ema.n_averaged)
    (0.1, 2)
    """

    def __init__(self, model, multi_avg_fn=None, avg_fn=None, use_buffers=False):
        super().__init__()
        if not isinstance(model, Module):
            raise TypeError(f"AveragedModel: model must be a Module, got {type(model).__name__}")
        for name, fn in (("multi_avg_fn", multi_avg_fn), ("avg_fn", avg_fn)):
            if fn is not None and not callable(fn):
                raise TypeError(f"AveragedModel: {name} must be a function such as "
                                f"get_ema_multi_avg_fn(0.999), got {fn!r}")
        self.module = copy.deepcopy(model)
        self.multi_avg_fn, self.avg_fn, self.use_buffers = multi_avg_fn, avg_fn, bool(use_buffers)
        self.register_buffer("n_averaged", np.array(0, dtype=np.int64))

    def forward(self, x):
        return self.module(x)

    def backward(self, grad_out, input_grad=True):
        return self.module.backward(grad_out, input_grad=input_grad)

    def _arrays(self, model):
        arrays = [p.data for p in model.parameters()]
        if self.use_buffers:
            arrays += [b for _, b in model.named_buffers() if np.asarray(b).dtype.kind == "f"]
        return arrays

    def update_parameters(self, model):
        """Fold the current parameters of ``model`` (same architecture) into the average."""
        mine, theirs = self._arrays(self.module), self._arrays(model)
        if len(mine) != len(theirs) or any(a.shape != b.shape for a, b in zip(mine, theirs)):
            raise ValueError("AveragedModel.update_parameters: the model does not have the "
                             "architecture of the averaged copy; pass the model it was built from")
        if self.n_averaged == 0:
            for avg, cur in zip(mine, theirs):
                avg[...] = cur
        elif self.multi_avg_fn is not None or self.avg_fn is None:
            fn = self.multi_avg_fn or _swa_multi_avg
            fn(mine, theirs, self.n_averaged)
        else:
            for avg, cur in zip(mine, theirs):
                avg[...] = self.avg_fn(avg, cur, self.n_averaged)
        own = dict(self.module.named_buffers())
        for name, buffer in model.named_buffers():       # copy what is not averaged
            if not self.use_buffers or np.asarray(buffer).dtype.kind != "f":
                np.copyto(own[name], buffer)
        self.n_averaged += 1


def _swa_multi_avg(averaged, current, n_averaged):
    """The running mean of SWA: :math:`\\bar w \\leftarrow \\bar w + (w - \\bar w)/(n + 1)`."""
    for avg, cur in zip(averaged, current):
        avg += (cur - avg) / (float(n_averaged) + 1.0)
