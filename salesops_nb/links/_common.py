"""What the link modules share: the kinds, the error, loading a target, listing names."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from salesops_nb.errors import LinkError, SalesOpsError
from salesops_nb.workspace import Workspace

#: The artefact kinds of the four fundamentals, in the order of the improvement case.
KINDS = ("segmentation", "five_whys", "installments", "charter")
SHARE_METRICS = {"win_rate", "avg_discount"}


def artefact_models() -> dict[str, type]:
    """The artefact class of each kind in :data:`KINDS` (imported on call: no import cycle)."""
    from salesops_nb.charter.model import Charter
    from salesops_nb.five_whys.model import WhyAnalysis
    from salesops_nb.installments.model import InstallmentPlan
    from salesops_nb.segmentation.spec import SegmentationSpec

    return {"segmentation": SegmentationSpec, "five_whys": WhyAnalysis,
            "installments": InstallmentPlan, "charter": Charter}


def find_objective(charter: Any, key: str) -> Any:
    """The objective whose library id or title is ``key`` (case-insensitive), or None."""
    wanted = key.strip().lower()
    for objective in charter.objectives:
        if wanted in {(objective.library_id or "").lower(), objective.title.strip().lower()}:
            return objective
    return None


def objective_keys(charter: Any) -> list[str]:
    """How each objective of ``charter`` can be named in a link."""
    return [o.library_id or o.title for o in charter.objectives]


def load_target(workspace: Workspace, model: type, name: str, holder: str) -> Any:
    """Load the artefact a link of ``holder`` points at, or raise a LinkError saying why not."""
    if not workspace.exists(model, name):
        raise LinkError(f"{holder} links to {model.kind} '{name}', which is not in "
                        f"{workspace.root}.",
                        hint=f"Save a {model.kind} named '{name}' or change the link.")
    try:
        return workspace.load(model, name)
    except SalesOpsError as err:
        raise LinkError(f"{holder} links to {model.kind} '{name}', which cannot be read: "
                        f"{err.message}", hint=err.hint) from err


def format_metric(metric: str, value: float, *, points: bool = False) -> str:
    """A metric value as a reader sees it (shares in percent; ``points`` for a gap)."""
    if metric in SHARE_METRICS:
        return f"{value * 100:.1f} pts" if points else f"{value:.1%}"
    return f"{value:,.1f}"


def listing(values: Iterable[str], limit: int = 15) -> str:
    """Quoted, de-duplicated values for a hint, cut after ``limit``."""
    values = list(dict.fromkeys(values))
    shown = ", ".join(repr(v) for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "") \
        if values else "none"
