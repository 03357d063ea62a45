"""Reliability: data files are checked, downloads are all-or-nothing.

test_datasets.py checks the IDX format (round trips, a wrong magic number, a wrong
type code, a short or long file) and the download cache (good and bad
checksums, a corrupted cached file, the offline message). This module adds:

* every truncation of an IDX file, plain or gzip-compressed, is a ValueError
  naming ``read_idx`` and the file; a header declaring absurd dimensions is
  reported with the exact number of bytes it would need (no integer overflow);
* a download that breaks off in the middle (connection reset, Ctrl-C, or the
  process killed outright) never leaves a file under the final name, and the
  next call starts over cleanly; a mirror serving the wrong bytes is skipped
  for the next one;
* the offline error of ``load_mnist`` tells the user exactly which files to
  put into which directory, and where to get them.
"""
import gzip
import math
import re
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from helpers import listing, sha256_hex
from nnbook import datasets
from nnbook.datasets import IDX_FILES, download_files, load_mnist, read_idx, write_idx

ROOT = Path(__file__).resolve().parent.parent


# ----------------------------------------------------------------------------- IDX files

@pytest.mark.parametrize("compress", [False, True])
def test_every_truncation_of_an_idx_file_is_refused(tmp_path, compress):
    good = tmp_path / ("good.idx.gz" if compress else "good.idx")
    write_idx(good, np.arange(2 * 3 * 4, dtype=np.int16).reshape(2, 3, 4))
    raw = good.read_bytes()
    path = tmp_path / ("cut.gz" if compress else "cut.idx")
    for length in range(len(raw)):
        path.write_bytes(raw[:length])
        with pytest.raises(ValueError, match=r"read_idx: .*cut"):
            read_idx(path)


def test_trailing_garbage_after_a_gzip_idx_is_refused(tmp_path):
    path = tmp_path / "extra.gz"
    write_idx(path, np.arange(6, dtype=np.uint8))
    path.write_bytes(path.read_bytes() + b"\x00garbage")
    with pytest.raises(ValueError, match=r"read_idx: .*extra\.gz"):
        read_idx(path)


@pytest.mark.parametrize("extra", [0, 64])
@pytest.mark.parametrize("shape", [(2**32 - 1,) * 3, (2**31, 2**31 + 1), (65536, 65536, 65536, 65536)])
def test_absurd_dimensions_are_reported_exactly(tmp_path, shape, extra):
    """The size in the message is the true one: computed without 64-bit overflow
    (65536**4 * 4 bytes wraps around to 0 in int64, which would make a header alone look complete)."""
    path = tmp_path / "huge.idx"
    path.write_bytes(bytes([0, 0, 0x0D, len(shape)]) + np.array(shape, ">u4").tobytes() + bytes(extra))
    needed = 4 + 4 * len(shape) + math.prod(shape) * 4           # float32 values
    with pytest.raises(ValueError, match=rf"read_idx: .*huge\.idx is truncated: an array of shape "
                                         rf"{re.escape(str(shape))} and dtype float32 needs {needed} bytes"):
        read_idx(path)


def test_a_labels_file_where_images_are_expected_is_refused(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    labels = np.arange(5, dtype=np.uint8)
    for name in IDX_FILES["test"]:                                # both files hold labels
        write_idx(served / name, labels)
    sums = {name: sha256_hex((served / name).read_bytes()) for name in IDX_FILES["test"]}
    with pytest.raises(ValueError, match=r"load_mnist: t10k-images-idx3-ubyte\.gz has shape \(5,\) .*"
                                         r"expected \(n, rows, cols\) images"):
        load_mnist(tmp_path / "root", "test", mirrors=[served.as_uri() + "/"], sha256=sums)


# ----------------------------------------------------------------------------- downloads

NAME = "t10k-labels-idx1-ubyte.gz"


@pytest.fixture
def payload():
    """A small valid gzip IDX labels file (300 labels) and its checksum table."""
    raw = gzip.compress(bytes([0, 0, 8, 1]) + np.array([300], ">u4").tobytes()
                        + bytes(range(256)) + bytes(44), mtime=0)
    return raw, {NAME: sha256_hex(raw)}


class _Response:
    """A fake HTTP response that delivers ``raw`` in chunks, then fails with ``error``."""

    def __init__(self, raw, error=None, fail_after=1):
        self.chunks = [raw[i:i + 100] for i in range(0, len(raw), 100)]
        self.error, self.fail_after = error, fail_after

    def read(self, size=-1):
        if self.error is not None and self.fail_after == 0:
            raise self.error
        self.fail_after -= 1
        return self.chunks.pop(0) if self.chunks else b""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("error", [ConnectionResetError("connection reset by peer"),
                                   TimeoutError("timed out")])
def test_a_download_that_breaks_off_leaves_nothing(tmp_path, monkeypatch, payload, error):
    raw, sums = payload
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: _Response(raw, error))
    cache = tmp_path / "cache"
    with pytest.raises(FileNotFoundError) as info:
        download_files(cache, [NAME], ["https://mirror.invalid/"], sums)
    message = str(info.value)
    assert f"Put these files into the directory {cache} by hand: {NAME}" in message
    assert str(error) in message                        # what went wrong, per mirror
    assert listing(cache) == []                        # no partial file, no temporary file


def test_ctrl_c_during_a_download_leaves_nothing(tmp_path, monkeypatch, payload):
    raw, sums = payload
    monkeypatch.setattr(urllib.request, "urlopen",
                        lambda url, timeout: _Response(raw, KeyboardInterrupt(), fail_after=2))
    cache = tmp_path / "cache"
    with pytest.raises(KeyboardInterrupt):
        download_files(cache, [NAME], ["https://mirror.invalid/"], sums)
    assert listing(cache) == []
    # the next attempt starts from scratch and succeeds
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: _Response(raw))
    (path,) = download_files(cache, [NAME], ["https://mirror.invalid/"], sums)
    assert path.read_bytes() == raw and listing(cache) == [NAME]


def test_a_wrong_file_from_one_mirror_is_discarded_and_the_next_mirror_used(tmp_path, monkeypatch,
                                                                             payload):
    raw, sums = payload
    served = {"https://bad.invalid/" + NAME: b"<html>Service unavailable</html>",
              "https://good.invalid/" + NAME: raw}
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: _Response(served[url]))
    cache = tmp_path / "cache"
    (path,) = download_files(cache, [NAME], ["https://bad.invalid/", "https://good.invalid/"], sums)
    assert path.read_bytes() == raw
    assert listing(cache) == [NAME]


_KILL_SCRIPT = textwrap.dedent("""
    import os, sys, urllib.request
    sys.path.insert(0, {root!r})
    from nnbook.datasets import download_files

    class Dying:
        def __init__(self):
            self.calls = 0
        def read(self, size=-1):
            self.calls += 1
            if self.calls == 2:
                os._exit(17)              # killed in the middle of the download
            return b"x" * 100
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            return False

    urllib.request.urlopen = lambda url, timeout: Dying()
    download_files({cache!r}, [{name!r}], ["https://mirror.invalid/"], {{{name!r}: "0" * 64}})
""")


def test_a_process_killed_during_a_download_never_leaves_the_final_name(tmp_path, monkeypatch,
                                                                        payload):
    raw, sums = payload
    cache = tmp_path / "cache"
    script = _KILL_SCRIPT.format(root=str(ROOT), cache=str(cache), name=NAME)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert result.returncode == 17, result.stderr
    assert NAME not in listing(cache)                  # at most a hidden temporary file
    assert all(name.startswith(f".{NAME}.") and name.endswith(".part") for name in listing(cache))
    # offline, the half-written temporary file is not taken for the data
    with pytest.raises(FileNotFoundError, match=rf"download=False.*{re.escape(str(cache))} by hand: {NAME}"):
        download_files(cache, [NAME], [], sums, download=False)
    # online, the next call downloads a complete copy
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: _Response(raw))
    (path,) = download_files(cache, [NAME], ["https://mirror.invalid/"], sums)
    assert path.read_bytes() == raw


def test_the_offline_message_says_which_files_go_where_and_where_to_get_them(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        load_mnist(tmp_path, "test", download=False)
    message = str(info.value)
    assert f"Put these files into the directory {tmp_path / 'mnist'} by hand" in message
    for name in IDX_FILES["test"]:
        assert name in message
    assert all(mirror in message for mirror in datasets.MNIST_MIRRORS)
    assert "SHA-256" in message
    assert listing(tmp_path) == []                     # offline: nothing was created
