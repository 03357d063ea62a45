"""Misuse suite for layers, activations, gradcheck, Module, Sequential, ModuleList and no_grad (issue 13).

Each table lists a misuse and either the error it must raise (type and the words the message
must contain) or the correct value it must return. Where PyTorch defines the behaviour, the
value or the kind of error is compared with it (those tests skip without PyTorch).
"""

import re

import numpy as np
import pytest

import nnbook
from nnbook.activations import GELU, Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Softplus, Tanh
from nnbook.gradcheck import check_module
from nnbook.containers import ModuleList
from nnbook.grad_mode import is_grad_enabled, no_grad
from nnbook.layers import Linear, Module, Parameter, Sequential
from nnbook.regularization import BatchNorm1d, Dropout


def _x(shape=(4, 3), seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def _raises(action, exc, words):
    with pytest.raises(exc) as info:
        action()
    message = str(info.value)
    for word in words:
        assert re.search(word, message), f"{word!r} not in {message!r}"


def _mlp(seed=0):
    return Sequential(Linear(3, 5, rng=seed), Tanh(), Linear(5, 2, rng=seed + 1))


def _grads(model, x, g):
    """Input gradient and parameter gradients of a fresh forward + backward."""
    model.zero_grad()
    model(x)
    gx = model.backward(g)
    return gx, [p.grad.copy() for p in model.parameters()]


# ============================================================================ no_grad
def test_no_grad_is_top_level_and_a_context_manager_and_decorator():
    assert nnbook.no_grad is no_grad and nnbook.is_grad_enabled is is_grad_enabled
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        with no_grad():
            assert not is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()

    @no_grad()
    def with_parentheses():
        return is_grad_enabled()

    @no_grad
    def without_parentheses():
        return is_grad_enabled()

    assert with_parentheses() is False and without_parentheses() is False and is_grad_enabled()


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            1 / 0
    assert is_grad_enabled()
    ctx = no_grad()
    with ctx:
        with ctx:  # the same object, nested
            pass
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_no_grad_matches_torch_semantics():
    torch = pytest.importorskip("torch")
    with torch.no_grad():
        torch_inside = torch.is_grad_enabled()
    with no_grad():
        inside = is_grad_enabled()
    assert inside == torch_inside is False


MODELS_FOR_NO_GRAD = {
    "mlp": lambda: _mlp(),
    "sigmoid": lambda: Sequential(Linear(3, 4, rng=0), Sigmoid(), Linear(4, 2, rng=1)),
    "relu+softmax": lambda: Sequential(Linear(3, 4, rng=0), ReLU(), Linear(4, 2, rng=1), Softmax()),
    "dropout (train)": lambda: Sequential(Linear(3, 4, rng=0), Dropout(0.5, rng=0), Linear(4, 2, rng=1)),
    "batchnorm (train)": lambda: Sequential(Linear(3, 4, rng=0), BatchNorm1d(4), Linear(4, 2, rng=1)),
    "every activation": lambda: Sequential(Linear(3, 4, rng=0), GELU(), Softplus(), LeakyReLU(0.1),
                                           Identity(), Linear(4, 2, rng=1)),
}


@pytest.mark.parametrize("name", MODELS_FOR_NO_GRAD)
def test_a_no_grad_forward_between_forward_and_backward_leaves_the_gradient_unchanged(name):
    x, g = _x((6, 3)), _x((6, 2), seed=1)
    model = MODELS_FOR_NO_GRAD[name]()
    model.zero_grad()
    model(x)
    with no_grad():
        model(_x((9, 3), seed=2))  # another batch size: would also break the shape checks
    gx = model.backward(g)
    ref_gx, ref_grads = _grads(MODELS_FOR_NO_GRAD[name](), x, g)  # the same model, no pass in between
    np.testing.assert_allclose(gx, ref_gx, rtol=1e-12)
    for p, ref in zip(model.parameters(), ref_grads):
        np.testing.assert_allclose(p.grad, ref, rtol=1e-12)


def test_no_grad_output_equals_the_grad_mode_output():
    model, x = _mlp(), _x()
    with no_grad():
        out = model(x)
    np.testing.assert_array_equal(out, model(x))


def test_no_grad_keeps_a_module_without_cache_usable_before_any_forward():
    layer = Linear(3, 2, rng=0)
    with no_grad():
        layer(_x())
    _raises(lambda: layer.backward(np.ones((4, 2))), RuntimeError, ["Linear", "forward"])


def test_no_grad_updates_batchnorm_running_stats_in_training_mode_like_torch():
    torch = pytest.importorskip("torch")
    x = _x((8, 3))
    bn = BatchNorm1d(3)
    with no_grad():
        bn(x)
    tbn = torch.nn.BatchNorm1d(3, dtype=torch.float64)
    with torch.no_grad():
        tbn(torch.tensor(x))
    np.testing.assert_allclose(bn.running_mean, tbn.running_mean.numpy(), rtol=1e-12)


# ============================================================================ one cache used twice
class _Twice(Module):
    """A custom module that calls one layer twice (a Siamese-style misuse)."""

    def __init__(self):
        super().__init__()
        self.fc = Linear(3, 3, rng=0)

    def forward(self, x):
        return self.fc(self.fc(x))

    def backward(self, grad_out, input_grad=True):
        return self.fc.backward(self.fc.backward(grad_out))


class _Scale(Module):
    """A stateless custom module (no cache): calling it twice is correct."""

    def forward(self, x):
        return 2.0 * x

    def backward(self, grad_out, input_grad=True):
        return 2.0 * grad_out


class _TwiceStateless(Module):
    def __init__(self):
        super().__init__()
        self.scale = _Scale()

    def forward(self, x):
        return self.scale(self.scale(x))

    def backward(self, grad_out, input_grad=True):
        return self.scale.backward(self.scale.backward(grad_out))


def _shared_between_models():
    shared = Linear(3, 3, rng=0)
    first, second = Sequential(shared, Linear(3, 1, rng=1)), Sequential(shared, Linear(3, 1, rng=2))
    first(_x())
    second(_x((5, 3), seed=1))
    first.backward(np.ones((4, 1)))


def _shared_same_batch_size():
    shared = Linear(3, 3, rng=0)
    first, second = Sequential(shared, Tanh()), Sequential(shared, ReLU())
    first(_x())
    second(_x(seed=1))  # same shape: nothing but the version tells
    first.backward(np.ones((4, 3)))


def _layer_called_alone_in_between():
    model = _mlp()
    model(_x())
    model[0](_x(seed=1))
    model.backward(np.ones((4, 2)))


def _nested_twice():
    a = Linear(3, 3, rng=0)
    Sequential(a, Sequential(a))(_x())


def _nested_twice_deeper():
    a = Tanh()
    Sequential(Linear(3, 3, rng=0), a, Sequential(Linear(3, 3, rng=1), Sequential(a)))(_x())


def _custom_twice():
    _Twice()(_x())


def _activation_twice_in_custom_forward():
    class Net(Module):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.act = Linear(3, 3, rng=0), Linear(3, 3, rng=1), ReLU()

        def forward(self, x):
            return self.act(self.b(self.act(self.a(x))))

    Net()(_x())


def _inner_model_shared_then_outer_backward():
    inner = Sequential(Linear(3, 3, rng=0), Tanh())
    outer = Sequential(inner, Linear(3, 1, rng=1))
    other = Sequential(inner, Linear(3, 1, rng=2))
    outer(_x())
    other(_x(seed=3))
    outer.backward(np.ones((4, 1)))


CACHE_MISUSES = {
    "layer shared by two models": (_shared_between_models, RuntimeError, ["child 0", "Linear", "no_grad"]),
    "shared, same batch size": (_shared_same_batch_size, RuntimeError, ["child 0", "shared"]),
    "layer run alone between forward and backward": (_layer_called_alone_in_between, RuntimeError,
                                                     ["Sequential.backward", "child 0", "separate|own instance"]),
    "Sequential(a, Sequential(a))": (_nested_twice, RuntimeError, ["called twice", r"Sequential\(a, Sequential\(a\)\)"]),
    "activation nested twice": (_nested_twice_deeper, RuntimeError, ["Tanh", "called twice"]),
    "custom forward calls a layer twice": (_custom_twice, RuntimeError, ["Linear", "called twice", "_Twice"]),
    "custom forward reuses an activation": (_activation_twice_in_custom_forward, RuntimeError,
                                            ["ReLU", "called twice", "separate instance"]),
    "a whole sub-model shared": (_inner_model_shared_then_outer_backward, RuntimeError, ["child 0", "Sequential"]),
}


@pytest.mark.parametrize("name", CACHE_MISUSES)
def test_one_cache_used_twice_is_refused(name):
    action, exc, words = CACHE_MISUSES[name]
    _raises(action, exc, words)


def test_the_caller_state_is_clean_after_a_refused_forward():
    with pytest.raises(RuntimeError):
        _nested_twice()
    model = _mlp()  # an ordinary model still works afterwards
    gx, _ = _grads(model, _x(), np.ones((4, 2)))
    assert gx.shape == (4, 3)


def test_forward_for_plotting_then_fresh_forward_and_backward_is_allowed():
    model, x, g = _mlp(), _x(), np.ones((4, 2))
    model(_x((7, 3), seed=5))  # look at an output, no backward
    gx, grads = _grads(model, x, g)
    ref_gx, ref_grads = _grads(_mlp(), x, g)
    np.testing.assert_array_equal(gx, ref_gx)
    for a, b in zip(grads, ref_grads):
        np.testing.assert_array_equal(a, b)


def test_backward_twice_after_one_forward_is_allowed_and_accumulates():
    model, x, g = _mlp(), _x(), np.ones((4, 2))
    model.zero_grad()
    model(x)
    first = model.backward(g)
    w_grad = model[0].weight.grad.copy()
    second = model.backward(g)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(model[0].weight.grad, 2 * w_grad)


def test_a_stateless_module_called_twice_is_allowed_and_correct():
    net = _TwiceStateless()
    np.testing.assert_array_equal(net(np.ones((2, 2))), 4 * np.ones((2, 2)))
    np.testing.assert_array_equal(net.backward(np.ones((2, 2))), 4 * np.ones((2, 2)))


def test_a_layer_shared_by_two_models_trains_when_each_backward_follows_its_forward():
    shared = Linear(3, 3, rng=0)
    first, second = Sequential(shared, Linear(3, 1, rng=1)), Sequential(shared, Linear(3, 1, rng=2))
    for model in (first, second, first):
        model(_x())
        model.backward(np.ones((4, 1)))  # no error: each backward goes with its own forward


def test_gradient_checks_of_models_still_pass():
    errors = check_module(_mlp(), _x(), rng=0)
    assert max(errors.values()) < 1e-7


# ============================================================================ outputs that are also the cache
def _edit_clip(a):
    np.clip(a, 0.2, 0.3, out=a)


def _edit_fill(a):
    a.fill(0.5)


def _edit_softmax_gradient_trick(a):
    a[np.arange(len(a)), 0] -= 1


EDITABLE = {
    "Sigmoid": Sigmoid, "Tanh": Tanh, "ReLU": ReLU, "Softmax": Softmax, "Identity": Identity,
    "LeakyReLU": lambda: LeakyReLU(0.1), "GELU": GELU, "Softplus": Softplus,
    "Dropout(train)": lambda: Dropout(0.3, rng=0), "Dropout(eval)": lambda: Dropout(0.3, rng=0).eval(),
    "BatchNorm1d": lambda: BatchNorm1d(4), "Linear": lambda: Linear(4, 4, rng=0),
    "Sequential(Linear, Sigmoid)": lambda: Sequential(Linear(4, 4, rng=0), Sigmoid()),
}
EDITS = {"clip out=": _edit_clip, "fill": _edit_fill, "a[i, 0] -= 1": _edit_softmax_gradient_trick}


@pytest.mark.parametrize("edit", EDITS)
@pytest.mark.parametrize("name", EDITABLE)
def test_editing_an_output_in_place_does_not_change_the_gradient(name, edit):
    x, g = _x((5, 4), seed=3), _x((5, 4), seed=4)
    make = EDITABLE[name]
    clean = make()
    clean(x.copy())
    expected = clean.backward(g)
    module = make()
    out = module(x.copy())
    EDITS[edit](out)
    np.testing.assert_allclose(module.backward(g), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", ["Sigmoid", "Tanh", "Softmax", "ReLU"])
def test_the_gradient_after_an_in_place_edit_is_torchs_gradient_without_it(name):
    torch = pytest.importorskip("torch")
    x, g = _x((5, 4), seed=3), _x((5, 4), seed=4)
    module = EDITABLE[name]()
    out = module(x)
    np.clip(out, 0.2, 0.3, out=out)
    t = torch.tensor(x, requires_grad=True)
    tmod = {"Sigmoid": torch.nn.Sigmoid(), "Tanh": torch.nn.Tanh(), "Softmax": torch.nn.Softmax(dim=-1),
            "ReLU": torch.nn.ReLU()}[name]
    tmod(t).backward(torch.tensor(g))
    np.testing.assert_allclose(module.backward(g), t.grad.numpy(), rtol=1e-10, atol=1e-14)
    # PyTorch detects the in-place edit (we make it harmless instead):
    if name in ("Sigmoid", "Tanh"):
        t2 = torch.tensor(x, requires_grad=True)
        tout = tmod(t2)
        tout.clamp_(0.2, 0.3)
        with pytest.raises(RuntimeError, match="inplace"):
            tout.backward(torch.tensor(g))


@pytest.mark.parametrize("name", ["Sigmoid", "Tanh", "ReLU", "Softmax", "Identity"])
def test_activations_keep_their_dtype_and_values(name):
    x = _x((5, 4), seed=3).astype(np.float32)
    module = EDITABLE[name]()
    out = module(x)
    grad = module.backward(np.ones_like(out))
    assert out.dtype == grad.dtype == np.float32


# ============================================================================ gradient checks of stochastic modules
STOCHASTIC = {
    "Dropout in training mode": lambda: Dropout(0.5, rng=0),
    "Sequential with Dropout": lambda: Sequential(Linear(3, 4, rng=0), Dropout(0.5, rng=0)),
    "a random module of yours": lambda: _Noisy(),
}


class _Noisy(Module):
    def forward(self, x):
        self._cache = x
        return x + np.random.default_rng().normal(size=x.shape)

    def backward(self, grad_out, input_grad=True):
        return grad_out


@pytest.mark.parametrize("name", STOCHASTIC)
def test_check_module_refuses_a_stochastic_module(name):
    _raises(lambda: check_module(STOCHASTIC[name](), _x(), rng=0), ValueError,
            ["check_module", "not deterministic", "eval", "freeze_mask"])


DETERMINISTIC = {
    "Dropout in eval mode": lambda: Dropout(0.5, rng=0).eval(),
    "Dropout p=0": lambda: Dropout(0.0),
    "BatchNorm1d in training mode": lambda: BatchNorm1d(3),
    "every activation": lambda: Sequential(Sigmoid(), Tanh(), GELU(), Softplus(), Softmax(), Identity()),
}


@pytest.mark.parametrize("name", DETERMINISTIC)
def test_check_module_accepts_deterministic_modules(name):
    errors = check_module(DETERMINISTIC[name](), _x(seed=7) + 0.05, rng=0)  # projection != input
    assert max(errors.values()) < 1e-6


def test_check_module_with_a_frozen_dropout_mask_passes():
    drop, x = Dropout(0.5, rng=0), _x()
    drop(x)
    with drop.freeze_mask():
        assert max(check_module(drop, x, rng=0).values()) < 1e-7


# ============================================================================ a module's own parameters
def _set(attr, value, action="forward"):
    def run():
        layer = Linear(3, 2, rng=0)
        if attr == "weight.data":
            layer.weight.data = value
        else:
            setattr(layer, attr, value)
        {"forward": lambda: layer(_x()), "parameters": layer.parameters, "state_dict": layer.state_dict,
         "named_parameters": lambda: list(layer.named_parameters()),
         "load_state_dict": lambda: layer.load_state_dict(layer.state_dict())}[action]()
    return run


PARAMETER_MISUSES = {
    "init given an array": (lambda: Linear(3, 2, init=np.ones((3, 2))), TypeError,
                            ["Linear", "init must be a function", r"weight\.data\[\.\.\.\]", r"\(in_features, out_features\)"]),
    "init given a name": (lambda: Linear(3, 2, init="he_normal"), TypeError,
                          ["Linear", "nnbook.init.he_normal", "without quotes"]),
    "init given a number": (lambda: Linear(3, 2, init=0.1), TypeError, ["Linear", "init must be a function"]),
    "init returns PyTorch's layout": (lambda: Linear(3, 2, init=lambda i, o, rng: np.ones((o, i))), ValueError,
                                      [r"init returned shape \(2, 3\)", r"expected \(3, 2\)", "PyTorch"]),
    "bare array as weight, forward": (_set("weight", np.ones((3, 2))), TypeError,
                                      ["Linear", "bare ndarray", "not a Parameter", "Parameter\\(array\\)"]),
    "bare array as weight, parameters()": (_set("weight", np.ones((3, 2)), "parameters"), TypeError,
                                           ["weight", "bare ndarray", "parameters\\(\\)"]),
    "bare array as weight, state_dict()": (_set("weight", np.ones((3, 2)), "state_dict"), TypeError,
                                           ["weight", "state_dict"]),
    "bare array as bias, named_parameters()": (_set("bias", np.zeros(2), "named_parameters"), TypeError,
                                               ["bias", "bare ndarray"]),
    "bare array as bias, load_state_dict()": (_set("bias", np.zeros(2), "load_state_dict"), TypeError,
                                              ["bias", "bare ndarray"]),
    "PyTorch (out, in) layout": (_set("weight", Parameter(np.ones((2, 3)))), ValueError,
                                 ["Linear", r"\(2, 3\)", r"expected \(3, 2\)", "PyTorch", r"w\.T"]),
    "weight of another size": (_set("weight", Parameter(np.ones((4, 2)))), ValueError,
                               ["weight has shape", r"\(in_features, out_features\)"]),
    "integer weight data": (_set("weight.data", np.ones((3, 2), dtype=int)), ValueError,
                            ["Linear", "int64", "floating point", "astype"]),
    "bias of shape (out, 1)": (_set("bias", Parameter(np.zeros((2, 1)))), ValueError,
                               ["bias has shape", r"\(2, 1\)", r"expected \(2,\)", "reshape"]),
    "bias of another dtype": (_set("bias", Parameter(np.zeros(2, dtype=np.float32))), ValueError,
                              ["bias has dtype float32", "one dtype"]),
    "weight set to None": (_set("weight", None), TypeError, ["weight must be a Parameter"]),
    "weight set to a list": (_set("weight", [[1.0, 2.0]] * 3), TypeError, ["weight is a list", "not a Parameter"]),
    "weight set to a list, state_dict()": (_set("weight", [[1.0, 2.0]] * 3, "state_dict"), TypeError,
                                           ["weight is a list", "state_dict"]),
    "bias set to a number": (_set("bias", 0.0), TypeError, ["bias is a float", "Parameter"]),
    "integer Parameter": (lambda: Parameter(np.arange(3)), ValueError, ["Parameter", "floating-point", "astype"]),
    "PyTorch state dict (transposed)": (lambda: Linear(3, 2).load_state_dict(
        {"weight": np.ones((2, 3)), "bias": np.zeros(2)}), ValueError, ["'weight'", "transpose", r"\.T"]),
}


@pytest.mark.parametrize("name", PARAMETER_MISUSES)
def test_parameter_misuses(name):
    action, exc, words = PARAMETER_MISUSES[name]
    _raises(action, exc, words)


def test_assigning_an_array_to_a_parameter_is_a_type_error_in_torch_too():
    torch = pytest.importorskip("torch")
    layer = torch.nn.Linear(3, 2)
    with pytest.raises(TypeError):
        layer.weight = torch.ones(2, 3)  # PyTorch: "cannot assign ... as parameter 'weight'"


PARAMETER_FINE = {
    "bias=None after construction": lambda layer: setattr(layer, "bias", None),
    "a new Parameter of the right shape": lambda layer: setattr(layer, "weight", Parameter(np.ones((3, 2)))),
    "in-place copy into weight.data": lambda layer: layer.weight.data.__setitem__(Ellipsis, 1.0),
    "tied weight (same shape)": lambda layer: setattr(layer, "weight", Linear(3, 2, rng=5).weight),
}


@pytest.mark.parametrize("name", PARAMETER_FINE)
def test_legitimate_parameter_edits_still_work(name):
    layer = Linear(3, 2, rng=0)
    PARAMETER_FINE[name](layer)
    x = _x()
    expected = x @ layer.weight.data + (0 if layer.bias is None else layer.bias.data)
    np.testing.assert_allclose(layer(x), expected)
    assert len(layer.parameters()) == (1 if layer.bias is None else 2)


def test_parameter_checks_name_a_float32_layer():
    layer = Linear(3, 2, rng=0, dtype=np.float32)
    layer.bias = Parameter(np.zeros(2))  # float64 bias in a float32 layer
    _raises(lambda: layer(_x().astype(np.float32)), ValueError, ["bias has dtype float64", "float32"])


# ============================================================================ containers
class _Holder(Module):
    def __init__(self, blocks):
        super().__init__()
        self.blocks = blocks


CONTAINER_MISUSES = {
    "layers in a list": (lambda: _Holder([Linear(2, 2), Linear(2, 2)]).parameters(), TypeError,
                         ["_Holder", "'blocks'", "plain list", "2 module", "ModuleList"]),
    "layers in a tuple": (lambda: _Holder((Linear(2, 2),)).state_dict(), TypeError, ["'blocks'", "plain tuple"]),
    "layers in a dict": (lambda: _Holder({"a": Linear(2, 2)}).train(), TypeError, ["'blocks'", "plain dict"]),
    "a list mixing numbers and a layer": (lambda: _Holder([3, Linear(2, 2)]).eval(), TypeError, ["1 module"]),
    "ModuleList.append of a class": (lambda: ModuleList().append(Linear), TypeError,
                                     ["ModuleList", "item 0", "class Linear", "call it"]),
    "ModuleList of a number": (lambda: ModuleList([Linear(2, 2), 3]), TypeError, ["item 1", "int"]),
    "ModuleList.extend of one module": (lambda: ModuleList().extend(Linear(2, 2)), TypeError, ["append"]),
    "ModuleList[0] = array": (lambda: ModuleList([Linear(2, 2)]).__setitem__(0, np.ones(2)), TypeError,
                              ["item 0", "Module instance"]),
    "ModuleList called": (lambda: ModuleList([Linear(2, 2)])(np.ones((1, 2))), NotImplementedError,
                          ["ModuleList has no forward"]),
    "ModuleList.backward": (lambda: ModuleList().backward(np.ones((1, 2))), NotImplementedError, ["no backward"]),
    "Sequential of a list": (lambda: Sequential([Linear(2, 2)]), ValueError, ["Sequential", "item 0", "list"]),
    "Sequential of a class": (lambda: Sequential(ReLU), ValueError, ["class ReLU", r"ReLU\(\)"]),
    "Sequential with a module twice": (lambda: (lambda a: Sequential(a, a))(ReLU()), ValueError,
                                       ["item 1", "same", "item 0"]),
}


@pytest.mark.parametrize("name", CONTAINER_MISUSES)
def test_container_misuses(name):
    action, exc, words = CONTAINER_MISUSES[name]
    _raises(action, exc, words)


def test_lists_without_modules_are_fine():
    holder = _Holder([3, 4, "x"])
    holder.sizes = (1, 2)
    holder.config = {"lr": 0.1}
    assert holder.parameters() == [] and holder.state_dict() == {}


class _Tower(Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = ModuleList(Linear(a, b, rng=i) for i, (a, b) in enumerate(zip(sizes, sizes[1:])))

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def backward(self, grad_out, input_grad=True):
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
        return grad_out


def test_module_list_is_discovered_and_behaves_like_a_list():
    tower = _Tower([3, 4, 4, 2])
    assert list(tower.state_dict()) == ["layers.0.weight", "layers.0.bias", "layers.1.weight",
                                        "layers.1.bias", "layers.2.weight", "layers.2.bias"]
    layers = tower.layers
    assert len(layers) == 3 and isinstance(layers[1:], ModuleList) and len(layers[1:]) == 2
    assert layers[-1] is list(layers)[-1]
    layers.append(ReLU())
    layers.extend([Tanh()])
    layers.insert(0, Identity())
    layers += [Sigmoid()]
    assert [type(m).__name__ for m in layers] == ["Identity", "Linear", "Linear", "Linear", "ReLU", "Tanh",
                                                  "Sigmoid"]
    del layers[0]
    layers[3] = GELU()
    assert type(layers[3]).__name__ == "GELU"
    tower.eval()
    assert all(not m.training for m in layers)


def test_module_list_trains_and_round_trips_its_state():
    tower, x = _Tower([3, 4, 2]), _x()
    out = tower(x)
    tower.backward(np.ones_like(out))
    assert len(tower.parameters()) == 4 and all(p.grad is not None for p in tower.parameters())
    other = _Tower([3, 4, 2])
    for p in other.parameters():
        p.data += 1
    other.load_state_dict(tower.state_dict())
    np.testing.assert_array_equal(other(x), tower(x))
    assert max(check_module(_Tower([3, 4, 2]), x, rng=0).values()) < 1e-7


def test_module_list_state_dict_keys_match_torch():
    torch = pytest.importorskip("torch")

    class TorchTower(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = torch.nn.ModuleList([torch.nn.Linear(3, 4), torch.nn.Linear(4, 2)])

    assert list(_Tower([3, 4, 2]).state_dict()) == list(TorchTower().state_dict())
    assert len(_Tower([3, 4, 2]).layers) == len(TorchTower().layers)
    with pytest.raises(TypeError):
        torch.nn.ModuleList([3])


def test_module_list_repr_lists_its_items():
    text = repr(ModuleList([Linear(2, 3), ReLU()]))
    assert text.startswith("ModuleList(") and "(0): Linear(in_features=2" in text and "(1): ReLU()" in text
