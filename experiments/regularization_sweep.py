#!/usr/bin/env python3
"""The hyperparameter sweep behind chapter 9 (*Regularization*, section *Comparing the regularizers*).

Chapter 9 (``book/09_regularization.ipynb``) reads the results from
``book/data/regularization_sweep.json``, shows them, and takes from them the strength of
each regularizer in its comparison. This script writes that file. Run it from the
repository root, on one BLAS thread:

    OPENBLAS_NUM_THREADS=1 .venv/bin/python experiments/regularization_sweep.py

It takes about a minute and a half on one core. ``--quick`` runs a tiny configuration (one value
per regularizer, one seed, five epochs; a second or two) and by default writes to a
temporary file, not to the book.

What it computes: the chapter's overfitting network (2-100-100-2, ReLU) trained with SGD
(learning rate 0.05, momentum 0.9) in minibatches of 16 for 150 epochs on its 80 noisy
moons (``make_moons(80, noise=0.3, rng=1)``, standardised), and evaluated on its 500
validation points (``make_moons(500, noise=0.3, rng=2)``), for every value of

* the weight decay :math:`\\lambda \\in \\{10^{-4}, 10^{-3}, 3\\cdot10^{-3}, 10^{-2}, 3\\cdot10^{-2}\\}`
  (``SGD(..., weight_decay=λ)``, the L2 penalty);
* the dropout probability :math:`p \\in \\{0.2, 0.3, 0.5, 0.7, 0.8\\}` after each hidden ReLU;
* the label smoothing :math:`\\alpha \\in \\{0.05, 0.1, 0.2, 0.3\\}` (soft targets
  :math:`(1 - \\alpha)\\,\\text{one-hot} + \\alpha/2`);
* the standard deviation :math:`s` of Gaussian input noise added to every training batch
  (data augmentation), :math:`s \\in \\{0.1, 0.2, 0.3, 0.5\\}` in standardised units;

and for the unregularized baseline, with the seeds 100 to 104 (the seed sets the initial
weights, the dropout masks, the noise and the order of the minibatches; the chapter's
comparison uses the seeds 0 to 4, so the values are not chosen on the runs they are then
compared on, though on the same validation set). For every run it stores the final
validation loss and accuracy and the lowest validation loss over the epochs. The chosen
value of each regularizer is the one with the lowest mean final validation loss over
the seeds.

Everything is deterministic given the seeds (on a given machine and BLAS). The data,
``make_mlp``, ``train`` and ``run`` are copies of the chapter's cells; the chapter reruns
one entry and checks that it matches.
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
from nnbook.callbacks import EarlyStopping  # noqa: E402
from nnbook.data import DataLoader, StandardScaler  # noqa: E402
from nnbook.datasets import make_moons  # noqa: E402
from nnbook.layers import Linear, Sequential  # noqa: E402
from nnbook.losses import CrossEntropyLoss  # noqa: E402
from nnbook.optim import SGD  # noqa: E402
from nnbook.regularization import BatchNorm1d, Dropout  # noqa: E402

OUT = ROOT / "book" / "data" / "regularization_sweep.json"
COMMAND = "OPENBLAS_NUM_THREADS=1 python experiments/regularization_sweep.py"

GRID = {
    "weight_decay": [1e-4, 1e-3, 3e-3, 1e-2, 3e-2],
    "dropout": [0.2, 0.3, 0.5, 0.7, 0.8],
    "label_smoothing": [0.05, 0.1, 0.2, 0.3],
    "input_noise": [0.1, 0.2, 0.3, 0.5],
}
SEEDS = [100, 101, 102, 103, 104]

# --- the chapter's data, model and training loop (copies of its cells) ---
X_train_raw, y_train = make_moons(80, noise=0.3, rng=1)
X_val_raw, y_val = make_moons(500, noise=0.3, rng=2)
scaler = StandardScaler().fit(X_train_raw)
X_train, X_val = scaler.transform(X_train_raw), scaler.transform(X_val_raw)


def make_mlp(*, dropout=0.0, batchnorm=False, hidden=100, seed=0):
    """2 -> hidden -> hidden -> 2, ReLU; optional BatchNorm1d before and Dropout after each ReLU."""
    rng = np.random.default_rng(seed)
    layers, width = [], 2
    for _ in range(2):
        layers.append(Linear(width, hidden, rng=rng))
        if batchnorm:
            layers.append(BatchNorm1d(hidden))
        layers.append(ReLU())
        if dropout:
            layers.append(Dropout(dropout, rng=rng))   # masks come from the same generator
        width = hidden
    layers.append(Linear(width, 2, rng=rng))
    return Sequential(*layers)


loss_fn = CrossEntropyLoss()


def evaluate(model, X, y):
    """Loss and accuracy of the model on (X, y), in evaluation mode."""
    model.eval()
    logits = model(X)
    return loss_fn(logits, y), float(np.mean(logits.argmax(axis=1) == y))


def train(model, optimizer, epochs=150, *, early_stopping=None, batch_size=16, seed=0,
          targets=None, input_noise=0.0):
    """Train on (X_train, y_train); return the per-epoch history as a dict of arrays.

    ``targets`` replaces ``y_train`` for the updates (soft targets: label smoothing);
    ``input_noise`` adds Gaussian noise of that standard deviation to every training
    batch (data augmentation). The losses are always measured with the true labels.
    """
    loader = DataLoader(X_train, y_train if targets is None else targets, batch_size=batch_size,
                        shuffle=True, rng=seed)
    noise_rng = np.random.default_rng((seed, 1))
    history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
    if early_stopping is not None:
        early_stopping.on_train_begin(model)
    for epoch in range(epochs):
        model.train()
        for X_batch, y_batch in loader:
            if input_noise:
                X_batch = X_batch + input_noise * noise_rng.standard_normal(X_batch.shape)
            optimizer.zero_grad()
            loss_fn(model(X_batch), y_batch)
            model.backward(loss_fn.backward())
            optimizer.step()
        logs = {}
        logs["loss"], logs["accuracy"] = evaluate(model, X_train, y_train)
        logs["val_loss"], logs["val_accuracy"] = evaluate(model, X_val, y_val)
        for key, value in logs.items():
            history[key].append(value)
        if early_stopping is not None and early_stopping.on_epoch_end(epoch, logs, model):
            break
    if early_stopping is not None:
        early_stopping.on_train_end(model)
    return {key: np.array(values) for key, values in history.items()}


def sgd(params, weight_decay=0.0):
    return SGD(params, lr=0.05, momentum=0.9, weight_decay=weight_decay)


def run(seed, *, weight_decay=0.0, dropout=0.0, batchnorm=False, patience=None,
        label_smoothing=0.0, input_noise=0.0, epochs=150):
    """Train one regularized network from seed; returns (history, model)."""
    model = make_mlp(dropout=dropout, batchnorm=batchnorm, seed=seed)
    targets = None
    if label_smoothing:
        targets = (1 - label_smoothing) * np.eye(2)[y_train] + label_smoothing / 2
    stopper = None if patience is None else EarlyStopping(patience=patience)
    history = train(model, sgd(model.parameters(), weight_decay), epochs, early_stopping=stopper,
                    seed=seed, targets=targets, input_noise=input_noise)
    return history, model


# --- the sweep ---

def run_sweep(quick=False):
    start = time.perf_counter()
    grid = {name: values[2:3] for name, values in GRID.items()} if quick else GRID
    seeds = SEEDS[:1] if quick else SEEDS
    epochs = 5 if quick else 150
    baseline = []
    for seed in seeds:
        history, model = run(seed, epochs=epochs)
        final_loss, final_accuracy = evaluate(model, X_val, y_val)
        baseline.append([float(final_loss), float(final_accuracy), float(history["val_loss"].min())])
    results, chosen = {}, {}
    for name, values in grid.items():
        rows = []
        for value in values:
            row = []
            for seed in seeds:
                history, model = run(seed, epochs=epochs, **{name: value})
                final_loss, final_accuracy = evaluate(model, X_val, y_val)
                row.append([float(final_loss), float(final_accuracy),
                            float(history["val_loss"].min())])
            rows.append(row)
        results[name] = rows
        chosen[name] = values[int(np.argmin([np.mean([r[0] for r in row]) for row in rows]))]
        print(f"{name:16s} chosen {chosen[name]:g}  ({time.perf_counter() - start:.0f} s)",
              flush=True)
    return {
        "description": "Hyperparameter sweep behind chapter 9 (book/09_regularization.ipynb), "
                       "written by experiments/regularization_sweep.py. results[name][i][j] = "
                       "[final validation loss, final validation accuracy, lowest validation "
                       "loss over the epochs] for grid[name][i] and seeds[j]; baseline[j]: the same "
                       "for the unregularized network.",
        "command": COMMAND + (" --quick" if quick else ""),
        "quick": quick,
        "data": "train: make_moons(80, noise=0.3, rng=1); validation: make_moons(500, noise=0.3, "
                "rng=2); both standardised with the training set's statistics",
        "model": "2-100-100-2 ReLU MLP, make_mlp(seed=seed)",
        "training": {"optimizer": "SGD(lr=0.05, momentum=0.9, weight_decay=λ)", "epochs": epochs,
                     "batch_size": 16, "shuffle": "DataLoader(rng=seed)",
                     "input_noise_rng": "default_rng((seed, 1))"},
        "grid": grid,
        "seeds": seeds,
        "choice": "per regularizer, the value with the lowest mean final validation loss",
        "chosen": chosen,
        "results": results,
        "baseline": baseline,
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "nnbook": nnbook.__version__, "machine": platform.machine()},
        "runtime_seconds": round(time.perf_counter() - start, 1),
    }


def main(argv=None):
    return _cli.main(run_sweep, OUT, __doc__, argv)


if __name__ == "__main__":
    main()
