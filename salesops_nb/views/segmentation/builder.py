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

import os
from typing import Any

import ipywidgets as widgets
import narwhals as nw
import pandas as pd
import pydantic

from salesops_nb.errors import SalesOpsError
from salesops_nb.segmentation import _frames
from salesops_nb.segmentation.analysis import apply_spec, entities_for, profile_entities
from salesops_nb.segmentation.defaults import ENTITY_KEYS, default_spec
from salesops_nb.segmentation.entities import entity_table
from salesops_nb.segmentation.quality import quality_report
from salesops_nb.segmentation.spec import SegmentationSpec
from salesops_nb.segmentation.spec_parts import Banding, Treatment
from salesops_nb.views._common import QuietSwitch, save_artefact, show_status
from salesops_nb.views.segmentation._preview import _Preview
from salesops_nb.views.segmentation._spec import (
    _CATEGORIES,
    _MATRIX,
    _params_key,
    _SpecFromControls,
    _TreatmentKeys,
)
from salesops_nb.views.segmentation._steps import _STYLE, _WIDE, _StepControls
from salesops_nb.workspace import DEFAULT_ROOT, locate

__all__ = ["DEFAULT_PATH", "STEPS", "SegmentationBuilder"]

DEFAULT_PATH = f"{DEFAULT_ROOT}/segmentation/main.json"
STEPS = ("1. Entity and fields", "2. Bandings", "3. Names", "4. Metric and strata",
         "5. Treatments")


class SegmentationBuilder(_StepControls, _SpecFromControls, _Preview):
    """Guided builder of a :class:`~salesops_nb.segmentation.spec.SegmentationSpec`.

    Parameters
    ----------
    data
        Canonical opportunities (pandas, Polars, or a DuckDB/Spark table from
        :func:`salesops_nb.backends.open_deals`), a file path, or None for the built-in
        sample; read once. Rep and account tables are aggregated where the deals live. Deals
        on a lazy engine stay there: band edges are fitted on all of them, and the live
        preview works on the first ``preview_rows`` (a preview, not the report).
    spec
        Spec to start from; default the one saved at ``path``, else the entity's default spec.
    path
        The spec's file, ``<workspace>/segmentation/<name>.json``.
    min_size
        Fewest entities a segment needs (quality verdict).
    preview_rows
        Deals the preview holds in memory when segmenting deals kept on an engine.

    Attributes
    ----------
    spec
        The last valid, fitted spec (what is saved).
    widget
        The ipywidgets tree; the builder displays itself in a notebook.
    """

    def __init__(self, data: Any = None, spec: SegmentationSpec | None = None,
                 path: str | os.PathLike[str] | None = None, *, min_size: int = 5,
                 preview_rows: int = 50_000) -> None:
        self.workspace, self.name = locate(path or DEFAULT_PATH, SegmentationSpec)
        if data is None or isinstance(data, str | os.PathLike):
            from salesops_nb.data.load import load_opportunities

            data = load_opportunities(data or None)
        self._deals = data
        self.preview_rows = preview_rows
        self._tables: dict[str, pd.DataFrame] = {}
        self._fitted: dict[str, Banding] = {}
        self._checked: dict[tuple[str, str], list] = {}
        self._quiet = QuietSwitch()
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
        """The entity table, built once from the deals and cached (pandas).

        Deals kept on a lazy engine give the first ``preview_rows`` of their table: the
        preview is bounded, the report (``analyse``) uses every deal.
        """
        if entity not in self._tables:
            if self._deals_on_engine(entity):
                sample = nw.from_native(entity_table(self._deals, entity)).head(
                    self.preview_rows)
                self._tables[entity] = _frames.collect_pandas(sample)
            else:
                self._tables[entity] = entities_for(self._deals, entity)
        return self._tables[entity]

    def fit_table(self, entity: str) -> Any:
        """The table band edges are fitted on: every deal, even when the preview is a sample."""
        if self._deals_on_engine(entity):
            return entity_table(self._deals, entity)
        return self.table(entity)

    def _deals_on_engine(self, entity: str) -> bool:
        if entity != "opportunities":
            return False
        try:
            return isinstance(nw.from_native(self._deals), nw.LazyFrame)
        except TypeError:
            return False

    def _preview_note(self, entity: str) -> str:
        if not self._deals_on_engine(entity):
            return "<h4>Preview</h4>"
        shown = len(self.table(entity))
        return (f"<h4>Preview</h4><p>The deals stay on the engine: this preview counts the "
                f"first {shown:,} of them (band edges are fitted on all). The report "
                "sections use every deal.</p>")

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
            self.preview_header.value = self._preview_note(spec.entity)
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
        self.preview_header = widgets.HTML("<h4>Preview</h4>")
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
            self.preview_header, widgets.HBox([self.sizes, self.verdicts]),
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
        with self._quiet:
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
                for banding in bare.fit(self.fit_table(spec.entity)).bandings:
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

    def _say(self, message: object, *, error: bool = False, prefix: str = "") -> None:
        show_status(self.status, message, error=error, prefix=prefix)

