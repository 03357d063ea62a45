"""Tests of nnbook.data (chapter 7): DataLoader, train_test_split, one_hot, StandardScaler.

The datasets (toy generators, IDX files, downloads) are tested in test_datasets.py.
"""
import numpy as np
import pytest

from nnbook.data import DataLoader, StandardScaler, one_hot, train_test_split


# --------------------------------------------------------------------------- DataLoader

def _epoch(loader):
    return list(loader)


@pytest.mark.parametrize("n, batch_size", [(10, 3), (12, 4), (5, 8), (1, 1), (100, 32)])
@pytest.mark.parametrize("shuffle", [False, True])
def test_loader_covers_every_sample_once(n, batch_size, shuffle):
    X = np.arange(2 * n, dtype=np.float64).reshape(n, 2)
    y = np.arange(n)
    loader = DataLoader(X, y, batch_size=batch_size, shuffle=shuffle, rng=0)
    batches = _epoch(loader)
    assert len(batches) == len(loader) == -(-n // batch_size)
    seen = np.concatenate([yb for _, yb in batches])
    np.testing.assert_array_equal(np.sort(seen), np.arange(n))
    for xb, yb in batches:  # inputs and targets stay paired
        np.testing.assert_array_equal(xb[:, 0], 2 * yb)
    sizes = [len(yb) for _, yb in batches]
    assert all(s == batch_size for s in sizes[:-1]) and 1 <= sizes[-1] <= batch_size
    if not shuffle:
        np.testing.assert_array_equal(seen, np.arange(n))


def test_loader_reshuffles_every_epoch_and_is_reproducible():
    X = np.arange(50.0).reshape(50, 1)
    loader = DataLoader(X, batch_size=50, shuffle=True, rng=3)
    (e1,), (e2,) = _epoch(loader), _epoch(loader)
    assert not np.array_equal(e1, e2)
    again = DataLoader(X, batch_size=50, shuffle=True, rng=3)
    (f1,), (f2,) = _epoch(again), _epoch(again)
    np.testing.assert_array_equal(e1, f1)
    np.testing.assert_array_equal(e2, f2)
    other = DataLoader(X, batch_size=50, shuffle=True, rng=4)
    assert not np.array_equal(_epoch(other)[0], e1)


def test_loader_without_y_yields_arrays():
    X = np.ones((7, 3), dtype=np.float32)
    batches = _epoch(DataLoader(X, batch_size=3))
    assert all(isinstance(b, np.ndarray) for b in batches)
    assert [b.shape for b in batches] == [(3, 3), (3, 3), (1, 3)]


@pytest.mark.parametrize("n, batch_size, expected", [(10, 3, 3), (12, 4, 3), (5, 8, 0)])
def test_loader_drop_last(n, batch_size, expected):
    y = np.arange(n)
    loader = DataLoader(np.zeros((n, 2)), y, batch_size=batch_size, drop_last=True, shuffle=True, rng=0)
    batches = _epoch(loader)
    assert len(loader) == len(batches) == expected
    assert all(len(yb) == batch_size for _, yb in batches)
    seen = np.concatenate([yb for _, yb in batches]) if batches else np.array([], dtype=int)
    assert len(np.unique(seen)) == len(seen) == expected * batch_size


def test_loader_views_without_shuffle_gathers_with_shuffle():
    X = np.random.default_rng(0).standard_normal((20, 4))
    y = np.arange(20)
    for xb, yb in DataLoader(X, y, batch_size=6):
        assert np.shares_memory(xb, X) and np.shares_memory(yb, y)
    for xb, yb in DataLoader(X, y, batch_size=6, shuffle=True, rng=0):
        assert not np.shares_memory(xb, X) and not np.shares_memory(yb, y)
        np.testing.assert_array_equal(xb, X[yb])


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8, np.int64])
@pytest.mark.parametrize("shuffle", [False, True])
def test_loader_keeps_dtype_and_extra_axes(dtype, shuffle):
    X = np.zeros((9, 4, 4), dtype=dtype)
    y = np.zeros(9, dtype=np.int32)
    for xb, yb in DataLoader(X, y, batch_size=4, shuffle=shuffle, rng=0):
        assert xb.dtype == dtype and yb.dtype == np.int32
        assert xb.shape[1:] == (4, 4)


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        ((np.zeros((5, 2)), np.zeros(4)), {}, r"DataLoader: .*\(5, 2\).*\(4,\)"),
        ((np.zeros((0, 2)),), {}, r"DataLoader: .*non-empty.*\(0, 2\)"),
        ((np.float64(3.0),), {}, r"DataLoader: .*\(\)"),
        ((np.zeros((5, 2)),), {"batch_size": 0}, r"DataLoader: batch_size"),
        ((np.zeros((5, 2)),), {"batch_size": 2.0}, r"DataLoader: batch_size"),
        ((np.zeros((5, 2)),), {"batch_size": True}, r"DataLoader: batch_size"),
    ],
)
def test_loader_errors(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        DataLoader(*args, **kwargs)


# --------------------------------------------------------------------------- train_test_split

def test_split_sizes_and_pairing():
    X = np.arange(100.0).reshape(50, 2)
    y = np.arange(50)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, rng=0)
    assert X_tr.shape == (40, 2) and X_te.shape == (10, 2) and y_tr.shape == (40,) and y_te.shape == (10,)
    np.testing.assert_array_equal(X_tr[:, 0], 2 * y_tr)
    np.testing.assert_array_equal(X_te[:, 0], 2 * y_te)
    np.testing.assert_array_equal(np.sort(np.concatenate([y_tr, y_te])), y)
    assert not np.array_equal(y_tr, np.sort(y_tr))  # shuffled
    # a fraction is rounded up, an int is a count
    assert len(train_test_split(y, test_size=0.25, rng=0)[1]) == 13
    assert len(train_test_split(y, test_size=7, rng=0)[1]) == 7


def test_split_deterministic():
    y = np.arange(30)
    a = train_test_split(y, rng=5)
    b = train_test_split(y, rng=np.random.default_rng(5))
    c = train_test_split(y, rng=6)
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])


@pytest.mark.parametrize("counts, test_size", [([50, 30, 20], 0.2), ([7, 3, 11, 5], 0.3), ([2, 2], 2), ([90, 10], 0.5)])
def test_split_stratified(counts, test_size):
    y = np.repeat(np.arange(len(counts)), counts)
    rng = np.random.default_rng(0)
    y = y[rng.permutation(y.size)]
    X = np.arange(y.size)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=test_size, stratify=y, rng=1)
    n_test = test_size if isinstance(test_size, int) else int(np.ceil(test_size * y.size))
    assert len(y_te) == n_test and len(y_tr) == y.size - n_test
    np.testing.assert_array_equal(y[X_te], y_te)
    expected = np.array(counts) * n_test / y.size
    got = np.bincount(y_te, minlength=len(counts))
    assert np.all(np.abs(got - expected) < 1.0 + 1e-9)
    assert np.all(got >= 1) and np.all(np.bincount(y_tr, minlength=len(counts)) >= 1)
    np.testing.assert_array_equal(np.sort(np.concatenate([X_tr, X_te])), X)


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        ((np.zeros(5), np.zeros(6)), {}, r"train_test_split: .*\(5,\).*\(6,\)"),
        ((np.zeros(5),), {"test_size": 1.5}, r"train_test_split: .*test_size"),
        ((np.zeros(5),), {"test_size": 5}, r"train_test_split: .*train set would have 0"),
        ((np.zeros(5),), {"test_size": 0}, r"train_test_split: .*test set 0"),
        ((np.zeros(6),), {"stratify": np.array([0, 0, 0, 0, 0, 1])}, r"train_test_split: .*2 samples per class"),
        ((np.zeros(6),), {"stratify": np.array([0, 1, 2, 0, 1, 2]), "test_size": 2}, r"train_test_split: .*3 classes"),
        ((np.zeros(6),), {"stratify": np.zeros(5)}, r"train_test_split: stratify .*\(5,\)"),
        ((), {}, r"train_test_split: pass at least one array"),
    ],
)
def test_split_errors(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        train_test_split(*args, **kwargs)


# --------------------------------------------------------------------------- one_hot

def test_one_hot():
    y = np.array([2, 0, 1, 2])
    out = one_hot(y)
    assert out.shape == (4, 3) and out.dtype == np.float64
    np.testing.assert_array_equal(out, np.eye(3)[y])
    out = one_hot(y, n_classes=5, dtype=np.float32)
    assert out.shape == (4, 5) and out.dtype == np.float32
    np.testing.assert_array_equal(out.argmax(axis=1), y)
    np.testing.assert_array_equal(out.sum(axis=1), 1)


@pytest.mark.parametrize(
    "y, n_classes, match",
    [
        (np.array([0.0, 1.0]), None, r"one_hot: labels must be integers, got dtype float64"),
        (np.array([0, 3]), 3, r"one_hot: labels must lie in \[0, 3\)"),
        (np.array([-1, 0]), None, r"one_hot: labels must lie"),
        (np.zeros((2, 2), dtype=int), None, r"one_hot: .*\(2, 2\)"),
        (np.array([0, 1]), 0, r"one_hot: n_classes"),
    ],
)
def test_one_hot_errors(y, n_classes, match):
    with pytest.raises(ValueError, match=match):
        one_hot(y, n_classes)


# --------------------------------------------------------------------------- StandardScaler

def test_scaler_matches_formula(rng):
    X = rng.normal(3.0, 2.0, size=(200, 4))
    X[:, 2] = 5.0  # zero variance
    scaler = StandardScaler()
    Z = scaler.fit_transform(X)
    np.testing.assert_allclose(scaler.mean_, X.mean(axis=0))
    expected_scale = X.std(axis=0)
    expected_scale[2] = 1.0
    np.testing.assert_allclose(scaler.scale_, expected_scale)
    assert np.isfinite(Z).all()
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), [1, 1, 0, 1], atol=1e-12)
    np.testing.assert_allclose(scaler.inverse_transform(Z), X)
    # the training statistics, not the new data's, are applied to new data
    X_new = rng.normal(size=(10, 4))
    np.testing.assert_allclose(scaler.transform(X_new), (X_new - scaler.mean_) / scaler.scale_)


def test_scaler_against_sklearn(rng):
    preprocessing = pytest.importorskip("sklearn.preprocessing")
    X = rng.normal(size=(50, 3)) * [1.0, 100.0, 0.01]
    ours = StandardScaler().fit(X)
    ref = preprocessing.StandardScaler().fit(X)
    np.testing.assert_allclose(ours.mean_, ref.mean_)
    np.testing.assert_allclose(ours.scale_, ref.scale_)


def test_scaler_dtypes(rng):
    X32 = rng.normal(size=(20, 3)).astype(np.float32)
    scaler = StandardScaler().fit(X32)
    assert scaler.mean_.dtype == np.float64
    assert scaler.transform(X32).dtype == np.float32
    assert scaler.inverse_transform(X32).dtype == np.float32
    Xint = np.arange(12).reshape(4, 3)
    assert StandardScaler().fit_transform(Xint).dtype == np.float64


def test_scaler_errors():
    scaler = StandardScaler()
    with pytest.raises(RuntimeError, match=r"StandardScaler.transform: .*not fitted"):
        scaler.transform(np.zeros((2, 3)))
    with pytest.raises(RuntimeError, match=r"StandardScaler.inverse_transform: .*not fitted"):
        scaler.inverse_transform(np.zeros((2, 3)))
    scaler.fit(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"StandardScaler.transform: .*\(2, 5\).*3 features"):
        scaler.transform(np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"StandardScaler.fit: .*shape \(4,\)"):
        StandardScaler().fit(np.zeros(4))
    with pytest.raises(ValueError, match=r"StandardScaler.fit: .*empty"):
        StandardScaler().fit(np.zeros((0, 3)))
    with pytest.raises(ValueError, match=r"StandardScaler.fit: .*NaN"):
        StandardScaler().fit(np.array([[1.0, np.nan]]))
