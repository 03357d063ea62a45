#!/usr/bin/env python3
"""Grid search against random search on the same budget, behind the tuning chapter (*Hyperparameter search*).

The chapter (``book/11_tuning.ipynb``) reads the results from ``book/data/tuning_search.json``,
draws them and prints the verdict. This script writes that file. Run it from the repository
root, on one BLAS thread:

    OPENBLAS_NUM_THREADS=1 .venv/bin/python experiments/tuning_search.py

It takes about a minute on one core. ``--quick`` runs a tiny configuration (a budget of 4
runs of 2 epochs, one repetition, one retraining seed; a few seconds) and by default writes to
a temporary file, not to the book.

What it computes: the chapter's digits network (64-128-128-10, ReLU; SGD with momentum 0.9,
minibatches of 32, 12 epochs, a linear warm-up over the first 10% of the batches then a cosine
decay, stepped per batch) trained on the chapter's fit split and scored by its accuracy on the
validation split, for a budget of 16 runs spent in two ways:

* a 4 x 4 **grid** over the learning rate {1e-3, 1e-2, 1e-1, 1} and the weight decay
  {1e-6, 1e-5, 1e-4, 1e-3} (geometric, covering the same ranges);
* 16 **random** points, the learning rate log-uniform in [1e-3, 1] and the weight decay
  log-uniform in [1e-6, 1e-2].

Each search is repeated 5 times (repetition r trains its runs with the seeds 100 r + k; the
random search also draws new points, from the seed 1000 + r). The winner of every search (its
best validation accuracy) is then retrained with the 5 fresh seeds 500 to 504, because the
best score of a search is the maximum of noisy numbers and biased upward. Everything is
deterministic given the seeds (on a given machine and BLAS). The data, ``make_mlp``,
``make_schedule`` and ``train`` are copies of the chapter's cells (``train`` without the
shifts, which the search does not use); the chapter reruns one entry and checks that it matches.
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
from nnbook.clip_grad import clip_grad_norm_  # noqa: E402
from nnbook.data import DataLoader  # noqa: E402
from nnbook.layers import Linear, Sequential  # noqa: E402
from nnbook.losses import CrossEntropyLoss  # noqa: E402
from nnbook.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR  # noqa: E402
from nnbook.one_cycle import OneCycleLR  # noqa: E402
from nnbook.optim import SGD  # noqa: E402
from nnbook.swa_utils import AveragedModel, get_ema_multi_avg_fn  # noqa: E402
from nnbook.train import predict  # noqa: E402

OUT = ROOT / "book" / "data" / "tuning_search.json"
COMMAND = "OPENBLAS_NUM_THREADS=1 python experiments/tuning_search.py"
GRID_LR, GRID_WD = [1e-3, 1e-2, 1e-1, 1.0], [1e-6, 1e-5, 1e-4, 1e-3]
LR_RANGE, WD_RANGE = (1e-3, 1.0), (1e-6, 1e-2)
RETRAIN_SEEDS = [500, 501, 502, 503, 504]


# --- the chapter's data, model and training loop (copies of its cells) ---
def load_split():
    from sklearn import model_selection
    from sklearn.datasets import load_digits

    digits = load_digits()
    X, y = digits.data / 16.0, digits.target
    X_train, _, y_train, _ = model_selection.train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=0)
    return model_selection.train_test_split(X_train, y_train, test_size=0.2, stratify=y_train,
                                            random_state=0)


X_fit, X_val, y_fit, y_val = load_split()


def make_mlp(rng, hidden=(128, 128)):
    """64 pixels -> hidden ReLU layers -> 10 logits, with Linear's default initialization."""
    layers, width = [], 64
    for units in hidden:
        layers += [Linear(width, units, rng=rng), ReLU()]
        width = units
    return Sequential(*layers, Linear(width, 10, rng=rng))


def make_schedule(optimizer, steps, warmup=0.0, cosine=False, one_cycle=None):
    """The per-batch schedule of a run of `steps` batches; None keeps the rate constant."""
    if one_cycle:
        return OneCycleLR(optimizer, max_lr=one_cycle, total_steps=steps)
    if not cosine:
        return None
    w = round(warmup * steps)                                       # warm-up batches
    decay = CosineAnnealingLR(optimizer, T_max=steps - w)           # T counted in batches
    if w == 0:
        return decay
    return SequentialLR(optimizer, [LinearLR(optimizer, start_factor=0.01, total_iters=w), decay],
                        milestones=[w])


def train(seed, *, lr=0.5, weight_decay=0.0, epochs=12, batch_size=32, max_norm=None, warmup=0.0,
          cosine=False, one_cycle=None, shift_p=0.0, smoothing=0.0, ema=None):
    """Train make_mlp with SGD (momentum 0.9) on the fit split; return the model to use and a log."""
    if shift_p:
        raise NotImplementedError("the search does not use the shifts")
    rng = np.random.default_rng(seed)
    model = make_mlp(rng)
    optimizer = SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=weight_decay)
    steps = epochs * -(-len(y_fit) // batch_size)                   # batches in the whole run
    scheduler = make_schedule(optimizer, steps, warmup, cosine, one_cycle)
    averaged = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(ema)) if ema else None
    loss_fn, log = CrossEntropyLoss(label_smoothing=smoothing), {"loss": [], "norm": [], "lr": []}
    for epoch in range(epochs):
        for xb, yb in DataLoader(X_fit, y_fit, batch_size=batch_size, shuffle=True, rng=rng):
            optimizer.zero_grad()
            log["loss"].append(loss_fn(model(xb), yb))
            model.backward(loss_fn.backward(), input_grad=False)
            log["norm"].append(clip_grad_norm_(model.parameters(), max_norm or np.inf))
            log["lr"].append(optimizer.lr)
            optimizer.step()
            if scheduler is not None:
                scheduler.step()                                    # once per batch
            if averaged is not None:
                averaged.update_parameters(model)
    return (model if averaged is None else averaged), {k: np.array(v) for k, v in log.items()}


def accuracy_of(model):
    return float(np.mean(predict(model, X_val).argmax(axis=1) == y_val))


# --- the searches ---
def score(seed, lr, weight_decay, epochs):
    with np.errstate(over="ignore", invalid="ignore"):       # a rate of 1 may diverge
        try:
            model, _ = train(seed, lr=lr, weight_decay=weight_decay, epochs=epochs,
                             warmup=0.1, cosine=True)
            return accuracy_of(model)
        except ValueError:                                     # NaN reached a layer's input check
            return 0.0


def search(points, repeat, epochs):
    trials = []
    for k, (lr, wd) in enumerate(points):
        seed = 100 * repeat + k
        trials.append({"lr": lr, "weight_decay": wd, "seed": seed,
                       "accuracy": score(seed, lr, wd, epochs)})
    return trials


def run(quick=False):
    start = time.time()
    budget, repeats, epochs = (4, 1, 2) if quick else (16, 5, 12)
    seeds = RETRAIN_SEEDS[:1] if quick else RETRAIN_SEEDS
    side = int(round(budget ** 0.5))
    grid = [(lr, wd) for lr in GRID_LR[::4 // side] for wd in GRID_WD[::4 // side]]
    results = {"grid": [], "random": [], "grid_retrained": [], "random_retrained": []}
    for r in range(repeats):
        draw = np.random.default_rng(1000 + r)
        random_points = [(float(10 ** draw.uniform(*np.log10(LR_RANGE))),
                          float(10 ** draw.uniform(*np.log10(WD_RANGE)))) for _ in range(budget)]
        for method, points in (("grid", grid), ("random", random_points)):
            trials = search(points, r, epochs)
            results[method].append(trials)
            best = max(trials, key=lambda t: t["accuracy"])
            results[f"{method}_retrained"].append(
                [score(s, best["lr"], best["weight_decay"], epochs) for s in seeds])
    return {
        "command": COMMAND + (" --quick" if quick else ""),
        "budget": budget, "repeats": repeats, "epochs": epochs,
        "grid_lr": GRID_LR, "grid_weight_decay": GRID_WD,
        "lr_range": list(LR_RANGE), "weight_decay_range": list(WD_RANGE),
        "retrain_seeds": seeds,
        **results,
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "nnbook": nnbook.__version__},
        "runtime_seconds": round(time.time() - start, 1),
    }


if __name__ == "__main__":
    _cli.main(run, OUT, __doc__)
