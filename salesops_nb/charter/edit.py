"""Editing a charter from code: everything the editor widget does, as plain functions.

The functions change the charter in place (it validates every assignment) and return what they
added, so a script, a test and the widget build charters the same way.

Example
-------
>>> c = Charter(organisation="Acme")
>>> add_service(c, "win-loss").service_class
'strategic'
>>> set_role(c, add_decision(c, "quota-setting"), "Sales Operations", "C").raci["Sales Operations"]
'C'
"""

from __future__ import annotations

from datetime import date

from salesops_nb.charter.library import load_library
from salesops_nb.charter.model import (
    RACI_ROLES,
    Charter,
    Decision,
    Kpi,
    Objective,
    Service,
    VersionEntry,
)
from salesops_nb.errors import CharterError

__all__ = [
    "add_decision",
    "add_kpi",
    "add_objective",
    "add_service",
    "next_version",
    "record_version",
    "remove_item",
    "set_role",
    "use_library_cadence",
    "use_library_licence",
]

_LISTS = ("services", "objectives", "decisions", "stakeholders", "cadence", "versions")


def add_service(charter: Charter, library_id: str) -> Service:
    """Add the library service ``library_id`` (once: a second call returns the one present)."""
    for service in charter.services:
        if service.library_id == library_id:
            return service
    service = load_library().service(library_id)
    charter.services = [*charter.services, service]
    return charter.services[-1]


def add_objective(charter: Charter, library_id: str, *, with_kpis: bool = True) -> Objective:
    """Add the library objective ``library_id`` with its suggested KPIs (once)."""
    for objective in charter.objectives:
        if objective.library_id == library_id:
            return objective
    objective = load_library().objective(library_id, with_kpis=with_kpis)
    charter.objectives = [*charter.objectives, objective]
    return charter.objectives[-1]


def add_kpi(charter: Charter, objective: int | Objective, library_id: str) -> Kpi:
    """Add the library KPI ``library_id`` to an objective (given by index or object), once."""
    target = _objective(charter, objective)
    for kpi in target.kpis:
        if kpi.library_id == library_id:
            return kpi
    target.kpis = [*target.kpis, load_library().kpi(library_id)]
    return target.kpis[-1]


def add_decision(charter: Charter, library_id: str) -> Decision:
    """Add the library decision ``library_id`` with its suggested RACI (once)."""
    for decision in charter.decisions:
        if decision.library_id == library_id:
            return decision
    charter.decisions = [*charter.decisions, load_library().decision(library_id)]
    return charter.decisions[-1]


def set_role(charter: Charter, decision: int | Decision, party: str, role: str | None) -> Decision:
    """Give ``party`` a RACI letter in a decision; ``role=None`` removes the party.

    Raises
    ------
    CharterError
        For an empty party name or a letter other than R, A, C, I.
    """
    target = decision if isinstance(decision, Decision) else _item(charter, "decisions", decision)
    party = party.strip()
    if not party:
        raise CharterError("A RACI entry needs a party name.", hint="Type who plays the role.")
    raci = dict(target.raci)
    if role is None:
        raci.pop(party, None)
    else:
        letter = role.strip().upper()[:1]
        if letter not in RACI_ROLES:
            raise CharterError(
                f"{role!r} is not a RACI role for {party!r} in '{target.name}'.",
                hint="Use R (responsible), A (accountable, one per decision), C (consulted) or "
                "I (informed).",
            )
        raci[party] = letter
    target.raci = raci
    return target


def use_library_licence(charter: Charter) -> None:
    """Fill the licence clause with the library's wording (fields already written are kept)."""
    wording = load_library().licence()
    licence = charter.licence
    licence.authority = licence.authority or wording.authority
    licence.access = licence.access or wording.access
    licence.escalation = licence.escalation or wording.escalation


def use_library_cadence(charter: Charter) -> None:
    """Add the library's reviews and reports that the cadence does not list yet (by name)."""
    names = {item.name for item in charter.cadence}
    extra = [item for item in load_library().cadence() if item.name not in names]
    charter.cadence = [*charter.cadence, *extra]


def next_version(charter: Charter) -> str:
    """The version number after the latest: "0.2" after "0.1", "1" after none... "0.1" first."""
    if not charter.versions:
        return "0.1"
    head, _, tail = charter.versions[-1].version.rpartition(".")
    if tail.isdigit():
        return f"{head}.{int(tail) + 1}" if head else str(int(tail) + 1)
    return f"{charter.versions[-1].version}.1"


def record_version(
    charter: Charter, author: str, summary: str, *, on: date | None = None,
    version: str | None = None,
) -> VersionEntry:
    """Append a line to the version history: who changed what, when.

    Raises
    ------
    CharterError
        Without an author.
    """
    if not author.strip():
        raise CharterError("A version entry needs an author.",
                           hint="Type who made the change, e.g. your name.")
    entry = VersionEntry(version=version or next_version(charter), changed_on=on or date.today(),
                         author=author.strip(), summary=summary.strip())
    charter.versions = [*charter.versions, entry]
    return entry


def remove_item(charter: Charter, section: str, index: int) -> None:
    """Remove item ``index`` from a list section (services, objectives, decisions, ...)."""
    items = list(getattr(charter, _section(section)))
    _item(charter, section, index)
    del items[index]
    setattr(charter, section, items)


def _section(section: str) -> str:
    if section not in _LISTS:
        raise CharterError(f"{section!r} is not a list section of a charter.",
                           hint=f"Use one of {', '.join(_LISTS)}.")
    return section


def _item(charter: Charter, section: str, index: int):
    items = getattr(charter, _section(section))
    if not isinstance(index, int) or not 0 <= index < len(items):
        raise CharterError(
            f"There is no item {index!r} in {section} (it has {len(items)}).",
            hint=f"Use an index from 0 to {len(items) - 1}." if items else "Add one first.",
        )
    return items[index]


def _objective(charter: Charter, objective: int | Objective) -> Objective:
    if isinstance(objective, Objective):
        return objective
    return _item(charter, "objectives", objective)
