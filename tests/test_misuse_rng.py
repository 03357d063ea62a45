"""Every function that draws random numbers refuses a bad ``rng`` with a message naming itself.

NumPy's own error for ``default_rng("0")`` names ``SeedSequence``; nnbook's names the
function or layer the user called, says what ``rng`` may be, and gives an example.
"""
import numpy as np
import pytest

from nnbook import init
from nnbook.data import DataLoader, train_test_split
from nnbook.datasets import make_blobs, make_moons, make_spirals, make_xor
from nnbook.gradcheck import check_module
from nnbook.layers import Linear
from nnbook.losses import MSELoss
from nnbook.optim import SGD
from nnbook.regularization import Dropout
from nnbook.train import fit

X, Y = np.ones((6, 2)), np.zeros((6, 1))

ENTRY_POINTS = [
    ("Linear", lambda rng: Linear(2, 1, rng=rng)),
    ("Dropout", lambda rng: Dropout(0.5, rng=rng)),
    ("DataLoader", lambda rng: DataLoader(X, Y, batch_size=2, rng=rng)),
    ("train_test_split", lambda rng: train_test_split(X, Y, test_size=0.5, rng=rng)),
    ("make_spirals", lambda rng: make_spirals(rng=rng)),
    ("make_moons", lambda rng: make_moons(rng=rng)),
    ("make_xor", lambda rng: make_xor(rng=rng)),
    ("make_blobs", lambda rng: make_blobs(rng=rng)),
    ("normal", lambda rng: init.normal(2, 3, rng)),
    ("uniform", lambda rng: init.uniform(2, 3, rng)),
    ("xavier_uniform", lambda rng: init.xavier_uniform(2, 3, rng)),
    ("xavier_normal", lambda rng: init.xavier_normal(2, 3, rng)),
    ("kaiming_uniform", lambda rng: init.kaiming_uniform(2, 3, rng)),
    ("kaiming_normal", lambda rng: init.kaiming_normal(2, 3, rng)),
    ("check_module", lambda rng: check_module(Linear(2, 1, rng=0), X, rng=rng)),
    ("fit", lambda rng: fit(*_model(), X, Y, epochs=1, batch_size=2, rng=rng)),
]


def _model():
    model = Linear(2, 1, rng=0)
    return model, MSELoss(), SGD(model.parameters(), lr=0.1)


BAD = [("0", TypeError, "got '0' \\(str\\)"), (1.5, TypeError, "got 1.5 \\(float\\)"),
       (True, TypeError, "got True \\(bool\\)"), (-1, ValueError, "must be >= 0, got -1")]


@pytest.mark.parametrize("who, call", ENTRY_POINTS, ids=[e[0] for e in ENTRY_POINTS])
@pytest.mark.parametrize("rng, kind, words", BAD, ids=["str", "float", "bool", "negative"])
def test_a_bad_rng_is_refused_naming_the_function(who, call, rng, kind, words):
    with pytest.raises(kind, match=f"^{who}\\b.*{words}"):
        call(rng)


@pytest.mark.parametrize("who, call", ENTRY_POINTS, ids=[e[0] for e in ENTRY_POINTS])
def test_seeds_generators_and_numpy_integers_are_accepted(who, call):
    for rng in (None, 0, np.int64(3), np.random.default_rng(0), np.random.SeedSequence(1)):
        call(rng)
