"""Accounts and reps of the sample CRM, drawn as numpy arrays of integer codes.

The frames are assembled later (:mod:`salesops_nb.data.sample`) once the deals exist,
because an account's creation date and a rep's quota depend on them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesops_nb.data import _sample_catalog as cat
from salesops_nb.data._sample_names import company_names, person_names

N_CELLS = len(cat.TEAMS) * len(cat.REGIONS)  # a cell is one team x region segment


def cell_of(team: np.ndarray, region: np.ndarray) -> np.ndarray:
    return team * len(cat.REGIONS) + region


@dataclass
class Accounts:
    """Account attributes, one array entry per account (index = account number - 1)."""

    name: np.ndarray
    region: np.ndarray
    country: np.ndarray
    industry: np.ndarray
    employees: np.ndarray
    annual_revenue: np.ndarray
    team: np.ndarray
    propensity: np.ndarray  # relative chance that the next deal is with this account
    owner: np.ndarray | None = None

    @property
    def cell(self) -> np.ndarray:
        return cell_of(self.team, self.region)


@dataclass
class Reps:
    """Rep attributes (index = rep number - 1) and the roster of each team x region cell."""

    name: np.ndarray
    manager_names: np.ndarray  # one manager per cell
    cell: np.ndarray
    skill: np.ndarray  # win-rate multiplier
    hire_offset_days: np.ndarray  # days before the start of history
    planted: np.ndarray  # rep numbers (0-based) of the planted underperformers
    members: np.ndarray  # rep numbers sorted by cell
    cell_start: np.ndarray  # members[cell_start[c]:cell_start[c] + cell_size[c]] are cell c
    cell_size: np.ndarray

    @property
    def team(self) -> np.ndarray:
        return self.cell // len(cat.REGIONS)

    @property
    def region(self) -> np.ndarray:
        return self.cell % len(cat.REGIONS)

    def pick_in_cell(self, cell: np.ndarray, u: np.ndarray) -> np.ndarray:
        """A rep of each given cell, chosen uniformly by the uniform draws ``u``."""
        slot = np.minimum((u * self.cell_size[cell]).astype(np.int64), self.cell_size[cell] - 1)
        return self.members[self.cell_start[cell] + slot]


def draw_accounts(rng: np.random.Generator, n: int) -> Accounts:
    """Draw ``n`` accounts with log-normal head counts and Pareto-like revenue."""
    region = rng.choice(len(cat.REGIONS), size=n, p=cat.REGION_SHARE)
    country = _country_in_region(region, rng.random(n))
    industry = rng.choice(len(cat.INDUSTRIES), size=n, p=cat.INDUSTRY_SHARE)
    log10_employees = rng.normal(cat.EMPLOYEES_LOG10_MEAN, cat.EMPLOYEES_LOG10_SD, size=n)
    employees = np.clip(np.rint(10.0**log10_employees), 1, cat.EMPLOYEES_MAX).astype(np.int64)
    team = np.searchsorted(cat.TEAM_EMPLOYEE_FLOOR, employees, side="right") - 1
    revenue_per_employee = cat.INDUSTRY_REV_PER_EMPLOYEE[industry] * 1_000.0
    annual_revenue = employees * revenue_per_employee * rng.lognormal(0.0, 0.45, size=n)
    propensity = employees**cat.DEAL_PROPENSITY_EXPONENT * rng.lognormal(0.0, 0.5, size=n)
    return Accounts(
        name=company_names(rng, n),
        region=region,
        country=country,
        industry=industry,
        employees=employees,
        annual_revenue=np.round(annual_revenue, -3),
        team=team,
        propensity=propensity,
    )


def draw_reps(rng: np.random.Generator, n: int, accounts: Accounts) -> Reps:
    """Draw ``n`` (>= one per cell) reps, staffed where the deals are, and plant the laggards."""
    team_of_cell = np.arange(N_CELLS) // len(cat.REGIONS)
    demand = np.bincount(accounts.cell, weights=accounts.propensity, minlength=N_CELLS)
    size = _largest_remainder(demand / cat.TEAM_DEALS_PER_REP[team_of_cell], n)
    cell = rng.permutation(np.repeat(np.arange(N_CELLS), size))  # ids not sorted by cell
    members = np.argsort(cell, kind="stable")
    cell_start = np.concatenate(([0], np.cumsum(size)[:-1]))

    skill = rng.lognormal(0.0, cat.REP_SKILL_SD, size=n)
    planted = _plant_underperformers(rng, n, size, cell_start, members)
    skill[planted] = cat.UNDERPERFORMER_WIN

    names = person_names(rng, n + N_CELLS)
    return Reps(
        name=names[N_CELLS:],
        manager_names=names[:N_CELLS],
        cell=cell,
        skill=skill,
        hire_offset_days=rng.integers(60, 8 * 365, size=n),
        planted=planted,
        members=members,
        cell_start=cell_start,
        cell_size=size,
    )


def assign_owners(rng: np.random.Generator, accounts: Accounts, reps: Reps) -> None:
    """Give each account an owner from the reps of its team x region cell.

    Territories are balanced, as sales ops would cut them: within a cell, accounts in random
    order are dealt out in runs of equal total propensity, so reps see similar deal volumes
    and a rep's win rate is measured on enough deals.
    """
    cell = accounts.cell
    order = np.lexsort((rng.random(cell.size), cell))
    weight = accounts.propensity[order]
    running = np.cumsum(weight)
    cell_total = np.bincount(cell, weights=accounts.propensity, minlength=N_CELLS)
    before = np.concatenate(([0.0], np.cumsum(cell_total)[:-1]))  # propensity of earlier cells
    sorted_cell = cell[order]
    midpoint = (running - weight / 2.0 - before[sorted_cell]) / cell_total[sorted_cell]
    owner = np.empty(cell.size, dtype=np.int64)
    owner[order] = reps.pick_in_cell(sorted_cell, np.clip(midpoint, 0.0, 1.0))
    accounts.owner = owner


def _country_in_region(region: np.ndarray, u: np.ndarray) -> np.ndarray:
    # Keys r + (cumulative share within region r): searching r + u lands inside region r.
    within = np.zeros_like(cat.COUNTRY_SHARE)
    for r in range(len(cat.REGIONS)):  # four regions, not rows
        mask = np.equal(cat.COUNTRY_REGION, r)
        share = cat.COUNTRY_SHARE[mask] / cat.COUNTRY_SHARE[mask].sum()
        within[mask] = np.cumsum(share)
        within[np.flatnonzero(mask)[-1]] = 1.0
    keys = cat.COUNTRY_REGION + within
    country = np.searchsorted(keys, region + u, side="right")
    return np.minimum(country, len(cat.COUNTRIES) - 1)


def _largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Split ``total`` seats over cells in proportion to ``weights``, at least one seat each."""
    floor = np.ones(weights.size, dtype=np.int64)
    spare = total - weights.size
    if weights.sum() <= 0:
        weights = np.ones_like(weights)
    quota = weights / weights.sum() * spare
    seats = np.floor(quota).astype(np.int64)
    short = spare - seats.sum()
    seats[np.argsort(-(quota - seats), kind="stable")[:short]] += 1
    return floor + seats


def _plant_underperformers(rng: np.random.Generator, n: int, size: np.ndarray,
                           cell_start: np.ndarray, members: np.ndarray) -> np.ndarray:
    """One laggard in each of the most-staffed cells, so each has peers to lag behind."""
    count = int(np.clip(n // 20, 1, cat.UNDERPERFORMERS_MAX))
    order = np.lexsort((rng.random(size.size), -size))  # biggest cells first, ties at random
    cells = order[:count]
    cells = cells[size[cells] >= 2] if (size[cells] >= 2).any() else cells[:1]
    slot = (rng.random(cells.size) * size[cells]).astype(np.int64)
    return np.sort(members[cell_start[cells] + slot])
