"""Shared test settings.

Gradient checks use :mod:`nnbook.gradcheck` (itself tested against functions
with known derivatives in ``test_gradcheck.py``). The tolerance is the one the
book states: a correct float64 backward pass agrees with central differences to
a relative error below ``GRAD_TOL``.
"""
import numpy as np
import pytest

GRAD_TOL = 1e-7


@pytest.fixture
def rng():
    """A fresh, seeded generator for each test."""
    return np.random.default_rng(1234)
