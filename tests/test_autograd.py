"""Tests of nnbook.autograd (chapter 16): the reverse-mode engine against central differences,
PyTorch's autograd (when installed) and the hand-written backward passes of chapters 2-5."""
import sys

import numpy as np
import pytest

from helpers import GRAD_TOL, away_from_kink
from nnbook.activations import ReLU, Sigmoid, Tanh
from nnbook.autograd import Tensor, _unbroadcast, cross_entropy, mse_loss, no_grad
from nnbook.gradcheck import numerical_gradient, rel_error
from nnbook.layers import Linear, Sequential
from nnbook.losses import CrossEntropyLoss, MSELoss

# -- random expression graphs --------------------------------------------------------------
# Every value of a program has a shape that broadcasts to (3, 4), so any two can be combined.
SHAPES = [(3, 4), (4,), (1, 4), (3, 1), ()]
UNARY = ["exp", "log", "tanh", "sigmoid", "relu", "pow2", "pow3", "sqrt", "neg", "sum_all", "sum_rows",
         "mean_cols", "max_rows", "index_rows", "index_pairs", "reshape_T", "matmul", "rdiv", "radd"]
BINARY = ["add", "sub", "mul", "div"]


def random_program(seed, n_ops=25):
    """A list of steps ``(op, i, j)`` on a growing list of values, leaves first; ops read earlier values."""
    rng = np.random.default_rng(seed)
    n_leaves = len(SHAPES)
    steps = []
    for k in range(n_ops):
        n_values = n_leaves + k
        if rng.random() < 0.5:
            steps.append((str(rng.choice(BINARY)), int(rng.integers(n_values)), int(rng.integers(n_values))))
        else:
            steps.append((str(rng.choice(UNARY)), int(rng.integers(n_values)), None))
    return steps


class Ops:
    """The steps of a program on nnbook's Tensor (TorchOps below: the same on torch tensors)."""
    W = np.random.default_rng(99).normal(size=(4, 4)) / 2

    def squash(self, x):      # keep values moderate, so that exp and division stay well conditioned
        return x.tanh()

    def apply(self, op, a, b):
        if op == "add":
            return a + b
        if op == "sub":
            return a - b
        if op == "mul":
            return a * b
        if op == "div":
            return a / (b * b + 1.0)
        if op == "exp":
            return self.squash(a).exp()
        if op == "log":
            return (a * a + 0.5).log()
        if op == "tanh":
            return a.tanh()
        if op == "sigmoid":
            return a.sigmoid()
        if op == "relu":
            return (a + 0.3).relu()
        if op == "pow2":
            return a ** 2
        if op == "pow3":
            return self.squash(a) ** 3
        if op == "sqrt":
            return (a * a + 1.0) ** 0.5
        if op == "neg":
            return -a
        if op == "rdiv":
            return 1.0 / (a * a + 1.0)
        if op == "radd":
            return 2.0 - a * 0.5
        if a.ndim != 2 or a.shape != (3, 4):
            a = a + self.zeros()   # broadcast to (3, 4) first
        if op == "sum_all":
            return self.sum(a, None, False)
        if op == "sum_rows":
            return self.sum(a, 1, True)       # (3, 1)
        if op == "mean_cols":
            return self.mean(a, 0, False)     # (4,)
        if op == "max_rows":
            return self.max(a, 0, True)       # (1, 4)
        if op == "index_rows":
            return a[np.array([2, 0, 2])]     # (3, 4), row 2 twice
        if op == "index_pairs":
            return a[np.arange(3), np.array([1, 1, 3])].reshape(3, 1)
        if op == "reshape_T":
            return a.reshape(4, 3).T
        if op == "matmul":
            return self.squash(a) @ self.const(self.W)
        raise AssertionError(op)

    def zeros(self):
        return np.zeros((3, 4))

    def const(self, array):
        return array

    def sum(self, a, axis, keepdims):
        return a.sum(axis=axis, keepdims=keepdims)

    def mean(self, a, axis, keepdims):
        return a.mean(axis=axis, keepdims=keepdims)

    def max(self, a, axis, keepdims):
        return a.max(axis=axis, keepdims=keepdims)


def run_program(steps, leaves, ops, weights):
    """The scalar sum_k <w_k, v_k> over the last values of the program (so every step counts)."""
    values = list(leaves)
    for op, i, j in steps:
        values.append(ops.apply(op, values[i], values[j] if j is not None else None))
    total = None
    for v, w in zip(values[-4:], weights):
        term = (v * ops.const(w)).sum()   # every value broadcasts to (3, 4)
        total = term if total is None else total + term
    return total


def leaf_arrays(seed):
    rng = np.random.default_rng(seed + 1000)
    return [rng.normal(size=s) for s in SHAPES]


def projection(seed):
    rng = np.random.default_rng(seed + 2000)
    return [rng.normal(size=(3, 4)) for _ in range(4)]


SEEDS = range(40)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_graphs_match_central_differences(seed):
    steps, arrays, weights = random_program(seed), leaf_arrays(seed), projection(seed)
    leaves = [Tensor(a, requires_grad=True) for a in arrays]
    run_program(steps, leaves, Ops(), weights).backward()
    for leaf, array in zip(leaves, arrays):
        numeric = numerical_gradient(lambda: run_program(steps, [Tensor(a) for a in arrays], Ops(), weights).item(),
                                     array)
        got = np.zeros_like(array) if leaf.grad is None else leaf.grad   # a leaf the program never used
        assert got.shape == array.shape
        assert rel_error(got, numeric) < GRAD_TOL, (steps, leaf.shape)


def test_random_graphs_use_every_operator_with_reuse():
    used, reused = set(), 0
    for seed in SEEDS:
        steps = random_program(seed)
        used |= {op for op, _, _ in steps}
        reads = [i for _, i, _ in steps] + [j for _, _, j in steps if j is not None]
        reused += len(reads) - len(set(reads))
    assert used == set(UNARY) | set(BINARY)
    assert reused > 100


class TorchOps(Ops):
    def __init__(self, torch):
        self.torch = torch

    def zeros(self):
        return self.torch.zeros((3, 4), dtype=self.torch.float64)

    def const(self, array):
        return self.torch.as_tensor(np.asarray(array), dtype=self.torch.float64)

    def apply(self, op, a, b):
        if op.startswith("index") and tuple(a.shape) != (3, 4):
            a = a + self.zeros()
        if op == "index_rows":
            return a[self.torch.as_tensor([2, 0, 2])]
        if op == "index_pairs":
            return a[self.torch.arange(3), self.torch.as_tensor([1, 1, 3])].reshape(3, 1)
        return super().apply(op, a, b)

    def sum(self, a, axis, keepdims):
        return a.sum() if axis is None else a.sum(dim=axis, keepdim=keepdims)

    def mean(self, a, axis, keepdims):
        return a.mean(dim=axis, keepdim=keepdims)

    def max(self, a, axis, keepdims):
        return a.amax(dim=axis, keepdim=keepdims)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_graphs_match_pytorch(seed):
    torch = pytest.importorskip("torch")
    steps, arrays, weights = random_program(seed), leaf_arrays(seed), projection(seed)
    leaves = [Tensor(a, requires_grad=True) for a in arrays]
    ours = run_program(steps, leaves, Ops(), weights)
    ours.backward()
    twins = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    theirs = run_program(steps, twins, TorchOps(torch), weights)
    theirs.backward()
    assert abs(ours.item() - theirs.item()) <= 1e-12 * max(1.0, abs(theirs.item()))
    for leaf, twin in zip(leaves, twins):
        want = np.zeros(leaf.shape) if twin.grad is None else twin.grad.numpy()
        got = np.zeros(leaf.shape) if leaf.grad is None else leaf.grad
        assert rel_error(got, want) < 1e-10


def test_the_losses_match_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    logits, labels, target = rng.normal(size=(7, 4)) * 3, np.array([0, 3, 3, 1, 2, 0, 3]), rng.normal(size=(7, 4))
    z = Tensor(logits, requires_grad=True)
    (cross_entropy(z, labels) + mse_loss(z, target)).backward()
    zt = torch.tensor(logits, requires_grad=True)
    (torch.nn.functional.cross_entropy(zt, torch.as_tensor(labels))
     + torch.nn.functional.mse_loss(zt, torch.as_tensor(target))).backward()
    assert rel_error(z.grad, zt.grad.numpy()) < 1e-12


# -- one operation at a time -----------------------------------------------------------------
ONE_OP = {
    "add a column": (lambda a, b: a + b[:, :1], [(4, 3), (4, 3)]),
    "sub a row": (lambda a, b: a - b[0], [(4, 3), (4, 3)]),
    "mul a scalar tensor": (lambda a, b: a * b.sum(), [(4, 3), (2, 2)]),
    "div": (lambda a, b: a / (b.exp() + 1.0), [(4, 3), (3,)]),
    "rsub, rdiv with arrays": (lambda a, b: np.ones((4, 3)) - 2.0 / (a * a + 1.0) + b, [(4, 3), (1, 3)]),
    "matmul": (lambda a, b: a @ b, [(4, 3), (3, 5)]),
    "rmatmul with an array": (lambda a, b: np.arange(8.0).reshape(2, 4) @ a @ b.T, [(4, 3), (2, 3)]),
    "pow -1.5 of a positive": (lambda a, b: (a * a + 1.0) ** -1.5, [(4, 3)]),
    "exp log": (lambda a, b: a.exp().log() * a.tanh(), [(4, 3)]),
    "sigmoid": (lambda a, b: a.sigmoid(), [(4, 3)]),
    "relu": (lambda a, b: a.relu(), [(4, 3)]),
    "sum axis 0 keepdims": (lambda a, b: a.sum(axis=0, keepdims=True) * a, [(4, 3)]),
    "mean axis (0, 2)": (lambda a, b: a.mean(axis=(0, 2)), [(2, 3, 4)]),
    "mean axis -1": (lambda a, b: a.mean(axis=-1), [(2, 3, 4)]),
    "max axis 1": (lambda a, b: a.max(axis=1), [(4, 3)]),
    "max of everything": (lambda a, b: a.max(), [(4, 3)]),
    "transpose axes": (lambda a, b: a.transpose(2, 0, 1).reshape(4, 6), [(2, 3, 4)]),
    "transpose negative axes": (lambda a, b: a.transpose(-1, 0, 1).reshape(4, 6) * a.transpose((1, -1, 0)).sum(),
                                [(2, 3, 4)]),
    ".T": (lambda a, b: a.T @ a, [(4, 3)]),
    "index repeated rows": (lambda a, b: a[np.array([0, 3, 3, 1, 0])], [(4, 3)]),
    "index pairs": (lambda a, b: a[np.arange(4), np.array([2, 2, 0, 1])], [(4, 3)]),
    "slice and mask": (lambda a, b: a[1:, ::2] * a[a.data > 0.5].sum(), [(4, 3)]),
}


@pytest.mark.parametrize("name", ONE_OP)
def test_each_operation_matches_central_differences(name):
    f, shapes = ONE_OP[name]
    rng = np.random.default_rng(7)
    arrays = [away_from_kink(rng, s, scale=1.0) for s in shapes] + [None]
    R = None
    tensors = [Tensor(a, requires_grad=True) if a is not None else None for a in arrays]
    out = f(*tensors[:2])
    R = rng.normal(size=out.shape)
    (out * R).sum().backward()
    for tensor, array in zip(tensors, arrays):
        if array is None:
            continue
        numeric = numerical_gradient(
            lambda: float(np.sum(f(*[Tensor(a) if a is not None else None for a in arrays[:2]]).data * R)), array)
        assert rel_error(tensor.grad, numeric) < GRAD_TOL, name


def test_unbroadcast_sums_over_every_broadcast_axis():
    g = np.arange(24.0).reshape(2, 3, 4)
    assert _unbroadcast(g, (4,)).tolist() == g.sum(axis=(0, 1)).tolist()
    assert _unbroadcast(g, (3, 1)).shape == (3, 1)
    np.testing.assert_array_equal(_unbroadcast(g, (1, 3, 1)), g.sum(axis=(0, 2), keepdims=True))
    assert _unbroadcast(g, ()) == g.sum()
    assert _unbroadcast(g, (2, 3, 4)) is g


def test_a_repeated_index_adds_its_gradients():
    x = Tensor(np.zeros(3), requires_grad=True)
    x[np.array([0, 0, 2, 0])].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]


def test_max_splits_its_gradient_between_ties_as_torch_amax():
    x = Tensor(np.array([[1.0, 3.0, 3.0], [2.0, 0.0, -1.0]]), requires_grad=True)
    x.max(axis=1).sum().backward()
    assert x.grad.tolist() == [[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]]


# -- the engine ----------------------------------------------------------------------------------
def test_a_tensor_used_twice_gets_both_contributions():
    x = Tensor(np.array([3.0]), requires_grad=True)
    (x * x + x).sum().backward()
    assert x.grad.tolist() == [7.0]


def test_diamond_graph_in_topological_order():
    x = Tensor(np.array(2.0), requires_grad=True)
    a = x * 3.0
    b = a.exp()
    c = a * b           # a reaches c directly and through b: both must be in before a passes on
    c.backward()
    expected = 3.0 * (np.exp(6.0) + 6.0 * np.exp(6.0))
    assert np.isclose(x.grad, expected, rtol=1e-14)


def test_gradients_accumulate_across_backward_calls_until_zero_grad():
    w = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    loss = (w * w).sum()
    loss.backward()
    loss.backward()
    assert w.grad.tolist() == [4.0, -8.0]
    w.zero_grad()
    assert w.grad is None
    (w * 3.0).sum().backward()
    assert w.grad.tolist() == [3.0, 3.0]


def test_only_leaves_that_require_grad_get_a_gradient():
    x, c = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(2))
    y = x * c
    (y * 2.0).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0] and c.grad is None and y.grad is None
    assert x.is_leaf and not y.is_leaf and y.requires_grad and not c.requires_grad


def test_leaves_never_share_a_gradient_array_with_each_other_or_the_caller():
    a, b = Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(3), requires_grad=True)
    (a + b).backward(upstream := np.array([1.0, 2.0, 3.0]))   # add hands the same array to both
    assert a.grad is not b.grad and not np.shares_memory(a.grad, upstream)
    a.grad *= 0.0                                           # in place, as an optimizer may do
    assert b.grad.tolist() == [1.0, 2.0, 3.0] and upstream.tolist() == [1.0, 2.0, 3.0]
    c = Tensor(np.ones((2, 3)), requires_grad=True)
    c.sum().backward()                                      # a read-only broadcast view upstream
    c.grad += 1.0
    assert c.grad.tolist() == [[2.0] * 3] * 2


def test_backward_with_an_explicit_gradient_on_a_non_scalar():
    x = Tensor(np.arange(3.0), requires_grad=True)
    (x * 2.0).backward(np.array([1.0, 10.0, 100.0]))
    assert x.grad.tolist() == [2.0, 20.0, 200.0]


def test_no_grad_records_nothing_and_is_the_librarys_switch():
    import nnbook

    assert no_grad is nnbook.no_grad
    x = Tensor(np.ones(3), requires_grad=True)
    with no_grad():
        y = x * 2.0 + 1.0
    assert not y.requires_grad and y.is_leaf and y._parents == ()
    z = x * 2.0
    assert z.requires_grad


def test_detach_stops_the_gradient_and_shares_the_data():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    d = x.detach()
    assert d.data is x.data and not d.requires_grad
    (x * d).sum().backward()          # d is a constant: the gradient is d, not 2x
    assert x.grad.tolist() == [1.0, 2.0]


def test_a_chain_of_ten_thousand_operations_needs_no_recursion():
    x = Tensor(np.array(1.0), requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)        # the engine must not recurse at all
    try:
        y.backward()
    finally:
        sys.setrecursionlimit(limit)
    assert np.isclose(x.grad, 1.0001 ** 10_000, rtol=1e-10)


def test_arrays_and_numpy_scalars_on_the_left_give_tensors():
    x = Tensor(np.ones((2, 2)), requires_grad=True)
    for y in (np.ones((2, 2)) + x, np.float64(2.0) * x, np.eye(2) @ x, 3 - x, 1 / (x + 1.0)):
        assert isinstance(y, Tensor) and y.requires_grad


def test_integer_data_becomes_float64_and_float32_stays():
    assert Tensor([1, 2]).dtype == np.float64
    assert Tensor(np.ones(2, dtype=np.float32)).dtype == np.float32


def test_python_numbers_keep_a_float32_graph_in_float32_as_torch_does():
    x = Tensor(np.array([[0.5, -1.0], [2.0, 0.25]], dtype=np.float32), requires_grad=True)
    y = (2.0 * x - 1 + x / 3.0 + (-x) ** 2 + 1.5).tanh().sum(axis=1).mean()
    assert y.dtype == np.float32
    y.backward()
    assert x.grad.dtype == np.float32
    x64 = Tensor(x.data.astype(np.float64), requires_grad=True)
    (2.0 * x64 - 1 + x64 / 3.0 + (-x64) ** 2 + 1.5).tanh().sum(axis=1).mean().backward()
    assert rel_error(x.grad.astype(np.float64), x64.grad) < 1e-6


# -- errors ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("make, error, words", [
    (lambda: Tensor("abc"), TypeError, ["Tensor", "dtype"]),
    (lambda: Tensor(np.array([1 + 2j])), TypeError, ["complex"]),
    (lambda: Tensor(np.ones(2)) + "a", TypeError, ["Tensor +", "str"]),
    (lambda: Tensor(np.ones(2)) ** Tensor(np.ones(2)), TypeError, ["exponent", "log()"]),
    (lambda: Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 2))), ValueError, ["(2, 3)", "(4, 2)", "columns (3)", "rows (4)"]),
    (lambda: Tensor(np.ones(3)) @ Tensor(np.ones((3, 2))), ValueError, ["2-d", "(3,)", "reshape"]),
    (lambda: Tensor(np.ones((2, 3))).sum(axis=2), ValueError, ["axis 2", "2 dimensions"]),
    (lambda: Tensor(np.ones((2, 3))).reshape(4, 2), ValueError, ["(2, 3)", "(4, 2)"]),
    (lambda: Tensor(np.ones((2, 3))).transpose(0, 2), ValueError, ["Tensor.transpose", "(0, 2)", "(2, 3)", "0..1"]),
    (lambda: Tensor(np.ones((2, 3)))[np.array([0.0, 1.0])], TypeError, ["integer", "np.intp"]),
    (lambda: Tensor(np.ones((2, 3)), requires_grad=True).sum(axis=0).backward(), ValueError,
     ["shape (3,)", "grad=", ".sum()"]),
    (lambda: Tensor(np.ones(3), requires_grad=True).backward(np.ones(2)), ValueError, ["(2,)", "(3,)"]),
    (lambda: Tensor(np.ones(3)).sum().backward(), RuntimeError, ["requires_grad=True"]),
    (lambda: cross_entropy(Tensor(np.ones((2, 3))), np.array([0, 3])), ValueError, ["0..2"]),
    (lambda: cross_entropy(Tensor(np.ones(3)), np.array([0])), ValueError, ["2-d", "(3,)"]),
    (lambda: mse_loss(Tensor(np.ones((4, 1))), np.ones(4)), ValueError, ["(4,)", "(4, 1)", "reshape"]),
    (lambda: mse_loss(np.ones((4, 1)), np.ones((4, 1))), TypeError, ["mse_loss", "ndarray", "Tensor("]),
])
def test_errors_name_the_operation_the_shapes_and_the_fix(make, error, words):
    with pytest.raises(error) as info:
        make()
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_pytorch_silently_sums_the_broadcast_shaped_gradient_that_ours_refuses():
    torch = pytest.importorskip("torch")

    class AddWithoutSum(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, b):
            return x + b

        @staticmethod
        def backward(ctx, g):
            return g, g          # b's gradient has x's shape (4, 3), not (3,)

    x = torch.ones((4, 3), dtype=torch.float64, requires_grad=True)
    b = torch.ones(3, dtype=torch.float64, requires_grad=True)
    AddWithoutSum.apply(x, b).sum().backward()
    assert b.grad.tolist() == [4.0, 4.0, 4.0]   # summed over the broadcast axis by PyTorch's engine


def test_a_backward_that_returns_a_wrong_shape_is_refused():
    class NoSum(Tensor):
        _unbroadcast = staticmethod(lambda grad, shape: grad)

    x, b = NoSum(np.ones((4, 3)), requires_grad=True), NoSum(np.ones(3), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"shape \(4, 3\) for an operand of shape \(3,\)"):
        (x + b).sum().backward()


# -- the multilayer perceptron of chapters 2-5 ------------------------------------------------------
def mlp_and_data(activation, seed=0):
    rng = np.random.default_rng(seed)
    model = Sequential(Linear(3, 5, rng=rng), activation(), Linear(5, 4, rng=rng))
    return model, away_from_kink(rng, (6, 3)), rng.integers(0, 4, size=6)


def autograd_forward(model, X):
    """The same network, each layer written with Tensor operations on the model's own arrays."""
    h = Tensor(X)
    params = []
    for layer in model:
        if isinstance(layer, Linear):
            W, b = Tensor(layer.weight.data, requires_grad=True), Tensor(layer.bias.data, requires_grad=True)
            params += [W, b]
            h = h @ W + b
        else:
            h = {ReLU: Tensor.relu, Tanh: Tensor.tanh, Sigmoid: Tensor.sigmoid}[type(layer)](h)
    return h, params


@pytest.mark.parametrize("activation", [ReLU, Tanh, Sigmoid])
@pytest.mark.parametrize("loss", ["cross-entropy", "mse"])
def test_the_mlp_gradients_equal_the_hand_written_backward(activation, loss):
    model, X, y = mlp_and_data(activation)
    out, params = autograd_forward(model, X)
    if loss == "cross-entropy":
        loss_fn, target, ours = CrossEntropyLoss(), y, cross_entropy(out, y)
    else:
        target = np.random.default_rng(1).normal(size=(6, 4))
        loss_fn, ours = MSELoss(), mse_loss(out, target)
    ours.backward()
    model.zero_grad()
    hand = loss_fn(model(X), target)
    model.backward(loss_fn.backward())
    assert abs(ours.item() - hand) <= 1e-14 * abs(hand)
    for p, hand_p in zip(params, model.parameters()):
        assert rel_error(p.grad, hand_p.grad) < 1e-13


@pytest.mark.parametrize("activation, torch_name", [(ReLU, "relu"), (Tanh, "tanh"), (Sigmoid, "sigmoid")])
def test_the_mlp_gradients_equal_pytorchs(activation, torch_name):
    torch = pytest.importorskip("torch")
    model, X, y = mlp_and_data(activation, seed=4)
    out, params = autograd_forward(model, X)
    cross_entropy(out, y).backward()
    twins = [torch.tensor(p.data, dtype=torch.float64, requires_grad=True) for p in params]
    h = torch.as_tensor(X)
    for k, (W, b) in enumerate(zip(twins[::2], twins[1::2])):
        h = h @ W + b
        if k < len(twins) // 2 - 1:
            h = getattr(torch, torch_name)(h)
    torch.nn.functional.cross_entropy(h, torch.as_tensor(y)).backward()
    for p, twin in zip(params, twins):
        assert rel_error(p.grad, twin.grad.numpy()) < 1e-12
