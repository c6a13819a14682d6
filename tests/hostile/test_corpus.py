"""Every hostile input through the loader and the analyses: it works, or a SalesOpsError says why.

The corpus (``_corpus.py``) is made by code in a temporary folder. Each file goes through
``load_opportunities`` and, when it loads, through the data-overview functions
(``data_quality``, ``pipeline_by_stage``, ``outcomes_over_time``, ``deal_size_bins``,
``deal_size_stats``) and the segmentation (``segmentation.analyse``). Any exception other than a
:class:`~salesops_nb.errors.SalesOpsError` with a hint fails the test. The same files go through
the engines (``test_engines.py``) and the bundled templates run headless (``test_templates.py``).

Outcome per case. *Loader*: ``load_opportunities`` then the overview functions and the rep
segmentation on pandas. *Engines*: ``backends.open_deals(file, engine)`` and the same analyses
on Polars and DuckDB (every file), results equal to pandas'; Spark runs four (empty,
astronomical, all-NaN, zero rows) and the overview on negative amounts. "Parquet" is the case's
canonical Parquet scanned by the engine, segmented by deal.
*Templates*: headless runs through ``run_batch`` (ov = data_overview, seg = segmentation, 5w =
five_whys, rev = sales_ops_review, ch = charter; which files each gets: ``test_templates.py``,
50 runs in all); "stopped" means the run failed with "stopped
in cell N: <the loader's message>" and its hint, the partial notebook kept.

======================== ========================== ========================= ====================
case                     loader (pandas)            engines                   templates
======================== ========================== ========================= ====================
empty                    DataFileError "is empty:   same error on Polars,     ov seg 5w rev ch:
                         no header and no rows"     DuckDB, Spark             stopped, same
                                                                              message
header only              DataFileError "no rows"    same error                ov: stopped
semicolon delimiter      works (sniffed)            same results as pandas    ov: report (60 rows)
tab delimiter in .csv    works (sniffed)            same results              ov: report
UTF-16                   works (detected)           same results              ov: report
Latin-1 accents          works (cp1252; accents     same results; Parquet:    ov: report
                         kept)                      same deal flags
UTF-8 BOM                works (BOM dropped)        same results              ov: report
Excel merged header row  MissingColumnsError; hint: same error                ov: stopped
                         title row, other sheets
Excel several sheets     MissingColumnsError; hint  same error                ov seg: stopped;
                         ``sheet='Opportunities'``                            every data template
                         (works with it)                                      takes ``sheet``
duplicate column names   ValueParseError "cannot be same error                ov: stopped
                         read as numbers"
all-NaN columns          loads, overview works;     reps: same error (Spark   ov 5w ch: report;
                         segmentation               too); Parquet by          seg: stopped, same
                         ParameterError "hold no    deal: works, same as      error; rev: report
                         values" (team, region)     pandas [fixed: pandas     (sample case, reason
                                                    TypeError on pd.NA]       named)
constant columns         works (one segment)        same results              ov seg: report
negative amounts         works (data_quality counts same results; overview    ov seg 5w: report
                         them)                      equal (Spark too)
astronomical amounts     works (1e308 kept; 400     segmentation and overview ov seg 5w rev ch:
                         digits = inf, left out of  same as pandas (Spark:    report [fixed: numpy
                         bands)                     segmentation); found      warnings printed in
                                                    here, fixed in overview:  the charter report]
                                                    bands RecursionError, inf
                                                    vs NaN means
future dates             works (flagged by          same results              ov seg 5w rev:
                         data_quality)                                        report
mixed date formats       ValueParseError; hint      same error                ov: stopped
                         ``dayfirst=``
duplicate ids            works (duplicates listed)  same results              ov seg: report
100k distinct categories loads, overview works;     reps: same error; Parquet ov 5w: report; seg:
                         segmentation               by deal: works, same      stopped, same error;
                         ParameterError "too many"  flags                     rev: report (sample
                                                                              case, reason named)
keyword column names     works (extra columns)      same results              ov: report
=HYPERLINK formula cells works (kept as text;       same results              ov seg rev: report
                         exports neutralise them)
zero rows (Parquet)      DataFileError "no rows"    same error on Polars,     --
                                                    DuckDB, Spark [fixed:
                                                    an empty analysis]
CRM headers (Parquet)    works (headers mapped)     MissingColumnsError       --
                                                    "lacks the canonical
                                                    column(s)"
======================== ========================== ========================= ====================

Damaged artefacts (``*_path`` of charter, five_whys, installments, segmentation): a corrupt
JSON, an empty file, a JSON of another kind (CorruptArtefactError) and a newer schema_version
(SchemaVersionError) are refused naming the file, with a hint, by each template's opening
function (16 combinations) and in headless runs (4: one per template, each damage once); the
review lists damaged files in its report and runs on.

[BUG n] marks are strict expected failures in the tests naming the file and function (they
fail once fixed, so this table gets updated). "fixed:" notes what the corpus found and was fixed.
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
