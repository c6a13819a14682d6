"""The segmentation spec: a declarative, JSON-saved description of how to segment a table.

A :class:`SegmentationSpec` holds

- ``rules``: ordered categorical rules, first match wins, with a required ``catch_all`` label;
- ``bandings``: numeric bandings of a field (fixed thresholds, quantiles, ABC/Pareto, Fisher-Jenks
  natural breaks, equal width), each adding a column named after the banding;
- ``matrices``: two bandings crossed into named cells ("Strategic", "Develop", ...);
- ``segment_by``: which of them defines the ``segment`` column (:attr:`SegmentationSpec.source`);
- ``strata``: a metric ranked inside each segment into strata (quartiles by default);
- ``treatments``: what to do for a (segment, stratum) cell.

Data-driven bandings are *fitted* once (:meth:`SegmentationSpec.fit`) and keep their edges and
labels in the spec, so next quarter's export gets the same cut points and the same labels.

Example
-------
>>> spec = SegmentationSpec(
...     name="by team", entity="opportunities", key="opportunity_id",
...     rules=[Rule(label="Enterprise", when=[Condition(field="team", op="==",
...                                                     value="Enterprise")])],
...     catch_all="Other",
... )
>>> spec.labels()
['Enterprise', 'Other']
"""

from __future__ import annotations

import difflib
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from salesops_nb.artefact import Artefact, Migrations
from salesops_nb.errors import SpecError
from salesops_nb.segmentation.spec_parts import (
    Banding,
    Matrix,
    Rule,
    Stratification,
    Treatment,
)

__all__ = ["RESERVED_COLUMNS", "SegmentationSpec", "SegmentationWarning"]

#: Columns :func:`~salesops_nb.segmentation.engine.assign` adds; no banding or matrix may take them.
RESERVED_COLUMNS = ("segment", "stratum")


class SegmentationWarning(BaseModel):
    """Something in a spec that works but probably is not what the analyst meant.

    ``kind`` is one of "overlap", "unreachable", "matches nothing", "value not found",
    "empty band", "small segment".
    """

    model_config = ConfigDict(frozen=True)

    kind: str
    message: str
    rule: str | None = None
    rows: int | None = None

    def __str__(self) -> str:
        return self.message


# -- the spec -------------------------------------------------------------------------------------


class SegmentationSpec(Artefact):
    """How to segment (and stratify) a table; saved in the workspace as ``segmentation/<name>``.

    ``segment_by`` names what defines the ``segment`` column: ``"rules"``, a banding or a matrix.
    Left empty it is resolved as: the rules if there are any, else the only matrix, else the only
    banding (see :attr:`source`).
    """

    kind: ClassVar[str] = "segmentation"
    schema_version: ClassVar[int] = 1
    migrations: ClassVar[Migrations] = {}

    name: str = "segmentation"
    entity: str = "opportunities"
    key: str | None = None
    description: str = ""
    rules: list[Rule] = Field(default_factory=list)
    catch_all: str | None = None
    bandings: list[Banding] = Field(default_factory=list)
    matrices: list[Matrix] = Field(default_factory=list)
    segment_by: str | None = None
    strata: Stratification | None = None
    treatments: list[Treatment] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> SegmentationSpec:
        self._check_names()
        if self.rules and not self.catch_all:
            raise SpecError(
                f"Spec {self.name!r} has {len(self.rules)} rules but no catch-all label.",
                hint="Set catch_all='Other' (or any label): rows no rule matches get it.",
            )
        _ = self.source  # resolves segment_by, raising on an empty or ambiguous spec
        for matrix in self.matrices:
            self._check_matrix(matrix)
        self._check_treatments()
        return self

    # -- what defines the segment --------------------------------------------------------------

    @property
    def source(self) -> str:
        """``"rules"`` or the name of the banding/matrix whose labels are the segments."""
        names = [b.name for b in self.bandings] + [m.name for m in self.matrices]
        if self.segment_by is not None:
            if self.segment_by == "rules":
                if not self.rules:
                    raise self._empty_rules()
                return "rules"
            if self.segment_by not in names:
                raise SpecError(
                    f"Spec {self.name!r}: segment_by={self.segment_by!r} names no banding or "
                    "matrix.",
                    hint=f"Use 'rules' or one of {names!r}" + _close(self.segment_by, names),
                )
            return self.segment_by
        if self.rules:
            return "rules"
        if len(self.matrices) == 1:
            return self.matrices[0].name
        if not self.matrices and len(self.bandings) == 1:
            return self.bandings[0].name
        if not names:
            raise self._empty_rules()
        raise SpecError(
            f"Spec {self.name!r} has several bandings/matrices {names!r} and no rules: which one "
            "defines the segments is ambiguous.",
            hint=f"Set segment_by to one of {names!r}.",
        )

    def _empty_rules(self) -> SpecError:
        return SpecError(
            f"Spec {self.name!r} has no rules"
            + (f" (only the catch-all {self.catch_all!r})" if self.catch_all else "")
            + " and no banding or matrix: every row would land in one segment.",
            hint="Add at least one rule, e.g. Rule(label='Enterprise', when=[Condition("
            "field='team', op='==', value='Enterprise')]), or a banding of a numeric field.",
        )

    # -- labels ----------------------------------------------------------------------------------

    def banding(self, name: str) -> Banding:
        """The banding called ``name`` (SpecError listing the names if there is none)."""
        for banding in self.bandings:
            if banding.name == name:
                return banding
        names = [b.name for b in self.bandings]
        raise SpecError(f"Spec {self.name!r} has no banding {name!r}.",
                        hint=f"Bandings: {names!r}" + _close(name, names))

    def matrix_labels(self, matrix: Matrix) -> list[str]:
        """Cell names of ``matrix`` in row-major order of its bands, each once, then unknown."""
        named = {(c.row, c.column): c.label for c in matrix.cells}
        labels: list[str] = []
        for row in self.banding(matrix.rows).band_labels():
            for col in self.banding(matrix.columns).band_labels():
                label = named.get((row, col), f"{row} / {col}")
                if label not in labels:
                    labels.append(label)
        return [*labels, matrix.unknown_label]

    def labels(self) -> list[str]:
        """The segment labels in order (rules in order then the catch-all; bands lowest first)."""
        source = self.source
        if source == "rules":
            ordered = list(dict.fromkeys(r.label for r in self.rules))
            return [*ordered, *([self.catch_all] if self.catch_all not in ordered else [])]
        for matrix in self.matrices:
            if matrix.name == source:
                return self.matrix_labels(matrix)
        return self.banding(source).all_labels()

    def stratum_labels(self) -> list[str]:
        """Stratum labels best first, then the unknown label; empty without strata."""
        if self.strata is None:
            return []
        return [*self.strata.stratum_labels(), self.strata.unknown_label]

    def fields(self) -> list[str]:
        """Every column of the data the spec reads, each once."""
        fields = [c.field for r in self.rules for c in r.when]
        fields += [b.field for b in self.bandings]
        if self.strata is not None:
            fields.append(self.strata.metric)
        return list(dict.fromkeys(fields))

    @property
    def is_fitted(self) -> bool:
        """True when every banding has its edges (fit once, re-apply to new data)."""
        return all(b.is_fitted for b in self.bandings)

    # -- data-dependent operations (the engine does the work) -------------------------------------

    def fit(self, frame: Any, *, refit: bool = False) -> SegmentationSpec:
        """Return a copy whose data-driven bandings have edges computed from ``frame``.

        Already fitted bandings keep their edges unless ``refit=True``, so re-applying a saved
        spec to next quarter's data gives the same labels.
        """
        from salesops_nb.segmentation.engine import fit

        return fit(frame, self, refit=refit)

    def check(self, frame: Any) -> list[SegmentationWarning]:
        """Warnings about the rules on ``frame``: overlaps, unreachable rules, unseen values."""
        from salesops_nb.segmentation.rules import check_rules

        return check_rules(frame, self)

    # -- validation helpers ----------------------------------------------------------------------

    def _check_names(self) -> None:
        seen: set[str] = set()
        for name in [b.name for b in self.bandings] + [m.name for m in self.matrices]:
            if name in RESERVED_COLUMNS or name in seen:
                problem = "is reserved" if name in RESERVED_COLUMNS else "is used twice"
                raise SpecError(
                    f"Spec {self.name!r}: the banding/matrix name {name!r} {problem}; each "
                    "becomes a column of the result.",
                    hint=f"Give each banding and matrix its own name, not {RESERVED_COLUMNS!r}.",
                )
            seen.add(name)

    def _check_matrix(self, matrix: Matrix) -> None:
        rows = _known_labels(self.banding(matrix.rows))
        cols = _known_labels(self.banding(matrix.columns))
        for cell in matrix.cells:
            for value, valid, axis in ((cell.row, rows, "row"), (cell.column, cols, "column")):
                if value not in valid:
                    raise SpecError(
                        f"Matrix {matrix.name!r}: cell {cell.label!r} names {axis} band "
                        f"{value!r}, which is not a label of its {axis} banding.",
                        hint=f"Valid {axis} labels: {valid!r}" + _close(value, valid),
                    )

    def _check_treatments(self) -> None:
        segments = self.labels()
        if self.source in [b.name for b in self.bandings]:
            segments += _known_labels(self.banding(self.source))
        strata = self.stratum_labels()
        for t in self.treatments:
            if t.segment != "*" and t.segment not in segments:
                raise SpecError(
                    f"Treatment {t.name!r} is keyed on segment {t.segment!r}, which this spec "
                    "does not produce.",
                    hint=f"Use '*' or one of the segments {segments!r}" + _close(t.segment,
                                                                               segments),
                )
            if t.stratum != "*" and t.stratum not in strata:
                valid = strata or ["(no strata: set spec.strata first)"]
                raise SpecError(
                    f"Treatment {t.name!r} is keyed on stratum {t.stratum!r}, which this spec "
                    "does not produce.",
                    hint=f"Use '*' or one of the strata {valid!r}" + _close(t.stratum, strata),
                )


def _known_labels(banding: Banding) -> list[str]:
    """Fitted labels plus the nominal ones: keys written before fitting stay valid when a fit
    merged bands (they then simply match no row)."""
    nominal = banding.nominal_labels()
    nominal = nominal[::-1] if banding.method == "abc" else nominal
    return list(dict.fromkeys([*banding.band_labels(), *nominal]))


def _close(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f". Did you mean {close[0]!r}?" if close else "."
