from __future__ import annotations

import pytest

from salesops_nb.errors import ParameterError
from salesops_nb.overview.options import date_order, decimal_mark


@pytest.mark.parametrize(
    ("value", "expected"),
    [("auto", None), ("", None), ("day", True), (" Month ", False), (True, True), (None, None)],
)
def test_date_order(value, expected):
    assert date_order(value) is expected


def test_date_order_typo_explains_the_choices():
    with pytest.raises(ParameterError, match="dayfirst='dmy'") as info:
        date_order("dmy")
    assert '"day"' in info.value.hint


@pytest.mark.parametrize(("value", "expected"), [("auto", None), (",", ","), (".", ".")])
def test_decimal_mark(value, expected):
    assert decimal_mark(value) == expected


def test_decimal_mark_typo():
    with pytest.raises(ParameterError, match="decimal"):
        decimal_mark(";")
