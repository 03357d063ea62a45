"""Tests of nnbook.layers (chapter 2): Parameter, Module, Linear, Sequential and the
validation helpers every other module relies on."""
import numpy as np
import pytest

from helpers import GRAD_TOL
from nnbook.gradcheck import check_module
from nnbook.layers import Linear, Module, Parameter, Sequential
from nnbook.checks import check_grad_out, check_input, module_name, no_forward_error

SHAPES = [(1, 1, 1), (4, 3, 2), (7, 5, 1), (3, 1, 6), (16, 8, 8)]  # (n, d, m)


def explicit_linear(x, w, b):
    """Forward and backward of a linear layer with loops, straight from the index form."""
    n, d = x.shape
    m = w.shape[1]
    z = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            z[i, j] = sum(x[i, k] * w[k, j] for k in range(d)) + (b[j] if b is not None else 0.0)
    return z


def explicit_grads(x, w, g):
    n, d = x.shape
    m = w.shape[1]
    gw = np.zeros((d, m))
    gb = np.zeros(m)
    gx = np.zeros((n, d))
    for i in range(n):
        for j in range(m):
            gb[j] += g[i, j]
            for k in range(d):
                gw[k, j] += x[i, k] * g[i, j]
                gx[i, k] += g[i, j] * w[k, j]
    return gw, gb, gx


# -- gradient checks -----------------------------------------------------------------------


@pytest.mark.parametrize("n, d, m", SHAPES)
@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradcheck(n, d, m, bias, rng):
    layer = Linear(d, m, bias=bias, rng=rng)
    errors = check_module(layer, rng.normal(size=(n, d)), rng=rng)
    assert set(errors) == ({"input", "weight", "bias"} if bias else {"input", "weight"})
    for name, err in errors.items():
        assert err < GRAD_TOL, (name, err)


@pytest.mark.parametrize("widths", [(3, 4, 2), (5, 1, 3, 2), (2, 6, 6, 6, 1)])
def test_sequential_of_linears_gradcheck(widths, rng):
    model = Sequential(*[Linear(a, b, rng=rng) for a, b in zip(widths[:-1], widths[1:])])
    errors = check_module(model, rng.normal(size=(5, widths[0])), rng=rng)
    assert len(errors) == 1 + 2 * (len(widths) - 1)
    for name, err in errors.items():
        assert err < GRAD_TOL, (name, err)


# -- independent oracles ---------------------------------------------------------------------


@pytest.mark.parametrize("n, d, m", SHAPES)
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_explicit_formulas(n, d, m, bias, rng):
    layer = Linear(d, m, bias=bias, rng=rng)
    x = rng.normal(size=(n, d))
    g = rng.normal(size=(n, m))
    b = layer.bias.data if bias else None
    np.testing.assert_allclose(layer(x), explicit_linear(x, layer.weight.data, b), rtol=1e-12, atol=1e-12)
    gx = layer.backward(g)
    gw, gb, gx_ref = explicit_grads(x, layer.weight.data, g)
    np.testing.assert_allclose(layer.weight.grad, gw, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gx, gx_ref, rtol=1e-12, atol=1e-12)
    if bias:
        np.testing.assert_allclose(layer.bias.grad, gb, rtol=1e-12, atol=1e-12)
    else:
        assert layer.bias is None


@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(bias, rng):
    torch = pytest.importorskip("torch")
    layer = Linear(5, 3, bias=bias, rng=rng)
    x = rng.normal(size=(7, 5))
    g = rng.normal(size=(7, 3))
    out = layer(x)
    gx = layer.backward(g)

    # PyTorch stores the weight as (out_features, in_features): transpose.
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(layer.weight.data.T.copy(), requires_grad=True)
    bt = torch.tensor(layer.bias.data, requires_grad=True) if bias else None
    yt = torch.nn.functional.linear(xt, wt, bt)
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(out, yt.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.weight.grad, wt.grad.numpy().T, rtol=1e-12, atol=1e-12)
    if bias:
        np.testing.assert_allclose(layer.bias.grad, bt.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_linear_float32_matches_torch(rng):
    torch = pytest.importorskip("torch")
    layer = Linear(6, 4, rng=rng, dtype=np.float32)
    x = rng.normal(size=(9, 6)).astype(np.float32)
    out = layer(x)
    yt = torch.nn.functional.linear(
        torch.from_numpy(x), torch.from_numpy(layer.weight.data.T.copy()), torch.from_numpy(layer.bias.data)
    )
    np.testing.assert_allclose(out, yt.numpy(), rtol=1e-5, atol=1e-6)


# -- dtypes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_end_to_end(dtype, rng):
    model = Sequential(Linear(4, 5, rng=rng, dtype=dtype), Linear(5, 2, rng=rng, dtype=dtype))
    x = rng.normal(size=(3, 4)).astype(dtype)
    out = model(x)
    assert out.dtype == dtype
    gx = model.backward(np.ones_like(out))
    assert gx.dtype == dtype
    for name, p in model.named_parameters():
        assert p.data.dtype == dtype, name
        assert p.grad.dtype == dtype, name
    for name, value in model.state_dict().items():
        assert value.dtype == dtype, name


def test_float32_forward_close_to_float64(rng):
    l64 = Linear(8, 3, rng=0)
    l32 = Linear(8, 3, rng=0, dtype=np.float32)
    np.testing.assert_allclose(l32.weight.data, l64.weight.data.astype(np.float32))
    x = rng.normal(size=(4, 8))
    np.testing.assert_allclose(l32(x.astype(np.float32)), l64(x), rtol=1e-5, atol=1e-5)


def test_float32_grad_out_float64_is_rejected(rng):
    layer = Linear(3, 2, rng=rng, dtype=np.float32)
    layer(np.ones((4, 3), dtype=np.float32))
    with pytest.raises(ValueError, match=r"Linear.*backward.*dtype float64.*float32"):
        layer.backward(np.ones((4, 2)))


# -- Parameter ---------------------------------------------------------------------------------


def test_parameter_basics():
    data = np.arange(6.0).reshape(2, 3)
    p = Parameter(data)
    assert p.data is data  # not copied: optimizers update in place
    assert p.grad is None
    assert p.shape == (2, 3) and p.dtype == np.float64
    assert "Parameter" in repr(p) and "(2, 3)" in repr(p)


def test_parameter_accumulates_and_zero_grad_sets_none():
    p = Parameter(np.zeros(3))
    p.accumulate_grad(np.array([1.0, 2.0, 3.0]))
    p.accumulate_grad(np.array([0.5, 0.5, 0.5]))
    np.testing.assert_array_equal(p.grad, [1.5, 2.5, 3.5])
    p.zero_grad()
    assert p.grad is None


def test_parameter_accumulate_wrong_shape():
    p = Parameter(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"Parameter.*\(3, 2\).*\(2, 3\)"):
        p.accumulate_grad(np.zeros((3, 2)))


@pytest.mark.parametrize("data", [np.arange(3), [1, 2, 3], np.array([True, False]), np.array(["a"])])
def test_parameter_rejects_non_float_data(data):
    with pytest.raises(ValueError, match="Parameter: data must be a floating-point array"):
        Parameter(data)


# -- gradient accumulation through modules ---------------------------------------------------------


def test_linear_grad_accumulates_over_two_backward_calls(rng):
    layer = Linear(3, 2, rng=rng)
    x = rng.normal(size=(4, 3))
    g = rng.normal(size=(4, 2))
    layer(x)
    layer.backward(g)
    w1, b1 = layer.weight.grad.copy(), layer.bias.grad.copy()
    layer(x)
    layer.backward(g)
    np.testing.assert_allclose(layer.weight.grad, 2 * w1)
    np.testing.assert_allclose(layer.bias.grad, 2 * b1)
    layer.zero_grad()
    assert layer.weight.grad is None and layer.bias.grad is None


def test_microbatches_accumulate_to_full_batch_gradient(rng):
    model = Sequential(Linear(3, 4, rng=rng), Linear(4, 1, rng=rng))
    x = rng.normal(size=(12, 3))
    g = rng.normal(size=(12, 1))
    model(x)
    model.backward(g)
    full = [p.grad.copy() for p in model.parameters()]
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    for rows in np.split(np.arange(12), 3):
        model(x[rows])
        model.backward(g[rows])
    for expected, p in zip(full, model.parameters()):
        np.testing.assert_allclose(p.grad, expected, rtol=1e-12, atol=1e-12)


def test_backward_does_not_modify_grad_out(rng):
    layer = Linear(3, 2, rng=rng)
    g = rng.normal(size=(4, 2))
    g_before = g.copy()
    for _ in range(2):
        layer(rng.normal(size=(4, 3)))
        layer.backward(g)
    np.testing.assert_array_equal(g, g_before)


# -- parameters, buffers, state_dict -------------------------------------------------------------


def test_parameters_order_and_count(rng):
    layer = Linear(3, 2, rng=rng)
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    assert layer.parameters()[0] is layer.weight and layer.parameters()[1] is layer.bias
    assert [n for n, _ in Linear(3, 2, bias=False).named_parameters()] == ["weight"]

    model = Sequential(Linear(3, 4, rng=rng), Linear(4, 4, bias=False, rng=rng), Linear(4, 1, rng=rng))
    names = [n for n, _ in model.named_parameters()]
    assert names == ["0.weight", "0.bias", "1.weight", "2.weight", "2.bias"]
    params = model.parameters()
    assert len(params) == 5
    assert params[0] is model[0].weight and params[2] is model[1].weight and params[4] is model[2].bias
    assert sum(p.data.size for p in params) == 3 * 4 + 4 + 4 * 4 + 4 * 1 + 1


def test_nested_modules_dotted_names(rng):
    class Block(Module):
        def __init__(self):
            super().__init__()
            self.scale = Parameter(np.ones(2))
            self.net = Sequential(Linear(2, 2, rng=rng), Linear(2, 2, rng=rng))

    block = Block()
    assert [n for n, _ in block.named_parameters()] == [
        "scale", "net.0.weight", "net.0.bias", "net.1.weight", "net.1.bias"
    ]
    assert [n for n, _ in block.named_children()] == ["net"]
    assert block.children() == [block.net]
    # every module, depth first, named by the prefixes of the state-dict keys (as in PyTorch)
    assert [(n, type(m).__name__) for n, m in block.named_modules()] == [
        ("", "Block"), ("net", "Sequential"), ("net.0", "Linear"), ("net.1", "Linear")
    ]
    assert [n for n, _ in block.named_modules(prefix="model")] == [
        "model", "model.net", "model.net.0", "model.net.1"
    ]
    assert block.modules() == [block, block.net, block.net[0], block.net[1]]
    keys = {k.rsplit(".", 1)[0] for k in block.state_dict() if "." in k}
    assert keys <= {n for n, _ in block.named_modules()}


def test_named_modules_lists_a_shared_module_once(rng):
    class Twice(Module):
        def __init__(self):
            super().__init__()
            self.first = Linear(2, 2, rng=rng)
            self.second = self.first  # the same module under two names
            self.head = Linear(2, 1, rng=rng)

    model = Twice()
    assert [n for n, _ in model.named_modules()] == ["", "first", "head"]
    assert Linear(2, 2, rng=rng).modules()[0].in_features == 2  # a leaf: just itself


def test_shared_parameter_listed_once(rng):
    a, b = Linear(3, 3, rng=rng), Linear(3, 3, rng=rng)
    b.weight = a.weight  # tied weights
    model = Sequential(a, b)
    assert len(model.parameters()) == 3
    assert len(list(model.named_parameters())) == 4  # both names still exist (as in PyTorch)


def test_state_dict_round_trip(rng):
    model = Sequential(Linear(3, 4, rng=1), Linear(4, 2, rng=2))
    state = model.state_dict()
    assert list(state) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    # copies, not views
    state["0.weight"][...] = 0.0
    assert not np.all(model[0].weight.data == 0.0)
    state = model.state_dict()

    other = Sequential(Linear(3, 4, rng=7), Linear(4, 2, rng=8))
    weight_array = other[0].weight.data
    other.load_state_dict(state)
    assert other[0].weight.data is weight_array  # loaded in place
    x = rng.normal(size=(5, 3))
    np.testing.assert_array_equal(other(x), model(x))
    # loading copies: changing the dict afterwards does not touch the model
    state["1.bias"][...] = 123.0
    assert not np.any(other[1].bias.data == 123.0)


def test_load_state_dict_missing_and_unexpected_keys(rng):
    model = Sequential(Linear(3, 4, rng=rng), Linear(4, 2, rng=rng))
    before = model.state_dict()
    state = model.state_dict()
    del state["1.bias"]
    with pytest.raises(ValueError, match=r"Sequential\.load_state_dict: missing keys \['1\.bias'\]"):
        model.load_state_dict(state)
    state = model.state_dict()
    state["2.weight"] = np.zeros((2, 2))
    with pytest.raises(ValueError, match=r"unexpected keys \['2\.weight'\]"):
        model.load_state_dict(state)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name])


@pytest.mark.parametrize(
    "key, value, pattern",
    [
        ("0.weight", np.zeros((4, 3)), r"'0\.weight' has shape \(4, 3\).*expected shape \(3, 4\)"),
        ("1.bias", np.zeros(3), r"'1\.bias' has shape \(3,\).*expected shape \(2,\)"),
        ("0.bias", np.zeros(4, dtype=np.float32), r"'0\.bias'.*dtype float32.*dtype float64"),
    ],
)
def test_load_state_dict_wrong_shape_or_dtype_changes_nothing(key, value, pattern, rng):
    model = Sequential(Linear(3, 4, rng=rng), Linear(4, 2, rng=rng))
    before = model.state_dict()
    state = {name: np.full_like(v, 9.0) for name, v in before.items()}
    state[key] = value
    with pytest.raises(ValueError, match=pattern):
        model.load_state_dict(state)
    for name, v in model.state_dict().items():  # validated before anything is written
        np.testing.assert_array_equal(v, before[name])


def test_buffers_in_state_dict(rng):
    class WithBuffers(Module):
        def __init__(self):
            super().__init__()
            self.lin = Linear(2, 2, rng=rng)
            self.register_buffer("running_mean", np.zeros(2))
            self.register_buffer("steps", 0)  # a Python scalar buffer

    m = WithBuffers()
    assert m.parameters() == [m.lin.weight, m.lin.bias]
    assert [n for n, _ in m.named_buffers()] == ["running_mean", "steps"]
    state = m.state_dict()
    assert list(state) == ["lin.weight", "lin.bias", "running_mean", "steps"]

    state["running_mean"] = np.array([1.0, 2.0])
    state["steps"] = np.array(5)
    array = m.running_mean
    m.load_state_dict(state)
    assert m.running_mean is array
    np.testing.assert_array_equal(m.running_mean, [1.0, 2.0])
    assert int(m.steps) == 5

    seq = Sequential(WithBuffers())
    assert "0.running_mean" in seq.state_dict()
    seq_state = seq.state_dict()
    seq_state["0.steps"] = np.array(3)
    seq.load_state_dict(seq_state)
    assert int(seq[0].steps) == 3
    with pytest.raises(ValueError, match=r"missing keys \['0\.running_mean'\]"):
        seq.load_state_dict({k: v for k, v in seq_state.items() if k != "0.running_mean"})


def test_load_state_dict_with_a_module_reachable_by_two_paths():
    class Twice(Module):
        def __init__(self):
            super().__init__()
            self.a = Linear(2, 2, rng=0)
            self.a.register_buffer("seen", np.zeros(2))
            self.b = self.a  # one module under two names, as with tied sub-modules

    m = Twice()
    state = m.state_dict()
    assert list(state) == ["a.weight", "a.bias", "b.weight", "b.bias", "a.seen", "b.seen"]
    state["a.seen"] = state["b.seen"] = np.array([1.0, 2.0])
    seen = m.a.seen
    m.load_state_dict(state)
    assert m.b.seen is seen  # written in place
    np.testing.assert_array_equal(m.a.seen, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"Twice\.load_state_dict: missing keys \['b\.seen'\]"):
        m.load_state_dict({k: v for k, v in state.items() if k != "b.seen"})


def test_train_eval_propagate(rng):
    inner = Sequential(Linear(2, 2, rng=rng))
    model = Sequential(Linear(2, 2, rng=rng), inner)
    assert model.training and inner.training and inner[0].training
    assert model.eval() is model
    assert not model.training and not inner.training and not inner[0].training
    assert model.train() is model
    assert model[0].training and inner[0].training
    model.train(False)
    assert not inner[0].training


# -- Sequential --------------------------------------------------------------------------------------


def test_sequential_container(rng):
    layers = [Linear(3, 4, rng=rng), Linear(4, 5, rng=rng), Linear(5, 2, rng=rng)]
    model = Sequential(*layers)
    assert len(model) == 3
    assert model[0] is layers[0] and model[-1] is layers[2]
    assert list(model) == layers
    head = model[:2]
    assert isinstance(head, Sequential) and len(head) == 2
    assert head[1] is layers[1]  # slicing shares the modules
    assert head(np.ones((1, 3))).shape == (1, 5)
    assert len(model[1:]) == 2
    assert model.append(Linear(2, 1, rng=rng)) is model and len(model) == 4
    assert [n for n, _ in model.named_children()] == ["0", "1", "2", "3"]
    assert repr(model).startswith("Sequential(\n  (0): Linear(in_features=3, out_features=4, bias=True)")
    assert Sequential()(np.ones((2, 2))).shape == (2, 2)


def test_sequential_forward_backward_order(rng):
    model = Sequential(Linear(3, 4, rng=rng), Linear(4, 2, rng=rng))
    x = rng.normal(size=(5, 3))
    w0, b0, w1, b1 = (p.data for p in model.parameters())
    np.testing.assert_allclose(model(x), (x @ w0 + b0) @ w1 + b1)
    g = rng.normal(size=(5, 2))
    gx = model.backward(g)
    np.testing.assert_allclose(gx, g @ w1.T @ w0.T)
    np.testing.assert_allclose(model[0].weight.grad, x.T @ (g @ w1.T))


def test_sequential_rejects_class_non_module_and_duplicates(rng):
    with pytest.raises(ValueError, match=r"Sequential: item 1 is the class Linear, not a Module instance"):
        Sequential(Linear(2, 2), Linear)
    with pytest.raises(ValueError, match=r"Sequential: item 0 is a function, not a Module"):
        Sequential(lambda x: x)
    layer = Linear(2, 2, rng=rng)
    with pytest.raises(ValueError, match=r"Sequential: item 2 is the same Linear\(in_features=2.*item 0"):
        Sequential(layer, Linear(2, 2), layer)
    with pytest.raises(ValueError, match=r"Sequential: item 0 is a type, not a Module"):
        Sequential(int)  # a class, but not a Module class
    model = Sequential(layer)
    with pytest.raises(ValueError, match="same Linear"):
        model.append(layer)
    with pytest.raises(ValueError, match="not a Module"):
        model.append("relu")


# -- construction --------------------------------------------------------------------------------


def test_default_init_bounds_and_reproducibility():
    layer = Linear(100, 30, rng=0)
    bound = 1 / np.sqrt(100)
    assert np.abs(layer.weight.data).max() <= bound
    assert np.abs(layer.bias.data).max() <= bound
    assert np.abs(layer.weight.data).max() > 0.9 * bound  # actually spread over the interval
    assert np.std(layer.weight.data) == pytest.approx(bound / np.sqrt(3), rel=0.05)
    again = Linear(100, 30, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(again.weight.data, layer.weight.data)
    np.testing.assert_array_equal(again.bias.data, layer.bias.data)
    assert not np.array_equal(Linear(100, 30, rng=1).weight.data, layer.weight.data)


def test_init_callable(rng):
    calls = []

    def init(fan_in, fan_out, rng):
        calls.append((fan_in, fan_out, type(rng)))
        return np.full((fan_in, fan_out), 0.25)

    layer = Linear(3, 2, init=init, rng=0)
    assert calls == [(3, 2, np.random.Generator)]
    np.testing.assert_array_equal(layer.weight.data, 0.25)
    np.testing.assert_array_equal(layer.bias.data, 0.0)
    l32 = Linear(3, 2, init=init, dtype=np.float32)
    assert l32.weight.dtype == np.float32 and l32.bias.dtype == np.float32


def test_init_callable_wrong_shape():
    with pytest.raises(ValueError, match=r"Linear: init returned shape \(2, 3\), expected \(3, 2\)"):
        Linear(3, 2, init=lambda fan_in, fan_out, rng: np.zeros((fan_out, fan_in)))


@pytest.mark.parametrize("args", [(0, 2), (3, -1), (2.0, 2), (True, 2), (3, None)])
def test_linear_rejects_bad_sizes(args):
    with pytest.raises(ValueError, match=r"Linear: (in|out)_features must be a positive integer"):
        Linear(*args)


def test_linear_rejects_int_dtype():
    with pytest.raises(ValueError, match="Linear: dtype must be a floating-point type"):
        Linear(2, 2, dtype=np.int64)


def test_linear_attributes_and_repr():
    layer = Linear(np.int64(3), 4, bias=False)
    assert layer.in_features == 3 and layer.out_features == 4 and layer.bias is None
    assert layer.weight.shape == (3, 4)
    assert repr(layer) == "Linear(in_features=3, out_features=4, bias=False)"
    assert module_name(layer) == "Linear(in_features=3, out_features=4, bias=False)"
    assert module_name("MSELoss") == "MSELoss"


def test_base_module_is_abstract():
    m = Module()
    with pytest.raises(NotImplementedError, match="Module does not implement forward"):
        m(np.ones((1, 1)))
    with pytest.raises(NotImplementedError, match="Module does not implement backward"):
        m.backward(np.ones((1, 1)))
    assert m.parameters() == [] and m.state_dict() == {} and repr(m) == "Module()"


# -- bad input -------------------------------------------------------------------------------------


def test_wrong_feature_count_names_layer_and_shapes():
    layer = Linear(3, 4)
    with pytest.raises(ValueError, match=r"Linear\(in_features=3, out_features=4.*expected 3 features.*\(5, 5\)"):
        layer(np.ones((5, 5)))


def test_one_dimensional_input():
    with pytest.raises(ValueError, match=r"Linear\(in_features=3.*2-d array of shape \(n_samples, 3\).*\(3,\).*reshape\(1, -1\)"):
        Linear(3, 4)(np.ones(3))
    with pytest.raises(ValueError, match=r"Linear\(in_features=1.*\(6,\).*reshape\(-1, 1\)"):
        Linear(1, 4)(np.ones(6))


def test_three_dimensional_input():
    with pytest.raises(ValueError, match=r"Linear.*2-d array.*\(2, 2, 3\)"):
        Linear(3, 4)(np.ones((2, 2, 3)))


def test_empty_batch():
    with pytest.raises(ValueError, match=r"Linear.*empty batch, shape \(0, 3\)"):
        Linear(3, 4)(np.ones((0, 3)))


@pytest.mark.parametrize("x", [np.ones((2, 3), dtype=int), np.ones((2, 3), dtype=object), [[1, 2, 3]]])
def test_non_float_input(x):
    with pytest.raises(ValueError, match=r"Linear.*expected a floating-point array.*\(\d, 3\)"):
        Linear(3, 4)(x)


def test_float32_into_float64_layer():
    with pytest.raises(ValueError, match=r"Linear.*input dtype float32 does not match the layer's dtype float64"):
        Linear(3, 4)(np.ones((2, 3), dtype=np.float32))
    with pytest.raises(ValueError, match=r"input dtype float64 does not match the layer's dtype float32"):
        Linear(3, 4, dtype=np.float32)(np.ones((2, 3)))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_input(bad):
    x = np.ones((4, 3))
    x[2, 1] = bad
    with pytest.raises(ValueError, match=r"Linear.*input of shape \(4, 3\) contains 1 NaN or infinite"):
        Linear(3, 4)(x)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_non_finite_input_is_found_through_the_output_wherever_it_is(bad, dtype):
    """Linear reads its output for NaN/inf: every position, zero weights and raise mode included."""
    rng = np.random.default_rng(0)
    layer = Linear(5, 3, rng=0, dtype=dtype)
    layer.weight.data[1] = 0.0            # inf * 0 = NaN: still not finite
    for row, col in [(0, 0), (3, 1), (6, 4)]:
        x = rng.standard_normal((7, 5)).astype(dtype)
        x[row, col] = bad
        with np.errstate(all="raise"):    # fit's mode: the error, not a FloatingPointError
            with pytest.raises(ValueError, match=r"Linear.*input of shape \(7, 5\) contains 1 NaN"):
                layer(x)
        assert layer._cache is None, "a refused input must not become the cache"


def test_a_finite_input_with_an_overflowing_output_is_not_an_input_error():
    layer = Linear(2, 1, bias=False, rng=0)
    layer.weight.data[:] = 1e300
    with np.errstate(over="ignore"):
        out = layer(np.full((1, 2), 1e10))
    assert np.isinf(out).all()


def test_backward_before_forward():
    with pytest.raises(RuntimeError, match=r"Linear\(in_features=3.*backward\(\) called before forward\(\)"):
        Linear(3, 4).backward(np.ones((2, 4)))
    with pytest.raises(RuntimeError, match="backward\\(\\) called before forward"):
        Sequential(Linear(3, 4), Linear(4, 1)).backward(np.ones((2, 1)))


@pytest.mark.parametrize("shape", [(2, 3), (3, 4), (2,), (2, 4, 1)])
def test_grad_out_wrong_shape(shape):
    layer = Linear(3, 4)
    layer(np.ones((2, 3)))
    pattern = r"Linear.*backward: grad_out has shape " + re_shape(shape) + r", expected the output's shape \(2, 4\)"
    with pytest.raises(ValueError, match=pattern):
        layer.backward(np.ones(shape))
    assert layer.weight.grad is None  # nothing accumulated


def re_shape(shape):
    return "\\(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + "\\)"


def test_failed_forward_keeps_previous_cache(rng):
    layer = Linear(3, 2, rng=rng)
    x = rng.normal(size=(4, 3))
    layer(x)
    with pytest.raises(ValueError):
        layer(np.ones((4, 5)))
    layer.backward(np.ones((4, 2)))
    np.testing.assert_allclose(layer.weight.grad, x.T @ np.ones((4, 2)))


def test_load_state_dict_not_a_silent_upcast(rng):
    layer = Linear(2, 2, dtype=np.float32)
    with pytest.raises(ValueError, match=r"'weight'.*dtype float64.*dtype float32"):
        layer.load_state_dict({"weight": np.zeros((2, 2)), "bias": np.zeros(2, dtype=np.float32)})


# -- the helpers themselves ----------------------------------------------------------------------------


def test_check_input_returns_same_array_and_accepts_lists():
    x = np.ones((2, 3))
    assert check_input(x, "f", ndim=2, features=3, dtype=np.float64) is x
    assert check_input([[1.0, 2.0]], "f").shape == (1, 2)
    assert check_input(np.array([np.nan]), "f", finite=False).shape == (1,)


def test_check_input_names_a_string_receiver():
    with pytest.raises(ValueError, match=r"^MSELoss \(target\): expected a 2-d array of shape \(n_samples, 1\), got shape \(5,\)"):
        check_input(np.ones(5), "MSELoss (target)", ndim=2, features=1)
    with pytest.raises(ValueError, match="empty batch"):
        check_input(np.float64(1.0), "f")


def test_check_grad_and_no_forward_error():
    g = np.ones((2, 3))
    assert check_grad_out(g, (2, 3), np.float64, "Thing") is g
    with pytest.raises(ValueError, match=r"Thing\.backward: grad_out has dtype float32, expected float64"):
        check_grad_out(g.astype(np.float32), (2, 3), np.float64, "Thing")
    err = no_forward_error(Linear(2, 2))
    assert isinstance(err, RuntimeError) and "Linear(in_features=2" in str(err)


class _TwoArgumentScale(Module):
    """A module written the chapter-2 way: ``backward(self, grad_out)``, no ``input_grad``."""

    def forward(self, x):
        self._cache = x
        return 2.0 * x

    def backward(self, grad_out):
        self._saved()
        return 2.0 * grad_out


def test_sequential_skips_the_input_gradient_only_for_modules_that_accept_the_flag():
    x = np.random.default_rng(0).normal(size=(4, 3))
    grad = np.ones((4, 2))
    # A first module without the flag is called the two-argument way, and None is returned.
    custom = Sequential(_TwoArgumentScale(), Linear(3, 2, rng=0))
    custom(x)
    assert custom.backward(grad, input_grad=False) is None
    reference = Sequential(_TwoArgumentScale(), Linear(3, 2, rng=0))
    reference(x)
    reference.backward(grad)
    np.testing.assert_array_equal(custom[1].weight.grad, reference[1].weight.grad)
    # A Linear first is told to skip G W^T: it returns None and its weight gradient is unchanged.
    plain = Sequential(Linear(3, 2, rng=0))
    plain(x)
    assert plain.backward(grad, input_grad=False) is None
    assert plain[0].backward(grad, input_grad=False) is None
