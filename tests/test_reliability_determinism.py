"""Reliability: the same seed gives bit-identical results; nothing reads global random state.

* Training a network with every source of randomness (initialization,
  shuffling, dropout masks, a train/test split) twice from the same seeds gives
  bit-identical weights, in float32 and float64; a different seed gives
  different weights.
* The same holds in two fresh Python processes with different hash seeds
  (nothing depends on the order of a ``set`` or on object addresses).
* nnbook never touches NumPy's global ``RandomState`` nor Python's
  ``random`` module: reseeding them changes nothing, and running nnbook does
  not advance them. The source is checked for legacy ``np.random.*`` calls too.
* Every public callable with an ``rng`` argument is found by introspection,
  and each is reproducible with a seed and with a ``Generator``.
"""
import ast
import hashlib
import inspect
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import nnbook
from nnbook import data, datasets, init
from nnbook.activations import ReLU, Tanh
from nnbook.checks import as_generator
from nnbook.conv import Conv2d
from nnbook.layers import Linear, Sequential
from nnbook.losses import CrossEntropyLoss
from nnbook.lr_scheduler import CosineAnnealingLR
from nnbook.optim import SGD, Adam
from nnbook.regularization import BatchNorm1d, Dropout
from nnbook.train import fit
from test_reliability_validation import _all_nnbook_modules

ROOT = Path(__file__).resolve().parent.parent


def train_once(seed, dtype=np.float64, epochs=4):
    """A small run that uses every random operation of nnbook, from one seed."""
    rng = np.random.default_rng(seed)
    X, y = datasets.make_spirals(30, 3, rng=rng)
    X_train, X_val, y_train, y_val = data.train_test_split(X, y, test_size=0.25, rng=rng,
                                                           stratify=y)
    scaler = data.StandardScaler().fit(X_train)
    X_train, X_val = scaler.transform(X_train).astype(dtype), scaler.transform(X_val).astype(dtype)
    model = Sequential(
        Linear(2, 16, init=init.kaiming_normal, rng=rng, dtype=dtype), BatchNorm1d(16, dtype=dtype),
        ReLU(), Dropout(0.2, rng=rng),
        Linear(16, 16, init=init.xavier_uniform, rng=rng, dtype=dtype), Tanh(),
        Linear(16, 3, rng=rng, dtype=dtype),
    )
    optimizer = Adam(model.parameters(), lr=0.01)
    fit(model, CrossEntropyLoss(), optimizer, X_train, y_train, epochs=epochs, batch_size=16,
        validation_data=(X_val, y_val), scheduler=CosineAnnealingLR(optimizer, T_max=epochs),
        rng=rng)
    return model.state_dict()


def digest(state):
    h = hashlib.sha256()
    for key, value in state.items():
        h.update(key.encode())
        h.update(np.ascontiguousarray(value).tobytes())
    return h.hexdigest()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_same_seed_gives_bit_identical_weights(dtype):
    a, b = train_once(7, dtype), train_once(7, dtype)
    assert list(a) == list(b)
    for key in a:
        assert a[key].dtype == b[key].dtype
        assert a[key].tobytes() == b[key].tobytes(), key       # bit for bit, not approximately
    c = train_once(8, dtype)
    assert any(a[key].tobytes() != c[key].tobytes() for key in a)


def test_a_seed_and_a_generator_from_that_seed_are_the_same_thing():
    model_a = Linear(4, 3, rng=5)
    model_b = Linear(4, 3, rng=np.random.default_rng(5))
    assert model_a.weight.data.tobytes() == model_b.weight.data.tobytes()
    X = np.arange(20.0).reshape(10, 2)
    order_a = [xb[:, 0].tolist() for xb in data.DataLoader(X, batch_size=3, shuffle=True, rng=3)]
    order_b = [xb[:, 0].tolist() for xb in data.DataLoader(X, batch_size=3, shuffle=True,
                                                           rng=np.random.default_rng(3))]
    assert order_a == order_b


def test_global_random_state_is_neither_read_nor_advanced():
    np.random.seed(1)
    random.seed(1)
    numpy_before, python_before = np.random.get_state(), random.getstate()
    first = digest(train_once(3))
    numpy_after, python_after = np.random.get_state(), random.getstate()
    assert numpy_before[0] == numpy_after[0]
    assert np.array_equal(numpy_before[1], numpy_after[1]) and numpy_before[2:] == numpy_after[2:]
    assert python_before == python_after
    np.random.seed(2)                                 # a different global state...
    random.seed(2)
    assert digest(train_once(3)) == first             # ...changes nothing


_SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, {tests!r})
    sys.path.insert(0, {root!r})
    import numpy as np
    from test_reliability_determinism import digest, train_once
    print(digest(train_once(11, np.float32)), digest(train_once(11, np.float64)))
""")


def test_bit_identical_in_fresh_processes_with_different_hash_seeds():
    script = _SCRIPT.format(tests=str(ROOT / "tests"), root=str(ROOT))
    outputs = []
    for hash_seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                env=env, cwd=ROOT, timeout=300)
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout.split())
    assert outputs[0] == outputs[1]
    assert outputs[0] == [digest(train_once(11, np.float32)), digest(train_once(11, np.float64))]


# ----------------------------------------------------------------------------- the source

_LEGACY_OK = {"default_rng", "Generator", "BitGenerator", "SeedSequence", "PCG64"}


def _random_attribute_uses(tree):
    """Names X in every ``np.random.X`` / ``numpy.random.X`` of a module's syntax tree."""
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
                and node.value.attr == "random" and isinstance(node.value.value, ast.Name)
                and node.value.value.id in ("np", "numpy")):
            yield node.attr


# The exercise checks move the global state on purpose, between two calls of a reader's function
# with generators of one seed, to catch code that draws from np.random instead of its rng; they
# restore it at once (nnbook/exercises_more.py: _global_state_free and the He-initialization check).
_GLOBAL_STATE_PROBES = {"nnbook.exercises_more": {"get_state", "seed", "set_state"}}


@pytest.mark.parametrize("module", _all_nnbook_modules(), ids=lambda m: m.__name__)
def test_source_uses_only_generators(module):
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    allowed = _LEGACY_OK | _GLOBAL_STATE_PROBES.get(module.__name__, set())
    legacy = sorted(set(_random_attribute_uses(tree)) - allowed)
    assert legacy == [], f"{module.__name__} uses the global NumPy random state: np.random.{legacy}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert all(a.name != "random" for a in node.names), f"{module.__name__} imports random"
        elif isinstance(node, ast.ImportFrom):
            assert node.module != "random", f"{module.__name__} imports from random"
            if node.module == "numpy.random":
                assert {a.name for a in node.names} <= _LEGACY_OK, module.__name__


# ----------------------------------------------------------------------------- every rng parameter

# How to call each public callable that takes ``rng``; the value returned (or the
# object built) is turned into arrays by ``_arrays``.
_X = np.arange(24.0).reshape(12, 2)
RNG_CALLS = {
    "nnbook.layers.Linear": lambda rng: Linear(3, 2, rng=rng),
    "nnbook.conv.Conv2d": lambda rng: Conv2d(2, 3, 3, rng=rng),
    "nnbook.checks.as_generator": lambda rng: as_generator(rng, "test").normal(size=3),
    "nnbook.regularization.Dropout": lambda rng: Dropout(0.5, rng=rng)(np.ones((4, 5))),
    "nnbook.datasets.make_spirals": lambda rng: datasets.make_spirals(10, 3, rng=rng),
    "nnbook.datasets.make_moons": lambda rng: datasets.make_moons(20, rng=rng),
    "nnbook.datasets.make_xor": lambda rng: datasets.make_xor(20, rng=rng),
    "nnbook.datasets.make_blobs": lambda rng: datasets.make_blobs(20, rng=rng),
    "nnbook.data.train_test_split": lambda rng: data.train_test_split(_X, test_size=0.25, rng=rng),
    "nnbook.data.DataLoader": lambda rng: list(data.DataLoader(_X, batch_size=5, shuffle=True, rng=rng)),
    "nnbook.gradcheck.check_module": lambda rng: nnbook.gradcheck.check_module(Linear(2, 2, rng=0), _X[:3], rng=rng),
    "nnbook.train.fit": lambda rng: _fit_with(rng),
    "nnbook.lr_finder.lr_find": lambda rng: _lr_find_with(rng),
}


def _lr_find_with(rng):
    from nnbook.lr_finder import lr_find
    model = Linear(2, 3, rng=0)
    return lr_find(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), _X / 24.0,
                   np.arange(12) % 3, num_steps=10, batch_size=4, rng=rng)


for _name in init.__all__:
    if "rng" in inspect.signature(getattr(init, _name)).parameters:
        RNG_CALLS[f"nnbook.init.{_name}"] = (
            lambda rng, f=getattr(init, _name): f(4, 3, rng=rng)
            if f not in (init.constant,) else f(4, 3, rng=rng, value=0.5))


def _fit_with(rng):
    model = Sequential(Linear(2, 4, rng=0), ReLU(), Linear(4, 2, rng=1))
    fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), _X, np.arange(12) % 2,
        epochs=2, batch_size=5, rng=rng)
    return model.state_dict()


def _arrays(value):
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, dict):
        return [x for v in value.values() for x in _arrays(v)]
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _arrays(v)]
    if isinstance(value, float):
        return [np.array(value)]
    if hasattr(value, "state_dict"):
        return _arrays(value.state_dict())
    raise TypeError(type(value))


def public_callables_with_rng():
    found = set()
    for module in _all_nnbook_modules():
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if not callable(obj) or getattr(obj, "__module__", None) != module.__name__:
                continue
            try:
                parameters = inspect.signature(obj).parameters
            except (TypeError, ValueError):
                continue
            if "rng" in parameters:
                found.add(f"{module.__name__}.{name}")
    return found


def test_every_callable_with_an_rng_is_covered():
    assert public_callables_with_rng() == set(RNG_CALLS), "add the new callable to RNG_CALLS"


@pytest.mark.parametrize("name", sorted(RNG_CALLS))
def test_every_rng_argument_is_reproducible(name):
    call = RNG_CALLS[name]
    a, b = _arrays(call(123)), _arrays(call(np.random.default_rng(123)))
    assert len(a) == len(b) > 0
    for x, y in zip(a, b):
        assert x.dtype == y.dtype and x.tobytes() == y.tobytes()
    if name not in ("nnbook.init.zeros", "nnbook.init.constant"):    # deterministic by design
        c = _arrays(call(124))
        assert any(x.tobytes() != z.tobytes() for x, z in zip(a, c))
