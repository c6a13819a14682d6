"""Charter steps on how the function is governed: decisions, stakeholders, cadence, review."""

from __future__ import annotations

import ipywidgets as w

from salesops_nb.charter import edit
from salesops_nb.charter.model import ADJACENT_FUNCTIONS, RACI_ROLES, CadenceItem, Stakeholder
from salesops_nb.views._common import text_field
from salesops_nb.views.charter._fields import _WIDE, _required


class _GovernanceSteps:
    """Mixin of :class:`CharterEditor`: the decisions, stakeholders, cadence and review steps.

    Builds its panels on the editor's ``charter`` and ``library`` and goes through the editor's
    plumbing (``_bind``, ``_button``, ``_apply``, ``_selected``, ``_need``, ``_say``).
    """

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

    def _load_person(self) -> None:
        person = self._selected(self.person_pick, self.charter.stakeholders)
        if person is None:
            return
        with self._quiet():
            self.sign_off.value = person.sign_off
            self.signed_on.value = person.signed_on
            self.p_comment.value = person.comment

    def _set_person(self, field: str, value) -> None:
        setattr(self._need(self._selected(self.person_pick, self.charter.stakeholders),
                           "stakeholder"), field, value)

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

    def _on_add_cadence(self) -> None:
        self._apply(lambda: setattr(self.charter, "cadence", [*self.charter.cadence, CadenceItem(
            name=_required(self.c_name.value, "review name"), frequency=self.c_frequency.value,
            audience=self.c_audience.value, output=self.c_output.value)]))

    def _on_record_version(self) -> None:
        if self._apply(lambda: edit.record_version(self.charter, self.v_author.value,
                                                   self.v_summary.value)):
            self.v_summary.value = ""
