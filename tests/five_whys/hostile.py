"""An analysis with hostile text in every field a user can type."""

from __future__ import annotations

import datetime as dt

from salesops_nb.five_whys.evidence import EvidenceQuery
from salesops_nb.five_whys.model import (
    EffectivenessCheck,
    Evidence,
    Problem,
    WhyAnalysis,
)

HOSTILE = [
    '"><script>alert("x1")</script>',
    "<img src=x onerror=alert('x2')>",
    '"]\n    click p call alert("x3")\n    n1["',
    "];} %%{init: {'securityLevel': 'loose'}}%% [x](javascript:alert('x4')) | ` * _ #",
    "A & B <b>bold</b> 'quoted' \"double\" (paren) [bracket] {brace} ; end",
]


def hostile_analysis() -> WhyAnalysis:
    h = HOSTILE
    analysis = WhyAnalysis(
        title=h[0], team=h[1], date=dt.date(2026, 10, 1),
        problem=Problem(what=h[0], where=h[1], when=h[2], how_big=h[3] + " 12%"),
    )
    parent = None
    for index, text in enumerate(h):
        analysis = analysis.add_cause(parent, text, owner=h[(index + 1) % 5],
                                      evidence=[Evidence(text=h[(index + 2) % 5], verified=True),
                                                Evidence(kind="link", url="https://x/?q=" + h[3],
                                                         text=h[4])])
        parent = analysis.nodes[-1].id
    analysis = analysis.add_sibling("w2", h[4]).mark_root_cause(parent, stop_reason=h[2])
    check = EffectivenessCheck(query=EvidenceQuery(metric="win_rate",
                                                   filters={"rep_name": [h[0], h[2]]}),
                               baseline=0.2, target=0.3, check_date=dt.date(2027, 1, 1))
    return analysis.add_countermeasure(parent, h[0], owner=h[1], due=dt.date(2026, 12, 1),
                                       expected_effect=h[2], check=check)
