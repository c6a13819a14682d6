"""The mix check on many entities: the pair search is exact, and a capped search says so."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesops_nb.errors import ParameterError
from salesops_nb.segmentation.mix import mix_check


def _every_pair(cells: pd.DataFrame, min_trials: int = 5) -> list[tuple[str, str, str]]:
    """The flipped pairs by brute force: every pair of entities, every segment (small data)."""
    n = cells.pivot_table(index="rep_id", columns="segment", values="closed", aggfunc="sum",
                          fill_value=0).sort_index().sort_index(axis=1)
    w = cells.pivot_table(index="rep_id", columns="segment", values="won", aggfunc="sum",
                          fill_value=0).reindex_like(n)
    usable = n.to_numpy() >= min_trials
    rate = np.where(usable, w.to_numpy() / np.maximum(n.to_numpy(), 1), np.nan)
    crude = w.to_numpy().sum(1) / n.to_numpy().sum(1)
    found = []
    for a in range(len(n)):
        for b in range(len(n)):
            both = usable[a] & usable[b]
            if crude[a] > crude[b] and both.any() and (rate[a][both] < rate[b][both]).all():
                found.append((n.index[a], n.index[b], "; ".join(n.columns[both])))
    return found


def _random_cells(entities: int, segments: int, seed: int) -> pd.DataFrame:
    """Cells with ties (few trials, so equal rates are common) and missing cells."""
    rng = np.random.default_rng(seed)
    rows = pd.MultiIndex.from_product([[f"e{i:03d}" for i in range(entities)],
                                       [f"s{j}" for j in range(segments)]],
                                      names=["rep_id", "segment"]).to_frame(index=False)
    rows["closed"] = rng.integers(0, 12, len(rows))
    rows["won"] = rng.binomial(rows["closed"], rng.uniform(0.1, 0.9, len(rows)))
    return rows[rng.random(len(rows)) < 0.8].reset_index(drop=True)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_pair_search_finds_exactly_the_brute_force_pairs(seed):
    cells = _random_cells(60, 4, seed)
    check = mix_check(cells)
    got = list(check.pairs[["entity", "peer", "segments"]].itertuples(index=False, name=None))
    assert got == _every_pair(cells)  # same pairs, same order (entity, then peer)
    assert len(got) > 0
    assert check.complete and check.searched == check.eligible
    table = check.entities.set_index("entity")
    counts = check.pairs["entity"].value_counts()
    assert table["ahead_but_behind"].to_dict() == {
        e: int(counts.get(e, 0)) for e in table.index}


def _many_accounts() -> pd.DataFrame:
    """50,000 accounts with 1-4 closed deals per source (none comparable), plus a planted pair:
    X wins 81 of 87 small and 192 of 263 large deals, Y 234 of 270 and 55 of 80 (the
    kidney-stone numbers), so Y leads overall and trails in both sources."""
    rng = np.random.default_rng(7)
    ids = np.array([f"acc{i:05d}" for i in range(50_000)], dtype=object)
    segment = rng.choice(["small", "large"], ids.size)
    closed = rng.integers(1, 5, ids.size)
    small = pd.DataFrame({"rep_id": ids, "segment": segment, "closed": closed,
                          "won": rng.binomial(closed, 0.5)})
    planted = pd.DataFrame({"rep_id": ["X", "X", "Y", "Y"],
                            "segment": ["small", "large", "small", "large"],
                            "won": [81, 192, 234, 55], "closed": [87, 263, 270, 80]})
    return pd.concat([small, planted], ignore_index=True)


def test_a_planted_pair_among_50000_entities_below_min_trials_is_found():
    check = mix_check(_many_accounts())
    assert check.pairs[["entity", "peer", "segments"]].values.tolist() == [
        ["Y", "X", "large; small"]]
    assert (check.eligible, check.searched) == (2, 2) and check.complete
    assert "all 2 entities" in check.summary
    table = check.entities.set_index("entity")
    assert len(table) == 50_002  # rates and ranks still cover every entity
    assert table["paradox"].sum() == 2
    assert table.loc["Y", "crude_rank"] < table.loc["X", "crude_rank"]
    assert "flatters" in table.loc["Y", "explanation"]
    assert "Pairs searched" not in table.loc["Y", "explanation"]


def test_a_capped_search_covers_the_entities_with_most_trials_and_says_so():
    cells = _random_cells(60, 4, 1)
    trials = cells.groupby("rep_id")["closed"].sum()
    everyone = mix_check(cells)
    capped = mix_check(cells, max_pair_entities=20)
    eligible = everyone.eligible
    assert capped.eligible == eligible > 20 and capped.searched == 20 and not capped.complete
    assert f"covered 20 of {eligible}" in capped.summary
    # The 20 comparable entities with most trials (ties by name): the pairs among them only.
    comparable = everyone.entities.loc[everyone.entities["mix_coverage"] > 0, "entity"]
    top = (trials[comparable].rename("t").reset_index()
           .sort_values(["t", "rep_id"], ascending=[False, True]).head(20)["rep_id"])
    kept = everyone.pairs[everyone.pairs["entity"].isin(top) & everyone.pairs["peer"].isin(top)]
    pd.testing.assert_frame_equal(capped.pairs, kept.reset_index(drop=True))
    assert 0 < len(capped.pairs) < len(everyone.pairs)
    flagged = capped.entities[capped.entities["paradox"]]
    assert flagged["explanation"].str.contains(f"20 of {eligible} comparable").all()
    # Rates and ranks do not depend on the cap.
    columns = ["entity", "crude_rate", "adjusted_rate", "crude_rank", "adjusted_rank"]
    pd.testing.assert_frame_equal(capped.entities[columns], everyone.entities[columns])


def test_the_cap_is_checked():
    with pytest.raises(ParameterError, match="max_pair_entities"):
        mix_check(_random_cells(5, 2, 0), max_pair_entities=1)
    assert mix_check(_random_cells(30, 3, 0), max_pair_entities=None).complete
