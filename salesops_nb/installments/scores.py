"""Priority scores of backlog items: WSJF (the default), CD3 and RICE.

Every input of a score is a field of :class:`~salesops_nb.installments.model.ImprovementItem`, so
a score can be recomputed and its arithmetic shown (:func:`explain_score`).

- **WSJF** (weighted shortest job first): cost of delay / job size, with the cost of delay the sum
  of business value, time criticality and risk reduction (relative numbers) and the job size the
  delivery effort. When no cost-of-delay part is filled in, the item's value per period stands in.
- **CD3** (cost of delay divided by duration): value per period / duration in periods. For one
  lane and independent items, ordering by CD3 is Smith's rule, optimal for the value delivered.
- **RICE**: reach x impact x confidence / effort (reach and impact default to 1 when missing).
"""

from __future__ import annotations

from typing import get_args

from salesops_nb.errors import ParameterError
from salesops_nb.installments.model import ImprovementItem, ScoreMethod

__all__ = ["SCORE_METHODS", "cost_of_delay", "explain_score", "score"]

SCORE_METHODS: tuple[str, ...] = get_args(ScoreMethod)


def cost_of_delay(item: ImprovementItem) -> float:
    """Business value + time criticality + risk reduction, or the value per period if all are 0."""
    parts = item.business_value + item.time_criticality + item.risk_reduction
    return parts if parts > 0 else item.value_per_period


def score(item: ImprovementItem, method: str = "wsjf") -> float:
    """Score ``item`` with ``method`` ("wsjf", "cd3" or "rice"); higher goes first.

    >>> score(ImprovementItem(id="a", title="A", business_value=8, time_criticality=5,
    ...                       risk_reduction=3, effort=4))
    4.0
    """
    if method == "wsjf":
        return cost_of_delay(item) / item.effort
    if method == "cd3":
        return item.value_per_period / item.duration
    if method == "rice":
        reach = 1.0 if item.reach is None else item.reach
        impact = 1.0 if item.impact is None else item.impact
        return reach * impact * item.confidence / item.effort
    raise ParameterError(
        f"{method!r} is not a score method.",
        hint=f"Use one of {', '.join(SCORE_METHODS)} (wsjf is the default).",
    )


def explain_score(item: ImprovementItem, method: str = "wsjf") -> str:
    """The score of ``item`` with its arithmetic, e.g. "WSJF = (8 + 5 + 3) / 4 = 4".

    >>> explain_score(ImprovementItem(id="a", title="A", value_per_period=600, duration=3),
    ...               "cd3")
    'CD3 = value per period 600 / duration 3 = 200'
    """
    value = score(item, method)
    if method == "wsjf":
        parts = item.business_value + item.time_criticality + item.risk_reduction
        if parts > 0:
            delay = (f"({_n(item.business_value)} + {_n(item.time_criticality)} + "
                     f"{_n(item.risk_reduction)})")
        else:
            delay = f"value per period {_n(item.value_per_period)}"
        return f"WSJF = cost of delay {delay} / effort {_n(item.effort)} = {_n(value)}"
    if method == "cd3":
        return (f"CD3 = value per period {_n(item.value_per_period)} / duration "
                f"{item.duration} = {_n(value)}")
    reach = 1.0 if item.reach is None else item.reach
    impact = 1.0 if item.impact is None else item.impact
    return (f"RICE = reach {_n(reach)} x impact {_n(impact)} x confidence "
            f"{_n(item.confidence)} / effort {_n(item.effort)} = {_n(value)}")


def _n(number: float) -> str:
    return f"{number:,.3g}" if abs(number) < 1000 else f"{number:,.0f}"
