"""Opportunities of the sample CRM: who, what, when, and how each deal ended.

Dates are handled as integer day numbers (days since 1970-01-01) until the frame is built;
that keeps every step a plain numpy operation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesops_nb.data import _sample_catalog as cat
from salesops_nb.data._sample_parties import Accounts, Reps


@dataclass
class Deals:
    """Deal attributes as arrays in creation order (index = opportunity number - 1)."""

    account: np.ndarray
    rep: np.ndarray
    product: np.ndarray
    source: np.ndarray
    stage: np.ndarray
    is_closed: np.ndarray
    is_won: np.ndarray
    created: np.ndarray  # day numbers
    close: np.ndarray  # day numbers: actual close, or expected close of an open deal
    discount: np.ndarray
    amount: np.ndarray


def draw_deals(rng: np.random.Generator, n: int, accounts: Accounts, reps: Reps,
               start: int, end: int) -> Deals:
    """Draw ``n`` deals created between day numbers ``start`` and ``end`` (inclusive)."""
    created = _created_days(rng, n, start, end)
    account = _pick_accounts(rng, n, accounts.propensity)
    cell = accounts.cell[account]
    team = accounts.team[account]
    industry = accounts.industry[account]
    # Most deals belong to the account owner; the rest went to a colleague in the same cell.
    colleague = reps.pick_in_cell(cell, rng.random(n))
    rep = np.where(rng.random(n) < cat.OWNER_SHARE, accounts.owner[account], colleague)
    product = _pick_codes(rng.random(n), cat.PRODUCT_SHARE)
    source = _pick_codes(rng.random(n), cat.LEAD_SOURCE_SHARE)

    win_chance = (cat.TEAM_WIN[team] * cat.INDUSTRY_WIN[industry] * cat.PRODUCT_WIN[product]
                  * cat.LEAD_SOURCE_WIN[source] * reps.skill[rep])
    would_win = rng.random(n) < np.clip(win_chance, 0.02, 0.9)

    # Gamma-distributed cycles; lost deals tend to die a little sooner than won ones close.
    cycle = rng.gamma(2.0, cat.TEAM_CYCLE_DAYS[team] / 2.0) * np.where(would_win, 1.0, 0.8)
    close = created + np.maximum(1, np.ceil(cycle)).astype(np.int64)
    close = _pull_to_quarter_end(rng, close, would_win)

    is_closed = close <= end
    is_won = is_closed & would_win
    stage = _stages(created, close, is_closed, is_won, end)

    discount = _discounts(rng, team)
    size_factor = ((accounts.employees[account] / cat.TEAM_TYPICAL_EMPLOYEES[team])
                   ** cat.DEAL_SIZE_EMPLOYEE_EXPONENT)
    list_price = (cat.TEAM_DEAL_SIZE[team] * cat.INDUSTRY_SIZE[industry]
                  * cat.PRODUCT_SIZE[product] * cat.LEAD_SOURCE_SIZE[source] * size_factor
                  * rng.lognormal(0.0, cat.DEAL_SIZE_LOG_SD, size=n))
    amount = np.round(np.maximum(10.0, np.round(list_price, -1)) * (1.0 - discount), 2)
    return Deals(account=account, rep=rep, product=product, source=source, stage=stage,
                 is_closed=is_closed, is_won=is_won, created=created, close=close,
                 discount=discount, amount=amount)


def _created_days(rng: np.random.Generator, n: int, start: int, end: int) -> np.ndarray:
    """Sorted creation days with a gentle growth trend and no weekend creations."""
    u = rng.random(n)
    u.sort()  # sorted draws: opportunity ids then increase with creation date, as in a CRM
    g = cat.CREATED_GROWTH
    # Inverse of the CDF of a density proportional to 1 + g*t on [0, 1].
    t = (np.sqrt(1.0 + 2.0 * g * u * (1.0 + g / 2.0)) - 1.0) / g
    span = end - start + 1
    days = start + np.minimum((t * span).astype(np.int64), span - 1)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    # Saturday and Sunday move back to Friday (forward to Monday if that is before the
    # start); either way the days stay sorted.
    days = days - np.maximum(weekday - 4, 0)
    return np.where(days < start, days + 3, days)


def _pick_codes(u: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Codes drawn with the given shares from uniform draws ``u`` (few categories)."""
    code = np.zeros(u.size, dtype=np.int8)
    for edge in np.cumsum(shares / shares.sum())[:-1]:  # one pass per category, not per row
        code += u >= edge
    return code


def _pick_accounts(rng: np.random.Generator, n: int, propensity: np.ndarray) -> np.ndarray:
    cumulative = np.cumsum(propensity)
    picked = np.searchsorted(cumulative, rng.random(n) * cumulative[-1], side="right")
    return np.minimum(picked, propensity.size - 1)


def _pull_to_quarter_end(rng: np.random.Generator, close: np.ndarray,
                         would_win: np.ndarray) -> np.ndarray:
    """Move some closes from a quarter's first two months to a day of its last month."""
    month = close.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    in_quarter = month % 3  # month 0 is January 1970, so calendar quarters start at 0
    pull = np.where(would_win, cat.QUARTER_END_PULL_WON, cat.QUARTER_END_PULL_LOST)
    move = (in_quarter < 2) & (rng.random(close.size) < pull)
    last_month = month[move] - in_quarter[move] + 2
    first_day = last_month.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    next_first = (last_month + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    offset = (rng.random(first_day.size) * (next_first - first_day)).astype(np.int64)
    moved = close.copy()
    moved[move] = first_day + offset  # always later than the original close
    return moved


def _stages(created: np.ndarray, close: np.ndarray, is_closed: np.ndarray,
            is_won: np.ndarray, end: int) -> np.ndarray:
    """Closed deals are won or lost; open ones sit at the stage matching their progress."""
    progress = (end - created) / np.maximum(close - created, 1)
    open_stage = np.clip((progress * cat.OPEN_STAGES).astype(np.int64), 0, cat.OPEN_STAGES - 1)
    stage = np.where(is_closed, np.where(is_won, cat.WON, cat.LOST), open_stage)
    return stage.astype(np.int8)


def _discounts(rng: np.random.Generator, team: np.ndarray) -> np.ndarray:
    """A quarter of deals at list price; the rest Beta-distributed around the team's norm."""
    mean = cat.TEAM_DISCOUNT[team]
    beta = rng.beta(2.0, 2.0 / mean - 2.0)  # Beta(2, b) has mean 2 / (2 + b)
    discount = np.where(rng.random(team.size) < cat.ZERO_DISCOUNT_SHARE, 0.0, beta)
    return np.round(np.minimum(discount, cat.MAX_DISCOUNT), 3)
