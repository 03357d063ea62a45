"""Misuse tables for the data side: data, datasets and checkpoint.

Each public entry point gets a table of misuses with the exception it must
raise and the words its message must contain, or the correct value it must
return (checked against scikit-learn where scikit-learn defines it).
"""
import errno
import io
import os
import zipfile

import numpy as np
import pytest

from nnbook.activations import ReLU
from nnbook.checkpoint import load, save
from nnbook.data import DataLoader, StandardScaler, one_hot, train_test_split
from nnbook.datasets import make_blobs, make_moons, make_spirals, make_xor, read_idx, write_idx
from nnbook.layers import Linear, Sequential
from nnbook.regularization import BatchNorm1d

X = np.arange(20.0).reshape(10, 2)
Y = np.arange(10) % 2
RAGGED = [[0.0, 1.0], [2.0], [3.0, 4.0]]


def mlp(seed=0, hidden=4):
    return Sequential(Linear(2, hidden, rng=seed), ReLU(), Linear(hidden, 2, rng=seed + 1))


def npz_with_header(path, shape, payload=bytes(16), key="0.weight"):
    """An .npz whose member's header declares ``shape`` but holds only ``payload``."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": shape})
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{key}.npy", header.getvalue() + payload)
    return path


RAISES = [
    # -- train_test_split -------------------------------------------------------------------
    ("tts-size-by-position", lambda: train_test_split(X, Y, 0.3), ValueError,
     ["train_test_split", "0.3", "keyword-only", "test_size=0.3"]),
    ("tts-int-size-by-position", lambda: train_test_split(X, Y, 3), ValueError,
     ["train_test_split", "keyword-only", "test_size=3"]),
    ("tts-ragged", lambda: train_test_split(RAGGED, [0, 1, 0]), ValueError, ["train_test_split", "ragged"]),
    ("tts-ragged-object", lambda: train_test_split(np.array(RAGGED, dtype=object), [0, 1, 0]), ValueError,
     ["train_test_split", "ragged"]),
    ("tts-no-arrays", lambda: train_test_split(), ValueError, ["train_test_split", "at least one array"]),
    ("tts-lengths", lambda: train_test_split(X, Y[:-1]), ValueError, ["train_test_split", "same number of samples", "(9,)"]),
    ("tts-scalar-array", lambda: train_test_split("abc"), ValueError, ["train_test_split", "shape ()"]),
    ("tts-empty", lambda: train_test_split(np.zeros((0, 2))), ValueError, ["train_test_split", "non-empty"]),
    ("tts-fraction-1", lambda: train_test_split(X, test_size=1.0), ValueError, ["train_test_split", "test_size", "(0, 1)"]),
    ("tts-fraction-neg", lambda: train_test_split(X, test_size=-0.2), ValueError, ["train_test_split", "test_size"]),
    ("tts-count-neg", lambda: train_test_split(X, test_size=-1), ValueError, ["train_test_split", "test_size", ">= 0", "-1"]),
    ("tts-count-all", lambda: train_test_split(X, test_size=10), ValueError, ["train_test_split", "train set", "0"]),
    ("tts-size-str", lambda: train_test_split(X, test_size="0.2"), ValueError, ["train_test_split", "test_size"]),
    ("tts-stratify-shape", lambda: train_test_split(X, stratify=Y[:5]), ValueError, ["train_test_split", "stratify", "(10,)"]),
    ("tts-stratify-singleton", lambda: train_test_split(X, stratify=np.arange(10)), ValueError,
     ["train_test_split", "stratify", "2 samples per class"]),
    ("tts-stratify-too-small", lambda: train_test_split(X, test_size=1, stratify=Y), ValueError,
     ["train_test_split", "classes", "test_size"]),
    ("tts-sklearn-keyword", lambda: train_test_split(X, random_state=0), TypeError, ["random_state"]),
    # -- DataLoader ---------------------------------------------------------------------------
    ("dl-batch-size-by-position", lambda: DataLoader(X, 64), ValueError, ["DataLoader", "y", "64", "batch_size=64"]),
    ("dl-three-positional", lambda: DataLoader(X, Y, 64), TypeError, ["positional"]),
    ("dl-ragged", lambda: DataLoader(RAGGED), ValueError, ["DataLoader", "X", "ragged"]),
    ("dl-ragged-y", lambda: DataLoader(np.zeros((2, 2)), [[0, 1], [1]]), ValueError, ["DataLoader", "y", "ragged"]),
    ("dl-lengths", lambda: DataLoader(X, Y[:3]), ValueError, ["DataLoader", "same number of samples"]),
    ("dl-batch-0", lambda: DataLoader(X, batch_size=0), ValueError, ["DataLoader", "batch_size", "positive integer"]),
    ("dl-batch-float", lambda: DataLoader(X, batch_size=8.0), ValueError, ["DataLoader", "batch_size"]),
    ("dl-batch-bool", lambda: DataLoader(X, batch_size=True), ValueError, ["DataLoader", "batch_size"]),
    ("dl-empty", lambda: DataLoader(np.zeros((0, 3))), ValueError, ["DataLoader", "non-empty"]),
    ("dl-scalar", lambda: DataLoader(np.float64(3.0)), ValueError, ["DataLoader", "shape ()"]),
    # -- StandardScaler -------------------------------------------------------------------------
    ("ss-not-fitted", lambda: StandardScaler().transform(X), RuntimeError, ["StandardScaler.transform", "not fitted", "fit("]),
    ("ss-inverse-not-fitted", lambda: StandardScaler().inverse_transform(X), RuntimeError, ["inverse_transform", "fit("]),
    ("ss-1d", lambda: StandardScaler().fit(np.ones(3)), ValueError, ["StandardScaler.fit", "reshape"]),
    ("ss-features", lambda: StandardScaler().fit(X).transform(np.ones((2, 3))), ValueError,
     ["StandardScaler.transform", "(2, 3)", "2 features"]),
    ("ss-nan", lambda: StandardScaler().fit(np.array([[1.0], [np.nan]])), ValueError, ["StandardScaler.fit", "NaN"]),
    ("ss-text", lambda: StandardScaler().fit([["a", "b"]]), ValueError, ["StandardScaler.fit", "floating-point"]),
    ("ss-ragged", lambda: StandardScaler().fit(RAGGED), ValueError, ["StandardScaler.fit", "ragged"]),
    # -- one_hot ------------------------------------------------------------------------------------
    ("oh-float", lambda: one_hot([0.0, 1.0]), ValueError, ["one_hot", "integers", "astype"]),
    ("oh-range", lambda: one_hot([0, 3], n_classes=2), ValueError, ["one_hot", "[0, 2)", "3"]),
    ("oh-negative", lambda: one_hot([-1, 0]), ValueError, ["one_hot", "-1"]),
    ("oh-2d", lambda: one_hot([[0, 1]]), ValueError, ["one_hot", "1-d", "(1, 2)"]),
    ("oh-empty", lambda: one_hot(np.array([], dtype=int)), ValueError, ["one_hot", "non-empty"]),
    ("oh-n-classes-0", lambda: one_hot([0], n_classes=0), ValueError, ["one_hot", "n_classes"]),
    # -- datasets ------------------------------------------------------------------------------------
    ("spirals-0", lambda: make_spirals(0), ValueError, ["make_spirals", "n_per_class"]),
    ("spirals-noise", lambda: make_spirals(noise=-1), ValueError, ["make_spirals", "noise"]),
    ("moons-1", lambda: make_moons(1), ValueError, ["make_moons", "n_samples", ">= 2"]),
    ("moons-noise-str", lambda: make_moons(noise="a"), ValueError, ["make_moons", "noise"]),
    ("xor-3", lambda: make_xor(3), ValueError, ["make_xor", "n_samples", ">= 4"]),
    ("blobs-0", lambda: make_blobs(centers=0), ValueError, ["make_blobs", "centers"]),
    ("blobs-std", lambda: make_blobs(std=-1), ValueError, ["make_blobs", "std"]),
    ("blobs-centers-shape", lambda: make_blobs(centers=np.ones((2, 3, 1))), ValueError, ["make_blobs", "centers", "(k, 2)"]),
    ("write-idx-object", lambda: write_idx("x.idx", np.ones(3, dtype=object)), ValueError, ["write_idx", "object", "float32"]),
    ("write-idx-complex", lambda: write_idx("x.idx", np.ones(3, dtype=complex)), ValueError, ["write_idx", "complex"]),
]


@pytest.mark.parametrize("call, exc, words", [pytest.param(c, e, w, id=i) for i, c, e, w in RAISES])
def test_misuse_raises_a_clear_error(call, exc, words, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(exc) as info:
        call()
    message = str(info.value)
    missing = [w for w in words if w not in message]
    assert not missing, f"message {message!r} lacks {missing}"


# -- checkpoints (need a directory) ------------------------------------------------------------------
def test_load_refuses_a_header_with_an_absurd_shape(tmp_path):
    path = npz_with_header(tmp_path / "huge.npz", (10**9, 10**9))
    with pytest.raises(ValueError) as info:
        load(mlp(), path)
    message = str(info.value)
    assert "load" in message and "huge.npz" in message and "damaged" in message and "0.weight" in message
    assert "(1000000000, 1000000000)" in message


def test_load_refuses_a_header_larger_than_its_data(tmp_path):
    path = npz_with_header(tmp_path / "short.npz", (2, 4), payload=bytes(8 * 7))
    with pytest.raises(ValueError, match=r"load: .*short\.npz.* damaged.*64 bytes.*56 bytes"):
        load(mlp(), path)


def test_load_of_another_architecture(tmp_path):
    path = save(mlp(hidden=4), tmp_path / "m.npz")
    with pytest.raises(ValueError, match=r"load: .*m\.npz.* does not fit the model"):
        load(mlp(hidden=5), path)


def test_load_of_another_dtype(tmp_path):
    path = save(Sequential(Linear(2, 2, rng=0, dtype=np.float32)), tmp_path / "m.npz")
    with pytest.raises(ValueError, match=r"load: .*does not fit.*float"):
        load(Sequential(Linear(2, 2, rng=0)), path)


@pytest.mark.parametrize("content, words", [
    (b"", ["not a valid .npz"]), (b"not a zip at all", ["not an .npz checkpoint", "pickle"]),
])
def test_load_of_garbage(tmp_path, content, words):
    (tmp_path / "bad.npz").write_bytes(content)
    with pytest.raises(ValueError) as info:
        load(mlp(), tmp_path / "bad.npz")
    assert all(w in str(info.value) for w in ["load", "bad.npz", *words])


def test_load_missing_file_and_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="load: no checkpoint"):
        load(mlp(), tmp_path / "none.npz")
    with pytest.raises(IsADirectoryError, match="load: .* is a directory"):
        load(mlp(), tmp_path)


def test_save_into_a_missing_directory_or_onto_a_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="save: the directory .* does not exist"):
        save(mlp(), tmp_path / "no" / "m.npz")
    with pytest.raises(IsADirectoryError, match=r"save: .* is a directory; give a file name"):
        save(mlp(), tmp_path)


def test_save_into_a_read_only_directory_names_save_and_the_path(tmp_path, monkeypatch):
    """Simulated (the tests may run as root, who can write anywhere): os.open refuses the temp file."""
    real_open = os.open

    def refuse(path, flags, *args):
        if str(path).startswith(str(tmp_path)):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(PermissionError) as info:
        save(mlp(), tmp_path / "model.npz")
    message = str(info.value)
    assert "save" in message and str(tmp_path / "model.npz") in message and "writable" in message
    assert ".tmp" not in message                     # not the hidden temporary file
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can write anywhere")
def test_save_into_a_really_read_only_directory(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match=r"save: cannot write .*ro/model\.npz"):
            save(mlp(), folder / "model.npz")
    finally:
        folder.chmod(0o700)


def test_model_checkpoint_refuses_a_missing_directory_before_training(tmp_path):
    from nnbook.callbacks import ModelCheckpoint
    with pytest.raises(ValueError, match="ModelCheckpoint: cannot save to .*does not exist"):
        ModelCheckpoint(tmp_path / "no" / "best.npz").on_train_begin(mlp())


# -- correct values ------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [3, 6, 15, 100])
@pytest.mark.parametrize("value", [0.1, 1e6 + 0.1, -3.3, 1e-300])
def test_standard_scaler_constant_column_at_rounding_level_maps_to_zero(n, value):
    sklearn = pytest.importorskip("sklearn.preprocessing")
    rng = np.random.default_rng(n)
    data = np.column_stack([np.full(n, value), rng.normal(size=n), np.zeros(n)])
    ours = StandardScaler().fit(data)
    theirs = sklearn.StandardScaler().fit(data)
    np.testing.assert_allclose(ours.scale_, theirs.scale_, rtol=1e-12)
    np.testing.assert_allclose(ours.transform(data), theirs.transform(data), rtol=1e-10, atol=1e-12)
    assert np.all(np.abs(ours.transform(data)[:, 0]) < 1e-13 * max(1.0, abs(value)))


def test_standard_scaler_keeps_a_tiny_but_real_spread():
    sklearn = pytest.importorskip("sklearn.preprocessing")
    data = np.array([[1e-20], [2e-20], [3e-20]])
    ours, theirs = StandardScaler().fit(data), sklearn.StandardScaler().fit(data)
    np.testing.assert_allclose(ours.scale_, theirs.scale_, rtol=1e-12)
    np.testing.assert_allclose(ours.transform(data).ravel(), [-1.2247448713915890, 0, 1.2247448713915890], atol=1e-12)


def test_train_test_split_of_strings_and_objects_that_are_not_rows():
    labels = np.array(["a", "b"] * 5)
    names = np.array([f"s{i}" for i in range(10)], dtype=object)
    Xtr, Xte, ltr, lte, ntr, nte = train_test_split(X, labels, names, test_size=0.3, rng=0)
    assert Xte.shape == (3, 2) and lte.shape == (3,) and nte.shape == (3,)


def test_dataloader_drop_last_skips_the_batch_of_one_for_batchnorm():
    bn = BatchNorm1d(2)
    for xb in DataLoader(X[:9], batch_size=4, drop_last=True, shuffle=True, rng=0):
        bn(xb)                                   # never a batch of 1
    assert int(bn.num_batches_tracked) == 2


def test_misuse_table_size():
    assert len(RAISES) >= 50
