"""The built-in sample CRM: a seeded generator of accounts, reps and opportunities.

The data is synthetic but shaped like a B2B CRM export, with structure planted for the
templates to find:

- win rates and deal sizes differ by segment: team (set by account head count: SMB under 200
  employees, Mid-Market under 2,000, Enterprise above), industry, product line, lead source;
- a few planted underperforming reps (``SampleCRM.planted_underperformers``) whose win rate
  sits in the bottom quartile of their peers in the same team x region;
- quarter-end seasonality: more deals close in the last month of a quarter;
- a long tail: account revenue and deal amounts are Pareto-like;
- history of ``years`` years ending at ``end``; the open deals are the recent ones.

Dtypes: ids and names in their own table are strings; category-like columns, and the
repeated account and rep columns of the denormalised opportunities table, are pandas
categoricals (10M rows stay a few hundred MB); dates are ``datetime64[us]``; ``cycle_days``
is a nullable ``Int64`` (missing for open deals).

Everything is drawn from ``numpy.random.default_rng(seed)`` with vectorised operations, so the
same arguments give the same tables, and 10M opportunities take seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from salesops_nb.data import _sample_catalog as cat
from salesops_nb.data._sample_deals import Deals, draw_deals
from salesops_nb.data._sample_messy import add_flaws
from salesops_nb.data._sample_names import categorical, make_ids
from salesops_nb.data._sample_parties import (
    N_CELLS,
    Accounts,
    Reps,
    assign_owners,
    draw_accounts,
    draw_reps,
)
from salesops_nb.data.schema import OPPORTUNITIES
from salesops_nb.errors import DataFileError, ParameterError

__all__ = ["SampleCRM", "generate_crm", "sample_opportunities", "write_sample"]

Format = Literal["csv", "xlsx", "parquet"]
_FORMATS = ("csv", "xlsx", "parquet")
_XLSX_MAX_ROWS = 1_048_575  # a worksheet holds 1,048,576 rows, one of them the header
_MAX_ACCOUNTS = 250_000
_MIN_REPS, _MAX_REPS = N_CELLS, 400  # at least one rep in every team x region cell


@dataclass(frozen=True, eq=False)
class SampleCRM:
    """The three tables of a generated CRM and the ids of the planted underperformers.

    Attributes
    ----------
    accounts, reps
        The canonical ``ACCOUNTS`` and ``REPS`` tables (see :mod:`salesops_nb.data.schema`).
    opportunities
        Every canonical ``OPPORTUNITIES`` column, denormalised like a CRM "opportunities with
        accounts" report (account name, industry, region, ..., rep name and team on each row).
    planted_underperformers
        ``rep_id`` of the reps planted to win less than their team x region peers.
    """

    accounts: pd.DataFrame
    reps: pd.DataFrame
    opportunities: pd.DataFrame
    planted_underperformers: tuple[str, ...] = ()

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The three tables by name: ``accounts``, ``reps``, ``opportunities``."""
        return {"accounts": self.accounts, "reps": self.reps, "opportunities": self.opportunities}


def generate_crm(
    rows: int = 5000,
    *,
    seed: int = 7,
    years: int = 3,
    end: str | dt.date = "2026-09-30",
    messy: bool = False,
) -> SampleCRM:
    """Generate a sample B2B CRM with ``rows`` opportunities.

    Accounts (about ``rows / 4``, at most 250,000) and reps (about ``rows / 75``, between 12
    and 400) scale with ``rows``.

    Parameters
    ----------
    rows
        Number of opportunities, from 1 to tens of millions (10M take seconds, not minutes).
    seed
        Seed of the random generator: the same arguments give the same tables.
    years
        Years of history, ending at ``end`` (1 to 10).
    end
        Last day of history ("2026-09-30" or a date). Deals still open at ``end`` are the
        recent ones; their ``close_date`` is the expected close, after ``end``.
    messy
        Add data-quality flaws to the opportunities, as a real export has: a few percent missing
        values in several columns, duplicated rows (same ``opportunity_id``), other spellings of
        category values ("EMEA", "emea", "Emea ", "E.M.E.A."), and ``amount`` as text with
        "$1,200.50" on some rows. The clean part is the same as with ``messy=False``.

    Returns
    -------
    SampleCRM

    Examples
    --------
    >>> crm = generate_crm(1000, seed=1)
    >>> len(crm.opportunities)
    1000
    >>> sorted(crm.tables)
    ['accounts', 'opportunities', 'reps']
    """
    rows, seed, years, end_day, messy = _check_arguments(rows, seed, years, end, messy)
    start_day = end_day - round(365.25 * years) + 1
    rng = np.random.default_rng(seed)

    accounts = draw_accounts(rng, int(np.clip(rows // 4, 10, _MAX_ACCOUNTS)))
    reps = draw_reps(rng, int(np.clip(rows // 75, _MIN_REPS, _MAX_REPS)), accounts)
    assign_owners(rng, accounts, reps)
    deals = draw_deals(rng, rows, accounts, reps, start_day, end_day)

    rep_ids = make_ids("REP", reps.cell.size, 3)
    account_ids = make_ids("ACC", accounts.team.size, 5)
    reps_frame = _reps_frame(rng, reps, deals, rep_ids, start_day, years)
    accounts_frame = _accounts_frame(rng, accounts, deals, account_ids, rep_ids,
                                     start_day, end_day)
    opportunities = _opportunities_frame(deals, accounts, reps, account_ids, rep_ids)
    if messy:
        opportunities = add_flaws(opportunities, np.random.default_rng([seed, 1]))
    planted = tuple(rep_ids.iloc[reps.planted].tolist())
    return SampleCRM(accounts_frame, reps_frame, opportunities, planted)


def sample_opportunities(rows: int = 5000, *, seed: int = 7, messy: bool = False) -> pd.DataFrame:
    """The opportunities table of :func:`generate_crm` alone (denormalised, all columns).

    Examples
    --------
    >>> sample_opportunities(200).shape[0]
    200
    """
    return generate_crm(rows, seed=seed, messy=messy).opportunities


def write_sample(crm: SampleCRM, out_dir: str | Path, fmt: Format = "csv") -> dict[str, Path]:
    """Write the three tables as ``accounts.<fmt>``, ``reps.<fmt>``, ``opportunities.<fmt>``.

    Parameters
    ----------
    crm
        Tables from :func:`generate_crm`.
    out_dir
        Folder to write into; created if missing. Existing files of the same names are replaced.
    fmt
        ``"csv"``, ``"xlsx"`` (at most 1,048,575 rows per table) or ``"parquet"``.

    Returns
    -------
    dict
        ``{"accounts": path, "reps": path, "opportunities": path}``.

    Raises
    ------
    DataFileError
        Unknown format, a table too long for a worksheet, or a folder that cannot be written.
    """
    if fmt not in _FORMATS:
        raise DataFileError(f"Cannot write sample data as {fmt!r}: unknown format.",
                            hint=f"Use one of: {', '.join(_FORMATS)}.")
    tables = crm.tables
    if fmt == "xlsx":
        too_long = [(name, len(frame)) for name, frame in tables.items()
                    if len(frame) > _XLSX_MAX_ROWS]
        if too_long:
            name, length = too_long[0]
            raise DataFileError(
                f"The {name} table has {length:,} rows; an Excel worksheet holds at most "
                f"{_XLSX_MAX_ROWS:,} rows below its header.",
                hint="Write large samples as parquet (fastest, keeps types) or csv.",
            )
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        paths = {}
        for name, frame in tables.items():
            paths[name] = folder / f"{name}.{fmt}"
            _write_table(frame, paths[name], fmt, name)
    except OSError as err:
        raise DataFileError(
            f"Cannot write sample data into {folder}: {err.strerror or err}.",
            hint="Choose a folder you can write to (not an existing file), with free space.",
        ) from err
    return paths


def _write_table(frame: pd.DataFrame, path: Path, fmt: str, name: str) -> None:
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "parquet":
        frame.to_parquet(path, index=False)
    else:
        with pd.ExcelWriter(path, engine="openpyxl", date_format="YYYY-MM-DD",
                            datetime_format="YYYY-MM-DD") as writer:
            frame.to_excel(writer, sheet_name=name, index=False)


def _check_arguments(rows, seed, years, end, messy) -> tuple[int, int, int, int, bool]:
    """Validate the arguments of :func:`generate_crm`; return ``end`` as a day number."""
    def whole(value) -> bool:
        return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))

    if not whole(rows) or rows < 1:
        raise ParameterError(f"rows must be a whole number of opportunities >= 1, got {rows!r}.",
                             hint="For example rows=5000; large samples such as 1_000_000 work.")
    if not whole(seed) or seed < 0:
        raise ParameterError(f"seed must be a whole number >= 0, got {seed!r}.",
                             hint="Any non-negative integer, e.g. seed=7; it fixes the data.")
    if not whole(years) or not 1 <= years <= 10:
        raise ParameterError(f"years must be a whole number from 1 to 10, got {years!r}.",
                             hint="Two or three years of history suit most analyses.")
    if not isinstance(messy, (bool, np.bool_)):
        raise ParameterError(f"messy must be True or False, got {messy!r}.",
                             hint="messy=True adds data-quality flaws to the opportunities.")
    try:
        stamp = pd.Timestamp(end)
        if pd.isna(stamp):
            raise ValueError("not a date")
    except (TypeError, ValueError) as err:
        raise ParameterError(
            f"end must be a date, got {end!r}.",
            hint='Give an ISO date such as "2026-09-30" or a datetime.date.',
        ) from err
    end_day = int(np.datetime64(stamp.date(), "D").astype(np.int64))
    return int(rows), int(seed), int(years), end_day, bool(messy)


def _dates(days: np.ndarray) -> np.ndarray:
    # microseconds: the unit pandas 3 gives dates parsed from text, so loaded files match
    return days.astype("datetime64[D]").astype("datetime64[us]")


def _accounts_frame(rng: np.random.Generator, accounts: Accounts, deals: Deals,
                    account_ids: pd.Series, rep_ids: pd.Series,
                    start_day: int, end_day: int) -> pd.DataFrame:
    n = accounts.team.size
    # An account is created some weeks before its first deal; accounts without deals any time.
    first_deal = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first_deal, deals.account, deals.created)
    lead_time = np.ceil(rng.exponential(150.0, size=n)).astype(np.int64)
    earliest = start_day - 8 * 365
    created = np.where(first_deal < np.iinfo(np.int64).max,
                       np.maximum(first_deal - lead_time, earliest),
                       rng.integers(start_day - 6 * 365, end_day + 1, size=n))
    return pd.DataFrame({
        "account_id": account_ids,
        "account_name": pd.Series(accounts.name, dtype="str"),
        "industry": categorical(accounts.industry, cat.INDUSTRIES),
        "region": categorical(accounts.region, cat.REGIONS),
        "country": categorical(accounts.country, cat.COUNTRIES),
        "employees": accounts.employees,
        "annual_revenue": accounts.annual_revenue,
        "created_date": _dates(created),
        "rep_id": rep_ids.take(accounts.owner).reset_index(drop=True),
    })


def _reps_frame(rng: np.random.Generator, reps: Reps, deals: Deals, rep_ids: pd.Series,
                start_day: int, years: int) -> pd.DataFrame:
    n = reps.cell.size
    team = reps.team
    # Quota: the team's typical yearly bookings per rep, raised a little as quotas are.
    won = deals.is_won
    bookings = np.bincount(deals.rep[won], weights=deals.amount[won], minlength=n) / years
    typical = np.ones(n, dtype=bool)
    typical[reps.planted] = False
    team_total = np.bincount(team[typical], weights=bookings[typical], minlength=len(cat.TEAMS))
    team_count = np.bincount(team[typical], minlength=len(cat.TEAMS))
    fallback = cat.TEAM_DEAL_SIZE * 12  # for tiny samples with almost no won deals
    per_rep = np.where(team_count > 0, team_total / np.maximum(team_count, 1), 0.0)
    per_rep = np.maximum(per_rep, fallback)
    quota = np.round(per_rep[team] * rng.uniform(1.05, 1.35, size=n), -4)
    return pd.DataFrame({
        "rep_id": rep_ids,
        "rep_name": pd.Series(reps.name, dtype="str"),
        "team": categorical(team, cat.TEAMS),
        "region": categorical(reps.region, cat.REGIONS),
        "manager": pd.Series(reps.manager_names[reps.cell], dtype="str"),
        "hire_date": _dates(start_day - reps.hire_offset_days),
        "quota": quota,
    })


def _opportunities_frame(deals: Deals, accounts: Accounts, reps: Reps,
                         account_ids: pd.Series, rep_ids: pd.Series) -> pd.DataFrame:
    n_products = len(cat.PRODUCT_LINES)
    account = deals.account
    product_suffix = np.char.add(" - ", np.asarray(cat.PRODUCT_LINES))
    deal_names = np.char.add(np.repeat(accounts.name, n_products),
                                np.tile(product_suffix, accounts.name.size))
    cycle = pd.arrays.IntegerArray(deals.close - deals.created, ~deals.is_closed)
    columns = {
        "opportunity_id": make_ids("OPP", account.size, 6),
        "opportunity_name": categorical(account * n_products + deals.product, deal_names),
        "account_id": categorical(account, account_ids),
        "account_name": categorical(account, accounts.name),
        "rep_id": categorical(deals.rep, rep_ids),
        "rep_name": categorical(deals.rep, reps.name),
        "team": categorical(reps.team[deals.rep], cat.TEAMS),
        "product_line": categorical(deals.product, cat.PRODUCT_LINES),
        "lead_source": categorical(deals.source, cat.LEAD_SOURCES),
        "stage": categorical(deals.stage, cat.STAGES),
        "amount": deals.amount,
        "created_date": _dates(deals.created),
        "close_date": _dates(deals.close),
        "is_closed": deals.is_closed,
        "is_won": deals.is_won,
        "cycle_days": cycle,
        "discount": deals.discount,
        "industry": categorical(accounts.industry[account], cat.INDUSTRIES),
        "region": categorical(accounts.region[account], cat.REGIONS),
        "country": categorical(accounts.country[account], cat.COUNTRIES),
        "employees": pd.array(accounts.employees[account], dtype="Int64"),
        "annual_revenue": accounts.annual_revenue[account],
    }
    # The arrays are fresh and ours: no need for pandas to copy them again.
    return pd.DataFrame({name: columns[name] for name in OPPORTUNITIES.names}, copy=False)
