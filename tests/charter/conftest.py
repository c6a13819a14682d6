"""Shared charters for the charter tests."""

from __future__ import annotations

from datetime import date

import pytest

from salesops_nb.charter import example_charter
from salesops_nb.charter.model import Charter

TODAY = date(2026, 6, 1)


def make_clean() -> Charter:
    """The worked example with everything a check asks for: lint finds nothing at all."""
    charter = example_charter(today=TODAY)
    for service in charter.services:
        if service.service_class != "strategic" and service.capacity_pct:
            service.capacity_pct = service.capacity_pct / 2
    # Strategic: 6 of 12 included services by count would be 50%; drop two operational ones.
    charter.services = [s for s in charter.services
                        if s.library_id not in ("quota-admin", "territory-upkeep")]
    for objective in charter.objectives:
        for kpi in objective.kpis:
            kpi.due = kpi.due or date(2027, 3, 31)
    for person in charter.stakeholders:
        person.sign_off = "agreed"
    return charter


@pytest.fixture
def clean() -> Charter:
    return make_clean()
