"""Artefacts with a script payload in every free-text field, still valid models.

The improvement case (:func:`salesops_nb.case.build_case`) gives one of each kind; every string
leaf of its data gets the payload appended, one at a time, kept when the model still validates
and the field is not structural (ids, column names, codes the templates look up).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pydantic

from salesops_nb.case import build_case
from salesops_nb.workspace import Workspace

MARKER = "XSS-MARKER"
PAYLOAD = (
    f"<script>console.log('{MARKER}');alert('{MARKER}')</script>"
    f"<img src=x onerror=\"console.log('{MARKER}');alert(1)\">"
    f"<a href=\"javascript:console.log('{MARKER}')\">click</a>"
    f"<svg onload=\"console.log('{MARKER}')\"></svg>"
    "'\"`|] | ]]) -->"  # breaks out of attributes, Markdown tables, Mermaid labels, comments
)
# Keys whose values the templates use as identifiers, columns or codes: a payload there makes a
# run stop with a clear error (tested elsewhere) instead of showing the text.
STRUCTURAL = {
    "id", "ids", "key", "kind", "column", "columns", "field", "metric", "entity", "outcome",
    "status",
    "period", "by", "unit", "depends_on", "after", "objective", "objectives", "source_column",
    "date_column", "period_column", "segmentation", "analysis", "plan", "charter", "node",
    "parent", "node_id", "stratum", "segment", "group", "groups", "direction", "aggregation",
    "scheme", "method", "type", "op", "operator", "value_column", "level", "confidence",
    "control", "cadence", "format", "query", "url", "link", "currency", "frequency", "role",
    "raci", "maturity", "due", "date", "start", "end", "priority", "stage", "template",
}


def _leaves(node: Any, path: tuple = ()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, (*path, i))
    elif isinstance(node, str):
        yield path


def _set(node: Any, path: tuple, value: str) -> None:
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def _get(node: Any, path: tuple) -> Any:
    for part in path:
        node = node[part]
    return node


def poison(artefact: pydantic.BaseModel) -> tuple[pydantic.BaseModel, int]:
    """The artefact with the payload in every text field it accepts; and how many fields."""
    model = type(artefact)
    data = artefact.model_dump(mode="json", by_alias=True)
    count = 0
    for path in list(_leaves(data)):
        keys = [p for p in path if isinstance(p, str)]
        if not keys or keys[-1] in STRUCTURAL or any(k.endswith("_id") for k in keys[-1:]):
            continue
        original = _get(data, path)
        _set(data, path, f"{original} {PAYLOAD}" if original else PAYLOAD)
        try:
            model.model_validate(data)
        except (pydantic.ValidationError, ValueError, TypeError):
            _set(data, path, original)
            continue
        count += 1
    return model.model_validate(data), count


def poisoned_workspace(root: Path) -> dict[str, int]:
    """Save a poisoned improvement case in ``root``; kind -> number of poisoned fields."""
    case = build_case()
    workspace = Workspace(root)
    counts = {}
    for kind, artefact in case.artefacts.items():
        bad, counts[kind] = poison(artefact)
        workspace.save(bad, case.name)
    return counts


if __name__ == "__main__":  # a quick look: python -m tests.security._payloads /tmp/ws
    import sys

    print(json.dumps(poisoned_workspace(Path(sys.argv[1])), indent=1))
