#!/usr/bin/env python3
"""The small CNN against the best MLP on 5,000 real MNIST digits, over seeds (chapter 17).

Chapter 17 (``book/17_convolutions.ipynb``, *Convolutional networks*) reads the results
from ``book/data/cnn_vs_mlp.json``; this script writes that file. Run it from the
repository root, on one BLAS thread:

    OPENBLAS_NUM_THREADS=1 .venv/bin/python experiments/cnn_vs_mlp.py

It takes one to two minutes on one core. ``--quick`` runs a tiny configuration (two seeds, one
epoch, one MLP width; a few seconds) and by default writes to a temporary file.

The data and split are the chapter's: ``load_mnist5k`` (book/data/mnist5k.npz), 1,000 test
images (``train_test_split(test_size=0.2, rng=0, stratify=y)``), then 1,000 validation
and 3,000 training images (``test_size=0.25, rng=1``). For each seed ``s`` in SEEDS, with
``np.random.default_rng(s)`` for the initial weights and the minibatch order:

* the MLPs 784-h-10 (ReLU, He init, Adam lr 1e-3, batches of 64, 30 epochs) for h in
  MLP_HIDDEN, scored on the validation split;
* the chapter's CNN (Adam lr 2e-3, batches of 64, 15 epochs), scored on the validation split.

The MLP width with the best mean validation accuracy is chosen; only then are the chosen
MLP and the CNN of every seed scored on the test split (accuracy and confusion matrix summed
over seeds). ``make_cnn`` and ``make_mlp`` are copies of the chapter's cells.
"""
from __future__ import annotations

import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import _cli  # noqa: E402  (experiments/_cli.py: the shared command line)
import nnbook  # noqa: E402
from nnbook.activations import ReLU  # noqa: E402
from nnbook.conv import Conv2d, Flatten, MaxPool2d  # noqa: E402
from nnbook.data import train_test_split  # noqa: E402
from nnbook.datasets import load_mnist5k  # noqa: E402
from nnbook.init import he_normal  # noqa: E402
from nnbook.layers import Linear, Sequential  # noqa: E402
from nnbook.losses import CrossEntropyLoss  # noqa: E402
from nnbook.metrics import confusion_matrix  # noqa: E402
from nnbook.optim import Adam  # noqa: E402
from nnbook.train import fit, predict  # noqa: E402

OUT = ROOT / "book" / "data" / "cnn_vs_mlp.json"
COMMAND = "OPENBLAS_NUM_THREADS=1 python experiments/cnn_vs_mlp.py"
SEEDS = [0, 1, 2, 3, 4]
MLP_HIDDEN = [128, 256, 512]
CNN_SETTING = dict(lr=2e-3, epochs=15, batch_size=64)
MLP_SETTING = dict(lr=1e-3, epochs=30, batch_size=64)


def make_cnn(rng, dtype=np.float32):
    """Conv(1, 8, 3)-ReLU-MaxPool(2)-Conv(8, 16, 3)-ReLU-MaxPool(2)-Flatten-Linear(400, 10)."""
    return Sequential(Conv2d(1, 8, 3, rng=rng, dtype=dtype), ReLU(), MaxPool2d(2),
                      Conv2d(8, 16, 3, rng=rng, dtype=dtype), ReLU(), MaxPool2d(2),
                      Flatten(), Linear(16 * 5 * 5, 10, rng=rng, dtype=dtype))


def make_mlp(rng, hidden=256, dtype=np.float32):
    """784-hidden-10 with ReLU and He initialization."""
    return Sequential(Linear(784, hidden, init=he_normal, rng=rng, dtype=dtype), ReLU(),
                      Linear(hidden, 10, rng=rng, dtype=dtype))


def split():
    """The chapter's stratified split: (X_train, y_train), (X_val, y_val), (X_test, y_test)."""
    X, y = load_mnist5k(ROOT / "book" / "data" / "mnist5k.npz")
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.2, rng=0, stratify=y)
    X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=0.25, rng=1,
                                                      stratify=y_rest)
    return (X_train, y_train), (X_val, y_val), (X_test, y_test)


def train(model, X, y, seed_rng, lr, epochs, batch_size):
    fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=lr), X, y, epochs=epochs,
        batch_size=batch_size, rng=seed_rng)
    return model


def labels(model, X):
    return predict(model, X).argmax(axis=1)


def run(quick=False):
    start = time.perf_counter()
    (X_train, y_train), (X_val, y_val), (X_test, y_test) = split()
    images = lambda X: X.reshape(-1, 1, 28, 28)  # noqa: E731
    seeds = SEEDS[:2] if quick else SEEDS
    hidden_sizes = MLP_HIDDEN[:1] if quick else MLP_HIDDEN
    cnn_setting = dict(CNN_SETTING, epochs=1) if quick else CNN_SETTING
    mlp_setting = dict(MLP_SETTING, epochs=1) if quick else MLP_SETTING

    mlp_models, cnn_models = {h: [] for h in hidden_sizes}, []
    mlp_val, cnn_val = {h: [] for h in hidden_sizes}, []
    for seed in seeds:
        for h in hidden_sizes:
            rng = np.random.default_rng(seed)
            model = train(make_mlp(rng, h), X_train, y_train, rng, **mlp_setting)
            mlp_models[h].append(model)
            mlp_val[h].append(float(np.mean(labels(model, X_val) == y_val)))
        rng = np.random.default_rng(seed)
        model = train(make_cnn(rng), images(X_train), y_train, rng, **cnn_setting)
        cnn_models.append(model)
        cnn_val.append(float(np.mean(labels(model, images(X_val)) == y_val)))
        print(f"seed {seed}: validation MLP {[mlp_val[h][-1] for h in hidden_sizes]}, CNN {cnn_val[-1]}",
              flush=True)
    chosen = max(hidden_sizes, key=lambda h: np.mean(mlp_val[h]))   # on validation only

    test, confusion = {"cnn": [], "mlp": []}, {}
    for name, models, X in (("cnn", cnn_models, images(X_test)), ("mlp", mlp_models[chosen], X_test)):
        matrix = np.zeros((10, 10), dtype=np.int64)
        for model in models:
            pred = labels(model, X)
            test[name].append(float(np.mean(pred == y_test)))
            matrix += confusion_matrix(y_test, pred, n_classes=10)
        confusion[name] = matrix.tolist()
    return {
        "command": COMMAND,
        "quick": quick,
        "seeds": seeds,
        "split": {"train": int(len(y_train)), "validation": int(len(y_val)), "test": int(len(y_test))},
        "cnn_setting": cnn_setting,
        "mlp_setting": mlp_setting,
        "mlp_validation": {str(h): v for h, v in mlp_val.items()},
        "cnn_validation": cnn_val,
        "chosen_hidden": chosen,
        "test": test,
        "confusion": confusion,
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "nnbook": nnbook.__version__},
        "runtime_seconds": round(time.perf_counter() - start, 1),
    }


if __name__ == "__main__":
    _cli.main(run, OUT, __doc__)
