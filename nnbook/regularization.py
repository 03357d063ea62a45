# Generated from book/09_regularization.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Regularization: dropout, batch normalization, weight decay and early stopping (chapter 9, *Regularization*).

:class:`Dropout` zeroes each unit with probability ``p`` during training and
scales the others by :math:`1/(1-p)` (inverted dropout), so evaluation mode is
the identity. :class:`BatchNorm1d` standardises each feature over the batch in
training mode, keeps running estimates of the mean and variance for
evaluation mode, and follows ``torch.nn.BatchNorm1d`` exactly (momentum
convention, biased variance for normalizing, unbiased variance in
``running_var``, parameter and buffer names). :class:`EarlyStopping` watches a
validation metric and restores the weights of its best epoch; it implements the
callback hooks ``on_train_begin``, ``on_epoch_end`` and ``on_train_end`` that
``nnbook.train.fit`` (chapter 10) calls.

Weight decay is an argument of the optimizers (``nnbook.optim.SGD(...,
weight_decay=)`` adds the gradient of the L2 penalty, ``nnbook.optim.AdamW``
decays the weights directly); :func:`l2_penalty` computes the penalty itself,
to report the regularized loss.
"""

__all__ = ['l2_penalty', 'Dropout', 'BatchNorm1d', 'EarlyStopping']


# %% book/09_regularization.ipynb cell-001
import math
from contextlib import contextmanager

import numpy as np

from nnbook.layers import Module, Parameter
from nnbook.checks import check_grad_out, check_input, module_name, no_forward_error


# %% book/09_regularization.ipynb cell-013
def l2_penalty(model, weight_decay):
    """The L2 penalty :math:`\\frac{\\lambda}{2}\\sum_k \\lVert\\theta_k\\rVert^2` of a set of parameters.

    Adding it to the loss adds :math:`\\lambda\\theta_k` to the gradient of every
    parameter :math:`\\theta_k`, which is exactly what the ``weight_decay``
    argument of :class:`nnbook.optim.SGD` (and of ``Adam``, ``RMSprop``,
    ``Adagrad``) does; use this function to *report* the regularized loss
    :math:`\\tilde L = L + \\frac{\\lambda}{2}\\lVert\\theta\\rVert^2`, not to
    train (the optimizer already adds the gradient).

    Parameters
    ----------
    model : Module or iterable of Parameter
        A model, whose :meth:`~nnbook.layers.Module.parameters` are all
        included (biases too, as the optimizers' ``weight_decay`` does), or an
        explicit list of parameters, e.g. only the weight matrices:
        ``[p for name, p in model.named_parameters() if name.endswith("weight")]``.
    weight_decay : float
        :math:`\\lambda \\ge 0`.

    Returns
    -------
    float
        :math:`\\frac{\\lambda}{2}\\sum_k \\sum_j \\theta_{kj}^2`.

    Raises
    ------
    ValueError
        If ``weight_decay`` is negative or not a finite number, or an item is
        not a :class:`~nnbook.layers.Parameter`.

    Examples
    --------
    >>> from nnbook.layers import Linear
    >>> layer = Linear(2, 1, rng=0)
    >>> layer.weight.data[...] = [[3.0], [4.0]]; layer.bias.data[...] = 0.0
    >>> l2_penalty(layer, 0.1)
    1.25
    """
    name = "l2_penalty"
    try:
        wd = float(weight_decay)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: weight_decay must be a number, got {weight_decay!r}") from None
    if not math.isfinite(wd) or wd < 0:
        raise ValueError(f"{name}: weight_decay must be a finite number >= 0, got {weight_decay!r}")
    if isinstance(model, Module):
        params = model.parameters()
    elif isinstance(model, Parameter):
        params = [model]
    else:
        try:
            params = list(model)
        except TypeError:
            raise ValueError(
                f"{name}: expected a Module or an iterable of Parameters, got {type(model).__name__}"
            ) from None
    for i, p in enumerate(params):
        if not isinstance(p, Parameter):
            raise ValueError(
                f"{name}: expected a Module or an iterable of Parameters, but item {i} is a "
                f"{type(p).__name__}"
            )
    return 0.5 * wd * sum(float(np.vdot(p.data, p.data)) for p in params)


# %% book/09_regularization.ipynb cell-019
class Dropout(Module):
    """Inverted dropout: zero each element with probability ``p`` and scale the rest by :math:`1/(1-p)`.

    In training mode (:attr:`~nnbook.layers.Module.training` True) each
    element of the input is kept with probability :math:`1 - p`, independently,
    with a new mask at every forward pass:

    .. math::

        \\tilde h = \\frac{m}{1 - p} \\odot h, \\qquad
        m_{ij} \\sim \\mathrm{Bernoulli}(1 - p), \\qquad
        \\mathbb E_m[\\tilde h] = h .

    In evaluation mode (after :meth:`~nnbook.layers.Module.eval`) it is the
    identity and returns its input unchanged (the same array).

    Parameters
    ----------
    p : float, default 0.5
        Probability of *dropping* an element (PyTorch's convention; some texts
        and old TensorFlow code use the keep probability :math:`1 - p`), in
        :math:`[0, 1)`. ``p = 0`` makes the layer the identity.
    rng : numpy.random.Generator or int, optional
        Source of the masks; the layer keeps its own generator
        (``np.random.default_rng(rng)``), so a seed makes the masks reproducible.

    Attributes
    ----------
    p : float
    rng : numpy.random.Generator
    mask : ndarray or None
        The multiplier of the last training-mode forward pass, shape and dtype
        of its input: 0 for dropped elements, :math:`1/(1-p)` (rounded to the
        dtype) for kept ones. None before the first such pass (and when
        ``p = 0``).

    Notes
    -----
    Backward: :math:`\\partial L/\\partial h = \\partial L/\\partial \\tilde h
    \\odot m/(1-p)`, with the mask of the forward pass (the identity in
    evaluation mode). For a gradient check, which calls ``forward`` many
    times, freeze the mask with :meth:`freeze_mask`. Any input shape is
    accepted; float32 stays float32. Reference: Srivastava et al. (2014).

    Examples
    --------
    >>> drop = Dropout(0.5, rng=0)
    >>> out = drop(np.ones((2, 4)))      # each element is 0 or 1/(1 - 0.5) = 2
    >>> bool(np.all((out == 0) | (out == 2)))
    True
    >>> drop.eval()(np.ones((1, 3)))
    array([[1., 1., 1.]])
    """

    def __init__(self, p=0.5, *, rng=None):
        super().__init__()
        number = isinstance(p, (int, float, np.integer, np.floating)) and not isinstance(p, bool)
        if not number or not math.isfinite(p) or not 0 <= p < 1:
            hint = ""
            if number and p == 1:
                hint = ("; p=1 would drop every element (the output would always be zero "
                        "and the scale 1/(1-p) infinite)")
            raise ValueError(
                f"Dropout: p is the probability of dropping an element and must be in [0, 1), "
                f"got {p!r}{hint}"
            )
        self.p = float(p)
        self.rng = np.random.default_rng(rng)
        self.mask = None      # the multiplier m/(1-p) of the last training forward pass
        self._cache = None    # (shape, dtype, mask or None) of the last forward pass
        self._frozen = False  # True inside freeze_mask(): reuse self.mask

    def forward(self, x):
        """Apply a fresh random mask (training mode) or nothing (evaluation mode).

        Parameters
        ----------
        x : ndarray
            Any shape, floating point.

        Returns
        -------
        ndarray
            Same shape and dtype: :math:`x \\odot m / (1-p)` in training mode,
            ``x`` itself in evaluation mode or when ``p = 0``.
        """
        x = check_input(x, self)
        if not self.training or self.p == 0:
            self._cache = (x.shape, x.dtype, None)
            return x
        if self._frozen:
            if self.mask.shape != x.shape or self.mask.dtype != x.dtype:
                raise ValueError(
                    f"{module_name(self)}: the frozen mask has shape {self.mask.shape} and dtype "
                    f"{self.mask.dtype}, but the input has shape {x.shape} and dtype {x.dtype}; "
                    "freeze_mask() reuses the mask of the last forward pass, so feed a batch "
                    "of the same shape"
                )
        else:
            mask = (self.rng.random(x.shape) >= self.p).astype(x.dtype)
            mask *= 1.0 / (1.0 - self.p)          # in place: keeps the input's dtype
            self.mask = mask
        self._cache = (x.shape, x.dtype, self.mask)
        return x * self.mask

    def backward(self, grad_out, input_grad=True):
        """Multiply the gradient by the mask of the last forward pass.

        Parameters
        ----------
        grad_out : ndarray
            :math:`\\partial L/\\partial \\tilde h`, shape and dtype of the last output.

        Returns
        -------
        ndarray
            :math:`\\partial L/\\partial h = \\partial L/\\partial \\tilde h \\odot m/(1-p)`
            (``grad_out`` itself if the last forward pass was the identity).
        """
        if self._cache is None:
            raise no_forward_error(self)
        shape, dtype, mask = self._cache
        grad_out = check_grad_out(grad_out, shape, dtype, self)
        return grad_out if mask is None else grad_out * mask

    @contextmanager
    def freeze_mask(self):
        """Context in which training-mode forward passes reuse the last mask.

        Makes the layer deterministic, for gradient checks::

            drop = Dropout(0.3, rng=0)
            drop(x)                           # draws the mask
            with drop.freeze_mask():
                check_module(drop, x)         # every forward pass uses that mask

        Raises
        ------
        RuntimeError
            If there is no mask yet (no training-mode forward pass with ``p > 0``).
        """
        if self.mask is None:
            raise RuntimeError(
                f"{module_name(self)}: freeze_mask() needs a mask to freeze; run one forward "
                "pass in training mode first (with p > 0)"
            )
        self._frozen = True
        try:
            yield self
        finally:
            self._frozen = False

    def extra_repr(self):
        return f"p={self.p:g}"


# %% book/09_regularization.ipynb cell-029
class BatchNorm1d(Module):
    """Batch normalization over the samples of a batch, for inputs of shape ``(n, C)``.

    Training mode (the default), for each feature :math:`j`:

    .. math::

        \\mu_j = \\frac1n \\sum_i x_{ij}, \\quad
        \\sigma_j^2 = \\frac1n \\sum_i (x_{ij} - \\mu_j)^2, \\quad
        y_{ij} = \\gamma_j\\, \\frac{x_{ij} - \\mu_j}{\\sqrt{\\sigma_j^2 + \\epsilon}} + \\beta_j,

    with the *biased* batch variance, and the running statistics are updated
    with the momentum :math:`\\alpha` and the *unbiased* batch variance:

    .. math::

        \\hat\\mu \\leftarrow (1 - \\alpha)\\hat\\mu + \\alpha\\,\\mu, \\qquad
        \\hat\\sigma^2 \\leftarrow (1 - \\alpha)\\hat\\sigma^2 + \\alpha\\,\\frac{n}{n-1}\\sigma^2 .

    Evaluation mode normalises with :math:`\\hat\\mu` and :math:`\\hat\\sigma^2`
    instead, and changes nothing. These are the conventions of
    ``torch.nn.BatchNorm1d``, which this layer reproduces.

    Parameters
    ----------
    num_features : int
        :math:`C`, the number of features (columns) of the input.
    eps : float, default 1e-5
        :math:`\\epsilon > 0`, added to the variance.
    momentum : float or None, default 0.1
        :math:`\\alpha \\in [0, 1]`, the weight of the *new* batch in the running
        averages (PyTorch's convention; Keras's ``momentum=0.99`` is
        :math:`\\alpha = 0.01`). None: cumulative average, :math:`\\alpha = 1/k`
        at the :math:`k`-th batch.
    affine : bool, default True
        Learn the scale :math:`\\gamma` (``weight``) and shift :math:`\\beta` (``bias``).
    track_running_stats : bool, default True
        Keep the running statistics. If False there are none, and batch
        statistics are used in evaluation mode too.
    dtype : numpy dtype, default float64
        dtype of the parameters and buffers; inputs must have the same dtype.

    Attributes
    ----------
    weight, bias : Parameter or None
        :math:`\\gamma` (initially 1) and :math:`\\beta` (initially 0), shape ``(C,)``.
    running_mean, running_var : ndarray or None
        Buffers of shape ``(C,)``, initially 0 and 1.
    num_batches_tracked : ndarray
        0-d int64 buffer: the number of training batches seen.

    Notes
    -----
    Backward in training mode, with :math:`\\bar{\\hat x} = \\gamma \\odot
    \\partial L/\\partial y` and :math:`s = (\\sigma^2 + \\epsilon)^{-1/2}` per feature:

    .. math::

        \\frac{\\partial L}{\\partial x_{ij}} = \\frac{s_j}{n} \\Big( n\\,\\bar{\\hat x}_{ij}
        - \\sum_k \\bar{\\hat x}_{kj} - \\hat x_{ij} \\sum_k \\bar{\\hat x}_{kj} \\hat x_{kj} \\Big),
        \\quad
        \\frac{\\partial L}{\\partial \\gamma_j} = \\sum_i \\frac{\\partial L}{\\partial y_{ij}} \\hat x_{ij},
        \\quad
        \\frac{\\partial L}{\\partial \\beta_j} = \\sum_i \\frac{\\partial L}{\\partial y_{ij}} .

    In evaluation mode :math:`\\partial L/\\partial x_{ij} = \\bar{\\hat x}_{ij}\\,
    (\\hat\\sigma_j^2 + \\epsilon)^{-1/2}`. Training mode needs at least 2
    samples per batch. Reference: Ioffe and Szegedy (2015).

    Examples
    --------
    >>> bn = BatchNorm1d(3)
    >>> x = np.array([[1.0, 2.0, 3.0], [3.0, 6.0, 9.0]])
    >>> np.round(bn(x), 4)
    array([[-1., -1., -1.],
           [ 1.,  1.,  1.]])
    >>> bn.running_mean, bn.running_var
    (array([0.2, 0.4, 0.6]), array([1.1, 1.7, 2.7]))
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, dtype=np.float64):
        super().__init__()
        if not isinstance(num_features, (int, np.integer)) or isinstance(num_features, bool) \
                or num_features < 1:
            raise ValueError(
                f"BatchNorm1d: num_features must be a positive integer, got {num_features!r}"
            )
        dtype = np.dtype(dtype)
        if not np.issubdtype(dtype, np.floating):
            raise ValueError(f"BatchNorm1d: dtype must be a floating-point type, got {dtype}")
        real = (int, float, np.integer, np.floating)
        if not isinstance(eps, real) or isinstance(eps, bool) or not math.isfinite(eps) or eps <= 0:
            raise ValueError(f"BatchNorm1d: eps must be a positive number, got {eps!r}")
        if momentum is not None and (not isinstance(momentum, real) or isinstance(momentum, bool)
                                     or not 0 <= momentum <= 1):
            raise ValueError(
                f"BatchNorm1d: momentum is the weight of the new batch in the running averages "
                f"and must be in [0, 1] (or None for a cumulative average), got {momentum!r}"
            )
        self.num_features = int(num_features)
        self.eps = float(eps)
        self.momentum = None if momentum is None else float(momentum)
        self.affine = bool(affine)
        self.track_running_stats = bool(track_running_stats)
        self.dtype = dtype
        if self.affine:
            self.weight = Parameter(np.ones(self.num_features, dtype=dtype))
            self.bias = Parameter(np.zeros(self.num_features, dtype=dtype))
        else:
            self.weight = self.bias = None
        if self.track_running_stats:
            self.register_buffer("running_mean", np.zeros(self.num_features, dtype=dtype))
            self.register_buffer("running_var", np.ones(self.num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None
        self._cache = None  # (xhat, inv_std, batch statistics used?) of the last forward pass

    def forward(self, x):
        """Normalise each feature with the batch statistics (training) or the running ones (evaluation).

        Parameters
        ----------
        x : ndarray of shape (n, num_features)
            With the layer's dtype; :math:`n \\ge 2` when batch statistics are used.

        Returns
        -------
        ndarray of shape (n, num_features)
        """
        x = check_input(x, self, ndim=2, features=self.num_features, dtype=self.dtype)
        batch_stats = self.training or not self.track_running_stats
        if batch_stats:
            n = x.shape[0]
            if n < 2:
                raise ValueError(
                    f"{module_name(self)}: got input of shape {x.shape}, but a batch of one "
                    "sample has no variance to normalise with; use batches of at least 2 "
                    "samples in training mode, or call model.eval() to use the running statistics"
                )
            mean = x.mean(axis=0)
            xhat = x - mean
            var = np.mean(xhat * xhat, axis=0)              # biased: divides by n
            inv_std = 1.0 / np.sqrt(var + self.eps)
            if self.training and self.track_running_stats:
                self._update_running_stats(mean, var, n)
        else:
            xhat = x - self.running_mean
            inv_std = 1.0 / np.sqrt(self.running_var + self.eps)
        xhat *= inv_std                                     # in place: xhat is a new array
        self._cache = (xhat, inv_std, batch_stats)
        if not self.affine:
            return xhat.copy()                              # the cache must not be modified
        out = xhat * self.weight.data
        out += self.bias.data
        return out

    def _update_running_stats(self, mean, var, n):
        """Move the running averages towards this batch's mean and unbiased variance, in place."""
        self.num_batches_tracked += 1
        if self.momentum is None:
            alpha = 1.0 / float(self.num_batches_tracked)   # cumulative average
        else:
            alpha = self.momentum
        self.running_mean *= 1.0 - alpha
        self.running_mean += alpha * mean
        self.running_var *= 1.0 - alpha
        self.running_var += (alpha * n / (n - 1)) * var

    def backward(self, grad_out, input_grad=True):
        """Accumulate the gradients of ``weight`` and ``bias`` and return :math:`\\partial L/\\partial X`.

        Parameters
        ----------
        grad_out : ndarray of shape (n, num_features)
            :math:`\\partial L/\\partial Y` for the last forward pass.

        Returns
        -------
        ndarray of shape (n, num_features)
            The compact form of the class notes (training mode) or the
            element-wise scaling (evaluation mode).
        """
        if self._cache is None:
            raise no_forward_error(self)
        xhat, inv_std, batch_stats = self._cache
        grad_out = check_grad_out(grad_out, xhat.shape, xhat.dtype, self)
        if self.affine:
            self.weight.accumulate_grad(np.sum(grad_out * xhat, axis=0))
            self.bias.accumulate_grad(grad_out.sum(axis=0))
            grad_xhat = grad_out * self.weight.data
        else:
            grad_xhat = grad_out
        if not batch_stats:
            return grad_xhat * inv_std                      # running statistics are constants
        n = xhat.shape[0]
        grad_x = n * grad_xhat
        grad_x -= grad_xhat.sum(axis=0)
        grad_x -= xhat * np.sum(grad_xhat * xhat, axis=0)
        grad_x *= inv_std / n
        return grad_x

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps:g}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


# %% book/09_regularization.ipynb cell-037
class EarlyStopping:
    """Stop training when a monitored metric stops improving, and restore the best weights.

    After every epoch, :meth:`step` records the monitored value. An
    *improvement* is a value below ``best - min_delta`` (``mode="min"``) or above
    ``best + min_delta`` (``mode="max"``); it resets the counter :attr:`wait` and
    keeps a copy of ``model.state_dict()``. Otherwise :attr:`wait` grows by one,
    and when it reaches ``patience`` :meth:`step` returns True: stop. At the end,
    :meth:`on_train_end` loads the best state back into the model.

    The object is a callback for ``nnbook.train.fit`` (chapter 10), which calls
    ``on_train_begin(model)``, ``on_epoch_end(epoch, logs, model)`` after each
    epoch (stopping when it returns True) and ``on_train_end(model)``; a
    hand-written loop can call the same methods.

    Parameters
    ----------
    monitor : str, default "val_loss"
        The key of the epoch's ``logs`` to watch.
    patience : int, default 5
        Number of epochs without improvement after which to stop (at least 1).
    min_delta : float, default 0.0
        Smallest change that counts as an improvement (:math:`\\ge 0`).
    mode : {"min", "max"}, default "min"
        "min" for losses, "max" for accuracies.
    restore_best : bool, default True
        Load the best weights into the model in :meth:`on_train_end`.

    Attributes
    ----------
    best : float
        The best value so far (``inf`` for "min" / ``-inf`` for "max" before the first).
    best_epoch : int or None
        The epoch of :attr:`best` (counted from 0).
    best_state : dict or None
        A copy of ``model.state_dict()`` (parameters and buffers) at the best epoch.
    stopped_epoch : int or None
        The epoch at which :meth:`step` first returned True; None if it never did.
    wait : int
        Epochs since the last improvement.

    Notes
    -----
    A NaN value never counts as an improvement. Reference: Prechelt (1998).

    Examples
    --------
    >>> stopper = EarlyStopping(patience=2)
    >>> [stopper.step(v, None) for v in [1.0, 0.8, 0.9, 0.85]]
    [False, False, False, True]
    >>> stopper.best, stopper.best_epoch, stopper.stopped_epoch
    (0.8, 1, 3)
    """

    def __init__(self, monitor="val_loss", patience=5, min_delta=0.0, mode="min",
                 restore_best=True):
        if not isinstance(monitor, str):
            raise ValueError(
                f"EarlyStopping: monitor must be the name of a logged value such as 'val_loss', "
                f"got {monitor!r}"
            )
        if not isinstance(patience, (int, np.integer)) or isinstance(patience, bool) or patience < 1:
            raise ValueError(f"EarlyStopping: patience must be an integer >= 1, got {patience!r}")
        real = (int, float, np.integer, np.floating)
        if not isinstance(min_delta, real) or isinstance(min_delta, bool) \
                or not math.isfinite(min_delta) or min_delta < 0:
            raise ValueError(
                f"EarlyStopping: min_delta must be a finite number >= 0, got {min_delta!r}"
            )
        if mode not in ("min", "max"):
            raise ValueError(
                f"EarlyStopping: mode must be 'min' (for losses) or 'max' (for accuracies), "
                f"got {mode!r}"
            )
        self.monitor = monitor
        self.patience = int(patience)
        self.min_delta = float(min_delta)
        self.mode = mode
        self.restore_best = bool(restore_best)
        self.reset()

    def reset(self):
        """Forget everything (called by :meth:`on_train_begin`)."""
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = None
        self.best_state = None
        self.stopped_epoch = None
        self.wait = 0
        self._next_epoch = 0

    def _improves(self, value):
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def step(self, value, model, epoch=None):
        """Record one epoch's value; return True when training should stop.

        Parameters
        ----------
        value : float
            The monitored metric for this epoch.
        model : Module or None
            Its ``state_dict()`` is copied when ``value`` improves (None: only
            the values are tracked).
        epoch : int, optional
            The epoch number; by default one more than the previous call's
            (0 for the first call after :meth:`reset`).

        Returns
        -------
        bool
            True once ``patience`` consecutive epochs brought no improvement.
        """
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ValueError(
                f"EarlyStopping: the monitored value must be a number, got {value!r}"
            ) from None
        epoch = self._next_epoch if epoch is None else int(epoch)
        self._next_epoch = epoch + 1
        if self._improves(value):
            self.best = value
            self.best_epoch = epoch
            self.wait = 0
            if model is not None:
                self.best_state = model.state_dict()       # a copy
            return False
        self.wait += 1
        if self.wait >= self.patience:
            if self.stopped_epoch is None:
                self.stopped_epoch = epoch
            return True
        return False

    def on_train_begin(self, model):
        """Reset the state before training starts."""
        self.reset()

    def on_epoch_end(self, epoch, logs, model):
        """Call :meth:`step` with ``logs[monitor]``; return True to stop training.

        Raises
        ------
        ValueError
            If ``monitor`` is not a key of ``logs`` (the message lists the keys).
        """
        if self.monitor not in logs:
            raise ValueError(
                f"EarlyStopping: monitor {self.monitor!r} is not in the logs of epoch {epoch}; "
                f"available keys: {sorted(logs)} (the 'val_' keys need validation data; "
                "or choose another monitor)"
            )
        return self.step(logs[self.monitor], model, epoch=epoch)

    def on_train_end(self, model):
        """Load the best weights back into ``model`` if ``restore_best`` (and there were any)."""
        if self.restore_best and self.best_state is not None:
            model.load_state_dict(self.best_state)

    def __repr__(self):
        return (f"EarlyStopping(monitor={self.monitor!r}, patience={self.patience}, "
                f"min_delta={self.min_delta:g}, mode={self.mode!r}, "
                f"restore_best={self.restore_best})")
