"""Every hostile input through the loader and the analyses: it works, or a SalesOpsError says why.

The corpus (``_corpus.py``) is made by code in a temporary folder. Each file goes through
``load_opportunities`` and, when it loads, through the data-overview functions
(``data_quality``, ``pipeline_by_stage``, ``outcomes_over_time``, ``deal_size_bins``,
``deal_size_stats``) and the segmentation (``segmentation.analyse``). Any exception other than a
:class:`~salesops_nb.errors.SalesOpsError` with a hint fails the test.

=========================  ==================================================================
case                       outcome
=========================  ==================================================================
empty                      DataFileError: "is empty: it has no header and no rows"
header only                DataFileError: "has a header but no rows of data"
semicolon delimiter        works (delimiter sniffed)
tab delimiter in .csv      works (delimiter sniffed)
UTF-16                     works (encoding detected)
Latin-1 accents            works (falls back to cp1252/latin-1; accents kept)
UTF-8 BOM                  works (BOM dropped from the first header)
Excel merged header row    MissingColumnsError; hint: a title row above the header, other sheets
Excel several sheets       MissingColumnsError; hint names the other sheet and ``sheet=``;
                           works with ``sheet="Opportunities"``
duplicate column names     ValueParseError: the second "amount" holds names, not numbers
all-NaN columns            loads and overview works; segmentation: SpecError (no team values,
                           so no segments to compare)
constant columns           works (one segment)
negative amounts           works (negative amounts reported by data_quality)
astronomical amounts       works (1e308 kept; a 400-digit amount reads as infinity and is left
                           out of the deal-size bands)  [fixed: OverflowError before]
future dates               works (data_quality flags the future dates)
mixed date formats         ValueParseError: mixes day-first and month-first; hint ``dayfirst=``
duplicate ids              works (data_quality lists the duplicates)
100k distinct categories   loads and overview works; segmentation: ParameterError (too many
                           segments to compare like with like)
keyword column names       works (``class``, ``lambda`` headers are just extra columns)
=HYPERLINK formula cells   works (kept as text; exports neutralise them, see tests/security)
=========================  ==================================================================
"""

from __future__ import annotations

import pandas as pd
import pytest

from salesops_nb import overview
from salesops_nb import segmentation as seg
from salesops_nb.data.load import load_opportunities
from salesops_nb.errors import SalesOpsError
from tests.hostile._corpus import CASES
from tests.hostile._expected import LOAD_FAILS, SEGMENTATION_FAILS

OVERVIEW = {
    "data_quality": lambda d: overview.data_quality(d, today="2026-11-30"),
    "pipeline_by_stage": overview.pipeline_by_stage,
    "outcomes_over_time": overview.outcomes_over_time,
    "deal_size_bins": overview.deal_size_bins,
    "deal_size_stats": overview.deal_size_stats,
}


def _own_error(call):
    """Run ``call``; None if it worked, the SalesOpsError if it raised one (others propagate)."""
    try:
        call()
    except SalesOpsError as err:
        assert err.hint, f"{type(err).__name__} without a hint: {err.message}"
        return err
    return None


@pytest.mark.parametrize("case", list(CASES))
def test_each_hostile_file_works_or_stops_with_a_clear_error(corpus, case):
    path = corpus[case]
    loaded: list[pd.DataFrame] = []
    err = _own_error(lambda: loaded.append(load_opportunities(path)))
    if case in LOAD_FAILS:
        kind, words = LOAD_FAILS[case]
        assert isinstance(err, kind), f"{case}: expected {kind.__name__}, got {err!r}"
        assert words in str(err), str(err)
        return
    assert err is None, f"{case}: {err}"
    deals = loaded[0]
    assert len(deals) > 0 and {"amount", "outcome", "is_won"} <= set(deals.columns)
    for name, function in OVERVIEW.items():
        assert _own_error(lambda f=function: f(deals)) is None, f"{case}: {name}"
    err = _own_error(lambda: seg.analyse(deals, schemes=False))
    if case in SEGMENTATION_FAILS:
        kind, words = SEGMENTATION_FAILS[case]
        assert isinstance(err, kind) and words in err.message, err
    else:
        assert err is None, f"{case}: segmentation: {err}"


def test_the_right_sheet_loads_once_named(corpus):
    deals = load_opportunities(corpus["Excel several sheets"], sheet="Opportunities")
    assert len(deals) == 60


def test_accents_and_oddities_survive_loading(corpus):
    latin = load_opportunities(corpus["Latin-1 accents"])
    assert latin["account_name"].astype(str).str.contains("Société Générale Müller").all()
    bom = load_opportunities(corpus["UTF-8 BOM"])
    assert "opportunity_id" in bom.columns
    huge = load_opportunities(corpus["astronomical amounts"])
    bands = overview.deal_size_bins(huge)
    assert bands["deals"].sum() == int(((huge["amount"] > 0) & (huge["amount"] < float("inf")))
                                       .sum())
    formula = load_opportunities(corpus["=HYPERLINK formula cells"])
    assert formula["account_name"].astype(str).str.startswith("=HYPERLINK").all()


def test_data_quality_reports_what_is_odd(corpus):
    dup = overview.data_quality(load_opportunities(corpus["duplicate ids"]), today="2026-11-30")
    assert "OPP-000001" in dup.duplicate_ids.to_string()
    future = overview.data_quality(load_opportunities(corpus["future dates"]),
                                   today="2026-11-30")
    assert "2999" in future.dates.to_string() or "future" in future.dates.to_string().lower()
