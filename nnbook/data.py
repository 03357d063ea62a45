# Generated from book/07_batching.ipynb, book/eng_training.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Data: batching, splitting, scaling and encoding labels (chapter 7, *Batching*).

:class:`DataLoader` as in PyTorch; :func:`train_test_split`, :class:`StandardScaler`
and :func:`one_hot` as in scikit-learn. The datasets are in :mod:`nnbook.datasets`.
"""

__all__ = ['train_test_split', 'StandardScaler', 'one_hot', 'DataLoader']


# %% book/07_batching.ipynb cell-001
import numpy as np

from nnbook.checks import as_generator, check_input, positive_int, real_number


# %% book/07_batching.ipynb cell-004
def train_test_split(*arrays, test_size=0.2, rng=None, stratify=None):
    """Split arrays into random train and test subsets (the order of ``sklearn``'s function).

    Parameters
    ----------
    *arrays : array_like
        One or more arrays with the same first dimension :math:`n`, split
        along that axis with the same random permutation.
    test_size : float or int, default 0.2
        A float in :math:`(0, 1)` is the fraction of samples in the test set,
        rounded up (:math:`\\lceil 0.2 n \\rceil`); an int is their number.
    rng : numpy.random.Generator or int, optional
        Source of randomness.
    stratify : array_like of shape (n,), optional
        Class labels: each class then keeps (up to rounding) its proportion in
        both subsets. Every class needs at least 2 samples, and each subset must be
        at least as large as the number of classes.

    Returns
    -------
    list of ndarray
        ``[a_train, a_test, b_train, b_test, ...]``: two arrays per input,
        in random order.

    Examples
    --------
    >>> X, y = np.arange(200.0).reshape(100, 2), np.arange(100)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, rng=0)
    >>> X_train.shape, X_test.shape
    ((80, 2), (20, 2))
    """
    who = "train_test_split"
    if not arrays:
        raise ValueError(f"{who}: pass at least one array")
    arrays = _check_samples(arrays, who)
    n = arrays[0].shape[0]
    if isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool):
        n_test = positive_int(test_size, "test_size", who, minimum=0)   # a count, checked below
    else:                                        # a fraction
        fraction = real_number(test_size, "test_size", who, low=0, high=1, low_open=True, high_open=True)
        n_test = int(np.ceil(fraction * n))
    n_train = n - n_test
    if n_test < 1 or n_train < 1:
        raise ValueError(f"{who}: with {n} samples and test_size={test_size!r} the train set would "
                         f"have {n_train} and the test set {n_test} samples; both need at least 1")
    rng = as_generator(rng, "train_test_split")
    if stratify is None:
        order = rng.permutation(n)
        train, test = order[:n_train], order[n_train:]
    else:
        train, test = _stratified_indices(np.asarray(stratify), n, n_test, rng, who)
    out = []
    for a in arrays:
        out.extend([a[train], a[test]])
    return out


def _stratified_indices(labels, n, n_test, rng, who):
    """Train and test indices that keep the class proportions of ``labels``."""
    if labels.shape != (n,):
        raise ValueError(f"{who}: stratify must have shape ({n},), got shape {labels.shape}")
    classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    if counts.min() < 2:
        raise ValueError(
            f"{who}: stratify needs at least 2 samples per class; class "
            f"{classes[counts.argmin()]!r} has {counts.min()}"
        )
    if min(n_test, n - n_test) < classes.size:
        raise ValueError(
            f"{who}: train and test sets of {n - n_test} and {n_test} samples cannot "
            f"both hold all {classes.size} classes; change test_size"
        )
    # Largest-remainder rounding of each class's share of the test set,
    # keeping at least one sample of every class on each side.
    share = counts * (n_test / n)
    per_class = np.clip(np.floor(share).astype(np.int64), 1, counts - 1)
    remainder = share - per_class
    while per_class.sum() != n_test:
        can = (per_class < counts - 1) if per_class.sum() < n_test else (per_class > 1)
        step = 1 if per_class.sum() < n_test else -1
        pick = np.flatnonzero(can)[np.argmax(step * remainder[can])]
        per_class[pick] += step
        remainder[pick] -= step
    # Shuffle, then stable-sort by class: within each class the order is random.
    order = rng.permutation(n)
    order = order[np.argsort(inverse[order], kind="stable")]
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.arange(n) - np.repeat(starts, counts)      # position within its class
    is_test = rank < np.repeat(per_class, counts)
    return rng.permutation(order[~is_test]), rng.permutation(order[is_test])


# %% book/07_batching.ipynb cell-007
class StandardScaler:
    """Standardise features: subtract the training mean, divide by the training standard deviation.

    :math:`X' = (X - \\mu) / s` with :math:`\\mu` and :math:`s`
    the per-feature mean and (population) standard deviation of the data
    passed to :meth:`fit`. Fit on the training set only, then transform
    the training, validation and test sets with the same statistics.

    Attributes
    ----------
    mean_ : ndarray, float64, shape (d,)
        Per-feature mean :math:`\\mu` of the training data.
    scale_ : ndarray, float64, shape (d,)
        Per-feature standard deviation :math:`s`; a constant feature gets 1,
        so it is centred but never divided by zero. "Constant" allows for
        rounding: a variance within the error bound of its computation counts as
        zero (scikit-learn's rule), so a column of ``0.1`` maps to 0, not to
        :math:`\\pm 1`.
    n_features_in_ : int
        Number of features :math:`d` seen by :meth:`fit`.

    Notes
    -----
    Statistics are computed in float64. :meth:`transform` returns float32
    for float32 input and float64 otherwise (integer input is converted).

    Examples
    --------
    >>> scaler = StandardScaler().fit(np.array([[0.0, 1.0], [2.0, 1.0]]))
    >>> scaler.mean_, scaler.scale_
    (array([1., 1.]), array([1., 1.]))
    >>> scaler.transform(np.array([[4.0, 3.0]]))
    array([[3., 2.]])
    """

    def __init__(self):
        self.mean_ = None
        self.scale_ = None
        self.n_features_in_ = None

    def _check(self, X, method):
        who = f"StandardScaler.{method}"
        try:
            X = np.asarray(X)
        except ValueError:                       # NumPy: "inhomogeneous shape"
            raise ValueError(f"{who}: X has ragged rows (nested lists of different lengths)") from None
        if X.dtype.kind in "biu":                # integer or bool data: float64
            X = X.astype(np.float64)
        X = check_input(X, who, ndim=2)
        if method != "fit":
            if self.mean_ is None:
                raise RuntimeError(f"{who}: this scaler is not fitted yet; call fit(X_train) first")
            if X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"{who}: X has shape {X.shape} ({X.shape[1]} features) but the scaler was "
                    f"fitted on {self.n_features_in_} features (mean_ of shape {self.mean_.shape})"
                )
        return X

    def fit(self, X):
        """Compute :attr:`mean_` and :attr:`scale_` from ``X`` of shape (n, d); returns self."""
        X = self._check(X, "fit")
        self.mean_ = X.mean(axis=0, dtype=np.float64)
        std = X.std(axis=0, dtype=np.float64)
        # a constant feature, up to rounding (eng_training: std ~ 1e-17 for a column of 0.1), gets 1
        self.scale_ = np.where(_constant_features(std, self.mean_, X.shape[0]), 1.0, std)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X):
        """Return :math:`(X - \\mu) / s` (a new array, same shape)."""
        X = self._check(X, "transform")
        return (X - self.mean_.astype(X.dtype)) / self.scale_.astype(X.dtype)

    def fit_transform(self, X):
        """``fit(X)``, then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X):
        """Undo :meth:`transform`: return :math:`X s + \\mu`."""
        X = self._check(X, "inverse_transform")
        return X * self.scale_.astype(X.dtype) + self.mean_.astype(X.dtype)

    def __repr__(self):
        fitted = "unfitted" if self.mean_ is None else f"n_features_in_={self.n_features_in_}"
        return f"StandardScaler({fitted})"


# %% book/07_batching.ipynb cell-012
def one_hot(y, n_classes=None, dtype=np.float64):
    """Encode integer class labels as one-hot rows.

    Parameters
    ----------
    y : array_like of int, shape (n,)
        Labels in :math:`[0, C)`.
    n_classes : int, optional
        :math:`C`; by default ``y.max() + 1``. Pass it explicitly when a
        batch may miss the last classes.
    dtype : numpy dtype, default float64
        dtype of the result.

    Returns
    -------
    ndarray, shape (n, C)
        Row :math:`i` is zero except for a one in column :math:`y_i`.

    Examples
    --------
    >>> one_hot([2, 0, 1])
    array([[0., 0., 1.],
           [1., 0., 0.],
           [0., 1., 0.]])
    """
    y = np.asarray(y)
    if not np.issubdtype(y.dtype, np.integer):
        raise ValueError(
            f"one_hot: labels must be integers, got dtype {y.dtype}; convert them with "
            ".astype(np.int64) (after checking they are whole numbers)"
        )
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"one_hot: labels must be a non-empty 1-d array of shape (n,), got shape {y.shape}")
    n_classes = positive_int(int(y.max()) + 1 if n_classes is None else n_classes, "n_classes", "one_hot")
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(f"one_hot: labels must lie in [0, {n_classes}), got values from "
                         f"{y.min()} to {y.max()}")
    out = np.zeros((y.size, n_classes), dtype=dtype)
    out[np.arange(y.size), y] = 1
    return out


# %% book/07_batching.ipynb cell-028
class DataLoader:
    """Iterate over a dataset in minibatches (the names follow ``torch.utils.data.DataLoader``).

    Parameters
    ----------
    X : array_like, shape (n_samples, ...)
        The inputs; the first axis indexes samples.
    y : array_like, shape (n_samples, ...), optional
        The targets. Without ``y`` the loader yields input batches alone.
    batch_size : int, default 32
        Number of samples per batch, :math:`B`.
    shuffle : bool, default False
        Visit the samples in a fresh random order every epoch (every call to
        ``iter``). Use it for training; keep the order for evaluation.
    drop_last : bool, default False
        Skip the last batch when it has fewer than ``batch_size`` samples.
    rng : numpy.random.Generator or int, optional
        Where the permutations come from (``np.random.default_rng(rng)``):
        the same seed gives the same sequence of epochs.

    Notes
    -----
    An epoch yields ``len(loader)`` batches, :math:`\\lceil n/B \\rceil`
    (or :math:`\\lfloor n/B \\rfloor` with ``drop_last``), and, unless a
    partial last batch is dropped, every sample exactly once. dtypes are
    kept as they are.

    No needless copies: without shuffling every batch is a view (a slice)
    of ``X`` and ``y``; with shuffling each batch is gathered with one fancy
    index of the epoch's permutation, so no shuffled copy of the whole
    dataset is ever made. (Chapter 7 measures both ways: on an MNIST-sized
    array, gathering per batch was as fast as or faster than permuting the
    whole dataset once per epoch and slicing, and it needs no second copy
    in memory.) Views share memory with the dataset: copy a batch before
    modifying it in place.

    Examples
    --------
    >>> X, y = np.arange(10.0).reshape(5, 2), np.arange(5)
    >>> [yb.tolist() for _, yb in DataLoader(X, y, batch_size=2)]
    [[0, 1], [2, 3], [4]]
    >>> len(DataLoader(X, y, batch_size=2, drop_last=True))
    2
    """

    def __init__(self, X, y=None, *, batch_size=32, shuffle=False, drop_last=False, rng=None):
        self.X, *rest = _check_samples([X] if y is None else [X, y], "DataLoader")
        self.y = rest[0] if rest else None
        self.batch_size = positive_int(batch_size, "batch_size", "DataLoader")
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.rng = as_generator(rng, "DataLoader")

    @property
    def n_samples(self):
        """Number of samples in the dataset."""
        return self.X.shape[0]

    def __len__(self):
        if self.drop_last:
            return self.n_samples // self.batch_size
        return -(-self.n_samples // self.batch_size)  # ceil division

    def __iter__(self):
        stop = len(self) * self.batch_size
        order = self.rng.permutation(self.n_samples) if self.shuffle else None
        for start in range(0, min(stop, self.n_samples), self.batch_size):
            if order is None:  # basic slicing: views, no copy
                part = slice(start, start + self.batch_size)
                xb = self.X[part]
                yb = None if self.y is None else self.y[part]
            else:  # one gather of the rows (take is the fastest form of fancy indexing)
                index = order[start:start + self.batch_size]
                xb = self.X.take(index, axis=0)
                yb = None if self.y is None else self.y.take(index, axis=0)
            yield xb if self.y is None else (xb, yb)

    def __repr__(self):
        return (f"DataLoader(n_samples={self.n_samples}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last})")


# %% book/eng_training.ipynb cell-005
from nnbook.checks import module_name


def _check_batches(model, n, batch_size, drop_last, who):
    """Refuse a run whose smallest batch is empty, or of 1 sample with batch normalization."""
    from nnbook.regularization import BatchNorm1d   # here: regularization does not need data
    if drop_last and n < batch_size:
        raise ValueError(f"{who}: drop_last=True with batch_size={batch_size} and {n} samples "
                         f"leaves no batch to train on; use a batch_size of at most {n}")
    smallest = batch_size if drop_last or n % batch_size == 0 else n % batch_size
    norms = [m for m in model.modules() if isinstance(m, BatchNorm1d)]
    if smallest == 1 and norms:
        fix = ("use batch_size >= 2" if batch_size == 1 else
               "pass drop_last=True to skip the partial batch (with shuffle=True a different "
               "sample is left out each epoch), or choose a batch_size that does not leave 1 sample")
        raise ValueError(
            f"{who}: {n} samples in batches of {batch_size} leave "
            f"{'a partial last batch' if batch_size > 1 else 'batches'} of 1 sample, and "
            f"{module_name(norms[0])} cannot normalise a single sample in training mode (it has "
            f"no variance); {fix}"
        )


# %% book/eng_training.ipynb cell-009
import numbers

#: The keyword-only arguments of each function that takes arrays, for the message.
_KEYWORD_ONLY = {"train_test_split": ("test_size", "rng", "stratify"),
                 "DataLoader": ("batch_size", "shuffle", "drop_last", "rng")}


def _check_samples(arrays, who):
    """The arrays as ndarrays sharing a non-empty first axis (the samples), or a ValueError.

    Refuses a number among the arrays (an option passed by position) and a
    nested list with rows of different lengths.
    """
    names = ("X", "y") if who == "DataLoader" else [f"arrays[{i}]" for i in range(len(arrays))]
    checked = []
    for k, (name, a) in enumerate(zip(names, arrays)):
        if k and (isinstance(a, numbers.Number) or (isinstance(a, np.ndarray) and a.ndim == 0)):
            first, *others = _KEYWORD_ONLY.get(who, ("size",))
            raise ValueError(
                f"{who}: {name} is the number {a!r}, not an array: {first} (like "
                f"{', '.join(others)}) is keyword-only; write {who}(..., {first}={a!r})"
            )
        try:
            a = np.asarray(a)
        except ValueError:                    # NumPy >= 1.24: "inhomogeneous shape"
            a = None
        if a is None or (a.dtype == object and any(isinstance(v, (list, tuple, np.ndarray))
                                                   for v in a.ravel())):
            raise ValueError(f"{who}: {name} has ragged rows (nested lists of different lengths), "
                             "not an array; give every row the same number of values")
        checked.append(a)
    shapes = " and ".join(str(a.shape) for a in checked)
    if any(a.ndim == 0 for a in checked) or checked[0].shape[0] == 0:
        raise ValueError(f"{who}: expected non-empty arrays of shape (n_samples, ...), got shape {shapes}")
    if any(a.shape[0] != checked[0].shape[0] for a in checked):
        raise ValueError(f"{who}: the arrays must have the same number of samples, got shapes {shapes}")
    return checked


def _constant_features(std, mean, n):
    """True where a feature's computed ``std`` is indistinguishable from 0 (rounding of n values)."""
    eps = np.finfo(np.float64).eps
    var = std * std
    return var <= n * eps * var + (n * mean * eps) ** 2
