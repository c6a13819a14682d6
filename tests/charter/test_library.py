"""The starter library: size, completeness, fresh copies, helpful errors."""

from __future__ import annotations

import pytest

from salesops_nb.charter import CharterError, load_library
from salesops_nb.charter.model import SERVICE_CLASSES


def test_library_has_at_least_25_classified_defined_services():
    services = load_library().services()
    assert len(services) >= 25
    assert {s.service_class for s in services} == set(SERVICE_CLASSES)
    assert all(s.description and s.customer and s.library_id for s in services)
    assert len({s.name for s in services}) == len(services)


def test_library_has_at_least_20_defined_kpis():
    kpis = load_library().kpis()
    assert len(kpis) >= 20
    assert all(k.definition and k.unit and k.data_source and k.owner for k in kpis)
    assert all(k.baseline is None and k.target is None and k.due is None for k in kpis)


def test_objectives_are_tied_and_reference_existing_kpis():
    lib = load_library()
    objectives = lib.objectives()
    assert len(objectives) >= 8
    assert all(o.ties_to and o.kpis for o in objectives)


def test_every_library_decision_has_exactly_one_accountable_party():
    decisions = load_library().decisions()
    assert len(decisions) >= 8
    assert all(len(d.accountable()) == 1 for d in decisions)
    names = {d.name for d in decisions}
    assert {"Territory design", "Quota setting", "Compensation plan changes",
            "CRM process changes", "Pricing exceptions"} <= names


def test_every_library_service_is_fully_screened():
    from salesops_nb.charter import suggest

    outcomes = [suggest(s.screening)[0] for s in load_library().services()]
    assert None not in outcomes
    assert {"include", "later", "leave"} <= set(outcomes)


def test_picked_items_are_fresh_copies():
    lib = load_library()
    first = lib.kpi("win-rate")
    first.baseline = 12
    assert lib.kpi("win-rate").baseline is None


def test_unknown_id_suggests_close_ids():
    with pytest.raises(CharterError) as err:
        load_library().service("win-los")
    assert "'win-loss'" in err.value.hint
