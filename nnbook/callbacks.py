# Generated from book/09_regularization.ipynb, book/10_training.ipynb, book/eng_training.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Callbacks: objects that watch a training run and may stop it (chapters 9 and 10).

``nnbook.train.fit`` calls three hooks on every callback: ``on_train_begin(model)``
once, ``on_epoch_end(epoch, logs, model)`` after each epoch (return True to
stop) and ``on_train_end(model)`` once at the end. :class:`Callback` documents
them. :class:`EarlyStopping` (chapter 9) stops when a monitored number stops
improving and restores the best weights; :class:`History` (chapter 10) records
every epoch's numbers and is what ``fit`` returns; :class:`LambdaCallback` and
:class:`ModelCheckpoint` come from the appendix *The machinery of the training
loop*. EarlyStopping and ModelCheckpoint share one rule for "better"
(``_Monitor``): ``mode="min"`` for losses and ``"max"`` for accuracy-like
numbers, inferred from the monitored name when not given (``_monitor_mode``).
"""

__all__ = ['Callback', 'EarlyStopping', 'History', 'LambdaCallback', 'ModelCheckpoint']


# %% book/09_regularization.ipynb cell-042
import math

import numpy as np

from nnbook.checks import positive_int, real_number


class Callback:
    """Base class of callbacks, with hooks that do nothing.

    ``nnbook.train.fit`` calls these methods on every callback that has them
    (a callback needs no base class; this one documents the protocol).
    """

    def on_train_begin(self, model):
        """Called once, before the first epoch."""

    def on_epoch_end(self, epoch, logs, model):
        """Called after each epoch (``epoch`` counts from 0) with that epoch's numbers.

        ``logs`` holds ``"loss"``, the metrics, and with validation data
        ``"val_loss"`` and ``"val_<metric>"`` (plus ``"lr"`` with a
        scheduler). Return True to stop training.
        """
        return False

    def on_train_end(self, model):
        """Called once after the last epoch, also after a stop requested by a callback."""


class _Monitor(Callback):
    """A callback that watches one logged number: the rule EarlyStopping and ModelCheckpoint share.

    ``best`` starts at :math:`+\\infty` (mode "min") or :math:`-\\infty` (mode
    "max"); a value *improves* on it if it is lower than ``best - min_delta``
    (or higher than ``best + min_delta``). NaN never improves. Without a
    ``mode``, it is "max" for a name that ends with an accuracy-like word
    (``"val_accuracy"``, ``"val_f1"``, ``"recall"``...) and "min" for a loss
    (``"val_loss"``, ``"mse"``...), so that a callback watching an accuracy does
    not keep the worst epoch; another name needs an explicit ``mode``, and a
    ``mode`` that contradicts the name is refused (``_monitor_mode``).
    """

    def __init__(self, monitor, mode, min_delta):
        who = type(self).__name__
        if not isinstance(monitor, str) or not monitor:
            raise ValueError(
                f"{who}: monitor must be the name of a logged value such as 'val_loss', "
                f"got {monitor!r}"
            )
        self.monitor = monitor
        self.mode = _monitor_mode(monitor, mode, who)   # built in eng_training
        self.min_delta = real_number(min_delta, "min_delta", who, low=0)
        self._reset_best()

    def _reset_best(self):
        self.best = math.inf if self.mode == "min" else -math.inf

    def _improves(self, value):
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def _number(self, value):
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ValueError(
                f"{type(self).__name__}: the monitored value must be a number, got {value!r}"
            ) from None

    def _read(self, logs, epoch):
        """The monitored number in one epoch's ``logs``; a clear error if it is missing."""
        if self.monitor not in logs:
            raise ValueError(
                f"{type(self).__name__}: monitor {self.monitor!r} is not in the logs of epoch "
                f"{epoch}; available keys: {sorted(logs)} (the 'val_' keys need validation "
                "data; or choose another monitor)"
            )
        return self._number(logs[self.monitor])


# %% book/09_regularization.ipynb cell-044
class EarlyStopping(_Monitor):
    """Stop training when a monitored metric stops improving, and restore the best weights.

    After every epoch, :meth:`step` records the monitored value. An
    *improvement* is a value below ``best - min_delta`` (``mode="min"``) or above
    ``best + min_delta`` (``mode="max"``), the rule of :class:`_Monitor`; it resets
    the counter :attr:`wait` and keeps a copy of ``model.state_dict()``. Otherwise :attr:`wait` grows by one,
    and when it reaches ``patience`` :meth:`step` returns True: stop. At the end,
    :meth:`on_train_end` loads the best state back into the model.

    The object is a :class:`Callback` for ``nnbook.train.fit`` (chapter 10),
    which calls ``on_train_begin(model)``, ``on_epoch_end(epoch, logs, model)``
    after each epoch (stopping when it returns True) and ``on_train_end(model)``;
    a hand-written loop can call the same methods.

    Parameters
    ----------
    monitor : str, default "val_loss"
        The key of the epoch's ``logs`` to watch.
    patience : int, default 5
        Number of epochs without improvement after which to stop (at least 1).
    min_delta : float, default 0.0
        Smallest change that counts as an improvement (:math:`\\ge 0`).
    mode : {"min", "max"}, optional
        "min" for losses, "max" for accuracies; by default inferred from
        ``monitor``: "max" if it names an accuracy, precision, recall, AUC or
        :math:`F_1` (``"val_accuracy"``, ``"f1"``...), "min" if it names a loss or
        an error (``"val_loss"``, ``"val_mse"``...). Any other name needs it;
        a mode that contradicts the name (``"min"`` for ``"val_accuracy"``) is a
        ValueError, since it would keep the worst epoch.
    restore_best : bool, default True
        Load the best weights into the model in :meth:`on_train_end`.

    Attributes
    ----------
    best : float
        The best value so far (``inf`` for "min" / ``-inf`` for "max" before the first).
    best_epoch : int or None
        The epoch of :attr:`best` (counted from 0).
    best_state : dict or None
        A copy of ``model.state_dict()`` (parameters and buffers) at the best epoch.
    stopped_epoch : int or None
        The epoch at which :meth:`step` first returned True; None if it never did.
    wait : int
        Epochs since the last improvement.

    Notes
    -----
    A NaN value never counts as an improvement. Reference: Prechelt (1998).

    Examples
    --------
    >>> stopper = EarlyStopping(patience=2)
    >>> [stopper.step(v, None) for v in [1.0, 0.8, 0.9, 0.85]]
    [False, False, False, True]
    >>> stopper.best, stopper.best_epoch, stopper.stopped_epoch
    (0.8, 1, 3)
    """

    def __init__(self, monitor="val_loss", patience=5, min_delta=0.0, mode=None,
                 restore_best=True):
        super().__init__(monitor, mode, min_delta)
        self.patience = positive_int(patience, "patience", "EarlyStopping")
        self.restore_best = bool(restore_best)
        self.reset()

    def reset(self):
        """Forget everything (called by :meth:`on_train_begin`)."""
        self._reset_best()
        self.best_epoch = None
        self.best_state = None
        self.stopped_epoch = None
        self.wait = 0
        self._next_epoch = 0

    def step(self, value, model, epoch=None):
        """Record one epoch's value; return True when training should stop.

        Parameters
        ----------
        value : float
            The monitored metric for this epoch.
        model : Module or None
            Its ``state_dict()`` is copied when ``value`` improves (None: only
            the values are tracked).
        epoch : int, optional
            The epoch number; by default one more than the previous call's
            (0 for the first call after :meth:`reset`).

        Returns
        -------
        bool
            True once ``patience`` consecutive epochs brought no improvement.
        """
        value = self._number(value)
        epoch = self._next_epoch if epoch is None else int(epoch)
        self._next_epoch = epoch + 1
        if self._improves(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if model is not None:
                self.best_state = model.state_dict()       # a copy
            return False
        self.wait += 1
        if self.wait >= self.patience:
            if self.stopped_epoch is None:
                self.stopped_epoch = epoch
            return True
        return False

    def on_train_begin(self, model):
        """Reset the state before training starts."""
        self.reset()

    def on_epoch_end(self, epoch, logs, model):
        """Call :meth:`step` with ``logs[monitor]``; return True to stop training.

        Raises
        ------
        ValueError
            If ``monitor`` is not a key of ``logs`` (the message lists the keys).
        """
        return self.step(self._read(logs, epoch), model, epoch=epoch)

    def on_train_end(self, model):
        """Load the best weights back into ``model`` if ``restore_best`` (and there were any)."""
        if self.restore_best and self.best_state is not None:
            model.load_state_dict(self.best_state)

    def __repr__(self):
        return (f"EarlyStopping(monitor={self.monitor!r}, patience={self.patience}, "
                f"min_delta={self.min_delta:g}, mode={self.mode!r}, "
                f"restore_best={self.restore_best})")


# %% book/10_training.ipynb cell-029
class History(Callback):
    """The per-epoch numbers of a training run (what :func:`~nnbook.train.fit` returns).

    Attributes
    ----------
    history : dict of list of float
        ``history["loss"][e]`` is the training loss of epoch ``e`` (from 0),
        and likewise for ``"val_loss"``, every metric, and ``"lr"``.
    epoch : list of int
        The epochs recorded, ``[0, 1, ...]``.
    params : dict
        ``epochs``, ``batch_size``, ``n_samples`` and ``steps`` (batches per epoch).
    stopped_epoch : int or None
        The epoch (counted from 0) after which a callback stopped training,
        or None if all epochs ran.

    Examples
    --------
    >>> h = History()
    >>> h.on_epoch_end(0, {"loss": 0.9}, None)
    False
    >>> h["loss"], len(h)
    ([0.9], 1)
    """

    def __init__(self):
        self.history = {}
        self.epoch = []
        self.params = {}
        self.stopped_epoch = None

    def on_epoch_end(self, epoch, logs, model):
        self.epoch.append(int(epoch))
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)
        return False

    def __getitem__(self, key):
        if key not in self.history:
            raise KeyError(f"History has no {key!r}; recorded: {list(self.history)}")
        return self.history[key]

    def __contains__(self, key):
        return key in self.history

    def keys(self):
        """The names recorded, e.g. ``['loss', 'accuracy', 'val_loss', 'val_accuracy']``."""
        return list(self.history)

    def __len__(self):
        return len(self.epoch)

    def __repr__(self):
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"


# %% book/eng_training.ipynb cell-004
from nnbook.metrics import METRIC_NAMES


def _check_callbacks(callbacks, who, logged=None):
    """The callbacks as a list; ``logged`` (the keys fit will log) is checked against every monitor."""
    if callbacks is None:
        return []
    if not isinstance(callbacks, (list, tuple)):
        callbacks = [callbacks]
    hooks = ("on_train_begin", "on_epoch_end", "on_train_end")
    for i, cb in enumerate(callbacks):
        if isinstance(cb, type):
            raise ValueError(
                f"{who}: callbacks[{i}] is the class {cb.__name__}, not an instance; "
                f"write {cb.__name__}(...)"
            )
        if not any(callable(getattr(cb, hook, None)) for hook in hooks):
            raise ValueError(
                f"{who}: callbacks[{i}] ({type(cb).__name__}) has none of the methods {list(hooks)}"
            )
        if any(other is cb for other in callbacks[:i]):
            raise ValueError(f"{who}: callbacks[{i}] ({type(cb).__name__}) is listed twice; it would "
                             "be called twice per epoch (an EarlyStopping would count double)")
        if logged is not None and isinstance(cb, _Monitor) and cb.monitor not in logged:
            hint = ("; pass validation_data=(X_val, y_val) for the 'val_' keys"
                    if cb.monitor.startswith("val_") and "val_loss" not in logged else
                    "; add the metric to metrics=[...]" if cb.monitor.removeprefix("val_") in METRIC_NAMES
                    else "")
            raise ValueError(f"{who}: callbacks[{i}] ({type(cb).__name__}) monitors {cb.monitor!r}, "
                             f"which this run does not log; it logs {sorted(logged)}{hint}")
    return list(callbacks)


# %% book/eng_training.ipynb cell-027
def _wants_stop(answer):
    """Only a boolean True (Python or NumPy) stops training; None, numbers and lists do not."""
    return isinstance(answer, (bool, np.bool_)) and bool(answer)


class LambdaCallback(Callback):
    """A callback made of functions, for one-off jobs (logging, plotting, a custom stop).

    Parameters
    ----------
    on_train_begin : callable, optional
        ``f(model)``.
    on_epoch_end : callable, optional
        ``f(epoch, logs, model)``; training stops if it returns True.
    on_train_end : callable, optional
        ``f(model)``.

    Examples
    --------
    >>> stop_below = LambdaCallback(on_epoch_end=lambda epoch, logs, model: logs["loss"] < 0.1)
    """

    def __init__(self, on_train_begin=None, on_epoch_end=None, on_train_end=None):
        for label, f in (("on_train_begin", on_train_begin), ("on_epoch_end", on_epoch_end),
                         ("on_train_end", on_train_end)):
            if f is not None and not callable(f):
                raise ValueError(f"LambdaCallback: {label} must be callable, got {type(f).__name__}")
        self._begin, self._epoch_end, self._end = on_train_begin, on_epoch_end, on_train_end

    def on_train_begin(self, model):
        if self._begin is not None:
            self._begin(model)

    def on_epoch_end(self, epoch, logs, model):
        if self._epoch_end is None:
            return False
        return _wants_stop(self._epoch_end(epoch, logs, model))

    def on_train_end(self, model):
        if self._end is not None:
            self._end(model)


# %% book/eng_training.ipynb cell-029
from pathlib import Path

from nnbook.checkpoint import save


class ModelCheckpoint(_Monitor):
    """Save the model with :func:`nnbook.checkpoint.save` whenever the monitored number improves.

    Parameters
    ----------
    path : str or path-like
        The ``.npz`` file, overwritten atomically at each save.
    monitor : str, default "val_loss"
        A key of the epoch's ``logs``.
    mode : {"min", "max"}, optional
        Whether smaller or larger is better; by default "max" for an
        accuracy-like name (``"val_accuracy"``, ``"val_f1"``...) and "min" for a
        loss (``"val_loss"``...); required for other names, and refused if it
        contradicts the name (see ``_monitor_mode``).
    save_best_only : bool, default True
        If False, save after every epoch.
    min_delta : float, default 0.0
        Smallest change that counts as an improvement.

    Attributes
    ----------
    best : float
        Best value seen so far (:math:`\\pm\\infty` before the first epoch).
    best_epoch : int or None
        The epoch (from 0) of that value: the file holds the weights after it.
    """

    def __init__(self, path, monitor="val_loss", mode=None, save_best_only=True, min_delta=0.0):
        super().__init__(monitor, mode, min_delta)
        self.path = Path(path)
        self.save_best_only = bool(save_best_only)
        self.best_epoch = None

    def on_train_begin(self, model):
        if not self.path.parent.is_dir() or self.path.is_dir():
            raise ValueError(
                f"ModelCheckpoint: cannot save to {str(self.path)!r}: "
                + ("it is a directory; give a file name such as 'best.npz'" if self.path.is_dir()
                   else f"the directory {str(self.path.parent)!r} does not exist")
            )
        self._reset_best()
        self.best_epoch = None

    def on_epoch_end(self, epoch, logs, model):
        value = self._read(logs, epoch)
        better = self._improves(value)
        if better:
            self.best, self.best_epoch = value, int(epoch)
        if better or not self.save_best_only:
            save(model, self.path)
        return False

    def __repr__(self):
        return (f"ModelCheckpoint({str(self.path)!r}, monitor={self.monitor!r}, "
                f"mode={self.mode!r}, save_best_only={self.save_best_only})")


# %% book/eng_training.ipynb cell-033
from nnbook.checks import one_of

#: Logged numbers for which larger (smaller) is better: names ending with one of these words.
_HIGHER_IS_BETTER = ("acc", "accuracy", "auc", "f1", "precision", "recall")
_LOWER_IS_BETTER = ("loss", "error", "mae", "mse")


def _monitor_mode(monitor, mode, who):
    """The mode, "min" or "max", of a callback watching ``monitor``.

    Inferred from the name when ``mode`` is None; an explicit ``mode`` that
    contradicts a recognised name, or no mode for a name that is not
    recognised, is a ValueError.
    """
    if mode is not None:
        one_of(mode, "mode", who, ("min", "max"))
    implied = ("max" if monitor.endswith(_HIGHER_IS_BETTER) else
               "min" if monitor.endswith(_LOWER_IS_BETTER) else None)
    if implied is None and mode is None:
        raise ValueError(
            f"{who}: cannot tell whether a larger or a smaller {monitor!r} is better; pass "
            "mode='max' (larger is better, like an accuracy) or mode='min' (like a loss)"
        )
    if implied is not None and mode not in (None, implied):
        better = "larger" if implied == "max" else "smaller"
        raise ValueError(
            f"{who}: mode={mode!r} contradicts monitor={monitor!r}: a {better} {monitor!r} is "
            f"better, so mode={mode!r} would keep the worst epoch; use mode={implied!r} or leave "
            "mode out"
        )
    return mode or implied
