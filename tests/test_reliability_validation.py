"""Reliability: bad input gets a clear error, across the whole package.

The per-module tests (test_layers.py, test_losses.py, ...) check each class's
own messages in detail. This module sweeps *every* exported ``Module`` and
``Loss`` class, discovered from nnbook's modules, through the same list of
mistakes, so that a class added later cannot skip the contract: NaN/inf,
integer, boolean, complex, object and string input, empty batches, ragged
lists, backward before forward, gradients of the wrong shape or dtype, a
float32 batch fed to a float64 model, prediction/target shapes that NumPy
would broadcast, bad targets and labels, and an optimizer holding parameters
that another optimizer also updates. Every message must name the class (or
function) and the shapes or values involved.
"""
import importlib
import inspect
import pkgutil
import re

import numpy as np
import pytest

import nnbook
from nnbook.activations import GELU, Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Softplus, Tanh
from nnbook.conv import Flatten
from nnbook.layers import Linear, Module, Sequential
from nnbook.losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, Loss, MSELoss
from nnbook.optim import SGD, Adam, Optimizer
from nnbook.regularization import BatchNorm1d, Dropout
from nnbook.train import evaluate, fit, predict
from nnbook.swa_utils import AveragedModel

# ----------------------------------------------------------------------------- the registry
# How to build each exported class for the sweep. Every module takes a batch of
# shape (N, D) = (4, 3); ``name`` is the class the error message must name (a
# Sequential's input is checked by its first layer).

N, D = 4, 3


def _all_nnbook_modules():
    """Every submodule of the nnbook package (so a module added later is swept too)."""
    names = sorted(info.name for info in pkgutil.iter_modules(nnbook.__path__))
    return [importlib.import_module(f"nnbook.{name}") for name in names]


def exported_subclasses(base):
    """``{name: class}`` of every subclass of ``base`` listed in some nnbook module's ``__all__``."""
    found = {}
    for module in _all_nnbook_modules():
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if inspect.isclass(obj) and issubclass(obj, base) and obj is not base:
                found[name] = obj
    return found


# name -> (factory(dtype) -> module, class named in error messages, has a dtype of its own)
MODULE_FACTORIES = {
    "Linear": (lambda dtype: Linear(D, 2, rng=0, dtype=dtype), "Linear", True),
    "Sequential": (lambda dtype: Sequential(Linear(D, 5, rng=0, dtype=dtype), Tanh(),
                                            Linear(5, 2, rng=1, dtype=dtype)), "Linear", True),
    "Identity": (lambda dtype: Identity(), "Identity", False),
    "Flatten": (lambda dtype: Flatten(), "Flatten", False),
    "Sigmoid": (lambda dtype: Sigmoid(), "Sigmoid", False),
    "Tanh": (lambda dtype: Tanh(), "Tanh", False),
    "ReLU": (lambda dtype: ReLU(), "ReLU", False),
    "LeakyReLU": (lambda dtype: LeakyReLU(0.1), "LeakyReLU", False),
    "GELU": (lambda dtype: GELU(), "GELU", False),
    "Softplus": (lambda dtype: Softplus(beta=2.0), "Softplus", False),
    "Softmax": (lambda dtype: Softmax(), "Softmax", False),
    "Dropout": (lambda dtype: Dropout(0.3, rng=0), "Dropout", False),
    "BatchNorm1d": (lambda dtype: BatchNorm1d(D, dtype=dtype), "BatchNorm1d", True),
    "AveragedModel": (lambda dtype: AveragedModel(Linear(D, 2, rng=0, dtype=dtype)), "Linear", True),
}


def _bce_pair(rng, n, dtype):
    return rng.uniform(0.05, 0.95, size=(n, 2)).astype(dtype), rng.integers(0, 2, (n, 2)).astype(dtype)


# name -> (factory(), make(rng, n, dtype) -> (pred, target) that the loss accepts)
LOSS_FACTORIES = {
    "MSELoss": (MSELoss, lambda rng, n, dtype: (rng.normal(size=(n, 2)).astype(dtype),
                                                rng.normal(size=(n, 2)).astype(dtype))),
    "BCELoss": (BCELoss, _bce_pair),
    "BCEWithLogitsLoss": (BCEWithLogitsLoss,
                          lambda rng, n, dtype: (rng.normal(size=(n, 2)).astype(dtype),
                                                 rng.integers(0, 2, (n, 2)).astype(dtype))),
    "CrossEntropyLoss": (CrossEntropyLoss, lambda rng, n, dtype: (rng.normal(size=(n, 3)).astype(dtype),
                                                                  rng.integers(0, 3, n))),
}
ELEMENTWISE_LOSSES = ["MSELoss", "BCELoss", "BCEWithLogitsLoss"]


def make_module(name, dtype=np.float64):
    factory, _, _ = MODULE_FACTORIES[name]
    return factory(dtype)


def named(name):
    """Regex for a message that starts by naming the class ``name`` (with or without its arguments)."""
    return rf"^{MODULE_FACTORIES[name][1]}(\(|\b)" if name in MODULE_FACTORIES else rf"^{name}(\(|\b)"


def good_batch(rng, dtype=np.float64):
    return rng.normal(size=(N, D)).astype(dtype)


MODULES = sorted(MODULE_FACTORIES)
LOSSES = sorted(LOSS_FACTORIES)


def test_the_sweep_covers_every_exported_module_and_loss():
    modules = exported_subclasses(Module)
    losses = exported_subclasses(Loss)
    # ModuleList only holds modules (no forward pass): tests/test_misuse_modules.py covers it.
    # Conv2d and MaxPool2d take images (N, C, H, W) only, not the (n, features) batches of this
    # sweep: tests/test_conv.py::test_the_common_input_contract holds them to the same contract.
    assert sorted(set(modules) - {"ModuleList", "Conv2d", "MaxPool2d"}) == MODULES, "add the new Module class to MODULE_FACTORIES"
    assert sorted(losses) == LOSSES, "add the new Loss class to LOSS_FACTORIES"


# ----------------------------------------------------------------------------- forward: bad batches

@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("name", MODULES)
def test_forward_rejects_nan_and_inf(name, bad, rng):
    x = good_batch(rng)
    x[2, 1] = bad
    with pytest.raises(ValueError, match=named(name) + r".*\(4, 3\) contains 1 NaN or infinite"):
        make_module(name)(x)


BAD_DTYPES = {
    "int64": np.ones((N, D), dtype=np.int64),
    "uint8": np.ones((N, D), dtype=np.uint8),
    "bool": np.ones((N, D), dtype=bool),
    "complex": np.ones((N, D), dtype=complex),
    "object": np.ones((N, D), dtype=object),
    "str": np.full((N, D), "1.0"),
    "int list": [[1, 2, 3]] * N,
}


@pytest.mark.parametrize("kind", list(BAD_DTYPES))
@pytest.mark.parametrize("name", MODULES)
def test_forward_rejects_non_float_input_and_says_how_to_convert(name, kind):
    x = BAD_DTYPES[kind]
    dtype = np.asarray(x).dtype
    with pytest.raises(ValueError, match=named(name) + rf".*floating-point.*dtype {re.escape(str(dtype))}.*astype"):
        make_module(name)(x)


@pytest.mark.parametrize("shape", [(0, D), (N, 0), (0, 0)])
@pytest.mark.parametrize("name", MODULES)
def test_forward_rejects_empty_batches(name, shape):
    with pytest.raises(ValueError, match=named(name) + r".*" + re.escape(str(shape))):
        make_module(name)(np.zeros(shape))


@pytest.mark.parametrize("name", MODULES)
def test_forward_rejects_ragged_lists_with_the_class_name(name):
    with pytest.raises(ValueError, match=named(name) + r".*(ragged|same length)"):
        make_module(name)([[1.0, 2.0, 3.0], [1.0, 2.0]])


@pytest.mark.parametrize("name", [n for n in MODULES if MODULE_FACTORIES[n][2]])
@pytest.mark.parametrize("model_dtype, input_dtype", [(np.float64, np.float32), (np.float32, np.float64)])
def test_a_batch_of_another_float_dtype_is_refused_not_upcast(name, model_dtype, input_dtype, rng):
    module = make_module(name, model_dtype)
    pattern = (named(name) + rf".*input dtype {np.dtype(input_dtype)} does not match the layer's dtype "
               rf"{np.dtype(model_dtype)}.*astype\(np\.{np.dtype(model_dtype)}\)")
    with pytest.raises(ValueError, match=pattern):
        module(good_batch(rng, input_dtype))


def test_a_layer_of_the_wrong_width_inside_a_network_is_named(rng):
    model = Sequential(Linear(3, 8, rng=0), ReLU(), Linear(6, 2, rng=1))
    pattern = r"Linear\(in_features=6, out_features=2.*expected 6 features, got input of shape \(4, 8\)"
    with pytest.raises(ValueError, match=pattern):
        model(good_batch(rng))


# ----------------------------------------------------------------------------- backward

@pytest.mark.parametrize("name", MODULES)
def test_backward_before_forward_names_the_module(name):
    with pytest.raises(RuntimeError, match=named(name) + r".*backward\(\) called before forward\(\)"):
        make_module(name).backward(np.ones((N, 2)))


@pytest.mark.parametrize("name", LOSSES)
def test_loss_backward_before_forward_names_the_loss(name):
    with pytest.raises(RuntimeError, match=rf"^{name}\(" + r".*backward\(\) called before forward\(\)"):
        LOSS_FACTORIES[name][0]().backward()


@pytest.mark.parametrize("name", MODULES)
def test_backward_rejects_a_gradient_of_another_shape(name, rng):
    module = make_module(name)
    out = module(good_batch(rng))
    for shape in [(out.shape[0], 1), (out.shape[0],), (out.shape[0] + 1, out.shape[1])]:
        grad = np.ones(shape)
        pattern = (named(name) + r".*\.backward: grad_out has shape " + re.escape(str(shape))
                   + r", expected the output's shape " + re.escape(str(out.shape)))
        with pytest.raises(ValueError, match=pattern):
            module.backward(grad)


@pytest.mark.parametrize("name", MODULES)
def test_backward_rejects_a_gradient_of_another_dtype(name, rng):
    module = make_module(name)
    out = module(good_batch(rng))
    with pytest.raises(ValueError, match=named(name) + r".*\.backward: grad_out has dtype float32, "
                                         r"expected float64"):
        module.backward(np.ones(out.shape, dtype=np.float32))


# ----------------------------------------------------------------------------- losses

@pytest.mark.parametrize("name", ELEMENTWISE_LOSSES)
@pytest.mark.parametrize("pred_shape, target_shape", [((6, 1), (6,)), ((6,), (6, 1)), ((6, 2), (2, 6)),
                                                       ((1, 6), (6, 1))])
def test_elementwise_losses_never_broadcast(name, pred_shape, target_shape):
    loss_fn = LOSS_FACTORIES[name][0]()
    pattern = (rf"{name}\(.*pred has shape {re.escape(str(pred_shape))} but target has shape "
               rf"{re.escape(str(target_shape))}; they must be identical")
    with pytest.raises(ValueError, match=pattern):
        loss_fn(np.full(pred_shape, 0.5), np.zeros(target_shape))


@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize("kind", ["int64", "bool", "complex", "object", "str"])
def test_losses_reject_non_float_predictions(name, kind, rng):
    loss_fn, make = LOSS_FACTORIES[name]
    pred, target = make(rng, N, np.float64)
    bad = pred.astype({"int64": np.int64, "bool": bool, "complex": complex, "object": object,
                       "str": str}[kind])
    with pytest.raises(ValueError, match=rf"^{name}\(" + r".*floating-point"):
        loss_fn()(bad, target)


@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize("kind", ["complex", "object", "str"])
def test_losses_reject_non_real_targets(name, kind, rng):
    loss_fn, make = LOSS_FACTORIES[name]
    pred, target = make(rng, N, np.float64)
    bad = target.astype({"complex": complex, "object": object, "str": str}[kind])
    with pytest.raises(ValueError, match=rf"^{name}\(" + r".*target.*dtype"):
        loss_fn()(pred, bad)


@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize("shape", [(0, 3), (4, 0)])
def test_losses_reject_empty_predictions(name, shape):
    loss_fn = LOSS_FACTORIES[name][0]()
    target = np.zeros(shape[0], dtype=int) if name == "CrossEntropyLoss" else np.zeros(shape)
    with pytest.raises(ValueError, match=rf"^{name}\(" + r".*" + re.escape(str(shape))):
        loss_fn(np.zeros(shape), target)


@pytest.mark.parametrize("labels, pattern", [
    (np.array([True, False, True]), r"dtype bool"),
    (np.array([0, 1, 5], dtype=np.uint8), r"labels must be in \[0, 4\).*got values in \[0, 5\]"),
    (np.array([0.0, 1.0, 4.0]), r"labels must be in \[0, 4\).*got values in \[0, 4\]"),
    (np.array([0, 1, 2, 3]), r"logits have 3 rows .* target has 4 labels"),
    (np.array([0, 1, 2], dtype=complex), r"dtype complex128"),
])
def test_cross_entropy_label_mistakes(labels, pattern):
    with pytest.raises(ValueError, match=r"CrossEntropyLoss\(.*" + pattern):
        CrossEntropyLoss()(np.zeros((3, 4)), labels)


@pytest.mark.parametrize("name", LOSSES)
def test_losses_keep_their_last_good_cache_after_a_rejected_call(name, rng):
    loss_fn, make = LOSS_FACTORIES[name]
    loss_fn = loss_fn()
    pred, target = make(rng, N, np.float64)
    loss_fn(pred, target)
    expected = loss_fn.backward().copy()
    bad = pred.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError):
        loss_fn(bad, target)
    np.testing.assert_array_equal(loss_fn.backward(), expected)


# ----------------------------------------------------------------------------- metrics

@pytest.mark.parametrize("function", ["accuracy", "confusion_matrix", "precision_recall_f1",
                                      "classification_report"])
def test_every_metric_refuses_a_column_against_a_vector(function):
    f = getattr(nnbook.metrics, function)
    y = np.array([0, 1, 1, 0])
    for a, b in ((y.reshape(-1, 1), y), (y, y.reshape(-1, 1))):
        with pytest.raises(ValueError, match=rf"{function}: y_true has shape {re.escape(str(a.shape))} "
                                             rf"and y_pred has shape {re.escape(str(b.shape))}.*broadcast"):
            f(a, b)


@pytest.mark.parametrize("function", ["accuracy", "confusion_matrix", "precision_recall_f1",
                                      "classification_report"])
@pytest.mark.parametrize("kind", [complex, object, str])
def test_every_metric_refuses_labels_that_are_not_real_numbers(function, kind):
    f = getattr(nnbook.metrics, function)
    y = np.array([0, 1, 1, 0])
    with pytest.raises(ValueError, match=rf"{function}: y_true must be a numeric array of real numbers, "
                                         rf"got dtype"):
        f(y.astype(kind), y)


# ----------------------------------------------------------------------------- through fit / predict / evaluate

def _mlp(dtype=np.float64):
    return Sequential(Linear(3, 8, rng=0, dtype=dtype), ReLU(), Linear(8, 3, rng=1, dtype=dtype))


def test_fit_with_the_wrong_number_of_features_names_the_first_layer(rng):
    model = _mlp()
    X, y = rng.normal(size=(20, 5)), rng.integers(0, 3, 20)
    with pytest.raises(ValueError, match=r"Linear\(in_features=3.*expected 3 features, got input of shape \(\d+, 5\)"):
        fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=1, rng=0)


def test_fit_with_float32_data_and_a_float64_model_says_how_to_fix_it(rng):
    model = _mlp()
    X, y = rng.normal(size=(20, 3)).astype(np.float32), rng.integers(0, 3, 20)
    with pytest.raises(ValueError, match=r"Linear\(.*float32 does not match the layer's dtype float64.*"
                                         r"astype\(np\.float64\).*dtype=np\.float32"):
        fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=1, rng=0)


def test_fit_with_labels_as_a_column_says_ravel(rng):
    model = _mlp()
    X, y = rng.normal(size=(20, 3)), rng.integers(0, 3, (20, 1))
    with pytest.raises(ValueError, match=r"CrossEntropyLoss.*\(\d+, 1\).*target\.ravel\(\)"):
        fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=1, rng=0)


def test_evaluate_regression_column_against_vector_names_mse(rng):
    model = Sequential(Linear(3, 1, rng=0))
    X, y = rng.normal(size=(10, 3)), rng.normal(size=10)
    with pytest.raises(ValueError, match=r"MSELoss.*\(10, 1\).*\(10,\).*\(10, 10\).*reshape\(-1, 1\)"):
        evaluate(model, MSELoss(), X, y)


@pytest.mark.parametrize("kind", [complex, object, str])
def test_fit_refuses_targets_that_are_not_real_numbers(kind, rng):
    model = _mlp()
    X, y = rng.normal(size=(20, 3)), rng.integers(0, 3, 20).astype(kind)
    with pytest.raises(ValueError, match=r"fit: y must be a numeric array of real numbers, got dtype"):
        fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=1, rng=0)


def test_predict_with_object_data_names_predict(rng):
    with pytest.raises(ValueError, match=r"predict: X: expected a floating-point array.*dtype object"):
        predict(_mlp(), np.ones((3, 3), dtype=object))


# ----------------------------------------------------------------------------- optimizers

def _batch(rng):
    return rng.normal(size=(8, 3)), rng.integers(0, 3, 8)


def _backward(model, X, y):
    loss_fn = CrossEntropyLoss()
    loss_fn(model(X), y)
    model.backward(loss_fn.backward())


def _weights(model):
    return [p.data.copy() for p in model.parameters()]


OPTIMIZERS = exported_subclasses(Optimizer)


def test_every_optimizer_class_is_swept():
    assert sorted(OPTIMIZERS) == ["Adagrad", "Adam", "AdamW", "RMSprop", "SGD"]


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_two_optimizers_on_the_same_parameters_are_caught_before_the_second_update(name, rng):
    model = _mlp()
    first = SGD(model.parameters(), lr=0.1)
    second = OPTIMIZERS[name](model.parameters(), lr=0.01)
    X, y = _batch(rng)
    first.zero_grad()
    _backward(model, X, y)
    first.step()
    after_first = _weights(model)
    with pytest.raises(RuntimeError, match=rf"{name}\.step: the gradient of params\[0\] \(shape \(3, 8\)\) "
                                           r"was already applied by another optimizer \(SGD\).*moves them twice"):
        second.step()
    for before, p in zip(after_first, model.parameters()):      # nothing was updated
        np.testing.assert_array_equal(before, p.data)


def test_an_overlapping_optimizer_for_the_last_layer_is_caught(rng):
    model = _mlp()
    everything = Adam(model.parameters())
    head = SGD(model[2].parameters(), lr=0.1)
    X, y = _batch(rng)
    everything.zero_grad()
    _backward(model, X, y)
    everything.step()
    with pytest.raises(RuntimeError, match=r"SGD\.step: .*params\[0\] \(shape \(8, 3\)\).*\(Adam\)"):
        head.step()


def test_replacing_an_optimizer_is_not_an_error(rng):
    """No false positives: a notebook re-creates optimizers for the same model all the time."""
    model = _mlp()
    X, y = _batch(rng)
    kept = []                                           # the old optimizers stay alive
    for make in (lambda ps: SGD(ps, lr=0.1, momentum=0.9), Adam, lambda ps: SGD(ps, lr=0.1),
                 Adam):
        optimizer = make(model.parameters())
        kept.append(optimizer)
        for _ in range(3):
            optimizer.zero_grad()
            _backward(model, X, y)
            optimizer.step()
    # and switching back to an old optimizer, with a fresh backward pass, is allowed too
    for optimizer in kept:
        optimizer.zero_grad()
        _backward(model, X, y)
        optimizer.step()


def test_two_optimizers_for_disjoint_parameter_lists_are_fine(rng):
    model = _mlp()
    body = SGD(model[0].parameters(), lr=0.1)
    head = Adam(model[2].parameters(), lr=0.01)
    X, y = _batch(rng)
    for _ in range(3):
        model.zero_grad()
        _backward(model, X, y)
        body.step()
        head.step()


def test_fit_twice_with_different_optimizers_is_fine(rng):
    model = _mlp()
    X, y = rng.normal(size=(30, 3)), rng.integers(0, 3, 30)
    for optimizer in (SGD(model.parameters(), lr=0.1), Adam(model.parameters(), lr=0.01)):
        fit(model, CrossEntropyLoss(), optimizer, X, y, epochs=2, batch_size=10, rng=0)


def test_a_restored_optimizer_next_to_the_original_is_fine(rng):
    model = _mlp()
    X, y = _batch(rng)
    original = Adam(model.parameters())
    for _ in range(2):
        original.zero_grad()
        _backward(model, X, y)
        original.step()
    restored = Adam(model.parameters())
    restored.load_state_dict(original.state_dict())
    restored.zero_grad()
    _backward(model, X, y)
    restored.step()


def test_the_same_optimizer_may_apply_the_same_gradient_twice(rng):
    """Two calls of step() on one optimizer without a new backward pass: allowed, as in PyTorch."""
    model = _mlp()
    optimizer = SGD(model.parameters(), lr=0.1)
    X, y = _batch(rng)
    _backward(model, X, y)
    optimizer.step()
    optimizer.step()
