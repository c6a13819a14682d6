"""The controls of the builder's steps, and how they react to a change.

Step 1 offers the entity's fields, step 2 a method and parameter row per numeric field, step 3
the label texts (segments, bands, matrix cells), step 5 a row per treatment. The events keep
them consistent: a new entity starts from its default spec, a new banding method resets its
parameter, a renamed segment or a new strata count carries its treatments along.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd
import pydantic

from salesops_nb.errors import SalesOpsError
from salesops_nb.segmentation.defaults import (
    DEFAULT_METRICS,
    ENTITY_KEYS,
    RATE_COUNTS,
    category_rules,
    default_spec,
    strata_metric,
)
from salesops_nb.segmentation.spec import SegmentationSpec
from salesops_nb.segmentation.spec_parts import Banding, Stratification, Treatment
from salesops_nb.views.segmentation._spec import _CATEGORIES, _MATRIX

_METHODS = [("Quantiles (equal counts)", "quantiles"), ("Fixed thresholds", "thresholds"),
            ("ABC / Pareto", "abc"), ("Natural breaks (Fisher-Jenks)", "jenks"),
            ("Equal width", "equal_width")]
_PARAMETER = {"quantiles": ("4", "bands, or probabilities 0.1, 0.5, 0.9"),
              "thresholds": ("", "cut points, e.g. 200, 2000"),
              "abc": ("0.8, 0.95", "cumulative shares, e.g. 0.8, 0.95"),
              "jenks": ("4", "number of classes"), "equal_width": ("4", "number of bands")}
_WIDE = widgets.Layout(width="420px")
_STYLE = {"description_width": "150px"}


class _StepControls:
    """Mixin of :class:`SegmentationBuilder`: fills and rebuilds the step controls.

    Uses the builder's controls and state (``entity``, ``categories``, ``numeric``,
    ``segment_by``, ``metric``, the ``*_box`` containers, ``_banding_rows``, ``_label_texts``,
    ``_band_label_texts``, ``_cell_texts``, ``_treatment_rows``, ``_quiet``) and calls back
    ``refresh``, ``table``, ``_say`` and the spec helpers of ``_SpecFromControls``.
    """

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
        with self._quiet:
            for row in self._treatment_rows:
                for key, labels in (("segment", segments), ("stratum", strata)):
                    current = row[key].value
                    # A label the spec no longer has stays visible: the check names it.
                    row[key].options = _with(["*", *labels], current)
                    row[key].value = current

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
        with self._quiet:
            row["parameter"].placeholder = hint
            row["parameter"].value = default
            self._band_label_texts.get(field, widgets.Text()).value = ""  # band count may change
        self._structure_changed()

    def _structure_changed(self, _change=None) -> None:
        if self._quiet:
            return
        with self._quiet:
            if set(self._banding_rows) != set(self.numeric.value):
                self._build_bandings()
            self._set_segment_options()
            self._set_metric_options()
        ok = self.refresh()
        with self._quiet:
            self._build_names()
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
        with self._quiet:
            for row in self._treatment_rows:
                current = row["stratum"].value
                if current in old:
                    moved = new[round(old.index(current) * (len(new) - 1) / (len(old) - 1))]
                    row["stratum"].options = _with(["*", *new], moved)
                    row["stratum"].value = moved
        self.refresh()

    def _renamed(self, change, default: str) -> None:
        """A segment renamed: treatments keyed on its old name follow it."""
        if self._quiet:
            return
        old = change["old"].strip() or default
        new = change["new"].strip() or default
        with self._quiet:
            for row in self._treatment_rows:
                if row["segment"].value == old:
                    row["segment"].options = _with(list(row["segment"].options), new)
                    row["segment"].value = new
        self.refresh()

    def _changed(self, _change=None) -> None:
        if not self._quiet:
            self.refresh()


def _parameter_text(banding: Banding) -> str:
    if banding.method == "thresholds":
        return ", ".join(f"{v:g}" for v in banding.thresholds or [])
    if banding.method == "abc":
        return ", ".join(f"{v:g}" for v in banding.abc_cuts or [0.8, 0.95])
    if banding.method == "quantiles" and banding.quantiles:
        return ", ".join(f"{v:g}" for v in banding.quantiles)
    return str(banding.bins or 4)


def _with(options: list[str], value: str) -> list[str]:
    return options if value in options else [*options, value]
