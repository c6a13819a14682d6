"""A small hand-made canonical opportunities frame whose every check has a known answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def deals() -> pd.DataFrame:
    """Eight deals; with today = 2024-06-30 each data-quality check fires exactly once.

    row id  stage        region      amount   created     close       note
    0   A1  Prospecting  EMEA        1,000    2024-01-10  2024-03-01
    1   A2  Closed Won   emea        2,500    2024-01-15  2024-02-20
    2   A3  Closed Lost  "Emea "     0        2024-02-01  2024-01-20  closes before created
    3   A4  Closed Won   E.M.E.A.    12,000   2024-02-05  2024-04-10
    4   A4  Closed Won   E.M.E.A.    12,000   2024-02-05  2024-04-10  exact copy of row 3
    5   A6  Negotiation  APAC        -50      2024-03-01  2024-09-30  open: future close is fine
    6   A7  Closed Lost  NA          300,000  2024-03-10  2024-08-15  lost, closes in the future
    7   A8  (missing)    (missing)   (nan)    2024-07-01  (missing)   created in the future
    """
    return pd.DataFrame(
        {
            "opportunity_id": ["A1", "A2", "A3", "A4", "A4", "A6", "A7", "A8"],
            "stage": [
                "Prospecting", "Closed Won", "Closed Lost", "Closed Won", "Closed Won",
                "Negotiation", "Closed Lost", None,
            ],
            "region": ["EMEA", "emea", "Emea ", "E.M.E.A.", "E.M.E.A.", "APAC", "NA", None],
            "amount": [1000.0, 2500.0, 0.0, 12000.0, 12000.0, -50.0, 300000.0, np.nan],
            "created_date": pd.to_datetime(
                ["2024-01-10", "2024-01-15", "2024-02-01", "2024-02-05", "2024-02-05",
                 "2024-03-01", "2024-03-10", "2024-07-01"]
            ),
            "close_date": pd.to_datetime(
                ["2024-03-01", "2024-02-20", "2024-01-20", "2024-04-10", "2024-04-10",
                 "2024-09-30", "2024-08-15", None]
            ),
        }
    )

