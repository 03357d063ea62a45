"""Shared fixtures. Shared helpers (``GRAD_TOL``, ``away_from_kink``...) are in helpers.py."""
import numpy as np
import pytest

from helpers import MSELossBreakingAt


@pytest.fixture
def rng():
    """A fresh, seeded generator for each test."""
    return np.random.default_rng(1234)


@pytest.fixture
def breaking_loss():
    """``breaking_loss(at, value)``: an MSELoss that returns ``value`` at its ``at``-th call."""
    return MSELossBreakingAt
