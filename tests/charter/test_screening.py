"""Screening of candidate services, the boundary matrix and the sign-off tracker."""

from __future__ import annotations

import pytest

from salesops_nb.charter import (
    Boundary,
    Charter,
    Scope,
    Screening,
    Service,
    Stakeholder,
    boundary_matrix,
    included,
    outcome,
    screening_table,
    sign_off_status,
    suggest,
)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ((True, "many", True, False), "include"),
        ((False, "many", True, False), "include"),
        ((True, "few", True, False), "include"),
        ((False, "few", True, False), "later"),
        ((True, "few", False, False), "later"),
        ((False, "many", False, False), "later"),
        ((False, "few", False, False), "leave"),
        ((True, "many", True, True), "leave"),
        ((None, "many", True, False), None),
    ],
)
def test_suggestion_follows_the_four_questions(answers, expected):
    informs, reach, helps, elsewhere = answers
    screening = Screening(informs_decisions=informs, reach=reach, helps_perform=helps,
                          better_elsewhere=elsewhere)
    suggested, reason = suggest(screening)
    assert suggested == expected
    assert reason


def test_own_decision_overrides_the_suggestion_and_unscreened_stays_in():
    keep = Service(name="a", screening=Screening(informs_decisions=False, reach="few",
                                                 helps_perform=False, better_elsewhere=False,
                                                 decision="include"))
    unscreened = Service(name="b")
    dropped = Service(name="c", screening=Screening(better_elsewhere=True, informs_decisions=True,
                                                    reach="many", helps_perform=True))
    charter = Charter(services=[keep, unscreened, dropped])
    assert [outcome(s) for s in charter.services] == ["include", "include", "leave"]
    assert [s.name for s in included(charter)] == ["a", "b"]
    table = screening_table(charter)
    assert table["outcome"].tolist() == ["include", "include", "leave behind"]
    assert table["suggested"].tolist() == ["leave behind", "not screened", "leave behind"]


def test_boundary_matrix_pivots_areas_by_function_and_last_edit_wins():
    charter = Charter(scope=Scope(boundaries=[
        Boundary(function="Finance", area="Pricing", stance="supports"),
        Boundary(function="Marketing", area="Leads", stance="influences"),
        Boundary(function="Finance", area="Pricing", stance="influences"),
    ]))
    matrix = boundary_matrix(charter)
    assert matrix.columns.tolist() == ["area", "Finance", "Marketing"]
    assert matrix.to_dict("records") == [
        {"area": "Pricing", "Finance": "influences", "Marketing": ""},
        {"area": "Leads", "Finance": "", "Marketing": "influences"},
    ]
    assert boundary_matrix(Charter()).columns.tolist() == ["area"]


def test_sign_off_tracker_and_treaty_test():
    charter = Charter(stakeholders=[
        Stakeholder(name="A", sponsor=True, sign_off="agreed"),
        Stakeholder(name="B", sign_off="agreed with changes"),
        Stakeholder(name="C"),
    ])
    status = sign_off_status(charter)
    assert status.agreed == ["A", "B"] and status.pending == ["C"]
    assert status.share_agreed == pytest.approx(2 / 3)
    assert status.sponsor_agreed and not status.passes_treaty_test
    charter.stakeholders[2].sign_off = "agreed"
    assert sign_off_status(charter).passes_treaty_test
