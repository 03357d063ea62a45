"""Tests of nnbook.checkpoint: atomic_write, save and load (appendix eng_files).

The contract: a round trip reproduces predictions exactly, buffers included; a
file is replaced atomically and keeps its mode; a failing write leaves the old
file; save refuses object arrays and a missing directory; load refuses, naming
the file and changing nothing, a checkpoint that does not fit (missing or
unexpected keys, shapes, dtypes), a damaged or foreign file, and pickles.

Then what only shows up under stress:

* a round trip of a network with every kind of layer (parameters *and*
  buffers, among them BatchNorm's 0-d int64 counter) reproduces predictions
  bit for bit, and training resumed from the checkpoint (model and optimizer
  state through ``.npz`` files) continues bit for bit;
* the process killed in the middle of ``save`` (no ``finally`` runs) leaves
  the previous checkpoint intact;
* every truncation and every single-byte corruption of a checkpoint either
  raises a ``ValueError`` naming ``load`` and the file, or loads exactly the
  saved weights: never other numbers, never another exception type, and the
  model is unchanged when it raises;
* a file crafted to run code when unpickled is refused and the code does not
  run (whole-file pickle, and a pickled member inside an ``.npz``).

``atomic_write`` itself: a new file gets the mode ``open`` would give it under
the current umask, a failing ``write`` leaves nothing, the temporary file sits
in the destination's directory, and both the file and the directory are synced.
"""
import io
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from nnbook.activations import GELU, LeakyReLU, ReLU, Softmax, Tanh
from nnbook.checkpoint import atomic_write, load, save
from nnbook.datasets import make_blobs
from nnbook.layers import Linear, Module, Sequential
from nnbook.losses import CrossEntropyLoss
from nnbook.optim import Adam
from nnbook.regularization import BatchNorm1d, Dropout
from nnbook.train import fit, predict

ROOT = Path(__file__).resolve().parent.parent


def every_layer_model(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return Sequential(
        Linear(4, 8, rng=rng, dtype=dtype), BatchNorm1d(8, dtype=dtype), LeakyReLU(0.1),
        Dropout(0.3, rng=rng), Linear(8, 8, rng=rng, dtype=dtype), GELU(), Tanh(),
        Linear(8, 3, rng=rng, dtype=dtype),
    )


def data(n=48, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)).astype(dtype)
    return X, (X[:, 0] > X[:, 1]).astype(int) + (X[:, 2] > 0.5)


def weights(model):
    return {k: v.copy() for k, v in model.state_dict().items()}


def assert_same_state(a, b):
    assert list(a) == list(b)
    for key in a:
        assert a[key].dtype == b[key].dtype and a[key].shape == b[key].shape, key
        assert a[key].tobytes() == b[key].tobytes(), key


def mlp(seed=0, n_in=2, hidden=16, n_out=3, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return Sequential(Linear(n_in, hidden, rng=rng, dtype=dtype), ReLU(),
                      Linear(hidden, n_out, rng=rng, dtype=dtype))


def blobs(n=120, seed=0):
    return make_blobs(n, centers=3, std=1.0, rng=seed)


def param_list(model):
    return [p.data.copy() for p in model.parameters()]


def same_params(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


# ----------------------------------------------------------------------------- the contract of save and load

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_save_load_round_trip_reproduces_predictions_exactly(tmp_path, dtype):
    X, y = blobs(60)
    X = X.astype(dtype)
    model = mlp(dtype=dtype)
    fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=0.01), X, y, epochs=2, rng=0)
    path = save(model, tmp_path / "model.npz")
    assert path == tmp_path / "model.npz"
    other = mlp(seed=42, dtype=dtype)
    assert not np.array_equal(predict(other, X), predict(model, X))
    assert load(other, path) is other
    assert np.array_equal(predict(other, X), predict(model, X))
    assert sorted(os.listdir(tmp_path)) == ["model.npz"]           # no temporary file left
    with np.load(path, allow_pickle=False) as archive:                  # an ordinary .npz
        assert sorted(archive.files) == sorted(model.state_dict())


def test_save_keeps_buffers(tmp_path):
    class WithBuffer(Module):
        def __init__(self):
            super().__init__()
            self.layer = Linear(2, 2, rng=0)
            self.register_buffer("running", np.arange(2.0))

        def forward(self, x):
            return self.layer(x) + self.running

    a, b = WithBuffer(), WithBuffer()
    a.running[:] = [5.0, 7.0]
    load(b, save(a, tmp_path / "m.npz"))
    assert b.running.tolist() == [5.0, 7.0]


def test_save_overwrites_atomically_and_keeps_the_mode(tmp_path):
    path = tmp_path / "m.npz"
    model = mlp()
    save(model, path)
    os.chmod(path, 0o640)
    model[0].weight.data += 1
    save(model, path)
    assert (os.stat(path).st_mode & 0o777) == 0o640
    assert np.array_equal(load(mlp(seed=3), path)[0].weight.data, model[0].weight.data)
    assert sorted(os.listdir(tmp_path)) == ["m.npz"]


def test_a_failure_while_writing_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    save(mlp(seed=0), path)
    before = path.read_bytes()
    calls = {"n": 0}
    real_write = np.lib.format.write_array

    def failing_write(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real_write(*args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", failing_write)
    with pytest.raises(OSError, match="disk full"):
        save(mlp(seed=1), path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["m.npz"]

    def failing_replace(src, dst):
        raise OSError("rename failed")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="rename failed"):
        save(mlp(seed=1), path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["m.npz"]


def test_save_refuses_object_arrays_and_missing_directories(tmp_path):
    class Odd(Module):
        def state_dict(self):
            return {"w": np.array([1, "x", None], dtype=object)}

    with pytest.raises(ValueError, match="save: state_dict entry 'w' has dtype object"):
        save(Odd(), tmp_path / "odd.npz")
    assert os.listdir(tmp_path) == []
    with pytest.raises(FileNotFoundError, match="save: the directory"):
        save(mlp(), tmp_path / "nowhere" / "m.npz")


def test_load_rejects_checkpoints_that_do_not_fit(tmp_path):
    model = mlp()
    original = param_list(model)
    save(mlp(hidden=16), tmp_path / "ok.npz")
    save(Sequential(Linear(2, 16, rng=0)), tmp_path / "missing.npz")
    save(mlp(hidden=8), tmp_path / "shape.npz")
    save(mlp(dtype=np.float32), tmp_path / "dtype.npz")
    extra = dict(mlp().state_dict(), **{"9.weight": np.zeros(2)})
    np.savez(tmp_path / "extra.npz", **extra)
    cases = {
        "missing": r"missing keys \['2.weight', '2.bias'\]",
        "extra": r"unexpected keys \['9.weight'\]",
        "shape": r"'0.weight' has shape \(2, 8\).*expected shape \(2, 16\)",
        "dtype": r"'0.weight' .*dtype float32.*expected .*dtype float64",
    }
    for name, pattern in cases.items():
        file = tmp_path / f"{name}.npz"
        with pytest.raises(ValueError, match=rf"load: '{file}' does not fit the model: .*{pattern}"):
            load(model, file)
        assert same_params(param_list(model), original)          # nothing changed
    load(model, tmp_path / "ok.npz")


def test_load_rejects_damaged_and_foreign_files(tmp_path):
    model = mlp()
    good = tmp_path / "good.npz"
    save(model, good)
    raw = good.read_bytes()
    files = {
        "truncated.npz": raw[: len(raw) // 2],
        "tail.npz": raw[:-20],
        "empty.npz": b"",
        "text.npz": b"this is not a checkpoint\n",
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(ValueError, match=rf"load: '{tmp_path / name}' "):
            load(model, tmp_path / name)
    np.save(tmp_path / "single.npy", np.zeros(3))
    with pytest.raises(ValueError, match=r"single.npy' holds a single .npy array"):
        load(model, tmp_path / "single.npy")
    with pytest.raises(FileNotFoundError, match="load: no checkpoint at"):
        load(model, tmp_path / "absent.npz")


def test_load_refuses_pickled_objects(tmp_path):
    state = mlp().state_dict()
    state["0.weight"] = np.array([{"payload": 1}], dtype=object)      # needs pickle
    np.savez(tmp_path / "evil.npz", **state)
    with pytest.raises(ValueError, match=r"'0.weight' holds pickled Python objects.*arbitrary code"):
        load(mlp(), tmp_path / "evil.npz")
    import pickle
    (tmp_path / "pickle.npz").write_bytes(pickle.dumps({"0.weight": 1}))
    with pytest.raises(ValueError, match="not an .npz checkpoint.*pickle"):
        load(mlp(), tmp_path / "pickle.npz")


# ----------------------------------------------------------------------------- under stress


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip_of_every_layer_type_is_exact(tmp_path, dtype):
    X, y = data(dtype=dtype)
    model = every_layer_model(0, dtype)
    fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=0.01), X, y, epochs=3, batch_size=16, rng=0)
    assert int(model[1].num_batches_tracked) == 9
    path = save(model, tmp_path / "model.npz")
    other = load(every_layer_model(1, dtype), path)
    assert_same_state(model.state_dict(), other.state_dict())
    assert predict(other, X).tobytes() == predict(model, X).tobytes()
    assert predict(other, X).dtype == dtype


def test_resuming_from_checkpoints_continues_bit_for_bit(tmp_path):
    """Model and optimizer state through .npz files (allow_pickle=False) lose nothing."""
    X, y = data()
    model = every_layer_model(0)
    optimizer = Adam(model.parameters(), lr=0.01)
    fit(model, CrossEntropyLoss(), optimizer, X, y, epochs=2, batch_size=16, rng=1)
    save(model, tmp_path / "model.npz")
    np.savez(tmp_path / "optimizer.npz", **optimizer.state_dict())

    resumed = load(every_layer_model(5), tmp_path / "model.npz")
    resumed_optimizer = Adam(resumed.parameters(), lr=0.5)
    with np.load(tmp_path / "optimizer.npz", allow_pickle=False) as archive:
        resumed_optimizer.load_state_dict({key: archive[key] for key in archive.files})
    # the dropout masks come from the layer's generator: give both the same one
    model[3].rng, resumed[3].rng = np.random.default_rng(9), np.random.default_rng(9)
    fit(model, CrossEntropyLoss(), optimizer, X, y, epochs=2, batch_size=16, rng=2)
    fit(resumed, CrossEntropyLoss(), resumed_optimizer, X, y, epochs=2, batch_size=16, rng=2)
    assert_same_state(model.state_dict(), resumed.state_dict())


_KILL_SCRIPT = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {root!r})
    import numpy as np
    from nnbook.layers import Linear, Sequential
    from nnbook.checkpoint import save
    real = np.lib.format.write_array
    calls = []
    def dying_write(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:          # half of the checkpoint is written: the process dies
            os._exit(17)
        return real(*args, **kwargs)
    np.lib.format.write_array = dying_write
    save(Sequential(Linear(4, 8, rng=1), Linear(8, 3, rng=2)), {path!r})
""")


def test_a_process_killed_while_saving_leaves_the_old_checkpoint_intact(tmp_path):
    path = tmp_path / "model.npz"
    old = Sequential(Linear(4, 8, rng=0), Linear(8, 3, rng=0))
    save(old, path)
    before = path.read_bytes()
    script = _KILL_SCRIPT.format(root=str(ROOT), path=str(path))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert result.returncode == 17, result.stderr
    assert path.read_bytes() == before
    loaded = load(Sequential(Linear(4, 8, rng=5), Linear(8, 3, rng=5)), path)
    assert_same_state(loaded.state_dict(), old.state_dict())
    # the only other file is the dead process's temporary file, never under the final name
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p != path)
    assert all(name.startswith(".model.npz.") and name.endswith(".tmp") for name in leftovers)


def _small():
    return Sequential(Linear(3, 4, rng=0), Linear(4, 2, rng=1))


def _attempt_load(path, saved):
    """Load ``path`` into a fresh model; return "ok" if it holds exactly ``saved``."""
    model = Sequential(Linear(3, 4, rng=7), Linear(4, 2, rng=8))
    untouched = weights(model)
    try:
        load(model, path)
    except ValueError as exc:
        assert str(exc).startswith(f"load: '{path}'"), str(exc)
        assert_same_state(model.state_dict(), untouched)       # nothing changed
        return "refused"
    assert_same_state(model.state_dict(), saved)               # never different numbers
    return "ok"


def _saved_and_copied(tmp_path):
    """A small model's checkpoint: its bytes, the saved weights, and a copy of the file to damage."""
    model = _small()
    raw = save(model, tmp_path / "good.npz").read_bytes()
    path = tmp_path / "damaged.npz"
    path.write_bytes(raw)
    return raw, weights(model), path


def test_every_truncation_is_refused(tmp_path):
    raw, saved, path = _saved_and_copied(tmp_path)
    n = len(raw)
    # every length near the ends (headers, central directory), every 4th in between
    lengths = sorted(set(range(0, 160)) | set(range(n - 320, n)) | set(range(160, n - 320, 4)))
    for length in reversed(lengths):
        os.truncate(path, length)
        assert _attempt_load(path, saved) == "refused", length


def test_every_single_byte_corruption_is_refused_or_harmless(tmp_path):
    raw, saved, path = _saved_and_copied(tmp_path)
    outcomes = {"refused": 0, "ok": 0}
    with open(path, "r+b") as file:
        for position in range(len(raw)):
            flip = (0x01, 0x55, 0xFF, 0x80)[position % 4]
            file.seek(position)
            file.write(bytes([raw[position] ^ flip]))        # damage one byte...
            file.flush()
            outcomes[_attempt_load(path, saved)] += 1
            file.seek(position)
            file.write(raw[position:position + 1])            # ...and repair it
    # damaged data and headers are caught by the zip CRC and structure; only bytes that
    # nobody reads (timestamps, "version made by", ...) change without an error
    assert outcomes["refused"] > 0.6 * len(raw)


def test_a_directory_is_not_a_checkpoint(tmp_path):
    with pytest.raises(IsADirectoryError, match=r"load: '.*' is a directory; pass the \.npz file"):
        load(_small(), tmp_path)


class _Payload:
    """Unpickling this object creates a file: proof that code ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def test_a_pickle_that_would_run_code_is_refused_and_does_not_run(tmp_path):
    marker = tmp_path / "code-ran"
    evil = tmp_path / "evil.npz"
    evil.write_bytes(pickle.dumps(_Payload(str(marker))))
    pickle.loads(evil.read_bytes())                   # the payload works...
    assert marker.exists()
    marker.unlink()
    with pytest.raises(ValueError, match=r"load: .*evil\.npz' is not an \.npz checkpoint.*pickle"):
        load(_small(), evil)                          # ...but load never unpickles it
    assert not marker.exists()


def test_a_pickled_member_inside_an_npz_is_refused_and_does_not_run(tmp_path):
    marker = tmp_path / "code-ran"
    state = _small().state_dict()
    state["0.weight"] = np.array([_Payload(str(marker))], dtype=object)
    buffer = io.BytesIO()
    np.savez(buffer, **state)                          # np.savez pickles object arrays
    (tmp_path / "evil.npz").write_bytes(buffer.getvalue())
    model = _small()
    before = weights(model)
    with pytest.raises(ValueError, match=r"'0\.weight' holds pickled Python objects.*arbitrary code"):
        load(model, tmp_path / "evil.npz")
    assert not marker.exists()
    assert_same_state(model.state_dict(), before)


def test_a_checkpoint_of_another_architecture_names_every_difference(tmp_path):
    save(Sequential(Linear(3, 4, rng=0), BatchNorm1d(4), Linear(4, 2, rng=1)), tmp_path / "bn.npz")
    model = _small()
    before = weights(model)
    with pytest.raises(ValueError, match=r"load: '.*bn\.npz' does not fit the model: Sequential\.load_state_dict: "
                                         r"missing keys \[\], unexpected keys \['2\.weight', '2\.bias', "
                                         r"'1\.running_mean', '1\.running_var', '1\.num_batches_tracked'\]"):
        load(model, tmp_path / "bn.npz")
    assert_same_state(model.state_dict(), before)


def test_a_model_whose_buffer_dtype_differs_is_refused(tmp_path):
    save(Sequential(Linear(3, 4, rng=0), BatchNorm1d(4)), tmp_path / "m.npz")
    other = Sequential(Linear(3, 4, rng=0), BatchNorm1d(4, dtype=np.float32))
    with pytest.raises(ValueError, match=r"'1\.weight' has shape \(4,\) and dtype float64, expected "
                                         r"shape \(4,\) and dtype float32"):
        load(other, tmp_path / "m.npz")


def test_softmax_model_round_trip_keeps_probabilities_exact(tmp_path):
    model = Sequential(Linear(3, 5, rng=0), Softmax())
    path = save(model, tmp_path / "p.npz")
    X = np.random.default_rng(0).normal(size=(7, 3))
    assert predict(load(Sequential(Linear(3, 5, rng=4), Softmax()), path), X).tobytes() == \
        predict(model, X).tobytes()
    assert sorted(os.listdir(tmp_path)) == ["p.npz"]


# ----------------------------------------------------------------------------- atomic_write itself

def test_atomic_write_gives_a_new_file_the_mode_of_open_under_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        atomic_write(tmp_path / "new.bin", lambda file: file.write(b"x"))
        (tmp_path / "plain.bin").write_bytes(b"x")
    finally:
        os.umask(old)
    assert os.stat(tmp_path / "new.bin").st_mode & 0o777 == 0o640
    assert os.stat(tmp_path / "plain.bin").st_mode & 0o777 == 0o640
    # a replaced file keeps its own mode, whatever the umask
    os.chmod(tmp_path / "new.bin", 0o600)
    atomic_write(tmp_path / "new.bin", lambda file: file.write(b"y"))
    assert os.stat(tmp_path / "new.bin").st_mode & 0o777 == 0o600
    assert (tmp_path / "new.bin").read_bytes() == b"y"


@pytest.mark.parametrize("error", [ValueError("wrong checksum"), KeyboardInterrupt()])
def test_atomic_write_that_raises_leaves_nothing_and_keeps_the_old_file(tmp_path, error):
    path = tmp_path / "data.bin"
    path.write_bytes(b"old")

    def write(file):
        file.write(b"new, half")
        raise error

    with pytest.raises(type(error)):
        atomic_write(path, write)
    assert path.read_bytes() == b"old" and sorted(os.listdir(tmp_path)) == ["data.bin"]
    with pytest.raises(type(error)):
        atomic_write(tmp_path / "fresh.bin", write)
    assert sorted(os.listdir(tmp_path)) == ["data.bin"]


def test_atomic_write_uses_a_hidden_temporary_file_next_to_the_destination(tmp_path):
    seen = []
    path = atomic_write(tmp_path / "model.npz",
                        lambda file: seen.extend(sorted(os.listdir(tmp_path))), suffix=".part")
    assert path == tmp_path / "model.npz"
    assert len(seen) == 1 and seen[0].startswith(".model.npz.") and seen[0].endswith(".part")
    assert sorted(os.listdir(tmp_path)) == ["model.npz"]


def test_atomic_write_syncs_the_file_and_then_the_directory(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync

    def recording_fsync(fd):
        synced.append(os.path.isdir(f"/proc/self/fd/{fd}") if os.path.exists("/proc/self/fd") else None)
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    atomic_write(tmp_path / "f.bin", lambda file: file.write(b"x"))
    if os.name == "posix" and os.path.exists("/proc/self/fd"):
        assert synced == [False, True]                  # the file, then its directory
    else:
        assert len(synced) >= 1


def test_atomic_write_into_a_missing_or_read_only_directory_raises_and_leaves_nothing(tmp_path,
                                                                                   monkeypatch):
    with pytest.raises(FileNotFoundError):
        atomic_write(tmp_path / "missing" / "f.bin", lambda file: file.write(b"x"))
    locked = tmp_path / "locked"
    locked.mkdir()
    os.chmod(locked, 0o500)
    try:
        if os.access(locked, os.W_OK):           # root ignores permissions: refuse as the kernel would
            real_open = os.open

            def refusing_open(path, flags, *args, **kwargs):
                if flags & os.O_CREAT and Path(path).parent == locked:
                    raise PermissionError(13, "Permission denied", str(path))
                return real_open(path, flags, *args, **kwargs)

            monkeypatch.setattr(os, "open", refusing_open)
        with pytest.raises(PermissionError):
            atomic_write(locked / "f.bin", lambda file: file.write(b"x"))
        monkeypatch.undo()
        assert os.listdir(locked) == []
    finally:
        os.chmod(locked, 0o700)
