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

import contextlib
import os
from collections.abc import Callable
from datetime import datetime
from html import escape
from pathlib import Path

import ipywidgets as w
import pydantic

from salesops_nb.charter import edit
from salesops_nb.charter._tables import (
    Table,
    boundaries_table,
    cadence_table,
    kpi_table,
    raci_table,
    screening_rows,
    stakeholder_table,
    versions_table,
)
from salesops_nb.charter.exports import FORMATS, export
from salesops_nb.charter.library import load_library
from salesops_nb.charter.lint import LintConfig
from salesops_nb.charter.maturity import MaturityReport, maturity
from salesops_nb.charter.model import (
    ADJACENT_FUNCTIONS,
    RACI_ROLES,
    SECTIONS,
    SERVICE_CLASSES,
    Boundary,
    CadenceItem,
    Charter,
    Objective,
    Service,
    Stakeholder,
)
from salesops_nb.charter.render_html import to_html
from salesops_nb.charter.screening import OUTCOME_LABELS, sign_off_status, suggest
from salesops_nb.errors import SalesOpsError
from salesops_nb.views._common import action_button, save_artefact, show_status, text_field
from salesops_nb.workspace import DEFAULT_ROOT, locate

__all__ = ["DEFAULT_PATH", "STEPS", "CharterEditor"]

DEFAULT_PATH = f"{DEFAULT_ROOT}/charter/main.json"
#: (key, title) of each step: the charter's sections, then the export.
STEPS: tuple[tuple[str, str], ...] = (*SECTIONS, ("export", "Export"))
_WIDE = w.Layout(width="98%")
_TALL = w.Layout(width="98%", height="90px")
_YES_NO = [("?", None), ("yes", True), ("no", False)]


class CharterEditor(w.VBox):
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
        self._loading = False
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

    @contextlib.contextmanager
    def _quiet(self):
        """Set widget values from the model without writing them back (nesting is fine)."""
        previous, self._loading = self._loading, True
        try:
            yield
        finally:
            self._loading = previous

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

    def _purpose_panel(self) -> w.VBox:
        c = self.charter
        self.organisation = text_field("Organisation", "e.g. Harbour Instruments")
        self.function_name = text_field("Function", "Sales Operations")
        self.purpose = _area("Purpose", "Why the function exists: to improve the whole selling "
                             "system for more revenue and profit")
        self.mission = _area("Mission", "What it does, day to day, to get there")
        self._bind(self.organisation, lambda v: setattr(c, "organisation", v))
        self._bind(self.function_name, lambda v: setattr(c, "function_name", v))
        self._bind(self.purpose, lambda v: setattr(c, "purpose", v))
        self._bind(self.mission, lambda v: setattr(c, "mission", v))
        return w.VBox([self.organisation, self.function_name, self.purpose, self.mission])

    def _vision_panel(self) -> w.VBox:
        self.vision = _area("Vision", "The selling system you are building: what sellers, "
                            "managers and customers will notice")
        self._bind(self.vision, lambda v: setattr(self.charter, "vision", v))
        return w.VBox([self.vision])

    def _scope_panel(self) -> w.VBox:
        scope = self.charter.scope
        self.in_scope = _area("In scope", "One item per line")
        self.out_of_scope = _area("Out of scope", "One item per line")
        self._bind(self.in_scope, lambda v: setattr(scope, "in_scope", _lines(v)))
        self._bind(self.out_of_scope, lambda v: setattr(scope, "out_of_scope", _lines(v)))
        self.b_function = w.Combobox(options=list(ADJACENT_FUNCTIONS), description="Function",
                                     placeholder="Finance")
        self.b_area = text_field("Area", "e.g. Pricing and discount policy")
        self.b_stance = w.Dropdown(options=["owns", "influences", "supports"],
                                   value="influences", description="Sales ops")
        self.b_note = text_field("Note", "how the two functions work together")
        add = self._button("Add boundary", "plus", self._on_add_boundary)
        suggested = self._button("Add the library's boundaries", "book",
                                 self._on_library_boundaries)
        self.boundary_pick = w.Dropdown(description="Boundary", layout=_WIDE)
        remove = self._button("Remove boundary", "trash", lambda: self._remove_nested(
            self.boundary_pick, lambda items: setattr(scope, "boundaries", items),
            scope.boundaries))
        self.boundary_table = w.HTML()
        return w.VBox([self.in_scope, self.out_of_scope,
                       w.HTML("<b>Owns / influences / supports, with adjacent functions</b>"),
                       w.HBox([self.b_function, self.b_stance]), self.b_area, self.b_note,
                       w.HBox([add, suggested]), w.HBox([self.boundary_pick, remove]),
                       self.boundary_table])

    def _services_panel(self) -> w.VBox:
        self.service_library = w.SelectMultiple(
            options=[(f"[{s.service_class}] {s.name}", s.library_id)
                     for s in self.library.services()],
            description="Library", rows=10, layout=_WIDE)
        add = self._button("Add selected services", "plus", self._on_add_services)
        self.s_name = text_field("New service", "a service not in the library")
        add_own = self._button("Add own service", "plus", self._on_add_own_service)
        self.service_pick = w.Dropdown(description="Service", layout=_WIDE)
        self.service_pick.observe(lambda _: self._load_service(), names="value")
        self.s_class = w.Dropdown(options=list(SERVICE_CLASSES), description="Class")
        self.s_customer = text_field("Customer", "who the service is for")
        self.s_capacity = w.Text(description="Capacity %", placeholder="share of team time")
        self.s_answers = {
            "informs_decisions": w.Dropdown(options=_YES_NO, description="Insight?"),
            "reach": w.Dropdown(options=[("?", None), ("many", "many"), ("few", "few")],
                                description="Sellers"),
            "helps_perform": w.Dropdown(options=_YES_NO, description="Helps sell?"),
            "better_elsewhere": w.Dropdown(options=_YES_NO, description="Elsewhere?"),
        }
        self.s_decision = w.Dropdown(
            options=[("follow the suggestion", None), *[(v, k) for k, v in
                                                        OUTCOME_LABELS.items()]],
            description="Decision")
        self.s_outcome = w.HTML()
        self._bind(self.s_class, lambda v: self._set_service("service_class", v))
        self._bind(self.s_customer, lambda v: self._set_service("customer", v))
        self._bind(self.s_capacity, lambda v: self._set_service("capacity_pct", _number(v)))
        for field, widget in self.s_answers.items():
            self._bind(widget, lambda v, f=field: self._set_screening(f, v))
        self._bind(self.s_decision, lambda v: self._set_screening("decision", v))
        remove = self._button("Remove service", "trash", lambda: self._remove(
            "services", self.service_pick))
        self.screening_view = w.HTML()
        questions = ("Screening: does it produce insight used in sales decisions? Many sellers "
                     "or few? Does it help sales perform? Better done elsewhere?")
        return w.VBox([self.service_library, add, w.HBox([self.s_name, add_own]),
                       self.service_pick, w.HTML(f"<i>{questions}</i>"),
                       w.HBox([self.s_class, self.s_capacity]), self.s_customer,
                       w.HBox(list(self.s_answers.values())[:2]),
                       w.HBox(list(self.s_answers.values())[2:]),
                       w.HBox([self.s_decision, self.s_outcome]), remove, self.screening_view])

    def _objectives_panel(self) -> w.VBox:
        self.objective_library = w.Dropdown(
            options=[(o.title, o.library_id) for o in self.library.objectives()],
            description="Library", layout=_WIDE)
        add = self._button("Add objective with its KPIs", "plus", self._on_add_objective)
        self.o_title = text_field("New objective", "an objective not in the library")
        add_own = self._button("Add own objective", "plus", self._on_add_own_objective)
        self.objective_pick = w.Dropdown(description="Objective", layout=_WIDE)
        self.objective_pick.observe(lambda _: self._load_objective(), names="value")
        self.o_ties = w.Dropdown(options=[("not tied", ""), "revenue", "profit",
                                          "revenue and profit"], description="Ties to")
        self._bind(self.o_ties, lambda v: self._set_objective("ties_to", v))
        self.kpi_library = w.Dropdown(options=[(k.name, k.library_id)
                                               for k in self.library.kpis()],
                                      description="KPI library")
        add_kpi = self._button("Add KPI", "plus", self._on_add_kpi)
        self.kpi_pick = w.Dropdown(description="KPI", layout=_WIDE)
        self.kpi_pick.observe(lambda _: self._load_kpi(), names="value")
        self.k_fields = {
            "baseline": w.Text(description="Baseline", placeholder="value today"),
            "target": w.Text(description="Target"),
            "due": w.DatePicker(description="Due"),
            "owner": text_field("Owner", "who answers for it"),
            "data_source": text_field("Data source", "system and report"),
        }
        for field, widget in self.k_fields.items():
            convert = _number if field in ("baseline", "target") else (lambda v: v)
            self._bind(widget, lambda v, f=field, c=convert: self._set_kpi(f, c(v)))
        remove = self._button("Remove objective", "trash", lambda: self._remove(
            "objectives", self.objective_pick))
        self.kpi_view = w.HTML()
        return w.VBox([w.HBox([self.objective_library, add]), w.HBox([self.o_title, add_own]),
                       self.objective_pick, self.o_ties, w.HBox([self.kpi_library, add_kpi]),
                       self.kpi_pick, w.HBox([self.k_fields["baseline"], self.k_fields["target"],
                                              self.k_fields["due"]]),
                       self.k_fields["owner"], self.k_fields["data_source"], remove,
                       self.kpi_view])

    def _decisions_panel(self) -> w.VBox:
        self.decision_library = w.Dropdown(
            options=[(d.name, d.library_id) for d in self.library.decisions()],
            description="Library")
        add = self._button("Add decision", "plus", self._on_add_decision)
        self.decision_pick = w.Dropdown(description="Decision", layout=_WIDE)
        self.party = w.Combobox(description="Party", placeholder="e.g. Finance",
                                options=list(ADJACENT_FUNCTIONS))
        self.role = w.Dropdown(options=[*[(f"{k}: {v}", k) for k, v in RACI_ROLES.items()],
                                        ("remove", None)], description="Role")
        set_role = self._button("Set role", "check", self._on_set_role)
        remove = self._button("Remove decision", "trash", lambda: self._remove(
            "decisions", self.decision_pick))
        self.raci_view = w.HTML()
        return w.VBox([w.HBox([self.decision_library, add]), self.decision_pick,
                       w.HBox([self.party, self.role, set_role]), remove, self.raci_view])

    def _stakeholders_panel(self) -> w.VBox:
        self.p_name = text_field("Name", "a go-to-market leader")
        self.p_role = text_field("Role", "e.g. Chief financial officer")
        self.p_function = text_field("Function", "e.g. Finance")
        self.p_sponsor = w.Checkbox(description="Sponsor", indent=False)
        add = self._button("Add stakeholder", "plus", self._on_add_stakeholder)
        self.person_pick = w.Dropdown(description="Stakeholder", layout=_WIDE)
        self.person_pick.observe(lambda _: self._load_person(), names="value")
        self.sign_off = w.Dropdown(options=["pending", "agreed", "agreed with changes",
                                            "declined"], description="Sign-off")
        self.signed_on = w.DatePicker(description="Signed on")
        self.p_comment = text_field("Comment", "conditions, objections")
        self._bind(self.sign_off, lambda v: self._set_person("sign_off", v))
        self._bind(self.signed_on, lambda v: self._set_person("signed_on", v))
        self._bind(self.p_comment, lambda v: self._set_person("comment", v))
        remove = self._button("Remove stakeholder", "trash", lambda: self._remove(
            "stakeholders", self.person_pick))
        self.tracker = w.HTML()
        return w.VBox([w.HBox([self.p_name, self.p_role]), w.HBox([self.p_function,
                                                                   self.p_sponsor, add]),
                       self.person_pick, w.HBox([self.sign_off, self.signed_on]),
                       self.p_comment, remove, self.tracker])

    def _licence_panel(self) -> w.VBox:
        licence = self.charter.licence
        self.authority = _area("Authority", "Authority to investigate deficiencies wherever "
                               "they occur in the selling system")
        self.access = _area("Access to", "Records, people and systems, one per line")
        self.escalation = _area("Escalation", "Who hears findings first, when, and who settles "
                                "disputes")
        self._bind(self.authority, lambda v: setattr(licence, "authority", v))
        self._bind(self.access, lambda v: setattr(licence, "access", _lines(v)))
        self._bind(self.escalation, lambda v: setattr(licence, "escalation", v))
        wording = self._button("Start from the library's wording", "book", self._on_library_licence)
        return w.VBox([self.authority, self.access, self.escalation, wording])

    def _cadence_panel(self) -> w.VBox:
        self.c_name = text_field("Review", "e.g. Business review")
        self.c_frequency = w.Combobox(options=["weekly", "monthly", "quarterly", "yearly"],
                                      value="monthly", description="Frequency")
        self.c_audience = text_field("Audience", "who attends or reads it")
        self.c_output = text_field("Output", "what it produces")
        add = self._button("Add", "plus", self._on_add_cadence)
        suggested = self._button("Add the library's cadence", "book", lambda: self._apply(
            lambda: edit.use_library_cadence(self.charter)))
        self.cadence_pick = w.Dropdown(description="Item", layout=_WIDE)
        remove = self._button("Remove", "trash", lambda: self._remove("cadence", self.cadence_pick))
        self.cadence_view = w.HTML()
        return w.VBox([w.HBox([self.c_name, self.c_frequency]), self.c_audience, self.c_output,
                       w.HBox([add, suggested]), w.HBox([self.cadence_pick, remove]),
                       self.cadence_view])

    def _review_panel(self) -> w.VBox:
        self.review_date = w.DatePicker(description="Next review")
        self._bind(self.review_date, lambda v: setattr(self.charter, "review_date", v))
        self.v_author = text_field("Author", "who changed it")
        self.v_summary = text_field("What changed", "one line")
        record = self._button("Record version", "history", self._on_record_version)
        self.versions_view = w.HTML()
        return w.VBox([self.review_date, self.v_author, self.v_summary, record,
                       self.versions_view])

    def _export_panel(self) -> w.VBox:
        self.formats = w.SelectMultiple(options=list(FORMATS), value=tuple(FORMATS),
                                        description="Formats", rows=3)
        self.export_folder = text_field("Folder", "leave empty: next to the charter file")
        self.export_checks = w.Checkbox(description="Append the coaching checks", value=False,
                                        indent=False)
        button = self._button("Export", "download", self._on_export)
        self.export_result = w.HTML()
        return w.VBox([self.formats, self.export_folder, self.export_checks, button,
                       self.export_result])

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

    def _load_service(self) -> None:
        service = self._selected(self.service_pick, self.charter.services)
        if service is None:
            return
        with self._quiet():
            self.s_class.value = service.service_class
            self.s_customer.value = service.customer
            self.s_capacity.value = "" if service.capacity_pct is None else (
                f"{service.capacity_pct:g}")
            for field, widget in self.s_answers.items():
                widget.value = getattr(service.screening, field)
            self.s_decision.value = service.screening.decision
        suggested, reason = suggest(service.screening)
        label = OUTCOME_LABELS.get(suggested or "", "not screened")
        self.s_outcome.value = f"Suggested: <b>{escape(label)}</b>. {escape(reason)}"

    def _load_objective(self) -> None:
        objective = self._selected(self.objective_pick, self.charter.objectives)
        with self._quiet():
            _options(self.kpi_pick, [k.name for k in objective.kpis] if objective else [])
            if objective is not None:
                self.o_ties.value = objective.ties_to
        self._load_kpi()
        self.kpi_view.value = _table_html(kpi_table(objective)) if objective else ""

    def _load_kpi(self) -> None:
        kpi = self._kpi()
        if kpi is None:
            return
        with self._quiet():
            for field, widget in self.k_fields.items():
                value = getattr(kpi, field)
                if field in ("baseline", "target"):
                    value = "" if value is None else f"{value:g}"
                widget.value = value

    def _load_person(self) -> None:
        person = self._selected(self.person_pick, self.charter.stakeholders)
        if person is None:
            return
        with self._quiet():
            self.sign_off.value = person.sign_off
            self.signed_on.value = person.signed_on
            self.p_comment.value = person.comment

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

    def _set_service(self, field: str, value) -> None:
        setattr(self._need(self._selected(self.service_pick, self.charter.services),
                           "service"), field, value)

    def _set_screening(self, field: str, value) -> None:
        service = self._need(self._selected(self.service_pick, self.charter.services),
                             "service")
        setattr(service.screening, field, value)
        self._load_service()

    def _set_objective(self, field: str, value) -> None:
        setattr(self._need(self._selected(self.objective_pick, self.charter.objectives),
                           "objective"), field, value)

    def _set_kpi(self, field: str, value) -> None:
        setattr(self._need(self._kpi(), "KPI"), field, value)

    def _set_person(self, field: str, value) -> None:
        setattr(self._need(self._selected(self.person_pick, self.charter.stakeholders),
                           "stakeholder"), field, value)

    # -- buttons ----------------------------------------------------------------------------------

    def _remove(self, section: str, picker: w.Dropdown) -> None:
        if picker.value is not None:
            self._apply(lambda: edit.remove_item(self.charter, section, picker.value))

    def _remove_nested(self, picker: w.Dropdown, store, items: list) -> None:
        if picker.value is not None:
            self._apply(lambda: store([x for i, x in enumerate(items) if i != picker.value]))

    def _on_add_boundary(self) -> None:
        scope = self.charter.scope
        self._apply(lambda: setattr(scope, "boundaries", [*scope.boundaries, Boundary(
            function=_required(self.b_function.value, "function"),
            area=_required(self.b_area.value, "area"), stance=self.b_stance.value,
            note=self.b_note.value)]))

    def _on_library_boundaries(self) -> None:
        scope = self.charter.scope
        known = {(b.function, b.area) for b in scope.boundaries}
        extra = [b for b in self.library.boundaries() if (b.function, b.area) not in known]
        self._apply(lambda: setattr(scope, "boundaries", [*scope.boundaries, *extra]))

    def _on_add_services(self) -> None:
        chosen = list(self.service_library.value)
        self._apply(lambda: [edit.add_service(self.charter, key) for key in chosen])
        self.service_library.value = ()

    def _on_add_own_service(self) -> None:
        name = self.s_name.value
        if self._apply(lambda: setattr(self.charter, "services", [
                *self.charter.services, Service(name=_required(name, "service name"))])):
            self.service_pick.value = len(self.charter.services) - 1

    def _on_add_objective(self) -> None:
        if self._apply(lambda: edit.add_objective(self.charter, self.objective_library.value)):
            self.objective_pick.value = len(self.charter.objectives) - 1

    def _on_add_own_objective(self) -> None:
        title = self.o_title.value
        if self._apply(lambda: setattr(self.charter, "objectives", [
                *self.charter.objectives, Objective(title=_required(title, "objective"))])):
            self.objective_pick.value = len(self.charter.objectives) - 1

    def _on_add_kpi(self) -> None:
        def add() -> None:
            objective = self._need(self._selected(self.objective_pick, self.charter.objectives),
                                   "objective")
            edit.add_kpi(self.charter, objective, self.kpi_library.value)
        self._apply(add)

    def _on_add_decision(self) -> None:
        if self._apply(lambda: edit.add_decision(self.charter, self.decision_library.value)):
            self.decision_pick.value = len(self.charter.decisions) - 1

    def _on_set_role(self) -> None:
        self._apply(lambda: edit.set_role(
            self.charter, self._need(self.decision_pick.value, "decision"), self.party.value,
            self.role.value))

    def _on_add_stakeholder(self) -> None:
        def add() -> None:
            person = Stakeholder(name=_required(self.p_name.value, "name"),
                                 role=self.p_role.value, function=self.p_function.value,
                                 sponsor=self.p_sponsor.value)
            self.charter.stakeholders = [*self.charter.stakeholders, person]
        if self._apply(add):
            self.person_pick.value = len(self.charter.stakeholders) - 1
            self.p_name.value = ""

    def _on_library_licence(self) -> None:
        if self._apply(lambda: edit.use_library_licence(self.charter)):
            self._load_fields()

    def _on_add_cadence(self) -> None:
        self._apply(lambda: setattr(self.charter, "cadence", [*self.charter.cadence, CadenceItem(
            name=_required(self.c_name.value, "review name"), frequency=self.c_frequency.value,
            audience=self.c_audience.value, output=self.c_output.value)]))

    def _on_record_version(self) -> None:
        if self._apply(lambda: edit.record_version(self.charter, self.v_author.value,
                                                   self.v_summary.value)):
            self.v_summary.value = ""

    def _on_export(self) -> dict[str, Path] | None:
        folder = self.export_folder.value.strip() or self.path.parent
        try:
            files = export(self.charter, folder, formats=self.formats.value, stem=self.name,
                           checks=self.export_checks.value, config=self.config)
        except SalesOpsError as err:
            self._say(err, error=True)
            return None
        self.export_result.value = "Written: " + ", ".join(
            f"<code>{escape(str(path))}</code>" for path in files.values())
        self._say(f"Exported {len(files)} file(s).")
        return files


# -- small helpers ---------------------------------------------------------------------------------


def _area(description: str, placeholder: str) -> w.Textarea:
    return w.Textarea(description=description, placeholder=placeholder, layout=_TALL)


def _options(picker: w.Dropdown, labels: list[str]) -> None:
    """Refill a picker with ``(label, index)`` options, keeping the selection when it exists."""
    keep = picker.value
    picker.options = [(label, i) for i, label in enumerate(labels)]
    if labels:
        picker.value = keep if keep is not None and keep < len(labels) else 0


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _number(text: str) -> float | None:
    text = str(text).strip().rstrip("%").replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number; type digits such as 21 or 3.5.") from None


def _required(value: str, what: str) -> str:
    if not str(value).strip():
        raise ValueError(f"Type a {what} first.")
    return str(value).strip()


def _table_html(table: Table) -> str:
    headers, rows = table
    if not rows:
        return "<p><i>None yet.</i></p>"
    head = "".join(f"<th style='text-align:left'>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                   for row in rows)
    return (f"<table style='border-collapse:collapse;font-size:90%'><thead><tr>{head}</tr>"
            f"</thead><tbody>{body}</tbody></table>")


def _checks_html(report: MaturityReport) -> str:
    colours = {"error": "#b71c1c", "warning": "#e65100", "info": "#1565c0"}
    parts = [f"<h4>Maturity {report.score}/100 ({escape(report.level)})</h4><table>"]
    parts += [f"<tr><td>{escape(d.name)}</td><td>{d.points:.1f} / {d.max_points}</td></tr>"
              for d in report.dimensions]
    parts.append("</table><h4>Fix first</h4><ul>")
    parts += [f"<li><b style='color:{colours[f.severity]}'>{f.severity}</b> "
              f"{escape(f.message)} <i>{escape(f.suggestion)}</i></li>"
              for f in report.fix_first(5)]
    errors = sum(f.severity == "error" for f in report.findings)
    parts.append(f"</ul><p>{len(report.findings)} findings, {errors} errors.</p>")
    return "".join(parts)
