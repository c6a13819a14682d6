"""The segmentation builder widget: a spec built step by step, previewed live, autosaved.

A thin view over :mod:`salesops_nb.segmentation`. Five steps, each a tab with Next / Back:

1. **Entity and fields**: what to segment (reps, accounts, deals), the categorical fields whose
   combinations make segments (team x region), the numeric fields to band, and which of them
   defines the segments (the categories, one banding, or two bandings crossed in a matrix);
2. **Bandings**: a method per numeric field (quantiles, thresholds, ABC, Fisher-Jenks, equal
   width) with a live preview of the band edges and sizes;
3. **Names**: segment labels, band labels and matrix cell names;
4. **Metric and strata**: the performance metric ranked inside each segment;
5. **Treatments**: what to do in a (segment, stratum) cell.

Every change rebuilds the spec, applies it to the *cached* entity table (the deals are read and
aggregated once per entity), and refreshes the preview: segment sizes, quality verdicts and a
chart. A valid spec is saved to the workspace at once, so closing the notebook loses nothing and
the headless report reads what was built. A spec that cannot work shows its message and hint
in the widget; the last valid spec stays saved.
"""

from __future__ import annotations

import html
import os
from typing import Any

import ipywidgets as widgets
import narwhals as nw
import pandas as pd
import pydantic

from salesops_nb.errors import SalesOpsError
from salesops_nb.segmentation.analysis import apply_spec, entities_for, profile_entities
from salesops_nb.segmentation.bandings import fit_banding
from salesops_nb.segmentation.defaults import (
    DEFAULT_METRICS,
    ENTITY_KEYS,
    RATE_COUNTS,
    category_rules,
    default_spec,
    strata_metric,
)
from salesops_nb.segmentation.quality import quality_report
from salesops_nb.segmentation.spec import (
    Banding,
    Matrix,
    MatrixCell,
    SegmentationSpec,
    SpecError,
    Stratification,
    Treatment,
)
from salesops_nb.views._common import save_artefact, show_status
from salesops_nb.workspace import DEFAULT_ROOT, locate

__all__ = ["DEFAULT_PATH", "SegmentationBuilder"]

DEFAULT_PATH = f"{DEFAULT_ROOT}/segmentation/main.json"
STEPS = ("1. Entity and fields", "2. Bandings", "3. Names", "4. Metric and strata",
         "5. Treatments")
_METHODS = [("Quantiles (equal counts)", "quantiles"), ("Fixed thresholds", "thresholds"),
            ("ABC / Pareto", "abc"), ("Natural breaks (Fisher-Jenks)", "jenks"),
            ("Equal width", "equal_width")]
_PARAMETER = {"quantiles": ("4", "bands, or probabilities 0.1, 0.5, 0.9"),
              "thresholds": ("", "cut points, e.g. 200, 2000"),
              "abc": ("0.8, 0.95", "cumulative shares, e.g. 0.8, 0.95"),
              "jenks": ("4", "number of classes"), "equal_width": ("4", "number of bands")}
_CATEGORIES, _MATRIX = "categories", "matrix"
_WIDE = widgets.Layout(width="420px")
_STYLE = {"description_width": "150px"}


class SegmentationBuilder:
    """Guided builder of a :class:`~salesops_nb.segmentation.spec.SegmentationSpec`.

    Parameters
    ----------
    data
        Canonical opportunities (pandas or Polars), a file path, or None for the built-in
        sample; read once.
    spec
        Spec to start from; default the one saved at ``path``, else the entity's default spec.
    path
        The spec's file, ``<workspace>/segmentation/<name>.json``.
    min_size
        Fewest entities a segment needs (quality verdict).

    Attributes
    ----------
    spec
        The last valid, fitted spec (what is saved).
    widget
        The ipywidgets tree; the builder displays itself in a notebook.
    """

    def __init__(self, data: Any = None, spec: SegmentationSpec | None = None,
                 path: str | os.PathLike[str] | None = None, *, min_size: int = 5) -> None:
        self.workspace, self.name = locate(path or DEFAULT_PATH, SegmentationSpec)
        if data is None or isinstance(data, str | os.PathLike):
            from salesops_nb.data.load import load_opportunities

            data = load_opportunities(data or None)
        self._deals = data
        self._tables: dict[str, pd.DataFrame] = {}
        self._fitted: dict[str, Banding] = {}
        self._checked: dict[tuple[str, str], list] = {}
        self._quiet = False
        self.min_size = min_size
        self.assigned: pd.DataFrame | None = None
        self.profile: pd.DataFrame | None = None
        self.quality: list = []
        if spec is None and self.workspace.exists(SegmentationSpec, self.name):
            spec = self.workspace.load(SegmentationSpec, self.name)
        if spec is None:
            spec = default_spec(self.table("reps"), "reps")
        self.spec = spec
        self._build_controls()
        self._load(spec)
        self.refresh(save=False)  # opening changes nothing: the file is written on a change

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # -- data ------------------------------------------------------------------------------------

    def table(self, entity: str) -> pd.DataFrame:
        """The entity table, built once from the deals and cached."""
        if entity not in self._tables:
            self._tables[entity] = entities_for(self._deals, entity)
        return self._tables[entity]

    # -- actions (each also callable from code) ---------------------------------------------------

    def refresh(self, *, save: bool = True) -> bool:
        """Rebuild the spec from the controls, preview it and save it; False if it is invalid.

        A spec whose only fault is a treatment keyed on a label it no longer has (after a
        renaming or a new banding) is still previewed without its treatments, but not saved
        until the treatment is fixed.
        """
        try:
            spec = self._draft = self._spec_from_controls()
        except SalesOpsError as err:
            self._say(err, error=True)
            return False
        except (pydantic.ValidationError, ValueError) as err:
            self._say(err, error=True)
            return False
        except _TreatmentKeys as err:
            problem, spec = err.error, err.spec
        else:
            problem = None
        try:
            assigned, fitted = apply_spec(self.table(spec.entity), spec)
            for banding in fitted.bandings:
                self._fitted[_params_key(banding)] = banding
            profile = profile_entities(assigned, fitted)
            metric = fitted.strata.metric if fitted.strata is not None else None
            quality = quality_report(assigned, fitted, metric=metric, outcome=None,
                                     min_size=self.min_size)
            warnings = self._rule_warnings(fitted)
        except SalesOpsError as err:
            self._say(err, error=True)
            return False
        self.assigned, self.profile, self.quality = assigned, profile, quality
        if problem is None:
            self.spec = fitted
        self._show(warnings, fitted)
        if problem is not None:
            self._say(problem, error=True, prefix="Not saved (the preview leaves treatments "
                                                  "out): ")
            return False
        if save:
            self.save()
        else:
            self._say("Change anything to save this spec to the workspace.")
        return True

    def _rule_warnings(self, spec: SegmentationSpec) -> list:
        """Overlap and reachability checks of the rules: they depend on the rules and the data
        only, and cost one pass per pair of rules, so they are computed once per rule set."""
        key = (spec.entity, repr([r.model_dump() for r in spec.rules]))
        if key not in self._checked:
            self._checked[key] = spec.check(self.table(spec.entity))
        return self._checked[key]

    def save(self) -> None:
        """Save the current spec to the workspace file."""
        where = save_artefact(self.workspace, self.spec, self.name, self.status)
        if where is not None:
            self._say(f"Saved to {where}.")

    def add_treatment(self, segment: str = "*", stratum: str = "*", kind: str = "intervention",
                      name: str = "New treatment") -> None:
        """Add a treatment row and refresh."""
        self._treatment_rows.append(self._treatment_row(
            Treatment(segment=segment, stratum=stratum, kind=kind, name=name)))
        self._show_treatments()
        self.refresh()

    def remove_treatment(self, index: int) -> None:
        """Remove the treatment row at ``index`` and refresh."""
        del self._treatment_rows[index]
        self._show_treatments()
        self.refresh()

    def go(self, step: int) -> None:
        """Show step ``step`` (0-based)."""
        self.steps.selected_index = max(0, min(step, len(STEPS) - 1))

    # -- controls --------------------------------------------------------------------------------

    def _build_controls(self) -> None:
        self.status = widgets.HTML()
        self.entity = widgets.Dropdown(options=list(ENTITY_KEYS), description="Segment",
                                       style=_STYLE)
        self.categories = widgets.SelectMultiple(description="Categorical fields", rows=5,
                                                 style=_STYLE, layout=_WIDE)
        self.numeric = widgets.SelectMultiple(description="Numeric fields to band", rows=6,
                                              style=_STYLE, layout=_WIDE)
        self.segment_by = widgets.Dropdown(description="Segments from", style=_STYLE,
                                           layout=_WIDE)
        self.bandings_box = widgets.VBox()
        self.names_box = widgets.VBox()
        self.catch_all = widgets.Text(description="Catch-all label", style=_STYLE,
                                      continuous_update=False)
        self.metric = widgets.Dropdown(description="Performance metric", style=_STYLE,
                                       layout=_WIDE)
        self.higher = widgets.Checkbox(description="Higher is better", value=True)
        self.strata_count = widgets.IntSlider(description="Strata", min=2, max=10, value=4,
                                              style=_STYLE)
        self.treatments_box = widgets.VBox()
        self.add_treatment_button = widgets.Button(description="Add treatment", icon="plus")
        self.add_treatment_button.on_click(lambda _: self.add_treatment())
        self.back_button = widgets.Button(description="Back", icon="arrow-left")
        self.next_button = widgets.Button(description="Next", icon="arrow-right",
                                          button_style="primary")
        self.back_button.on_click(lambda _: self.go(self.steps.selected_index - 1))
        self.next_button.on_click(lambda _: self.go(self.steps.selected_index + 1))
        self.sizes = widgets.HTML()
        self.verdicts = widgets.HTML()
        self.chart = widgets.HTML()
        self._banding_rows: dict[str, dict[str, widgets.Widget]] = {}
        self._label_texts: dict[str, widgets.Text] = {}
        self._band_label_texts: dict[str, widgets.Text] = {}
        self._cell_texts: dict[tuple[str, str], widgets.Text] = {}
        self._treatment_rows: list[dict[str, widgets.Widget]] = []
        self._banding_names: dict[str, str] = {}
        self._matrix: tuple[str, str, str] = ("matrix", "", "")  # name, rows and columns field
        self._custom_rules: list = []
        self._draft: SegmentationSpec | None = None
        self.steps = widgets.Tab(children=[
            widgets.VBox([self.entity, self.categories, self.numeric, self.segment_by]),
            self.bandings_box,
            self.names_box,
            widgets.VBox([self.metric, self.higher, self.strata_count]),
            widgets.VBox([self.treatments_box, self.add_treatment_button]),
        ], titles=STEPS)
        self.widget = widgets.VBox([
            self.steps, widgets.HBox([self.back_button, self.next_button]), self.status,
            widgets.HTML("<h4>Preview</h4>"), widgets.HBox([self.sizes, self.verdicts]),
            self.chart,
        ])
        self.entity.observe(self._entity_changed, "value")
        for control in (self.categories, self.numeric, self.segment_by):
            control.observe(self._structure_changed, "value")
        for control in (self.catch_all, self.metric, self.higher):
            control.observe(self._changed, "value")
        self.strata_count.observe(self._strata_changed, "value")

    def _load(self, spec: SegmentationSpec) -> None:
        """Set the controls from ``spec`` (without refreshing in between)."""
        self._quiet = True
        try:
            self.entity.value = spec.entity if spec.entity in ENTITY_KEYS else "reps"
            self._set_field_options()
            fields = [c.field for r in spec.rules for c in r.when]
            shaped = all(c.op == "==" and len(r.when) == len(set(fields)) for r in spec.rules
                         for c in r.when)
            self._custom_rules = [] if shaped else list(spec.rules)
            chosen = list(dict.fromkeys(fields)) if shaped else []
            self.categories.value = tuple(f for f in chosen if f in self.categories.options)
            self._banding_names = {b.field: b.name for b in spec.bandings}
            if not spec.is_fitted:  # the names step needs the fitted bands
                bare = spec.model_copy(update={"strata": None, "treatments": []})
                for banding in bare.fit(self.table(spec.entity)).bandings:
                    self._fitted[_params_key(banding)] = banding
            if spec.matrices:
                matrix = spec.matrices[0]
                self._matrix = (matrix.name, spec.banding(matrix.rows).field,
                                spec.banding(matrix.columns).field)
            for banding in spec.bandings:
                if banding.is_fitted:
                    self._fitted[_params_key(banding)] = banding
            self.numeric.value = tuple(b.field for b in spec.bandings
                                       if b.field in self.numeric.options)
            self._build_bandings(spec.bandings)
            self._set_segment_options()
            source = spec.source
            by_name = {b.name: b.field for b in spec.bandings}
            self.segment_by.value = (_CATEGORIES if source == "rules" else
                                     by_name.get(source, _MATRIX))
            self.catch_all.value = spec.catch_all or "Other"
            self._build_names(spec)
            self._set_metric_options()
            if spec.strata is not None:
                metric = spec.strata.metric
                if metric in self.metric.options:
                    self.metric.value = metric
                self.higher.value = spec.strata.higher_is_better
                self.strata_count.value = spec.strata.count
            self._treatment_rows = [self._treatment_row(t) for t in spec.treatments]
            self._show_treatments()
        finally:
            self._quiet = False

    def _set_field_options(self) -> None:
        table = self.table(self.entity.value)
        key = ENTITY_KEYS[self.entity.value]
        text, numbers = [], []
        for column in table.columns:
            if column == key or column.endswith("_name"):
                continue
            kind = table[column].dtype
            if pd.api.types.is_bool_dtype(kind):
                continue
            if pd.api.types.is_numeric_dtype(kind):
                numbers.append(column)
            elif table[column].nunique() <= 60:  # more values than that make no segments
                text.append(column)
        self.categories.options, self.numeric.options = text, numbers

    def _set_segment_options(self) -> None:
        options = [(f"categories ({' x '.join(self.categories.value)})", _CATEGORIES)] \
            if self.categories.value or self._custom_rules else []
        options += [(f"bands of {f}", f) for f in self.numeric.value]
        if len(self.numeric.value) == 2:
            options.append((f"matrix {' x '.join(self.numeric.value)}", _MATRIX))
        current = self.segment_by.value
        self.segment_by.options = options
        values = [v for _, v in options]
        if values:
            self.segment_by.value = current if current in values else values[0]

    def _set_metric_options(self) -> None:
        table = self.table(self.entity.value)
        options = [(f"{m} (shrunk toward the segment)", strata_metric(m)) for m in RATE_COUNTS
                   if all(c in table.columns for c in RATE_COUNTS[m])]
        options += [(c, c) for c in self.numeric.options]
        current = self.metric.value
        self.metric.options = options
        default = strata_metric(DEFAULT_METRICS[self.entity.value][0])
        values = [v for _, v in options]
        self.metric.value = current if current in values else (
            default if default in values else values[0])

    def _build_bandings(self, existing: list[Banding] | None = None) -> None:
        known = {b.field: b for b in existing or []}
        for row in self._banding_rows.values():
            known.setdefault(row["banding"].field, row["banding"])
        rows = {}
        for field in self.numeric.value:
            banding = known.get(field) or Banding(name=self._band_name(field), field=field)
            method = widgets.Dropdown(options=_METHODS, value=banding.method,
                                      description=field, style=_STYLE)
            parameter = widgets.Text(value=_parameter_text(banding),
                                     placeholder=_PARAMETER[banding.method][1],
                                     continuous_update=False)
            preview = widgets.HTML()
            rows[field] = {"method": method, "parameter": parameter, "preview": preview,
                           "banding": banding}
            method.observe(lambda change, f=field: self._method_changed(f, change), "value")
            parameter.observe(self._structure_changed, "value")
        self._banding_rows = rows
        self.bandings_box.children = [
            widgets.VBox([widgets.HBox([r["method"], r["parameter"]]), r["preview"]])
            for r in rows.values()] or [widgets.HTML("<i>No numeric field chosen in step 1.</i>")]

    def _build_names(self, spec: SegmentationSpec | None = None) -> None:
        old = {k: t.value for k, t in self._label_texts.items()}
        if spec is not None:
            for rule in spec.rules:
                old[" / ".join(str(c.value) for c in rule.when)] = rule.label
        items: list[widgets.Widget] = []
        self._label_texts = {}
        if self.categories.value and not self._custom_rules:
            try:
                rules = category_rules(self.table(self.entity.value), list(self.categories.value))
            except SalesOpsError as err:
                self._say(err, error=True)
                rules = []
            items.append(widgets.HTML("<b>Segment labels</b> (one per combination)"))
            for rule in rules:
                text = widgets.Text(value=old.get(rule.label, rule.label),
                                    description=rule.label, continuous_update=False,
                                    style=_STYLE, layout=_WIDE)
                text.observe(lambda ch, d=rule.label: self._renamed(ch, d), "value")
                self._label_texts[rule.label] = text
                items.append(text)
        elif self._custom_rules:
            items.append(widgets.HTML(f"<i>{len(self._custom_rules)} rules written in Python "
                                      "are kept as they are.</i>"))
        if self.categories.value or self._custom_rules:
            items.append(self.catch_all)
        old_bands = {f: t.value for f, t in self._band_label_texts.items()}
        self._band_label_texts = {}
        for field, row in self._banding_rows.items():
            banding = spec.banding(self._band_name(field)) if spec is not None and any(
                b.field == field for b in spec.bandings) else row["banding"]
            value = ", ".join(banding.labels) if banding.labels else old_bands.get(field, "")
            text = widgets.Text(value=value, description=f"Bands of {field}",
                                placeholder="labels, lowest first (empty: automatic)",
                                continuous_update=False, style=_STYLE, layout=_WIDE)
            text.observe(self._structure_changed, "value")
            self._band_label_texts[field] = text
            items.append(text)
        self.names_box.children = items
        self._build_cells(spec)

    def _build_cells(self, spec: SegmentationSpec | None = None) -> None:
        old = {k: t.value for k, t in self._cell_texts.items()}
        if spec is not None:
            for matrix in spec.matrices:
                old.update({(c.row, c.column): c.label for c in matrix.cells})
        self._cell_texts = {}
        if self.segment_by.value != _MATRIX or len(self._banding_rows) != 2:
            return
        rows, cols = (self._fitted_banding(f) for f in self._matrix_fields())
        if rows is None or cols is None:
            return
        grid = [widgets.HTML("")] + [widgets.HTML(f"<b>{html.escape(c)}</b>")
                                     for c in cols.band_labels()]
        for r in rows.band_labels():
            grid.append(widgets.HTML(f"<b>{html.escape(r)}</b>"))
            for c in cols.band_labels():
                text = widgets.Text(value=old.get((r, c), ""), placeholder=f"{r} / {c}",
                                    continuous_update=False, layout=widgets.Layout(width="150px"))
                text.observe(lambda ch, d=f"{r} / {c}": self._renamed(ch, d), "value")
                self._cell_texts[(r, c)] = text
                grid.append(text)
        width = len(cols.band_labels()) + 1
        self.names_box.children = [
            *self.names_box.children, widgets.HTML("<b>Matrix cell names</b>"),
            widgets.GridBox(grid, layout=widgets.Layout(
                grid_template_columns=f"repeat({width}, 160px)"))]

    def _treatment_row(self, treatment: Treatment) -> dict[str, widgets.Widget]:
        row = {
            "segment": widgets.Dropdown(options=_with(["*"], treatment.segment),
                                        value=treatment.segment, description="Segment"),
            "stratum": widgets.Dropdown(options=_with(["*"], treatment.stratum),
                                        value=treatment.stratum, description="Stratum"),
            "kind": widgets.Dropdown(options=["treatment", "intervention", "protection"],
                                     value=treatment.kind, layout=widgets.Layout(width="130px")),
            "name": widgets.Text(value=treatment.name, continuous_update=False),
            "description": treatment.description,
            "delete": widgets.Button(icon="trash", layout=widgets.Layout(width="36px")),
        }
        row["delete"].on_click(lambda _, r=row: self.remove_treatment(
            self._treatment_rows.index(r)))
        for key in ("segment", "stratum", "kind", "name"):
            row[key].observe(self._changed, "value")
        return row

    def _show_treatments(self) -> None:
        self._refresh_treatment_options()
        self.treatments_box.children = [
            widgets.HBox([r["segment"], r["stratum"], r["kind"], r["name"], r["delete"]])
            for r in self._treatment_rows] or [widgets.HTML("<i>No treatment yet.</i>")]

    def _refresh_treatment_options(self, spec: SegmentationSpec | None = None) -> None:
        spec = spec or self.spec
        segments = spec.labels()
        strata = spec.stratum_labels()[:-1]
        quiet, self._quiet = self._quiet, True
        try:
            for row in self._treatment_rows:
                for key, labels in (("segment", segments), ("stratum", strata)):
                    current = row[key].value
                    # A label the spec no longer has stays visible: the check names it.
                    row[key].options = _with(["*", *labels], current)
                    row[key].value = current
        finally:
            self._quiet = quiet

    # -- events ----------------------------------------------------------------------------------

    def _entity_changed(self, _change=None) -> None:
        if self._quiet:
            return
        entity = self.entity.value
        try:
            spec = default_spec(self.table(entity), entity)
        except SalesOpsError as err:
            self._say(err, error=True)
            return
        self._banding_rows = {}
        self._label_texts, self._band_label_texts, self._cell_texts = {}, {}, {}
        self._custom_rules, self._matrix = [], ("matrix", "", "")
        self.spec = spec
        self._load(spec)
        self.refresh()

    def _method_changed(self, field: str, change) -> None:
        row = self._banding_rows[field]
        default, hint = _PARAMETER[change["new"]]
        quiet, self._quiet = self._quiet, True
        row["parameter"].placeholder = hint
        row["parameter"].value = default
        self._band_label_texts.get(field, widgets.Text()).value = ""  # band count may change
        self._quiet = quiet
        self._structure_changed()

    def _structure_changed(self, _change=None) -> None:
        if self._quiet:
            return
        self._quiet = True
        try:
            if set(self._banding_rows) != set(self.numeric.value):
                self._build_bandings()
            self._set_segment_options()
            self._set_metric_options()
        finally:
            self._quiet = False
        ok = self.refresh()
        self._quiet = True
        try:
            self._build_names()
        finally:
            self._quiet = False
        # Names depend on the fitted bands; refresh again only if they changed the spec.
        if ok and self._try_draft() != self._draft:
            self.refresh()

    def _try_draft(self) -> SegmentationSpec | None:
        try:
            return self._spec_from_controls()
        except (SalesOpsError, pydantic.ValidationError, ValueError):
            return None

    def _strata_changed(self, change) -> None:
        """Keep treatments on the same relative stratum: bottom quartile -> bottom quintile."""
        if self._quiet:
            return
        old = Stratification(metric="m", count=change["old"]).stratum_labels()
        new = Stratification(metric="m", count=change["new"]).stratum_labels()
        quiet, self._quiet = self._quiet, True
        try:
            for row in self._treatment_rows:
                current = row["stratum"].value
                if current in old:
                    moved = new[round(old.index(current) * (len(new) - 1) / (len(old) - 1))]
                    row["stratum"].options = _with(["*", *new], moved)
                    row["stratum"].value = moved
        finally:
            self._quiet = quiet
        self.refresh()

    def _renamed(self, change, default: str) -> None:
        """A segment renamed: treatments keyed on its old name follow it."""
        if self._quiet:
            return
        old = change["old"].strip() or default
        new = change["new"].strip() or default
        quiet, self._quiet = self._quiet, True
        try:
            for row in self._treatment_rows:
                if row["segment"].value == old:
                    row["segment"].options = _with(list(row["segment"].options), new)
                    row["segment"].value = new
        finally:
            self._quiet = quiet
        self.refresh()

    def _changed(self, _change=None) -> None:
        if not self._quiet:
            self.refresh()

    # -- spec from the controls ------------------------------------------------------------------

    def _band_name(self, field: str) -> str:
        return self._banding_names.get(field, f"{field} band")

    def _banding_from_row(self, field: str) -> Banding:
        row = self._banding_rows[field]
        method = row["method"].value
        numbers = _numbers(row["parameter"].value, f"The parameter of the {field} banding")
        data: dict[str, Any] = {"name": self._band_name(field), "field": field, "method": method}
        if method == "thresholds":
            data["thresholds"] = numbers
        elif method == "abc":
            data["abc_cuts"] = numbers or None
        elif method == "quantiles" and len(numbers) != 1:
            data["quantiles"] = numbers or None
        elif numbers:
            data["bins"] = int(numbers[0])
        labels = self._band_label_texts.get(field)
        if labels is not None and labels.value.strip():
            data["labels"] = [p.strip() for p in labels.value.split(",") if p.strip()]
        banding = Banding.model_validate(data)
        row["banding"] = banding
        # Unchanged parameters keep their fitted edges: the saved cut points stay put.
        key = _params_key(banding)
        if key not in self._fitted:
            table = nw.from_native(self.table(self.entity.value))
            self._fitted[key] = fit_banding(table, banding)
        return self._fitted[key]

    def _matrix_fields(self) -> tuple[str, str]:
        """Rows and columns of the matrix: as saved, else the fields in list order."""
        chosen = tuple(self.numeric.value)
        if set(self._matrix[1:]) == set(chosen):
            return self._matrix[1], self._matrix[2]
        return chosen[0], chosen[1]

    def _fitted_banding(self, field: str) -> Banding | None:
        banding = self._banding_rows[field]["banding"]
        fitted = self._fitted.get(_params_key(banding))
        return fitted if fitted is not None or not banding.is_fitted else banding

    def _spec_from_controls(self) -> SegmentationSpec:
        entity = self.entity.value
        table = self.table(entity)
        rules = list(self._custom_rules)
        if self.categories.value and not rules:
            rules = category_rules(table, list(self.categories.value))
            rules = [r.model_copy(update={"label": self._label_texts[r.label].value.strip()
                                          or r.label}) if r.label in self._label_texts else r
                     for r in rules]
        bandings = [self._banding_from_row(f) for f in self.numeric.value]
        source = self.segment_by.value
        matrices = []
        if source == _MATRIX and len(bandings) == 2:
            by_field = {b.field: b for b in bandings}
            row_band, col_band = (by_field[f] for f in self._matrix_fields())
            # Names typed for bands that a new method no longer makes are left out.
            cells = [MatrixCell(row=r, column=c, label=t.value.strip())
                     for (r, c), t in self._cell_texts.items() if t.value.strip()
                     and r in row_band.band_labels() and c in col_band.band_labels()]
            rows, columns = row_band.name, col_band.name
            matrices = [Matrix(name=self._matrix[0], rows=rows, columns=columns, cells=cells)]
        segment_by = ("rules" if source == _CATEGORIES else self._matrix[0] if source == _MATRIX
                      else self._band_name(source) if source else None)
        treatments = [Treatment(segment=r["segment"].value, stratum=r["stratum"].value,
                                kind=r["kind"].value, name=r["name"].value.strip() or "(unnamed)",
                                description=r["description"]) for r in self._treatment_rows]
        data = {
            "name": self.spec.name, "entity": entity, "key": ENTITY_KEYS[entity],
            "description": self.spec.description, "rules": rules,
            "catch_all": (self.catch_all.value.strip() or "Other") if rules else None,
            "bandings": bandings, "matrices": matrices, "segment_by": segment_by,
            "strata": Stratification(metric=self.metric.value, count=self.strata_count.value,
                                     higher_is_better=self.higher.value),
        }
        try:
            return SegmentationSpec(**data, treatments=treatments)
        except SpecError as err:
            if not treatments:
                raise
            spec = SegmentationSpec(**data)  # raises if the fault is not in the treatments
            raise _TreatmentKeys(err, spec) from err

    # -- display ---------------------------------------------------------------------------------

    def _show(self, warnings, spec: SegmentationSpec) -> None:
        import vl_convert

        from salesops_nb.overview.tables import styled
        from salesops_nb.segmentation.charts.structure import segment_sizes_chart

        shown = self.profile[["segment", "count", "share", "win_rate"]
                             if "win_rate" in self.profile else ["segment", "count", "share"]]
        self.sizes.value = styled(shown.rename(columns={"count": spec.entity}),
                                  max_rows=60).to_html()
        items = "".join(
            f"<li>{'✅' if m.ok else '⚠️' if m.ok is False else '•'} <b>{html.escape(m.name)}"
            f"</b>: {html.escape(m.verdict)}</li>" for m in self.quality)
        items += "".join(f"<li>⚠️ {html.escape(str(w))}</li>" for w in warnings)
        self.verdicts.value = f"<b>Quality</b><ul>{items}</ul>"
        chart = segment_sizes_chart(self.profile, entity=spec.entity)
        self.chart.value = vl_convert.vegalite_to_svg(chart.to_dict())
        for field, row in self._banding_rows.items():
            row["preview"].value = self._band_preview(field)
        self._refresh_treatment_options(spec)

    def _band_preview(self, field: str) -> str:
        banding = self._fitted_banding(field)
        if banding is None or self.assigned is None or banding.name not in self.assigned:
            return ""
        edges = ", ".join(f"{e:,.4g}" for e in banding.cut_points()[0]) or "none"
        counts = self.assigned[banding.name].value_counts()
        sizes = " · ".join(f"{html.escape(label)}: {int(counts.get(label, 0)):,}"
                           for label in banding.all_labels() if label in counts
                           or label != banding.unknown_label)
        return (f"<div style='margin-left:150px'>Edges: {html.escape(edges)}<br>"
                f"Sizes: {sizes}</div>")

    def _say(self, message: object, *, error: bool = False, prefix: str = "") -> None:
        show_status(self.status, message, error=error, prefix=prefix)


class _TreatmentKeys(Exception):  # an internal signal, never reaches a user
    """The spec is valid but for a treatment key; carries the spec without treatments."""

    def __init__(self, error: SpecError, spec: SegmentationSpec) -> None:
        super().__init__(error.message)
        self.error, self.spec = error, spec


def _params_key(banding: Banding) -> str:
    """What decides a banding's edges, with defaults filled in (so "0.8, 0.95" typed in the
    widget matches a saved ABC banding that left its cuts at the default)."""
    method = banding.method
    params: Any = {
        "thresholds": banding.thresholds,
        "quantiles": banding.probabilities() if method == "quantiles" else None,
        "abc": banding.abc_cuts or [0.8, 0.95],
    }.get(method, banding.bins or 4)
    return repr((banding.name, banding.field, method, params, banding.labels,
                 banding.unknown_label))


def _parameter_text(banding: Banding) -> str:
    if banding.method == "thresholds":
        return ", ".join(f"{v:g}" for v in banding.thresholds or [])
    if banding.method == "abc":
        return ", ".join(f"{v:g}" for v in banding.abc_cuts or [0.8, 0.95])
    if banding.method == "quantiles" and banding.quantiles:
        return ", ".join(f"{v:g}" for v in banding.quantiles)
    return str(banding.bins or 4)


def _numbers(text: str, where: str) -> list[float]:
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    try:
        return [float(p) for p in parts]
    except ValueError:
        raise ValueError(f"{where}: {text!r} is not a list of numbers (e.g. 200, 2000)") from None


def _with(options: list[str], value: str) -> list[str]:
    return options if value in options else [*options, value]
