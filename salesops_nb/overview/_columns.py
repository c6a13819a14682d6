"""Shared checks and derived columns for the overview computations.

The overview accepts any canonical opportunities frame: the one
:func:`salesops_nb.data.load.load_opportunities` returns (with ``outcome``, ``is_won`` ...)
or a leaner one a user built by hand. Optional columns are derived here when absent, so
each computation reads the same few series.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from salesops_nb.errors import DataError, MissingColumnsError

_LOAD_HINT = (
    "Load the table with salesops_nb.data.load.load_opportunities(...), which maps CRM "
    "column names to the canonical ones and converts dates and amounts."
)

WON, LOST, OPEN = "won", "lost", "open"


def require_columns(frame: Any, columns: list[str], *, purpose: str) -> None:
    """Raise one error naming every canonical column ``purpose`` needs and ``frame`` lacks.

    ``frame`` is a pandas table or any table narwhals wraps (its schema is read, not computed).
    """
    names = _names(frame)
    missing = [c for c in columns if c not in names]
    if missing:
        present = ", ".join(map(str, names[:12])) or "none"
        raise MissingColumnsError(
            f"{purpose} needs the column(s) {', '.join(missing)}; the table has: {present}.",
            hint=_LOAD_HINT,
            missing=missing,
        )


def _names(frame: Any) -> list:
    if isinstance(frame, pd.DataFrame):
        return list(frame.columns)
    import narwhals as nw

    data = frame if isinstance(frame, nw.DataFrame | nw.LazyFrame) else nw.from_native(frame)
    return data.collect_schema().names()


def amounts(frame: pd.DataFrame) -> pd.Series:
    """The ``amount`` column as floats; text amounts are a loading mistake, not guessed at."""
    column = frame["amount"]
    if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        raise text_amounts_error(column.dropna().astype(str).head(3).tolist())
    return column.astype("float64")


def dates(frame: pd.DataFrame, name: str) -> pd.Series:
    """A date column as datetime64; refuses text dates rather than guessing the day order."""
    column = frame[name]
    if not pd.api.types.is_datetime64_any_dtype(column):
        raise text_dates_error(name, column.dropna().astype(str).head(3).tolist())
    return column


def normalised_key(values: pd.Series) -> pd.Series:
    """Reduce spellings to a comparison key: casefold, no accents, punctuation or spaces.

    "EMEA", "emea", "Emea " and "E.M.E.A." all become "emea".
    """
    text = values.astype("string").str.normalize("NFKD").str.casefold()
    # \W also matches the combining marks NFKD split off, so accents go with the dots.
    return text.str.replace(r"[\W_]+", "", regex=True)


_STAGE_OUTCOME = {"closedwon": WON, "won": WON, "closedlost": LOST, "lost": LOST}


def outcomes(frame: pd.DataFrame) -> pd.Series:
    """Each deal's outcome, "won", "lost" or "open", from the best column available.

    Uses ``outcome`` when the loader added it, else ``is_closed``/``is_won``, else the stage
    name ("Closed Won" / "Closed Lost" in any spelling).
    """
    index = frame.index
    if "outcome" in frame.columns:
        result = frame["outcome"].astype("string").str.strip().str.casefold()
        return result.where(result.isin([WON, LOST]), OPEN).astype("string")
    from_stage = None
    if "stage" in frame.columns:
        stages = frame["stage"].astype("string")
        uniques = stages.dropna().unique()
        keys = normalised_key(pd.Series(uniques, dtype="string")).tolist()
        # One lookup per distinct stage name, not per deal.
        lookup = {u: _STAGE_OUTCOME.get(k, OPEN) for u, k in zip(uniques, keys, strict=True)}
        from_stage = stages.map(lookup).astype("string").fillna(OPEN)
    if "is_won" in frame.columns:
        won = frame["is_won"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        if "is_closed" in frame.columns:
            closed = frame["is_closed"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        elif from_stage is not None:
            closed = from_stage.ne(OPEN).to_numpy(dtype=bool) | won
        else:
            closed = won
        labels = np.select([won, closed], [WON, LOST], default=OPEN)
        return pd.Series(labels, index=index, dtype="string")
    if from_stage is not None:
        return from_stage
    raise no_outcome_error()


# The refusals, worded once for the pandas path and the engine path (overview._engine).


def text_amounts_error(example: list[str]) -> DataError:
    return DataError(f"Column amount holds text, not numbers (e.g. {example}).",
                     hint=_LOAD_HINT + " It parses currency strings such as '$1,200.50'.")


def text_dates_error(name: str, example: list[str]) -> DataError:
    return DataError(
        f"Column {name} does not hold dates (e.g. {example}).",
        hint=_LOAD_HINT + " Pass dayfirst=True or False if the day order is ambiguous.")


def no_outcome_error() -> MissingColumnsError:
    return MissingColumnsError(
        "Cannot tell won, lost and open deals apart: the table has none of the columns "
        "outcome, is_won or stage.",
        hint=_LOAD_HINT,
        missing=["stage"],
    )


def examples(frame: pd.DataFrame, mask: pd.Series | np.ndarray, key: str | None,
             limit: int = 3) -> str:
    """Point a user at the first ``limit`` rows in ``mask``: their ids when known, else labels.

    Returns e.g. ``"OPP-1, OPP-7 (+12 more)"``, or ``""`` when no row is flagged.
    """
    mask = np.asarray(mask, dtype=bool)
    total = int(mask.sum())
    if key and key in frame.columns:
        shown = frame.loc[mask, key].head(limit).astype("string").fillna("(no id)").tolist()
    else:
        shown = [f"row {label}" for label in frame.index[mask][:limit]]
    more = total - len(shown)
    return ", ".join(shown) + (f" (+{more:,} more)" if more > 0 else "")
