from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from salesops_nb.data.sample import generate_crm
from salesops_nb.errors import MissingColumnsError, ParameterError
from salesops_nb.segmentation.entities import opportunity_table
from salesops_nb.segmentation.mix import mix_check


def _paradox() -> pd.DataFrame:
    """The kidney-stone numbers: A wins more in each segment, B more overall."""
    return pd.DataFrame({"rep_id": ["A", "A", "B", "B"],
                         "segment": ["small", "large", "small", "large"],
                         "won": [81, 192, 234, 55], "closed": [87, 263, 270, 80]})


def test_the_paradox_is_found_with_the_known_answer():
    check = mix_check(_paradox())
    table = check.entities.set_index("entity")
    assert table.crude_rate.to_dict() == pytest.approx({"A": 273 / 350, "B": 289 / 350})
    small, large = 357 / 700, 343 / 700  # the pooled mix of both reps' deals
    assert table.adjusted_rate["A"] == pytest.approx(small * 81 / 87 + large * 192 / 263)
    assert table.adjusted_rate["B"] == pytest.approx(small * 234 / 270 + large * 55 / 80)
    assert table.crude_rank.to_dict() == {"A": 2, "B": 1}
    assert table.adjusted_rank.to_dict() == {"A": 1, "B": 2}
    assert table.rank_shift.to_dict() == {"A": -1, "B": 1}
    assert table.paradox.all()
    assert table.ahead_but_behind.to_dict() == {"A": 0, "B": 1}
    assert table.mix_effect["B"] > 0 > table.mix_effect["A"]  # B flattered, A held back
    assert check.pairs.values.tolist() == [["B", "A", 289 / 350, 273 / 350, 2, "large; small"]]
    assert "flatters" in table.explanation["B"] and "small" in table.explanation["B"]
    assert "holds back" in table.explanation["A"] and "large" in table.explanation["A"]
    assert check.mix.weight.tolist() == pytest.approx([large, small])
    assert check.flagged.entity.tolist() == ["A", "B"]


def test_no_flip_no_flag():
    cells = _paradox().assign(won=[81, 240, 234, 55])  # A now better overall too
    check = mix_check(cells)
    assert len(check.pairs) == 0
    assert not check.entities.paradox.any()
    assert (check.entities.explanation == "").all()


def test_missing_segments_standardise_over_what_the_entity_has():
    cells = pd.concat([_paradox(), pd.DataFrame({"rep_id": ["C"], "segment": ["small"],
                                                 "won": [40], "closed": [50]})])
    table = mix_check(cells).entities.set_index("entity")
    weight_small = 407 / 750
    assert table.mix_coverage["C"] == pytest.approx(weight_small)
    assert table.adjusted_rate["C"] == pytest.approx(0.8)
    assert table.mix_coverage["A"] == pytest.approx(1.0)


def test_cells_with_too_few_trials_are_left_out_of_the_within_comparison():
    # A leads overall (50% against 32%); the only segment both have is x, where B won 4 of 4.
    cells = pd.DataFrame({"rep_id": ["A", "A", "B", "B"], "segment": ["x", "y", "x", "z"],
                          "won": [40, 10, 4, 10], "closed": [50, 50, 4, 40]})
    assert mix_check(cells, min_trials=1).pairs[["entity", "peer"]].values.tolist() == [
        ["A", "B"]]
    assert len(mix_check(cells, min_trials=5).pairs) == 0  # four deals prove nothing


def test_a_given_standard_mix():
    table = mix_check(_paradox(), standard={"small": 1.0}).entities.set_index("entity")
    assert table.adjusted_rate.to_dict() == pytest.approx({"A": 81 / 87, "B": 234 / 270})


def test_deal_rows_give_the_same_answer_as_counts():
    counts = _paradox()
    rows = counts.loc[counts.index.repeat(counts.closed)].reset_index(drop=True)
    position = rows.groupby(["rep_id", "segment"]).cumcount()
    rows["won"] = position < rows.groupby(["rep_id", "segment"]).won.transform("first")
    rows["closed"] = True
    ours = mix_check(rows).entities
    pd.testing.assert_frame_equal(ours, mix_check(counts).entities)


def test_pandas_and_polars_agree_on_sample_deals():
    deals = opportunity_table(generate_crm(3000, seed=4).opportunities)
    ours = mix_check(deals, segment="lead_source")
    theirs = mix_check(pl.from_pandas(deals), segment="lead_source")
    for name in ("entities", "pairs", "mix"):
        pd.testing.assert_frame_equal(getattr(ours, name),
                                      getattr(theirs, name).to_pandas(), check_dtype=False)
    rates = ours.entities[["crude_rate", "adjusted_rate"]].to_numpy()
    assert np.nanmin(rates) >= 0 and np.nanmax(rates) <= 1
    assert ours.entities.trials.sum() == deals.closed.sum()


def test_mistakes_raise_teaching_errors():
    with pytest.raises(ParameterError, match="'medium'"):
        mix_check(_paradox(), standard={"medium": 1.0})
    with pytest.raises(ParameterError, match="positive total"):
        mix_check(_paradox(), standard={"small": 0.0})
    with pytest.raises(ParameterError, match="min_trials"):
        mix_check(_paradox(), min_trials=0)
    with pytest.raises(ParameterError, match="exceeds"):
        mix_check(_paradox().assign(won=[100, 1, 1, 1]))
    with pytest.raises(MissingColumnsError, match="'team'"):
        mix_check(_paradox(), segment="team")
