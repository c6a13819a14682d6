"""Editing a charter from code, as the widget does."""

from __future__ import annotations

from datetime import date

import pytest

from salesops_nb.charter import (
    Charter,
    CharterError,
    add_decision,
    add_kpi,
    add_objective,
    add_service,
    next_version,
    record_version,
    remove_item,
    set_role,
    use_library_cadence,
    use_library_licence,
)


def test_library_items_are_added_once():
    charter = Charter()
    add_service(charter, "win-loss")
    add_service(charter, "win-loss")
    objective = add_objective(charter, "protect-margin")
    add_kpi(charter, 0, "win-rate")
    add_kpi(charter, objective, "win-rate")
    assert [s.library_id for s in charter.services] == ["win-loss"]
    assert [k.library_id for k in charter.objectives[0].kpis] == [
        "discount-leakage", "average-discount", "win-rate"]


def test_set_role_adds_changes_and_removes_parties():
    charter = Charter()
    decision = add_decision(charter, "pricing-exceptions")
    set_role(charter, 0, "Legal", "c")
    assert decision.raci["Legal"] == "C"
    set_role(charter, decision, "Legal", None)
    assert "Legal" not in charter.decisions[0].raci
    with pytest.raises(CharterError, match="not a RACI role"):
        set_role(charter, 0, "Legal", "X")
    with pytest.raises(CharterError, match="no item 3"):
        set_role(charter, 3, "Legal", "A")


def test_library_licence_and_cadence_fill_gaps_only():
    charter = Charter()
    charter.licence.authority = "Our own words"
    use_library_licence(charter)
    assert charter.licence.authority == "Our own words"
    assert charter.licence.escalation and charter.licence.access
    use_library_cadence(charter)
    use_library_cadence(charter)
    assert len(charter.cadence) == len({c.name for c in charter.cadence}) >= 5


def test_versions_count_up_and_need_an_author():
    charter = Charter()
    assert next_version(charter) == "0.1"
    record_version(charter, "Ana", "first", on=date(2026, 1, 2))
    record_version(charter, "Ana", "second")
    assert [v.version for v in charter.versions] == ["0.1", "0.2"]
    with pytest.raises(CharterError):
        record_version(charter, " ", "anonymous")


def test_remove_item_checks_section_and_index():
    charter = Charter()
    add_service(charter, "win-loss")
    remove_item(charter, "services", 0)
    assert charter.services == []
    with pytest.raises(CharterError):
        remove_item(charter, "services", 0)
    with pytest.raises(CharterError):
        remove_item(charter, "purpose", 0)
