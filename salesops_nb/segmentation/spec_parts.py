"""The parts of a segmentation spec: conditions and rules, bandings, matrices, strata, treatments.

Each is a small pydantic model that checks itself when built; :class:`~salesops_nb.segmentation.
spec.SegmentationSpec` puts them together and checks how they refer to one another.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from salesops_nb.errors import SpecError
from salesops_nb.segmentation import _bands

__all__ = ["Banding", "Condition", "Matrix", "MatrixCell", "Rule", "Stratification", "Treatment"]

UNKNOWN = "unknown"

Scalar = str | int | float | bool
Operator = Literal["in", "not in", "==", "!=", "<", "<=", ">", ">="]
Method = Literal["thresholds", "quantiles", "abc", "jenks", "equal_width"]
_CLOSED = {"thresholds": "left", "abc": "left", "quantiles": "right", "jenks": "right",
           "equal_width": "right"}


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
