from __future__ import annotations

import pandas as pd
import pytest

from salesops_nb.errors import DataError, ParameterError
from salesops_nb.overview.quality import (
    data_quality,
    date_ranges,
    duplicate_ids,
    missing_values,
    spelling_variants,
)

TODAY = "2024-06-30"  # the fixture's flaws are dated against this day


def _counts(summary: pd.DataFrame) -> dict[str, int]:
    return dict(zip(summary["check"], summary["count"], strict=True))


def test_summary_counts_every_planted_flaw_once(deals):
    summary = data_quality(deals, today=TODAY).summary
    assert _counts(summary) == {
        "Rows": 8,
        "Columns": 6,
        "Rows missing a required value": 1,
        "Columns with missing values": 4,
        "Rows sharing an id with another row": 2,
        "Exact duplicate rows (extra copies)": 1,
        "Created date in the future": 1,
        "Won/lost deals closing in the future": 1,
        "Close date before created date": 1,
        "Amount missing": 1,
        "Amount negative": 1,
        "Amount zero": 1,
        "Category values spelled several ways": 1,
    }


def test_summary_points_at_the_offending_ids(deals):
    summary = data_quality(deals, today=TODAY).summary.set_index("check")
    assert summary.loc["Close date before created date", "examples"] == "A3"
    assert summary.loc["Won/lost deals closing in the future", "examples"] == "A7"
    assert summary.loc["Created date in the future", "examples"] == "A8"
    assert summary.loc["Amount negative", "examples"] == "A6"
    assert summary.loc["Rows sharing an id with another row", "examples"] == "A4"
    assert summary.loc["Amount zero", "share"] == pytest.approx(1 / 8)
    assert summary.loc["Amount zero", "status"] == "review"
    assert summary.loc["Rows", "status"] == ""
    assert "region: " in summary.loc["Category values spelled several ways", "examples"]


def test_clean_data_is_all_ok(deals):
    clean = deals.iloc[[0, 1, 3]].assign(region="EMEA")
    summary = data_quality(clean, today=TODAY).summary
    assert set(summary.loc[summary["status"] != "", "status"]) == {"ok"}


def test_examples_fall_back_to_row_labels_without_ids(deals):
    summary = data_quality(deals.drop(columns="opportunity_id"), today=TODAY).summary
    checks = summary.set_index("check")
    assert checks.loc["Close date before created date", "examples"] == "row 2"
    assert "Rows sharing an id with another row" not in checks.index


def test_missing_values_worst_first_with_shares():
    frame = pd.DataFrame(
        {"stage": ["Proposal", None, " ", ""], "amount": [1.0, 2.0, None, 4.0], "x": [1, 2, 3, 4]}
    )
    table = missing_values(frame)
    assert table["column"].tolist() == ["stage", "amount", "x"]
    assert table["missing"].tolist() == [3, 1, 0]  # blank text counts as missing
    assert table["share"].tolist() == [0.75, 0.25, 0.0]
    assert table["required"].tolist() == [True, True, False]


def test_duplicate_ids_tell_copies_from_clashes(deals):
    clash = deals.copy()
    clash.loc[1, "opportunity_id"] = "A1"  # a different deal reusing A1
    table = duplicate_ids(clash)
    assert table.to_dict("records") == [
        {"id": "A1", "rows": 2, "identical": False},
        {"id": "A4", "rows": 2, "identical": True},
    ]
    assert duplicate_ids(deals.drop(columns="opportunity_id")).empty
    assert duplicate_ids(deals.iloc[:3]).empty


def test_date_ranges(deals):
    table = date_ranges(deals, today=TODAY).set_index("column")
    assert table.loc["created_date", "first"] == pd.Timestamp("2024-01-10")
    assert table.loc["created_date", "last"] == pd.Timestamp("2024-07-01")
    assert table.loc["close_date", "first"] == pd.Timestamp("2024-01-20")
    assert table.loc["close_date", "missing"] == 1
    # A6 is open with a close date in the future: normal, not counted.
    assert table.loc["close_date", "in_future"] == 1
    assert table.loc["created_date", "in_future"] == 1
    assert date_ranges(deals, today="2030-01-01")["in_future"].tolist() == [0, 0]


def test_date_ranges_with_time_zones(deals):
    aware = deals.assign(created_date=deals["created_date"].dt.tz_localize("Europe/Paris"))
    table = date_ranges(aware, today=TODAY).set_index("column")
    assert table.loc["created_date", "in_future"] == 1


def test_spelling_variants_group_case_spaces_and_dots(deals):
    table = spelling_variants(deals)
    assert table["column"].unique().tolist() == ["region"]
    assert table["spelling"].tolist()[0] == "'E.M.E.A.'"  # most rows first
    assert sorted(table["spelling"]) == sorted(["'EMEA'", "'emea'", "'Emea '", "'E.M.E.A.'"])
    assert table["rows"].sum() == 5
    assert set(table["suggested"]) == {"E.M.E.A."}
    assert set(table["group"]) == {"emea"}


def test_spelling_variants_ignore_accents_and_leave_distinct_values():
    frame = pd.DataFrame({"country": ["São Paulo", "Sao Paulo", "Sao-Paulo", "Lisbon", "Porto"]})
    table = spelling_variants(frame, columns=["country"])
    assert len(table) == 3 and set(table["group"]) == {"saopaulo"}
    assert spelling_variants(frame, columns=["nonexistent"]).empty


def test_optional_columns_may_be_absent():
    frame = pd.DataFrame({"stage": ["Proposal", "Closed Won"], "amount": [10.0, 20.0]})
    quality = data_quality(frame, today=TODAY)
    assert _counts(quality.summary)["Rows"] == 2
    assert quality.dates.empty and quality.spellings.empty and quality.duplicate_ids.empty


def test_text_amounts_are_refused_with_a_hint(deals):
    with pytest.raises(DataError, match="amount holds text") as info:
        data_quality(deals.assign(amount=["$1,000"] * 8), today=TODAY)
    assert "load_opportunities" in info.value.hint


def test_text_dates_are_refused_with_a_hint(deals):
    with pytest.raises(DataError, match="created_date does not hold dates"):
        date_ranges(deals.assign(created_date="2024-01-01"), today=TODAY)


def test_a_bad_today_is_a_parameter_error(deals):
    with pytest.raises(ParameterError, match="not a date") as info:
        data_quality(deals, today="yesterday-ish")
    assert "YYYY-MM-DD" in info.value.hint


def test_the_callers_frame_is_left_alone(deals):
    before = deals.copy()
    data_quality(deals, today=TODAY)
    pd.testing.assert_frame_equal(deals, before)


def test_blank_values_are_not_spellings_of_each_other():
    frame = pd.DataFrame({"country": ["", " ", "-", "France", "france"]})
    table = spelling_variants(frame, columns=["country"])
    assert set(table["group"]) == {"france"}


def test_ties_are_broken_by_value_not_by_row_order():
    """Lazy engines have no row order: pandas breaks ties the same way they do."""
    frame = pd.DataFrame({"opportunity_id": ["B", "A", "B", "A"],
                          "region": ["emea", "EMEA", "emea", "EMEA"]})
    assert duplicate_ids(frame)["id"].tolist() == ["A", "B"]
    assert set(spelling_variants(frame, columns=["region"])["suggested"]) == {"EMEA"}
