"""Data-quality flaws for ``generate_crm(messy=True)``, the kind real CRM exports carry.

Applied to a clean opportunities frame with a random stream of its own, so the messy sample
is the clean sample plus flaws: missing values, other spellings of category values, amounts
written as text (some with a currency symbol and thousands separators), and duplicated rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from salesops_nb.data import _sample_catalog as cat


def add_flaws(opportunities: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Return a messy copy of ``opportunities`` (the caller's frame is left as it was)."""
    n = len(opportunities)
    columns = {name: opportunities[name] for name in opportunities.columns}
    for name, spellings in cat.SPELLINGS.items():
        columns[name] = _respell(columns[name], spellings, rng)
    for name, share in cat.MESSY_MISSING.items():
        if name != "amount":  # amount is blanked while it is turned into text, below
            columns[name] = columns[name].mask(rng.random(n) < share)
    amount_missing = rng.random(n) < cat.MESSY_MISSING["amount"]
    columns["amount"] = _amount_text(opportunities["amount"].to_numpy(), amount_missing,
                                     rng.random(n) < cat.MESSY_CURRENCY_SHARE)
    messy = pd.DataFrame(columns)
    # Overlapping exports: some rows are replaced by a copy of another row, id included.
    n_dup = round(n * cat.MESSY_DUPLICATE_SHARE) if n >= 2 else 0
    if n_dup:
        picked = rng.choice(n, size=2 * n_dup, replace=False)
        source, target = picked[:n_dup], picked[n_dup:]
        order = np.arange(n)
        order[target] = source
        messy = messy.take(order).reset_index(drop=True)
    return messy


def _respell(column: pd.Series, spellings: dict[str, tuple[str, ...]],
             rng: np.random.Generator) -> pd.Series:
    """Give a share of a categorical column's values another spelling of the same value."""
    canonical = [str(c) for c in column.cat.categories]
    variants = [
        [v for v in dict.fromkeys((c.lower(), c + " ", *spellings.get(c, ()))) if v != c]
        for c in canonical
    ]
    extra = list(dict.fromkeys(v for vs in variants for v in vs if v not in canonical))
    categories = canonical + extra
    position = {c: i for i, c in enumerate(categories)}
    width = max(len(vs) for vs in variants)
    table = np.zeros((len(canonical), width), dtype=np.int64)  # padded: variant codes per value
    for i, vs in enumerate(variants):  # a handful of category values, not rows
        table[i, : len(vs)] = [position[v] for v in vs]
    count = np.array([len(vs) for vs in variants])

    codes = column.cat.codes.to_numpy().astype(np.int64)
    chosen = np.flatnonzero((codes >= 0) & (rng.random(codes.size) < cat.MESSY_SPELLING_SHARE))
    slot = (rng.random(chosen.size) * count[codes[chosen]]).astype(np.int64)
    codes[chosen] = table[codes[chosen], slot]
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(categories, dtype="str")),
                     index=column.index, name=column.name)


def _amount_text(amount: np.ndarray, missing: np.ndarray, currency: np.ndarray) -> pd.Series:
    """Amounts as text: "1200.50" mostly, "$1,200.50" where ``currency``, null where missing."""
    cents = np.rint(np.nan_to_num(amount) * 100.0).astype(np.int64)
    dollars, fraction = np.divmod(cents, 100)
    fraction_text = pc.utf8_lpad(_text(fraction), width=2, padding="0")
    plain = pc.binary_join_element_wise(_text(dollars), fraction_text, ".")
    if currency.any():
        grouped = _thousands(dollars[currency])
        fancy = pc.binary_join_element_wise(
            pc.binary_join_element_wise("$", grouped, ""), pc.filter(fraction_text, currency), "."
        )
        plain = pc.replace_with_mask(plain, pa.array(currency), fancy)
    text = pc.if_else(pa.array(missing | np.isnan(amount)), pa.scalar(None, pa.string()), plain)
    return pd.Series(text, dtype="str", name="amount")


def _thousands(dollars: np.ndarray) -> pa.Array:
    """Whole numbers with comma thousands separators ("1,200"), built group by group."""
    text = pc.utf8_lpad(_text(dollars % 1000), width=3, padding="0")
    rest = dollars // 1000
    while (rest > 0).any():  # one pass per group of three digits, not per row
        group = pc.utf8_lpad(_text(rest % 1000), width=3, padding="0")
        text = pc.if_else(pa.array(rest > 0), pc.binary_join_element_wise(group, text, ","), text)
        rest = rest // 1000
    trimmed = pc.utf8_ltrim(text, characters="0")
    # Leading zeros of the top group are gone; "0,..." cannot occur, a bare 0 must stay.
    return pc.if_else(pc.equal(trimmed, ""), "0", trimmed)


def _text(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(values), pa.string())
