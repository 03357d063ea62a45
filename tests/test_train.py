"""Tests of nnbook.train (fit, evaluate, predict), nnbook.callbacks, nnbook.plotting, and save/load in use.

The reference for ``fit`` is the training loop written out by hand (the one
the chapter packages): same data order, same updates, bit for bit.
"""
import math
import os
import sys
import types

import numpy as np
import pytest

from nnbook.activations import ReLU, Tanh
from nnbook.data import DataLoader
from nnbook.datasets import make_blobs, make_moons
from nnbook.layers import Linear, Module, Sequential
from nnbook.losses import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from nnbook.callbacks import Callback, EarlyStopping, History, LambdaCallback, ModelCheckpoint
from nnbook.checkpoint import load
from nnbook.metrics import accuracy
from nnbook.lr_scheduler import StepLR
from nnbook.optim import SGD, Adam
from nnbook.plotting import plot_confusion_matrix, plot_decision_boundary, plot_history
from nnbook.train import evaluate, fit, predict


# -- helpers ------------------------------------------------------------------

def mlp(seed=0, n_in=2, hidden=16, n_out=3, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return Sequential(Linear(n_in, hidden, rng=rng, dtype=dtype), ReLU(),
                      Linear(hidden, n_out, rng=rng, dtype=dtype))


def blobs(n=120, seed=0):
    X, y = make_blobs(n, centers=3, std=1.0, rng=seed)
    return X, y


def weights(model):
    return [p.data.copy() for p in model.parameters()]


def same_weights(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


class Probe(Module):
    """Identity layer that records the mode of every forward pass."""

    def __init__(self):
        super().__init__()
        self.modes = []

    def forward(self, x):
        self.modes.append(self.training)
        return x

    def backward(self, grad_out):
        return grad_out


class RecordingSGD(SGD):
    """SGD that keeps a copy of the weights after every step."""

    def __init__(self, params, **kw):
        super().__init__(params, **kw)
        self.snapshots = []

    def step(self):
        super().step()
        self.snapshots.append([p.data.copy() for p in self.params])


# -- fit: what it returns and what it does -------------------------------------

def test_history_keys_lengths_and_params():
    X, y = blobs()
    model = mlp()
    history = fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=4,
                  batch_size=50, validation_data=(X[:30], y[:30]), metrics=["accuracy", "f1"], rng=0)
    assert isinstance(history, History)
    assert history.keys() == ["loss", "accuracy", "f1", "val_loss", "val_accuracy", "val_f1"]
    assert all(len(history[k]) == 4 for k in history.keys())
    assert history.epoch == [0, 1, 2, 3] and len(history) == 4
    assert history.params == {"epochs": 4, "batch_size": 50, "n_samples": 120, "steps": 3}
    assert history.stopped_epoch is None
    assert all(isinstance(v, float) for k in history.keys() for v in history[k])
    assert "loss" in history and "lr" not in history
    with pytest.raises(KeyError, match="History has no 'lr'; recorded: \\['loss'"):
        history["lr"]


def test_loss_decreases_on_a_learnable_problem():
    X, y = blobs(300, seed=1)
    model = mlp(1)
    history = fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=0.01), X, y,
                  epochs=20, rng=1, metrics=["accuracy"])
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert history["accuracy"][-1] > 0.85


def hand_loop(model, loss_fn, optimizer, X, y, epochs, batch_size, seed, scheduler=None):
    """The loop of the chapter, written out: the reference for fit."""
    loader = DataLoader(X, y, batch_size=batch_size, shuffle=True, rng=seed)
    losses = []
    for _ in range(epochs):
        model.train()
        total = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            model.backward(loss_fn.backward())
            optimizer.step()
            total += loss * len(xb)
        losses.append(total / len(X))
        if scheduler is not None:
            scheduler.step()
    return losses


def test_fit_is_the_hand_written_loop_bit_for_bit():
    X, y = blobs(110)
    a, b = mlp(3), mlp(3)
    opt_a = SGD(a.parameters(), lr=0.05, momentum=0.9)
    opt_b = SGD(b.parameters(), lr=0.05, momentum=0.9)
    history = fit(a, CrossEntropyLoss(), opt_a, X, y, epochs=3, batch_size=32, rng=7,
                  scheduler=StepLR(opt_a, 1, 0.5))
    losses = hand_loop(b, CrossEntropyLoss(), opt_b, X, y, 3, 32, 7, scheduler=StepLR(opt_b, 1, 0.5))
    assert same_weights(weights(a), weights(b))
    assert history["loss"] == losses


def test_same_seed_same_weights_different_seed_different():
    X, y = blobs()

    def run(seed):
        model = mlp(0)
        fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=0.01), X, y, epochs=3,
            batch_size=16, rng=seed)
        return weights(model)

    assert same_weights(run(5), run(5))
    assert same_weights(run(np.random.default_rng(5)), run(np.random.default_rng(5)))
    assert not same_weights(run(5), run(6))


def test_epoch_loss_is_the_loss_over_all_samples():
    # With lr = 0 the weights never change, so the sample-weighted mean of the
    # batch losses (batches of 4, 4 and 2) is exactly the loss of the whole set.
    X, y = blobs(10)
    model = mlp()
    history = fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.0), X, y,
                  epochs=2, batch_size=4, rng=0)
    whole = CrossEntropyLoss()(model(X), y)
    assert history["loss"] == pytest.approx([whole, whole], rel=1e-13)
    # A "sum" loss is summed over the batches: again the loss of the whole set.
    history = fit(model, MSELoss(reduction="sum"), SGD(model.parameters(), lr=0.0), X,
                  np.eye(3)[y], epochs=1, batch_size=4, rng=0)
    assert history["loss"][0] == pytest.approx(MSELoss(reduction="sum")(model(X), np.eye(3)[y]), rel=1e-13)


def test_training_metrics_come_from_the_training_batches():
    X, y = blobs()
    model = mlp()
    history = fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.0), X, y, epochs=1,
                  batch_size=7, metrics=["accuracy"], rng=0)
    # lr = 0: the batch outputs are the outputs of the unchanged model, in shuffled order.
    assert history["accuracy"][0] == accuracy(y, model(X))
    # The validation accuracy is that of the model at the end of the epoch.
    history = fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.5), X, y, epochs=1,
                  batch_size=7, metrics=["accuracy"], validation_data=(X, y), rng=0)
    assert history["val_accuracy"][0] == accuracy(y, predict(model, X))


def test_validation_runs_in_eval_mode_and_modes_are_restored():
    X, y = blobs(40)
    probe = Probe()
    model = Sequential(Linear(2, 8, rng=0), probe, ReLU(), Linear(8, 3, rng=1))
    model.eval()
    model[0].train()                      # a mixed state, restored exactly
    fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=2,
        batch_size=20, validation_data=(X, y), rng=0)
    # per epoch: 2 training batches (training mode), 1 validation pass (eval mode)
    assert probe.modes == [True, True, False, True, True, False]
    assert [m.training for m in (model, model[0], model[1], model[2], model[3])] == [False, True, False, False, False]


def test_validation_with_dropout_is_deterministic():
    reg = pytest.importorskip("nnbook.regularization")
    X, y = blobs(60)

    def make():
        return Sequential(Linear(2, 32, rng=0), ReLU(), reg.Dropout(0.5, rng=1), Linear(32, 3, rng=2))

    model = make()
    seen = []
    check = LambdaCallback(on_epoch_end=lambda e, logs, m: seen.append(
        (logs["val_loss"], evaluate(m, CrossEntropyLoss(), X, y)["loss"])))
    fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=3,
        validation_data=(X, y), callbacks=[check], rng=0)
    # evaluated in eval mode: the validation loss is a function of the weights alone
    assert all(a == pytest.approx(b, rel=1e-12) for a, b in seen)
    assert evaluate(model, CrossEntropyLoss(), X, y) == evaluate(model, CrossEntropyLoss(), X, y)
    # ...whereas in training mode dropout makes every pass different
    model.train()
    assert not np.array_equal(model(X), model(X))


def test_validation_metrics_match_evaluate_at_the_end():
    X, y = blobs(90)
    model = mlp()
    history = fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=0.01), X[:60], y[:60],
                  epochs=3, validation_data=(X[60:], y[60:]), metrics=["accuracy"], rng=0)
    final = evaluate(model, CrossEntropyLoss(), X[60:], y[60:], metrics=["accuracy"])
    assert history["val_loss"][-1] == pytest.approx(final["loss"], rel=1e-12)
    assert history["val_accuracy"][-1] == final["accuracy"]


def test_binary_metrics_threshold_follows_the_loss():
    X, y = make_moons(80, noise=0.2, rng=0)
    target = y.reshape(-1, 1).astype(np.float64)
    model = mlp(n_out=1)
    history = fit(model, BCEWithLogitsLoss(), Adam(model.parameters(), lr=0.02), X, target,
                  epochs=3, validation_data=(X, target), metrics=["accuracy"], rng=0)
    logits = predict(model, X)
    assert history["val_accuracy"][-1] == accuracy(target, logits, threshold=0.0)
    # With MSE on one column there is no natural threshold: the metric says so.
    single = mlp(n_out=1)
    with pytest.raises(ValueError, match="accuracy: .*single column is ambiguous.*threshold"):
        fit(single, MSELoss(), SGD(single.parameters(), lr=0.1), X, target,
            epochs=1, metrics=["accuracy"])


def test_metric_callables_and_dicts():
    X, y = blobs(30)
    model = mlp()

    def top_score(y_true, outputs):
        return float(outputs.max())

    history = fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=2,
                  validation_data=(X, y),
                  metrics={"acc": "accuracy", "mean_out": lambda t, o: float(o.mean()), "x": top_score})
    assert {"acc", "mean_out", "x", "val_acc", "val_mean_out", "val_x"} <= set(history.keys())
    history = fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=1,
                  metrics=top_score)
    assert "top_score" in history


# -- callbacks -----------------------------------------------------------------

def test_callback_protocol_order_and_duck_typing():
    X, y = blobs(20)
    model = mlp()
    calls = []

    class Plain:                               # no base class: duck typing
        def on_train_begin(self, m):
            calls.append(("begin", m is model))

        def on_epoch_end(self, epoch, logs, m):
            calls.append(("epoch", epoch, sorted(logs)))

        def on_train_end(self, m):
            calls.append(("end", m is model))

    class OnlyEnd:
        def on_train_end(self, m):
            calls.append(("only-end",))

    class Counter(Callback):                   # the base class supplies the other hooks
        def on_epoch_end(self, epoch, logs, m):
            calls.append(("counter", epoch))
            return super().on_epoch_end(epoch, logs, m)

    fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=2,
        callbacks=[Plain(), OnlyEnd(), Counter()], rng=0)
    assert calls == [("begin", True), ("epoch", 0, ["loss"]), ("counter", 0),
                     ("epoch", 1, ["loss"]), ("counter", 1), ("end", True), ("only-end",)]


def test_a_callback_stops_training_only_with_true():
    X, y = blobs(20)
    model = mlp()
    stop = LambdaCallback(on_epoch_end=lambda epoch, logs, m: epoch == 2)
    history = fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=10,
                  callbacks=[stop], rng=0)
    assert len(history) == 3 and history.stopped_epoch == 2
    # None, numbers and lists are not a request to stop.
    for answer in (None, 1, [1], "yes"):
        keep = LambdaCallback(on_epoch_end=lambda epoch, logs, m, a=answer: a)
        history = fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y,
                      epochs=3, callbacks=[keep], rng=0)
        assert len(history) == 3 and history.stopped_epoch is None
    # Every callback sees the epoch, even after one of them asked to stop.
    seen = []
    fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=5,
        callbacks=[LambdaCallback(on_epoch_end=lambda e, logs, m: True),
                   LambdaCallback(on_epoch_end=lambda e, logs, m: seen.append(e))], rng=0)
    assert seen == [0]


def test_early_stopping_stops_and_restores_the_best_weights():
    # Validating on flipped labels: the better the model learns y, the worse
    # the validation loss, so the best epoch is the first one.
    X, y = make_moons(100, noise=0.1, rng=0)
    model = mlp(n_out=2)
    snapshots = []
    record = LambdaCallback(on_epoch_end=lambda e, logs, m: snapshots.append(weights(m)))
    stopper = EarlyStopping(monitor="val_loss", patience=3, restore_best=True)
    history = fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=0.05), X, y, epochs=50,
                  validation_data=(X, 1 - y), callbacks=[record, stopper], rng=0)
    best = int(np.argmin(history["val_loss"]))
    assert len(history) < 50 and history.stopped_epoch == len(history) - 1
    assert len(history) == best + 1 + 3             # patience epochs after the best one
    assert same_weights(weights(model), snapshots[best])
    assert not same_weights(weights(model), snapshots[-1])
    assert evaluate(model, CrossEntropyLoss(), X, 1 - y)["loss"] == pytest.approx(
        history["val_loss"][best], rel=1e-12)


def test_early_stopping_with_a_missing_monitor_names_the_keys():
    X, y = blobs(20)
    model = mlp()
    with pytest.raises(ValueError, match="EarlyStopping.*loss"):
        fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=2,
            callbacks=[EarlyStopping(monitor="val_loss")])


def test_model_checkpoint_keeps_the_best_epoch(tmp_path):
    X, y = make_moons(100, noise=0.1, rng=0)
    model = mlp(n_out=2)
    snapshots = []
    record = LambdaCallback(on_epoch_end=lambda e, logs, m: snapshots.append(weights(m)))
    checkpoint = ModelCheckpoint(tmp_path / "best.npz", monitor="val_loss")
    history = fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=0.05), X, y, epochs=6,
                  validation_data=(X, 1 - y), callbacks=[record, checkpoint], rng=0)
    best = int(np.argmin(history["val_loss"]))
    assert checkpoint.best_epoch == best and checkpoint.best == history["val_loss"][best]
    restored = load(mlp(n_out=2, seed=9), tmp_path / "best.npz")
    assert same_weights(weights(restored), snapshots[best])
    assert sorted(os.listdir(tmp_path)) == ["best.npz"]
    # refused before the first epoch (fit knows which keys it will log)
    with pytest.raises(ValueError, match=r"fit: callbacks\[0\] \(ModelCheckpoint\) monitors 'val_loss', which "
                                         r"this run does not log; it logs \['loss'\]"):
        fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=1,
            callbacks=[ModelCheckpoint(tmp_path / "x.npz")])
    with pytest.raises(ValueError, match=r"ModelCheckpoint: monitor 'val_loss' is not in the logs of epoch 0; "
                                         r"available keys: \['loss'\]"):   # a hand-written loop
        ModelCheckpoint(tmp_path / "x.npz").on_epoch_end(0, {"loss": 1.0}, model)


def test_model_checkpoint_on_an_accuracy_keeps_the_highest_epoch(tmp_path):
    """The mode is inferred from the name: 'val_accuracy' is better when larger."""
    X, y = make_moons(100, noise=0.1, rng=0)
    model = mlp(n_out=2)
    snapshots = []
    record = LambdaCallback(on_epoch_end=lambda e, logs, m: snapshots.append(weights(m)))
    checkpoint = ModelCheckpoint(tmp_path / "best.npz", monitor="val_accuracy")
    assert checkpoint.mode == "max"
    # flipped validation labels: the accuracy falls as the model learns, so the best is early
    history = fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=0.05), X, y, epochs=6,
                  validation_data=(X, 1 - y), metrics=["accuracy"], callbacks=[record, checkpoint],
                  rng=0)
    best = int(np.argmax(history["val_accuracy"]))
    assert checkpoint.best_epoch == best and checkpoint.best == max(history["val_accuracy"])
    assert history["val_accuracy"][best] > min(history["val_accuracy"])
    restored = load(mlp(n_out=2, seed=9), tmp_path / "best.npz")
    assert same_weights(weights(restored), snapshots[best])
    with pytest.raises(ValueError, match="ModelCheckpoint: mode='min' contradicts monitor='val_accuracy'"):
        ModelCheckpoint(tmp_path / "x.npz", monitor="val_accuracy", mode="min")
    with pytest.raises(ValueError, match=r"ModelCheckpoint: mode must be one of 'min', 'max', got 'up'"):
        ModelCheckpoint(tmp_path / "x.npz", mode="up")


def test_scheduler_is_stepped_once_per_epoch():
    X, y = blobs(40)
    model = mlp()
    optimizer = SGD(model.parameters(), lr=0.4)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.5)
    history = fit(model, CrossEntropyLoss(), optimizer, X, y, epochs=4, batch_size=10,
                  scheduler=scheduler, rng=0)
    assert history["lr"] == pytest.approx([0.4, 0.2, 0.1, 0.05], rel=1e-15)
    assert scheduler.last_epoch == 4
    assert optimizer.lr == pytest.approx(0.025, rel=1e-15)


# -- the stop on a non-finite loss -------------------------------------------------

def test_nan_loss_stops_before_the_update(breaking_loss):
    X = np.random.default_rng(0).standard_normal((40, 2))
    y = X @ np.array([[1.0], [-2.0]])
    model = Sequential(Linear(2, 4, rng=0), Tanh(), Linear(4, 1, rng=1))
    optimizer = RecordingSGD(model.parameters(), lr=0.01)
    with pytest.raises(RuntimeError, match=r"fit: the training loss is nan at epoch 2/5, batch 3/4 "
                                           r"\(counting from 1\), learning rate 0.01.*smaller learning rate"):
        fit(model, breaking_loss(4 + 3, math.nan), optimizer, X, y, epochs=5, batch_size=10, rng=0)
    # 6 good steps; the 7th batch's NaN loss never reached the weights.
    assert len(optimizer.snapshots) == 6
    assert same_weights(weights(model), optimizer.snapshots[-1])
    assert all(np.isfinite(w).all() for w in weights(model))
    assert model.training


def test_divergence_from_a_huge_learning_rate_is_caught():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 3))
    y = X @ np.array([[1.5], [-2.0], [0.5]])
    model = Sequential(Linear(3, 16, rng=0), ReLU(), Linear(16, 1, rng=1))
    with pytest.raises(RuntimeError) as info:
        fit(model, MSELoss(), SGD(model.parameters(), lr=1.0), X, y, epochs=100, batch_size=16, rng=0)
    message = str(info.value)
    assert message.startswith("fit: ")
    for part in ("epoch ", "batch ", "(counting from 1)", "learning rate 1", "diverged", "overflow",
                 "StandardScaler", "NaN", "BCEWithLogitsLoss"):
        assert part in message
    assert all(np.isfinite(w).all() for w in weights(model))


def test_non_finite_validation_loss_stops():
    X, y = blobs(20)
    model = mlp()

    class Inf(CrossEntropyLoss):
        def forward(self, pred, target):
            value = super().forward(pred, target)
            return float("inf") if len(pred) == 5 else value

    with pytest.raises(RuntimeError, match=r"fit: the validation loss is inf at the validation after epoch 1/3"):
        fit(model, Inf(), SGD(model.parameters(), lr=0.1), X, y, epochs=3, batch_size=20,
            validation_data=(X[:5], y[:5]))


# -- evaluate and predict ---------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_predict_and_evaluate_keep_dtype_and_restore_the_mode(dtype):
    X, y = blobs(50)
    X = X.astype(dtype)
    probe = Probe()
    model = Sequential(Linear(2, 8, rng=0, dtype=dtype), probe, ReLU(), Linear(8, 3, rng=1, dtype=dtype))
    for start_training in (True, False):
        model.train(start_training)
        out = predict(model, X, batch_size=16)
        assert out.dtype == dtype and out.shape == (50, 3)
        model.eval()
        np.testing.assert_allclose(out, model(X), rtol=1e-5 if dtype == np.float32 else 1e-12)
        model.train(start_training)
        result = evaluate(model, CrossEntropyLoss(), X, y, batch_size=7, metrics=["accuracy"])
        assert model.training is start_training and probe.training is start_training
        assert result["loss"] == pytest.approx(CrossEntropyLoss()(out, y), rel=1e-5)
        assert result["accuracy"] == accuracy(y, out)
    assert not any(probe.modes[:4]) and not any(probe.modes[4:7])


def test_predict_restores_the_mode_when_the_model_raises():
    model = mlp()
    model.train()
    with pytest.raises(ValueError, match="Linear"):
        predict(model, np.zeros((3, 5)))
    assert model.training


def test_float32_training_stays_float32():
    X, y = blobs(40)
    model = mlp(dtype=np.float32)
    fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=0.01), X.astype(np.float32), y,
        epochs=2, validation_data=(X.astype(np.float32), y), rng=0)
    assert all(p.data.dtype == np.float32 for p in model.parameters())


def test_predict_and_evaluate_bad_inputs():
    model = mlp()
    with pytest.raises(ValueError, match="predict: X: .*NaN"):
        predict(model, np.array([[0.0, np.nan]]))
    with pytest.raises(ValueError, match="predict: batch_size must be a positive integer"):
        predict(model, np.zeros((2, 2)), batch_size=0)
    with pytest.raises(ValueError, match=r"evaluate: X and y must have the same number of samples.*\(3, 2\).*\(2,\)"):
        evaluate(model, CrossEntropyLoss(), np.zeros((3, 2)), np.zeros(2, dtype=int))
    with pytest.raises(ValueError, match="evaluate: unknown metric 'acc'"):
        evaluate(model, CrossEntropyLoss(), np.zeros((3, 2)), np.zeros(3, dtype=int), metrics=["acc"])


# -- bad inputs to fit ----------------------------------------------------------------

def _fit_args(**overrides):
    X, y = blobs(20)
    model = mlp()
    args = dict(model=model, loss_fn=CrossEntropyLoss(), optimizer=SGD(model.parameters(), lr=0.1),
                X=X, y=y, epochs=1)
    args.update(overrides)
    return args


@pytest.mark.parametrize(
    "overrides, pattern",
    [
        ({"X": np.zeros((20, 2)), "y": np.zeros(19, dtype=int)},
         r"fit: X and y must have the same number of samples, got X of shape \(20, 2\) and y of shape \(19,\)"),
        ({"X": np.full((20, 2), np.nan)}, r"fit: X: input of shape \(20, 2\) contains 40 NaN"),
        ({"X": np.zeros((20, 2), dtype=int)}, "fit: X: expected a floating-point array"),
        ({"y": np.full(20, np.nan)}, r"fit: y of shape \(20,\) contains NaN"),
        ({"y": np.array(["a"] * 20)}, "fit: y must be a numeric array"),
        ({"epochs": 0}, "fit: epochs must be a positive integer, got 0"),
        ({"epochs": 2.5}, "fit: epochs must be a positive integer, got 2.5"),
        ({"epochs": True}, "fit: epochs must be a positive integer, got True"),
        ({"batch_size": 0}, "fit: batch_size must be a positive integer, got 0"),
        ({"batch_size": "32"}, "fit: batch_size must be a positive integer"),
        ({"validation_data": np.zeros((5, 2))}, r"fit: validation_data must be a tuple \(X_val, y_val\)"),
        ({"validation_data": (np.zeros((5, 2)), np.zeros(4, dtype=int))},
         r"fit: X_val and y_val must have the same number of samples"),
        ({"metrics": ["acc"]}, "fit: unknown metric 'acc'"),
        ({"metrics": [lambda t, o: 0.0]}, "fit: the metric .* has no usable name"),
        ({"metrics": {"loss": "accuracy"}}, "fit: metric name 'loss' is reserved"),
        ({"metrics": [3]}, "fit: a metric must be a name"),
        ({"callbacks": [ModelCheckpoint]}, r"fit: callbacks\[0\] is the class ModelCheckpoint, not an instance"),
        ({"callbacks": [object()]}, r"fit: callbacks\[0\] \(object\) has none of the methods"),
        ({"loss_fn": CrossEntropyLoss}, "fit: loss_fn is the class CrossEntropyLoss, not an instance"),
        ({"optimizer": mlp().parameters()}, r"fit: optimizer must have the methods \['step', 'zero_grad'\]"),
        ({"optimizer": SGD(mlp(seed=1).parameters(), lr=0.1)}, "fit: the optimizer holds none of the model's parameters"),
        ({"verbose": -1}, "fit: verbose must be an integer >= 0"),
    ],
)
def test_fit_rejects_bad_inputs(overrides, pattern):
    with pytest.raises(ValueError, match=pattern):
        fit(**_fit_args(**overrides))


def test_fit_rejects_a_scheduler_of_another_optimizer():
    args = _fit_args()
    other = SGD(mlp().parameters(), lr=0.1)
    with pytest.raises(ValueError, match="fit: the scheduler was created for a different optimizer"):
        fit(**args, scheduler=StepLR(other, 1))


# -- output -----------------------------------------------------------------------------

def test_verbose_lines(capsys):
    X, y = blobs(30)
    model = mlp()
    fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=3,
        validation_data=(X, y), metrics=["accuracy"], rng=0, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    import re
    pattern = r"epoch \d/3  loss \d\.\d{4}  accuracy \d\.\d{3}  val_loss \d\.\d{4}  val_accuracy \d\.\d{3}"
    assert all(re.fullmatch(pattern, line) for line in lines)
    fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=5, verbose=2)
    assert [line.split()[1] for line in capsys.readouterr().out.splitlines()] == ["2/5", "4/5", "5/5"]
    fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=5)
    assert capsys.readouterr().out == ""
    fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=5, verbose=1,
        callbacks=[LambdaCallback(on_epoch_end=lambda e, logs, m: e == 1)])
    assert capsys.readouterr().out.splitlines()[-1] == "stopped by LambdaCallback after epoch 2"


def test_progress_bar_with_and_without_tqdm(monkeypatch, capsys):
    X, y = blobs(30)
    model = mlp()
    monkeypatch.setitem(sys.modules, "tqdm", None)          # not installed: silently no bar
    fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=1, progress=True)
    bars = []

    def fake_tqdm(iterable, total, desc, leave):
        bars.append((total, desc))
        return iterable

    monkeypatch.setitem(sys.modules, "tqdm", types.SimpleNamespace(tqdm=fake_tqdm))
    fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=2, batch_size=10,
        progress=True)
    assert bars == [(3, "epoch 1/2"), (3, "epoch 2/2")]


def test_plots_have_titles_and_labels():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = blobs(40)
    model = mlp()
    history = fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=3,
                  validation_data=(X, y), metrics=["accuracy"])
    ax = plot_history(history)
    assert ax.get_title() and ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"
    assert [line.get_label() for line in ax.get_lines()] == ["loss", "val_loss"]
    ax = plot_history(history.history, keys=["accuracy", "val_accuracy"])
    assert ax.get_ylabel() == "value"
    with pytest.raises(ValueError, match=r"plot_history: \['lr'\] to plot; recorded"):
        plot_history(history, keys=["lr"])
    ax = plot_decision_boundary(model, X, y)
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    with pytest.raises(ValueError, match="one output column; pass threshold"):
        plot_decision_boundary(mlp(n_out=1), X, y)
    plot_decision_boundary(mlp(n_out=1), X, y, threshold=0.0)
    ax = plot_confusion_matrix(np.array([[3, 1], [0, 4]]), ["no", "yes"], normalize=True)
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    with pytest.raises(ValueError, match="square"):
        plot_confusion_matrix(np.zeros((2, 3)))
    plt.close("all")


def test_fit_asks_for_no_gradient_with_respect_to_the_data():
    """The fast path of chapter 15: nothing in fit uses dL/dX, so it is never computed."""
    calls = []

    class Recording(Sequential):
        def backward(self, grad_out, input_grad=True):
            calls.append(input_grad)
            return super().backward(grad_out, input_grad=input_grad)

    X, y = blobs(40)
    model = Recording(Linear(2, 8, rng=0), ReLU(), Linear(8, 3, rng=1))
    fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=2, batch_size=16, rng=0)
    assert calls == [False] * 6                       # 3 batches per epoch, 2 epochs


def test_fit_trains_a_model_whose_own_backward_does_not_take_input_grad():
    """A custom model written with ``backward(self, grad_out)`` trains as the hand-written loop does."""
    from nnbook.data import DataLoader
    from nnbook.losses import MSELoss
    from nnbook.optim import SGD

    class Net(Module):
        def __init__(self):
            super().__init__()
            self.inner = Linear(3, 1, rng=0)

        def forward(self, x):
            return self.inner(x)

        def backward(self, grad_out):
            return self.inner.backward(grad_out)

    rng = np.random.default_rng(1)
    X = rng.normal(size=(20, 3))
    y = X.sum(axis=1, keepdims=True)
    model = Net()
    fit(model, MSELoss(), SGD(model.parameters(), lr=0.05), X, y, epochs=2, batch_size=5, rng=0, verbose=0)
    by_hand = Net()
    loss_fn, optimizer = MSELoss(), SGD(by_hand.parameters(), lr=0.05)
    loader = DataLoader(X, y, batch_size=5, shuffle=True, rng=np.random.default_rng(0))
    for _ in range(2):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss_fn(by_hand(xb), yb)
            by_hand.backward(loss_fn.backward())
            optimizer.step()
    np.testing.assert_allclose(model.inner.weight.data, by_hand.inner.weight.data, rtol=0, atol=0)
