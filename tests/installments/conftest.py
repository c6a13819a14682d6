"""Shared fixtures: the worked example, sequenced once per module."""

from __future__ import annotations

import pytest

from salesops_nb.installments.example import worked_example
from salesops_nb.installments.sequence import sequence_plan


@pytest.fixture(scope="module")
def example_plan():
    return sequence_plan(worked_example())
