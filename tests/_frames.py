"""Engine results made comparable: the parity tests compare tables from pandas, Polars, DuckDB
and Spark after this one normalisation."""

from __future__ import annotations

from typing import Any

import pandas as pd

from salesops_nb import backends


def plain(frame: Any) -> pd.DataFrame:
    """Any engine's small table as plain pandas.

    Numbers become float64; dates naive microsecond timestamps (Spark returns UTC instants);
    everything else Python objects, with None for missing.
    """
    table = backends.to_pandas(frame).reset_index(drop=True).copy()
    for column in table.columns:
        values = table[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            table[column] = values.astype("float64")
        elif pd.api.types.is_datetime64_any_dtype(values):
            if getattr(values.dt, "tz", None) is not None:
                values = values.dt.tz_convert("UTC").dt.tz_localize(None)
            table[column] = values.astype("datetime64[us]")
        else:
            table[column] = values.astype(object).where(values.notna(), None)
    return table
