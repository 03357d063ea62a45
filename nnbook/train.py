# Generated from book/10_training.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Training: the loop of chapters 5 to 9, written once (chapter 10, *Training*).

:func:`fit` trains a model on minibatches: training mode, ``zero_grad``,
forward, loss, backward, ``step`` for every batch; then, once per epoch, the
validation loss and metrics in evaluation mode, the learning-rate schedule and
the callbacks. It returns a :class:`History` of the per-epoch numbers, and it
stops with a ``RuntimeError`` naming the epoch and batch as soon as the loss
stops being a finite number. :func:`evaluate` and :func:`predict` run a model
in evaluation mode, batch by batch, and restore the mode it was in.

Callbacks are duck-typed: any object with some of the methods
``on_train_begin(model)``, ``on_epoch_end(epoch, logs, model) -> bool``
(return True to stop) and ``on_train_end(model)``, such as
:class:`History`, :class:`LambdaCallback`, :class:`ModelCheckpoint` and
:class:`nnbook.regularization.EarlyStopping`.

:func:`save` writes a model's ``state_dict`` to an ``.npz`` file atomically;
:func:`load` reads it back without unpickling anything and checks every key,
shape and dtype. :func:`plot_history` and :func:`plot_decision_boundary` draw
the usual figures (matplotlib is imported only when they are called). The
metrics live in :mod:`nnbook.metrics`.
"""

__all__ = ['predict', 'METRIC_NAMES', 'evaluate', 'Callback', 'History', 'LambdaCallback', 'fit', 'plot_history', 'plot_decision_boundary', 'save', 'load', 'ModelCheckpoint']


# %% book/10_training.ipynb cell-025
import math
import os
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np

from nnbook.data import DataLoader
from nnbook.checks import check_input
from nnbook.losses import BCELoss, BCEWithLogitsLoss
from nnbook.metrics import accuracy, precision_recall_f1


# %% book/10_training.ipynb cell-027
def _positive_int(value, label, who):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{who}: {label} must be a positive integer, got {value!r}")
    return int(value)


def _check_xy(X, y, who, names=("X", "y")):
    """Validate a dataset: X a finite floating array, y numeric and finite, same number of samples."""
    x_name, y_name = names
    X = check_input(X, f"{who}: {x_name}")
    y = np.asarray(y)
    if y.dtype.kind not in "biuf":  # booleans, integers or floats; not complex, text, objects
        raise ValueError(
            f"{who}: {y_name} must be a numeric array of real numbers, got dtype {y.dtype}"
        )
    if y.ndim == 0 or y.shape[0] != X.shape[0]:
        raise ValueError(
            f"{who}: {x_name} and {y_name} must have the same number of samples, got "
            f"{x_name} of shape {X.shape} and {y_name} of shape {y.shape}"
        )
    if np.issubdtype(y.dtype, np.floating) and not np.isfinite(y).all():
        raise ValueError(f"{who}: {y_name} of shape {y.shape} contains NaN or infinite values")
    return X, y


def _walk(module):
    """The module and all its sub-modules, depth first."""
    yield module
    children = getattr(module, "children", None)
    if callable(children):
        for child in children():
            yield from _walk(child)


class _ModeGuard:
    """Context manager: ``model.train(training)`` inside; every sub-module's previous mode after."""

    def __init__(self, model, training=False):
        self.model = model
        self.training = training

    def __enter__(self):
        self.saved = [(m, m.training) for m in _walk(self.model) if hasattr(m, "training")]
        self.model.train(self.training)
        return self.model

    def __exit__(self, *exc):
        for module, flag in self.saved:
            module.training = flag
        return False


def _batches(X, batch_size):
    for start in range(0, X.shape[0], batch_size):
        yield X[start:start + batch_size]


def _concat(parts):
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


# %% book/10_training.ipynb cell-029
def predict(model, X, *, batch_size=512):
    """The model's outputs for ``X``, computed in evaluation mode, batch by batch.

    Parameters
    ----------
    model : Module
        The trained model.
    X : ndarray, shape (n, ...)
        Finite floating-point inputs, with the model's dtype.
    batch_size : int, default 512
        Rows per forward pass (bounds the memory of the intermediate
        activations; in evaluation mode the result does not depend on it,
        up to floating-point rounding).

    Returns
    -------
    ndarray, shape (n, ...)
        The outputs of all batches, concatenated, in the dtype the model
        produces (float32 stays float32).

    Notes
    -----
    The model is switched to evaluation mode (dropout off, batch
    normalization with its running statistics) and afterwards every
    sub-module gets back the mode it had before, even if a forward pass
    raises.
    """
    X = check_input(X, "predict: X")
    batch_size = _positive_int(batch_size, "batch_size", "predict")
    with _ModeGuard(model):
        return _concat([model(xb) for xb in _batches(X, batch_size)])


def _metric_callable(name, loss_fn):
    """A named metric, as a function ``f(y_true, outputs)``."""
    # One output column is a binary classifier: its threshold follows from the loss.
    threshold = None
    if isinstance(loss_fn, BCEWithLogitsLoss):
        threshold = 0.0              # logits: class 1 when z > 0
    elif isinstance(loss_fn, BCELoss):
        threshold = 0.5              # probabilities: class 1 when p > 0.5

    def metric(y_true, outputs):
        single = outputs.ndim == 1 or outputs.shape[1] == 1
        t = threshold if single else None
        if name == "accuracy":
            return accuracy(y_true, outputs, threshold=t)
        p, r, f = precision_recall_f1(y_true, outputs, average="macro", threshold=t)
        return {"precision": p, "recall": r, "f1": f}[name]

    metric.__name__ = name
    return metric


METRIC_NAMES = ("accuracy", "precision", "recall", "f1")


def _resolve_metrics(metrics, loss_fn, who):
    """``{name: f(y_true, outputs)}`` from names, callables or a dict of them."""
    if metrics is None:
        return {}
    if isinstance(metrics, str) or callable(metrics):
        metrics = (metrics,)
    items = metrics.items() if isinstance(metrics, dict) else ((None, m) for m in metrics)
    resolved = {}
    for name, metric in items:
        if isinstance(metric, str):
            if metric not in METRIC_NAMES:
                raise ValueError(
                    f"{who}: unknown metric {metric!r}; use one of {list(METRIC_NAMES)} or a "
                    "function f(y_true, outputs) returning a number"
                )
            name = name or metric
            metric = _metric_callable(metric, loss_fn)
        elif callable(metric):
            name = name or getattr(metric, "__name__", None)
            if not name or name == "<lambda>":
                raise ValueError(
                    f"{who}: the metric {metric!r} has no usable name; pass a dict such as "
                    "metrics={'my_metric': f}"
                )
        else:
            raise ValueError(
                f"{who}: a metric must be a name ({list(METRIC_NAMES)}) or a function "
                f"f(y_true, outputs), got {type(metric).__name__}"
            )
        if name in ("loss", "lr") or name.startswith("val_") or name in resolved:
            raise ValueError(f"{who}: metric name {name!r} is reserved or used twice")
        resolved[name] = metric
    return resolved


def _compute_metrics(metric_fns, y_true, outputs, prefix=""):
    logs = {}
    for name, metric in metric_fns.items():
        logs[prefix + name] = float(metric(y_true, outputs))
    return logs


def evaluate(model, loss_fn, X, y, *, batch_size=512, metrics=()):
    """Loss and metrics of a model on a dataset, in evaluation mode.

    Parameters
    ----------
    model : Module
    loss_fn : Loss
        E.g. :class:`nnbook.losses.CrossEntropyLoss`; called once on the
        outputs of the whole dataset, so the result is the loss of the whole
        set, whatever ``batch_size``.
    X : ndarray, shape (n, ...)
        Inputs.
    y : ndarray, shape (n, ...)
        Targets, as ``loss_fn`` expects them.
    batch_size : int, default 512
        Rows per forward pass.
    metrics : sequence or dict, optional
        Names (``"accuracy"``, ``"precision"``, ``"recall"``, ``"f1"``; the
        last three macro-averaged) or functions ``f(y_true, outputs)``
        returning a number; a dict ``{name: metric}`` names them. With a
        single output column the class is ``output > 0`` for
        :class:`~nnbook.losses.BCEWithLogitsLoss` and ``output > 0.5`` for
        :class:`~nnbook.losses.BCELoss`.

    Returns
    -------
    dict
        ``{"loss": ..., "accuracy": ..., ...}``, Python floats.

    Notes
    -----
    Every sub-module gets back the mode (training or evaluation) it had.
    """
    X, y = _check_xy(X, y, "evaluate")
    batch_size = _positive_int(batch_size, "batch_size", "evaluate")
    metric_fns = _resolve_metrics(metrics, loss_fn, "evaluate")
    outputs = predict(model, X, batch_size=batch_size)
    logs = {"loss": float(loss_fn(outputs, y))}
    logs.update(_compute_metrics(metric_fns, y, outputs))
    return logs


# %% book/10_training.ipynb cell-031
class Callback:
    """Base class of callbacks, with hooks that do nothing.

    :func:`fit` calls these methods on every callback that has them (a
    callback needs no base class; this one only documents the protocol).
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


class History(Callback):
    """The per-epoch numbers of a training run (what :func:`fit` returns).

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


def _wants_stop(answer):
    """Only a boolean True (Python or NumPy) stops training; None, numbers and lists do not."""
    return isinstance(answer, (bool, np.bool_)) and bool(answer)


# %% book/10_training.ipynb cell-033
_ADVICE = (
    "Try a smaller learning rate; standardise the inputs (nnbook.data.StandardScaler); "
    "check the data for NaN, infinite or huge values; and prefer a fused loss on raw "
    "scores (CrossEntropyLoss on logits, BCEWithLogitsLoss) to a Softmax or Sigmoid "
    "layer followed by a log."
)


def _divergence(what, where, lr, detail="", note=""):
    """The RuntimeError that stops fit when the numbers stop being finite."""
    rate = f", learning rate {lr:g}" if isinstance(lr, float) else ""
    return RuntimeError(f"fit: {what} at {where}{rate}{detail}. Training stopped{note}. {_ADVICE}")


def _train_one_epoch(model, loss_fn, optimizer, batches, where, keep_outputs):
    """Steps (3) to (8) for every batch of one epoch.

    Returns the sum of the batch losses, each weighted by its batch size
    for a mean-reduced loss, and (if ``keep_outputs``) the outputs and
    targets of the batches. ``where(batch)`` names the position for errors.
    """
    lr = getattr(optimizer, "lr", None)
    weighted = getattr(loss_fn, "reduction", "mean") == "mean"
    untouched = " before this batch changed the weights"
    total, outputs_seen, targets_seen = 0.0, [], []
    # Overflow or 0/0 anywhere in a step raises at once instead of spreading NaN.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for batch, (xb, yb) in enumerate(batches, start=1):
            stage = "the forward pass"
            try:
                optimizer.zero_grad()                                   # (3)
                outputs = model(xb)                                     # (4)
                stage = "the loss"
                loss = float(loss_fn(outputs, yb))
                if not math.isfinite(loss):                             # (5)
                    raise _divergence(f"the training loss is {loss}", where(batch), lr,
                                      note=untouched)
                stage = "the backward pass"
                model.backward(loss_fn.backward())                      # (6)
                stage = "the optimizer step"
                optimizer.step()                                        # (7)
            except FloatingPointError as exc:
                note = (" (this step may have updated some weights)"
                        if stage == "the optimizer step" else untouched)
                raise _divergence("the numbers diverged", where(batch), lr,
                                  f" ({exc}, in {stage})", note) from exc
            total += loss * xb.shape[0] if weighted else loss           # (8)
            if keep_outputs:
                outputs_seen.append(np.array(outputs, copy=True))
                targets_seen.append(yb)
    return total, outputs_seen, targets_seen


def _validate(model, loss_fn, X_val, y_val, where, lr):
    """Step (10): outputs and loss on the validation set, in evaluation mode."""
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            outputs = predict(model, X_val)
            loss = float(loss_fn(outputs, y_val))
    except FloatingPointError as exc:
        raise _divergence("the numbers diverged", where, lr, f" ({exc})") from exc
    if not math.isfinite(loss):
        raise _divergence(f"the validation loss is {loss}", where, lr)
    return outputs, loss


# %% book/10_training.ipynb cell-035
def _check_callbacks(callbacks, who):
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
    return list(callbacks)


def _check_parts(model, loss_fn, optimizer, scheduler, who):
    for label, obj, needed in (("model", model, ("__call__", "backward", "train", "parameters")),
                               ("loss_fn", loss_fn, ("__call__", "backward")),
                               ("optimizer", optimizer, ("step", "zero_grad"))):
        if isinstance(obj, type):
            raise ValueError(
                f"{who}: {label} is the class {obj.__name__}, not an instance; write {obj.__name__}(...)"
            )
        missing = [name for name in needed if not callable(getattr(obj, name, None))]
        if missing:
            raise ValueError(
                f"{who}: {label} must have the methods {list(needed)}; the "
                f"{type(obj).__name__} given lacks {missing}"
            )
    params = getattr(optimizer, "params", None)
    if params is not None:
        held = {id(p) for p in params}
        if not any(id(p) in held for p in model.parameters()):
            raise ValueError(
                f"{who}: the optimizer holds none of the model's parameters; create it with "
                "optimizer = SGD(model.parameters(), ...) after building this model"
            )
    if scheduler is not None:
        if not callable(getattr(scheduler, "step", None)):
            raise ValueError(f"{who}: scheduler must have a step() method, got {type(scheduler).__name__}")
        if getattr(scheduler, "optimizer", optimizer) is not optimizer:
            raise ValueError(f"{who}: the scheduler was created for a different optimizer")


def _format_logs(epoch, epochs, logs):
    parts = [f"epoch {epoch + 1}/{epochs}"]
    for key, value in logs.items():
        if key == "lr":
            parts.append(f"lr {value:.3g}")
        elif key.endswith("loss"):
            parts.append(f"{key} {value:.4f}")
        else:
            parts.append(f"{key} {value:.3f}")
    return "  ".join(parts)


def _progress(iterable, total, desc, enabled):
    """Wrap ``iterable`` in a tqdm bar if asked for and tqdm is installed."""
    if not enabled:
        return iterable
    try:
        from tqdm import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, total=total, desc=desc, leave=False)


# %% book/10_training.ipynb cell-037
def fit(model, loss_fn, optimizer, X, y, *, epochs, batch_size=32, validation_data=None,
        metrics=(), callbacks=(), scheduler=None, shuffle=True, rng=None, verbose=0,
        progress=False):
    """Train ``model`` on ``(X, y)`` with minibatch gradient descent.

    For each epoch: training mode; for every minibatch of a
    :class:`~nnbook.data.DataLoader`, ``optimizer.zero_grad()``, forward,
    loss, ``model.backward(loss_fn.backward())``, ``optimizer.step()``; then
    the validation loss and metrics in evaluation mode; then
    ``scheduler.step()``; then the callbacks.

    Parameters
    ----------
    model : Module
        Trained in place.
    loss_fn : Loss
        E.g. :class:`~nnbook.losses.CrossEntropyLoss` or
        :class:`~nnbook.losses.BCEWithLogitsLoss`.
    optimizer : Optimizer
        Created from ``model.parameters()``.
    X : ndarray, shape (n, ...)
        Finite floating-point inputs, with the model's dtype.
    y : ndarray, shape (n, ...)
        Targets, as ``loss_fn`` expects them.
    epochs : int
        Number of passes over the data (fewer if a callback stops training).
    batch_size : int, default 32
        Samples per minibatch; the last batch of an epoch may be smaller.
    validation_data : tuple (X_val, y_val), optional
        Evaluated after every epoch, in evaluation mode: adds ``"val_loss"``
        and ``"val_<metric>"`` to the logs.
    metrics : sequence or dict, optional
        As in :func:`evaluate`. Training metrics are computed from the outputs
        of the training batches as they were produced (in training mode,
        while the weights changed), as in Keras.
    callbacks : sequence, optional
        Objects with any of ``on_train_begin(model)``,
        ``on_epoch_end(epoch, logs, model)`` (``epoch`` from 0; return True
        to stop) and ``on_train_end(model)``, e.g.
        :class:`nnbook.regularization.EarlyStopping`, :class:`ModelCheckpoint`,
        :class:`LambdaCallback`. They are called in order, after the returned
        :class:`History` has recorded the epoch.
    scheduler : LRScheduler, optional
        Stepped once per epoch, after that epoch's optimizer steps; the
        learning rate used during each epoch is recorded as ``"lr"``.
    shuffle : bool, default True
        Visit the training samples in a new random order every epoch.
    rng : numpy.random.Generator or int, optional
        Source of the shuffling: the same seed (and the same initial weights)
        gives bit-identical results.
    verbose : int, default 0
        0 prints nothing; :math:`k \\ge 1` prints one line every :math:`k`
        epochs and after the last, e.g.
        ``epoch 3/20  loss 0.4123  val_loss 0.4410  val_accuracy 0.912``.
    progress : bool, default False
        Show a progress bar over the batches of each epoch if ``tqdm`` is
        installed (nothing otherwise).

    Returns
    -------
    History
        ``history["loss"]`` (the mean training loss of each epoch, weighted
        by batch size, i.e. the loss over the epoch's samples), the metrics,
        ``"val_..."`` and ``"lr"``, one entry per epoch run.

    Raises
    ------
    ValueError
        For inconsistent inputs (sizes of ``X`` and ``y``, NaN or infinity
        in the data, ``epochs`` or ``batch_size`` not positive integers,
        unknown metric names, a class instead of an instance, an optimizer
        that does not hold the model's parameters).
    RuntimeError
        As soon as the training loss is NaN or infinite, or an arithmetic
        overflow or invalid operation happens in a forward pass, backward
        pass or update (numbers that would become NaN). The message names
        the epoch and the batch, both counted from 1, and suggests what to
        try. A non-finite loss is caught before its backward pass, so the
        weights keep the values of the last good step.

    Notes
    -----
    The model's training/evaluation mode, per sub-module, is restored when
    ``fit`` returns or raises. If ``fit`` raises, ``on_train_end`` is not
    called (an early-stopping callback does not restore its best weights).
    """
    who = "fit"
    X, y = _check_xy(X, y, who)
    epochs = _positive_int(epochs, "epochs", who)
    batch_size = _positive_int(batch_size, "batch_size", who)
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError(f"{who}: validation_data must be a tuple (X_val, y_val)")
        X_val, y_val = _check_xy(*validation_data, who, names=("X_val", "y_val"))
    if isinstance(verbose, bool) or not isinstance(verbose, (int, np.integer)) or verbose < 0:
        raise ValueError(f"{who}: verbose must be an integer >= 0, got {verbose!r}")
    _check_parts(model, loss_fn, optimizer, scheduler, who)
    metric_fns = _resolve_metrics(metrics, loss_fn, who)
    callbacks = _check_callbacks(callbacks, who)

    loader = DataLoader(X, y, batch_size=batch_size, shuffle=shuffle, rng=rng)  # (1)
    n_batches = len(loader)
    history = History()
    history.params = {"epochs": epochs, "batch_size": batch_size, "n_samples": X.shape[0],
                      "steps": n_batches}
    everyone = [history, *callbacks]
    mean_loss = getattr(loss_fn, "reduction", "mean") == "mean"

    with _ModeGuard(model, training=True):          # every sub-module's mode comes back at the end
        for cb in everyone:
            if callable(getattr(cb, "on_train_begin", None)):
                cb.on_train_begin(model)
        for epoch in range(epochs):
            model.train()                                                       # (2)
            lr = getattr(optimizer, "lr", None)         # the rate used during this epoch

            def where(batch, epoch=epoch):
                return f"epoch {epoch + 1}/{epochs}, batch {batch}/{n_batches} (counting from 1)"

            batches = _progress(loader, n_batches, f"epoch {epoch + 1}/{epochs}", progress)
            total, outputs, targets = _train_one_epoch(model, loss_fn, optimizer, batches,
                                                       where, keep_outputs=bool(metric_fns))
            logs = {"loss": total / X.shape[0] if mean_loss else total}         # (8)
            if metric_fns:
                logs.update(_compute_metrics(metric_fns, _concat(targets), _concat(outputs)))
            if validation_data is not None:                                     # (10)
                val_outputs, logs["val_loss"] = _validate(
                    model, loss_fn, X_val, y_val,
                    f"the validation after epoch {epoch + 1}/{epochs} (counting from 1)", lr)
                logs.update(_compute_metrics(metric_fns, y_val, val_outputs, "val_"))
            if scheduler is not None:
                if isinstance(lr, (int, float)):
                    logs["lr"] = lr
                scheduler.step()                                                # (9)
            stop_by = [type(cb).__name__ for cb in everyone
                       if callable(getattr(cb, "on_epoch_end", None))
                       and _wants_stop(cb.on_epoch_end(epoch, logs, model))]
            if verbose and ((epoch + 1) % verbose == 0 or stop_by or epoch == epochs - 1):
                print(_format_logs(epoch, epochs, logs))
            if stop_by:
                history.stopped_epoch = epoch
                if verbose:
                    print(f"stopped by {', '.join(stop_by)} after epoch {epoch + 1}")
                break
        for cb in everyone:
            if callable(getattr(cb, "on_train_end", None)):
                cb.on_train_end(model)
    return history


# %% book/10_training.ipynb cell-039
def plot_history(history, keys=None, ax=None, *, title="Training history", logy=False):
    """Plot per-epoch numbers of a :class:`History` against the epoch.

    Parameters
    ----------
    history : History or dict of list
        What :func:`fit` returned (or its ``.history`` dict).
    keys : sequence of str, optional
        What to plot; by default ``("loss", "val_loss")``, whichever were recorded.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    title : str, default "Training history"
    logy : bool, default False
        Logarithmic vertical axis.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    data = history.history if isinstance(history, History) else dict(history)
    if keys is None:
        keys = [k for k in ("loss", "val_loss") if k in data]
    elif isinstance(keys, str):
        keys = [keys]
    missing = [k for k in keys if k not in data]
    if missing or not keys:
        raise ValueError(f"plot_history: {missing or 'nothing'} to plot; recorded: {list(data)}")
    if ax is None:
        ax = plt.subplots()[1]
    for key in keys:
        values = np.asarray(data[key], dtype=float)
        ax.plot(np.arange(1, values.size + 1), values, label=key, linestyle="--" if key.startswith("val_") else "-")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss" if all(k.endswith("loss") for k in keys) else "value")
    ax.set_title(title)
    ax.legend()
    return ax


def plot_decision_boundary(model, X, y, ax=None, *, threshold=None, resolution=200,
                           title="Decision regions"):
    """Colour the plane by the class a model predicts, and overlay the data.

    Parameters
    ----------
    model : Module
        A classifier of two-dimensional inputs, evaluated with :func:`predict`.
    X : ndarray, shape (n, 2)
        The data points (also fixes the plotted area, with a margin of 0.5).
    y : array_like of int, shape (n,)
        Their classes (the colours of the points).
    ax : matplotlib Axes, optional
    threshold : float, optional
        For a model with one output column: the class is ``output > threshold``
        (0.0 for logits, 0.5 for probabilities). With :math:`C \\ge 2`
        outputs the class is the argmax.
    resolution : int, default 200
        Grid points per axis.
    title : str, default "Decision regions"

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    X = check_input(X, "plot_decision_boundary: X", ndim=2, features=2)
    y = np.asarray(y).reshape(-1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"plot_decision_boundary: X has shape {X.shape} but y has shape {y.shape}")
    resolution = _positive_int(resolution, "resolution", "plot_decision_boundary")
    lo, hi = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.column_stack([g0.ravel(), g1.ravel()]).astype(X.dtype)
    scores = predict(model, grid)
    if scores.ndim == 2 and scores.shape[1] > 1:
        classes = scores.argmax(axis=1)
    elif threshold is None:
        raise ValueError(
            "plot_decision_boundary: the model has one output column; pass threshold=0.0 "
            "for logits or threshold=0.5 for probabilities"
        )
    else:
        classes = (scores.reshape(-1) > threshold).astype(int)
    n_classes = int(max(classes.max(), y.max())) + 1
    if ax is None:
        ax = plt.subplots()[1]
    levels = np.arange(n_classes + 1) - 0.5
    ax.contourf(g0, g1, classes.reshape(g0.shape), levels=levels, cmap="viridis", alpha=0.3)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="viridis", vmin=0, vmax=max(n_classes - 1, 1),
               edgecolors="k", linewidths=0.4, s=14)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
    ax.set_aspect("equal")
    return ax


# %% book/10_training.ipynb cell-055
def _default_mode():
    """The permission bits a new file gets under the current umask (0o666 & ~umask)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def save(model, path):
    """Write ``model.state_dict()`` to an ``.npz`` file, atomically.

    The arrays are written, uncompressed and without pickling, to a
    temporary file in the same directory, flushed to disk (``fsync``), and
    only then renamed over ``path`` with ``os.replace``. A reader therefore
    sees either the old file or the complete new one, never a half-written
    file, even if the program is killed; and if writing fails the temporary
    file is removed and ``path`` is untouched.

    Parameters
    ----------
    model : Module
        Anything with a ``state_dict()`` returning ``{name: array}``.
    path : str or path-like
        The destination, used exactly as given (no suffix is added; ``.npz``
        is the convention). Its directory must exist.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        If a value of the state dict is not a numeric array (an object
        array would need pickle).
    FileNotFoundError
        If the directory does not exist.

    Notes
    -----
    The file is an ordinary NumPy archive, ``np.load(path)["0.weight"]``
    reads one array; its members are the keys of the state dict.
    """
    path = Path(path)
    directory = path.parent
    if not directory.is_dir():
        raise FileNotFoundError(f"save: the directory {str(directory)!r} of {str(path)!r} does not exist")
    state = model.state_dict()
    arrays = {}
    for key, value in state.items():
        array = np.asarray(value)
        if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
            raise ValueError(
                f"save: state_dict entry {key!r} has dtype {array.dtype}; only numeric arrays "
                "can be saved (no pickled objects)"
            )
        arrays[key] = array
    mode = path.stat().st_mode & 0o777 if path.exists() else _default_mode()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
                for key, array in arrays.items():          # what np.savez does, minus pickle
                    with archive.open(key + ".npy", mode="w", force_zip64=True) as member:
                        np.lib.format.write_array(member, array, allow_pickle=False)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:   # make the rename itself durable (POSIX; not possible on every platform)
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return path
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
    return path


def load(model, path):
    """Load weights saved by :func:`save` into ``model``, in place.

    The file is read with ``np.load(path, allow_pickle=False)``: a checkpoint
    holds arrays, and an array stored as a pickle is refused, because
    unpickling can run arbitrary code. The keys, shapes and dtypes are then
    checked by ``model.load_state_dict``, which changes nothing unless all of
    them match.

    Parameters
    ----------
    model : Module
        A model with the same architecture and dtype as the saved one.
    path : str or path-like
        An ``.npz`` file written by :func:`save` (or ``np.savez``).

    Returns
    -------
    Module
        ``model``, so that ``model = load(make_model(), path)`` works.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    IsADirectoryError
        If ``path`` is a directory.
    ValueError
        Naming the file: if it is not an ``.npz`` archive, is truncated or
        damaged, holds pickled objects, or does not fit the model (a missing
        or unexpected key, a different shape or dtype; the message names the key).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"load: no checkpoint at {str(path)!r}")
    if path.is_dir():
        raise IsADirectoryError(
            f"load: {str(path)!r} is a directory; pass the .npz file that save() wrote"
        )
    name = repr(str(path))
    with open(path, "rb") as file:           # our own handle: closed whatever happens
        try:
            archive = np.load(file, allow_pickle=False)
        except ValueError:
            # Neither a zip archive nor a .npy file: NumPy's last resort would be pickle.
            raise ValueError(
                f"load: {name} is not an .npz checkpoint; reading it would need pickle, which "
                "load refuses (unpickling can execute arbitrary code)"
            ) from None
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
            # (zipfile reads some damaged headers as an unknown zip version or compression
            # method, NotImplementedError, or as encrypted, RuntimeError)
            raise ValueError(
                f"load: {name} is not a valid .npz checkpoint (empty, truncated or damaged: {exc})"
            ) from None
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ValueError(
                f"load: {name} holds a single .npy array of shape {np.shape(archive)}, not an "
                ".npz archive of named arrays"
            )
        state = {}
        with archive:
            for key in archive.files:
                try:
                    state[key] = archive[key]
                except ValueError as exc:
                    if "allow_pickle" not in str(exc):
                        raise ValueError(
                            f"load: {name} is damaged: the array {key!r} cannot be read ({exc})"
                        ) from None
                    raise ValueError(
                        f"load: {name}: the array {key!r} holds pickled Python objects, which "
                        "load refuses to unpickle (unpickling can execute arbitrary code)"
                    ) from None
                except (zipfile.BadZipFile, EOFError, OSError, zlib.error,
                        NotImplementedError, RuntimeError) as exc:
                    raise ValueError(
                        f"load: {name} is damaged: the array {key!r} cannot be read ({exc})"
                    ) from None
    try:
        model.load_state_dict(state)
    except ValueError as exc:
        raise ValueError(f"load: {str(path)!r} does not fit the model: {exc}") from None
    return model


# %% book/10_training.ipynb cell-057
class ModelCheckpoint(Callback):
    """Save the model with :func:`save` whenever the monitored number improves.

    Parameters
    ----------
    path : str or path-like
        The ``.npz`` file, overwritten atomically at each save.
    monitor : str, default "val_loss"
        A key of the epoch's ``logs``.
    mode : {"min", "max"}, default "min"
        Whether smaller or larger is better.
    save_best_only : bool, default True
        If False, save after every epoch.

    Attributes
    ----------
    best : float or None
        Best value seen so far.
    best_epoch : int or None
        The epoch (from 0) of that value: the file holds the weights after it.
    """

    def __init__(self, path, monitor="val_loss", mode="min", save_best_only=True):
        if mode not in ("min", "max"):
            raise ValueError(f"ModelCheckpoint: mode must be 'min' or 'max', got {mode!r}")
        self.path = Path(path)
        self.monitor = monitor
        self.mode = mode
        self.save_best_only = bool(save_best_only)
        self.best = None
        self.best_epoch = None

    def on_train_begin(self, model):
        self.best = None
        self.best_epoch = None

    def on_epoch_end(self, epoch, logs, model):
        if self.monitor not in logs:
            raise ValueError(
                f"ModelCheckpoint: monitor={self.monitor!r} is not among this epoch's numbers "
                f"{list(logs)} (the val_ keys need validation_data)"
            )
        value = float(logs[self.monitor])
        better = self.best is None or (value < self.best if self.mode == "min" else value > self.best)
        if better:
            self.best, self.best_epoch = value, int(epoch)
        if better or not self.save_best_only:
            save(model, self.path)
        return False
