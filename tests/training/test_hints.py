"""Hints fold into <details> elements: no JavaScript, escaped, from nudge to answer."""

from __future__ import annotations

import pytest

from salesops_nb.errors import ParameterError
from salesops_nb.training import hints


def test_a_hint_is_a_details_element_with_escaped_text_and_code_spans():
    page = hints.hint("Stuck? <b>", "Use `team & region` <not> this")._repr_html_()
    assert page.startswith('<details class="salesops-hint"')
    assert "<summary" in page and "Stuck? &lt;b&gt;</summary>" in page
    assert "<code>team &amp; region</code>" in page and "&lt;not&gt;" in page
    assert "<script" not in page and "onclick" not in page


@pytest.mark.parametrize("exercise", sorted(hints.EXERCISE_HINTS))
def test_every_exercise_has_numbered_hints(exercise):
    shown = hints.show(exercise)
    assert len(shown) >= 2
    assert shown._repr_html_().count("<details") == len(shown)
    assert shown.items[0].title.startswith("Hint 1")


def test_unknown_exercise_lists_the_known_ones():
    with pytest.raises(ParameterError, match="No hints for exercise 'segmentaton'") as caught:
        hints.show("segmentaton")
    assert "segmentation" in caught.value.hint


def test_paragraph_breaks():
    page = hints.hint("t", "one\n\ntwo")._repr_html_()
    assert "one</p><p" in page
