"""The charter editor: a step-by-step ipywidgets builder over a :class:`Charter`.

The pieces, one concept each:

- :mod:`.editor`: :class:`CharterEditor` itself: the step frame, next/back, autosave after a
  change, checks and preview refresh;
- :mod:`._statement`: purpose, vision, scope (boundaries) and licence steps;
- :mod:`._portfolio`: services (screening) and objectives with KPIs, picked from the library;
- :mod:`._governance`: decisions (RACI), stakeholders (sign-off), cadence and review steps;
- :mod:`._export`: the export step;
- :mod:`._display`: the checks panel and item tables; :mod:`._fields`: form helpers.
"""

from salesops_nb.views.charter.editor import DEFAULT_PATH, STEPS, CharterEditor

__all__ = ["DEFAULT_PATH", "STEPS", "CharterEditor"]
