"""Backend-neutral helpers on narwhals frames: field checks, missing values, small results.

Every function takes a narwhals DataFrame or LazyFrame, so the engine runs unchanged on pandas,
Polars (eager or lazy) and, later, DuckDB or PySpark.
"""

from __future__ import annotations

import difflib
from typing import Any

import narwhals as nw
import pandas as pd

from salesops_nb.errors import DataError, MissingColumnsError, NonNumericFieldError

__all__ = [
    "NonNumericFieldError",
    "code_labels",
    "collect_pandas",
    "is_numeric",
    "label_chain",
    "label_codes",
    "lazy_to_pandas",
    "numeric",
    "portable",
    "require_fields",
    "require_numeric",
    "schema",
    "to_narwhals",
]


def to_narwhals(frame: Any) -> nw.DataFrame | nw.LazyFrame:
    """Wrap a pandas/Polars/... frame (or pass a narwhals one through)."""
    if isinstance(frame, nw.DataFrame | nw.LazyFrame):
        return frame
    try:
        return nw.from_native(frame)
    except TypeError as err:
        raise DataError(
            f"Cannot segment a {type(frame).__name__}: it is not a data frame.",
            hint="Pass a pandas or Polars DataFrame, e.g. load_opportunities().",
        ) from err


def schema(frame: nw.DataFrame | nw.LazyFrame) -> dict[str, Any]:
    """Column name -> narwhals dtype, without collecting a lazy frame."""
    return dict(frame.collect_schema())


def require_fields(frame: nw.DataFrame | nw.LazyFrame, fields: list[str], where: str) -> None:
    """Raise MissingColumnsError naming each absent field and the closest column names."""
    columns = list(schema(frame))
    missing = [f for f in dict.fromkeys(fields) if f not in columns]
    if not missing:
        return
    suggestions = {f: difflib.get_close_matches(f, columns, n=3, cutoff=0.5) for f in missing}
    close = "; ".join(
        f"for {f!r} did you mean {', '.join(repr(s) for s in suggestions[f])}?"
        for f in missing
        if suggestions[f]
    )
    shown = ", ".join(repr(c) for c in columns[:30]) + (" ..." if len(columns) > 30 else "")
    raise MissingColumnsError(
        f"{where} uses {', '.join(repr(f) for f in missing)}, not a column of the data.",
        hint=(close + " " if close else "") + f"The columns are: {shown}.",
        missing=missing,
        suggestions=suggestions,
    )


def is_numeric(dtype: Any) -> bool:
    """True for integer and float dtypes (booleans and decimals excluded/included as numbers)."""
    return bool(dtype.is_numeric()) and dtype != nw.Boolean


def require_numeric(frame: nw.DataFrame | nw.LazyFrame, field: str, where: str) -> None:
    """Raise NonNumericFieldError when ``field`` is not a number column."""
    dtype = schema(frame)[field]
    if not is_numeric(dtype):
        raise NonNumericFieldError(
            f"{where} needs numbers, but column {field!r} holds {dtype}.",
            hint=f"Convert {field!r} to numbers first (load_table maps and coerces CRM columns), "
            "or segment it with rules (field in [values]) instead of a banding.",
        )


def numeric(field: str, frame: nw.DataFrame | nw.LazyFrame) -> nw.Expr:
    """The field as used in computations: float NaN counts as missing on every backend.

    pandas already treats NaN as missing; Polars keeps NaN as a value (sorted above every
    number), so it is turned into null there, only inside our expressions, never in the output.
    """
    expr = nw.col(field)
    if schema(frame)[field].is_float():
        return expr.fill_nan(None)
    return expr


def label_chain(
    cases: list[tuple[nw.Expr, str]], otherwise: str,
    frame: nw.DataFrame | nw.LazyFrame | None = None,
) -> nw.Expr:
    """Label of the first true case, else ``otherwise``, as a string expression.

    On pandas (and when ``frame`` is not given) the chain works on small integer codes and
    turns them into text once at the end: there a chain of string replacements costs about four
    times as much as integer ones. Other engines (Polars, DuckDB, Spark) get the plain chain of
    string literals, which they evaluate natively; a code lookup would make SQL engines build a
    map and evaluate the chain twice.
    """
    if frame is not None and not frame.implementation.is_pandas_like():
        chain: Any = None
        for test, label in cases:
            chain = (nw.when(test) if chain is None else chain.when(test)).then(nw.lit(label))
        return nw.lit(otherwise) if chain is None else chain.otherwise(nw.lit(otherwise))
    codes, labels = label_codes(cases, otherwise)
    return code_labels(codes, labels)


def label_codes(cases: list[tuple[nw.Expr, str]], otherwise: str) -> tuple[nw.Expr, list[str]]:
    """The integer code of the first true case (else of ``otherwise``), and the labels by code."""
    labels = list(dict.fromkeys([*(label for _, label in cases), otherwise]))
    code = {label: i for i, label in enumerate(labels)}
    chain: Any = None
    for test, label in cases:
        chain = (nw.when(test) if chain is None else chain.when(test)).then(nw.lit(code[label]))
    codes = nw.lit(code[otherwise]) if chain is None else chain.otherwise(nw.lit(code[otherwise]))
    return codes, labels


def code_labels(codes: nw.Expr, labels: list[str]) -> nw.Expr:
    """Text labels of integer codes from :func:`label_codes`."""
    # Every code is mapped, so the default never applies; some backends require one.
    return codes.replace_strict(
        list(range(len(labels))), labels, default=nw.lit(labels[-1]), return_dtype=nw.String
    )


def portable(frame: nw.LazyFrame) -> nw.LazyFrame:
    """Cast engine-specific number types to the ones every backend shares.

    DuckDB sums integers into 128-bit integers and Spark may return decimals; in pandas
    these arrive as Python objects. Counts fit in Int64, decimals become Float64.
    """
    wide = (nw.Int128, nw.UInt128, nw.UInt64)
    casts = [
        nw.col(name).cast(nw.Int64 if dtype in wide else nw.Float64)
        for name, dtype in frame.collect_schema().items()
        if dtype in wide or dtype == nw.Decimal
    ]
    return frame.with_columns(*casts) if casts else frame


def lazy_to_pandas(frame: nw.LazyFrame) -> pd.DataFrame:
    """Collect a lazy DuckDB/Spark/... result through Arrow (their fast path) into pandas."""
    return portable(frame).collect(backend="pyarrow").to_pandas()


def collect_pandas(frame: nw.DataFrame | nw.LazyFrame) -> pd.DataFrame:
    """Collect a small (aggregated) result as a pandas DataFrame."""
    if isinstance(frame, nw.LazyFrame):
        if frame.implementation is not nw.Implementation.POLARS:
            return lazy_to_pandas(frame)
        frame = frame.collect()
    native = frame.to_native()
    if isinstance(native, pd.DataFrame):
        return native.reset_index(drop=True)
    return frame.to_pandas()
