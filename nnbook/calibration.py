# Generated from book/11_tuning.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Calibration of a classifier's probabilities (chapter *Tuning and stabilising training*).

A classifier is *calibrated* when, among the predictions made with confidence
about :math:`q`, a fraction about :math:`q` is right. :func:`reliability_curve`
bins the predictions by confidence and compares each bin's mean confidence with
its accuracy; :func:`expected_calibration_error` (ECE) is the weighted mean gap;
:func:`fit_temperature` finds the temperature :math:`T` for which
``softmax(logits / T)`` has the smallest negative log-likelihood on a validation
split (temperature scaling, Guo et al., 2017).
"""

__all__ = ['reliability_curve', 'expected_calibration_error', 'fit_temperature']


# %% book/11_tuning.ipynb cell-031
import math

import numpy as np

from nnbook.activations import log_softmax
from nnbook.checks import check_input, positive_int, real_number
from nnbook.targets import check_class_indices, check_probabilities


def _confidences(probs, labels, who):
    probs = check_input(probs, who, ndim=2)
    check_probabilities(probs, "probabilities", who, rows=True,
                        hint="; if these are logits, pass softmax(logits, axis=1)")
    labels = check_class_indices(labels, probs.shape, who)
    return probs.max(axis=1), (probs.argmax(axis=1) == labels).astype(np.float64)


def reliability_curve(probs, labels, n_bins=15):
    """Mean confidence, accuracy and size of each confidence bin: the data of a reliability diagram.

    The confidence of a prediction is its largest probability
    :math:`\\hat p_i = \\max_c P_{ic}`, the prediction its argmax. Bin :math:`b`
    holds the predictions with :math:`\\hat p_i \\in ((b-1)/B, b/B]`.

    Parameters
    ----------
    probs : ndarray, shape (n, C)
        Predicted probabilities, rows summing to 1.
    labels : ndarray, shape (n,)
        True classes, integers in ``[0, C)``.
    n_bins : int, default 15
        :math:`B`, equal-width bins on [0, 1].

    Returns
    -------
    confidence, accuracy : ndarray, shape (B,)
        Mean confidence and fraction correct in each bin (NaN for an empty bin).
    counts : ndarray of int, shape (B,)
        Predictions in each bin.
    """
    return _binned(probs, labels, n_bins, "reliability_curve")


def _binned(probs, labels, n_bins, who):
    n_bins = positive_int(n_bins, "n_bins", who)
    confidence, correct = _confidences(probs, labels, who)
    bins = np.clip(np.ceil(confidence * n_bins).astype(np.intp) - 1, 0, n_bins - 1)  # intp for bincount
    counts = np.bincount(bins, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.bincount(bins, confidence, minlength=n_bins) / counts
        accuracy = np.bincount(bins, correct, minlength=n_bins) / counts
    return mean_confidence, accuracy, counts


def expected_calibration_error(probs, labels, n_bins=15):
    """The expected calibration error: the bins' gaps between accuracy and confidence, weighted by size.

    .. math:: \\mathrm{ECE} = \\sum_{b=1}^{B} \\frac{n_b}{n}\\,
              \\big|\\mathrm{acc}_b - \\mathrm{conf}_b\\big|

    with the bins of :func:`reliability_curve`. 0 for a perfectly calibrated
    classifier; it depends on :math:`B`, so compare ECEs with the same bins.

    Parameters
    ----------
    probs, labels, n_bins
        As in :func:`reliability_curve`.

    Returns
    -------
    float

    Examples
    --------
    >>> probs = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.4, 0.6]])
    >>> expected_calibration_error(probs, np.array([0, 1, 0, 1]), n_bins=4)   # (2 * 0.4 + 2 * 0.4) / 4
    0.4
    """
    confidence, accuracy, counts = _binned(probs, labels, n_bins, "expected_calibration_error")
    full = counts > 0
    return float(np.sum(counts[full] * np.abs(accuracy[full] - confidence[full])) / counts.sum())


def _nll(logits, labels, temperature):
    logp = log_softmax(logits / temperature, axis=1)
    return -float(np.mean(logp[np.arange(len(labels)), labels]))


def fit_temperature(logits, labels, *, low=0.05, high=20.0, tol=1e-6):
    """The temperature :math:`T` that minimises the negative log-likelihood of ``softmax(logits / T)``.

    Temperature scaling divides every logit by one number, so it changes the
    confidence of the predictions but not a single argmax: the accuracy stays,
    the calibration changes. Fit it on a validation split, never on the test set.
    The NLL is a convex function of :math:`1/T`, hence has a single minimum in
    :math:`\\log T`, which a golden-section search over
    :math:`[\\log T_{\\text{low}}, \\log T_{\\text{high}}]` finds.

    Parameters
    ----------
    logits : ndarray, shape (n, C)
        The model's raw scores (not probabilities) on the validation split.
    labels : ndarray, shape (n,)
        The true classes.
    low, high : float
        The search interval, :math:`0 < T_{\\text{low}} < T_{\\text{high}}`; a result at
        an end means the minimum lies outside.
    tol : float, default 1e-6
        The width of the final interval in :math:`\\log T`.

    Returns
    -------
    float
        :math:`T` (> 1 when the model is over-confident).

    Examples
    --------
    >>> logits = np.array([[4.0, 0.0]] * 4)             # the same prediction, right 3 times in 4
    >>> T = fit_temperature(logits, np.array([0, 0, 0, 1]))
    >>> round(T, 4), round(4 / math.log(3), 4)           # softmax(logits / T) = (0.75, 0.25)
    (3.641, 3.641)
    """
    who = "fit_temperature"
    logits = check_input(logits, who, ndim=2)
    labels = check_class_indices(labels, logits.shape, who)
    low = real_number(low, "low", who, low=0, low_open=True)
    high = real_number(high, "high", who, low=low, low_open=True)
    tol = real_number(tol, "tol", who, low=0, low_open=True)
    a, b = math.log(low), math.log(high)
    ratio = (math.sqrt(5) - 1) / 2                     # 0.618..., the golden section
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = _nll(logits, labels, math.exp(c)), _nll(logits, labels, math.exp(d))
    while b - a > tol:
        if fc <= fd:                                   # the minimum is in [a, d]
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = _nll(logits, labels, math.exp(c))
        else:                                          # the minimum is in [c, b]
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = _nll(logits, labels, math.exp(d))
    return math.exp((a + b) / 2)
