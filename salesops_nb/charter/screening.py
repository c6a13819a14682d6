"""Deciding what belongs in the charter: service screening, boundary matrix, sign-off tracker.

Screening asks four questions of each candidate service and suggests *include*, *save for
later* or *leave behind*:

1. Does it produce insight used in sales decisions?
2. Does it benefit many sellers or few?
3. Does it help sales perform?
4. Would it be better done elsewhere?

The rule (stated so a user can argue with it): a service better done elsewhere is left behind
(hand it over); one that helps sales perform and also informs decisions or reaches many sellers
is included; one with at least one of the three benefits is saved for later; the rest are left
behind. The analyst's own ``decision`` always wins over the suggestion.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from salesops_nb.charter.model import Charter, Screening, Service

__all__ = [
    "OUTCOME_LABELS",
    "QUESTIONS",
    "SignOffStatus",
    "boundary_matrix",
    "included",
    "outcome",
    "screening_table",
    "sign_off_status",
    "suggest",
]

#: The four screening questions, keyed by the :class:`Screening` field that answers them.
QUESTIONS: dict[str, str] = {
    "informs_decisions": "Does it produce insight used in sales decisions?",
    "reach": "Does it benefit many sellers or few?",
    "helps_perform": "Does it help sales perform?",
    "better_elsewhere": "Would it be better done elsewhere?",
}
OUTCOME_LABELS: dict[str, str] = {
    "include": "include",
    "later": "save for later",
    "leave": "leave behind",
}


def suggest(screening: Screening) -> tuple[str | None, str]:
    """Suggest an outcome from the four answers, with the reason in words.

    Returns
    -------
    (outcome, reason)
        ``outcome`` is "include", "later", "leave", or None while a question is unanswered.

    Examples
    --------
    >>> suggest(Screening(informs_decisions=True, reach="many", helps_perform=True,
    ...                   better_elsewhere=False))[0]
    'include'
    """
    answers = {name: getattr(screening, name) for name in QUESTIONS}
    missing = [QUESTIONS[name] for name, value in answers.items() if value is None]
    if missing:
        return None, "Not screened yet: answer " + "; ".join(missing)
    if screening.better_elsewhere:
        return "leave", "Better done elsewhere: hand it to the function that does it best."
    benefits = [
        label for label, present in (
            ("informs sales decisions", screening.informs_decisions),
            ("benefits many sellers", screening.reach == "many"),
            ("helps sales perform", screening.helps_perform),
        ) if present
    ]
    if screening.helps_perform and len(benefits) >= 2:
        return "include", "It " + " and ".join(benefits) + "."
    if benefits:
        reason = "Only " + " and ".join(benefits) + ": worth doing once the core is in place."
        return "later", reason
    return "leave", "No insight for decisions, few sellers helped, no effect on performance."


def outcome(service: Service) -> str:
    """The service's outcome: the analyst's decision, else the suggestion, else "include".

    An unscreened service stays in (someone put it on the list); :func:`~salesops_nb.charter.
    lint.lint` reports it so it gets screened.
    """
    if service.screening.decision is not None:
        return service.screening.decision
    suggested, _ = suggest(service.screening)
    return suggested or "include"


def included(charter: Charter) -> list[Service]:
    """The services the charter commits to (outcome "include")."""
    return [service for service in charter.services if outcome(service) == "include"]


def screening_table(charter: Charter) -> pd.DataFrame:
    """One row per candidate service: class, customer, the four answers, suggestion and outcome.

    Columns: service, class, customer, informs_decisions, reach, helps_perform,
    better_elsewhere, suggested, reason, outcome (labels as in :data:`OUTCOME_LABELS`).
    """
    rows = []
    for service in charter.services:
        suggested, reason = suggest(service.screening)
        rows.append({
            "service": service.name,
            "class": service.service_class,
            "customer": service.customer,
            "informs_decisions": _yes_no(service.screening.informs_decisions),
            "reach": service.screening.reach or "?",
            "helps_perform": _yes_no(service.screening.helps_perform),
            "better_elsewhere": _yes_no(service.screening.better_elsewhere),
            "suggested": OUTCOME_LABELS.get(suggested or "", "not screened"),
            "reason": reason,
            "outcome": OUTCOME_LABELS[outcome(service)],
        })
    columns = ["service", "class", "customer", *QUESTIONS, "suggested", "reason", "outcome"]
    return pd.DataFrame(rows, columns=columns)


def boundary_matrix(charter: Charter) -> pd.DataFrame:
    """The owns / influences / supports matrix: one row per area, one column per function.

    A cell holds sales ops' stance on that area towards that function; empty when none is
    recorded. Areas and functions keep the order in which they were first entered.
    """
    boundaries = charter.scope.boundaries
    if not boundaries:
        return pd.DataFrame(columns=["area"])
    frame = pd.DataFrame(
        [{"area": b.area, "function": b.function, "stance": b.stance} for b in boundaries]
    )
    areas = list(dict.fromkeys(frame["area"]))
    functions = list(dict.fromkeys(frame["function"]))
    # A repeated (area, function) keeps its last stance: the latest edit wins.
    frame = frame.drop_duplicates(["area", "function"], keep="last")
    matrix = frame.pivot(index="area", columns="function", values="stance")
    matrix = matrix.reindex(index=areas, columns=functions).fillna("")
    matrix.columns.name = None
    return matrix.reset_index()


@dataclass(frozen=True)
class SignOffStatus:
    """Where the "would every go-to-market leader sign this?" test stands."""

    total: int
    agreed: list[str]
    pending: list[str]
    declined: list[str]
    sponsors: list[str]
    sponsor_agreed: bool

    @property
    def share_agreed(self) -> float:
        """Share of stakeholders who agreed (with or without changes); 0 with none listed."""
        return len(self.agreed) / self.total if self.total else 0.0

    @property
    def passes_treaty_test(self) -> bool:
        """Every stakeholder agreed, the sponsor among them."""
        return self.total > 0 and len(self.agreed) == self.total and self.sponsor_agreed


def sign_off_status(charter: Charter) -> SignOffStatus:
    """Summarise who has signed the charter, who has not, and whether the sponsor has."""
    people = charter.stakeholders
    agreed = [p.name for p in people if p.sign_off in ("agreed", "agreed with changes")]
    sponsors = [p.name for p in people if p.sponsor]
    return SignOffStatus(
        total=len(people),
        agreed=agreed,
        pending=[p.name for p in people if p.sign_off == "pending"],
        declined=[p.name for p in people if p.sign_off == "declined"],
        sponsors=sponsors,
        sponsor_agreed=any(name in agreed for name in sponsors),
    )


def _yes_no(value: bool | None) -> str:
    return "?" if value is None else ("yes" if value else "no")
