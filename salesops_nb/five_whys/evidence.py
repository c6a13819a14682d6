"""Live evidence: a small, safe query language over the canonical opportunities table.

A why-answer is only as good as the evidence behind it. Evidence can be a sentence, a link, or a
*query* on the data whose result (and the time it was computed) is stored with the analysis and
can be refreshed when new data is loaded.

A query is data, never code: a metric name from :data:`METRICS`, equality filters on a fixed set
of category columns, and an optional date range. It is written as a pydantic model
(:class:`EvidenceQuery`) or typed as one line of text and parsed by :func:`parse_query`::

    win_rate where lead_source = Referral and team in (SMB, Mid-Market)
             and close_date 2026-04-01..2026-09-30

(on one line).

Nothing a user types is ever evaluated; the parser only recognises the shapes above.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from salesops_nb.errors import MissingColumnsError, QuerySyntaxError

__all__ = [
    "FILTER_COLUMNS",
    "METRICS",
    "EvidenceQuery",
    "Metric",
    "QueryResult",
    "QuerySyntaxError",
    "describe_query",
    "format_value",
    "parse_query",
    "run_query",
]

Metric = Literal[
    "win_rate",
    "deal_count",
    "closed_count",
    "won_count",
    "avg_amount",
    "won_amount",
    "avg_cycle_days",
    "avg_discount",
]

#: metric -> (what it measures, unit). Units decide the formatting: share, count, money, days.
METRICS: dict[str, tuple[str, str]] = {
    "win_rate": ("won / (won + lost) deals", "share"),
    "deal_count": ("deals (open and closed)", "count"),
    "closed_count": ("closed deals (won or lost)", "count"),
    "won_count": ("won deals", "count"),
    "avg_amount": ("average amount of the deals", "money"),
    "won_amount": ("total amount won", "money"),
    "avg_cycle_days": ("average days from creation to close, closed deals", "days"),
    "avg_discount": ("average discount of the deals", "share"),
}

#: Columns a query may filter on: the categories analysts slice by, and the deal owner.
FILTER_COLUMNS = (
    "team",
    "region",
    "country",
    "industry",
    "product_line",
    "lead_source",
    "stage",
    "outcome",
    "rep_name",
    "rep_id",
)
DateColumn = Literal["close_date", "created_date"]
_MAX_TEXT = 200


class EvidenceQuery(BaseModel):
    """One number computed from the opportunities: a metric over a filtered slice.

    Attributes
    ----------
    metric
        A name from :data:`METRICS`, e.g. ``"win_rate"``.
    filters
        ``{column: [values]}``: a deal is kept when, for every column, its value is one of the
        listed ones. Columns from :data:`FILTER_COLUMNS` only.
    date_column, start, end
        Keep deals whose ``date_column`` falls in ``[start, end]`` (both inclusive, either open).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: Metric
    filters: dict[str, list[str]] = Field(default_factory=dict)
    date_column: DateColumn = "close_date"
    start: dt.date | None = None
    end: dt.date | None = None

    @field_validator("filters")
    @classmethod
    def _known_columns(cls, filters: dict[str, list[str]]) -> dict[str, list[str]]:
        for column, values in filters.items():
            if column not in FILTER_COLUMNS:
                raise ValueError(
                    f"cannot filter on {column!r}; use one of: {', '.join(FILTER_COLUMNS)}"
                )
            if not values:
                raise ValueError(f"the filter on {column!r} lists no values")
            if any(len(v) > _MAX_TEXT for v in values):
                raise ValueError(f"a value of the filter on {column!r} is too long")
        return filters

    @model_validator(mode="after")
    def _ordered_dates(self) -> EvidenceQuery:
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"the date range starts ({self.start}) after it ends ({self.end})")
        return self

    def between(self, start: dt.date | None, end: dt.date | None) -> EvidenceQuery:
        """Return the same query over another date range."""
        return self.model_copy(update={"start": start, "end": end})


class QueryResult(BaseModel):
    """The stored result of an :class:`EvidenceQuery`: the value, its base and when it was run."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float | None
    n: int = Field(ge=0, description="deals the value rests on (closed deals for win_rate)")
    computed_at: dt.datetime
    source: str = ""


def run_query(
    query: EvidenceQuery, deals: pd.DataFrame, *, source: str = "", now: dt.datetime | None = None
) -> QueryResult:
    """Compute ``query`` on a canonical opportunities frame (vectorised, the frame untouched).

    Parameters
    ----------
    query
        What to compute.
    deals
        A frame from :func:`salesops_nb.data.load.load_opportunities`.
    source
        Where the data came from, stored with the result (e.g. a file name).
    now
        Time stamp of the computation (default: now, UTC).

    Returns
    -------
    QueryResult
        ``value`` is None when the slice is empty (a rate of nothing is not zero).

    Raises
    ------
    MissingColumnsError
        The frame lacks a column the query needs.

    Examples
    --------
    >>> q = EvidenceQuery(metric="win_rate", filters={"lead_source": ["Referral"]})
    >>> run_query(q, deals).value  # doctest: +SKIP
    0.41
    """
    needed = {*query.filters, query.date_column, *_metric_columns(query.metric)}
    missing = sorted(c for c in needed if c not in deals.columns)
    if missing:
        raise MissingColumnsError(
            f"The evidence query '{describe_query(query)}' needs column(s) {', '.join(missing)}, "
            "which the loaded data does not have.",
            hint="Load the opportunities with load_opportunities() so the canonical columns "
            "exist, or change the query to use columns your export has.",
            missing=missing,
        )
    keep = pd.Series(True, index=deals.index)
    for column, values in query.filters.items():
        keep &= deals[column].astype("string").isin(values).fillna(False).astype(bool)
    if query.start or query.end:
        dates = pd.to_datetime(deals[query.date_column], errors="coerce")
        if query.start:
            keep &= (dates >= pd.Timestamp(query.start)).fillna(False).astype(bool)
        if query.end:
            # inclusive of the whole last day
            keep &= (dates < pd.Timestamp(query.end) + pd.Timedelta(days=1)).fillna(False)
    value, n = _compute(query.metric, deals.loc[keep])
    stamp = now or dt.datetime.now(dt.timezone.utc)
    return QueryResult(value=value, n=n, computed_at=stamp, source=source)


def _metric_columns(metric: str) -> tuple[str, ...]:
    return {
        "win_rate": ("is_closed", "is_won"),
        "closed_count": ("is_closed",),
        "won_count": ("is_won",),
        "avg_amount": ("amount",),
        "won_amount": ("amount", "is_won"),
        "avg_cycle_days": ("cycle_days", "is_closed"),
        "avg_discount": ("discount",),
    }.get(metric, ())


def _compute(metric: str, rows: pd.DataFrame) -> tuple[float | None, int]:
    def flag(column: str) -> pd.Series:
        return rows[column].fillna(False).astype(bool)

    if metric == "deal_count":
        return float(len(rows)), len(rows)
    if metric == "closed_count":
        n = int(flag("is_closed").sum())
        return float(n), n
    if metric == "won_count":
        n = int(flag("is_won").sum())
        return float(n), n
    if metric == "win_rate":
        closed = flag("is_closed")
        n = int(closed.sum())
        return (float(flag("is_won")[closed].mean()) if n else None), n
    if metric == "won_amount":
        won = flag("is_won")
        return float(rows.loc[won, "amount"].astype("Float64").sum()), int(won.sum())
    if metric == "avg_cycle_days":
        days = rows.loc[flag("is_closed"), "cycle_days"].astype("Float64").dropna()
        return (float(days.mean()) if len(days) else None), len(days)
    column = "amount" if metric == "avg_amount" else "discount"
    values = rows[column].astype("Float64").dropna()
    return (float(values.mean()) if len(values) else None), len(values)


def format_value(metric: str, value: float | None, *, currency: str = "$") -> str:
    """Show a metric value in its unit: ``31.0%``, ``1,204``, ``$12,400``, ``45 days``."""
    if value is None:
        return "no data"
    unit = METRICS[metric][1]
    if unit == "share":
        return f"{value:.1%}"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "money":
        return f"{currency}{value:,.0f}"
    return f"{value:,.0f} days"


def describe_query(query: EvidenceQuery) -> str:
    """Write a query back in the text form :func:`parse_query` reads (a round trip)."""
    parts = []
    for column, values in query.filters.items():
        if len(values) == 1:
            parts.append(f"{column} = {_quote(values[0])}")
        else:
            parts.append(f"{column} in ({', '.join(_quote(v) for v in values)})")
    if query.start or query.end:
        start = query.start.isoformat() if query.start else ""
        end = query.end.isoformat() if query.end else ""
        parts.append(f"{query.date_column} {start}..{end}")
    return query.metric + (" where " + " and ".join(parts) if parts else "")


def _quote(value: str) -> str:
    if re.fullmatch(r"[\w.-]+(?: [\w.-]+)*", value) and value.lower() not in {"and", "in"}:
        return value
    return '"' + value.replace('"', "'") + '"'


# ------------------------------------------------------------------------------------ parsing
_SHAPE = (
    "metric [where column = value and column in (v1, v2) and close_date YYYY-MM-DD..YYYY-MM-DD]; "
    f"metrics: {', '.join(METRICS)}; columns: {', '.join(FILTER_COLUMNS)}"
)
_TOKEN = re.compile(r'\s*(?:"(?P<quoted>[^"]*)"|(?P<sym>[=(),])|(?P<word>[^\s=(),"]+))')
_DATE_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})?\.\.(\d{4}-\d{2}-\d{2})?")


def parse_query(text: str) -> EvidenceQuery:
    """Read a one-line evidence query (see the module docstring for the shape).

    Raises
    ------
    QuerySyntaxError
        Unknown metric or column, a malformed condition or date range; the message says which
        part and the hint shows the expected shape.

    Examples
    --------
    >>> parse_query("win_rate where lead_source = Referral and close_date 2026-04-01..2026-06-30")
    EvidenceQuery(metric='win_rate', filters={'lead_source': ['Referral']}, ...)
    """
    tokens = _tokenise(text)
    if not tokens:
        raise QuerySyntaxError("The evidence query is empty.", hint=f"Write: {_SHAPE}.")
    metric = tokens.pop(0)[1]
    if metric not in METRICS:
        raise QuerySyntaxError(f"Unknown metric {metric!r} in the evidence query.",
                               hint=f"Use one of: {', '.join(METRICS)}.")
    fields: dict = {"metric": metric, "filters": {}}
    if tokens:
        if tokens.pop(0)[1].lower() != "where":
            raise QuerySyntaxError(f"Expected 'where' after the metric in {text!r}.",
                                   hint=f"Write: {_SHAPE}.")
        while True:
            _condition(tokens, fields, text)
            if not tokens:
                break
            if tokens.pop(0)[1].lower() != "and":
                raise QuerySyntaxError(f"Conditions must be joined with 'and' in {text!r}.",
                                       hint=f"Write: {_SHAPE}.")
    try:
        return EvidenceQuery(**fields)
    except ValueError as err:
        raise QuerySyntaxError(f"The evidence query {text!r} is not valid: {err}",
                               hint=f"Write: {_SHAPE}.") from err


def _tokenise(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise QuerySyntaxError(f"Cannot read the evidence query from character {position}: "
                                   f"{text[position:position + 20]!r}.", hint=f"Write: {_SHAPE}.")
        kind = match.lastgroup or "word"
        tokens.append((kind, match.group(kind)))
        position = match.end()
        while position < len(text) and text[position].isspace():
            position += 1
    return tokens


def _condition(tokens: list[tuple[str, str]], fields: dict, text: str) -> None:
    if not tokens:
        raise QuerySyntaxError(f"A condition is missing after 'where'/'and' in {text!r}.",
                               hint=f"Write: {_SHAPE}.")
    column = tokens.pop(0)[1]
    if column in ("close_date", "created_date"):
        span = tokens.pop(0)[1] if tokens else ""
        match = _DATE_RANGE.fullmatch(span)
        if not match or not any(match.groups()):
            raise QuerySyntaxError(f"Cannot read the date range {span!r} of {column}.",
                                   hint="Write e.g. close_date 2026-04-01..2026-06-30 "
                                   "(either end may be left out).")
        try:
            start, end = (dt.date.fromisoformat(d) if d else None for d in match.groups())
        except ValueError as err:
            raise QuerySyntaxError(f"{span!r} holds an impossible date: {err}.",
                                   hint="Dates are YYYY-MM-DD.") from err
        fields.update(date_column=column, start=start, end=end)
        return
    if column not in FILTER_COLUMNS:
        raise QuerySyntaxError(f"Cannot filter on {column!r} in the evidence query.",
                               hint=f"Columns: {', '.join(FILTER_COLUMNS)}, close_date, "
                               "created_date.")
    operator = tokens.pop(0)[1].lower() if tokens else ""
    if operator == "=":
        if not tokens or tokens[0][0] == "sym":
            raise QuerySyntaxError(f"A value is missing after '{column} ='.",
                                   hint=f"Write: {column} = VALUE.")
        values = [_value_words(tokens)]
    elif operator == "in":
        values = _value_list(tokens, column)
    else:
        raise QuerySyntaxError(f"Expected '=' or 'in' after {column!r} in {text!r}.",
                               hint=f"Write: {column} = VALUE or {column} in (V1, V2).")
    fields["filters"].setdefault(column, []).extend(values)


def _value_words(tokens: list[tuple[str, str]]) -> str:
    kind, value = tokens.pop(0)
    if kind == "quoted":
        return value
    words = [value]
    # unquoted values may hold spaces ("North America") up to the next 'and', ',' or ')'
    while tokens and tokens[0][0] == "word" and tokens[0][1].lower() != "and":
        words.append(tokens.pop(0)[1])
    return " ".join(words)


def _value_list(tokens: list[tuple[str, str]], column: str) -> list[str]:
    hint = f"Write: {column} in (V1, V2)."
    if not tokens or tokens.pop(0)[1] != "(":
        raise QuerySyntaxError(f"Expected '(' after '{column} in'.", hint=hint)
    values = []
    while True:
        if not tokens or tokens[0][0] == "sym":
            raise QuerySyntaxError(f"A value is missing in the list of {column!r}.", hint=hint)
        values.append(_value_words(tokens))
        symbol = tokens.pop(0)[1] if tokens else ""
        if symbol == ")":
            return values
        if symbol != ",":
            raise QuerySyntaxError(f"Expected ',' or ')' in the list of {column!r}.", hint=hint)

