"""Coaching checks: what a charter still lacks, how serious it is, and what to do about it.

``lint(charter)`` returns :class:`Finding` objects, errors first. Severities:

- **error**: the charter does not work as a charter yet (no licence clause, an objective nobody
  can measure, a decision with no single decider).
- **warning**: it works but is weak where it matters (staying in its lane, KPIs without targets,
  no sign-off, an overdue review).
- **info**: worth a look (services not screened, the 60-70% strategic aim not reached yet).

Every rule is listed in :data:`RULES` with the section it belongs to.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date

import pandas as pd

from salesops_nb.charter.model import Charter, Objective
from salesops_nb.charter.screening import included, sign_off_status, suggest

__all__ = [
    "RULES", "SEVERITIES", "Finding", "LintConfig", "findings_table", "lint", "strategic_shares",
]

SEVERITIES: tuple[str, ...] = ("error", "warning", "info")

#: rule id -> (section key, what it checks)
RULES: dict[str, tuple[str, str]] = {
    "purpose-missing": ("purpose", "the charter states a purpose or mission"),
    "scope-narrow": ("scope", "the scope reaches the selling system beyond sales ops"),
    "no-services": ("services", "at least one service is included"),
    "unscreened-service": ("services", "every candidate service is screened"),
    "strategic-share": ("services", "share of included services that are strategic"),
    "strategic-capacity": ("services", "share of capacity spent on strategic services"),
    "no-objectives": ("objectives", "the charter has strategic objectives"),
    "objective-without-kpi": ("objectives", "every objective is measured by a KPI"),
    "objective-not-tied": ("objectives", "every objective is tied to revenue or profit"),
    "kpi-incomplete": ("objectives", "every KPI has a baseline, target, owner and due date"),
    "kpi-undefined": ("objectives", "every KPI has a definition and a data source"),
    "no-decisions": ("decisions", "decision rights are named"),
    "decision-accountable": ("decisions", "each decision has exactly one accountable party"),
    "no-sign-off": ("stakeholders", "at least one stakeholder has signed off"),
    "no-sponsor": ("stakeholders", "a sponsor is named"),
    "sign-off-declined": ("stakeholders", "no stakeholder has declined"),
    "no-licence": ("licence", "the licence clause grants authority to investigate"),
    "licence-no-escalation": ("licence", "the licence clause says how findings escalate"),
    "review-overdue": ("review", "the review date is not in the past"),
    "no-review-date": ("review", "a review date is set"),
}

# Words showing a scope reaches past sales ops' own desk into the wider selling system.
_SYSTEM_WORDS = re.compile(
    r"selling system|go-to-market|go to market|cross-functional|end-to-end|end to end|"
    r"across functions|wherever|marketing|finance|enablement|customer success|product|"
    r"partner|\bhr\b|\bit\b|legal|revops|revenue operations",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class LintConfig:
    """Thresholds of the checks.

    Attributes
    ----------
    strategic_warning
        Below this strategic share (of services or capacity) the function is "staying in its
        lane": a warning. Default one third.
    strategic_aim
        The commonly cited aim for the strategic share of capacity (60-70%); below its lower
        end an info finding points to it.
    today
        The date the review check compares with; None means today.
    """

    strategic_warning: float = 1 / 3
    strategic_aim: tuple[float, float] = (0.6, 0.7)
    today: date | None = None


@dataclass(frozen=True)
class Finding:
    """One coaching check that found something.

    Attributes
    ----------
    rule
        The rule id (a key of :data:`RULES`).
    severity
        "error", "warning" or "info".
    section
        The charter section to fix (a key of :data:`~salesops_nb.charter.model.SECTIONS`).
    message
        What is wrong, naming the item.
    suggestion
        A concrete next step.
    where
        The item concerned, e.g. ``objectives[1].kpis[0]``; empty for the whole section.
    """

    rule: str
    severity: str
    section: str
    message: str
    suggestion: str
    where: str = field(default="")


def strategic_shares(charter: Charter) -> tuple[float | None, float | None]:
    """Strategic share of the included services (by count) and of their capacity.

    Returns
    -------
    (by_count, by_capacity)
        Each None when it cannot be computed (no included service, no capacity entered).
    """
    services = included(charter)
    if not services:
        return None, None
    by_count = sum(s.service_class == "strategic" for s in services) / len(services)
    with_capacity = [s for s in services if s.capacity_pct is not None]
    total = sum(s.capacity_pct for s in with_capacity)
    if not total:
        return by_count, None
    strategic = sum(s.capacity_pct for s in with_capacity if s.service_class == "strategic")
    return by_count, strategic / total


def lint(charter: Charter, config: LintConfig | None = None) -> list[Finding]:
    """Run every coaching check on ``charter``.

    Parameters
    ----------
    charter
        The charter to check.
    config
        Thresholds and the reference date; defaults to :class:`LintConfig()`.

    Returns
    -------
    list of Finding
        Errors first, then warnings, then info; in section order within a severity.

    Examples
    --------
    >>> [f.rule for f in lint(Charter()) if f.severity == "error"]
    ['no-licence']
    """
    config = config or LintConfig()
    found: list[Finding] = []
    for check in (_purpose, _scope, _services, _objectives, _decisions, _stakeholders,
                  _licence, _review):
        found.extend(check(charter, config))
    order = [key for key in RULES]
    sections = [rule_section for rule_section, _ in RULES.values()]
    return sorted(
        found,
        key=lambda f: (SEVERITIES.index(f.severity), sections.index(f.section),
                       order.index(f.rule)),
    )


def findings_table(findings: list[Finding]) -> pd.DataFrame:
    """The findings as a table: severity, section, message, suggestion, where, rule."""
    columns = ["severity", "section", "message", "suggestion", "where", "rule"]
    return pd.DataFrame([asdict(f) for f in findings], columns=columns)


def _finding(rule: str, severity: str, message: str, suggestion: str, where: str = "") -> Finding:
    return Finding(rule, severity, RULES[rule][0], message, suggestion, where)


def _purpose(charter: Charter, config: LintConfig) -> list[Finding]:
    if charter.purpose.strip() or charter.mission.strip():
        return []
    return [_finding(
        "purpose-missing", "warning", "The charter states no purpose or mission.",
        "Write one sentence on why the function exists, e.g. 'to improve the whole selling "
        "system so the company wins more revenue and profit'.",
    )]


def _scope(charter: Charter, config: LintConfig) -> list[Finding]:
    scope = charter.scope
    reaching = [b for b in scope.boundaries if b.stance in ("owns", "influences")]
    if reaching or any(_SYSTEM_WORDS.search(item) for item in scope.in_scope):
        return []
    return [_finding(
        "scope-narrow", "warning",
        "The scope never reaches the selling system beyond sales ops: no boundary where the "
        "function owns or influences an area with another function, and no in-scope item naming "
        "the wider system.",
        "Add boundaries such as 'Pricing and discount policy: influences (Finance)' or "
        "'Lead hand-off: influences (Marketing)', or put 'deficiencies anywhere in the selling "
        "system' in scope.",
    )]


def _services(charter: Charter, config: LintConfig) -> list[Finding]:
    found = []
    for i, service in enumerate(charter.services):
        if service.screening.decision is None and suggest(service.screening)[0] is None:
            found.append(_finding(
                "unscreened-service", "info",
                f"Service '{service.name}' is not screened; it is kept in for now.",
                "Answer the four screening questions, or record include / save for later / "
                "leave behind yourself.",
                f"services[{i}]",
            ))
    if not included(charter):
        found.append(_finding(
            "no-services", "warning", "No service is included in the charter.",
            "Pick services from the starter library and screen them.",
        ))
        return found
    by_count, by_capacity = strategic_shares(charter)
    low, high = config.strategic_aim
    aim = f"the commonly cited aim is {low:.0%}-{high:.0%} of capacity on strategic work"
    for rule, share, what in (("strategic-share", by_count, "of the included services"),
                              ("strategic-capacity", by_capacity, "of the capacity")):
        if share is None or share >= low:
            continue
        if share < config.strategic_warning:
            found.append(_finding(
                rule, "warning",
                f"Only {share:.0%} {what} is strategic, under {config.strategic_warning:.0%}: "
                f"the function is staying in its lane; {aim}.",
                "Leave behind or hand over tactical services that fail the screening, and add "
                "strategic ones (segmentation, territory design, win/loss, funnel diagnostics).",
            ))
        else:
            found.append(_finding(
                rule, "info", f"{share:.0%} {what} is strategic; {aim}.",
                "Plan which tactical work to automate or hand over next to free that capacity.",
            ))
    return found


def _objectives(charter: Charter, config: LintConfig) -> list[Finding]:
    if not charter.objectives:
        return [_finding(
            "no-objectives", "warning", "The charter has no strategic objectives.",
            "Pick objectives from the starter library, e.g. 'Raise the win rate in our core "
            "segments', each with its KPIs.",
        )]
    found = []
    for i, objective in enumerate(charter.objectives):
        found.extend(_objective(i, objective))
    return found


def _objective(i: int, objective: Objective) -> list[Finding]:
    found = []
    label = f"Objective '{objective.title}'"
    if not objective.kpis:
        found.append(_finding(
            "objective-without-kpi", "error", f"{label} has no KPI: nobody can tell if it is met.",
            "Add a KPI from the library (e.g. Win rate, Median sales cycle) with a baseline and "
            "a target.",
            f"objectives[{i}]",
        ))
    if not objective.ties_to:
        found.append(_finding(
            "objective-not-tied", "warning",
            f"{label} is not tied to revenue or profit, so its target cannot be weighed against "
            "others.",
            "Say whether it moves revenue, profit or both, and how, in the objective's "
            "description.",
            f"objectives[{i}]",
        ))
    for j, kpi in enumerate(objective.kpis):
        missing = [name for name, value in (
            ("baseline", kpi.baseline), ("target", kpi.target), ("owner", kpi.owner.strip()),
            ("due date", kpi.due),
        ) if value is None or value == ""]
        if missing:
            found.append(_finding(
                "kpi-incomplete", "warning",
                f"KPI '{kpi.name}' of objective '{objective.title}' has no {', '.join(missing)}.",
                "Record today's value as the baseline, the target, who answers for it and by "
                "when; a KPI without them cannot be tracked.",
                f"objectives[{i}].kpis[{j}]",
            ))
        undefined = [name for name, value in (
            ("definition", kpi.definition), ("data source", kpi.data_source)) if not value.strip()]
        if undefined:
            found.append(_finding(
                "kpi-undefined", "info",
                f"KPI '{kpi.name}' has no {' and no '.join(undefined)}.",
                "Write how it is computed and from which system, so two people get the same "
                "number.",
                f"objectives[{i}].kpis[{j}]",
            ))
    return found


def _decisions(charter: Charter, config: LintConfig) -> list[Finding]:
    if not charter.decisions:
        return [_finding(
            "no-decisions", "warning", "No decision rights are named.",
            "Add the decisions sales ops takes part in (territory design, quota setting, "
            "compensation changes, CRM process changes, pricing exceptions) with a RACI.",
        )]
    found = []
    for i, decision in enumerate(charter.decisions):
        deciders = decision.accountable()
        if len(deciders) == 1:
            continue
        if deciders:
            problem = f"{len(deciders)} accountable parties ({', '.join(deciders)})"
            fix = "Keep one 'A' (the decider); make the others 'C' (consulted)."
        else:
            problem = "no accountable party"
            fix = "Mark exactly one party 'A': the one who decides and answers for it."
        found.append(_finding(
            "decision-accountable", "error", f"Decision '{decision.name}' has {problem}.", fix,
            f"decisions[{i}]",
        ))
    return found


def _stakeholders(charter: Charter, config: LintConfig) -> list[Finding]:
    status = sign_off_status(charter)
    found = []
    if not status.agreed:
        found.append(_finding(
            "no-sign-off", "warning", "No stakeholder sign-off is recorded.",
            "Circulate the DOCX export to every go-to-market leader and record each answer; "
            "would every one of them sign it?",
        ))
    if not status.sponsors:
        found.append(_finding(
            "no-sponsor", "warning", "No sponsor is named.",
            "Name the executive who backs the charter (often the chief revenue officer) and mark "
            "them as sponsor.",
        ))
    if status.declined:
        found.append(_finding(
            "sign-off-declined", "warning",
            f"{', '.join(status.declined)} declined to sign.",
            "Meet them, record their objection in the comment, and revise the scope or decision "
            "rights that cause it.",
        ))
    return found


def _licence(charter: Charter, config: LintConfig) -> list[Finding]:
    licence = charter.licence
    if not licence.authority.strip():
        return [_finding(
            "no-licence", "error",
            "There is no licence clause: nothing authorises the function to pursue deficiencies "
            "outside its own team.",
            "State the authority to investigate deficiencies wherever they occur, the access to "
            "records, people and systems it needs, and the escalation path (start from the "
            "library's wording).",
        )]
    if not licence.escalation.strip():
        return [_finding(
            "licence-no-escalation", "warning",
            "The licence clause does not say how findings are escalated.",
            "Name who hears a finding first, within what time, and who settles a dispute (e.g. "
            "the sponsor at the quarterly business review).",
        )]
    return []


def _review(charter: Charter, config: LintConfig) -> list[Finding]:
    today = config.today or date.today()
    if charter.review_date is None:
        return [_finding(
            "no-review-date", "info", "No review date is set.",
            "Set a review date within twelve months and put it in the operating cadence.",
        )]
    if charter.review_date < today:
        return [_finding(
            "review-overdue", "warning",
            f"The review date {charter.review_date.isoformat()} is in the past.",
            "Review the charter with its signatories, record a new version and set the next "
            "review date.",
        )]
    return []
