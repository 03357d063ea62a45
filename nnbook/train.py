# Generated from book/10_training.ipynb, book/eng_training.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Training: the loop of chapters 5 to 9, written once (chapter 10, *Training*).

:func:`~nnbook.train.fit` trains a model on minibatches: training mode, ``zero_grad``,
forward, loss, backward (``input_grad=False``: the data needs no gradient),
``step`` for every batch; then, once per epoch, the validation loss and
metrics in evaluation mode, the learning-rate schedule and the callbacks of
:mod:`nnbook.callbacks`. It returns a :class:`~nnbook.callbacks.History` of the
per-epoch numbers, and it stops with a ``RuntimeError`` naming the epoch and
batch as soon as the numbers stop being finite. :func:`evaluate` and
:func:`~nnbook.train.predict` run a model in evaluation mode, batch by batch, and restore the
mode it was in. The argument checks, the metric names, the divergence
diagnostics and the progress output come from the appendix *The machinery of
the training loop*.
"""

__all__ = ['predict', 'evaluate', 'fit']


# %% book/10_training.ipynb cell-023
import math

import numpy as np

from nnbook.callbacks import History, _check_callbacks, _wants_stop
from nnbook.checks import all_finite, as_generator, check_input, positive_int
from nnbook.data import DataLoader, _check_batches
from nnbook.grad_mode import no_grad
from nnbook.layers import _takes_input_grad
from nnbook.metrics import _compute_metrics, _resolve_metrics


# %% book/10_training.ipynb cell-025
class _ModeGuard:
    """Context manager: ``model.train(training)`` inside; every sub-module's previous mode after."""

    def __init__(self, model, training=False):
        self.model = model
        self.training = training

    def __enter__(self):
        self.saved = [(m, m.training) for m in self.model.modules()]
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


# %% book/10_training.ipynb cell-027
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
    raises. The forward passes run under :class:`nnbook.grad_mode.no_grad`, so
    every module keeps the cache of its last training forward pass: calling
    ``predict`` (say, to log an accuracy) between a training forward pass and
    its backward pass leaves the gradients unchanged.
    """
    X = check_input(X, "predict: X")
    batch_size = positive_int(batch_size, "batch_size", "predict")
    with _ModeGuard(model), no_grad():          # the training caches stay as they were
        return _concat([model(xb) for xb in _batches(X, batch_size)])


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
    batch_size = positive_int(batch_size, "batch_size", "evaluate")
    metric_fns = _resolve_metrics(metrics, loss_fn, "evaluate")
    outputs = predict(model, X, batch_size=batch_size)
    logs = {"loss": _loss_value(loss_fn, outputs, y)}    # the loss's training cache is kept
    logs.update(_compute_metrics(metric_fns, y, outputs))
    return logs


# %% book/10_training.ipynb cell-031
def _train_one_epoch(model, loss_fn, optimizer, batches, where, keep_outputs):
    """Steps (3) to (8) for every batch of one epoch.

    Returns the sum of the batch losses, each weighted by its batch size for a
    mean-reduced loss, and (if ``keep_outputs``) the outputs and targets of
    the batches. ``where(batch)`` names the position for error messages.
    """
    weighted = getattr(loss_fn, "reduction", "mean") == "mean"
    # The data needs no gradient; a model of yours whose backward lacks the flag computes it anyway.
    no_data_grad = {"input_grad": False} if _takes_input_grad(model) else {}
    total, outputs_seen, targets_seen = 0.0, [], []
    batch = 0
    # Overflow or 0/0 anywhere in a step raises at once instead of spreading NaN.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        try:
            for batch, (xb, yb) in enumerate(batches, start=1):
                optimizer.zero_grad()                                   # (3)
                outputs = model(xb)                                     # (4)
                if not all_finite(outputs):  # errstate cannot raise where there are no FP flags (WebAssembly)
                    raise FloatingPointError("overflow or invalid value in the forward pass")
                loss = float(loss_fn(outputs, yb))
                if not math.isfinite(loss):                             # (5)
                    raise _divergence(f"the training loss is {loss}", where(batch), optimizer)
                model.backward(loss_fn.backward(), **no_data_grad)      # (6)
                optimizer.step()                                        # (7)
                total += loss * xb.shape[0] if weighted else loss       # (8)
                if keep_outputs:
                    outputs_seen.append(np.array(outputs, copy=True))
                    targets_seen.append(yb)
        except FloatingPointError as exc:
            raise _diverged(exc, where(batch), model, loss_fn, optimizer) from exc
    return total, outputs_seen, targets_seen


def _validation_loss(model, loss_fn, X_val, y_val, where, optimizer):
    """Step (10): outputs and loss on the validation set, in evaluation mode."""
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"), _ModeGuard(model), no_grad():
            outputs = _concat([model(xb) for xb in _batches(X_val, 512)])   # X_val checked once
            loss = _loss_value(loss_fn, outputs, y_val)
    except FloatingPointError as exc:
        raise _divergence("the numbers diverged", where, optimizer, f" ({exc})", note="") from exc
    if not math.isfinite(loss):
        raise _divergence(f"the validation loss is {loss}", where, optimizer, note="")
    return outputs, loss


# %% book/10_training.ipynb cell-033
def fit(model, loss_fn, optimizer, X, y, *, epochs, batch_size=32, validation_data=None,
        metrics=(), callbacks=(), scheduler=None, shuffle=True, drop_last=False, rng=None,
        verbose=0, progress=False):
    """Train ``model`` on ``(X, y)`` with minibatch gradient descent.

    For each epoch: training mode; for every minibatch of a
    :class:`~nnbook.data.DataLoader`, ``optimizer.zero_grad()``, forward,
    loss, ``model.backward(loss_fn.backward(), input_grad=False)`` (nothing
    needs the gradient with respect to the data), ``optimizer.step()``; then
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
    drop_last : bool, default False
        Skip the partial last batch of every epoch (needed with
        :class:`~nnbook.regularization.BatchNorm1d` when it would hold 1 sample).
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
        :class:`~nnbook.callbacks.EarlyStopping`,
        :class:`~nnbook.callbacks.ModelCheckpoint`,
        :class:`~nnbook.callbacks.LambdaCallback`. They are called in order, after the returned
        :class:`~nnbook.callbacks.History` has recorded the epoch.
    scheduler : LRScheduler, optional
        Stepped once per epoch, after that epoch's optimizer steps, so its
        lengths (``T_max``, ``step_size``, ``total_iters``) count epochs; the
        learning rate used during each epoch is recorded as ``"lr"``.
    shuffle : bool, default True
        Visit the training samples in a new random order every epoch.
    rng : numpy.random.Generator or int, optional
        Source of the shuffling, and of the random numbers of every module
        built without a generator of its own (a ``Dropout(0.5)`` without
        ``rng``), which draws during the run from a generator derived from
        this one and gets its own back afterwards. The same seed (and the same
        initial weights, and modules with their own ``rng`` rebuilt with it)
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
    epochs = positive_int(epochs, "epochs", who)
    batch_size = positive_int(batch_size, "batch_size", who)
    if validation_data is not None:
        X_val, y_val = _check_validation_data(validation_data, who, X, y)
    verbose = positive_int(verbose, "verbose", who, minimum=0)
    _check_parts(model, loss_fn, optimizer, scheduler, who)
    _check_batches(model, X.shape[0], batch_size, drop_last, who)
    metric_fns = _resolve_metrics(metrics, loss_fn, who)
    logged = {"loss", *metric_fns, *(["lr"] if scheduler is not None else []),
              *([f"val_{k}" for k in ("loss", *metric_fns)] if validation_data is not None else [])}
    callbacks = _check_callbacks(callbacks, who, logged)

    rng = as_generator(rng, "fit")
    loader = DataLoader(X, y, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last,
                        rng=rng)                                                # (1)
    n_batches = len(loader)
    loader_samples = min(n_batches * batch_size, X.shape[0])   # fewer with drop_last
    history = History()
    history.params = {"epochs": epochs, "batch_size": batch_size, "n_samples": X.shape[0],
                      "steps": n_batches}
    everyone = [history, *callbacks]
    mean_loss = getattr(loss_fn, "reduction", "mean") == "mean"

    # every sub-module's mode comes back at the end; unseeded dropout draws from rng
    with _ModeGuard(model, training=True), _RunGenerators(model, rng):
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
            logs = {"loss": total / loader_samples if mean_loss else total}     # (8)
            if metric_fns:
                logs.update(_compute_metrics(metric_fns, _concat(targets), _concat(outputs)))
            if validation_data is not None:                                     # (10)
                val_outputs, logs["val_loss"] = _validation_loss(
                    model, loss_fn, X_val, y_val,
                    f"the validation after epoch {epoch + 1}/{epochs} (counting from 1)", optimizer)
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


# %% book/eng_training.ipynb cell-003
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


def _check_validation_data(validation_data, who, X, y):
    """``validation_data`` as a checked pair ``(X_val, y_val)`` of samples shaped like ``X`` and ``y``."""
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
        raise ValueError(f"{who}: validation_data must be a tuple (X_val, y_val), got "
                         f"{type(validation_data).__name__} of shape {np.shape(validation_data)}")
    X_val, y_val = _check_xy(*validation_data, who, names=("X_val", "y_val"))
    for name, val, train in (("X_val", X_val, X), ("y_val", y_val, y)):
        if val.shape[1:] != train.shape[1:]:
            raise ValueError(
                f"{who}: {name} has shape {val.shape} but {name[0]} has shape {train.shape}; "
                f"a validation sample must have the shape of a training sample, {train.shape[1:]}"
            )
    if X_val.dtype != X.dtype:
        raise ValueError(f"{who}: X_val has dtype {X_val.dtype} but X has dtype {X.dtype}; "
                         f"convert it with X_val.astype(np.{X.dtype.name})")
    return X_val, y_val


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
        if isinstance(scheduler, type) or not callable(getattr(scheduler, "step", None)) \
                or callable(getattr(scheduler, "zero_grad", None)):   # an optimizer, stepped twice
            raise ValueError(
                f"{who}: scheduler must be a learning-rate scheduler built on the optimizer, such "
                f"as StepLR(optimizer, step_size=10), got {getattr(scheduler, '__name__', scheduler)!r}"
            )
        if getattr(scheduler, "optimizer", optimizer) is not optimizer:
            raise ValueError(f"{who}: the scheduler was created for a different optimizer; build it "
                             "on the optimizer passed to fit: StepLR(optimizer, ...)")


def _loss_value(loss_fn, outputs, y):
    """``float(loss_fn(outputs, y))``, leaving the loss's cache of a training step as it was.

    ``evaluate`` may be called between a training forward pass and its
    backward pass (to log a loss); the model's caches are kept by ``no_grad``,
    and the loss's by this function.
    """
    cache = getattr(loss_fn, "_cache", None)
    try:
        return float(loss_fn(outputs, y))
    finally:
        if hasattr(loss_fn, "_cache"):
            loss_fn._cache = cache


# %% book/eng_training.ipynb cell-012
class _RunGenerators:
    """Context manager: modules without a generator of their own draw from ``rng`` during a run.

    Each module with ``_own_rng`` False (a ``Dropout`` built without ``rng``)
    gets ``default_rng(seed)`` with a seed drawn from ``rng``, in the order of
    ``model.modules()``; its own generator comes back on exit.
    """

    def __init__(self, model, rng):
        self.modules = [m for m in model.modules() if getattr(m, "_own_rng", True) is False]
        self.rng = rng

    def __enter__(self):
        self.saved = [m.rng for m in self.modules]
        for m in self.modules:
            m.rng = np.random.default_rng(int(self.rng.integers(2**63)))
        return self

    def __exit__(self, *exc):
        for m, generator in zip(self.modules, self.saved):
            m.rng = generator
        return False


# %% book/eng_training.ipynb cell-020
import traceback

_ADVICE = (
    "Try a smaller learning rate; standardise the inputs (nnbook.data.StandardScaler); "
    "check the data for NaN, infinite or huge values; and prefer a fused loss on raw "
    "scores (CrossEntropyLoss on logits, BCEWithLogitsLoss) to a Softmax or Sigmoid "
    "layer followed by a log."
)


def _divergence(what, where, optimizer, detail="", note=" before this batch changed the weights"):
    """The RuntimeError that stops fit when the numbers stop being finite."""
    lr = getattr(optimizer, "lr", None)
    rate = f", learning rate {lr:g}" if isinstance(lr, float) else ""
    return RuntimeError(f"fit: {what} at {where}{rate}{detail}. Training stopped{note}. {_ADVICE}")


def _failed_stage(exc, model, loss_fn, optimizer):
    """The part of a training step that raised ``exc``, read from its traceback."""
    for frame, _ in traceback.walk_tb(exc.__traceback__):     # from the loop inwards
        owner = frame.f_locals.get("self")
        backward = frame.f_code.co_name == "backward"
        if owner is optimizer:
            return "the optimizer step"
        if owner is loss_fn:
            return "the backward pass" if backward else "the loss"
        if owner is model:
            return "the backward pass" if backward else "the forward pass"
    return "the training step"


def _diverged(exc, where, model, loss_fn, optimizer):
    """The RuntimeError for a FloatingPointError raised during a training step."""
    stage = _failed_stage(exc, model, loss_fn, optimizer)
    note = (" (this step may have updated some weights)" if stage == "the optimizer step"
            else " before this batch changed the weights")
    return _divergence("the numbers diverged", where, optimizer, f" ({exc}, in {stage})", note)


# %% book/eng_training.ipynb cell-024
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
