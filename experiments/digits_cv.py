#!/usr/bin/env python3
"""The cross-validation, learning curve and scikit-learn comparison behind chapter 12.

Chapter 12 (``book/12_digits.ipynb``, *Case study: handwritten digits*) reads the
results from ``book/data/digits_cv.json``; this script writes that file. Run it from
the repository root, on one BLAS thread:

    OPENBLAS_NUM_THREADS=1 .venv/bin/python experiments/digits_cv.py

It takes about half an hour on one core. ``--quick`` runs a tiny configuration (two folds, one seed,
a few epochs; under 20 s) and by default writes to a temporary file, not to the book.

What it computes, all on scikit-learn's bundled digits split exactly as in the chapter
(``train_test_split(test_size=0.2, stratify=y, random_state=0)``, inputs divided by 16):

* ``nnbook_rows``: five-fold stratified cross-validation on the 1437 training images
  (``StratifiedKFold(5, shuffle=True, random_state=0)``), two seeds per fold (seed
  ``100 * s + k`` for seed index ``s`` and fold ``k``), for every row of the chapter's
  table, including the two AdamW rows;
* ``sklearn_default_cv``: ``MLPClassifier(max_iter=500)`` on the same folds;
* ``learning_curve``: the chosen setting trained on stratified subsets of each training
  fold (accuracy on the full validation fold), to see what more images buy;
* ``sklearn_search``: a random search for ``MLPClassifier`` trained with the chapter's
  shift augmentation (``partial_fit`` once per epoch on a freshly shifted copy), over
  ``hidden_layer_sizes``, ``alpha``, ``learning_rate_init`` and ``batch_size``, scored
  after 100, 200 and 400 epochs on the same folds and seeds;
* ``test``: the four models of the chapter's 2 x 2 comparison ({nnbook, scikit-learn} x
  {plain or default, tuned + augmented}), trained on all 1437 training images for seeds
  0 to 4 and evaluated once on the 360 test images; the indices of the misclassified
  test images are stored, so that the chapter can run McNemar's test.

The test set is touched only in that last step, after every choice has been made on
the folds. Everything is deterministic given the seeds (on a given machine and BLAS).
The functions ``make_mlp``, ``shift_images``, ``random_shifts`` and ``train_digits``
are copies of the chapter's cells; the chapter checks that its own test accuracies
match the ones stored here.
"""
from __future__ import annotations

import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn import model_selection
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import _cli  # noqa: E402  (experiments/_cli.py: the shared command line)
import nnbook  # noqa: E402
from nnbook.activations import ReLU  # noqa: E402
from nnbook.init import he_normal  # noqa: E402
from nnbook.layers import Linear, Sequential  # noqa: E402
from nnbook.losses import CrossEntropyLoss  # noqa: E402
from nnbook.lr_scheduler import CosineAnnealingLR  # noqa: E402
from nnbook.optim import Adam, AdamW  # noqa: E402
from nnbook.regularization import BatchNorm1d, Dropout  # noqa: E402
from nnbook.train import fit, predict  # noqa: E402

OUT = ROOT / "book" / "data" / "digits_cv.json"
COMMAND = "OPENBLAS_NUM_THREADS=1 python experiments/digits_cv.py"


# --- the chapter's model, augmentation and training function (copies of its cells) ---

def make_mlp(hidden=(256,), batch_norm=True, dropout=0.0, rng=None):
    """64 inputs -> hidden layers (Linear, optional BatchNorm1d, ReLU, optional Dropout) -> 10 logits."""
    rng = np.random.default_rng(rng)
    layers, width = [], 64
    for units in hidden:
        layers.append(Linear(width, units, init=he_normal, rng=rng))
        if batch_norm:
            layers.append(BatchNorm1d(units))
        layers.append(ReLU())
        if dropout > 0:
            layers.append(Dropout(dropout, rng=rng))
        width = units
    layers.append(Linear(width, 10, rng=rng))
    return Sequential(*layers)


SHIFTS = np.array([(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if dr or dc])  # 8 moves


def shift_images(X, dr, dc):
    """Move image i of X (n, 64) by dr[i] rows (down if > 0) and dc[i] columns (right if > 0)."""
    n = X.shape[0]
    padded = np.pad(X.reshape(n, 8, 8), ((0, 0), (1, 1), (1, 1)))  # a border of zeros
    rows = 1 - dr[:, None] + np.arange(8)                          # (n, 8) source rows
    cols = 1 - dc[:, None] + np.arange(8)                          # (n, 8) source columns
    out = padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]
    return out.reshape(n, 64)


def random_shifts(X, rng, p=0.5):
    """A copy of X in which each image, with probability p, moves one pixel in one of 8 directions."""
    n = X.shape[0]
    moved = rng.random(n) < p
    dr = np.zeros(n, dtype=np.intp)
    dc = np.zeros(n, dtype=np.intp)
    dr[moved], dc[moved] = SHIFTS[rng.integers(0, len(SHIFTS), moved.sum())].T
    return shift_images(X, dr, dc)


def train_digits(X, y, seed, *, hidden=(256,), batch_norm=True, dropout=0.0, shift_p=0.5,
                 epochs=100, batch_size=64, lr=2e-3, cosine=True, weight_decay=0.0,
                 validation_data=None):
    """Train make_mlp(...) on (X, y) with Adam (AdamW if weight_decay > 0); return the model and the logs."""
    rng = np.random.default_rng(seed)
    model = make_mlp(hidden, batch_norm, dropout, rng)
    if weight_decay > 0:
        optimizer = AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    else:
        optimizer = Adam(model.parameters(), lr=lr)
    scheduler = CosineAnnealingLR(optimizer, T_max=epochs) if cosine else None
    logs = {}
    for epoch in range(epochs):
        X_epoch = random_shifts(X, rng, shift_p) if shift_p > 0 else X
        history = fit(model, CrossEntropyLoss(), optimizer, X_epoch, y, epochs=1,
                      batch_size=batch_size, validation_data=validation_data,
                      metrics=["accuracy"], scheduler=scheduler, rng=rng)
        for key, values in history.history.items():
            logs.setdefault(key, []).extend(values)
    return model, logs


# --- the rows of the chapter's table -------------------------------------------------

PLAIN = dict(batch_norm=False, shift_p=0.0, epochs=60, batch_size=32, lr=1e-3, cosine=False)
ROW2 = dict(PLAIN, epochs=100, cosine=True)
ROWS = [  # (row, label, setting: arguments of train_digits)
    (1, "plain: 64-256-10, He init, Adam lr 1e-3, minibatches of 32, 60 epochs, constant lr", PLAIN),
    (2, "row 1, 100 epochs, cosine schedule", ROW2),
    (3, "row 2 + dropout p = 0.2 after the ReLU", dict(ROW2, dropout=0.2)),
    (4, "row 2 + batch normalization", dict(ROW2, batch_norm=True)),
    (5, "row 2 + shifts (p = 0.5)", dict(ROW2, shift_p=0.5)),
    (6, "row 2 + batch normalization + shifts", dict(ROW2, batch_norm=True, shift_p=0.5)),
    (7, "row 6 with minibatches of 64 and lr 2e-3 (chosen)", {}),
    (8, "row 7, every image shifted every epoch (p = 1)", dict(shift_p=1.0)),
    (9, "row 7, two hidden layers, 256 and 128 units", dict(hidden=(256, 128))),
    (10, "row 7, 128 hidden units", dict(hidden=(128,))),
    (11, "row 7, 512 hidden units", dict(hidden=(512,))),
    (12, "row 7 with AdamW, weight decay 0.05", dict(weight_decay=0.05)),
    (13, "row 7 with AdamW, weight decay 0.1", dict(weight_decay=0.1)),
]
CHOSEN_ROW = 7

# MLPClassifier with the shifts: the search space (random search, numpy seed SEARCH_SEED).
SEARCH_SEED = 0
SK_DEFAULT = dict(hidden=(100,), alpha=1e-4, lr=1e-3, batch_size=200)
SK_HIDDEN = [(100,), (256,), (512,), (256, 128)]
SK_BATCH = [32, 64, 128, 200]


def search_space(n_configs, rng):
    """The defaults first, then n_configs - 1 random draws (log-uniform alpha and lr)."""
    configs = [dict(SK_DEFAULT)]
    for _ in range(n_configs - 1):
        configs.append(dict(
            hidden=SK_HIDDEN[rng.integers(len(SK_HIDDEN))],
            alpha=float(f"{10 ** rng.uniform(-5, -1):.2g}"),
            lr=float(f"{10 ** rng.uniform(-3.5, -2):.2g}"),
            batch_size=SK_BATCH[rng.integers(len(SK_BATCH))]))
    return configs


def sklearn_with_shifts(X, y, seed, config, checkpoints, score_on=None, shift_p=0.5):
    """MLPClassifier trained by partial_fit, one epoch per call on a freshly shifted copy of X.

    Returns the classifier after max(checkpoints) epochs and, if score_on = (X_val, y_val),
    the validation accuracy after each checkpoint. The random_state is a RandomState
    *instance*: with an integer, every partial_fit call would restart the generator and
    visit the minibatches in the same order every epoch.
    """
    rng = np.random.default_rng(seed)
    clf = MLPClassifier(hidden_layer_sizes=config["hidden"], alpha=config["alpha"],
                        learning_rate_init=config["lr"], batch_size=config["batch_size"],
                        random_state=np.random.RandomState(seed))
    scores = []
    for epoch in range(1, max(checkpoints) + 1):
        clf.partial_fit(random_shifts(X, rng, shift_p), y, classes=np.arange(10))
        if score_on is not None and epoch in checkpoints:
            scores.append(float(clf.score(*score_on)))
    return clf, scores


def sklearn_default(X, y, seed, max_iter=500):
    """MLPClassifier with its defaults (max_iter=500); (classifier, converged?)."""
    clf = MLPClassifier(max_iter=max_iter, random_state=seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        clf.fit(X, y)
    return clf, not any(issubclass(w.category, ConvergenceWarning) for w in caught)


def accuracy(model, X, y):
    return float(np.mean(predict(model, X).argmax(axis=1) == y))


def data():
    digits = load_digits()
    X, y = digits.data / 16.0, digits.target
    return model_selection.train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)


def log(message, start):
    print(f"[{time.perf_counter() - start:7.1f} s] {message}", flush=True)


def run(quick=False):
    start = time.perf_counter()
    X_train, X_test, y_train, y_test = data()
    n_folds = 2 if quick else 5
    cv_seeds = [0] if quick else [0, 1]
    test_seeds = [0] if quick else [0, 1, 2, 3, 4]
    rows = [r for r in ROWS if r[0] in (1, CHOSEN_ROW)] if quick else ROWS
    short = dict(epochs=2) if quick else {}                     # quick: a few epochs only
    checkpoints = [1, 2] if quick else [100, 200, 400]
    n_configs = 2 if quick else 12
    fractions = [0.5, 1.0] if quick else [0.25, 0.5, 0.75, 1.0]

    folds = list(model_selection.StratifiedKFold(n_folds, shuffle=True, random_state=0)
                 .split(X_train, y_train))

    def cv_seed(s, k):
        return 100 * s + k

    # 1. The rows of the table: scores[s][k] for seed index s and fold k.
    nnbook_rows = []
    for row, label, setting in rows:
        setting = dict(setting, **short)
        scores = [[accuracy(train_digits(X_train[fi], y_train[fi], cv_seed(s, k), **setting)[0],
                            X_train[vi], y_train[vi])
                   for k, (fi, vi) in enumerate(folds)] for s in range(len(cv_seeds))]
        nnbook_rows.append(dict(row=row, label=label, setting=setting, scores=scores))
        log(f"row {row:2d}: {np.mean(scores):.2%}  {label}", start)

    # 2. MLPClassifier with its defaults, on the same folds (random_state = cv_seed).
    sk_scores, sk_converged = np.zeros((len(cv_seeds), n_folds)), np.zeros((len(cv_seeds), n_folds), bool)
    for s in range(len(cv_seeds)):
        for k, (fi, vi) in enumerate(folds):
            clf, sk_converged[s, k] = sklearn_default(X_train[fi], y_train[fi], cv_seed(s, k),
                                                      max_iter=5 if quick else 500)
            sk_scores[s, k] = clf.score(X_train[vi], y_train[vi])
    log(f"MLPClassifier defaults: {np.mean(sk_scores):.2%}", start)

    # 3. Learning curve of the chosen setting: a stratified subset of each training fold.
    chosen_setting = dict({r: s for r, _, s in ROWS}[CHOSEN_ROW], **short)
    chosen_scores = next(r["scores"] for r in nnbook_rows if r["row"] == CHOSEN_ROW)
    curve_scores, curve_sizes = [], []
    for fraction in fractions:
        if fraction == 1.0:                 # the full training folds: row 7 itself
            curve_scores.append(chosen_scores)
            curve_sizes.append(float(np.mean([len(fi) for fi, _ in folds])))
            continue
        per_seed, sizes = [], []
        for s in range(len(cv_seeds)):
            per_fold = []
            for k, (fi, vi) in enumerate(folds):
                subset, _ = model_selection.train_test_split(
                    fi, train_size=fraction, stratify=y_train[fi], random_state=k)
                sizes.append(len(subset))
                model, _ = train_digits(X_train[subset], y_train[subset], cv_seed(s, k),
                                        **chosen_setting)
                per_fold.append(accuracy(model, X_train[vi], y_train[vi]))
            per_seed.append(per_fold)
        curve_scores.append(per_seed)
        curve_sizes.append(float(np.mean(sizes)))
        log(f"learning curve, {fraction:.0%} of each training fold: {np.mean(per_seed):.2%}", start)

    # 4. MLPClassifier with the shifts: random search on the same folds and seeds.
    configs = search_space(n_configs, np.random.default_rng(SEARCH_SEED))
    for i, config in enumerate(configs):
        scores = np.empty((len(checkpoints), len(cv_seeds), n_folds))
        for s in range(len(cv_seeds)):
            for k, (fi, vi) in enumerate(folds):
                _, at = sklearn_with_shifts(X_train[fi], y_train[fi], cv_seed(s, k), config,
                                            checkpoints, score_on=(X_train[vi], y_train[vi]))
                scores[:, s, k] = at
        config["scores"] = scores.tolist()
        log(f"MLPClassifier + shifts, config {i} {config['hidden']} alpha {config['alpha']:g} "
            f"lr {config['lr']:g} batch {config['batch_size']}: "
            + ", ".join(f"{e} epochs {m:.2%}" for e, m in zip(checkpoints, scores.mean(axis=(1, 2)))),
            start)
    means = np.array([np.mean(c["scores"], axis=(1, 2)) for c in configs])   # (config, checkpoint)
    best_config, best_epochs = np.unravel_index(np.argmax(means), means.shape)
    chosen_sk = {key: configs[best_config][key] for key in ("hidden", "alpha", "lr", "batch_size")}
    chosen_epochs = checkpoints[best_epochs]
    log(f"chosen MLPClassifier: config {best_config}, {chosen_epochs} epochs", start)

    # 5. The test set, once per seed, for the four models of the 2 x 2 comparison.
    def wrong(pred):
        return np.flatnonzero(pred != y_test).tolist()

    test = {name: {"wrong": []} for name in
            ("nnbook_plain", "nnbook_chosen", "sklearn_default", "sklearn_tuned")}
    plain_setting = dict(PLAIN, **short)
    for seed in test_seeds:
        model, _ = train_digits(X_train, y_train, seed, **plain_setting)
        test["nnbook_plain"]["wrong"].append(wrong(predict(model, X_test).argmax(axis=1)))
        model, _ = train_digits(X_train, y_train, seed, **chosen_setting)
        test["nnbook_chosen"]["wrong"].append(wrong(predict(model, X_test).argmax(axis=1)))
        clf, _ = sklearn_default(X_train, y_train, seed, max_iter=5 if quick else 500)
        test["sklearn_default"]["wrong"].append(wrong(clf.predict(X_test)))
        clf, _ = sklearn_with_shifts(X_train, y_train, seed, chosen_sk, [chosen_epochs])
        test["sklearn_tuned"]["wrong"].append(wrong(clf.predict(X_test)))
        log(f"test, seed {seed}: errors " + ", ".join(
            f"{name} {len(v['wrong'][-1])}" for name, v in test.items()), start)
    test["nnbook_plain"]["setting"] = plain_setting
    test["nnbook_chosen"]["setting"] = chosen_setting
    test["sklearn_default"]["setting"] = {"max_iter": 5 if quick else 500}
    test["sklearn_tuned"]["setting"] = dict(chosen_sk, epochs=chosen_epochs, shift_p=0.5)

    return {
        "description": "Cross-validation, learning curve, MLPClassifier search and test "
                       "predictions behind chapter 12 (book/12_digits.ipynb); "
                       "written by experiments/digits_cv.py.",
        "command": COMMAND + (" --quick" if quick else ""),
        "quick": quick,
        "split": "sklearn train_test_split(X, y, test_size=0.2, stratify=y, random_state=0), X = digits.data / 16",
        "folds": f"StratifiedKFold({n_folds}, shuffle=True, random_state=0) on the training set",
        "n_train": int(len(y_train)), "n_test": int(len(y_test)), "n_folds": n_folds,
        "fold_sizes": [[int(len(fi)), int(len(vi))] for fi, vi in folds],
        "seeds": {"cv_seed_indices": cv_seeds, "cv_seed_rule": "seed = 100 * s + k for seed index s and fold k",
                  "test": test_seeds, "search": SEARCH_SEED},
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "scikit-learn": sklearn.__version__, "nnbook": nnbook.__version__,
                     "machine": platform.machine()},
        "nnbook_rows": nnbook_rows,
        "chosen_row": CHOSEN_ROW,
        "sklearn_default_cv": {"setting": {"max_iter": 5 if quick else 500},
                               "scores": sk_scores.tolist(), "converged": sk_converged.tolist()},
        "learning_curve": {"row": CHOSEN_ROW, "fractions": fractions, "mean_train_size": curve_sizes,
                           "scores": curve_scores},
        "sklearn_search": {"space": {"hidden_layer_sizes": [list(h) for h in SK_HIDDEN],
                                     "alpha": "log-uniform in [1e-5, 1e-1]",
                                     "learning_rate_init": "log-uniform in [10**-3.5, 1e-2]",
                                     "batch_size": SK_BATCH, "first": "the defaults"},
                           "shift_p": 0.5, "epochs": checkpoints, "configs": configs,
                           "chosen": {"config": int(best_config), "epochs": int(chosen_epochs)}},
        "test": test,
        "runtime_seconds": round(time.perf_counter() - start, 1),
    }


def main(argv=None):
    return _cli.main(run, OUT, __doc__, argv)


if __name__ == "__main__":
    main()
