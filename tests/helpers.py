"""Helpers shared by several test files (fixtures live in conftest.py).

Test files import them with ``from helpers import ...``: pyproject.toml puts
``tests/`` on ``sys.path`` (``pythonpath = ["tests"]``), in every xdist worker.

Gradient checks use :mod:`nnbook.gradcheck` (itself tested against functions
with known derivatives in ``test_gradcheck.py``). The tolerance is the one the
book states: a correct float64 backward pass agrees with central differences to
a relative error below ``GRAD_TOL``.
"""
import hashlib
from pathlib import Path

import numpy as np

from nnbook.losses import MSELoss

GRAD_TOL = 1e-7


def away_from_kink(rng, shape, scale=2.0):
    """Normal samples with |x| >= 0.05, so central differences never straddle ReLU's kink."""
    x = rng.normal(scale=scale, size=shape)
    return np.where(np.abs(x) < 0.05, np.copysign(0.05, x) + x, x)


def sha256_hex(data):
    """The SHA-256 of ``data`` (bytes), as the hex string the checksum tables hold."""
    return hashlib.sha256(data).hexdigest()


def listing(directory):
    """The sorted file names in ``directory`` (``[]`` if it does not exist)."""
    directory = Path(directory)
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


class MSELossBreakingAt(MSELoss):
    """MSE whose ``at``-th call (counting from 1) returns ``value`` (inf or NaN) instead of the loss."""

    def __init__(self, at, value):
        super().__init__()
        self.at, self.value, self.calls = at, value, 0

    def forward(self, pred, target):
        self.calls += 1
        loss = super().forward(pred, target)
        return self.value if self.calls == self.at else loss


def mutation_table():
    """``(table, mutation)`` for the mutation tests of the exercise checks.

    ``table`` maps an exercise's name to ``[(label, wrong function, part of the expected
    message or None)]``; ``@mutation(name, expected)`` adds the function it decorates.
    """
    table = {}

    def mutation(name, expected=None):
        def register(fn):
            table.setdefault(name, []).append((fn.__name__, fn, expected))
            return fn
        return register

    return table, mutation


def mutation_cases(table):
    """The rows of ``table`` for ``pytest.mark.parametrize("name, label, wrong, expected", ...)``."""
    import pytest

    return [pytest.param(name, label, fn, expected, id=f"{name}-{label}")
            for name, rows in sorted(table.items()) for label, fn, expected in rows]


def assert_graded_fail(name, wrong, label, expected):
    """The check of exercise ``name`` grades ``wrong`` "fail", with ``expected`` in its message."""
    from nnbook import exercises

    status, message = exercises.grade(name, wrong)
    assert status == "fail", f"{label} graded {status}: {message}"
    if expected is not None:
        assert expected in message, f"{label}: {message}"
