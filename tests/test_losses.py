"""Tests of nnbook.losses (chapter 4): gradients, values, dtypes, stability, bad input."""
import warnings

import numpy as np
import pytest

from helpers import GRAD_TOL
from nnbook.gradcheck import check_loss
from nnbook.losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, Loss, MSELoss

REDUCTIONS = ["mean", "sum"]
SHAPES = [(1,), (7,), (5, 1), (4, 3), (2, 3, 2)]
CE_SHAPES = [(1, 2), (5, 3), (8, 10)]


# -- independent reference formulas (written directly from the definitions) ---------------

def ref_reduce(values, reduction):
    return values.mean() if reduction == "mean" else values.sum()


def ref_log_softmax(z):
    """log softmax row by row, via np.logaddexp.reduce (a different route from the library)."""
    return z - np.logaddexp.reduce(z, axis=1, keepdims=True)


def ref_sigmoid(z):
    return np.exp(-np.logaddexp(0, -z))


def one_hot(labels, n_classes):
    out = np.zeros((labels.size, n_classes))
    out[np.arange(labels.size), labels] = 1
    return out


# -- gradient checks -------------------------------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_mse_gradient(shape, reduction, rng):
    error = check_loss(MSELoss(reduction), rng.normal(size=shape), rng.normal(size=shape))
    assert error < GRAD_TOL


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_bce_gradient(shape, reduction, rng):
    pred = rng.uniform(0.05, 0.95, size=shape)  # away from the clipped ends 0 and 1
    hard = rng.integers(0, 2, size=shape).astype(np.float64)
    soft = rng.uniform(0, 1, size=shape)
    for target in (hard, soft):
        assert check_loss(BCELoss(reduction=reduction), pred, target) < GRAD_TOL


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_bce_with_logits_gradient(shape, reduction, rng):
    logits = rng.normal(scale=3, size=shape)
    hard = rng.integers(0, 2, size=shape).astype(np.float64)
    soft = rng.uniform(0, 1, size=shape)
    for target in (hard, soft):
        assert check_loss(BCEWithLogitsLoss(reduction), logits, target) < GRAD_TOL


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", CE_SHAPES)
def test_cross_entropy_gradient(shape, reduction, rng):
    n, n_classes = shape
    logits = rng.normal(scale=2, size=shape)
    labels = rng.integers(0, n_classes, size=n)
    soft = rng.dirichlet(np.ones(n_classes), size=n)
    assert check_loss(CrossEntropyLoss(reduction), logits, labels) < GRAD_TOL
    assert check_loss(CrossEntropyLoss(reduction), logits, one_hot(labels, n_classes)) < GRAD_TOL
    assert check_loss(CrossEntropyLoss(reduction), logits, soft) < GRAD_TOL


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_int_labels_equal_one_hot(reduction, rng):
    logits = rng.normal(size=(6, 4))
    labels = rng.integers(0, 4, size=6)
    ce_int, ce_hot = CrossEntropyLoss(reduction), CrossEntropyLoss(reduction)
    loss_int = ce_int(logits, labels)
    loss_hot = ce_hot(logits, one_hot(labels, 4))
    assert loss_int == pytest.approx(loss_hot, rel=1e-12)
    np.testing.assert_allclose(ce_int.backward(), ce_hot.backward(), rtol=1e-12, atol=1e-15)
    # whole-number floats are accepted as labels and mean the same classes
    ce_float = CrossEntropyLoss(reduction)
    assert ce_float(logits, labels.astype(np.float64)) == pytest.approx(loss_int, rel=1e-12)


# -- values against independent formulas -----------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_values_against_formulas(reduction, rng):
    pred, target = rng.normal(size=(6, 2)), rng.normal(size=(6, 2))
    loss_fn = MSELoss(reduction)
    assert loss_fn(pred, target) == pytest.approx(ref_reduce((pred - target) ** 2, reduction))
    scale = 2 / pred.size if reduction == "mean" else 2
    np.testing.assert_allclose(loss_fn.backward(), scale * (pred - target), rtol=1e-12)

    p, y = rng.uniform(0.01, 0.99, size=(6, 2)), rng.uniform(size=(6, 2))
    bce = BCELoss(reduction=reduction)
    expected = ref_reduce(-(y * np.log(p) + (1 - y) * np.log(1 - p)), reduction)
    assert bce(p, y) == pytest.approx(expected, rel=1e-12)
    scale = 1 / p.size if reduction == "mean" else 1
    np.testing.assert_allclose(bce.backward(), scale * (p - y) / (p * (1 - p)), rtol=1e-10)

    z = rng.normal(scale=3, size=(6, 2))
    bcel = BCEWithLogitsLoss(reduction)
    s = 1 / (1 + np.exp(-z))
    expected = ref_reduce(-(y * np.log(s) + (1 - y) * np.log(1 - s)), reduction)
    assert bcel(z, y) == pytest.approx(expected, rel=1e-10)
    np.testing.assert_allclose(bcel.backward(), scale * (s - y), rtol=1e-10)

    logits, labels = rng.normal(size=(6, 5)), rng.integers(0, 5, size=6)
    ce = CrossEntropyLoss(reduction)
    logp = ref_log_softmax(logits)
    expected = ref_reduce(-logp[np.arange(6), labels], reduction)
    assert ce(logits, labels) == pytest.approx(expected, rel=1e-12)
    scale = 1 / 6 if reduction == "mean" else 1
    np.testing.assert_allclose(
        ce.backward(), scale * (np.exp(logp) - one_hot(labels, 5)), rtol=1e-10, atol=1e-15
    )


def test_bce_matches_bce_with_logits(rng):
    z = rng.normal(scale=2, size=(10, 3))
    y = rng.integers(0, 2, size=(10, 3)).astype(np.float64)
    from_probs, from_logits = BCELoss(), BCEWithLogitsLoss()
    p = ref_sigmoid(z)
    assert from_probs(p, y) == pytest.approx(from_logits(z, y), rel=1e-10)
    # chain rule through the sigmoid: dL/dz = dL/dp * p (1 - p)
    np.testing.assert_allclose(from_probs.backward() * p * (1 - p), from_logits.backward(), rtol=1e-8)


def test_loss_is_python_float(rng):
    cases = [
        (MSELoss(), rng.normal(size=(3, 2)), rng.normal(size=(3, 2))),
        (BCELoss(), rng.uniform(0.1, 0.9, size=4), rng.uniform(size=4)),
        (BCEWithLogitsLoss(), rng.normal(size=4), rng.uniform(size=4)),
        (CrossEntropyLoss(), rng.normal(size=(3, 4)), np.array([0, 3, 1])),
    ]
    for loss_fn, pred, target in cases:
        assert type(loss_fn(pred, target)) is float


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_against_torch(reduction, rng):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    t = torch.from_numpy

    pred, target = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    assert MSELoss(reduction)(pred, target) == pytest.approx(
        F.mse_loss(t(pred), t(target), reduction=reduction).item(), rel=1e-12)

    p, y = rng.uniform(0.01, 0.99, size=(5, 3)), rng.uniform(size=(5, 3))
    assert BCELoss(reduction=reduction)(p, y) == pytest.approx(
        F.binary_cross_entropy(t(p), t(y), reduction=reduction).item(), rel=1e-12)

    z = rng.normal(scale=4, size=(5, 3))
    zt = t(z.copy()).requires_grad_()
    expected = F.binary_cross_entropy_with_logits(zt, t(y), reduction=reduction)
    expected.backward()
    loss_fn = BCEWithLogitsLoss(reduction)
    assert loss_fn(z, y) == pytest.approx(expected.item(), rel=1e-12)
    np.testing.assert_allclose(loss_fn.backward(), zt.grad.numpy(), rtol=1e-10, atol=1e-15)

    logits, labels = rng.normal(scale=3, size=(7, 4)), rng.integers(0, 4, size=7)
    soft = rng.dirichlet(np.ones(4), size=7)
    for target in (labels, soft):
        lt = t(logits.copy()).requires_grad_()
        expected = F.cross_entropy(lt, t(target), reduction=reduction)
        expected.backward()
        loss_fn = CrossEntropyLoss(reduction)
        assert loss_fn(logits, target) == pytest.approx(expected.item(), rel=1e-12)
        np.testing.assert_allclose(loss_fn.backward(), lt.grad.numpy(), rtol=1e-10, atol=1e-15)


# -- dtypes -----------------------------------------------------------------------------------

def _cases(dtype, rng):
    return [
        (MSELoss(), rng.normal(size=(4, 2)).astype(dtype), rng.normal(size=(4, 2))),
        (BCELoss(), rng.uniform(0.1, 0.9, size=(4, 2)).astype(dtype), rng.uniform(size=(4, 2))),
        (BCEWithLogitsLoss(), rng.normal(size=(4, 2)).astype(dtype), rng.uniform(size=(4, 2))),
        (CrossEntropyLoss(), rng.normal(size=(4, 3)).astype(dtype), np.array([0, 2, 1, 2])),
        (CrossEntropyLoss(), rng.normal(size=(4, 3)).astype(dtype), np.eye(3)[[0, 2, 1, 2]]),
    ]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gradient_keeps_pred_dtype(dtype, reduction, rng):
    # the targets are float64 on purpose: they must not upcast a float32 gradient
    for loss_fn, pred, target in _cases(dtype, rng):
        loss_fn.reduction = reduction
        value = loss_fn(pred, target)
        grad = loss_fn.backward()
        assert np.isfinite(value)
        assert grad.dtype == dtype, type(loss_fn).__name__
        assert grad.shape == pred.shape


def test_float32_close_to_float64(rng):
    for loss64, pred, target in _cases(np.float64, rng):
        loss32 = type(loss64)()
        v64, v32 = loss64(pred, target), loss32(pred.astype(np.float32), target)
        assert v32 == pytest.approx(v64, rel=1e-5)
        np.testing.assert_allclose(loss32.backward(), loss64.backward(), rtol=1e-4, atol=1e-6)


def test_backward_can_be_called_twice(rng):
    loss_fn = CrossEntropyLoss()
    loss_fn(rng.normal(size=(3, 4)), np.array([1, 2, 3]))
    np.testing.assert_array_equal(loss_fn.backward(), loss_fn.backward())


# -- stability ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_at_huge_logits(dtype):
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # underflow (exp of a huge negative number rounding to 0) is harmless and expected
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            ce = CrossEntropyLoss()
            value = ce(z, np.array([1, 1]))      # first row: wrong by 2e4, second: right
            grad = ce.backward()
            assert np.isfinite(value) and np.isfinite(grad).all()
            assert value == pytest.approx(1e4, rel=1e-6)   # (2e4 + 0) / 2
            np.testing.assert_allclose(grad, [[0.5, -0.5, 0], [0, 0, 0]], atol=1e-6)

            bce = BCEWithLogitsLoss()
            y = np.array([[0, 1, 1], [1, 1, 0]], dtype=dtype)
            value = bce(z, y)
            grad = bce.backward()
            assert np.isfinite(value) and np.isfinite(grad).all()
            # each wrong logit of size 1e4 costs 1e4; the rest costs log 2 and about 5
            expected = (1e4 + 1e4 + np.log(2) + 1e4 + 5 + np.log1p(np.exp(-5))) / 6
            assert value == pytest.approx(expected, rel=1e-6)
            np.testing.assert_allclose(
                grad, (ref_sigmoid(z.astype(np.float64)) - y) / 6, atol=1e-7)


def test_bce_clipping_keeps_zero_and_one_finite():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bce = BCELoss(eps=1e-12)
        p = np.array([0.0, 1.0, 0.0, 1.0])
        y = np.array([1.0, 0.0, 0.0, 1.0])
        value = bce(p, y)
        grad = bce.backward()
    # two confidently wrong predictions cost -log(eps) each; the two right ones cost nothing
    assert value == pytest.approx(2 * -np.log(1e-12) / 4)
    assert np.isfinite(grad).all()
    # the gradient still pushes the wrong predictions the right way (up for y=1, down for y=0)
    assert grad[0] < 0 < grad[1]


# -- bad input ----------------------------------------------------------------------------------

def test_mse_column_against_flat_target():
    with pytest.raises(ValueError, match=r"MSELoss.*\(5, 1\).*\(5,\).*reshape\(-1, 1\)"):
        MSELoss()(np.zeros((5, 1)), np.zeros(5))
    with pytest.raises(ValueError, match=r"MSELoss.*\(5,\).*\(5, 1\).*ravel\(\)"):
        MSELoss()(np.zeros(5), np.zeros((5, 1)))
    with pytest.raises(ValueError, match=r"MSELoss.*\(4, 2\).*\(4, 3\)"):
        MSELoss()(np.zeros((4, 2)), np.zeros((4, 3)))


@pytest.mark.parametrize("loss_cls", [BCELoss, BCEWithLogitsLoss])
def test_binary_losses_need_identical_shapes(loss_cls):
    with pytest.raises(ValueError, match=rf"{loss_cls.__name__}.*\(6, 1\).*\(6,\)"):
        loss_cls()(np.full((6, 1), 0.5), np.zeros(6))


@pytest.mark.parametrize("labels, pattern", [
    (np.array([0, 3, 4]), r"\[0, 4\).*\(3, 4\).*\[0, 4\]"),             # out of range
    (np.array([0, -1, 2]), r"\[0, 4\).*\(3, 4\).*\[-1, 2\]"),            # negative
    (np.array([0.0, 1.5, 2.0]), r"whole numbers.*1\.5.*\(3,\)"),         # non-integer floats
    (np.array([0, 1]), r"3 rows.*\(3, 4\).*2 labels.*\(2,\)"),            # wrong length
    (np.array([[0], [1], [2]]), r"\(3, 4\).*\(3,\).*\(3, 1\).*ravel"),   # labels as a column
    (np.zeros((3, 5)), r"\(3, 4\).*\(3, 5\)"),                           # rows of the wrong width
    (np.array([0.0, np.nan, 1.0]), r"NaN"),                              # NaN label
    (np.array(["a", "b", "c"]), r"dtype"),                               # not numbers
])
def test_cross_entropy_bad_labels(labels, pattern):
    with pytest.raises(ValueError, match=r"CrossEntropyLoss.*" + pattern):
        CrossEntropyLoss()(np.zeros((3, 4)), labels)


def test_cross_entropy_bad_probability_rows():
    logits = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"CrossEntropyLoss.*\(2, 3\).*sum to 1.*0\.9"):
        CrossEntropyLoss()(logits, np.array([[0.5, 0.4, 0.0], [0, 0, 1.0]]))
    with pytest.raises(ValueError, match=r"CrossEntropyLoss.*target must be probabilities in \[0, 1\].*-0\.5"):
        CrossEntropyLoss()(logits, np.array([[1.5, -0.5, 0.0], [0, 0, 1.0]]))


def test_cross_entropy_needs_2d_logits():
    with pytest.raises(ValueError, match=r"CrossEntropyLoss.*2-d.*\(4,\)"):
        CrossEntropyLoss()(np.zeros(4), np.array([1]))


@pytest.mark.parametrize("loss_fn, pred, target", [
    (MSELoss(), np.array([1.0, np.nan]), np.zeros(2)),
    (MSELoss(), np.zeros(2), np.array([1.0, np.inf])),
    (BCELoss(), np.array([0.5, np.nan]), np.zeros(2)),
    (BCELoss(), np.array([0.5, 0.5]), np.array([np.nan, 0.0])),
    (BCEWithLogitsLoss(), np.array([np.inf, 0.0]), np.zeros(2)),
    (BCEWithLogitsLoss(), np.zeros(2), np.array([np.nan, 0.0])),
    (CrossEntropyLoss(), np.array([[0.0, np.nan]]), np.array([0])),
    (CrossEntropyLoss(), np.zeros((1, 2)), np.array([[np.nan, 1.0]])),
])
def test_nan_and_inf_rejected(loss_fn, pred, target):
    with pytest.raises(ValueError, match=type(loss_fn).__name__ + r".*(NaN|infinite)"):
        loss_fn(pred, target)


@pytest.mark.parametrize("loss_cls", [MSELoss, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss])
def test_backward_before_forward(loss_cls):
    with pytest.raises(RuntimeError, match=loss_cls.__name__ + r".*backward\(\).*before forward"):
        loss_cls().backward()


@pytest.mark.parametrize("loss_cls", [MSELoss, BCEWithLogitsLoss, CrossEntropyLoss])
@pytest.mark.parametrize("reduction", ["none", "Mean", None])
def test_bad_reduction(loss_cls, reduction):
    with pytest.raises(ValueError, match=loss_cls.__name__ + r": reduction must be one of 'mean', 'sum'"):
        loss_cls(reduction)
    with pytest.raises(ValueError, match=r"BCELoss.*reduction"):
        BCELoss(reduction=reduction)


def test_bce_rejects_values_outside_unit_interval():
    with pytest.raises(ValueError, match=r"BCELoss.*probabilities in \[0, 1\].*1\.2.*\(3,\).*BCEWithLogitsLoss"):
        BCELoss()(np.array([0.2, 0.5, 1.2]), np.zeros(3))
    with pytest.raises(ValueError, match=r"BCELoss.*probabilities in \[0, 1\].*-0\.1"):
        BCELoss()(np.array([-0.1, 0.5, 0.2]), np.zeros(3))
    with pytest.raises(ValueError, match=r"BCELoss.*targets must be probabilities in \[0, 1\].*2"):
        BCELoss()(np.full(3, 0.5), np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"BCEWithLogitsLoss.*targets must be probabilities in \[0, 1\]"):
        BCEWithLogitsLoss()(np.zeros(3), np.array([0.0, 1.0, -1.0]))


def test_integer_predictions_rejected():
    with pytest.raises(ValueError, match=r"MSELoss.*floating-point.*int"):
        MSELoss()(np.array([1, 2, 3]), np.array([1.0, 2.0, 3.0]))


def test_loss_base_class():
    loss_fn = Loss()
    assert loss_fn.reduction == "mean"
    with pytest.raises(NotImplementedError):
        loss_fn(np.zeros(2), np.zeros(2))
    assert repr(MSELoss("sum")) == "MSELoss(reduction='sum')"
