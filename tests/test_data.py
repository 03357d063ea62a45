"""Tests of nnbook.data (chapter 7): generators, DataLoader, splitting, scaling, IDX and MNIST."""
import gzip
import hashlib
import os

import numpy as np
import pytest

from nnbook.data import (
    DataLoader,
    IDX_FILES,
    MNIST_SHA256,
    FASHION_MNIST_SHA256,
    StandardScaler,
    download_files,
    load_fashion_mnist,
    load_mnist,
    make_blobs,
    make_moons,
    make_spirals,
    make_xor,
    one_hot,
    read_idx,
    train_test_split,
    write_idx,
)


# --------------------------------------------------------------------------- generators

GENERATORS = [
    (lambda rng: make_spirals(40, 3, rng=rng), 120, 3),
    (lambda rng: make_spirals(10, 5, noise=0.0, rng=rng), 50, 5),
    (lambda rng: make_moons(101, rng=rng), 101, 2),
    (lambda rng: make_xor(202, rng=rng), 202, 2),
    (lambda rng: make_blobs(99, centers=3, rng=rng), 99, 3),
]


@pytest.mark.parametrize("make, n, n_classes", GENERATORS)
def test_generators_shapes_dtypes_balance(make, n, n_classes):
    X, y = make(0)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert np.isfinite(X).all()
    counts = np.bincount(y, minlength=n_classes)
    assert counts.size == n_classes
    assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("make, n, n_classes", GENERATORS)
def test_generators_deterministic(make, n, n_classes):
    X1, y1 = make(7)
    X2, y2 = make(np.random.default_rng(7))
    X3, _ = make(8)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    if not np.array_equal(X1, X3):  # noise-free spirals are the same for every seed
        assert not np.allclose(X1, X3)


def test_spirals_geometry():
    X, y = make_spirals(50, 3, noise=0.0, rng=0)
    r = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(r, np.tile(np.linspace(0, 1, 50), 3), atol=1e-12)
    # class j, radius r: angle 4j + 4r, point (r sin t, r cos t)
    t = 4.0 * y + 4.0 * r
    np.testing.assert_allclose(X, np.column_stack([r * np.sin(t), r * np.cos(t)]), atol=1e-12)


def test_xor_four_corners():
    X, y = make_xor(4, noise=0.0)
    np.testing.assert_array_equal(X, [[-1, -1], [-1, 1], [1, -1], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])
    X, y = make_xor(400, noise=0.1, rng=0)
    # the label is the exclusive or of the two signs (noise 0.1 never crosses an axis here)
    np.testing.assert_array_equal(y, ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(np.int64))


def test_moons_noise_free_on_circles():
    X, y = make_moons(20, noise=0.0)
    np.testing.assert_allclose(np.linalg.norm(X[y == 0], axis=1), 1.0)
    np.testing.assert_allclose(np.linalg.norm(X[y == 1] - [1.0, 0.5], axis=1), 1.0)


def test_blobs_explicit_centers():
    X, y = make_blobs(3000, centers=[[0.0, 0.0], [10.0, 10.0]], std=0.5, rng=0)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [10.0, 10.0], atol=0.1)
    np.testing.assert_allclose(X[y == 0].std(axis=0), [0.5, 0.5], atol=0.05)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: make_spirals(0), r"make_spirals: n_per_class"),
        (lambda: make_spirals(10, n_classes=2.5), r"make_spirals: n_classes"),
        (lambda: make_spirals(noise=-1.0), r"make_spirals: noise"),
        (lambda: make_moons(1), r"make_moons: n_samples"),
        (lambda: make_xor(3), r"make_xor: n_samples"),
        (lambda: make_xor(noise=float("nan")), r"make_xor: noise"),
        (lambda: make_blobs(centers=np.zeros((3, 3))), r"make_blobs: centers .* \(3, 3\)"),
    ],
)
def test_generators_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


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


# --------------------------------------------------------------------------- IDX

def _idx_bytes(code, shape, payload):
    """An IDX file written by hand, independently of write_idx."""
    header = bytes([0, 0, code, len(shape)]) + b"".join(int(s).to_bytes(4, "big") for s in shape)
    return header + payload


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4), (0, 28, 28)])
@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_roundtrip(tmp_path, shape, dtype, suffix):
    rng = np.random.default_rng(0)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        a = rng.integers(info.min, info.max, size=shape, endpoint=True).astype(dtype)
    else:
        a = rng.standard_normal(shape).astype(dtype)
    path = tmp_path / f"a.idx{suffix}"
    write_idx(path, a)
    b = read_idx(path)
    assert b.dtype == dtype and b.shape == shape and b.dtype.isnative
    np.testing.assert_array_equal(a, b)
    b[...] = 0  # writable


def test_idx_read_matches_handwritten_file(tmp_path):
    # uint8 labels, as in train-labels-idx1-ubyte (magic 0x00000801)
    (tmp_path / "labels").write_bytes(_idx_bytes(0x08, (4,), bytes([3, 1, 4, 1])))
    assert int.from_bytes((tmp_path / "labels").read_bytes()[:4], "big") == 2049
    np.testing.assert_array_equal(read_idx(tmp_path / "labels"), [3, 1, 4, 1])
    # big-endian float32 images, 2 x 1 x 2
    values = np.array([1.5, -2.0, 0.25, 3.0], dtype=">f4")
    (tmp_path / "images.gz").write_bytes(gzip.compress(_idx_bytes(0x0D, (2, 1, 2), values.tobytes())))
    out = read_idx(tmp_path / "images.gz")
    assert out.dtype == np.float32 and out.shape == (2, 1, 2)
    np.testing.assert_array_equal(out.ravel(), [1.5, -2.0, 0.25, 3.0])
    # gzip is recognised by content, not by name
    (tmp_path / "noext").write_bytes(gzip.compress(_idx_bytes(0x08, (2,), bytes([7, 9]))))
    np.testing.assert_array_equal(read_idx(tmp_path / "noext"), [7, 9])


@pytest.mark.parametrize(
    "content, match",
    [
        (b"\x01\x00\x08\x01" + (3).to_bytes(4, "big") + b"abc", r"not an IDX file.*magic"),
        (b"\x00", r"not an IDX file"),
        (b"", r"not an IDX file"),
        (_idx_bytes(0x0A, (3,), b"abc"), r"unknown data type code 0x0A"),
        (_idx_bytes(0x08, (3, 4), bytes(11)), r"truncated.*\(3, 4\).*needs 24 bytes.*23"),
        (_idx_bytes(0x0C, (3,), bytes(13)), r"1 trailing bytes.*\(3,\).*int32"),
        (_idx_bytes(0x08, (2, 2), bytes(4))[:10], r"truncated.*header"),
        (bytes([0, 0, 8, 0]), r"0 dimensions"),
    ],
)
@pytest.mark.parametrize("compress", [False, True])
def test_idx_corrupt_files(tmp_path, content, match, compress):
    path = tmp_path / "bad.idx"
    path.write_bytes(gzip.compress(content) if compress else content)
    with pytest.raises(ValueError, match=r"read_idx: .*bad\.idx.*" + match):
        read_idx(path)


def test_idx_damaged_gzip(tmp_path):
    path = tmp_path / "bad.gz"
    path.write_bytes(gzip.compress(_idx_bytes(0x08, (100,), bytes(100)))[:-10])
    with pytest.raises(ValueError, match=r"read_idx: .*bad\.gz.*damaged gzip"):
        read_idx(path)


def test_write_idx_errors(tmp_path):
    with pytest.raises(ValueError, match=r"write_idx: dtype int64"):
        write_idx(tmp_path / "x", np.zeros(3, dtype=np.int64))
    with pytest.raises(ValueError, match=r"write_idx: .*shape \(\)"):
        write_idx(tmp_path / "x", np.float32(1.0))


# --------------------------------------------------------------------------- download and MNIST

def _sha(data):
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def mirror(tmp_path):
    """A fake MNIST mirror on disk: small valid gz files for train and test, reachable by file:// URL."""
    served = tmp_path / "mirror"
    served.mkdir()
    rng = np.random.default_rng(0)
    sums = {}
    data = {}
    for kind, n in (("train", 6), ("test", 3)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n, dtype=np.uint8)
        data[kind] = (images, labels)
        for name, array in zip(IDX_FILES[kind], (images, labels)):
            write_idx(served / name, array)
            sums[name] = _sha((served / name).read_bytes())
    return {"url": served.as_uri() + "/", "dir": served, "sha256": sums, "data": data}


def _listing(directory):
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def test_real_checksum_tables_are_complete():
    for table in (MNIST_SHA256, FASHION_MNIST_SHA256):
        assert sorted(table) == sorted(IDX_FILES["train"] + IDX_FILES["test"])
        assert all(len(v) == 64 and int(v, 16) >= 0 for v in table.values())


def test_download_good_checksum_cached_atomically(tmp_path, mirror):
    cache = tmp_path / "cache" / "sub"
    names = IDX_FILES["train"]
    paths = download_files(cache, names, ["file:///nonexistent/dir/", mirror["url"]], mirror["sha256"])
    assert [p.name for p in paths] == list(names)
    assert _listing(cache) == sorted(names)  # no temporary files left behind
    for p in paths:
        assert p.read_bytes() == (mirror["dir"] / p.name).read_bytes()
    # a second call uses the cache and does not need the network
    mtimes = [p.stat().st_mtime_ns for p in paths]
    assert download_files(cache, names, [], mirror["sha256"], download=False) == paths
    assert [p.stat().st_mtime_ns for p in paths] == mtimes


def test_download_bad_checksum_leaves_nothing(tmp_path, mirror):
    cache = tmp_path / "cache"
    wrong = dict(mirror["sha256"])
    wrong["train-labels-idx1-ubyte.gz"] = "0" * 64
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte\.gz.*SHA-256.*expected 0{64}"):
        download_files(cache, ["train-labels-idx1-ubyte.gz"], [mirror["url"]], wrong)
    assert _listing(cache) == []


def test_cached_file_with_bad_checksum_is_removed(tmp_path, mirror):
    cache = tmp_path / "cache"
    cache.mkdir()
    name = "t10k-labels-idx1-ubyte.gz"
    (cache / name).write_bytes(b"corrupted")
    with pytest.raises(FileNotFoundError, match=r"had SHA-256 .* removed"):
        download_files(cache, [name], [mirror["url"]], mirror["sha256"], download=False)
    assert _listing(cache) == []
    # with downloads allowed the corrupted copy is replaced by a good one
    (cache / name).write_bytes(b"corrupted")
    (path,) = download_files(cache, [name], [mirror["url"]], mirror["sha256"])
    assert _sha(path.read_bytes()) == mirror["sha256"][name]


@pytest.mark.parametrize("download", [False, True])
def test_missing_files_offline_message(tmp_path, mirror, download):
    cache = tmp_path / "cache"
    unreachable = [(tmp_path / "nowhere").as_uri() + "/"]
    with pytest.raises(FileNotFoundError) as info:
        download_files(cache, IDX_FILES["test"], unreachable, mirror["sha256"], download=download)
    message = str(info.value)
    assert str(cache) in message
    for name in IDX_FILES["test"]:
        assert name in message
    assert ("download=False" in message) == (not download)
    assert _listing(cache) == []


def test_unknown_file_has_no_checksum(tmp_path):
    with pytest.raises(ValueError, match=r"no SHA-256 known for 'x\.gz'"):
        download_files(tmp_path, ["x.gz"], [], {})


@pytest.mark.parametrize("loader, folder", [(load_mnist, "mnist"), (load_fashion_mnist, "fashion_mnist")])
@pytest.mark.parametrize("kind", ["train", "test"])
def test_load_mnist_from_fake_mirror(tmp_path, mirror, loader, folder, kind):
    X, y = loader(tmp_path / "root", kind, mirrors=[mirror["url"]], sha256=mirror["sha256"])
    images, labels = mirror["data"][kind]
    assert X.dtype == np.float32 and X.shape == (len(labels), 784)
    assert y.dtype == np.int64 and y.shape == (len(labels),)
    np.testing.assert_allclose(X, images.reshape(len(labels), -1) / np.float32(255), rtol=1e-6)
    assert 0.0 <= X.min() and X.max() <= 1.0
    np.testing.assert_array_equal(y, labels)
    assert _listing(tmp_path / "root" / folder) == sorted(IDX_FILES[kind])
    # offline afterwards: served from the cache
    X2, _ = loader(tmp_path / "root", kind, download=False, sha256=mirror["sha256"])
    np.testing.assert_array_equal(X, X2)


def test_load_mnist_offline_and_bad_kind(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"download=False.*" + str(tmp_path / "mnist").replace("\\", r"\\")):
        load_mnist(tmp_path, "train", download=False)
    with pytest.raises(ValueError, match=r"load_mnist: kind must be 'train' or 'test', got 'val'"):
        load_mnist(tmp_path, "val")


def test_load_mnist_rejects_mismatched_files(tmp_path, mirror):
    # images and labels with different counts (consistent checksums, wrong content)
    served = tmp_path / "odd"
    served.mkdir()
    write_idx(served / "t10k-images-idx3-ubyte.gz", np.zeros((4, 28, 28), dtype=np.uint8))
    write_idx(served / "t10k-labels-idx1-ubyte.gz", np.zeros(5, dtype=np.uint8))
    sums = {p.name: _sha(p.read_bytes()) for p in served.iterdir()}
    with pytest.raises(ValueError, match=r"load_mnist: .*\(4, 28, 28\).*\(5,\)"):
        load_mnist(tmp_path / "root", "test", mirrors=[served.as_uri()], sha256=sums)


def test_no_network_access_in_defaults():
    # the defaults point at https mirrors; tests never call them (offline check only)
    from nnbook import data
    assert all(m.startswith(("http://", "https://")) for m in data.MNIST_MIRRORS + data.FASHION_MNIST_MIRRORS)
    assert os.path.basename(data.IDX_FILES["train"][0]) == "train-images-idx3-ubyte.gz"
