"""KPI baselines measured from opportunities."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from salesops_nb.charter import Charter, add_objective, baseline_table, kpi_baselines


def _deals() -> pd.DataFrame:
    # 4 closed in the last 12 months (2 won), 1 closed long before, 1 open
    return pd.DataFrame({
        "is_closed": [True, True, True, True, True, False],
        "is_won": [True, True, False, False, True, False],
        "amount": [100.0, 300.0, 200.0, 400.0, 999.0, 50.0],
        "close_date": pd.to_datetime(["2026-06-01", "2026-03-01", "2026-05-01", "2025-09-01",
                                      "2024-01-01", None]),
        "cycle_days": [10, 30, 20, 40, 5, None],
        "discount": [0.5, 0.25, 0.0, 0.0, 0.9, 0.0],
    })


def test_baselines_are_computed_on_the_last_twelve_months():
    table = kpi_baselines(_deals()).set_index("kpi_id")
    assert table.loc["win-rate", "value"] == pytest.approx(50.0)
    assert table.loc["value-win-rate", "value"] == pytest.approx(100 * 400 / 1000)
    assert table.loc["sales-cycle", "value"] == pytest.approx(20.0)
    assert table.loc["average-deal-size", "value"] == pytest.approx(200.0)
    # list prices 200 and 400 for net 100 and 300: (100 + 100) / 600
    assert table.loc["average-discount", "value"] == pytest.approx(round(100 * 200 / 600, 1))
    assert "2 won of 4 closed" in table.loc["win-rate", "basis"]


def test_amounts_past_the_float_range_give_unknown_values_and_no_warning():
    deals = _deals().assign(amount=1e308)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's overflow warnings would print into a report
        table = kpi_baselines(deals).set_index("kpi_id")
    assert table.loc["value-win-rate", "value"] != table.loc["value-win-rate", "value"]  # NaN
    assert table.loc["average-deal-size", "value"] != table.loc["average-deal-size", "value"]
    assert table.loc["win-rate", "value"] == pytest.approx(50.0)  # counts are unaffected


def test_no_closed_deal_gives_an_empty_table():
    deals = _deals().assign(is_closed=False)
    assert kpi_baselines(deals).empty


def test_baseline_table_sets_measured_values_next_to_the_charter():
    charter = Charter()
    objective = add_objective(charter, "raise-win-rate")
    objective.kpis[0].baseline = 21
    table = baseline_table(charter, kpi_baselines(_deals())).set_index("kpi")
    assert table.loc["Win rate", "in_charter"] == "yes"
    assert table.loc["Win rate", "charter_baseline"] == 21
    assert table.loc["Median sales cycle", "in_charter"] == "no"
    assert pd.isna(table.loc["Median sales cycle", "charter_baseline"])
