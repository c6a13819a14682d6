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
from itertools import pairwise
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from salesops_nb.artefact import Artefact, Migrations
from salesops_nb.errors import SpecError
from salesops_nb.segmentation import _bands

__all__ = [
    "RESERVED_COLUMNS",
    "Banding",
    "Condition",
    "Matrix",
    "MatrixCell",
    "Rule",
    "SegmentationSpec",
    "SegmentationWarning",
    "SpecError",
    "Stratification",
    "Treatment",
]

#: Columns :func:`~salesops_nb.segmentation.engine.assign` adds; no banding or matrix may take them.
RESERVED_COLUMNS = ("segment", "stratum")
UNKNOWN = "unknown"

Scalar = str | int | float | bool
Operator = Literal["in", "not in", "==", "!=", "<", "<=", ">", ">="]
Method = Literal["thresholds", "quantiles", "abc", "jenks", "equal_width"]
_CLOSED = {"thresholds": "left", "abc": "left", "quantiles": "right", "jenks": "right",
           "equal_width": "right"}


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


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- rules ----------------------------------------------------------------------------------------


class Condition(_Model):
    """One test on a field: ``field in [values]``, ``field == value`` or a numeric comparison.

    Rows where the field is missing never match (they fall through to later rules).
    """

    field: str
    op: Operator = "=="
    value: Scalar | list[Scalar]

    @model_validator(mode="after")
    def _check(self) -> Condition:
        if self.op in ("in", "not in"):
            if not isinstance(self.value, list) or not self.value:
                raise SpecError(
                    f"Condition on {self.field!r}: '{self.op}' needs a non-empty list of values, "
                    f"not {self.value!r}.",
                    hint=f"Write e.g. Condition(field={self.field!r}, op={self.op!r}, "
                    "value=['A', 'B']).",
                )
        elif isinstance(self.value, list):
            raise SpecError(
                f"Condition on {self.field!r}: '{self.op}' compares with one value, not a list.",
                hint=f"Use op='in' to test membership in {self.value!r}.",
            )
        elif self.op in ("<", "<=", ">", ">=") and (
            isinstance(self.value, bool) or not isinstance(self.value, int | float)
        ):
            raise SpecError(
                f"Condition on {self.field!r}: '{self.op}' needs a number, not {self.value!r}.",
                hint="Numeric comparisons take a number; use '==' or 'in' for text.",
            )
        return self

    def describe(self) -> str:
        """The condition as a reader would write it: ``team in ['SMB', 'Mid-Market']``."""
        return f"{self.field} {self.op} {self.value!r}"


class Rule(_Model):
    """A labelled rule: rows meeting ``all`` (or ``any``) of its conditions get ``label``."""

    label: str = Field(min_length=1)
    when: list[Condition] = Field(min_length=1)
    match: Literal["all", "any"] = "all"

    def describe(self) -> str:
        """``label: cond and cond``."""
        joiner = " and " if self.match == "all" else " or "
        return f"{self.label}: " + joiner.join(c.describe() for c in self.when)


# -- bandings -------------------------------------------------------------------------------------


class Banding(_Model):
    """A numeric field cut into ordered bands; adds a column ``name`` of labels.

    Methods and their parameters:

    - ``"thresholds"``: ``thresholds`` (strictly increasing); a band starts at its threshold.
    - ``"quantiles"``: ``quantiles`` (probabilities strictly between 0 and 1, increasing) or
      ``bins`` equal-count bands (default 4, quartiles). Edges are the *linear* quantiles of the
      non-missing values (numpy's default, Hyndman-Fan type 7), computed by the backend itself
      with ``quantile(q, interpolation="linear")``; a value equal to an edge goes to the lower band.
    - ``"abc"``: ``abc_cuts`` cumulative shares (default 80% and 95%): sorted from the largest,
      the values making the first 80% of the total are A, up to 95% B, the rest C. Negative
      values count as zero in the total. Ties with the last A value are A too.
    - ``"jenks"``: ``bins`` classes of Fisher-Jenks natural breaks. Above 2,000 values, the breaks
      are computed on 2,000 evenly spaced order statistics of the field (deterministic, keeps the
      shape of the distribution).
    - ``"equal_width"``: ``bins`` bands of equal width between the minimum and maximum.

    ``labels`` name the bands lowest first (ABC: A first). Missing values get ``unknown_label``.
    ``edges`` and ``fitted_labels`` are set by fitting; equal edges found in the data are merged
    (see :mod:`salesops_nb.segmentation._bands`).
    """

    name: str = Field(min_length=1)
    field: str = Field(min_length=1)
    method: Method = "quantiles"
    thresholds: list[float] | None = None
    quantiles: list[float] | None = None
    bins: int | None = Field(default=None, ge=1, le=50)
    abc_cuts: list[float] | None = None
    labels: list[str] | None = None
    unknown_label: str = UNKNOWN
    edges: list[float] | None = None
    fitted_labels: list[str] | None = None

    @model_validator(mode="after")
    def _check(self) -> Banding:
        where = f"Banding {self.name!r} of field {self.field!r}"
        if self.method == "thresholds":
            _check_increasing(self.thresholds, where, "thresholds", lo=None, hi=None)
        elif self.method == "quantiles" and self.quantiles is not None:
            _check_increasing(self.quantiles, where, "quantiles", lo=0.0, hi=1.0)
        elif self.method == "abc" and self.abc_cuts is not None:
            _check_increasing(self.abc_cuts, where, "abc_cuts", lo=0.0, hi=1.0)
        if self.labels is not None:
            expected = len(self.nominal_labels(default=True))
            if len(self.labels) != expected or len(set(self.labels)) != len(self.labels):
                raise SpecError(
                    f"{where} has {len(self.labels)} labels {self.labels!r}; its {expected} "
                    "bands need that many distinct labels.",
                    hint=f"Give {expected} distinct labels, lowest band first"
                    + (" (A first for ABC)." if self.method == "abc" else "."),
                )
        if self.edges is not None:
            labels = self.fitted_labels or []
            if len(labels) != len(self.edges) + 1 or sorted(set(self.edges)) != self.edges:
                raise SpecError(
                    f"{where} has inconsistent fitted edges {self.edges!r} and labels {labels!r}.",
                    hint="Refit the spec with spec.fit(data) instead of editing edges by hand.",
                )
        return self

    @property
    def closed(self) -> str:
        """Which side of a band owns an edge value: "left" or "right"."""
        return _CLOSED[self.method]

    @property
    def is_fitted(self) -> bool:
        """True when the edges are known (fixed thresholds always are)."""
        return self.method == "thresholds" or self.edges is not None

    def probabilities(self) -> list[float]:
        """Quantile probabilities of a quantile banding (``bins`` equal-count bands if unset)."""
        if self.quantiles is not None:
            return list(self.quantiles)
        k = self.bins or 4
        return [i / k for i in range(1, k)]

    def nominal_labels(self, *, default: bool = False) -> list[str]:
        """Labels of the bands before any merging, lowest values first (ABC: C first)."""
        if self.labels is not None and not default:
            return list(reversed(self.labels)) if self.method == "abc" else list(self.labels)
        if self.method == "thresholds":
            return _bands.threshold_labels(list(self.thresholds or []), "left")
        if self.method == "quantiles":
            return _quantile_labels(self.probabilities())
        if self.method == "abc":
            cuts = self.abc_cuts or [0.8, 0.95]
            return [chr(ord("A") + i) for i in range(len(cuts) + 1)][::-1]
        return _bands.ordinal_labels(self.bins or 4)

    def band_labels(self) -> list[str]:
        """Labels of the bands, in display order (lowest first; ABC: A first), fitted if fitted."""
        if self.fitted_labels is not None:
            labels = list(self.fitted_labels)
        elif self.method == "thresholds":
            labels = _bands.collapse(list(self.thresholds or []), self.nominal_labels(),
                                     "left")[1]
        else:
            labels = self.nominal_labels()
        return labels[::-1] if self.method == "abc" else labels

    def all_labels(self) -> list[str]:
        """:meth:`band_labels` followed by the label for missing values."""
        return [*self.band_labels(), self.unknown_label]

    def cut_points(self) -> tuple[list[float], list[str]]:
        """Edges and labels (lowest first) used to assign; raises if not fitted."""
        if self.method == "thresholds":
            return list(self.thresholds or []), self.nominal_labels()
        if self.edges is None or self.fitted_labels is None:
            raise SpecError(
                f"Banding {self.name!r} ({self.method}) has no edges yet.",
                hint="Fit the spec on data first: spec = spec.fit(frame).",
            )
        return list(self.edges), list(self.fitted_labels)


def _quantile_labels(probabilities: list[float]) -> list[str]:
    k = len(probabilities) + 1
    even = all(abs(p - (i + 1) / k) < 1e-9 for i, p in enumerate(probabilities))
    if even and k == 10:
        return [f"D{i}" for i in range(1, 11)]
    if even and k <= 9:
        return [f"Q{i}" for i in range(1, k + 1)] if k != 2 else ["bottom half", "top half"]
    bounds = [0.0, *probabilities, 1.0]
    return [f"P{_pct(a)}-P{_pct(b)}" for a, b in pairwise(bounds)]


def _pct(p: float) -> str:
    return f"{p * 100:g}"


def _check_increasing(values, where: str, what: str, *, lo, hi) -> None:
    if not values:
        raise SpecError(f"{where} needs a non-empty list of {what}.",
                        hint=f"Give e.g. {what}=[200, 2000].")
    bad_range = lo is not None and any(not lo < v < hi for v in values)
    if bad_range:
        raise SpecError(
            f"{where}: {what} {values!r} must lie strictly between {lo:g} and {hi:g}.",
            hint=f"Give shares as fractions, e.g. {what}=[0.25, 0.5, 0.75] (not 25, 50, 75).",
        )
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated or list(values) != sorted(values):
        problem = (f"repeat {repeated!r}" if repeated else "are not in increasing order")
        raise SpecError(
            f"{where}: {what} {values!r} {problem}; the bands would overlap.",
            hint=f"List each {what[:-1]} once, smallest first, e.g. {sorted(set(values))!r}.",
        )


# -- matrices, strata, treatments -----------------------------------------------------------------


class MatrixCell(_Model):
    """The name of one (row band, column band) cell of a matrix."""

    row: str
    column: str
    label: str = Field(min_length=1)


class Matrix(_Model):
    """Two bandings crossed into a grid; adds a column ``name`` with the cell names.

    Cells without a name are called ``"<row band> / <column band>"``; a row where either banding
    is unknown gets ``unknown_label``.
    """

    name: str = Field(min_length=1)
    rows: str
    columns: str
    cells: list[MatrixCell] = Field(default_factory=list)
    unknown_label: str = UNKNOWN


class Stratification(_Model):
    """A performance metric ranked inside each segment into ``count`` strata, best first.

    The position of a value in its segment is its mid-rank percentile ``(average rank - 0.5) / n``
    among the segment's non-missing values, best first; stratum i holds positions in
    ``[(i-1)/count, i/count)``. Ties share a position, so they share a stratum.
    """

    metric: str = Field(min_length=1)
    count: int = Field(default=4, ge=2, le=20)
    higher_is_better: bool = True
    labels: list[str] | None = None
    unknown_label: str = UNKNOWN

    @model_validator(mode="after")
    def _check(self) -> Stratification:
        if self.labels is not None and (
            len(self.labels) != self.count or len(set(self.labels)) != self.count
        ):
            raise SpecError(
                f"Strata of {self.metric!r}: {len(self.labels)} labels {self.labels!r} for "
                f"{self.count} strata.",
                hint=f"Give {self.count} distinct labels, best stratum first.",
            )
        return self

    def stratum_labels(self) -> list[str]:
        """Labels best first, without the unknown label."""
        return list(self.labels) if self.labels else _stratum_names(self.count)


_STRATA_WORDS = {2: "half", 3: "third", 4: "quartile", 5: "quintile", 10: "decile"}


def _stratum_names(count: int) -> list[str]:
    word = _STRATA_WORDS.get(count)
    if word is None:
        return [f"stratum {i} of {count}" for i in range(1, count + 1)]
    middle = [f"{_ordinal(i)} {word}" for i in range(2, count)]
    return [f"top {word}", *middle, f"bottom {word}"]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class Treatment(BaseModel):
    """What to do for the entities of a (segment, stratum) cell; ``"*"`` means any.

    ``kind``: a *treatment* is the standard play for a segment, an *intervention* targets bad
    outcomes, a *protection* guards good outcomes and key accounts.
    """

    model_config = ConfigDict(extra="forbid")

    segment: str = "*"
    stratum: str = "*"
    kind: Literal["treatment", "intervention", "protection"]
    name: str = Field(min_length=1)
    description: str = ""


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
