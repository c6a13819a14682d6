"""The spec built from the builder's controls.

Reads every step's controls into a :class:`SegmentationSpec`, refitting a banding only when
what decides its edges changed (so saved cut points stay put).
"""

from __future__ import annotations

from typing import Any

import narwhals as nw

from salesops_nb.errors import SpecError
from salesops_nb.segmentation.bandings import fit_banding
from salesops_nb.segmentation.defaults import ENTITY_KEYS, category_rules
from salesops_nb.segmentation.spec import SegmentationSpec
from salesops_nb.segmentation.spec_parts import (
    Banding,
    Matrix,
    MatrixCell,
    Stratification,
    Treatment,
)

# Values of the "Segments from" control besides a banded field.
_CATEGORIES, _MATRIX = "categories", "matrix"


class _SpecFromControls:
    """Mixin of :class:`SegmentationBuilder`: the spec the controls describe.

    Uses the controls and the fitted-banding cache (``_fitted``) of the builder.
    """

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
            table = nw.from_native(self.fit_table(self.entity.value))
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


def _numbers(text: str, where: str) -> list[float]:
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    try:
        return [float(p) for p in parts]
    except ValueError:
        raise ValueError(f"{where}: {text!r} is not a list of numbers (e.g. 200, 2000)") from None

