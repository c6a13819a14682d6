"""Shared fixtures: the sample deals (loaded once) and small hand-built analyses."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from salesops_nb.data.load import load_opportunities
from salesops_nb.five_whys.model import Evidence, Problem, WhyAnalysis


@pytest.fixture(scope="session")
def deals() -> pd.DataFrame:
    return load_opportunities()


@pytest.fixture
def chain() -> WhyAnalysis:
    """A clean five-level chain ending in a root cause with a complete countermeasure."""
    from salesops_nb.five_whys.evidence import EvidenceQuery
    from salesops_nb.five_whys.model import EffectivenessCheck

    fact = Evidence(text="Checked in the CRM", verified=True)
    analysis = WhyAnalysis(problem=Problem(what="Win rate of referral deals fell",
                                           how_big="from 42% to 28%"))
    answers = ["Proposals go out without a qualification call",
               "The CRM allows Proposal with empty qualification fields",
               "Stage rules were relaxed during the clean-up",
               "Pipeline stage changes are not reviewed",
               "Nobody owns the stage definitions"]
    parent = None
    for answer in answers:
        analysis = analysis.add_cause(parent, answer, evidence=[fact], status="supported")
        parent = analysis.nodes[-1].id
    analysis = analysis.mark_root_cause(parent).update_node(parent, within_control=True)
    check = EffectivenessCheck(query=EvidenceQuery(metric="win_rate"), baseline=0.28,
                               target=0.35, check_date=dt.date(2027, 3, 31))
    return analysis.add_countermeasure(parent, "Give the stage definitions an owner",
                                       owner="Head of sales ops", due=dt.date(2026, 12, 1),
                                       check=check)
