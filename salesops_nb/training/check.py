"""Exercise checkers: instant, specific feedback on a participant's answer.

Each checker takes what the participant built (a spec, a 5-Why analysis, a charter, a plan) and
returns a :class:`~salesops_nb.training.feedback.Feedback`: it passes for a good answer and
otherwise says what to fix, where, and how. The judgement is the domain's own: the
segmentation quality measures and rule checks, the 5-Why and charter coaching checks (lint),
the installment planner's checks and metrics. Nothing here re-implements them; the checkers
translate their results into exercise feedback.

>>> from salesops_nb.training import check
>>> check.segmentation(spec, deals)          # doctest: +SKIP
>>> check.five_whys(analysis, deals=deals)   # doctest: +SKIP
>>> check.charter(charter, kpi="Win rate")   # doctest: +SKIP
>>> check.installments(plan)                 # doctest: +SKIP
"""

from __future__ import annotations

from salesops_nb.training._charter import charter
from salesops_nb.training._five_whys import five_whys
from salesops_nb.training._installments import installments
from salesops_nb.training._segmentation import MIN_SEGMENT_SIZE, segmentation, weak_spot

__all__ = ["MIN_SEGMENT_SIZE", "charter", "five_whys", "installments", "segmentation",
           "weak_spot"]
