"""Shared fixtures: the sample deals and the reps table, built once."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops_nb.data.load import load_opportunities
from salesops_nb.segmentation.analysis import entities_for


@pytest.fixture(scope="session")
def deals() -> pd.DataFrame:
    return load_opportunities(None, sample_rows=5000, seed=7)


@pytest.fixture(scope="session")
def reps(deals) -> pd.DataFrame:
    return entities_for(deals, "reps")
