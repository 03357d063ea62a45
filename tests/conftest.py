"""Shared test settings.

Gradient checks use :mod:`nnbook.gradcheck` (itself tested against functions
with known derivatives in ``test_gradcheck.py``). The tolerance is the one the
book states: a correct float64 backward pass agrees with central differences to
a relative error below ``GRAD_TOL``.
"""
import numpy as np
import pytest

from nnbook.losses import MSELoss

GRAD_TOL = 1e-7


@pytest.fixture
def rng():
    """A fresh, seeded generator for each test."""
    return np.random.default_rng(1234)


class MSELossBreakingAt(MSELoss):
    """MSE whose ``at``-th call (counting from 1) returns ``value`` (inf or NaN) instead of the loss."""

    def __init__(self, at, value):
        super().__init__()
        self.at, self.value, self.calls = at, value, 0

    def forward(self, pred, target):
        self.calls += 1
        loss = super().forward(pred, target)
        return self.value if self.calls == self.at else loss


@pytest.fixture
def breaking_loss():
    """``breaking_loss(at, value)``: an MSELoss that returns ``value`` at its ``at``-th call."""
    return MSELossBreakingAt
