"""The starter library: services, KPIs, objectives, decisions, cadence and boundaries to pick from.

The content lives in ``library.json`` next to this module (written for salesops-nb; adapt every
entry). Every accessor returns a fresh model, so editing a picked item never changes the library.

Example
-------
>>> lib = load_library()
>>> lib.service("territory-design").service_class
'strategic'
>>> [k.name for k in lib.objective("protect-margin").kpis]
['Discount leakage', 'Average discount']
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from salesops_nb.charter.model import (
    Boundary,
    CadenceItem,
    Decision,
    Kpi,
    Licence,
    Objective,
    Screening,
    Service,
)
from salesops_nb.errors import CharterError

__all__ = ["Library", "load_library"]


@dataclass(frozen=True)
class Library:
    """The starter library, read once from ``library.json``.

    Attributes are the raw entries (dicts keyed by id); use the accessors to get models.
    """

    services_by_id: dict[str, dict[str, Any]]
    kpis_by_id: dict[str, dict[str, Any]]
    objectives_by_id: dict[str, dict[str, Any]]
    decisions_by_id: dict[str, dict[str, Any]]
    cadence_entries: tuple[dict[str, Any], ...]
    boundary_entries: tuple[dict[str, Any], ...]
    licence_entry: dict[str, Any]

    # -- listings ---------------------------------------------------------------------------------

    def services(self) -> list[Service]:
        """Every library service, in library order."""
        return [self.service(key) for key in self.services_by_id]

    def kpis(self) -> list[Kpi]:
        """Every library KPI, in library order."""
        return [self.kpi(key) for key in self.kpis_by_id]

    def objectives(self) -> list[Objective]:
        """Every library objective with its suggested KPIs."""
        return [self.objective(key) for key in self.objectives_by_id]

    def decisions(self) -> list[Decision]:
        """Every library decision with its suggested RACI."""
        return [self.decision(key) for key in self.decisions_by_id]

    def cadence(self) -> list[CadenceItem]:
        """Suggested reviews and reports."""
        return [CadenceItem.model_validate(entry) for entry in self.cadence_entries]

    def boundaries(self) -> list[Boundary]:
        """Suggested owns / influences / supports boundaries with adjacent functions."""
        return [Boundary.model_validate(entry) for entry in self.boundary_entries]

    def licence(self) -> Licence:
        """A starting wording of the licence clause."""
        return Licence.model_validate(self.licence_entry)

    # -- single items -----------------------------------------------------------------------------

    def service(self, key: str) -> Service:
        """The library service ``key`` with its suggested screening answers."""
        entry = _pick(self.services_by_id, key, "service")
        return Service(
            name=entry["name"],
            description=entry["description"],
            service_class=entry["class"],
            customer=entry["customer"],
            screening=Screening.model_validate(entry["screening"]),
            library_id=key,
        )

    def kpi(self, key: str) -> Kpi:
        """The library KPI ``key``; baseline, target and due date are left for the user."""
        entry = _pick(self.kpis_by_id, key, "KPI")
        fields = {k: v for k, v in entry.items() if k != "id"}
        return Kpi(**fields, library_id=key)

    def objective(self, key: str, *, with_kpis: bool = True) -> Objective:
        """The library objective ``key``, with its suggested KPIs unless ``with_kpis`` is False."""
        entry = _pick(self.objectives_by_id, key, "objective")
        return Objective(
            title=entry["title"],
            description=entry["description"],
            ties_to=entry["ties_to"],
            kpis=[self.kpi(k) for k in entry["kpis"]] if with_kpis else [],
            library_id=key,
        )

    def decision(self, key: str) -> Decision:
        """The library decision ``key`` with its suggested RACI (one accountable party)."""
        entry = _pick(self.decisions_by_id, key, "decision")
        return Decision(
            name=entry["name"], description=entry["description"], raci=dict(entry["raci"]),
            library_id=key,
        )


@cache
def load_library() -> Library:
    """Read the bundled starter library (cached; the models it hands out are fresh copies)."""
    text = resources.files("salesops_nb.charter").joinpath("library.json").read_text("utf-8")
    data = json.loads(text)
    return Library(
        services_by_id={e["id"]: e for e in data["services"]},
        kpis_by_id={e["id"]: e for e in data["kpis"]},
        objectives_by_id={e["id"]: e for e in data["objectives"]},
        decisions_by_id={e["id"]: e for e in data["decisions"]},
        cadence_entries=tuple(data["cadence"]),
        boundary_entries=tuple(data["boundaries"]),
        licence_entry=data["licence"],
    )


def _pick(entries: dict[str, dict[str, Any]], key: str, what: str) -> dict[str, Any]:
    try:
        return entries[key]
    except KeyError:
        close = difflib.get_close_matches(str(key), list(entries), n=3)
        hint = f"Did you mean {', '.join(repr(c) for c in close)}? " if close else ""
        raise CharterError(
            f"The starter library has no {what} with id {key!r}.",
            hint=hint + f"Library {what} ids: {', '.join(entries)}.",
        ) from None
