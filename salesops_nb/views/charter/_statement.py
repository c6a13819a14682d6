"""Charter steps that state what the function is: purpose, vision, scope and licence."""

from __future__ import annotations

import ipywidgets as w

from salesops_nb.charter import edit
from salesops_nb.charter.model import ADJACENT_FUNCTIONS, Boundary
from salesops_nb.views._common import text_field
from salesops_nb.views.charter._fields import _WIDE, _area, _lines, _required


class _StatementSteps:
    """Mixin of :class:`CharterEditor`: the purpose, vision, scope and licence steps.

    Builds its panels on the editor's ``charter`` and ``library`` and goes through the editor's
    plumbing (``_bind``, ``_button``, ``_apply``, ``_selected``, ``_need``, ``_say``).
    """

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

    def _on_library_licence(self) -> None:
        if self._apply(lambda: edit.use_library_licence(self.charter)):
            self._load_fields()
