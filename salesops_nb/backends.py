"""Engines: where the deals live and where the segmentation's work runs.

The segmentation engine, profiles, entity tables, comparison and treatment priorities are
written against narwhals, so one spec runs unchanged on four engines:

- ``"pandas"`` (the default): everything in memory, eager;
- ``"polars"``: Polars, eager or lazy (a Parquet file is scanned, never read whole);
- ``"duckdb"``: DuckDB relations, lazy SQL in-process (larger-than-memory Parquet works);
- ``"spark"``: PySpark DataFrames on a cluster, or in local mode on one machine.

On the lazy engines only aggregates leave the engine: entity tables (one row per rep or
account), profiles (one row per segment), fitted edges (a handful of numbers) and at most 2,000
order statistics for natural breaks. A 10-million-row table is never collected to Python.

**One quantile definition everywhere.** Quantile edges, medians and quartiles are the linear
interpolation between order statistics (numpy's and pandas' default, "type 7"): for ``n`` sorted
values ``x[0..n-1]`` the ``p`` quantile is ``x[h] + (h - floor(h)) (x[floor(h) + 1] - x[h])``
with ``h = p (n - 1)``. Each engine computes it exactly: pandas ``quantile``, Polars
``quantile(interpolation="linear")``, DuckDB ``quantile_cont`` and ``median``, Spark
``percentile`` and ``median`` (exact since Spark 3.4). Spark's ``percentile_approx`` /
``approxQuantile`` are never used: they are approximate and would move rows across an edge.
Missing values (null, and float NaN) are left out before any quantile is taken.

Example
-------
>>> from salesops_nb import backends
>>> deals = backends.scan("deals.parquet", engine="duckdb")        # doctest: +SKIP
>>> spark = backends.spark_session("spark://head:7077")              # doctest: +SKIP
>>> deals = backends.scan("deals.parquet", engine="spark", spark=spark)  # doctest: +SKIP

This module imports no engine (not even pandas) until one is asked for.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from salesops_nb.errors import DataError, EngineError

__all__ = [
    "ENGINES",
    "EngineError",
    "engine_of",
    "open_deals",
    "require",
    "scan",
    "spark_session",
    "to_engine",
    "to_pandas",
]

ENGINES: tuple[str, ...] = ("pandas", "polars", "duckdb", "spark")
"""The engines a spec runs on, by the name ``engine=`` takes."""

_MODULES = {"pandas": "pandas", "polars": "polars", "duckdb": "duckdb", "spark": "pyspark"}
_EXTRAS = {"pandas": None, "polars": "polars", "duckdb": "duckdb", "spark": "spark"}
#: Spark settings for one machine: no web UI to bind, few shuffle partitions (the default of
#: 200 makes every small aggregation schedule 200 tasks).
SPARK_LOCAL_CONFIG: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.memory": "4g",
}


def require(engine: str) -> ModuleType:
    """Import the package of ``engine`` (``pyspark`` for "spark") or say how to install it.

    Raises
    ------
    EngineError
        ``engine`` is not one of :data:`ENGINES`, or its package is missing.
    """
    if engine not in _MODULES:
        raise EngineError(
            f"engine={engine!r} is not an engine salesops-nb runs on.",
            hint=f"Use one of: {', '.join(ENGINES)}.",
        )
    try:
        return importlib.import_module(_MODULES[engine])
    except ImportError as err:
        extra = _EXTRAS[engine]
        raise EngineError(
            f"engine={engine!r} needs the {_MODULES[engine]} package, which is not installed.",
            hint=f'Install it with: pip install "salesops-nb[{extra}]"'
            + (" (Spark also needs Java 17 or later on the machine)." if engine == "spark"
               else "."),
        ) from err


def engine_of(frame: Any) -> str:
    """The engine holding ``frame``: "pandas", "polars", "duckdb", "spark" (or the narwhals
    implementation name for other backends)."""
    import narwhals as nw

    if isinstance(frame, nw.DataFrame | nw.LazyFrame):
        impl = frame.implementation
    else:
        try:
            impl = nw.from_native(frame).implementation
        except TypeError as err:
            raise DataError(
                f"A {type(frame).__name__} is not a data frame.",
                hint="Pass a pandas, Polars, DuckDB or Spark table.",
            ) from err
    names = {
        nw.Implementation.PANDAS: "pandas",
        nw.Implementation.POLARS: "polars",
        nw.Implementation.DUCKDB: "duckdb",
        nw.Implementation.PYSPARK: "spark",
        nw.Implementation.PYSPARK_CONNECT: "spark",
    }
    return names.get(impl, str(impl.value))


def spark_session(master: str | None = None, *, session: Any = None,
                  app_name: str = "salesops-nb", config: Mapping[str, str] | None = None) -> Any:
    """A SparkSession: ``session`` itself if given, else one started on ``master``.

    Parameters
    ----------
    master
        A Spark master URL such as ``"spark://head:7077"``, ``"yarn"`` or ``"local[4]"``;
        default ``"local[2]"`` (this machine, two cores). Ignored when ``session`` is given
        or a session is already running in this process (Spark keeps one per process).
    session
        An existing SparkSession (e.g. Databricks' ``spark``): used as it is.
    app_name
        The application's name in the cluster's UI.
    config
        Extra Spark settings; on a local master :data:`SPARK_LOCAL_CONFIG` applies first.
    """
    if session is not None:
        return session
    require("spark")
    from pyspark.sql import SparkSession

    master = master or "local[2]"
    builder = SparkSession.builder.master(master).appName(app_name)
    settings = dict(SPARK_LOCAL_CONFIG) if master.startswith("local") else {}
    settings.update(config or {})
    for name, value in settings.items():
        builder = builder.config(name, value)
    try:
        return builder.getOrCreate()
    except Exception as err:  # Java missing or the master unreachable: py4j/JVM errors vary
        raise EngineError(
            f"Could not start Spark on master {master!r}: {err}",
            hint="Check that Java 17+ is installed (java -version) and the master URL is "
            "reachable, or pass an existing session with spark=<your SparkSession>.",
        ) from err


def scan(source: str | os.PathLike, engine: str = "pandas", *,
         columns: Sequence[str] | None = None, spark: Any = None, master: str | None = None,
         connection: Any = None) -> Any:
    """Open a Parquet (or CSV) file of canonical deals on ``engine``, lazily where it can.

    Polars, DuckDB and Spark scan the file: nothing is read until a result is asked for, and
    only the columns a computation uses are read, so a 10M-row file never needs to fit in
    memory twice. pandas reads it (eagerly; ``columns`` limits what is read).

    The file must hold canonical columns with their types (``is_closed``, ``is_won``,
    ``amount``, ...), as written by ``load_opportunities(...).to_parquet(path)`` or a
    warehouse export with those names: messy CRM exports go through
    :func:`salesops_nb.data.load.load_opportunities` first.

    Parameters
    ----------
    source
        Path of a ``.parquet`` file (or a folder of them, or a ``.csv`` file).
    engine
        One of :data:`ENGINES`.
    columns
        Read only these columns.
    spark, master
        For "spark": an existing session, or the master URL to start one on
        (:func:`spark_session`).
    connection
        For "duckdb": the connection to use (default: a new in-memory one).

    Returns
    -------
    pandas.DataFrame, polars.LazyFrame, duckdb.DuckDBPyRelation or pyspark DataFrame.
    """
    module = require(engine)
    path = Path(source)
    if not path.exists():
        raise DataError(f"No file {str(path)!r} to scan.",
                        hint="Check the path (relative paths start from the current folder).")
    csv = path.suffix.lower() == ".csv"
    text = str(path / "*.parquet") if path.is_dir() and engine in ("polars", "duckdb") else str(
        path)
    cols = list(columns) if columns else None
    if engine == "pandas":
        return module.read_csv(text, usecols=cols) if csv else module.read_parquet(
            text, columns=cols)
    if engine == "polars":
        lazy = module.scan_csv(text) if csv else module.scan_parquet(text)
        return lazy.select(cols) if cols else lazy
    if engine == "duckdb":
        con = connection if connection is not None else _duckdb_connection()
        relation = con.read_csv(text) if csv else con.read_parquet(text)
        return relation.select(*[f'"{c}"' for c in cols]) if cols else relation
    session = spark_session(master, session=spark)
    reader = session.read
    frame = reader.csv(text, header=True, inferSchema=True) if csv else reader.parquet(text)
    return frame.select(*cols) if cols else frame


def open_deals(data_path: str | os.PathLike = "", engine: str = "pandas", *,
               spark_master: str = "", spark: Any = None, sample_rows: int = 5000,
               seed: int = 7, **load_options: Any) -> Any:
    """Canonical deals on ``engine``, as a template's first cell asks for them.

    - pandas: :func:`~salesops_nb.data.load.load_opportunities` (any CSV/XLSX/Parquet export,
      headers mapped, values cleaned; empty ``data_path``: the built-in sample);
    - other engines with a Parquet file (or folder): a lazy :func:`scan`, nothing read until a
      result is asked for; the file must hold canonical columns;
    - other engines with a CSV/XLSX export or the sample: loaded and cleaned with pandas, then
      moved onto the engine (:func:`to_engine`).

    Parameters
    ----------
    data_path
        The export, or "" for the built-in sample.
    engine
        One of :data:`ENGINES`.
    spark_master, spark
        For "spark": a master URL ("" for ``local[2]``) or an existing session.
    sample_rows, seed, load_options
        Passed to ``load_opportunities`` (``sheet``, ``dayfirst``, ``decimal``, ``mapping``).
    """
    require(engine)
    path = Path(data_path) if data_path else None
    parquet = path is not None and (path.suffix.lower() in (".parquet", ".pq") or path.is_dir())
    if engine != "pandas" and parquet:
        frame = scan(path, engine, spark=spark, master=spark_master or None)
        _require_canonical(frame, path)
        _require_rows(frame, path)
        return frame
    from salesops_nb.data.load import load_opportunities

    deals = load_opportunities(path, sample_rows=sample_rows, seed=seed, **load_options)
    if engine == "pandas":
        return deals
    return to_engine(deals, engine, spark=spark, master=spark_master or None)


_CANONICAL = ("opportunity_id", "amount", "is_closed", "is_won")


def _require_canonical(frame: Any, path: Path) -> None:
    import narwhals as nw

    from salesops_nb.errors import MissingColumnsError

    columns = nw.from_native(frame).collect_schema().names()
    missing = [c for c in _CANONICAL if c not in columns]
    if missing:
        raise MissingColumnsError(
            f"{path} lacks the canonical column(s) {', '.join(missing)}: a Parquet file is "
            "scanned as it is, without mapping headers.",
            hint="Write it from load_opportunities(<export>).to_parquet(path), or use "
            "engine='pandas', which maps and cleans CRM exports.",
            missing=missing,
        )


def _require_rows(frame: Any, path: Path) -> None:
    """Refuse a file without rows, as the pandas loader does (one row is read to know)."""
    import narwhals as nw

    from salesops_nb.errors import DataFileError

    first = nw.from_native(frame).head(1)
    if len(first.collect() if isinstance(first, nw.LazyFrame) else first) == 0:
        raise DataFileError(f"{path} has a header but no rows of data.",
                            hint="Export the table again with its data rows, or check filters "
                                 "that may have excluded every row.")


def to_engine(frame: Any, engine: str = "pandas", *, lazy: bool = True, spark: Any = None,
              master: str | None = None, connection: Any = None) -> Any:
    """Move an in-memory pandas or Polars table onto ``engine`` (e.g. the built-in sample).

    Parameters
    ----------
    frame
        A pandas or Polars DataFrame.
    engine
        One of :data:`ENGINES`.
    lazy
        For "polars": a LazyFrame (default) or a DataFrame.
    spark, master, connection
        As in :func:`scan`.
    """
    require(engine)
    if engine == "pandas":
        return _pandas(frame)
    table = _arrow(frame)
    if engine == "polars":
        import polars as pl

        out = pl.from_arrow(table)
        return out.lazy() if lazy else out
    if engine == "duckdb":
        con = connection if connection is not None else _duckdb_connection()
        return con.from_arrow(table)
    session = spark_session(master, session=spark)
    if _spark_version(session) >= (4, 0):
        return session.createDataFrame(table)
    # Spark 3.5 takes pandas; text as Python objects (its converter predates pandas' str dtype).
    pdf = table.to_pandas()
    texts = {c: object for c in pdf.columns if pdf[c].dtype.kind in "OUT" or str(
        pdf[c].dtype) in ("str", "string")}
    return session.createDataFrame(pdf.astype(texts))


def to_pandas(frame: Any) -> Any:
    """A small (aggregated) result of any engine as a pandas DataFrame."""
    import narwhals as nw
    import pandas as pd

    from salesops_nb.segmentation._frames import collect_pandas

    data = nw.from_native(frame)
    if isinstance(data, nw.LazyFrame):
        return collect_pandas(data)  # through Arrow, with engine-specific number types cast
    native = data.to_native()

    if isinstance(native, pd.DataFrame):
        return native
    return data.to_pandas()


def _duckdb_connection() -> Any:
    """A new in-memory DuckDB connection that prints no progress bar into notebooks/reports."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    return con


def _pandas(frame: Any) -> Any:
    import pandas as pd

    if isinstance(frame, pd.DataFrame):
        return frame
    return to_pandas(frame)


def _arrow(frame: Any) -> Any:
    """An Arrow table with dictionary (categorical) columns as plain text."""
    import narwhals as nw
    import pyarrow as pa

    data = nw.from_native(frame)
    if isinstance(data, nw.LazyFrame):
        data = data.collect()
    table = data.to_arrow()
    fields = []
    for field in table.schema:
        kind = field.type
        if pa.types.is_dictionary(kind):  # Spark has no dictionary type; Polars keeps it apart
            kind = kind.value_type
        if pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
            kind = pa.string()
        fields.append(pa.field(field.name, kind))
    return table.cast(pa.schema(fields))


def _spark_version(session: Any) -> tuple[int, int]:
    major, minor = (int(p) for p in session.version.split(".")[:2])
    return major, minor
