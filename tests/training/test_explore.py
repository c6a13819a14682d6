"""win_rate_change: the table the weak-spot exercise reads."""

from __future__ import annotations

import pytest

from salesops_nb.errors import ParameterError
from salesops_nb.five_whys import declining_segment
from salesops_nb.training import win_rate_change


def test_the_first_row_is_the_declining_segment_with_its_rates(deals):
    table = win_rate_change(deals, "lead_source")
    found = declining_segment(deals)
    first = table.iloc[0]
    assert first["lead_source"] == found.value == "Referral"
    assert (first["closed_before"], first["closed_after"]) == (found.closed_before,
                                                               found.closed_after)
    assert first["win_rate_before"] == pytest.approx(found.rate_before)
    assert first["change"] == pytest.approx(found.drop)
    assert list(table["change"]) == sorted(table["change"])
    assert set(table["lead_source"]) == set(deals["lead_source"].dropna().astype(str))


def test_unknown_column_is_explained(deals):
    with pytest.raises(ParameterError, match="No column 'source'"):
        win_rate_change(deals, "source")
