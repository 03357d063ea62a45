# Generated from book/eng_errors.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Targets: what a loss accepts as its second argument (chapter 4's rule; appendix *How the library reports errors*).

A target has the shape of the output: regression and binary targets are
``(n, m)``, including ``(n, 1)`` for one output, checked by :func:`check_target`
(and :func:`check_probabilities` where they are probabilities); class indices
for ``CrossEntropyLoss`` are ``(n,)`` integers, checked by
:func:`check_class_indices`.
"""

__all__ = ['check_target', 'check_probabilities', 'check_class_indices']


# %% book/eng_errors.ipynb cell-016
import numpy as np

from nnbook.checks import all_finite, module_name


def check_target(target, pred, who):
    """Validate the target of an elementwise loss and return it with ``pred``'s dtype.

    The target must hold real numbers, have exactly the shape of ``pred`` (no
    broadcasting: ``(n, 1)`` against ``(n,)`` is the classic mistake) and be
    finite.

    Parameters
    ----------
    target : array_like
        The target given to the loss.
    pred : ndarray
        The prediction, already checked by :func:`~nnbook.checks.check_input`.
    who : object or str
        The loss, named in the message.

    Returns
    -------
    ndarray
        ``target`` cast to ``pred.dtype`` (no copy when it already has it).

    Examples
    --------
    >>> check_target([[1], [0]], np.zeros((2, 1), dtype=np.float32), "MSELoss").dtype
    dtype('float32')
    """
    target = np.asarray(target)
    if target.dtype.kind not in "iuf":  # not a real number (bool, complex, str, object...)
        fix = "" if target.dtype.kind == "c" else f"; convert it with .astype(np.{pred.dtype.name})"
        raise ValueError(
            f"{module_name(who)}: target must be an array of real numbers, got dtype "
            f"{target.dtype}{fix}"
        )
    if target.shape != pred.shape:
        hint = "make the shapes identical"
        if target.ndim == pred.ndim - 1 and pred.shape[-1] == 1:
            hint = "use target.reshape(-1, 1) (or pred.ravel())"
        elif pred.ndim == target.ndim - 1 and target.shape[-1] == 1:
            hint = "use target.ravel() (or pred.reshape(-1, 1))"
        try:
            both = np.broadcast_shapes(pred.shape, target.shape)
            broadcast = f" (NumPy would silently broadcast them to {both})"
        except ValueError:
            broadcast = ""
        raise ValueError(
            f"{module_name(who)}: pred has shape {pred.shape} but target has shape "
            f"{target.shape}; they must be identical{broadcast}: {hint}"
        )
    target = target.astype(pred.dtype, copy=False)
    if not all_finite(target):
        raise ValueError(
            f"{module_name(who)}: target of shape {target.shape} contains NaN or infinite values"
        )
    return target


def check_probabilities(x, label, who, *, rows=False, hint=""):
    """Return ``x`` if its values lie in [0, 1] (and, with ``rows``, each row sums to 1).

    Parameters
    ----------
    x : ndarray
        A finite floating-point array (checked before).
    label : str
        What ``x`` is, for the message (``"predictions"``, ``"targets"``).
    who : object or str
        Named in the message.
    rows : bool, default False
        ``x`` has shape ``(n, C)`` and each row is a distribution: it must sum
        to 1, within ``max(1e-6, 100 * eps)`` of the dtype.
    hint : str, optional
        Appended to the range message (``"; if these are logits, use ..."``).

    Examples
    --------
    >>> check_probabilities(np.array([0.0, 1.5]), "targets", "BCELoss")
    Traceback (most recent call last):
    ...
    ValueError: BCELoss: targets must be probabilities in [0, 1], got values in [0, 1.5] (shape (2,))
    """
    low, high = x.min(), x.max()
    if low < 0 or high > 1:
        raise ValueError(
            f"{module_name(who)}: {label} must be probabilities in [0, 1], got values in "
            f"[{low:.4g}, {high:.4g}] (shape {x.shape}){hint}"
        )
    if rows:
        sums = x.sum(axis=1)
        worst = sums[np.argmax(np.abs(sums - 1))]
        if abs(worst - 1) > max(1e-6, 100 * np.finfo(x.dtype).eps):
            raise ValueError(
                f"{module_name(who)}: each row of the {label} (shape {x.shape}) must sum to 1 "
                f"(one-hot or probabilities), found a row summing to {worst:.6g}"
            )
    return x


def check_class_indices(labels, shape, who):
    """Validate class labels for scores (logits) of shape ``(n, C)``; return them as integers.

    One label per row, each a whole number in ``[0, C)``. Floats holding whole
    numbers (``2.0``) are accepted, as many loaders deliver labels that way.

    Parameters
    ----------
    labels : array_like
        The labels, shape ``(n,)``.
    shape : tuple of 2 ints
        ``(n, C)``, the shape of the logits the labels index.
    who : object or str
        Named in the message.

    Returns
    -------
    ndarray of intp, shape (n,)
        Usable as an index: ``logits[np.arange(n), labels]``.

    Examples
    --------
    >>> check_class_indices([0, 2.0], (2, 3), "CrossEntropyLoss")
    array([0, 2])
    """
    labels = np.asarray(labels)
    n, n_classes = shape
    if labels.dtype.kind not in "iuf":  # bool, complex, str, object...
        raise ValueError(f"{module_name(who)}: target must be integer class labels, got dtype {labels.dtype}")
    if labels.ndim != 1:
        hint = "; use target.ravel() for labels stored as a column" if labels.shape == (n, 1) else ""
        raise ValueError(
            f"{module_name(who)}: logits have shape {tuple(shape)}, so target must be {n} class "
            f"labels of shape ({n},) (or probability rows of shape {tuple(shape)}); got target of "
            f"shape {labels.shape}{hint}"
        )
    if labels.shape[0] != n:
        raise ValueError(
            f"{module_name(who)}: logits have {n} rows (shape {tuple(shape)}) but target has "
            f"{labels.shape[0]} labels (shape {labels.shape})"
        )
    if labels.dtype.kind == "f":
        if not all_finite(labels):
            raise ValueError(f"{module_name(who)}: labels of shape {labels.shape} contain NaN or infinite values")
        fractional = labels != np.round(labels)
        if fractional.any():
            raise ValueError(
                f"{module_name(who)}: labels must be whole numbers (class indices), got "
                f"{float(labels[fractional][0]):g} in target of shape {labels.shape}; for soft "
                f"labels pass rows of shape {tuple(shape)}"
            )
    low, high = labels.min(), labels.max()
    if low < 0 or high >= n_classes:
        raise ValueError(
            f"{module_name(who)}: labels must be in [0, {n_classes}) for logits of shape "
            f"{tuple(shape)}, got values in [{low:g}, {high:g}]"
        )
    return labels.astype(np.intp, copy=False)
