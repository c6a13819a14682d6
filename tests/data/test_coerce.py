"""Value coercion: numbers and currencies, dates and day order, flags, ids and text."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from salesops_nb.data.coerce import (
    RowOrigin,
    coerce_bool,
    coerce_date,
    coerce_id,
    coerce_integer,
    coerce_number,
    coerce_text,
    detect_dayfirst,
    detect_decimal,
)
from salesops_nb.errors import ValueParseError

CSV = RowOrigin("'deals.csv'", 2)


def _numbers(values, **kwargs) -> list:
    return coerce_number(pd.Series(values, dtype=object), column="amount", **kwargs).tolist()


def _one_paragraph_with_hint(err: ValueParseError) -> None:
    message, hint = str(err).split("\n")
    assert message == err.message and hint == f"Hint: {err.hint}"


# ---------------------------------------------------------------------------------- numbers
def test_us_currency_strings():
    values = ["$1,200.50", "(300)", "", "1.5e3", "-€ 12", "USD 900", "US$2,000", "45-", None]
    assert _numbers(values) == [1200.5, -300.0, pd.NA, 1500.0, -12.0, 900.0, 2000.0, -45.0, pd.NA]


def test_european_currency_strings():
    values = ["1.200,50 €", "300", "12,5", "1.000.000", "EUR 7,25", "1 234,5"]
    assert _numbers(values) == [1200.5, 300.0, 12.5, 1_000_000.0, 7.25, 1234.5]


def test_numbers_that_are_already_numbers_pass_through():
    assert coerce_number(pd.Series([1.5, 2, None]), column="amount").tolist() == [1.5, 2.0, pd.NA]
    mixed = pd.Series([1.5, "2,5", None], dtype=object)  # Excel cells: a number and a text
    assert coerce_number(mixed, column="amount").tolist() == [1.5, 2.5, pd.NA]


def test_percent_values_become_fractions_only_where_allowed():
    assert _numbers(["15%", "0,25", "7,5 %"], percent=True) == [0.15, 0.25, 0.075]
    with pytest.raises(ValueParseError, match="row 2: '15%'"):
        coerce_number(pd.Series(["15%"]), column="amount", origin=CSV)


def test_three_digit_groups_alone_read_as_thousands():
    assert _numbers(["1,200", "300", "12,500", "$2,000,000"]) == [1200.0, 300.0, 12500.0, 2e6]
    assert _numbers(["1.200", "300"]) == [1200.0, 300.0]
    assert _numbers(["0,150", "0,2"]) == [0.15, 0.2]  # a lone zero never starts a group


def test_grouped_and_ungrouped_numbers_are_ambiguous():
    with pytest.raises(ValueParseError) as caught:
        coerce_number(pd.Series(["1,200", "1500"]), column="amount", origin=CSV)
    err = caught.value
    assert "'1,200' in column 'amount' row 2 could be a thousands group" in err.message
    assert "'1500' in column 'amount' row 3 is not grouped" in err.message
    assert "decimal=','" in err.hint and "decimal='.'" in err.hint
    _one_paragraph_with_hint(err)


def test_conflicting_decimal_marks_are_an_error_unless_stated():
    with pytest.raises(ValueParseError, match=re.escape("use both '.' and ','")):
        detect_decimal({"amount": pd.Series(["1,200.5", "3,5"])})
    with pytest.raises(ValueParseError) as caught:
        coerce_number(pd.Series(["1,200.5", "3,5", "7"]), column="amount", origin=CSV,
                      decimal=".")
    assert caught.value.rows == [3]  # "3,5" is not a valid number when "." is the mark


def test_stated_decimal_mark_wins():
    assert _numbers(["1,200", "3"], decimal=",") == [1.2, 3.0]
    assert _numbers(["1.200", "3"], decimal=".") == [1.2, 3.0]


def test_decimal_is_decided_across_columns():
    columns = {"amount": pd.Series(["1.200", "3.400"]), "discount": pd.Series(["0,15"])}
    assert detect_decimal(columns) == ","


def test_unreadable_numbers_name_rows_as_a_spreadsheet_shows_them():
    values = pd.Series(["10", "abc", "20", "", "n/a?", "30", "1O0", "x", "y", "z", "w"])
    with pytest.raises(ValueParseError) as caught:
        coerce_number(values, column="amount", header="Amount", origin=CSV)
    err = caught.value
    assert err.column == "amount"
    assert err.rows == [3, 6, 8, 9, 10]
    assert err.message.startswith("Column 'amount' (header 'Amount') in 'deals.csv': "
                                  "7 values cannot be read as numbers: row 3: 'abc', "
                                  "row 6: 'n/a?', row 8: '1O0'")
    assert "and more" in err.message and "header = row 1" in err.message
    _one_paragraph_with_hint(err)


def test_rows_of_a_dataframe_are_named_by_index_label():
    values = pd.Series(["1", "oops"], index=["a", "b"])
    with pytest.raises(ValueParseError) as caught:
        coerce_number(values, column="amount", origin=RowOrigin("the DataFrame", None))
    assert caught.value.rows == ["b"]
    assert "index labels" in caught.value.message


def test_integers():
    values = pd.Series(["1,200", 3.0, None, "7"], dtype=object)
    result = coerce_integer(values, column="employees")
    assert str(result.dtype) == "Int64" and result.tolist() == [1200, 3, pd.NA, 7]
    with pytest.raises(ValueParseError, match=re.escape("whole numbers: row 2: '12.5'")):
        coerce_integer(pd.Series(["12.5"]), column="employees", origin=CSV)


def test_many_rows_are_parsed_through_their_distinct_values():
    rng = np.random.default_rng(1)
    cents = rng.integers(0, 10_000_000, size=200_000)
    text = pd.Series([f"${c / 100:,.2f}" for c in cents[:1000]] * 200)
    result = coerce_number(text, column="amount")
    assert result.sum() == pytest.approx(cents[:1000].sum() / 100 * 200)


# ------------------------------------------------------------------------------------ dates
def _dates(values, **kwargs) -> list:
    result = coerce_date(pd.Series(values, dtype=object), column="close_date", **kwargs)
    return [None if pd.isna(v) else v.isoformat() for v in result]


def test_iso_dates_keep_their_wall_clock_time():
    values = ["2025-03-04", "2025-03-31T23:30:00.000Z", "2025-03-31T23:30:00+02:00", "2025-3-4"]
    assert _dates(values) == ["2025-03-04T00:00:00", "2025-03-31T23:30:00",
                              "2025-03-31T23:30:00", "2025-03-04T00:00:00"]


def test_day_first_is_detected_from_a_day_above_12():
    assert _dates(["03/04/2025", "31/03/2025", "4.3.25"]) == [
        "2025-04-03T00:00:00", "2025-03-31T00:00:00", "2025-03-04T00:00:00"]


def test_month_first_is_detected_and_times_are_kept():
    assert _dates(["03/04/2025", "12/31/2025 2:30 PM", "1/2/2025 12:05 AM"]) == [
        "2025-03-04T00:00:00", "2025-12-31T14:30:00", "2025-01-02T00:05:00"]


def test_undecidable_day_order_asks_for_dayfirst():
    with pytest.raises(ValueParseError) as caught:
        coerce_date(pd.Series(["03/04/2025", "05/06/2025"]), column="close_date", origin=CSV)
    err = caught.value
    assert "'03/04/2025'" in err.message and "row 2" in err.message
    assert "dayfirst=True" in err.hint and "dayfirst=False" in err.hint
    _one_paragraph_with_hint(err)
    assert _dates(["03/04/2025", "05/06/2025"], dayfirst=True) == [
        "2025-04-03T00:00:00", "2025-06-05T00:00:00"]


def test_symmetric_dates_need_no_decision():
    assert detect_dayfirst({"d": pd.Series(["05/05/2025", "2025-01-02"])}) is None


def test_mixed_day_orders_are_an_error():
    with pytest.raises(ValueParseError, match="mix day-first and month-first"):
        detect_dayfirst({"d": pd.Series(["31/01/2025", "01/31/2025"])}, origin=CSV)


def test_stated_day_order_reports_the_values_that_contradict_it():
    with pytest.raises(ValueParseError) as caught:
        coerce_date(pd.Series(["01/02/2025", "12/25/2025"]), column="close_date", origin=CSV,
                    dayfirst=True)
    assert caught.value.rows == [3]


def test_month_names_and_excel_values():
    assert _dates(["4 Mar 2025", "March 4th, 2025", "04-Mar-2025", "Mar 4 2025"]) == [
        "2025-03-04T00:00:00"] * 4
    assert _dates([45000, pd.Timestamp("2024-01-01 08:00"), "2025-01-02", None]) == [
        "2023-03-15T00:00:00", "2024-01-01T08:00:00", "2025-01-02T00:00:00", None]


def test_datetime_columns_pass_through_as_naive_local_times():
    aware = pd.Series(pd.to_datetime(["2025-01-01 09:00"]).tz_localize("Europe/Paris"))
    result = coerce_date(aware, column="close_date")
    assert str(result.dtype) == "datetime64[us]"
    assert result.iloc[0] == pd.Timestamp("2025-01-01 09:00")


def test_unreadable_dates_name_rows_and_values():
    values = pd.Series(["2025-01-01", "2025-02-30", "", "soon", "2025-13-01"])
    with pytest.raises(ValueParseError) as caught:
        coerce_date(values, column="close_date", header="Close Date", origin=CSV)
    err = caught.value
    assert err.rows == [3, 5, 6]
    assert ("3 values cannot be read as dates: row 3: '2025-02-30', row 5: 'soon', "
            "row 6: '2025-13-01'") in err.message
    _one_paragraph_with_hint(err)


# ------------------------------------------------------------------------------------ flags
def test_flags_from_words_numbers_and_booleans():
    values = pd.Series(["TRUE", "no", "1", "0.0", "Closed Won", "closed_lost", None, " yes "])
    result = coerce_bool(values, column="is_won", true_values=["Won", "Closed Won"],
                         false_values=["Lost", "Closed Lost"])
    assert str(result.dtype) == "boolean"
    assert result.tolist() == [True, False, True, False, True, False, pd.NA, True]
    assert coerce_bool(pd.Series([1, 0, 1]), column="w").tolist() == [True, False, True]
    assert coerce_bool(pd.Series([True, None], dtype=object), column="w").tolist() == [
        True, pd.NA]


def test_unknown_flag_words_are_reported():
    with pytest.raises(ValueParseError) as caught:
        coerce_bool(pd.Series(["Won", "maybe", "2"]), column="is_won", origin=CSV,
                    true_values=["Won"], false_values=["Lost"])
    assert caught.value.rows == [3, 4]
    assert "Won" in caught.value.hint and "Lost" in caught.value.hint


# ----------------------------------------------------------------------------- ids and text
def test_ids_are_text_without_excel_decimals():
    assert coerce_id(pd.Series([1001.0, 1002.0, None]), column="id").tolist() == [
        "1001", "1002", pd.NA]
    assert coerce_id(pd.Series([" 006A ", "007"]), column="id").tolist() == ["006A", "007"]


def test_a_required_id_must_not_be_empty():
    with pytest.raises(ValueParseError) as caught:
        coerce_id(pd.Series(["a", "", None, "d"]), column="opportunity_id", origin=CSV,
                  required=True)
    err = caught.value
    assert err.rows == [3, 4]
    assert "2 rows have no opportunity_id, e.g. rows 3, 4" in err.message
    _one_paragraph_with_hint(err)


def test_text_is_stripped_and_empty_is_missing():
    result = coerce_text(pd.Series([" EMEA ", "", None, "APAC"]))
    assert str(result.dtype) == "string"
    assert result.tolist() == ["EMEA", pd.NA, pd.NA, "APAC"]
    categories = pd.Series(["a", "b", "a"], dtype="category")
    assert coerce_text(categories).tolist() == ["a", "b", "a"]
