"""The installment planner widget: edit the backlog, set capacities, sequence, split, autosave.

A thin view over :mod:`salesops_nb.installments`: it holds an
:class:`~salesops_nb.installments.model.InstallmentPlan`, turns edits into new plans, calls the
sequencer and shows the roadmap, the load heatmap and the explanations. Every change is saved
to the workspace file given as ``path``. Charts are drawn to SVG in the kernel (vl-convert), so
they show offline.
"""

from __future__ import annotations

import html
import os
from datetime import date

import ipywidgets as widgets
import pydantic

from salesops_nb.errors import SalesOpsError
from salesops_nb.installments.example import worked_example
from salesops_nb.installments.model import Capacity, ImprovementItem, InstallmentPlan
from salesops_nb.installments.split import oversized, split_in_backlog
from salesops_nb.views._common import (
    QuietSwitch,
    save_artefact,
    show_status,
    validation_reason,
)
from salesops_nb.workspace import DEFAULT_ROOT, locate

__all__ = ["InstallmentPlanner", "format_loads", "parse_loads"]

DEFAULT_PATH = f"{DEFAULT_ROOT}/installments/main.json"
_COLUMNS = ("Id", "Title", "Value / period", "Periods", "Effort", "Change load per period",
            "Depends on", "Earliest", "Deadline", "")
_GRID = "90px 220px 100px 70px 70px 230px 200px 70px 70px 40px"


def parse_loads(text: str) -> dict[str, float]:
    """Read "field sales: 3, sales ops: 2" into ``{"field sales": 3.0, "sales ops": 2.0}``.

    Raises
    ------
    ValueError
        Naming the part that is not "group: number".
    """
    loads: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        group, sep, number = part.rpartition(":")
        try:
            if not sep or not group.strip():
                raise ValueError
            loads[group.strip()] = float(number)
        except ValueError:
            raise ValueError(f"{part!r} is not 'group: number' (e.g. 'field sales: 3')") from None
    return loads


def format_loads(loads: dict[str, float]) -> str:
    """Write change loads as :func:`parse_loads` reads them."""
    return ", ".join(f"{g}: {v:g}" for g, v in loads.items())


class InstallmentPlanner:
    """Guided builder of an installment plan, saved at ``path``.

    Parameters
    ----------
    path
        The plan's file, ``<workspace>/installments/<name>.json``. When it does not exist yet the
        planner starts from the worked example (``start_from_example=True``) or an empty plan,
        and saves on the first change.
    start_from_example
        Start a new plan from the worked example rather than from scratch.

    Attributes
    ----------
    plan
        The current :class:`InstallmentPlan` (also what is saved).
    widget
        The ipywidgets tree; the planner displays itself in a notebook.
    """

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_PATH, *,
                 start_from_example: bool = True) -> None:
        self.workspace, self.name = locate(path, InstallmentPlan)
        if self.workspace.exists(InstallmentPlan, self.name):
            self.plan = self.workspace.load(InstallmentPlan, self.name)
        elif start_from_example:
            self.plan = worked_example()
        else:
            self.plan = InstallmentPlan()
        self._rows: list[dict[str, widgets.Widget]] = []
        self._quiet = QuietSwitch()
        self.status = widgets.HTML()
        self.rows_box = widgets.VBox()
        self.add_button = widgets.Button(description="Add item", icon="plus")
        self.add_button.on_click(lambda _: self.add_item())
        self.period = widgets.Dropdown(options=["month", "quarter", "sprint"],
                                       description="Period")
        self.start = widgets.DatePicker(description="Starts")
        self.horizon = widgets.BoundedIntText(min=1, max=600, description="Horizon")
        self.delivery = widgets.BoundedFloatText(min=0, max=1e9, description="Delivery",
                                                 tooltip="Effort per period; 0 for no limit")
        self.score = widgets.Dropdown(options=[("WSJF", "wsjf"), ("CD3", "cd3"),
                                               ("RICE", "rice")], description="Score")
        self.groups_box = widgets.VBox()
        self.new_group = widgets.Text(placeholder="new group name", description="Add group")
        self.add_group_button = widgets.Button(description="Add group")
        self.add_group_button.on_click(lambda _: self.add_group(self.new_group.value))
        self.sequence_button = widgets.Button(description="Sequence", button_style="primary",
                                              icon="play")
        self.sequence_button.on_click(lambda _: self.sequence())
        self.split_item = widgets.Dropdown(description="Oversized")
        self.split_parts = widgets.BoundedIntText(value=2, min=2, max=50, description="Parts")
        self.split_button = widgets.Button(description="Split into pilot + rollouts",
                                           icon="scissors")
        self.split_button.on_click(lambda _: self.split(self.split_item.value,
                                                        self.split_parts.value))
        self.split_item.observe(self._suggest_parts, "value")
        self.roadmap = widgets.HTML()
        self.heatmap = widgets.HTML()
        self.explanations = widgets.HTML()
        for control in (self.period, self.start, self.horizon, self.delivery, self.score):
            control.observe(self._capacity_changed, "value")
        self._sync_capacity()
        self._build_rows()
        self.widget = widgets.VBox([
            widgets.HTML("<h3>Backlog</h3>"),
            widgets.GridBox([widgets.HTML(f"<b>{c}</b>") for c in _COLUMNS],
                            layout=widgets.Layout(grid_template_columns=_GRID)),
            self.rows_box, self.add_button,
            widgets.HTML("<h3>Capacity per period</h3>"),
            widgets.HBox([widgets.VBox([self.period, self.start, self.horizon, self.delivery,
                                        self.score]),
                          widgets.VBox([self.groups_box,
                                        widgets.HBox([self.new_group, self.add_group_button])])]),
            widgets.HBox([self.sequence_button]),
            widgets.HBox([self.split_item, self.split_parts, self.split_button]),
            self.status, self.roadmap, self.heatmap, self.explanations,
        ])
        if self.plan.schedule is not None:
            self._show_schedule()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # -- actions (each also callable from code) ---------------------------------------------------

    def add_item(self) -> ImprovementItem:
        """Append a new item with a fresh id and neutral values; returns it."""
        taken = {i.id for i in self.plan.items}
        number = len(self.plan.items) + 1
        while f"item-{number}" in taken:
            number += 1
        item = ImprovementItem(id=f"item-{number}", title="New installment")
        self._commit(self.plan.with_items([*self.plan.items, item]), rebuild=True)
        return item

    def delete_item(self, item_id: str) -> None:
        """Remove an item and every dependency on it."""
        kept = [i.model_copy(update={"depends_on": [d for d in i.depends_on if d != item_id]})
                for i in self.plan.items if i.id != item_id]
        self._commit(self.plan.with_items(kept), rebuild=True)

    def add_group(self, name: str) -> None:
        """Add a group with a capacity of 1 change unit per period (edit it afterwards)."""
        name = name.strip()
        if not name or name in self.plan.capacity.groups:
            return
        groups = {**self.plan.capacity.groups, name: 1.0}
        self._commit(self.plan.model_copy(update={
            "capacity": self.plan.capacity.model_copy(update={"groups": groups}),
            "schedule": None}), rebuild=True)
        self.new_group.value = ""

    def sequence(self) -> None:
        """Sequence the backlog and show the roadmap, the load heatmap and the explanations."""
        from salesops_nb.installments.sequence import sequence_plan

        try:
            plan = sequence_plan(self.plan)
        except SalesOpsError as err:
            self._clear_results()
            self._say(err, error=True)
            return
        self._commit(plan)
        self._show_schedule()

    def split(self, item_id: str | None, parts: int) -> None:
        """Replace ``item_id`` by a pilot and rollouts (``parts`` in all), then save."""
        if not item_id:
            self._say("Choose an item to split.", error=True)
            return
        try:
            items = split_in_backlog(self.plan.items, item_id, int(parts))
        except SalesOpsError as err:
            self._say(err, error=True)
            return
        self._commit(self.plan.with_items(items), rebuild=True)
        self._say(f"Split {item_id!r} into a pilot and {int(parts) - 1} rollout(s); "
                  "press Sequence to place them.")

    # -- plumbing ---------------------------------------------------------------------------------

    def _commit(self, plan: InstallmentPlan, *, rebuild: bool = False) -> None:
        self.plan = plan
        where = save_artefact(self.workspace, plan, self.name, self.status)
        if where is not None:
            self._say(f"Saved to {where}.")
        if rebuild:
            self._sync_capacity()
            self._build_rows()
        self._refresh_split()

    def _say(self, message: object, *, error: bool = False) -> None:
        show_status(self.status, message, error=error)

    def _build_rows(self) -> None:
        self._rows = [self._row(item) for item in self.plan.items]
        self.rows_box.children = [
            widgets.GridBox(list(row.values()), layout=widgets.Layout(grid_template_columns=_GRID))
            for row in self._rows]
        self._refresh_split()

    def _row(self, item: ImprovementItem) -> dict[str, widgets.Widget]:
        others = [i.id for i in self.plan.items if i.id != item.id]
        row = {
            "id": widgets.Text(item.id, continuous_update=False),
            "title": widgets.Text(item.title, continuous_update=False),
            "value": widgets.FloatText(item.value_per_period),
            "duration": widgets.BoundedIntText(item.duration, min=1, max=120),
            "effort": widgets.FloatText(item.effort),
            "loads": widgets.Text(format_loads(item.change_load), continuous_update=False,
                                  placeholder="group: units, ..."),
            "depends": widgets.TagsInput(value=list(item.depends_on), allowed_tags=others,
                                         allow_duplicates=False),
            "earliest": widgets.Text("" if item.earliest_start is None
                                     else str(item.earliest_start), continuous_update=False),
            "deadline": widgets.Text("" if item.deadline is None else str(item.deadline),
                                     continuous_update=False),
            "delete": widgets.Button(icon="trash", tooltip=f"Delete {item.id}",
                                     layout=widgets.Layout(width="36px")),
        }
        row["delete"].on_click(lambda _, key=item.id: self.delete_item(key))
        for name, control in row.items():
            if name != "delete":
                control.observe(lambda _, key=item.id: self._row_changed(key), "value")
        return row

    def _row_changed(self, item_id: str) -> None:
        index = next(k for k, i in enumerate(self.plan.items) if i.id == item_id)
        row = self._rows[index]
        try:
            data = self.plan.items[index].model_dump()
            data.update(
                id=row["id"].value, title=row["title"].value,
                value_per_period=row["value"].value, duration=row["duration"].value,
                effort=row["effort"].value, change_load=parse_loads(row["loads"].value),
                depends_on=list(row["depends"].value),
                earliest_start=_optional_int(row["earliest"].value, "Earliest"),
                deadline=_optional_int(row["deadline"].value, "Deadline"),
            )
            updated = ImprovementItem.model_validate(data)
        except (ValueError, pydantic.ValidationError) as err:
            self._say(f"Row {index + 1} ({item_id}) not saved: {validation_reason(err)}",
                      error=True)
            return
        items = list(self.plan.items)
        renamed = updated.id != item_id
        if renamed and any(i.id == updated.id for i in items):
            self._say(f"Row {index + 1}: the id {updated.id!r} is already used.", error=True)
            return
        items[index] = updated
        if renamed:  # keep dependencies pointing at the renamed item
            items = [i.model_copy(update={"depends_on": [updated.id if d == item_id else d
                                                         for d in i.depends_on]})
                     for i in items]
        self._commit(self.plan.with_items(items), rebuild=renamed)

    def _sync_capacity(self) -> None:
        capacity = self.plan.capacity
        with self._quiet:
            self.period.value = capacity.period
            self.start.value = capacity.start
            self.horizon.value = capacity.horizon
            self.delivery.value = capacity.delivery or 0.0
            self.score.value = self.plan.score
            used = {g for i in self.plan.items for g in i.change_load}
            names = sorted(set(capacity.groups) | used)
            boxes = []
            for name in names:
                box = widgets.BoundedFloatText(value=capacity.groups.get(name, 0.0), min=0,
                                               max=1e6, description=name,
                                               style={"description_width": "140px"})
                box.observe(self._capacity_changed, "value")
                boxes.append(box)
            self.groups_box.children = boxes

    def _capacity_changed(self, _change=None) -> None:
        if self._quiet:
            return
        groups = {box.description: box.value for box in self.groups_box.children
                  if box.value > 0}
        try:
            capacity = Capacity(
                period=self.period.value, start=self.start.value or date.today().replace(day=1),
                sprint_weeks=self.plan.capacity.sprint_weeks, horizon=self.horizon.value,
                groups=groups, delivery=self.delivery.value or None)
        except pydantic.ValidationError as err:
            self._say(f"Capacity not saved: {validation_reason(err)}", error=True)
            return
        self._commit(self.plan.model_copy(update={"capacity": capacity,
                                                  "score": self.score.value,
                                                  "schedule": None}))

    def _refresh_split(self) -> None:
        found = oversized(self.plan.items, self.plan.capacity)
        options = {}
        for o in found:
            options.setdefault(o.item_id, (f"{o.title} ({o.item_id}): {o.parts} parts",
                                           o.item_id))
        previous = self.split_item.value
        self.split_item.options = list(options.values())
        # Offer the item already chosen if it is still oversized, else the first one.
        if options:
            self.split_item.value = previous if previous in options else next(iter(options))
        self.split_button.disabled = not options
        self._suggest_parts()

    def _suggest_parts(self, _change=None) -> None:
        if not self.split_item.value:
            return
        needed = [o.parts for o in oversized(self.plan.items, self.plan.capacity)
                  if o.item_id == self.split_item.value]
        if needed:
            self.split_parts.value = max(needed)

    def _clear_results(self) -> None:
        self.roadmap.value = self.heatmap.value = self.explanations.value = ""

    def _show_schedule(self) -> None:
        import vl_convert

        from salesops_nb.installments.charts import load_heatmap, roadmap
        from salesops_nb.installments.explain import explain
        from salesops_nb.installments.metrics import big_bang, saturation
        from salesops_nb.overview.tables import styled

        plan = self.plan
        try:
            gantt = roadmap(plan.items, plan.capacity, plan.schedule, score_method=plan.score)
            heat = load_heatmap(saturation(plan.items, plan.capacity, plan.schedule))
            why = explain(plan.items, plan.capacity, plan.schedule, score_method=plan.score)
            bang = big_bang(plan.items, plan.capacity, plan.schedule)
        except SalesOpsError as err:  # a schedule saved for another backlog
            self._clear_results()
            self._say(err, error=True)
            return
        self.roadmap.value = vl_convert.vegalite_to_svg(gantt.to_dict())
        self.heatmap.value = vl_convert.vegalite_to_svg(heat.to_dict())
        table = styled(why[["title", "start", "end", "why"]], max_rows=500).to_html()
        self.explanations.value = (
            f"<p><b>Big bang instead?</b> {html.escape(bang.summary())}</p>{table}")
        self._say(f"Sequenced {len(plan.items)} items ({plan.schedule.method}); "
                  f"value within the horizon {plan.schedule.value:,.0f}. Saved.")


def _optional_int(text: str, label: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{label} must be a period number (0 = first) or empty, "
                         f"not {text!r}") from None
