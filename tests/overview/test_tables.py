from __future__ import annotations

import pandas as pd

from salesops_nb.overview.pipeline import deal_size_stats
from salesops_nb.overview.quality import data_quality
from salesops_nb.overview.tables import styled


def test_amounts_shares_and_counts_are_formatted(deals):
    html = styled(deal_size_stats(deals), currency="€").to_html()
    assert "€327,500" in html and "€12,000" in html
    assert "91.6%" in html  # top decile share 300,000 / 327,500
    assert "Top 10% share" in html and "Not positive" in html


def test_user_text_is_escaped(deals):
    frame = pd.DataFrame({"stage": ["<script>x</script>"], "amount": [5.0]})
    html = styled(frame, currency="<b>").to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>" not in html and "&lt;b&gt;5" in html


def test_missing_values_show_a_dash(deals):
    html = styled(data_quality(deals, today="2024-06-30").summary).to_html()
    assert "–" in html and "8" in html


def test_long_tables_are_cut(deals):
    frame = pd.DataFrame({"n": range(1000)})
    assert styled(frame, max_rows=10).to_html().count("<tr>") <= 11


def test_an_empty_table_says_so(deals):
    html = styled(pd.DataFrame(columns=["id", "rows"]), empty="No id appears twice.").to_html()
    assert "<caption>No id appears twice.</caption>" in html


def test_text_is_left_aligned_and_numbers_are_not(deals):
    styler = styled(pd.DataFrame({"stage": ["Proposal"], "amount": [5.0]}))
    html = styler.to_html()
    assert "text-align: left" in html
    # the stage cells and header only: numbers stay right-aligned
    assert html.count("text-align: left") == 2
