"""The charter editor: a step-by-step ipywidgets builder over a :class:`Charter`.

One step per charter section (plus an export step), a progress bar, next/back, pickers that
copy services, objectives, KPIs and decisions from the starter library, a checks panel (maturity
score and coaching findings) and a preview that follow every keystroke, autosave to the
workspace after every change, and export buttons. Thin by design: each event sets a model field
or calls one function of :mod:`salesops_nb.charter.edit`; everything here can be done headless.

>>> editor = CharterEditor("salesops-workspace/charter/main.json")  # doctest: +SKIP
>>> editor  # shows the editor in JupyterLab                       # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from html import escape

import ipywidgets as w
import pydantic

from salesops_nb.charter import edit
from salesops_nb.charter._tables import (
    boundaries_table,
    cadence_table,
    raci_table,
    screening_rows,
    stakeholder_table,
    versions_table,
)
from salesops_nb.charter.library import load_library
from salesops_nb.charter.lint import LintConfig
from salesops_nb.charter.maturity import MaturityReport, maturity
from salesops_nb.charter.model import SECTIONS, Charter
from salesops_nb.charter.render_html import to_html
from salesops_nb.charter.screening import sign_off_status
from salesops_nb.errors import SalesOpsError
from salesops_nb.views._common import QuietSwitch, action_button, save_artefact, show_status
from salesops_nb.views.charter._display import _checks_html, _table_html
from salesops_nb.views.charter._export import _ExportStep
from salesops_nb.views.charter._fields import _options
from salesops_nb.views.charter._governance import _GovernanceSteps
from salesops_nb.views.charter._portfolio import _PortfolioSteps
from salesops_nb.views.charter._statement import _StatementSteps
from salesops_nb.workspace import DEFAULT_ROOT, locate

__all__ = ["DEFAULT_PATH", "STEPS", "CharterEditor"]

DEFAULT_PATH = f"{DEFAULT_ROOT}/charter/main.json"
#: (key, title) of each step: the charter's sections, then the export.
STEPS: tuple[tuple[str, str], ...] = (*SECTIONS, ("export", "Export"))


class CharterEditor(_StatementSteps, _PortfolioSteps, _GovernanceSteps, _ExportStep,
                    w.VBox):
    """Draft a strategic functional charter step by step; autosaves to ``path`` on every change.

    Parameters
    ----------
    path
        The charter file, ``<workspace>/charter/<name>.json``; loaded if it exists.
    charter
        Start from this charter instead of the file (e.g. the worked example); saved on the
        first change.
    organisation
        Organisation name for a new charter (ignored when one is loaded).
    config
        Thresholds of the coaching checks.
    """

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_PATH, *,
                 charter: Charter | None = None, organisation: str = "",
                 config: LintConfig | None = None) -> None:
        self.workspace, self.name = locate(path, Charter)
        self.path = self.workspace.path_for(Charter, self.name)
        if charter is None and self.workspace.exists(Charter, self.name):
            charter = self.workspace.load(Charter, self.name)
        self.charter: Charter = charter or Charter(organisation=organisation)
        self.config = config
        self.report: MaturityReport | None = None
        self.step = 0
        self._loading = QuietSwitch()
        self.library = load_library()
        self.buttons: dict[str, w.Button] = {}
        self._build()
        super().__init__(children=[self.header, self.body, self.nav, self.message,
                                   w.HBox([self.checks, self.preview])])
        self._load_fields()
        self._show_step(0)
        self._refresh()

    # -- navigation -------------------------------------------------------------------------------

    def go(self, step: int | str) -> None:
        """Show step ``step`` (an index or a key of :data:`STEPS`)."""
        keys = [key for key, _ in STEPS]
        index = keys.index(step) if isinstance(step, str) else int(step)
        self._show_step(max(0, min(index, len(STEPS) - 1)))

    def _show_step(self, index: int) -> None:
        self.step = index
        key, title = STEPS[index]
        self.progress.value = index + 1
        self.progress_label.value = (f"<b>Step {index + 1} of {len(STEPS)}:</b> "
                                     f"{escape(title)}")
        self.body.children = [self.panels[key]]
        self.back.disabled = index == 0
        self.next.disabled = index == len(STEPS) - 1

    # -- the model changed: checks, preview, autosave ---------------------------------------------

    def _changed(self) -> None:
        self._refresh()
        where = save_artefact(self.workspace, self.charter, self.name, self.message)
        if where is not None:
            self._say(f"Saved {datetime.now():%H:%M:%S} to {where}")

    def _refresh(self) -> None:
        self.report = maturity(self.charter, self.config)
        self.checks.value = _checks_html(self.report)
        self.preview.value = to_html(self.charter, fragment=True, chart=False)
        self._refresh_lists()

    def _apply(self, change: Callable[[], object]) -> bool:
        """Run one change to the charter; a refused value becomes a message, not a traceback."""
        try:
            change()
        except (SalesOpsError, pydantic.ValidationError, ValueError) as err:
            self._say(err, error=True)
            return False
        self._changed()
        return True

    def _bind(self, widget: w.ValueWidget, setter: Callable[[object], None]) -> None:
        def on_change(change) -> None:
            if not self._loading:
                self._apply(lambda: setter(change["new"]))
        widget.observe(on_change, names="value")

    def _button(self, label: str, icon: str, handler: Callable[[], object]) -> w.Button:
        # Kept by label in ``buttons`` so code (and tests) can click them.
        button = action_button(label, icon, handler)
        self.buttons[label] = button
        return button

    def _quiet(self) -> QuietSwitch:
        """Set widget values from the model without writing them back (nesting is fine)."""
        return self._loading

    def _say(self, message: object, *, error: bool = False) -> None:
        show_status(self.message, message, error=error)

    # -- building the widgets ---------------------------------------------------------------------

    def _build(self) -> None:
        self.progress = w.IntProgress(min=0, max=len(STEPS), value=1, layout=w.Layout(
            width="300px"))
        self.progress_label = w.HTML()
        self.header = w.VBox([w.HTML("<h3>Strategic functional charter</h3>"),
                              w.HBox([self.progress, self.progress_label])])
        self.back = self._button("Back", "arrow-left", lambda: self.go(self.step - 1))
        self.next = self._button("Next", "arrow-right", lambda: self.go(self.step + 1))
        self.nav = w.HBox([self.back, self.next])
        self.message = w.HTML()
        self.checks = w.HTML(layout=w.Layout(width="40%"))
        self.preview = w.HTML(layout=w.Layout(width="58%", max_height="600px",
                                              overflow="auto", border="1px solid #ddd"))
        self.body = w.Box(layout=w.Layout(padding="6px 0"))
        self.panels = {
            "purpose": self._purpose_panel(), "vision": self._vision_panel(),
            "scope": self._scope_panel(), "services": self._services_panel(),
            "objectives": self._objectives_panel(), "decisions": self._decisions_panel(),
            "stakeholders": self._stakeholders_panel(), "licence": self._licence_panel(),
            "cadence": self._cadence_panel(), "review": self._review_panel(),
            "export": self._export_panel(),
        }

    # -- loading values into the fields -----------------------------------------------------------

    def _load_fields(self) -> None:
        c = self.charter
        with self._quiet():
            self.organisation.value, self.function_name.value = c.organisation, c.function_name
            self.purpose.value, self.mission.value, self.vision.value = (
                c.purpose, c.mission, c.vision)
            self.in_scope.value = "\n".join(c.scope.in_scope)
            self.out_of_scope.value = "\n".join(c.scope.out_of_scope)
            self.authority.value = c.licence.authority
            self.access.value = "\n".join(c.licence.access)
            self.escalation.value = c.licence.escalation
            self.review_date.value = c.review_date

    def _refresh_lists(self) -> None:
        c = self.charter
        with self._quiet():
            _options(self.boundary_pick, [f"{b.area} ({b.function}): {b.stance}"
                                          for b in c.scope.boundaries])
            _options(self.service_pick, [s.name for s in c.services])
            _options(self.objective_pick, [o.title for o in c.objectives])
            _options(self.decision_pick, [d.name for d in c.decisions])
            _options(self.person_pick, [p.name for p in c.stakeholders])
            _options(self.cadence_pick, [f"{i.name} ({i.frequency})" for i in c.cadence])
        self._load_service()
        self._load_objective()
        self._load_person()
        self.boundary_table.value = _table_html(boundaries_table(c))
        self.screening_view.value = _table_html(screening_rows(c))
        self.raci_view.value = _table_html(raci_table(c))
        status = sign_off_status(c)
        self.tracker.value = (f"<p>{len(status.agreed)} of {status.total} agreed; sponsor "
                              f"{'agreed' if status.sponsor_agreed else 'not agreed'}.</p>"
                              + _table_html(stakeholder_table(c)))
        self.cadence_view.value = _table_html(cadence_table(c))
        self.versions_view.value = _table_html(versions_table(c))

    # -- the selected item ------------------------------------------------------------------------

    @staticmethod
    def _selected(picker: w.Dropdown, items: list):
        index = picker.value
        return items[index] if index is not None and 0 <= index < len(items) else None

    def _kpi(self):
        objective = self._selected(self.objective_pick, self.charter.objectives)
        return self._selected(self.kpi_pick, objective.kpis) if objective else None

    def _need(self, item, what: str):
        if item is None:
            raise ValueError(f"Add or pick a {what} first.")
        return item

    # -- removing items ---------------------------------------------------------------------------

    def _remove(self, section: str, picker: w.Dropdown) -> None:
        if picker.value is not None:
            self._apply(lambda: edit.remove_item(self.charter, section, picker.value))

    def _remove_nested(self, picker: w.Dropdown, store, items: list) -> None:
        if picker.value is not None:
            self._apply(lambda: store([x for i, x in enumerate(items) if i != picker.value]))
