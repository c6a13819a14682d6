"""Charter steps built from the starter library: services (with screening), objectives, KPIs."""

from __future__ import annotations

from html import escape

import ipywidgets as w

from salesops_nb.charter import edit
from salesops_nb.charter._tables import kpi_table
from salesops_nb.charter.model import SERVICE_CLASSES, Objective, Service
from salesops_nb.charter.screening import OUTCOME_LABELS, suggest
from salesops_nb.views._common import text_field
from salesops_nb.views.charter._display import _table_html
from salesops_nb.views.charter._fields import _WIDE, _YES_NO, _number, _options, _required


class _PortfolioSteps:
    """Mixin of :class:`CharterEditor`: the services and objectives steps and their pickers.

    Builds its panels on the editor's ``charter`` and ``library`` and goes through the editor's
    plumbing (``_bind``, ``_button``, ``_apply``, ``_selected``, ``_need``, ``_say``).
    """

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

    def _kpi(self):
        objective = self._selected(self.objective_pick, self.charter.objectives)
        return self._selected(self.kpi_pick, objective.kpis) if objective else None

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
