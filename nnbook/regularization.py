# Generated from book/09_regularization.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Regularization: dropout, batch normalization, weight decay and early stopping (chapter 9, *Regularization*).

:class:`Dropout` zeroes each unit with probability ``p`` during training and
scales the others by :math:`1/(1-p)` (inverted dropout), so evaluation mode is
the identity. :class:`BatchNorm1d` standardises each feature over the batch in
training mode, keeps running estimates of the mean and variance for
evaluation mode, and follows ``torch.nn.BatchNorm1d`` exactly (momentum
convention, biased variance for normalizing, unbiased variance in
``running_var``, parameter and buffer names). Early stopping, the fourth
regularizer of the chapter, is a callback: ``nnbook.callbacks.EarlyStopping``.

Weight decay is an argument of the optimizers (``nnbook.optim.SGD(...,
weight_decay=)`` adds the gradient of the L2 penalty, ``nnbook.optim.AdamW``
decays the weights directly); :func:`l2_penalty` computes the penalty itself,
to report the regularized loss.
"""

__all__ = ['l2_penalty', 'Dropout', 'BatchNorm1d']


# %% book/09_regularization.ipynb cell-001
from contextlib import contextmanager

import numpy as np

from nnbook.layers import Module, Parameter
from nnbook.checks import (as_generator, check_grad_out, check_input, module_name, positive_int,
                           real_number)


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
    wd = real_number(weight_decay, "weight_decay", name, low=0)
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


# %% book/09_regularization.ipynb cell-023
class Dropout(Module):
    """Inverted dropout: zero each element with probability ``p`` and scale the rest by :math:`1/(1-p)`.

    In training mode (:attr:`~nnbook.layers.Module.training` True) each
    element of the input is kept with probability :math:`1 - p`, independently,
    with a new mask at every forward pass:

    .. math::

        \\tilde h = \\frac{m}{1 - p} \\odot h, \\qquad
        m_{ij} \\sim \\mathrm{Bernoulli}(1 - p), \\qquad
        \\mathbb E_m[\\tilde h] = h .

    In evaluation mode (after :meth:`~nnbook.module_state.ModuleState.eval`) it is the
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
        Without one, ``nnbook.train.fit(..., rng=seed)`` lends the layer a
        generator drawn from its own for the run, so a seeded run is repeatable.

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
        if p == 1 and not isinstance(p, bool):
            raise ValueError("Dropout: invalid p=1; it must be in [0, 1): p=1 would drop every "
                             "element (the output would always be zero and 1/(1-p) infinite)")
        self.p = real_number(p, "p", "Dropout", low=0, high=1, high_open=True)
        self.rng = as_generator(rng, "Dropout")
        self._own_rng = rng is not None   # False: fit(rng=...) lends it a seeded generator
        self.mask = None      # the multiplier m/(1-p) of the last training forward pass
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
            self._cache = (x.shape, x.dtype, None)     # the identity: no mask
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
        input_grad : bool, default True
            Ignored: the gradient is a product with the mask, nothing to skip.

        Returns
        -------
        ndarray
            :math:`\\partial L/\\partial h = \\partial L/\\partial \\tilde h \\odot m/(1-p)`
            (``grad_out`` itself if the last forward pass was the identity).
        """
        shape, dtype, mask = self._saved()
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


# %% book/09_regularization.ipynb cell-033
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
        who = "BatchNorm1d"
        self.num_features = positive_int(num_features, "num_features", who)
        self.eps = real_number(eps, "eps", who, low=0, low_open=True)
        # momentum: the weight of the new batch in the running averages; None: cumulative
        self.momentum = None if momentum is None else real_number(momentum, "momentum", who,
                                                                  low=0, high=1)
        dtype = np.dtype(dtype)
        if not np.issubdtype(dtype, np.floating):
            raise ValueError(f"{who}: dtype must be a floating-point type, got {dtype}")
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
                    "samples in training mode (if this is the partial last batch of an epoch, "
                    "drop it: DataLoader(..., drop_last=True) or fit(..., drop_last=True)), "
                    "or call model.eval() to use the running statistics"
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
        self._cache = (xhat, inv_std, batch_stats)          # batch_stats: which backward
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
        input_grad : bool, default True
            If False, only the parameter gradients are accumulated and None is
            returned (the input is the data, whose gradient nobody needs).

        Returns
        -------
        ndarray of shape (n, num_features)
            The compact form of the class notes (training mode) or the
            element-wise scaling (evaluation mode).
        """
        xhat, inv_std, batch_stats = self._saved()
        grad_out = check_grad_out(grad_out, xhat.shape, xhat.dtype, self)
        if self.affine:
            self.weight.accumulate_grad(np.sum(grad_out * xhat, axis=0))
            self.bias.accumulate_grad(grad_out.sum(axis=0))
            grad_xhat = grad_out * self.weight.data
        else:
            grad_xhat = grad_out
        if not input_grad:
            return None
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
