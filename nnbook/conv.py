# Generated from book/17_convolutions.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Convolutional layers: Conv2d, MaxPool2d and Flatten on (N, C, H, W) images (chapter 17, *Convolutional networks*).

:func:`im2col` unfolds the receptive fields of a batch into the rows of a matrix, so that
:class:`Conv2d` is one matrix product; :func:`col2im` is its adjoint, a scatter-add, used by
the backward pass. :class:`MaxPool2d` keeps the largest value of each window and routes the
gradient back to it; :class:`Flatten` bridges to a :class:`~nnbook.layers.Linear`. The
layout and the weights' shapes are PyTorch's.
"""

__all__ = ['conv_output_size', 'im2col', 'col2im', 'Conv2d', 'MaxPool2d', 'Flatten']


# %% book/17_convolutions.ipynb cell-009
import numpy as np

from nnbook.checks import as_generator, check_grad_out, check_input, is_parameter, module_name, positive_int
from nnbook.layers import Module, Parameter


def conv_output_size(size, kernel, stride=1, padding=0):
    """Length of a convolution's or pooling's output along one axis.

    .. math:: H_{\\text{out}} = \\left\\lfloor \\frac{H + 2p - k}{s} \\right\\rfloor + 1

    Parameters
    ----------
    size, kernel, stride, padding : int
        Input length :math:`H`, kernel length :math:`k`, stride :math:`s`,
        zero padding :math:`p` on each side.

    Returns
    -------
    int
        Zero or negative when the kernel is longer than the padded input
        (the layers refuse that case before calling this).

    Examples
    --------
    >>> conv_output_size(28, 3), conv_output_size(28, 3, padding=1), conv_output_size(28, 2, stride=2)
    (26, 28, 14)
    """
    return (size + 2 * padding - kernel) // stride + 1


def _pair(value, label, who, minimum=1):
    """An int or a pair of ints as a tuple ``(rows, cols)``, each an integer >= minimum."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{who}: {label} must be an int or a pair (rows, cols), got {value!r}")
        return tuple(positive_int(v, label, who, minimum=minimum) for v in value)
    v = positive_int(value, label, who, minimum=minimum)
    return v, v


def _check_images(x, who, channels=None, dtype=None):
    """Validate a batch of images ``(N, C, H, W)`` for ``who``; return it as an ndarray.

    The rank and the channel count are checked here, with messages that
    speak of images; the rest (floating point, finite, non-empty, the
    layer's dtype) by :func:`nnbook.checks.check_input`.
    """
    shape = np.shape(x)
    if len(shape) != 4:
        hint = ("; a batch of flat 784-pixel rows is x.reshape(-1, 1, 28, 28), a single image "
                "(C, H, W) is x[None]" if len(shape) in (2, 3) else "")
        raise ValueError(f"{module_name(who)}: expected a 4-d batch of images (N, C, H, W), "
                         f"got shape {tuple(shape)}{hint}")
    if channels is not None and shape[1] != channels:
        hint = (f"; it looks channels-last (N, H, W, C): use x.transpose(0, 3, 1, 2)"
                if shape[3] == channels else "")
        raise ValueError(f"{module_name(who)}: expected {channels} input channel(s), got input "
                         f"of shape {tuple(shape)} with {shape[1]} on axis 1 (the layout is "
                         f"N, C, H, W){hint}")
    return check_input(x, who, dtype=dtype)


def _too_small(who, shape, kernel, padding, fix):
    """The error for a kernel larger than the (padded) input (returned, for ``raise``)."""
    padded = (shape[2] + 2 * padding[0], shape[3] + 2 * padding[1])
    return ValueError(f"{module_name(who)}: kernel {kernel} is larger than the input's padded "
                      f"height and width {padded} (input shape {tuple(shape)}, padding {padding}); "
                      f"{fix}")


# %% book/17_convolutions.ipynb cell-014
def im2col(x, kernel_size, stride=1, padding=0):
    """Unfold every receptive field of a batch of images into a row of a matrix.

    Parameters
    ----------
    x : ndarray of shape (N, C, H, W)
    kernel_size, stride, padding : int or (int, int)
        As for :class:`Conv2d`.

    Returns
    -------
    ndarray of shape (N * H_out * W_out, C * kH * kW)
        Row :math:`(n, i, j)` (in that order) holds the patch of image
        :math:`n` under the kernel placed at output position :math:`(i, j)`,
        flattened channel first, then kernel row, then kernel column: the
        order of ``weight.reshape(out_channels, -1)``. A copy, not a view.

    Notes
    -----
    For each kernel offset :math:`(u, v)` the pixels
    :math:`\\tilde X_{n,c,\\,s_H i + u,\\,s_W j + v}` of every image and output
    position form one strided slice of the padded batch; copying it into
    column block :math:`(c, u, v)` builds the matrix in :math:`k_H k_W`
    vectorised steps.

    Examples
    --------
    >>> im2col(np.arange(16.0).reshape(1, 1, 4, 4), 2, stride=2)
    array([[ 0.,  1.,  4.,  5.],
           [ 2.,  3.,  6.,  7.],
           [ 8.,  9., 12., 13.],
           [10., 11., 14., 15.]])
    """
    (kh, kw), (sh, sw), (ph, pw) = (_pair(kernel_size, "kernel_size", "im2col"),
                                    _pair(stride, "stride", "im2col"),
                                    _pair(padding, "padding", "im2col", minimum=0))
    if ph or pw:
        x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    n, c, h, w = x.shape
    ho, wo = conv_output_size(h, kh, sh), conv_output_size(w, kw, sw)
    cols = np.empty((n, ho, wo, c, kh, kw), dtype=x.dtype)
    x_nhwc = x.transpose(0, 2, 3, 1)                                   # a view, no copy
    for u in range(kh):            # one strided slice of the whole batch per kernel offset (u, v)
        for v in range(kw):
            cols[:, :, :, :, u, v] = x_nhwc[:, u:u + sh * ho:sh, v:v + sw * wo:sw]
    return cols.reshape(n * ho * wo, c * kh * kw)


def col2im(cols, input_shape, kernel_size, stride=1, padding=0):
    """The adjoint of :func:`im2col`: add every row back onto the pixels it was read from.

    Where receptive fields overlap, a pixel was copied into several rows, so
    its gradient is the *sum* of their gradients (a scatter-add). The sum is
    done as one slice addition per kernel offset :math:`(u, v)`, a loop of
    :math:`k_H k_W` vectorised steps, the mirror of :func:`im2col`'s copies.

    Parameters
    ----------
    cols : ndarray of shape (N * H_out * W_out, C * kH * kW)
        E.g. :math:`\\partial L/\\partial\\,\\text{cols}`.
    input_shape : tuple (N, C, H, W)
        The shape of the unpadded input of :func:`im2col`.
    kernel_size, stride, padding : int or (int, int)

    Returns
    -------
    ndarray of shape (N, C, H, W)
    """
    (kh, kw), (sh, sw), (ph, pw) = (_pair(kernel_size, "kernel_size", "col2im"),
                                    _pair(stride, "stride", "col2im"),
                                    _pair(padding, "padding", "col2im", minimum=0))
    n, c, h, w = input_shape
    ho, wo = conv_output_size(h, kh, sh, ph), conv_output_size(w, kw, sw, pw)
    patches = cols.reshape(n, ho, wo, c, kh, kw).transpose(0, 3, 4, 5, 1, 2)  # (N, C, kh, kw, Ho, Wo)
    out = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    for u in range(kh):
        for v in range(kw):
            out[:, :, u:u + sh * ho:sh, v:v + sw * wo:sw] += patches[:, :, u, v]
    return out[:, :, ph:ph + h, pw:pw + w].copy() if ph or pw else out


# %% book/17_convolutions.ipynb cell-019
class Conv2d(Module):
    """2-d convolution (cross-correlation) over a batch of images, computed with im2col.

    Parameters
    ----------
    in_channels : int
        :math:`C`, the channels of each input image (1 for grey digits).
    out_channels : int
        :math:`O`, the number of filters, hence of output channels.
    kernel_size : int or (int, int)
        :math:`(k_H, k_W)`; an int means a square kernel.
    stride : int or (int, int), default 1
        Step :math:`s` between two placements of the kernel.
    padding : int or (int, int), default 0
        Rows and columns of zeros :math:`p` added on each side.
    bias : bool, default True
        Whether to add a learnable bias per output channel.
    rng : numpy.random.Generator or int, optional
        Source of randomness for the initial values.
    dtype : numpy dtype, default float64
        dtype of the parameters; inputs must have the same dtype.

    Attributes
    ----------
    weight : Parameter
        Shape ``(out_channels, in_channels, kH, kW)``, PyTorch's layout.
    bias : Parameter or None
        Shape ``(out_channels,)``.

    Notes
    -----
    For an input :math:`X` of shape ``(N, C, H, W)`` the output has shape
    ``(N, O, H_out, W_out)`` (:func:`conv_output_size`) and

    .. math::

        Z_{n,o,i,j} = b_o + \\sum_{c=0}^{C-1} \\sum_{u=0}^{k_H-1} \\sum_{v=0}^{k_W-1}
        W_{o,c,u,v}\\, \\tilde X_{n,c,\\,s_H i + u,\\,s_W j + v},

    with :math:`\\tilde X` the zero-padded input: a cross-correlation, as in
    PyTorch (a convolution in the mathematical sense flips the kernel). It is
    computed as one matrix product, :math:`Z = \\text{cols}\\, W_{\\text{mat}}^\\top + b`
    with ``cols = im2col(X)`` of shape ``(N H_out W_out, C kH kW)`` and
    :math:`W_{\\text{mat}}` the weight reshaped to ``(O, C kH kW)``. Backward,
    with :math:`G` the gradient of the output in the same row layout:
    :math:`\\partial L/\\partial W_{\\text{mat}} = G^\\top \\text{cols}`,
    :math:`\\partial L/\\partial b = \\sum` of :math:`G` over rows, and
    :math:`\\partial L/\\partial X = \\text{col2im}(G W_{\\text{mat}})`.

    The initial weights and bias are drawn from :math:`U(-1/\\sqrt{C k_H k_W},
    1/\\sqrt{C k_H k_W})`, PyTorch's default (its Kaiming-uniform with
    :math:`a = \\sqrt 5`), as for :class:`~nnbook.layers.Linear` with
    fan-in :math:`C k_H k_W`.

    Examples
    --------
    >>> conv = Conv2d(1, 8, 3, padding=1, rng=0)
    >>> conv(np.zeros((2, 1, 28, 28))).shape
    (2, 8, 28, 28)
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True, *,
                 rng=None, dtype=np.float64):
        super().__init__()
        self.in_channels = positive_int(in_channels, "in_channels", "Conv2d")
        self.out_channels = positive_int(out_channels, "out_channels", "Conv2d")
        self.kernel_size = _pair(kernel_size, "kernel_size", "Conv2d")
        self.stride = _pair(stride, "stride", "Conv2d")
        self.padding = _pair(padding, "padding", "Conv2d", minimum=0)
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise ValueError(f"Conv2d: dtype must be a floating-point type, got {dtype}")
        rng = as_generator(rng, "Conv2d")
        shape = (self.out_channels, self.in_channels) + self.kernel_size
        bound = 1.0 / np.sqrt(self.in_channels * self.kernel_size[0] * self.kernel_size[1])
        self.weight = Parameter(rng.uniform(-bound, bound, size=shape).astype(dtype))
        b = rng.uniform(-bound, bound, size=self.out_channels)
        self.bias = Parameter(b.astype(dtype)) if bias else None

    def forward(self, x):
        """Compute the cross-correlation; cache the im2col matrix for the backward pass.

        Parameters
        ----------
        x : ndarray of shape (N, in_channels, H, W)
            A batch of images with the layer's dtype.

        Returns
        -------
        ndarray of shape (N, out_channels, H_out, W_out)
        """
        self._check_parameters()
        w = self.weight.data
        x = _check_images(x, self, self.in_channels, w.dtype)
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        n, _, h, wid = x.shape
        if kh > h + 2 * ph or kw > wid + 2 * pw:
            raise _too_small(self, x.shape, self.kernel_size, self.padding,
                             "use a smaller kernel_size, more padding, or a larger input (a pooling "
                             "layer earlier in the network may have shrunk it too much)")
        ho, wo = conv_output_size(h, kh, sh, ph), conv_output_size(wid, kw, sw, pw)
        cols = im2col(x, self.kernel_size, self.stride, self.padding)   # (N Ho Wo, C kh kw)
        out = cols @ w.reshape(self.out_channels, -1).T                    # (N Ho Wo, O)
        if self.bias is not None:
            out += self.bias.data
        self._cache = (cols, x.shape)
        return out.reshape(n, ho, wo, self.out_channels).transpose(0, 3, 1, 2)

    def _check_parameters(self):
        """Refuse a weight or bias replaced by something of another kind, shape or dtype; O(1)."""
        shape = (self.out_channels, self.in_channels) + self.kernel_size
        for name, p, expected in (("weight", self.weight, shape), ("bias", self.bias, shape[:1])):
            if name == "bias" and p is None:
                continue
            if not is_parameter(p):
                raise TypeError(f"{module_name(self)}: {name} must be a Parameter (or None for the bias), "
                                f"got {type(p).__name__}; copy new values into the existing one, "
                                f"layer.{name}.data[...] = values")
            if p.data.shape != expected or p.data.dtype != self.weight.data.dtype:
                layout = " (PyTorch's layout: out_channels, in_channels, kH, kW)" if name == "weight" else ""
                raise ValueError(f"{module_name(self)}: {name} has shape {p.data.shape} and dtype "
                                 f"{p.data.dtype}, expected {expected}{layout} and the weight's dtype "
                                 f"{self.weight.data.dtype}; "
                                 f"build a new layer for other sizes, or copy values of this shape in "
                                 f"place, layer.{name}.data[...] = values")

    def backward(self, grad_out, input_grad=True):
        """Accumulate the weight and bias gradients; return :math:`\\partial L/\\partial X`.

        Parameters
        ----------
        grad_out : ndarray of shape (N, out_channels, H_out, W_out)
            :math:`\\partial L/\\partial Z` for the output of the last forward pass.
        input_grad : bool, default True
            Compute :math:`\\partial L/\\partial X` (a product and a col2im);
            False (the input is the data) skips it.

        Returns
        -------
        ndarray of shape (N, in_channels, H, W), or None
        """
        cols, shape = self._saved()
        n = shape[0]
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        ho, wo = conv_output_size(shape[2], kh, sh, ph), conv_output_size(shape[3], kw, sw, pw)
        grad_out = check_grad_out(grad_out, (n, self.out_channels, ho, wo), cols.dtype, self)
        g = grad_out.transpose(0, 2, 3, 1).reshape(-1, self.out_channels)  # (N Ho Wo, O)
        self.weight.accumulate_grad((g.T @ cols).reshape(self.weight.data.shape))
        if self.bias is not None:
            self.bias.accumulate_grad(grad_out.sum(axis=(0, 2, 3)))   # = g.sum(axis=0), faster
        if not input_grad:
            return None
        dcols = g @ self.weight.data.reshape(self.out_channels, -1)        # (N Ho Wo, C kh kw)
        return col2im(dcols, shape, self.kernel_size, self.stride, self.padding)

    def extra_repr(self):
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, bias={self.bias is not None}")


# %% book/17_convolutions.ipynb cell-024
class MaxPool2d(Module):
    """2-d max pooling: the largest value of each window, channel by channel.

    Parameters
    ----------
    kernel_size : int or (int, int)
        :math:`(k_H, k_W)`, the window.
    stride : int or (int, int), optional
        Step between windows; by default ``kernel_size`` (windows that tile
        the image without overlapping). No padding; rows and columns that do
        not fill a last window are dropped, as in PyTorch (``ceil_mode=False``).

    Notes
    -----
    Forward: :math:`Z_{n,c,i,j} = \\max_{u,v} X_{n,c,\\,s_H i + u,\\,s_W j + v}`.
    Backward: the max passes its gradient to the input that won and nothing to
    the others, :math:`\\partial L/\\partial X_{n,c,p,q} = \\sum_{(i,j):\\,(p,q)
    \\text{ won window } (i,j)} G_{n,c,i,j}` (a sum when windows overlap and
    one pixel wins several). On a tie the first maximum in row-major order
    within the window wins, as in PyTorch's CPU implementation.

    Examples
    --------
    >>> MaxPool2d(2)(np.arange(16.0).reshape(1, 1, 4, 4))
    array([[[[ 5.,  7.],
             [13., 15.]]]])
    """

    def __init__(self, kernel_size, stride=None):
        super().__init__()
        self.kernel_size = _pair(kernel_size, "kernel_size", "MaxPool2d")
        self.stride = self.kernel_size if stride is None else _pair(stride, "stride", "MaxPool2d")

    def forward(self, x):
        """The maximum of each window; cache where it was for the backward pass.

        Parameters
        ----------
        x : ndarray of shape (N, C, H, W)

        Returns
        -------
        ndarray of shape (N, C, H_out, W_out)
        """
        x = _check_images(x, self)
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        n, c, h, w = x.shape
        if kh > h or kw > w:
            raise _too_small(self, x.shape, self.kernel_size, (0, 0),
                             "use a smaller kernel_size or a larger input (an earlier layer may have "
                             "shrunk it too much)")
        ho, wo = conv_output_size(h, kh, sh), conv_output_size(w, kw, sw)
        # Entry t = u * kw + v of `offsets` is the pixel at offset (u, v) of every window: (N, C, Ho, Wo).
        offsets = [x[:, :, u:u + sh * ho:sh, v:v + sw * wo:sw] for u in range(kh) for v in range(kw)]
        out = offsets[0].copy()
        for values in offsets[1:]:
            np.maximum(out, values, out=out)
        arg = np.full(out.shape, len(offsets) - 1, dtype=np.intp)   # which offset won, the first on a tie
        for t in range(len(offsets) - 2, -1, -1):
            arg = np.where(offsets[t] == out, t, arg)
        self._cache = (arg, x.shape, x.dtype)
        return out

    def backward(self, grad_out, input_grad=True):
        """Route each output's gradient to the input that was the maximum of its window.

        Parameters
        ----------
        grad_out : ndarray of shape (N, C, H_out, W_out)
        input_grad : bool, default True
            Accepted for the common interface; the gradient is always returned
            (a pooling layer has no parameters, so it is all there is to do).

        Returns
        -------
        ndarray of shape (N, C, H, W)
        """
        arg, shape, dtype = self._saved()
        grad_out = check_grad_out(grad_out, arg.shape, dtype, self)
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        n, c, h, w = shape
        ho, wo = arg.shape[2:]
        rows = np.arange(ho, dtype=np.intp)[:, None] * sh + arg // kw   # where each maximum was
        cols = np.arange(wo, dtype=np.intp) * sw + arg % kw
        plane = np.arange(n * c, dtype=np.intp).reshape(n, c, 1, 1)
        index = ((plane * h + rows) * w + cols).ravel()                # its flat index in x
        if sh >= kh and sw >= kw:          # windows do not overlap: every pixel wins at most once
            dx = np.zeros(n * c * h * w, dtype=dtype)
            dx[index] = grad_out.ravel()
        else:                              # a pixel can win several windows: add their gradients
            dx = np.bincount(index, weights=grad_out.ravel(), minlength=n * c * h * w).astype(dtype)
        return dx.reshape(shape)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}"



class Flatten(Module):
    """Flatten every axis from ``start_dim`` on: ``(N, C, H, W)`` to ``(N, C H W)``.

    The bridge from convolutional layers to a :class:`~nnbook.layers.Linear`.
    The backward pass reshapes the gradient back. The flattening order is
    C-order (channel, then row, then column), as in PyTorch, so the weights of
    a following ``Linear`` line up with PyTorch's (transposed).

    Parameters
    ----------
    start_dim : int, default 1
        The first axis to flatten (axis 0, the batch, is never flattened).

    Examples
    --------
    >>> Flatten()(np.zeros((2, 8, 5, 5))).shape
    (2, 200)
    """

    def __init__(self, start_dim=1):
        super().__init__()
        self.start_dim = positive_int(start_dim, "start_dim", "Flatten")

    def forward(self, x):
        """Reshape ``x`` to ``x.shape[:start_dim] + (-1,)``."""
        x = check_input(x, self)
        if x.ndim <= self.start_dim:
            raise ValueError(f"{module_name(self)}: input of shape {x.shape} has no axis {self.start_dim} "
                             f"to flatten from; use Flatten(start_dim=...) with an axis below {x.ndim}")
        self._cache = (x.shape, x.dtype)
        return x.reshape(x.shape[:self.start_dim] + (-1,))

    def backward(self, grad_out, input_grad=True):
        """Reshape the gradient back to the input's shape."""
        shape, dtype = self._saved()
        grad_out = check_grad_out(grad_out, shape[:self.start_dim] + (int(np.prod(shape[self.start_dim:])),),
                                  dtype, self)
        return grad_out.reshape(shape)

    def extra_repr(self):
        return f"start_dim={self.start_dim}"
