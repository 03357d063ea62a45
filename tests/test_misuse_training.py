"""Misuse tables for the training side: optim, lr_scheduler, callbacks, train, metrics, regularization.

Every public entry point gets a table of misuses, each with the exception it
must raise and the words its message must contain (the culprit, the value, the
fix), or the correct value it must return. Where PyTorch defines the behaviour
(it refuses the same hyperparameter), the test checks that PyTorch refuses it
too; where nnbook is deliberately stricter (``momentum >= 1``, ``eps = 0``,
``StepLR(gamma=0)``), the table says so.
"""
import math
import warnings

import numpy as np
import pytest

from nnbook.activations import ReLU
from nnbook.callbacks import EarlyStopping, History, LambdaCallback, ModelCheckpoint
from nnbook.layers import Linear, Parameter, Sequential, no_grad
from nnbook.losses import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from nnbook.lr_scheduler import (CosineAnnealingLR, LambdaLR, LinearLR, SequentialLR, StepLR)
from nnbook.metrics import accuracy, confusion_matrix, precision_recall_f1, classification_report
from nnbook.optim import SGD, Adagrad, Adam, AdamW, RMSprop
from nnbook.regularization import BatchNorm1d, Dropout, l2_penalty
from nnbook.train import evaluate, fit, predict


def params():
    return [Parameter(np.zeros(3))]


def opt(lr=0.1):
    return SGD(params(), lr=lr)


def stepped(optimizer):
    """The optimizer after one (gradient-free) step, so that schedulers do not warn."""
    for p in optimizer.params:
        p.grad = np.zeros_like(p.data)
    optimizer.step()
    return optimizer


def mlp(seed=0, n_out=3, extra=()):
    return Sequential(Linear(2, 8, rng=seed), ReLU(), *extra, Linear(8, n_out, rng=seed + 1))


RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 2))
Y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0)


def run(model=None, **kwargs):
    model = model or mlp()
    kwargs.setdefault("epochs", 1)
    return fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, Y, **kwargs)


def lambda_steps(f, steps):
    scheduler = LambdaLR(stepped(opt()), f)
    for _ in range(steps):
        scheduler.step()
    return scheduler


def sequential_steps(steps):
    o = stepped(opt())
    scheduler = SequentialLR(o, [LinearLR(o, start_factor=0.5, total_iters=2),
                                 LambdaLR(o, lambda e: 1 - e)], milestones=[2])
    for _ in range(steps):
        scheduler.step()


# --------------------------------------------------------------------------------------
# The table: (call, exception, words the message must contain)
# --------------------------------------------------------------------------------------
RAISES = [
    # -- optimizers: ranges (item 1) -----------------------------------------------------
    ("sgd-momentum-9", lambda: SGD(params(), momentum=9), ValueError, ["SGD", "momentum=9", "[0, 1)"]),
    ("sgd-momentum-1", lambda: SGD(params(), momentum=1.0), ValueError, ["SGD", "momentum", "[0, 1)"]),
    ("sgd-momentum-neg", lambda: SGD(params(), momentum=-0.1), ValueError, ["SGD", "momentum"]),
    ("sgd-lr-neg", lambda: SGD(params(), lr=-0.1), ValueError, ["SGD", "lr=-0.1"]),
    ("sgd-lr-nan", lambda: SGD(params(), lr=float("nan")), ValueError, ["SGD", "lr", "finite"]),
    ("sgd-lr-str", lambda: SGD(params(), lr="0.1"), ValueError, ["SGD", "lr", "'0.1'"]),
    ("sgd-dampening", lambda: SGD(params(), momentum=0.9, dampening=1.5), ValueError, ["SGD", "dampening"]),
    ("sgd-weight-decay", lambda: SGD(params(), weight_decay=-1e-4), ValueError, ["SGD", "weight_decay"]),
    ("sgd-nesterov-no-momentum", lambda: SGD(params(), nesterov=True), ValueError, ["SGD", "Nesterov", "momentum > 0"]),
    ("sgd-nesterov-dampening", lambda: SGD(params(), momentum=0.9, dampening=0.1, nesterov=True),
     ValueError, ["SGD", "Nesterov", "dampening = 0"]),
    ("adam-eps-0", lambda: Adam(params(), eps=0), ValueError, ["Adam", "eps=0", "(0, inf)"]),
    ("adam-eps-neg", lambda: Adam(params(), eps=-1e-8), ValueError, ["Adam", "eps"]),
    ("adamw-eps-0", lambda: AdamW(params(), eps=0.0), ValueError, ["AdamW", "eps"]),
    ("adagrad-eps-0", lambda: Adagrad(params(), eps=0.0), ValueError, ["Adagrad", "eps"]),
    ("rmsprop-eps-0", lambda: RMSprop(params(), eps=0.0), ValueError, ["RMSprop", "eps"]),
    ("adam-beta1-1", lambda: Adam(params(), betas=(1.0, 0.999)), ValueError, ["Adam", "betas[0]", "[0, 1)"]),
    ("adam-beta2-neg", lambda: Adam(params(), betas=(0.9, -0.1)), ValueError, ["Adam", "betas[1]"]),
    ("adam-betas-scalar", lambda: Adam(params(), betas=0.9), ValueError, ["Adam", "betas", "pair"]),
    ("adam-betas-triple", lambda: Adam(params(), betas=(0.9, 0.99, 0.999)), ValueError, ["Adam", "pair"]),
    ("adam-weight-decay", lambda: Adam(params(), weight_decay=-0.1), ValueError, ["Adam", "weight_decay"]),
    ("adamw-decay-flips", lambda: AdamW(params(), lr=1.0, weight_decay=2.0), ValueError,
     ["AdamW", "lr * weight_decay", "weight_decay below 1 / lr"]),
    ("adagrad-lr-decay", lambda: Adagrad(params(), lr_decay=-0.1), ValueError, ["Adagrad", "lr_decay"]),
    ("adagrad-accumulator", lambda: Adagrad(params(), initial_accumulator_value=-1), ValueError,
     ["Adagrad", "initial_accumulator_value"]),
    ("rmsprop-alpha-1", lambda: RMSprop(params(), alpha=1.0), ValueError, ["RMSprop", "alpha", "[0, 1)"]),
    ("rmsprop-momentum-1", lambda: RMSprop(params(), momentum=1.5), ValueError, ["RMSprop", "momentum", "[0, 1)"]),
    # -- optimizers: what they are given ------------------------------------------------
    ("opt-model-not-params", lambda: SGD(mlp()), ValueError, ["SGD", "params"]),
    ("opt-method-not-called", lambda: SGD(mlp().parameters), ValueError, ["SGD", "model.parameters()"]),
    ("opt-single-param", lambda: SGD(Parameter(np.zeros(2))), ValueError, ["SGD", "single Parameter", "[p]"]),
    ("opt-empty", lambda: Adam([]), ValueError, ["Adam", "empty"]),
    ("opt-arrays", lambda: SGD([np.zeros(2)]), ValueError, ["SGD", "params[0]", "not a Parameter"]),
    ("opt-duplicate", lambda: (lambda p: SGD([p, p]))(Parameter(np.zeros(2))), ValueError,
     ["SGD", "params[1]", "params[0]"]),
    ("opt-step-no-grad", lambda: SGD(params()).step(), RuntimeError, ["SGD.step", "gradient", "backward"]),
    ("opt-load-other-kind", lambda: Adam(params()).load_state_dict(stepped(SGD(params(), lr=0.1)).state_dict()),
     ValueError, ["Adam.load_state_dict", "missing"]),
    # -- schedulers (item 1) --------------------------------------------------------------
    ("lambdalr-negative-at-3", lambda: lambda_steps(lambda e: 1 - e / 2, 3), ValueError,
     ["LambdaLR", "lr_lambda(3)", "epoch 3", "-0.5", "-0.05", ">= 0"]),
    ("lambdalr-negative-at-0", lambda: LambdaLR(opt(), lambda e: -1.0), ValueError, ["LambdaLR", "epoch 0", "-1.0"]),
    ("lambdalr-nan", lambda: lambda_steps(lambda e: float("nan") if e == 2 else 1.0, 2), ValueError,
     ["LambdaLR", "epoch 2", "nan"]),
    ("lambdalr-inf", lambda: lambda_steps(lambda e: math.inf if e else 1.0, 1), ValueError,
     ["LambdaLR", "epoch 1", "inf"]),
    ("lambdalr-none", lambda: lambda_steps(lambda e: None if e else 1.0, 1), ValueError,
     ["LambdaLR", "epoch 1", "None"]),
    ("lambdalr-not-callable", lambda: LambdaLR(opt(), 0.5), ValueError, ["LambdaLR", "lr_lambda", "function"]),
    ("sequential-lambda-negative", lambda: sequential_steps(4), ValueError, ["LambdaLR", "lr_lambda(2)", "epoch 2", "-1"]),
    ("steplr-gamma-0", lambda: StepLR(opt(), step_size=2, gamma=0), ValueError, ["StepLR", "gamma", "(0, inf)"]),
    ("steplr-gamma-neg", lambda: StepLR(opt(), step_size=2, gamma=-0.5), ValueError, ["StepLR", "gamma"]),
    ("steplr-step-0", lambda: StepLR(opt(), step_size=0), ValueError, ["StepLR", "step_size", "positive integer"]),
    ("steplr-step-float", lambda: StepLR(opt(), step_size=2.5), ValueError, ["StepLR", "step_size"]),
    ("cosine-tmax-0", lambda: CosineAnnealingLR(opt(), T_max=0), ValueError, ["CosineAnnealingLR", "T_max"]),
    ("cosine-eta-min-neg", lambda: CosineAnnealingLR(opt(), T_max=5, eta_min=-1e-3), ValueError,
     ["CosineAnnealingLR", "eta_min"]),
    ("linear-start-0", lambda: LinearLR(opt(), start_factor=0), ValueError, ["LinearLR", "start_factor", "(0, 1]"]),
    ("linear-end-2", lambda: LinearLR(opt(), end_factor=2), ValueError, ["LinearLR", "end_factor"]),
    ("linear-iters-0", lambda: LinearLR(opt(), total_iters=0), ValueError, ["LinearLR", "total_iters"]),
    ("scheduler-on-model", lambda: StepLR(mlp(), step_size=2), ValueError, ["StepLR", "Optimizer", "Sequential"]),
    ("sequential-milestones", lambda: (lambda o: SequentialLR(o, [StepLR(o, 2), StepLR(o, 3)], milestones=[]))(opt()),
     ValueError, ["SequentialLR", "milestone"]),
    ("sequential-other-optimizer", lambda: SequentialLR(opt(), [StepLR(opt(), 2), StepLR(opt(), 3)], milestones=[2]),
     ValueError, ["SequentialLR", "same optimizer"]),
    ("sequential-decreasing", lambda: (lambda o: SequentialLR(o, [StepLR(o, 2)] * 3, milestones=[5, 2]))(opt()),
     ValueError, ["SequentialLR", "increase"]),
    ("scheduler-load-bad-keys", lambda: StepLR(opt(), 2).load_state_dict({"epoch": 3}), ValueError,
     ["StepLR.load_state_dict", "last_epoch"]),
    # -- callbacks (item 2) ----------------------------------------------------------------
    ("es-acc-with-min", lambda: EarlyStopping(monitor="val_accuracy", mode="min"), ValueError,
     ["EarlyStopping", "mode='min'", "val_accuracy", "worst epoch", "mode='max'"]),
    ("es-loss-with-max", lambda: EarlyStopping(monitor="val_loss", mode="max"), ValueError,
     ["EarlyStopping", "mode='max'", "val_loss", "mode='min'"]),
    ("es-unknown-no-mode", lambda: EarlyStopping(monitor="val_auroc"), ValueError,
     ["EarlyStopping", "val_auroc", "mode='max'", "mode='min'"]),
    ("mc-f1-with-min", lambda: ModelCheckpoint("x.npz", monitor="val_f1", mode="min"), ValueError,
     ["ModelCheckpoint", "val_f1", "mode='max'"]),
    ("mc-unknown-no-mode", lambda: ModelCheckpoint("x.npz", monitor="score"), ValueError, ["ModelCheckpoint", "score", "mode"]),
    ("es-mode-typo", lambda: EarlyStopping(mode="maximum"), ValueError, ["EarlyStopping", "mode", "'min', 'max'"]),
    ("es-patience-0", lambda: EarlyStopping(patience=0), ValueError, ["EarlyStopping", "patience"]),
    ("es-min-delta-neg", lambda: EarlyStopping(min_delta=-0.1), ValueError, ["EarlyStopping", "min_delta"]),
    ("es-monitor-not-str", lambda: EarlyStopping(monitor=None), ValueError, ["EarlyStopping", "monitor"]),
    ("es-missing-key", lambda: EarlyStopping().on_epoch_end(0, {"loss": 1.0}, None), ValueError,
     ["EarlyStopping", "val_loss", "available keys", "loss"]),
    ("es-non-number", lambda: EarlyStopping().step("low", None), ValueError, ["EarlyStopping", "number"]),
    ("lambda-cb-not-callable", lambda: LambdaCallback(on_epoch_end=3), ValueError, ["LambdaCallback", "on_epoch_end"]),
    ("history-missing", lambda: History()["val_loss"], KeyError, ["History", "val_loss"]),
    # -- fit: arguments (item 6) -----------------------------------------------------------
    ("fit-epochs-0", lambda: run(epochs=0), ValueError, ["fit", "epochs", "positive integer"]),
    ("fit-epochs-float", lambda: run(epochs=2.0), ValueError, ["fit", "epochs"]),
    ("fit-batch-0", lambda: run(batch_size=0), ValueError, ["fit", "batch_size"]),
    ("fit-batch-str", lambda: run(batch_size="32"), ValueError, ["fit", "batch_size"]),
    ("fit-verbose-neg", lambda: run(verbose=-1), ValueError, ["fit", "verbose"]),
    ("fit-y-short", lambda: fit(mlp(), CrossEntropyLoss(), SGD(mlp().parameters()), X, Y[:-1], epochs=1),
     ValueError, ["fit", "same number of samples", "(40, 2)", "(39,)"]),
    ("fit-x-nan", lambda: (lambda Xb: fit(mlp(), CrossEntropyLoss(), SGD(mlp().parameters()), Xb, Y, epochs=1))(
        np.where(np.arange(80).reshape(40, 2) == 5, np.nan, X)), ValueError, ["fit", "NaN"]),
    ("fit-x-int", lambda: fit(mlp(), CrossEntropyLoss(), SGD(mlp().parameters()), np.ones((40, 2), int), Y, epochs=1),
     ValueError, ["fit", "floating-point"]),
    ("fit-y-text", lambda: fit(mlp(), CrossEntropyLoss(), SGD(mlp().parameters()), X, Y.astype(str), epochs=1),
     ValueError, ["fit", "y", "numeric"]),
    ("fit-loss-class", lambda: (lambda m: fit(m, CrossEntropyLoss, SGD(m.parameters()), X, Y, epochs=1))(mlp()),
     ValueError, ["fit", "loss_fn", "class", "CrossEntropyLoss(...)"]),
    ("fit-optimizer-class", lambda: (lambda m: fit(m, CrossEntropyLoss(), SGD, X, Y, epochs=1))(mlp()),
     ValueError, ["fit", "optimizer", "class"]),
    ("fit-other-model-optimizer", lambda: fit(mlp(), CrossEntropyLoss(), SGD(mlp().parameters()), X, Y, epochs=1),
     ValueError, ["fit", "none of the model's parameters"]),
    ("fit-validation-not-pair", lambda: run(validation_data=X), ValueError, ["fit", "validation_data", "(X_val, y_val)"]),
    ("fit-validation-features", lambda: run(validation_data=(X[:, :1], Y)), ValueError,
     ["fit", "X_val", "(40, 1)", "(40, 2)"]),
    ("fit-validation-dtype", lambda: run(validation_data=(X.astype(np.float32), Y)), ValueError,
     ["fit", "X_val", "float32", "float64"]),
    ("fit-validation-y-column", lambda: run(validation_data=(X, Y.reshape(-1, 1))), ValueError,
     ["fit", "y_val", "(40, 1)"]),
    ("fit-validation-length", lambda: run(validation_data=(X, Y[:10])), ValueError,
     ["fit", "X_val", "y_val", "same number of samples"]),
    ("fit-metric-unknown", lambda: run(metrics=["acc"]), ValueError, ["fit", "unknown metric", "'acc'", "accuracy"]),
    ("fit-metric-reserved", lambda: run(metrics={"loss": accuracy}), ValueError, ["fit", "'loss'", "reserved"]),
    ("fit-metric-lambda", lambda: run(metrics=[lambda t, o: 0.0]), ValueError, ["fit", "metric", "name"]),
    ("fit-metric-type", lambda: run(metrics=[3]), ValueError, ["fit", "metric", "int"]),
    ("fit-callback-class", lambda: run(callbacks=[EarlyStopping]), ValueError, ["fit", "callbacks[0]", "class"]),
    ("fit-callback-no-hooks", lambda: run(callbacks=["stop"]), ValueError, ["fit", "callbacks[0]", "on_epoch_end"]),
    ("fit-callback-twice", lambda: (lambda es: run(validation_data=(X, Y), callbacks=[es, es]))(EarlyStopping()),
     ValueError, ["fit", "callbacks[1]", "twice"]),
    ("fit-monitor-without-validation", lambda: run(callbacks=[EarlyStopping()]), ValueError,
     ["fit", "EarlyStopping", "'val_loss'", "validation_data"]),
    ("fit-monitor-without-metric", lambda: run(validation_data=(X, Y), callbacks=[EarlyStopping(monitor="val_accuracy")]),
     ValueError, ["fit", "'val_accuracy'", "metrics"]),
    ("fit-checkpoint-missing-dir", lambda: run(validation_data=(X, Y), callbacks=[ModelCheckpoint("/no/such/dir/m.npz")]),
     ValueError, ["ModelCheckpoint", "/no/such/dir", "does not exist"]),
    ("fit-scheduler-other-optimizer", lambda: (lambda m: fit(m, CrossEntropyLoss(), SGD(m.parameters()), X, Y, epochs=1,
                                                             scheduler=StepLR(opt(), 2)))(mlp()),
     ValueError, ["fit", "scheduler", "different optimizer"]),
    ("fit-scheduler-is-optimizer", lambda: (lambda m, o: fit(m, CrossEntropyLoss(), o, X, Y, epochs=1, scheduler=o))(
        *(lambda m: (m, SGD(m.parameters())))(mlp())), ValueError, ["fit", "scheduler", "StepLR(optimizer"]),
    ("fit-scheduler-class", lambda: run(scheduler=StepLR), ValueError, ["fit", "scheduler", "StepLR"]),
    # -- fit: batches (item 5) -------------------------------------------------------------
    ("fit-batchnorm-last-batch-of-1", lambda: run(model=mlp(extra=[BatchNorm1d(8)]), batch_size=13), ValueError,
     ["fit", "40 samples", "batches of 13", "1 sample", "BatchNorm1d", "drop_last=True"]),
    ("fit-batchnorm-batch-size-1", lambda: run(model=mlp(extra=[BatchNorm1d(8)]), batch_size=1), ValueError,
     ["fit", "BatchNorm1d", "batch_size >= 2"]),
    ("fit-drop-last-nothing-left", lambda: run(batch_size=64, drop_last=True), ValueError,
     ["fit", "drop_last=True", "batch_size=64", "40 samples"]),
    ("batchnorm-one-sample", lambda: BatchNorm1d(3)(np.ones((1, 3))), ValueError,
     ["BatchNorm1d", "(1, 3)", "drop_last=True", "model.eval()"]),
    # -- evaluate / predict ----------------------------------------------------------------
    ("predict-batch-0", lambda: predict(mlp(), X, batch_size=0), ValueError, ["predict", "batch_size"]),
    ("predict-int", lambda: predict(mlp(), np.ones((2, 2), int)), ValueError, ["predict", "floating-point"]),
    ("predict-nan", lambda: predict(mlp(), np.full((2, 2), np.nan)), ValueError, ["predict", "NaN"]),
    ("predict-features", lambda: predict(mlp(), np.ones((2, 3))), ValueError, ["Linear", "2 features", "(2, 3)"]),
    ("evaluate-y-length", lambda: evaluate(mlp(), CrossEntropyLoss(), X, Y[:5]), ValueError, ["evaluate", "same number"]),
    ("evaluate-metric", lambda: evaluate(mlp(), CrossEntropyLoss(), X, Y, metrics=["auc"]), ValueError,
     ["evaluate", "unknown metric", "'auc'"]),
    # -- metrics -----------------------------------------------------------------------------
    ("accuracy-column", lambda: accuracy(np.zeros((4, 1)), np.zeros(4)), ValueError, ["accuracy", "(4, 1)", ".ravel()"]),
    ("accuracy-length", lambda: accuracy([0, 1, 1], [0, 1]), ValueError, ["accuracy", "same samples"]),
    ("accuracy-fraction", lambda: accuracy([0, 1], [0.3, 0.7]), ValueError, ["accuracy", "0.3", "threshold"]),
    ("accuracy-negative", lambda: accuracy([0, -1], [0, 1]), ValueError, ["accuracy", "non-negative"]),
    ("accuracy-threshold-nan", lambda: accuracy([0, 1], [0.2, 0.8], threshold=float("nan")), ValueError,
     ["accuracy", "threshold", "finite"]),
    ("accuracy-threshold-multiclass", lambda: accuracy([0, 1], np.eye(2), threshold=0.5), ValueError,
     ["accuracy", "threshold", "(2, 2)"]),
    ("confusion-n-classes", lambda: confusion_matrix([0, 3], [0, 1], n_classes=2), ValueError,
     ["confusion_matrix", "label 3", "[0, 2)"]),
    ("confusion-empty", lambda: confusion_matrix([], []), ValueError, ["confusion_matrix", "non-empty"]),
    ("prf-average", lambda: precision_recall_f1([0, 1], [0, 1], average="mean"), ValueError,
     ["precision_recall_f1", "average"]),
    ("report-names", lambda: classification_report([0, 1], [0, 1], class_names=["a"]), ValueError,
     ["classification_report", "class_names"]),
    # -- regularization ----------------------------------------------------------------------
    ("dropout-p-1", lambda: Dropout(1), ValueError, ["Dropout", "p=1", "[0, 1)"]),
    ("dropout-p-neg", lambda: Dropout(-0.1), ValueError, ["Dropout", "p"]),
    ("dropout-p-keep-convention", lambda: Dropout(1.5), ValueError, ["Dropout", "p"]),
    ("batchnorm-eps-0", lambda: BatchNorm1d(3, eps=0), ValueError, ["BatchNorm1d", "eps"]),
    ("batchnorm-momentum-2", lambda: BatchNorm1d(3, momentum=2), ValueError, ["BatchNorm1d", "momentum"]),
    ("batchnorm-features-0", lambda: BatchNorm1d(0), ValueError, ["BatchNorm1d", "num_features"]),
    ("batchnorm-wrong-features", lambda: BatchNorm1d(3)(np.ones((4, 2))), ValueError, ["BatchNorm1d", "3 features"]),
    ("l2-negative", lambda: l2_penalty(mlp(), -0.1), ValueError, ["l2_penalty", "weight_decay"]),
    ("l2-arrays", lambda: l2_penalty([np.ones(2)], 0.1), ValueError, ["l2_penalty", "Parameter"]),
]


@pytest.mark.parametrize("call, exc, words", [pytest.param(c, e, w, id=i) for i, c, e, w in RAISES])
def test_misuse_raises_a_clear_error(call, exc, words):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)   # a scheduler stepped early warns; not the point
        with pytest.raises(exc) as info:
            call()
    message = str(info.value)
    missing = [w for w in words if w not in message]
    assert not missing, f"message {message!r} lacks {missing}"


# --------------------------------------------------------------------------------------
# PyTorch refuses these too (nnbook must never accept what PyTorch refuses)
# --------------------------------------------------------------------------------------
TORCH_REFUSES = [
    ("SGD", dict(lr=-0.1)), ("SGD", dict(momentum=-0.5)), ("SGD", dict(weight_decay=-1.0)),
    ("SGD", dict(nesterov=True)), ("SGD", dict(momentum=0.9, dampening=0.5, nesterov=True)),
    ("Adam", dict(lr=-1.0)), ("Adam", dict(eps=-1e-8)), ("Adam", dict(betas=(1.0, 0.999))),
    ("Adam", dict(betas=(0.9, 1.0))), ("Adam", dict(weight_decay=-1.0)), ("AdamW", dict(eps=-1.0)),
    ("Adagrad", dict(lr=-1.0)), ("Adagrad", dict(lr_decay=-1.0)), ("Adagrad", dict(weight_decay=-1.0)),
    ("Adagrad", dict(initial_accumulator_value=-1.0)), ("Adagrad", dict(eps=-1.0)),
    ("RMSprop", dict(lr=-1.0)), ("RMSprop", dict(eps=-1.0)), ("RMSprop", dict(momentum=-1.0)),
    ("RMSprop", dict(weight_decay=-1.0)), ("RMSprop", dict(alpha=-1.0)),
]


@pytest.mark.parametrize("name, kwargs", TORCH_REFUSES, ids=[f"{n}-{k}" for n, k in TORCH_REFUSES])
def test_what_pytorch_refuses_nnbook_refuses(name, kwargs):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError):
        getattr(torch.optim, name)([torch.zeros(3, requires_grad=True)], **{"lr": 0.01, **kwargs})
    with pytest.raises(ValueError, match=name):
        globals()[name](params(), **{"lr": 0.01, **kwargs})


STRICTER_THAN_TORCH = [("SGD", dict(momentum=9.0)), ("SGD", dict(momentum=1.0)), ("Adam", dict(eps=0.0)),
                       ("AdamW", dict(eps=0.0)), ("Adagrad", dict(eps=0.0)), ("RMSprop", dict(eps=0.0)),
                       ("RMSprop", dict(momentum=1.0))]


@pytest.mark.parametrize("name, kwargs", STRICTER_THAN_TORCH, ids=[f"{n}-{k}" for n, k in STRICTER_THAN_TORCH])
def test_stricter_than_pytorch_where_pytorch_diverges_silently(name, kwargs):
    """PyTorch accepts these and then diverges or divides by zero; nnbook refuses them."""
    torch = pytest.importorskip("torch")
    getattr(torch.optim, name)([torch.zeros(3, requires_grad=True)], lr=0.01, **kwargs)   # accepted there
    with pytest.raises(ValueError, match=name):
        globals()[name](params(), lr=0.01, **kwargs)


def test_sgd_momentum_9_would_have_diverged():
    """The reason for the bound: on a quadratic, momentum 9 makes the iterate explode."""
    theta, buf = 1.0, 0.0
    for _ in range(200):
        buf = 9 * buf + theta
        theta -= 0.01 * buf
    assert not math.isfinite(theta) or abs(theta) > 1e100


# --------------------------------------------------------------------------------------
# Correct values that must be returned
# --------------------------------------------------------------------------------------
def test_refused_rate_leaves_the_scheduler_and_optimizer_as_they_were():
    optimizer = stepped(opt(lr=0.5))
    scheduler = LambdaLR(optimizer, lambda e: 1 - e / 2)
    scheduler.step()
    scheduler.step()                                 # epoch 2: factor 0, a valid rate
    assert optimizer.lr == 0.0
    with pytest.raises(ValueError, match="epoch 3"):
        scheduler.step()
    assert scheduler.last_epoch == 2 and optimizer.lr == 0.0 and scheduler.get_last_lr() == [0.0]


@pytest.mark.parametrize("factor", [0.0, np.float32(0.5), np.array(0.25), 3])
def test_lambdalr_accepts_every_valid_factor(factor):
    optimizer = opt(lr=0.2)
    LambdaLR(optimizer, lambda e: factor)
    assert optimizer.lr == pytest.approx(0.2 * float(factor))


@pytest.mark.parametrize("kwargs", [dict(momentum=0.99), dict(momentum=0.0), dict(momentum=0.9, nesterov=True)])
def test_sgd_accepts_momentum_below_one(kwargs):
    assert SGD(params(), **kwargs).momentum == kwargs["momentum"]


@pytest.mark.parametrize("monitor, mode", [
    ("val_loss", "min"), ("loss", "min"), ("val_mse", "min"), ("val_error", "min"),
    ("val_accuracy", "max"), ("val_acc", "max"), ("f1", "max"), ("val_precision", "max"),
    ("val_recall", "max"), ("val_auc", "max"),
])
def test_monitor_modes_inferred_and_consistent_modes_accepted(monitor, mode):
    for cls in (EarlyStopping, lambda **kw: ModelCheckpoint("x.npz", **kw)):
        assert cls(monitor=monitor).mode == mode
        assert cls(monitor=monitor, mode=mode).mode == mode


def test_unknown_monitor_with_explicit_mode_is_accepted():
    assert EarlyStopping(monitor="val_auroc", mode="max").mode == "max"
    assert EarlyStopping(monitor="lr", mode="min").mode == "min"


def spiral_run(seed, dropout_rng=None, batchnorm=False, rng=0):
    data_rng = np.random.default_rng(1)
    Xs = data_rng.normal(size=(60, 2))
    ys = (Xs[:, 0] * Xs[:, 1] > 0).astype(np.int64)
    extra = [Dropout(0.5, rng=dropout_rng)] + ([BatchNorm1d(8)] if batchnorm else [])
    model = mlp(seed, n_out=2, extra=extra)
    history = fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=0.05), Xs, ys, epochs=4,
                  batch_size=16, validation_data=(Xs, ys), metrics=["accuracy"], rng=rng)
    return history.history, model.state_dict()


@pytest.mark.parametrize("batchnorm", [False, True])
def test_fit_is_bit_identical_twice_with_an_unseeded_dropout(batchnorm):
    (h1, w1), (h2, w2) = spiral_run(0, batchnorm=batchnorm), spiral_run(0, batchnorm=batchnorm)
    assert h1 == h2
    assert all(np.array_equal(w1[k], w2[k]) for k in w1)


def test_fit_with_a_generator_is_bit_identical_too():
    (h1, _), (h2, _) = (spiral_run(0, rng=np.random.default_rng(5)) for _ in range(2))
    assert h1 == h2


def test_fit_gives_the_dropout_its_own_generator_back():
    drop = Dropout(0.5)
    own = drop.rng
    model = mlp(extra=[drop])
    fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, Y, epochs=1, rng=0)
    assert drop.rng is own


def test_a_seeded_dropout_keeps_its_own_stream():
    (h1, _), (h2, _) = spiral_run(0, dropout_rng=3), spiral_run(0, dropout_rng=3)
    assert h1 == h2


def test_fit_with_drop_last_trains_on_full_batches_only():
    model = mlp(extra=[BatchNorm1d(8)])
    history = run(model=model, batch_size=13, drop_last=True, epochs=2)
    assert history.params["steps"] == 3 and len(history["loss"]) == 2
    assert all(math.isfinite(v) for v in history["loss"])


def test_fit_without_batchnorm_accepts_a_last_batch_of_one():
    assert len(run(batch_size=13)["loss"]) == 1


# --------------------------------------------------------------------------------------
# Item 7: predict/evaluate between a training forward pass and its backward pass
# --------------------------------------------------------------------------------------
def gradients_after(log_between):
    model = Sequential(Linear(2, 8, rng=0), BatchNorm1d(8), ReLU(), Dropout(0.3, rng=1), Linear(8, 3, rng=2))
    loss_fn = CrossEntropyLoss()
    loss_fn(model(X), Y)                                 # the training forward pass
    if log_between == "predict":
        predict(model, X[:7])                            # e.g. to log an accuracy
        evaluate(model, loss_fn, X[:9], Y[:9], metrics=["accuracy"])
    elif log_between == "no_grad":                       # a training-mode pass, by hand
        with no_grad():
            model(X[:5])
    model.backward(loss_fn.backward())
    return [p.grad.copy() for p in model.parameters()], model.state_dict()


@pytest.mark.parametrize("between", ["predict", "no_grad"])
def test_predict_between_forward_and_backward_leaves_the_gradients_unchanged(between):
    (g1, s1), (g2, s2) = gradients_after(None), gradients_after(between)
    for a, b in zip(g1, g2):
        np.testing.assert_array_equal(a, b)
    if between == "predict":   # evaluation mode: the running statistics are untouched too
        assert all(np.array_equal(s1[k], s2[k]) for k in s1)


def test_predict_restores_the_training_mode():
    model = mlp(extra=[Dropout(0.5, rng=0)])
    predict(model, X)
    assert all(m.training for m in model.modules())


def test_validation_pass_of_fit_matches_evaluate():
    model = mlp(extra=[Dropout(0.5, rng=0), BatchNorm1d(8)])
    history = fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, Y, epochs=2,
                  validation_data=(X, Y), metrics=["accuracy"], rng=0, batch_size=8)
    logs = evaluate(model, CrossEntropyLoss(), X, Y, metrics=["accuracy"])
    assert history["val_loss"][-1] == pytest.approx(logs["loss"], rel=1e-12)
    assert history["val_accuracy"][-1] == logs["accuracy"]


def test_misuse_table_size():
    """The table covers every public entry point of the training side."""
    assert len(RAISES) >= 100
