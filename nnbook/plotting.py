# Generated from book/eng_training.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Plotting: the figures of the book (appendix, *The machinery of the training loop*).

:func:`plot_history` draws the per-epoch curves of a
:class:`~nnbook.callbacks.History`, :func:`plot_decision_boundary` the regions a
classifier of two-dimensional inputs assigns to each class, and
:func:`plot_confusion_matrix` a confusion matrix with its counts. Each takes an
optional matplotlib ``ax`` and returns the axes it drew on. matplotlib is
imported only inside these functions: the rest of ``nnbook`` needs NumPy alone.
"""

__all__ = ['plot_history', 'plot_decision_boundary', 'plot_confusion_matrix']


# %% book/eng_training.ipynb cell-036
import numpy as np

from nnbook.callbacks import History
from nnbook.checks import check_input, positive_int
from nnbook.train import predict


def plot_history(history, keys=None, ax=None, *, title="Training history", logy=False):
    """Plot per-epoch numbers of a :class:`History` against the epoch.

    Parameters
    ----------
    history : History or dict of list
        What :func:`~nnbook.train.fit` returned (or its ``.history`` dict).
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
        A classifier of two-dimensional inputs, evaluated with :func:`~nnbook.train.predict`.
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
    resolution = positive_int(resolution, "resolution", "plot_decision_boundary")
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


# %% book/eng_training.ipynb cell-037
def plot_confusion_matrix(matrix, class_names=None, ax=None, *, normalize=False,
                          title="Confusion matrix"):
    """Draw a confusion matrix (rows: true class, columns: predicted class) with its counts.

    Parameters
    ----------
    matrix : array_like, shape (C, C)
        From :func:`nnbook.metrics.confusion_matrix`.
    class_names : sequence of str, optional
        Tick labels (default: the class numbers).
    ax : matplotlib Axes, optional
    normalize : bool, default False
        Colour and annotate each row as fractions of its true class (the
        diagonal is then the recall of each class).
    title : str, default "Confusion matrix"

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] == 0:
        raise ValueError(f"plot_confusion_matrix: expected a square (C, C) matrix, got shape {matrix.shape}")
    n = matrix.shape[0]
    names = [str(c) for c in range(n)] if class_names is None else [str(c) for c in class_names]
    if len(names) != n:
        raise ValueError(f"plot_confusion_matrix: {len(names)} class_names for a {n}x{n} matrix")
    shown = matrix.astype(float)
    if normalize:
        rows = shown.sum(axis=1, keepdims=True)
        shown = np.divide(shown, rows, out=np.zeros_like(shown), where=rows > 0)
    if ax is None:
        ax = plt.subplots()[1]
    ax.imshow(shown, cmap="Blues", vmin=0)
    ax.grid(False)
    top = shown.max() if shown.size else 0
    for (i, j), value in np.ndenumerate(shown):
        text = f"{value:.2f}" if normalize else f"{int(matrix[i, j])}"
        ax.text(j, i, text, ha="center", va="center",
                color="white" if value > 0.6 * top else "black")
    ax.set_xticks(range(n), names)
    ax.set_yticks(range(n), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    return ax
