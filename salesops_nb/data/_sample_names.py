"""Ids and names for the sample CRM, built without a Python loop over rows.

Ids of millions of rows are built with Arrow string kernels: a numpy array of fixed-width
unicode would take four bytes per character (about 0.5 GB for 10M opportunity ids).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from salesops_nb.data import _sample_catalog as cat


def make_ids(prefix: str, n: int, min_digits: int) -> pd.Series:
    """``prefix-000001`` style ids numbered 1..n, zero-padded to at least ``min_digits``."""
    digits = max(min_digits, len(str(n)))
    numbers = pc.cast(pa.array(np.arange(1, n + 1, dtype=np.int64)), pa.string())
    padded = pc.utf8_lpad(numbers, width=digits, padding="0")
    return pd.Series(pc.binary_join_element_wise(f"{prefix}-", padded, ""), dtype="str")


def company_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct company names such as "Harbor Logistics GmbH", in random order.

    Beyond the 65,536 word combinations a number keeps names distinct ("Harbor Logistics 2
    GmbH"), the way CRMs end up with numbered namesakes.
    """
    n_pre, n_core, n_suf = (len(cat.COMPANY_PREFIXES), len(cat.COMPANY_CORES),
                            len(cat.COMPANY_SUFFIXES))
    combos = n_pre * n_core * n_suf
    pick = rng.permutation(combos)[np.arange(n) % combos]
    cycle = np.arange(n) // combos
    pre = np.asarray(cat.COMPANY_PREFIXES)[pick // (n_core * n_suf)]
    core = np.asarray(cat.COMPANY_CORES)[(pick // n_suf) % n_core]
    suf = np.asarray(cat.COMPANY_SUFFIXES)[pick % n_suf]
    number = np.where(cycle > 0, np.char.add(" ", (cycle + 1).astype(str)), "")
    return np.char.add(np.char.add(np.char.add(pre, " "), core),
                       np.char.add(number, np.char.add(" ", suf)))


def person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct "First Last" names (at most 1,600: first x last name lists)."""
    n_last = len(cat.LAST_NAMES)
    pick = rng.choice(len(cat.FIRST_NAMES) * n_last, size=n, replace=False)
    first = np.asarray(cat.FIRST_NAMES)[pick // n_last]
    last = np.asarray(cat.LAST_NAMES)[pick % n_last]
    return np.char.add(np.char.add(first, " "), last)


def categorical(codes: np.ndarray, categories) -> pd.Categorical:
    """A categorical from integer codes (-1 = missing) into ``categories``."""
    return pd.Categorical.from_codes(
        codes.astype(_code_dtype(len(categories)), copy=False),
        categories=pd.Index(np.asarray(categories), dtype="str"),
    )


def _code_dtype(n_categories: int) -> type:
    # pandas keeps codes in the smallest int type that fits; casting first spares an int64 copy
    return np.int8 if n_categories < 127 else np.int32
