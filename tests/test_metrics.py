"""Tests of nnbook.metrics: accuracy, confusion matrix, precision/recall/F1, report.

Reference values come from scikit-learn (``sklearn.metrics``) and from the
definitions written out in the tests; bad inputs must raise a ValueError that
names the function and the shapes or values.
"""
import warnings

import numpy as np
import pytest

from nnbook.metrics import accuracy, classification_report, confusion_matrix, precision_recall_f1

skm = pytest.importorskip("sklearn.metrics")


def random_labels(rng, n, n_classes, drop=None):
    """Random true and predicted labels; class ``drop`` (if any) is never predicted."""
    y_true = rng.integers(0, n_classes, n)
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, n_classes, n))
    if drop is not None:
        y_pred[y_pred == drop] = (drop + 1) % n_classes
    return y_true, y_pred


CASES = [(seed, n, c) for seed in range(4) for n, c in ((1, 2), (7, 2), (50, 3), (200, 5), (300, 10))]


@pytest.mark.parametrize("seed,n,n_classes", CASES)
def test_accuracy_and_confusion_matrix_match_sklearn(seed, n, n_classes):
    rng = np.random.default_rng(seed)
    y_true, y_pred = random_labels(rng, n, n_classes)
    assert accuracy(y_true, y_pred) == pytest.approx(skm.accuracy_score(y_true, y_pred), abs=0)
    M = confusion_matrix(y_true, y_pred, n_classes)
    np.testing.assert_array_equal(M, skm.confusion_matrix(y_true, y_pred, labels=np.arange(n_classes)))
    assert M.dtype == np.int64 and M.shape == (n_classes, n_classes) and M.sum() == n


@pytest.mark.parametrize("seed,n,n_classes", CASES)
@pytest.mark.parametrize("average", ["macro", "micro", "weighted"])
def test_averaged_scores_match_sklearn(seed, n, n_classes, average):
    rng = np.random.default_rng(seed)
    # Class 0 is never predicted: precision of class 0 divides by zero.
    y_true, y_pred = random_labels(rng, n, n_classes, drop=0)
    ours = precision_recall_f1(y_true, y_pred, average=average)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = skm.precision_recall_fscore_support(y_true, y_pred, average=average, zero_division=0)[:3]
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-15)
    assert all(isinstance(v, float) for v in ours)


@pytest.mark.parametrize("seed,n,n_classes", CASES)
def test_per_class_scores_match_sklearn(seed, n, n_classes):
    rng = np.random.default_rng(seed)
    y_true, y_pred = random_labels(rng, n, n_classes, drop=n_classes - 1)
    p, r, f = precision_recall_f1(y_true, y_pred, average=None, n_classes=n_classes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = skm.precision_recall_fscore_support(
            y_true, y_pred, average=None, labels=np.arange(n_classes), zero_division=0
        )
    for ours, theirs in zip((p, r, f), ref[:3]):
        assert ours.shape == (n_classes,)
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("seed", range(5))
def test_binary_average_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    y_true, y_pred = random_labels(rng, 40, 2)
    for pos_label in (0, 1):
        ours = precision_recall_f1(y_true, y_pred, average="binary", pos_label=pos_label)
        ref = skm.precision_recall_fscore_support(
            y_true, y_pred, average="binary", pos_label=pos_label, zero_division=0
        )[:3]
        np.testing.assert_allclose(ours, ref, rtol=1e-12)


def test_macro_skips_classes_absent_from_both_arrays_like_sklearn():
    # Class 1 occurs nowhere; classes 0, 2, 3 do.
    y_true = np.array([0, 0, 2, 3, 3, 2])
    y_pred = np.array([0, 2, 2, 3, 0, 0])
    ours = precision_recall_f1(y_true, y_pred, average="macro", n_classes=5)
    ref = skm.precision_recall_fscore_support(y_true, y_pred, average="macro", zero_division=0)[:3]
    np.testing.assert_allclose(ours, ref, rtol=1e-12)


def test_definitions_on_a_worked_example():
    # Written out by hand: 3 classes, 8 samples.
    y_true = [0, 0, 0, 1, 1, 2, 2, 2]
    y_pred = [0, 0, 1, 1, 2, 2, 2, 0]
    M = confusion_matrix(y_true, y_pred)
    np.testing.assert_array_equal(M, [[2, 1, 0], [0, 1, 1], [1, 0, 2]])
    p, r, f = precision_recall_f1(y_true, y_pred, average=None)
    np.testing.assert_allclose(p, [2 / 3, 1 / 2, 2 / 3])
    np.testing.assert_allclose(r, [2 / 3, 1 / 2, 2 / 3])
    np.testing.assert_allclose(f, 2 * p * r / (p + r))
    assert accuracy(y_true, y_pred) == 5 / 8
    # Micro averaging pools the counts: all three equal the accuracy.
    assert precision_recall_f1(y_true, y_pred, average="micro") == (5 / 8, 5 / 8, 5 / 8)


def test_zero_division_gives_zero_without_warning():
    y_true = np.array([0, 0, 1, 1])
    y_pred = np.array([0, 0, 0, 0])          # class 1 never predicted
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p, r, f = precision_recall_f1(y_true, y_pred, average=None)
        assert p.tolist() == [0.5, 0.0] and r.tolist() == [1.0, 0.0]
        assert f[1] == 0.0
        # Class 2 neither present nor predicted, with n_classes=3: all zero.
        p, r, f = precision_recall_f1(y_true, y_pred, average=None, n_classes=3)
        assert p[2] == r[2] == f[2] == 0.0
        precision_recall_f1(y_true, y_pred, average="binary")
        classification_report(y_true, y_pred)


def test_scores_are_reduced_by_argmax():
    rng = np.random.default_rng(0)
    scores = rng.standard_normal((30, 4))
    y_true = rng.integers(0, 4, 30)
    labels = scores.argmax(axis=1)
    assert accuracy(y_true, scores) == accuracy(y_true, labels)
    np.testing.assert_array_equal(confusion_matrix(y_true, scores), confusion_matrix(y_true, labels, 4))
    # One-hot true rows are labels too.
    one_hot = np.eye(4)[y_true]
    assert accuracy(one_hot, scores) == accuracy(y_true, labels)
    # n_classes defaults to the number of score columns, even if a class never occurs.
    assert confusion_matrix(np.zeros(5, dtype=int), np.tile([9.0, 0, 0, 0], (5, 1))).shape == (4, 4)


def test_binary_scores_with_a_threshold():
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((25, 1))
    y = (rng.random((25, 1)) < 0.5).astype(np.float64)      # BCE targets: floats of shape (n, 1)
    expected = skm.accuracy_score(y.ravel(), (logits.ravel() > 0).astype(int))
    assert accuracy(y, logits, threshold=0.0) == pytest.approx(expected, abs=0)
    probabilities = 1 / (1 + np.exp(-logits))
    assert accuracy(y, probabilities, threshold=0.5) == pytest.approx(expected, abs=0)
    assert accuracy(y.ravel(), logits.ravel(), threshold=0.0) == pytest.approx(expected, abs=0)
    M = confusion_matrix(y, logits, threshold=0.0)
    np.testing.assert_array_equal(M, skm.confusion_matrix(y.ravel(), (logits.ravel() > 0).astype(int), labels=[0, 1]))


def test_whole_number_floats_and_booleans_are_labels():
    assert accuracy(np.array([0.0, 1.0, 2.0]), np.array([0, 1, 1])) == pytest.approx(2 / 3)
    assert accuracy(np.array([True, False]), np.array([1, 0])) == 1.0


@pytest.mark.parametrize("f", [accuracy, confusion_matrix, precision_recall_f1])
def test_column_against_vector_is_rejected(f):
    y_true = np.array([0, 1, 1, 0, 1])
    with pytest.raises(ValueError, match=rf"{f.__name__}: .*\(5,\).*\(5, 1\).*threshold"):
        f(y_true, y_true.reshape(-1, 1))
    with pytest.raises(ValueError, match=rf"{f.__name__}: .*\(5, 1\).*\(5,\)"):
        f(y_true.reshape(-1, 1), y_true)


def test_threshold_requires_identical_shapes():
    with pytest.raises(ValueError, match=r"accuracy: .*same shape.*\(4,\).*\(4, 1\)"):
        accuracy(np.array([0, 1, 1, 0]), np.zeros((4, 1)), threshold=0.0)
    with pytest.raises(ValueError, match=r"accuracy: threshold is for binary scores.*\(4, 3\)"):
        accuracy(np.zeros((4, 3)), np.zeros((4, 3)), threshold=0.0)
    with pytest.raises(ValueError, match="accuracy: threshold must be a finite number"):
        accuracy(np.array([0, 1]), np.array([0.2, 0.9]), threshold=np.nan)


def test_probabilities_without_threshold_are_not_labels():
    with pytest.raises(ValueError, match=r"accuracy: y_pred of shape \(3,\) holds 0.7.*threshold=0.5"):
        accuracy(np.array([0, 1, 1]), np.array([0.0, 0.7, 1.0]))


def test_length_mismatch():
    with pytest.raises(ValueError, match=r"confusion_matrix: .*y_true of shape \(3,\).*y_pred of shape \(4,\)"):
        confusion_matrix([0, 1, 2], [0, 1, 2, 2])


def test_out_of_range_labels():
    with pytest.raises(ValueError, match=r"confusion_matrix: y_true holds the label 3, outside \[0, 3\)"):
        confusion_matrix([0, 1, 3], [0, 1, 2], n_classes=3)
    with pytest.raises(ValueError, match=r"accuracy: y_true holds the label 4, outside \[0, 4\)"):
        accuracy([0, 4], np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"precision_recall_f1: y_pred holds the label 5, outside \[0, 2\)"):
        precision_recall_f1([0, 1], [0, 5], n_classes=2)
    with pytest.raises(ValueError, match=r"accuracy: class labels must be non-negative.*-1"):
        accuracy([0, -1], [0, 1])
    with pytest.raises(ValueError, match=r"accuracy: .*1.5.*whole numbers"):
        accuracy([0, 1.5], [0, 1])
    with pytest.raises(ValueError, match=r"y_true has 3 columns but y_pred has 4"):
        accuracy(np.eye(3)[[0, 1]], np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"n_classes=3 but the scores have 4 columns"):
        confusion_matrix([0, 1], np.zeros((2, 4)), n_classes=3)


@pytest.mark.parametrize(
    "bad, pattern",
    [
        (np.array([0.0, np.nan]), "NaN or infinite"),
        (np.array([], dtype=int), "non-empty"),
        (np.zeros((2, 2, 2), dtype=int), r"shape \(n,\) or \(n, C\)"),
        (np.array(["a", "b"]), "numeric"),
        (np.array(1), "non-empty"),
    ],
)
def test_bad_arrays(bad, pattern):
    with pytest.raises(ValueError, match="accuracy: .*" + pattern):
        accuracy(bad, np.array([0, 1]))


def test_bad_arguments():
    with pytest.raises(ValueError, match="precision_recall_f1: average must be"):
        precision_recall_f1([0, 1], [0, 1], average="samples")
    with pytest.raises(ValueError, match="average='binary' needs at most 2 classes, got 3"):
        precision_recall_f1([0, 1, 2], [0, 1, 2], average="binary")
    with pytest.raises(ValueError, match="n_classes must be a positive integer"):
        confusion_matrix([0, 1], [0, 1], n_classes=0)
    with pytest.raises(ValueError, match="classification_report: got 2 class_names for 3 classes"):
        classification_report([0, 1, 2], [0, 1, 2], class_names=["a", "b"])


def test_classification_report_numbers_agree_with_sklearn():
    rng = np.random.default_rng(3)
    y_true, y_pred = random_labels(rng, 60, 3)
    report = classification_report(y_true, y_pred, class_names=["cat", "dog", "owl"])
    p, r, f, s = skm.precision_recall_fscore_support(y_true, y_pred, zero_division=0)
    lines = report.splitlines()
    for i, name in enumerate(["cat", "dog", "owl"]):
        row = next(line for line in lines if line.split()[:1] == [name]).split()
        assert row[1:] == [f"{p[i]:.3f}", f"{r[i]:.3f}", f"{f[i]:.3f}", str(s[i])]
    acc_row = next(line for line in lines if line.split()[:1] == ["accuracy"]).split()
    assert acc_row[1:] == [f"{skm.accuracy_score(y_true, y_pred):.3f}", "60"]
    macro = next(line for line in lines if "macro avg" in line).split()
    ref = skm.precision_recall_fscore_support(y_true, y_pred, average="macro", zero_division=0)
    assert macro[2:5] == [f"{v:.3f}" for v in ref[:3]]
