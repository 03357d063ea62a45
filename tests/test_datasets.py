"""Tests of nnbook.datasets: the toy generators (chapter 7), IDX files and the MNIST download (appendix eng_files).

test_reliability_datafiles.py adds the stress cases (every truncation, downloads
broken off or killed).
"""
import gzip
import os
from pathlib import Path

import numpy as np
import pytest

from helpers import listing, sha256_hex
from nnbook import datasets
from nnbook.datasets import (
    FASHION_MNIST_SHA256,
    IDX_FILES,
    MNIST_SHA256,
    download_files,
    load_fashion_mnist,
    load_mnist,
    make_blobs,
    make_moons,
    make_spirals,
    make_xor,
    read_idx,
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
        (lambda: make_spirals(noise=-1.0), r"make_spirals: invalid noise=-1.0; it must be in \[0, inf\)"),
        (lambda: make_moons(1), r"make_moons: n_samples"),
        (lambda: make_xor(3), r"make_xor: n_samples"),
        (lambda: make_xor(noise=float("nan")), r"make_xor: noise"),
        (lambda: make_blobs(centers=np.zeros((3, 3))), r"make_blobs: centers .* \(3, 3\)"),
        (lambda: make_blobs(std=-1.0), r"make_blobs: invalid std=-1.0; it must be in \[0, inf\)"),
        (lambda: make_moons(noise=True), r"make_moons: noise must be a finite real number, got True"),
        (lambda: make_spirals(n_per_class=True), r"make_spirals: n_per_class must be a positive integer"),
    ],
)
def test_generators_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


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
            sums[name] = sha256_hex((served / name).read_bytes())
    return {"url": served.as_uri() + "/", "dir": served, "sha256": sums, "data": data}


def test_real_checksum_tables_are_complete():
    for table in (MNIST_SHA256, FASHION_MNIST_SHA256):
        assert sorted(table) == sorted(IDX_FILES["train"] + IDX_FILES["test"])
        assert all(len(v) == 64 and int(v, 16) >= 0 for v in table.values())


def test_download_good_checksum_cached_atomically(tmp_path, mirror):
    cache = tmp_path / "cache" / "sub"
    names = IDX_FILES["train"]
    paths = download_files(cache, names, ["file:///nonexistent/dir/", mirror["url"]], mirror["sha256"])
    assert [p.name for p in paths] == list(names)
    assert listing(cache) == sorted(names)  # no temporary files left behind
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
    assert listing(cache) == []


def test_cached_file_with_bad_checksum_is_removed(tmp_path, mirror):
    cache = tmp_path / "cache"
    cache.mkdir()
    name = "t10k-labels-idx1-ubyte.gz"
    (cache / name).write_bytes(b"corrupted")
    with pytest.raises(FileNotFoundError, match=r"had SHA-256 .* removed"):
        download_files(cache, [name], [mirror["url"]], mirror["sha256"], download=False)
    assert listing(cache) == []
    # with downloads allowed the corrupted copy is replaced by a good one
    (cache / name).write_bytes(b"corrupted")
    (path,) = download_files(cache, [name], [mirror["url"]], mirror["sha256"])
    assert sha256_hex(path.read_bytes()) == mirror["sha256"][name]


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
    assert listing(cache) == []


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
    assert listing(tmp_path / "root" / folder) == sorted(IDX_FILES[kind])
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
    sums = {p.name: sha256_hex(p.read_bytes()) for p in served.iterdir()}
    with pytest.raises(ValueError, match=r"load_mnist: .*\(4, 28, 28\).*\(5,\)"):
        load_mnist(tmp_path / "root", "test", mirrors=[served.as_uri()], sha256=sums)


def test_no_network_access_in_defaults():
    # the defaults point at https mirrors; tests never call them (offline check only)
    assert all(m.startswith(("http://", "https://")) for m in datasets.MNIST_MIRRORS + datasets.FASHION_MNIST_MIRRORS)
    assert os.path.basename(datasets.IDX_FILES["train"][0]) == "train-images-idx3-ubyte.gz"


# --------------------------------------------------------------------------- one atomic write for every file

def test_downloads_and_idx_files_are_written_by_the_one_atomic_write(tmp_path, mirror, monkeypatch):
    """download_files and write_idx go through nnbook.checkpoint.atomic_write, nothing else."""
    from nnbook import checkpoint

    calls = []

    def spy(path, write, **kwargs):
        calls.append((Path(path).name, kwargs.get("suffix", ".tmp")))
        return checkpoint.atomic_write(path, write, **kwargs)

    monkeypatch.setattr(datasets, "atomic_write", spy)
    name = IDX_FILES["test"][1]
    download_files(tmp_path / "cache", [name], [mirror["url"]], mirror["sha256"])
    write_idx(tmp_path / "labels.idx", np.arange(3, dtype=np.uint8))
    assert calls == [(name, ".part"), ("labels.idx", ".tmp")]


def test_a_downloaded_file_gets_the_mode_of_a_file_created_with_open(tmp_path, mirror):
    name = IDX_FILES["test"][1]
    (path,) = download_files(tmp_path, [name], [mirror["url"]], mirror["sha256"])
    (tmp_path / "plain").write_bytes(b"")
    assert path.stat().st_mode & 0o777 == (tmp_path / "plain").stat().st_mode & 0o777


def test_write_idx_that_fails_leaves_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "labels.idx"
    write_idx(path, np.arange(4, dtype=np.uint8))
    before = path.read_bytes()

    def broken_fsync(fd):
        raise OSError("I/O error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="I/O error"):
        write_idx(path, np.arange(9, dtype=np.uint8))
    monkeypatch.undo()
    assert path.read_bytes() == before and listing(tmp_path) == ["labels.idx"]
