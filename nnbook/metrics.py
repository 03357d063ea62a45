# Generated from book/07_batching.ipynb, book/10_training.ipynb, book/eng_training.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Metrics: how good a classifier's predictions are (chapter 10, *Training*).

A loss is what the optimizer minimises; a metric is what a person reads.
:func:`accuracy` is the fraction of correct predictions;
:func:`confusion_matrix` counts, for every true class, how often each class
was predicted; :func:`precision_recall_f1` derives per-class precision, recall
and :math:`F_1` from it and averages them (``"micro"``, ``"macro"``,
``"weighted"``, ``"binary"`` or per class); :func:`classification_report`
prints all of it as a table (``nnbook.plotting.plot_confusion_matrix`` draws it).

Predictions may be integer labels of shape ``(n,)``, score rows of shape
``(n, C)`` with :math:`C \\ge 2` (the predicted class is the argmax of each
row), or, for a binary classifier with one output, scores of shape ``(n,)`` or
``(n, 1)`` with a ``threshold`` (0 for logits, 0.5 for probabilities). Nothing
is broadcast: a column ``(n, 1)`` against labels ``(n,)`` is a ``ValueError``
naming the function and both shapes. Divisions by zero (a class never
predicted, or never present) give 0, without a warning. The results agree with
``sklearn.metrics`` (the tests check it).
"""

__all__ = ['paired_difference', 'best_of', 'accuracy', 'confusion_matrix', 'precision_recall_f1', 'classification_report', 'METRIC_NAMES']


# %% book/07_batching.ipynb cell-037
import numpy as np

from nnbook.checks import all_finite

# t_{0.975, df} for df = 1..30; beyond, the Cornish-Fisher expansion around z = 1.96
# (Abramowitz and Stegun 26.7.5). Both agree with the exact quantiles to 1e-3.
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
         2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
         2.052, 2.048, 2.045, 2.042)


def paired_difference(a, b):
    """Mean paired difference of two settings scored on the same seeds, and its 95% half-width.

    Run ``i`` of ``a`` and of ``b`` share the seed (initial weights, batch order), so the
    differences :math:`d_i = a_i - b_i` are free of that luck. The interval is
    :math:`\\bar d \\pm t_{0.975,\\,k-1}\\, s_d/\\sqrt k`; when it contains 0 the two are a tie.

    Parameters
    ----------
    a, b : array_like of shape (k,)
        The two settings' scores, :math:`k \\ge 2` paired runs.

    Returns
    -------
    mean, half_width : float
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1 or a.size < 2 or not (all_finite(a) and all_finite(b)):
        raise ValueError(f"paired_difference: need two finite score vectors of one length >= 2, got "
                         f"shapes {a.shape} and {b.shape}; pair run i of one setting with run i of "
                         "the other")
    d, df, z = a - b, a.size - 1, 1.959964
    t = (_T975[df - 1] if df <= len(_T975)
         else z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2))
    return float(d.mean()), float(t * d.std(ddof=1) / np.sqrt(d.size))


def best_of(scores, *, higher_is_better=True):
    """The setting with the best mean score, and the settings tied with it.

    Parameters
    ----------
    scores : dict
        ``{setting: scores over the same k seeds}``, arrays of shape ``(k,)``.
    higher_is_better : bool, default True
        False for losses.

    Returns
    -------
    best : key of ``scores``
    tied : list
        The other settings whose paired difference with ``best`` is a tie
        (:func:`paired_difference`), in the order of ``scores``.
    """
    sign = 1.0 if higher_is_better else -1.0
    best = max(scores, key=lambda name: sign * np.mean(scores[name]))
    tied = []
    for name in scores:
        mean, half = paired_difference(scores[best], scores[name]) if name != best else (1.0, 0.0)
        if abs(mean) <= half:
            tied.append(name)
    return best, tied


# %% book/10_training.ipynb cell-005
import numpy as np

from nnbook.checks import positive_int


def accuracy(y_true, y_pred, *, threshold=None):
    """Fraction of samples whose predicted class is the true class.

    .. math::

        \\text{accuracy} = \\frac{1}{n} \\sum_{i=1}^{n} [\\hat y_i = y_i]

    Parameters
    ----------
    y_true : array_like, shape (n,) or (n, C)
        Integer class labels (whole-number floats and booleans are accepted),
        or one-hot / probability rows, whose argmax is taken.
    y_pred : array_like, shape (n,) or (n, C)
        Predicted labels, or score rows (logits or probabilities, :math:`C \\ge 2`)
        whose argmax is the predicted class.
    threshold : float, optional
        For a binary classifier with one output: ``y_pred`` holds scores of
        shape ``(n,)`` or ``(n, 1)`` and the predicted class is
        ``y_pred > threshold`` (0.0 for logits, 0.5 for probabilities);
        ``y_true`` must then have exactly the shape of ``y_pred``.

    Returns
    -------
    float
        In :math:`[0, 1]`.

    Raises
    ------
    ValueError
        If the shapes differ (a column ``(n, 1)`` is never broadcast against
        ``(n,)``), if a label is negative, not a whole number or out of range
        of the score columns, or if a single score column comes without a
        ``threshold``.

    Examples
    --------
    >>> accuracy([0, 1, 2, 2], [0, 2, 2, 2])
    0.75
    >>> accuracy([1, 0], [[0.2, 0.8], [0.9, 0.1]])      # scores: argmax
    1.0
    >>> accuracy([[1.0], [0.0]], [[2.3], [-0.4]], threshold=0.0)   # binary logits
    1.0
    """
    true, pred, _ = _label_pair(y_true, y_pred, "accuracy", threshold=threshold)
    return float(np.count_nonzero(true == pred) / true.size)


# %% book/10_training.ipynb cell-009
def confusion_matrix(y_true, y_pred, n_classes=None, *, threshold=None):
    """Count how often each true class was predicted as each class.

    Entry :math:`M_{jk}` is the number of samples of true class :math:`j`
    predicted as class :math:`k` (rows: truth, columns: prediction, the
    convention of scikit-learn). The diagonal holds the correct predictions;
    row sums are the class counts (the *support*), column sums how often each
    class was predicted.

    Parameters
    ----------
    y_true, y_pred, threshold
        As in :func:`accuracy`.
    n_classes : int, optional
        :math:`C`, the size of the matrix. By default the number of score
        columns, or else the largest label plus one. Pass it when a class may
        be missing from both arrays.

    Returns
    -------
    ndarray of int64, shape (C, C)

    Examples
    --------
    >>> confusion_matrix([0, 0, 1, 2], [0, 1, 1, 1])
    array([[1, 1, 0],
           [0, 1, 0],
           [0, 1, 0]])
    """
    true, pred, n_classes = _label_pair(
        y_true, y_pred, "confusion_matrix", n_classes=n_classes, threshold=threshold
    )
    # Each (true, pred) pair gets one index in [0, C^2); counting the indices fills M row by row.
    counts = np.bincount(true * n_classes + pred, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes).astype(np.int64, copy=False)


# %% book/10_training.ipynb cell-013
def _safe_divide(numerator, denominator):
    """numerator / denominator, with 0 wherever the denominator is 0 (no warning)."""
    numerator = np.asarray(numerator, dtype=np.float64)
    out = np.zeros_like(numerator)
    np.divide(numerator, denominator, out=out, where=np.asarray(denominator) > 0)
    return out


def precision_recall_f1(y_true, y_pred, average="macro", *, n_classes=None, threshold=None, pos_label=1):
    """Precision, recall and :math:`F_1` score, per class or averaged.

    With the confusion matrix :math:`M`, for class :math:`c`: true positives
    :math:`TP_c = M_{cc}`, false positives :math:`FP_c = \\sum_{j \\ne c} M_{jc}`
    (predicted :math:`c`, truly something else), false negatives
    :math:`FN_c = \\sum_{k \\ne c} M_{ck}` (truly :math:`c`, predicted something
    else), and

    .. math::

        P_c = \\frac{TP_c}{TP_c + FP_c}, \\qquad
        R_c = \\frac{TP_c}{TP_c + FN_c}, \\qquad
        F_{1,c} = \\frac{2 P_c R_c}{P_c + R_c} = \\frac{2\\,TP_c}{2\\,TP_c + FP_c + FN_c}.

    A ratio whose denominator is zero (a class never predicted, or never
    present) is 0, without a warning (scikit-learn's ``zero_division=0``).

    Parameters
    ----------
    y_true, y_pred, threshold
        As in :func:`accuracy`.
    average : {"macro", "micro", "weighted", "binary", None}, default "macro"
        ``None``: arrays with one value per class. ``"macro"``: the unweighted
        mean over the classes that occur in ``y_true`` or ``y_pred`` (every
        class counts the same, however rare). ``"weighted"``: the mean over
        classes weighted by their support. ``"micro"``: pool the counts of
        all classes first; for single-label classification all three micro
        scores equal the accuracy. ``"binary"``: the scores of class
        ``pos_label`` alone (at most two classes).
    n_classes : int, optional
        :math:`C`, as in :func:`confusion_matrix`.
    pos_label : int, default 1
        The positive class for ``average="binary"``.

    Returns
    -------
    precision, recall, f1 : float, or ndarray of shape (C,) if ``average`` is None

    Examples
    --------
    >>> p, r, f = precision_recall_f1([0, 0, 1, 1], [0, 1, 1, 1], average=None)
    >>> p.tolist(), r.tolist(), np.round(f, 3).tolist()
    ([1.0, 0.6666666666666666], [0.5, 1.0], [0.667, 0.8])
    """
    who = "precision_recall_f1"
    if average not in ("macro", "micro", "weighted", "binary", None):
        raise ValueError(
            f"{who}: average must be 'macro', 'micro', 'weighted', 'binary' or None, got {average!r}"
        )
    true, pred, n_classes = _label_pair(y_true, y_pred, who, n_classes=n_classes, threshold=threshold)
    M = np.bincount(true * n_classes + pred, minlength=n_classes * n_classes).reshape(n_classes, n_classes)
    tp = np.diag(M)
    predicted = M.sum(axis=0)          # TP + FP, per class
    support = M.sum(axis=1)            # TP + FN, per class
    if average == "micro":
        # Pooled over classes, TP = trace(M) and TP + FP = TP + FN = n: all three equal the accuracy.
        score = float(tp.sum() / true.size)
        return score, score, score
    precision = _safe_divide(tp, predicted)
    recall = _safe_divide(tp, support)
    f1 = _safe_divide(2 * tp, predicted + support)
    if average is None:
        return precision, recall, f1
    if average == "binary":
        if n_classes > 2:
            raise ValueError(
                f"{who}: average='binary' needs at most 2 classes, got {n_classes}; "
                "use average='macro', 'micro', 'weighted' or None"
            )
        if isinstance(pos_label, bool) or not isinstance(pos_label, (int, np.integer)) or not 0 <= pos_label < 2:
            raise ValueError(f"{who}: pos_label must be 0 or 1, got {pos_label!r}")
        return float(precision[pos_label]), float(recall[pos_label]), float(f1[pos_label])
    if average == "weighted":
        weights = support / support.sum()
        return float(precision @ weights), float(recall @ weights), float(f1 @ weights)
    present = (support + predicted) > 0    # classes that occur in y_true or y_pred
    return (float(precision[present].mean()), float(recall[present].mean()),
            float(f1[present].mean()))


# %% book/10_training.ipynb cell-014
def classification_report(y_true, y_pred, *, n_classes=None, threshold=None, class_names=None, digits=3):
    """A text table of per-class precision, recall, :math:`F_1` and support, with averages.

    Parameters
    ----------
    y_true, y_pred, n_classes, threshold
        As in :func:`precision_recall_f1`.
    class_names : sequence of str, optional
        A name for each of the :math:`C` classes (default: the class numbers).
    digits : int, default 3
        Decimal places of the scores.

    Returns
    -------
    str
        One line per class, then the accuracy and the macro and weighted averages.
    """
    who = "classification_report"
    digits = positive_int(digits, "digits", who, minimum=0)
    true, pred, n_classes = _label_pair(y_true, y_pred, who, n_classes=n_classes, threshold=threshold)
    if class_names is None:
        class_names = [str(c) for c in range(n_classes)]
    else:
        class_names = [str(name) for name in class_names]
        if len(class_names) != n_classes:
            raise ValueError(f"{who}: got {len(class_names)} class_names for {n_classes} classes")
    p, r, f = precision_recall_f1(true, pred, average=None, n_classes=n_classes)
    support = np.bincount(true, minlength=n_classes)
    width = max(12, *(len(name) for name in class_names))
    head = f"{'':>{width}} {'precision':>9} {'recall':>9} {'f1':>9} {'support':>9}"
    lines = [head, ""]
    for name, pc, rc, fc, sc in zip(class_names, p, r, f, support):
        lines.append(f"{name:>{width}} {pc:>9.{digits}f} {rc:>9.{digits}f} {fc:>9.{digits}f} {sc:>9d}")
    lines.append("")
    acc = np.count_nonzero(true == pred) / true.size
    lines.append(f"{'accuracy':>{width}} {'':>9} {'':>9} {acc:>9.{digits}f} {true.size:>9d}")
    for average in ("macro", "weighted"):
        pa, ra, fa = precision_recall_f1(true, pred, average=average, n_classes=n_classes)
        lines.append(
            f"{average + ' avg':>{width}} {pa:>9.{digits}f} {ra:>9.{digits}f} {fa:>9.{digits}f} {true.size:>9d}"
        )
    return "\n".join(lines)


# %% book/eng_training.ipynb cell-014
from nnbook.losses import BCELoss, BCEWithLogitsLoss


def _metric_callable(name, loss_fn):
    """A named metric, as a function ``f(y_true, outputs)``."""
    # One output column is a binary classifier: its threshold follows from the loss.
    threshold = None
    if isinstance(loss_fn, BCEWithLogitsLoss):
        threshold = 0.0              # logits: class 1 when z > 0
    elif isinstance(loss_fn, BCELoss):
        threshold = 0.5              # probabilities: class 1 when p > 0.5

    def metric(y_true, outputs):
        single = outputs.ndim == 1 or outputs.shape[1] == 1
        t = threshold if single else None
        if name == "accuracy":
            return accuracy(y_true, outputs, threshold=t)
        p, r, f = precision_recall_f1(y_true, outputs, average="macro", threshold=t)
        return {"precision": p, "recall": r, "f1": f}[name]

    metric.__name__ = name
    return metric


METRIC_NAMES = ("accuracy", "precision", "recall", "f1")


def _resolve_metrics(metrics, loss_fn, who):
    """``{name: f(y_true, outputs)}`` from names, callables or a dict of them."""
    if metrics is None:
        return {}
    if isinstance(metrics, str) or callable(metrics):
        metrics = (metrics,)
    items = metrics.items() if isinstance(metrics, dict) else ((None, m) for m in metrics)
    resolved = {}
    for name, metric in items:
        if isinstance(metric, str):
            if metric not in METRIC_NAMES:
                raise ValueError(
                    f"{who}: unknown metric {metric!r}; use one of {list(METRIC_NAMES)} or a "
                    "function f(y_true, outputs) returning a number"
                )
            name = name or metric
            metric = _metric_callable(metric, loss_fn)
        elif callable(metric):
            name = name or getattr(metric, "__name__", None)
            if not name or name == "<lambda>":
                raise ValueError(
                    f"{who}: the metric {metric!r} has no usable name; pass a dict such as "
                    "metrics={'my_metric': f}"
                )
        else:
            raise ValueError(
                f"{who}: a metric must be a name ({list(METRIC_NAMES)}) or a function "
                f"f(y_true, outputs), got {type(metric).__name__}"
            )
        if name in ("loss", "lr") or name.startswith("val_") or name in resolved:
            raise ValueError(f"{who}: metric name {name!r} is reserved or used twice")
        resolved[name] = metric
    return resolved


def _compute_metrics(metric_fns, y_true, outputs, prefix=""):
    logs = {}
    for name, metric in metric_fns.items():
        logs[prefix + name] = float(metric(y_true, outputs))
    return logs


# %% book/eng_training.ipynb cell-017
from nnbook.checks import positive_int

_THRESHOLD_HINT = (
    "for the scores of a binary classifier (one output) pass threshold=0.0 for logits "
    "or threshold=0.5 for probabilities"
)


def _as_labels(y, who, name, threshold):
    """Turn labels, score rows or thresholded binary scores into int labels of shape (n,).

    Returns ``(labels, n_columns)``, where ``n_columns`` is the number of
    score columns (``None`` when ``y`` already holds labels).
    """
    y = np.asarray(y)
    if y.dtype.kind not in "biuf":  # booleans, integers or floats; not complex, text, objects
        raise ValueError(
            f"{who}: {name} must be a numeric array of real numbers, got dtype {y.dtype} "
            f"(shape {y.shape})"
        )
    if y.ndim == 0 or y.shape[0] == 0:
        raise ValueError(f"{who}: {name} must be a non-empty array of shape (n,) or (n, C), got shape {y.shape}")
    if y.ndim > 2:
        raise ValueError(f"{who}: {name} must have shape (n,) or (n, C), got shape {y.shape}")
    if np.issubdtype(y.dtype, np.floating) and not np.isfinite(y).all():
        raise ValueError(f"{who}: {name} of shape {y.shape} contains NaN or infinite values")
    if threshold is not None:
        if y.ndim == 2 and y.shape[1] != 1:
            raise ValueError(
                f"{who}: threshold is for binary scores of shape (n,) or (n, 1), but {name} "
                f"has shape {y.shape}; for {y.shape[1]} classes leave threshold=None (argmax)"
            )
        if name == "y_pred":
            return (y.reshape(-1) > threshold).astype(np.intp), None
    if y.ndim == 2:
        if y.shape[1] > 1:
            return y.argmax(axis=1), y.shape[1]
        y = y.reshape(-1)
    if y.dtype == bool:
        return y.astype(np.intp), None
    if not np.issubdtype(y.dtype, np.integer):
        whole = y == np.round(y)
        if not whole.all():
            bad = float(y[~whole][0])
            raise ValueError(
                f"{who}: {name} of shape {y.shape} holds {bad:g}, which is not a class label "
                f"(labels are whole numbers); {_THRESHOLD_HINT}"
            )
    if y.min() < 0:
        raise ValueError(
            f"{who}: class labels must be non-negative, but {name} holds {y.min():g}"
        )
    return y.astype(np.intp), None


def _label_pair(y_true, y_pred, who, *, n_classes=None, threshold=None):
    """Validate a pair of label arrays; return ``(true, pred, C)`` as int arrays and the class count."""
    y_true_arr, y_pred_arr = np.asarray(y_true), np.asarray(y_pred)
    if threshold is not None:
        if isinstance(threshold, bool) or not np.isscalar(threshold) or not np.isfinite(threshold):
            raise ValueError(f"{who}: threshold must be a finite number, got {threshold!r}")
        if y_true_arr.shape != y_pred_arr.shape:
            raise ValueError(
                f"{who}: with a threshold, y_true and y_pred must have the same shape, got "
                f"y_true of shape {y_true_arr.shape} and y_pred of shape {y_pred_arr.shape}"
            )
    elif any(a.ndim == 2 and a.shape[1] == 1 for a in (y_true_arr, y_pred_arr)):
        raise ValueError(
            f"{who}: y_true has shape {y_true_arr.shape} and y_pred has shape {y_pred_arr.shape}; "
            "a single column is ambiguous (and NumPy would broadcast (n, 1) against (n,) to "
            f"(n, n)): for labels use .ravel(); {_THRESHOLD_HINT}"
        )
    true, true_cols = _as_labels(y_true_arr, who, "y_true", threshold)
    pred, pred_cols = _as_labels(y_pred_arr, who, "y_pred", threshold)
    if true.shape != pred.shape:
        raise ValueError(
            f"{who}: y_true and y_pred must describe the same samples, got y_true of shape "
            f"{y_true_arr.shape} ({true.size} samples) and y_pred of shape {y_pred_arr.shape} "
            f"({pred.size} samples)"
        )
    columns = {c for c in (true_cols, pred_cols) if c is not None}
    if len(columns) > 1:
        raise ValueError(
            f"{who}: y_true has {true_cols} columns but y_pred has {pred_cols}; "
            "both must score the same classes"
        )
    if threshold is not None:
        columns.add(2)
    if n_classes is not None:
        n_classes = positive_int(n_classes, "n_classes", who)
        if columns and columns != {n_classes}:
            raise ValueError(
                f"{who}: n_classes={n_classes} but the scores have {columns.pop()} columns"
            )
    elif columns:
        n_classes = columns.pop()
    else:
        n_classes = int(max(true.max(), pred.max())) + 1
    for name, labels in (("y_true", true), ("y_pred", pred)):
        if labels.max() >= n_classes:
            raise ValueError(
                f"{who}: {name} holds the label {labels.max()}, outside [0, {n_classes}) "
                f"for {n_classes} classes"
            )
    return true, pred, n_classes
