"""The charter maturity score: one number out of 100, with its breakdown and what to fix first.

Seven dimensions, each worth a fixed number of points, are scored from what the charter
contains (not from counting findings, so ten incomplete KPIs do not weigh ten times):

=====================  ======  ==============================================================
dimension              points  how the share of its points is earned
=====================  ======  ==============================================================
Purpose and scope        15    purpose or mission, vision, scope beyond sales ops, out of scope
Strategic focus          20    strategic share (capacity if entered, else services) / 60% aim
Objectives and KPIs      20    per objective: tied to revenue/profit, has a KPI, KPI fields
Decision rights          15    share of decisions with exactly one accountable party
Licence                  10    authority 50%, access 20%, escalation path 30%
Sign-off                 10    half the share who agreed, half the sponsor's agreement
Upkeep                   10    review date set and not past 60%, cadence 20%, versions 20%
=====================  ======  ==============================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from salesops_nb.charter.lint import SEVERITIES, Finding, LintConfig, lint, strategic_shares
from salesops_nb.charter.model import Charter
from salesops_nb.charter.screening import sign_off_status

__all__ = ["LEVELS", "DimensionScore", "MaturityReport", "maturity"]

#: (lowest score, level name), highest first.
LEVELS: tuple[tuple[int, str], ...] = (
    (90, "Ready to sign"), (70, "Established"), (40, "Developing"), (0, "Draft"),
)

_DIMENSIONS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("Purpose and scope", 15, ("purpose", "vision", "scope")),
    ("Strategic focus", 20, ("services",)),
    ("Objectives and KPIs", 20, ("objectives",)),
    ("Decision rights", 15, ("decisions",)),
    ("Licence", 10, ("licence",)),
    ("Sign-off", 10, ("stakeholders",)),
    ("Upkeep", 10, ("cadence", "review")),
)


@dataclass(frozen=True)
class DimensionScore:
    """The points one dimension earned, how, and the findings that cost it points."""

    name: str
    points: float
    max_points: int
    detail: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def lost(self) -> float:
        """Points still to win in this dimension."""
        return self.max_points - self.points


@dataclass(frozen=True)
class MaturityReport:
    """A charter's maturity score with its breakdown.

    Attributes
    ----------
    score
        0-100, the rounded sum of the dimension points.
    level
        "Draft", "Developing", "Established" or "Ready to sign" (see :data:`LEVELS`).
    dimensions
        One :class:`DimensionScore` per dimension, in charter order.
    findings
        The lint findings the score was built next to.
    """

    score: int
    level: str
    dimensions: list[DimensionScore]
    findings: list[Finding]

    def fix_first(self, n: int = 3) -> list[Finding]:
        """The findings to fix first: most severe, then from the dimension losing most points."""
        lost = {}
        for dim in self.dimensions:
            for finding in dim.findings:
                lost[id(finding)] = dim.lost
        ranked = sorted(
            self.findings,
            key=lambda f: (SEVERITIES.index(f.severity), -lost.get(id(f), 0.0)),
        )
        return ranked[:n]

    def table(self) -> pd.DataFrame:
        """The breakdown as a table: dimension, points, max, lost, how it was scored, findings."""
        return pd.DataFrame(
            [{
                "dimension": d.name,
                "points": round(d.points, 1),
                "max_points": d.max_points,
                "lost": round(d.lost, 1),
                "how_scored": d.detail,
                "findings": len(d.findings),
            } for d in self.dimensions]
        )


def maturity(charter: Charter, config: LintConfig | None = None) -> MaturityReport:
    """Score a charter's maturity out of 100 and break the score down by dimension.

    Parameters
    ----------
    charter
        The charter to score.
    config
        The lint thresholds; the strategic aim's lower end (60%) is the full-marks share.

    Examples
    --------
    >>> maturity(Charter()).level
    'Draft'
    """
    config = config or LintConfig()
    findings = lint(charter, config)
    ratios = {
        "Purpose and scope": _purpose_scope(charter, findings),
        "Strategic focus": _focus(charter, config),
        "Objectives and KPIs": _objectives(charter),
        "Decision rights": _decisions(charter),
        "Licence": _licence(charter),
        "Sign-off": _sign_off(charter),
        "Upkeep": _upkeep(charter, findings),
    }
    dimensions = []
    for name, weight, sections in _DIMENSIONS:
        ratio, detail = ratios[name]
        dimensions.append(DimensionScore(
            name=name,
            points=weight * ratio,
            max_points=weight,
            detail=detail,
            findings=[f for f in findings if f.section in sections],
        ))
    score = round(sum(d.points for d in dimensions))
    level = next(label for floor, label in LEVELS if score >= floor)
    return MaturityReport(score, level, dimensions, findings)


def _mean(parts: list[float]) -> float:
    return sum(parts) / len(parts) if parts else 0.0


def _purpose_scope(charter: Charter, findings: list[Finding]) -> tuple[float, str]:
    checks = {
        "purpose or mission": bool(charter.purpose.strip() or charter.mission.strip()),
        "vision": bool(charter.vision.strip()),
        "scope beyond sales ops": not any(f.rule == "scope-narrow" for f in findings),
        "out of scope listed": bool(charter.scope.out_of_scope),
    }
    met = [name for name, ok in checks.items() if ok]
    return len(met) / len(checks), f"{len(met)} of {len(checks)}: " + (", ".join(met) or "none")


def _focus(charter: Charter, config: LintConfig) -> tuple[float, str]:
    by_count, by_capacity = strategic_shares(charter)
    aim = config.strategic_aim[0]
    if by_capacity is not None:
        share, basis = by_capacity, "of capacity"
    elif by_count is not None:
        share, basis = by_count, "of included services"
    else:
        return 0.0, "no included service"
    return min(1.0, share / aim), f"{share:.0%} strategic {basis} / {aim:.0%} aim"


def _objectives(charter: Charter) -> tuple[float, str]:
    if not charter.objectives:
        return 0.0, "no objective"
    parts = []
    for objective in charter.objectives:
        kpi_fields = _mean([
            _mean([kpi.baseline is not None, kpi.target is not None, bool(kpi.owner.strip()),
                   kpi.due is not None])
            for kpi in objective.kpis
        ])
        parts.append(_mean([bool(objective.ties_to), bool(objective.kpis), kpi_fields]))
    ratio = _mean(parts)
    return ratio, f"{ratio:.0%} of tie, KPI and KPI-field checks over {len(parts)} objectives"


def _decisions(charter: Charter) -> tuple[float, str]:
    if not charter.decisions:
        return 0.0, "no decision named"
    sound = sum(len(d.accountable()) == 1 for d in charter.decisions)
    total = len(charter.decisions)
    return sound / total, f"{sound} of {total} decisions with exactly one accountable party"


def _licence(charter: Charter) -> tuple[float, str]:
    licence = charter.licence
    parts = {"authority": 0.5, "access": 0.2, "escalation": 0.3}
    present = {
        "authority": bool(licence.authority.strip()),
        "access": bool(licence.access),
        "escalation": bool(licence.escalation.strip()),
    }
    ratio = sum(weight for name, weight in parts.items() if present[name])
    met = [name for name in parts if present[name]]
    return ratio, ", ".join(met) or "no licence clause"


def _sign_off(charter: Charter) -> tuple[float, str]:
    status = sign_off_status(charter)
    if not status.total:
        return 0.0, "no stakeholder listed"
    ratio = 0.5 * status.share_agreed + 0.5 * status.sponsor_agreed
    sponsor = "sponsor agreed" if status.sponsor_agreed else "sponsor not agreed"
    return ratio, f"{len(status.agreed)} of {status.total} agreed; {sponsor}"


def _upkeep(charter: Charter, findings: list[Finding]) -> tuple[float, str]:
    rules = {f.rule for f in findings}
    review_ok = "review-overdue" not in rules and "no-review-date" not in rules
    ratio = 0.6 * review_ok + 0.2 * bool(charter.cadence) + 0.2 * bool(charter.versions)
    parts = [
        "review date ahead" if review_ok else "review date missing or past",
        f"{len(charter.cadence)} cadence items",
        f"{len(charter.versions)} versions",
    ]
    return ratio, "; ".join(parts)
