"""The why-tree as an SVG drawn in Python: it shows in any browser, offline, with no script.

Mermaid draws nicely in JupyterLab, but nbconvert's HTML loads Mermaid from a CDN, so in a
report opened offline the diagram would stay raw text. This module lays the tree out itself
(each "why?" one level further from the problem, leaves side by side and parents centred on
their children) and writes plain SVG; every piece of user text is XML-escaped. A 5-Why tree is
usually deep and narrow, so by default it grows downwards when that makes the picture narrower
(it fits a report page) and to the right otherwise.

Colours: grey = hypothesis, green = supported, red and dashed = refuted; a thick blue border
marks a root cause; the problem is orange.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from html import escape

from salesops_nb.five_whys.model import WhyAnalysis, WhyNode

__all__ = ["tree_svg"]

_BOX_W, _BOX_H = 230, 96
_GAP_LEVEL, _GAP_SIDE = 40, 16  # between levels of "why?", between neighbours
_MARGIN = 12
_WRAP, _LINES = 31, 4
_FONT = "font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif"
_STYLE = {
    "problem": ("#fff3e0", "#ef6c00", ""),
    "hypothesis": ("#f5f5f5", "#9e9e9e", ""),
    "supported": ("#e8f5e9", "#2e7d32", ""),
    "refuted": ("#fdecea", "#c62828", "6 4"),
}
_ROOT_STROKE = "#1565c0"


@dataclass
class _Box:
    key: str
    depth: int
    slot: float  # position among the leaves (parents sit between their children)
    node: WhyNode | None
    x: float = 0.0
    y: float = 0.0


def tree_svg(analysis: WhyAnalysis, *, direction: str = "auto") -> str:
    """Draw ``analysis`` as a standalone ``<svg>`` element (a string).

    ``direction`` is ``"LR"`` (problem on the left), ``"TB"`` (problem on top) or ``"auto"``
    (whichever gives the narrower picture). The size follows the tree: one level per "why?",
    one slot per leaf. Each box
    shows the level, node id and status, the answer (wrapped; the full text is in the box's
    tooltip), how much evidence backs it and, for root causes, the countermeasures.

    Examples
    --------
    >>> svg = tree_svg(analysis)  # doctest: +SKIP
    >>> svg.startswith("<svg")
    True
    """
    boxes = _layout(analysis)
    levels = max(b.depth for b in boxes.values()) + 1
    slots = int(max(b.slot for b in boxes.values())) + 1
    if direction == "auto":
        direction = "TB" if slots * (_BOX_W + _GAP_SIDE) < levels * (_BOX_W + _GAP_LEVEL) \
            else "LR"
    if direction not in ("LR", "TB"):
        raise ValueError(f"direction must be 'LR', 'TB' or 'auto', not {direction!r}")
    across = direction == "LR"
    for box in boxes.values():
        box.x, box.y = _xy(box, across)
    if across:
        width = _MARGIN * 2 + levels * _BOX_W + (levels - 1) * _GAP_LEVEL
        height = _MARGIN * 2 + slots * _BOX_H + (slots - 1) * _GAP_SIDE + 22
    else:
        width = _MARGIN * 2 + slots * _BOX_W + (slots - 1) * _GAP_SIDE
        height = _MARGIN * 2 + levels * _BOX_H + (levels - 1) * _GAP_LEVEL + 22
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="salesops-why-tree" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="{escape("5-Why tree: " + analysis.problem.statement())}" '
        f'style="{_FONT};background:#fff">'
    ]
    for box in boxes.values():  # edges first, so boxes sit on top of them
        if box.node is not None:
            parent = boxes[box.node.parent or "problem"]
            parts.append(_edge(parent, box, across))
    for box in boxes.values():
        parts.append(_box(box, analysis))
    parts.append(_legend(height - 14))
    parts.append("</svg>")
    return "\n".join(parts)


def _layout(analysis: WhyAnalysis) -> dict[str, _Box]:
    boxes: dict[str, _Box] = {}
    next_row = [0.0]

    def place(node: WhyNode | None, depth: int) -> float:
        key = node.id if node else "problem"
        children = analysis.children(node.id if node else None)
        if children:
            ys = [place(child, depth + 1) for child in children]
            y = (ys[0] + ys[-1]) / 2
        else:
            y = next_row[0]
            next_row[0] += 1
        boxes[key] = _Box(key, depth, y, node)
        return y

    place(None, 0)
    return boxes


def _xy(box: _Box, across: bool) -> tuple[float, float]:
    if across:
        return (_MARGIN + box.depth * (_BOX_W + _GAP_LEVEL),
                _MARGIN + box.slot * (_BOX_H + _GAP_SIDE))
    return (_MARGIN + box.slot * (_BOX_W + _GAP_SIDE),
            _MARGIN + box.depth * (_BOX_H + _GAP_LEVEL))


def _edge(parent: _Box, child: _Box, across: bool) -> str:
    if across:
        x1, y1 = parent.x + _BOX_W, parent.y + _BOX_H / 2
        x2, y2 = child.x, child.y + _BOX_H / 2
        middle = (x1 + x2) / 2
        curve = f"C{middle:.1f},{y1:.1f} {middle:.1f},{y2:.1f}"
    else:
        x1, y1 = parent.x + _BOX_W / 2, parent.y + _BOX_H
        x2, y2 = child.x + _BOX_W / 2, child.y
        middle = (y1 + y2) / 2
        curve = f"C{x1:.1f},{middle:.1f} {x2:.1f},{middle:.1f}"
    return (f'<path class="edge" d="M{x1:.1f},{y1:.1f} {curve} {x2:.1f},{y2:.1f}" '
            'fill="none" stroke="#90a4ae" stroke-width="1.5"/>')


def _box(box: _Box, analysis: WhyAnalysis) -> str:
    x, y = box.x, box.y
    node = box.node
    if node is None:
        style, header = "problem", "PROBLEM"
        text, footer, tooltip = analysis.problem.what or analysis.problem.statement(), \
            analysis.problem.how_big, analysis.problem.statement()
    else:
        style = node.status
        header = f"WHY {analysis.depth(node.id)} · {node.id} · {node.status.upper()}"
        text, tooltip = node.answer, node.answer
        footer = _footer(node)
    fill, stroke, dash = _STYLE[style]
    width = "1.5"
    if node is not None and node.root_cause:
        stroke, width = _ROOT_STROKE, "3.5"
        header = "ROOT CAUSE · " + header
    lines = textwrap.wrap(" ".join(text.split()), _WRAP) or [""]
    if len(lines) > _LINES:
        lines = [*lines[: _LINES - 1], lines[_LINES - 1][: _WRAP - 1] + "…"]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    css = "node root-cause" if node is not None and node.root_cause else "node"
    out = [f'<g class="{css} {style}" data-node="{escape(box.key)}">',
           f"<title>{escape(tooltip)}</title>",
           f'<rect x="{x:.1f}" y="{y:.1f}" width="{_BOX_W}" height="{_BOX_H}" rx="6" '
           f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash_attr}/>',
           f'<text x="{x + 8:.1f}" y="{y + 14:.1f}" font-size="9.5" fill="#546e7a" '
           f'font-weight="600">{escape(header)}</text>']
    for index, line in enumerate(lines):
        out.append(f'<text x="{x + 8:.1f}" y="{y + 30 + index * 14:.1f}" font-size="12" '
                   f'fill="#212121">{escape(line)}</text>')
    if footer:
        out.append(f'<text x="{x + 8:.1f}" y="{y + _BOX_H - 7:.1f}" font-size="9.5" '
                   f'fill="#37474f">{escape(_clip(footer, 42))}</text>')
    out.append("</g>")
    return "\n".join(out)


def _footer(node: WhyNode) -> str:
    parts = []
    if node.evidence:
        verified = sum(e.verified for e in node.evidence)
        parts.append(f"{len(node.evidence)} evidence, {verified} verified")
    else:
        parts.append("no evidence")
    if node.root_cause:
        count = len(node.countermeasures)
        parts.append(f"{count} countermeasure{'' if count == 1 else 's'}")
    return " · ".join(parts)


def _legend(y: float) -> str:
    items = [("hypothesis", "hypothesis"), ("supported", "supported"), ("refuted", "refuted")]
    out = ['<g class="legend" font-size="10" fill="#455a64">']
    x = _MARGIN
    for style, label in items:
        fill, stroke, dash = _STYLE[style]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<rect x="{x}" y="{y - 9:.1f}" width="14" height="10" fill="{fill}" '
                   f'stroke="{stroke}"{dash_attr}/>')
        out.append(f'<text x="{x + 18}" y="{y:.1f}">{label}</text>')
        x += 90
    out.append(f'<rect x="{x}" y="{y - 9:.1f}" width="14" height="10" fill="#fff" '
               f'stroke="{_ROOT_STROKE}" stroke-width="2.5"/>')
    out.append(f'<text x="{x + 18}" y="{y:.1f}">root cause</text>')
    out.append("</g>")
    return "\n".join(out)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
