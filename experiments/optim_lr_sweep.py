#!/usr/bin/env python3
"""The learning-rate sweep behind chapter 8 (*Optimizers*, section *Training a network*).

Chapter 8 (``book/08_optimizers.ipynb``) reads the results from
``book/data/optim_lr_sweep.json``, draws the final loss against the learning rate for
every optimizer and takes from it the learning rate of each optimizer in its
comparison. This script writes that file. Run it from the repository root, on one
BLAS thread:

    OPENBLAS_NUM_THREADS=1 .venv/bin/python experiments/optim_lr_sweep.py

It takes about two minutes on one core. ``--quick`` runs a tiny configuration (two
optimizers, two learning rates, one seed, three epochs; a second or two) and by default
writes to a temporary file, not to the book.

What it computes: the chapter's MLP 2-64-64-3 trained on its three-arm spirals
(``make_spirals(100, 3, noise=0.2, rng=0)``, 300 points) with minibatches of 32 for 40
epochs, for every optimizer of the chapter and every learning rate of the grid
:math:`10^{-3}, 3\\cdot10^{-3}, \\dots, 3`, with the seeds 100 to 104 (the seed sets the
initial weights and the order of the minibatches; the chapter's own comparison uses the
seeds 0 to 4, so the learning rates are not chosen on the runs they are then compared
on). For every run it stores the final training loss, the final validation loss and
validation accuracy on another draw of the same generator
(``make_spirals(100, 3, noise=0.2, rng=1)``), or ``null`` for a run whose loss stopped
being finite (divergence). The chosen learning rate of an optimizer is the one with the
lowest mean final validation loss over the seeds.

Everything is deterministic given the seeds (on a given machine and BLAS). The
functions ``make_mlp`` and ``train`` are copies of the chapter's cells; the chapter
reruns one entry of the table and checks that it matches.
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
from nnbook.data import DataLoader  # noqa: E402
from nnbook.datasets import make_spirals  # noqa: E402
from nnbook.layers import Linear, Sequential  # noqa: E402
from nnbook.losses import CrossEntropyLoss  # noqa: E402
from nnbook.optim import SGD, Adagrad, Adam, AdamW, RMSprop  # noqa: E402

OUT = ROOT / "book" / "data" / "optim_lr_sweep.json"
COMMAND = "OPENBLAS_NUM_THREADS=1 python experiments/optim_lr_sweep.py"

LRS = [1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0, 3.0]
SEEDS = [100, 101, 102, 103, 104]
EPOCHS = 40
# name: (class, options), as in the chapter's comparison
OPTIMIZERS = {
    "SGD": (SGD, {}),
    "Momentum": (SGD, {"momentum": 0.9}),
    "Nesterov": (SGD, {"momentum": 0.9, "nesterov": True}),
    "Adagrad": (Adagrad, {}),
    "RMSprop": (RMSprop, {}),
    "Adam": (Adam, {}),
    "AdamW": (AdamW, {"weight_decay": 1e-2}),
}

# --- the chapter's data, model and training function (copies of its cells) ---
X_spiral, y_spiral = make_spirals(n_per_class=100, n_classes=3, noise=0.2, rng=0)
X_spiral_val, y_spiral_val = make_spirals(n_per_class=100, n_classes=3, noise=0.2, rng=1)


def make_mlp(seed=0):
    rng = np.random.default_rng(seed)
    return Sequential(Linear(2, 64, rng=rng), ReLU(), Linear(64, 64, rng=rng), ReLU(),
                      Linear(64, 3, rng=rng))


def train(make_optimizer, make_scheduler=None, epochs=40, seed=0):
    """Train a fresh MLP on the spirals; per epoch: training loss and accuracy, lr, validation loss and accuracy."""
    model = make_mlp(seed)
    optimizer = make_optimizer(model.parameters())
    scheduler = make_scheduler(optimizer) if make_scheduler else None
    loss_fn = CrossEntropyLoss()
    loader = DataLoader(X_spiral, y_spiral, batch_size=32, shuffle=True, rng=seed)
    history = []
    for epoch in range(epochs):
        lr = optimizer.lr                  # the learning rate used during this epoch
        for X_batch, y_batch in loader:
            optimizer.zero_grad()
            loss_fn(model(X_batch), y_batch)
            model.backward(loss_fn.backward())
            optimizer.step()
        if scheduler is not None:
            scheduler.step()               # once per epoch, after the optimizer's steps
        logits, val_logits = model(X_spiral), model(X_spiral_val)
        history.append((loss_fn(logits, y_spiral), np.mean(logits.argmax(axis=1) == y_spiral), lr,
                        loss_fn(val_logits, y_spiral_val),
                        np.mean(val_logits.argmax(axis=1) == y_spiral_val)))
    return np.array(history)


# --- the sweep ---

def one_run(cls, options, lr, seed, epochs):
    """(final training loss, validation loss, validation accuracy), or None if the run diverged."""
    with np.errstate(all="ignore"):                # a diverging run overflows: recorded as None
        try:
            history = train(lambda ps: cls(ps, lr=lr, **options), epochs=epochs, seed=seed)
        except (FloatingPointError, ValueError):
            return None
    final = history[-1]
    if not np.all(np.isfinite(history[:, [0, 3]])):
        return None
    return [float(final[0]), float(final[3]), float(final[4])]


def run(quick=False):
    start = time.perf_counter()
    optimizers = dict(list(OPTIMIZERS.items())[:2]) if quick else OPTIMIZERS
    lrs = [1e-2, 1e-1] if quick else LRS
    seeds = SEEDS[:1] if quick else SEEDS
    epochs = 3 if quick else EPOCHS
    results, chosen = {}, {}
    for name, (cls, options) in optimizers.items():
        table = [[one_run(cls, options, lr, seed, epochs) for seed in seeds] for lr in lrs]
        results[name] = {"class": cls.__name__, "options": options, "runs": table}
        mean_val = [np.mean([r[1] for r in row]) if all(r is not None for r in row) else np.inf
                    for row in table]
        chosen[name] = lrs[int(np.argmin(mean_val))]
        print(f"{name:9s} chosen lr {chosen[name]:g}  ({time.perf_counter() - start:.0f} s)",
              flush=True)
    return {
        "description": "Learning-rate sweep behind chapter 8 (book/08_optimizers.ipynb), written "
                       "by experiments/optim_lr_sweep.py. runs[optimizer][i][j] = [final training "
                       "loss, final validation loss, final validation accuracy] for lrs[i] and "
                       "seeds[j], or null if the run diverged.",
        "command": COMMAND + (" --quick" if quick else ""),
        "quick": quick,
        "data": "train: make_spirals(n_per_class=100, n_classes=3, noise=0.2, rng=0); "
                "validation: make_spirals(n_per_class=100, n_classes=3, noise=0.2, rng=1)",
        "model": "Linear(2, 64), ReLU, Linear(64, 64), ReLU, Linear(64, 3), rng=default_rng(seed)",
        "training": {"epochs": epochs, "batch_size": 32, "shuffle": "DataLoader(rng=seed)",
                     "loss": "CrossEntropyLoss"},
        "lrs": lrs,
        "seeds": seeds,
        "choice": "per optimizer, the lr with the lowest mean final validation loss over the seeds",
        "chosen": chosen,
        "results": results,
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "nnbook": nnbook.__version__, "machine": platform.machine()},
        "runtime_seconds": round(time.perf_counter() - start, 1),
    }


def main(argv=None):
    return _cli.main(run, OUT, __doc__, argv)


if __name__ == "__main__":
    main()
