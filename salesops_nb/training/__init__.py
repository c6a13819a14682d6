"""Training helpers: exercise checkers with instant feedback, and hints revealed on request.

Trainers' exercise cells call the checkers on what a participant built; each returns a
:class:`Feedback` that draws itself in the notebook and is testable (``passed``, ``messages``).

>>> from salesops_nb.training import check, hints
from salesops_nb.training.explore import win_rate_change
>>> check.segmentation(spec, deals)       # doctest: +SKIP
>>> hints.show("segmentation")            # doctest: +SKIP

Nothing here imports Jupyter: feedback and hints are plain objects with ``_repr_html_``.
"""

from __future__ import annotations

from salesops_nb.training import check, hints
from salesops_nb.training.explore import win_rate_change
from salesops_nb.training.feedback import Feedback, Note
from salesops_nb.training.hints import Hint, Hints, hint

__all__ = ["Feedback", "Hint", "Hints", "Note", "check", "hint", "hints", "win_rate_change"]
