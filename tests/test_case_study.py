"""End-to-end checks of the pipeline of chapter 12 (*Case study: handwritten digits*).

The chapter trains on scikit-learn's bundled datasets with the whole library:
``Linear``, ``BatchNorm1d``, ``ReLU``, ``CrossEntropyLoss``/``MSELoss``, ``Adam``,
``CosineAnnealingLR``, ``fit``, ``evaluate``, ``predict``, ``EarlyStopping``,
``StandardScaler`` and the metrics. These tests run the same pipeline on small
budgets and check behaviour: it learns, its numbers agree with each other and
with independent computations, and it is reproducible.
"""
import numpy as np
import pytest

sklearn_datasets = pytest.importorskip("sklearn.datasets")

from nnbook.activations import ReLU
from nnbook.data import StandardScaler, train_test_split
from nnbook.init import he_normal
from nnbook.layers import Linear, Sequential
from nnbook.losses import CrossEntropyLoss, MSELoss
from nnbook.metrics import accuracy, confusion_matrix
from nnbook.lr_scheduler import CosineAnnealingLR
from nnbook.optim import Adam
from nnbook.callbacks import EarlyStopping
from nnbook.regularization import BatchNorm1d
from nnbook.train import evaluate, fit, predict


@pytest.fixture(scope="module")
def digits_split():
    digits = sklearn_datasets.load_digits()
    X = digits.data / 16.0
    return train_test_split(X, digits.target, test_size=0.25, rng=0, stratify=digits.target)


def digits_mlp(seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return Sequential(
        Linear(64, 64, init=he_normal, rng=rng, dtype=dtype),
        BatchNorm1d(64, dtype=dtype),
        ReLU(),
        Linear(64, 10, rng=rng, dtype=dtype),
    )


def train(X, y, seed, epochs=8, dtype=np.float64):
    model = digits_mlp(seed, dtype)
    optimizer = Adam(model.parameters(), lr=2e-3)
    scheduler = CosineAnnealingLR(optimizer, T_max=epochs)
    history = fit(model, CrossEntropyLoss(), optimizer, X.astype(dtype), y, epochs=epochs,
                  batch_size=64, metrics=["accuracy"], scheduler=scheduler, rng=seed)
    return model, history


def test_digits_pipeline_learns_and_metrics_agree(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    model, history = train(X_train, y_train, seed=0)
    assert history["loss"][-1] < history["loss"][0]
    result = evaluate(model, CrossEntropyLoss(), X_test, y_test, metrics=["accuracy"])
    # A small network trained for a few epochs already classifies most digits.
    assert result["accuracy"] > 0.9
    logits = predict(model, X_test)
    assert logits.shape == (len(y_test), 10)
    # evaluate, accuracy, the confusion matrix and a direct count agree.
    direct = np.mean(logits.argmax(axis=1) == y_test)
    assert result["accuracy"] == pytest.approx(direct, abs=0)
    assert accuracy(y_test, logits) == pytest.approx(direct, abs=0)
    M = confusion_matrix(y_test, logits, n_classes=10)
    assert M.sum() == len(y_test)
    np.testing.assert_array_equal(M.sum(axis=1), np.bincount(y_test, minlength=10))
    assert np.trace(M) / M.sum() == pytest.approx(direct, abs=0)
    # The test loss is the cross-entropy of the logits, computed independently.
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    assert result["loss"] == pytest.approx(-log_p[np.arange(len(y_test)), y_test].mean(), rel=1e-12)


def test_digits_pipeline_is_reproducible_per_seed(digits_split):
    X_train, X_test, y_train, _ = digits_split
    first = predict(train(X_train, y_train, seed=3, epochs=3)[0], X_test)
    again = predict(train(X_train, y_train, seed=3, epochs=3)[0], X_test)
    other = predict(train(X_train, y_train, seed=4, epochs=3)[0], X_test)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_digits_pipeline_float32_end_to_end(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    model, history = train(X_train, y_train, seed=0, epochs=3, dtype=np.float32)
    assert all(p.data.dtype == np.float32 for p in model.parameters())
    logits = predict(model, X_test.astype(np.float32))
    assert logits.dtype == np.float32
    assert np.isfinite(history["loss"]).all()
    assert accuracy(y_test, logits) > 0.8


def test_evaluation_leaves_batchnorm_statistics_alone(digits_split):
    X_train, X_test, y_train, _ = digits_split
    model, _ = train(X_train, y_train, seed=1, epochs=2)
    before = {k: v.copy() for k, v in model.state_dict().items()}
    predict(model, X_test)
    evaluate(model, CrossEntropyLoss(), X_test, np.zeros(len(X_test), dtype=np.int64))
    after = model.state_dict()
    for key in before:
        np.testing.assert_array_equal(before[key], after[key])
    assert model.training  # the mode it had is restored


@pytest.fixture(scope="module")
def diabetes_split():
    data = sklearn_datasets.load_diabetes(scaled=False)
    X, y = data.data, data.target.reshape(-1, 1)
    X_fit, X_test, y_fit, y_test = train_test_split(X, y, test_size=0.2, rng=0)
    x_scaler, y_scaler = StandardScaler().fit(X_fit), StandardScaler().fit(y_fit)
    return (x_scaler.transform(X_fit), x_scaler.transform(X_test), y_scaler.transform(y_fit),
            y_scaler.transform(y_test))


def test_regression_without_hidden_layer_reaches_least_squares(diabetes_split):
    X_fit, _, y_fit, _ = diabetes_split
    A = np.column_stack([X_fit, np.ones(len(X_fit))])
    coef, *_ = np.linalg.lstsq(A, y_fit, rcond=None)
    model = Sequential(Linear(10, 1, rng=0))
    fit(model, MSELoss(), Adam(model.parameters(), lr=1e-2), X_fit, y_fit, epochs=3000,
        batch_size=len(X_fit), rng=0)
    trained = np.concatenate([model[0].weight.data.ravel(), model[0].bias.data])
    # Full-batch training of a linear model on the MSE minimises a strictly convex
    # quadratic: it converges to the unique least-squares solution.
    np.testing.assert_allclose(trained, coef.ravel(), rtol=0, atol=1e-6)
    least_squares_mse = np.mean((A @ coef - y_fit) ** 2)
    trained_mse = np.mean((predict(model, X_fit) - y_fit) ** 2)
    assert trained_mse == pytest.approx(least_squares_mse, rel=1e-9)


def test_regression_network_with_early_stopping(diabetes_split):
    X_fit, X_test, y_fit, y_test = diabetes_split
    X_tr, X_val, y_tr, y_val = train_test_split(X_fit, y_fit, test_size=0.25, rng=1)
    rng = np.random.default_rng(0)
    net = Sequential(Linear(10, 32, init=he_normal, rng=rng), ReLU(), Linear(32, 1, rng=rng))
    stopper = EarlyStopping(monitor="val_loss", patience=20)
    history = fit(net, MSELoss(), Adam(net.parameters(), lr=1e-3), X_tr, y_tr, epochs=300,
                  batch_size=32, validation_data=(X_val, y_val), callbacks=[stopper], rng=rng)
    # Early stopping restored the best weights: their validation loss is the best recorded.
    val_mse = np.mean((predict(net, X_val) - y_val) ** 2)
    assert val_mse == pytest.approx(min(history["val_loss"]), rel=1e-10)
    assert stopper.best == pytest.approx(val_mse, rel=1e-10)
    # In standardised units, predicting the mean gives an MSE near 1; the network explains
    # a sizeable part of the variance of new patients.
    test_mse = np.mean((predict(net, X_test) - y_test) ** 2)
    assert test_mse < 0.8
