"""Feedback objects: passed/messages for tests, escaped HTML for notebooks, capped repeats."""

from __future__ import annotations

from salesops_nb.training.feedback import Feedback, Note, capped, join_names


def test_passed_means_no_fix_and_fixes_come_first():
    feedback = Feedback("Demo", (Note("pass", "fine", topic="summary"),
                                 Note("tip", "maybe"), Note("fix", "broken", "mend it", "x")))
    assert not feedback.passed
    assert feedback.messages == ["broken", "maybe", "fine"]
    assert [n.text for n in feedback.fixes] == ["broken"]
    assert feedback.topics("fix") == {"x"}
    assert feedback.headline() == "Demo: not yet, 1 thing to fix"
    assert Feedback("Demo", (Note("tip", "maybe"),)).passed
    assert repr(feedback) == "Feedback('Demo', passed=False, 3 notes)"


def test_plain_text_lists_every_note_with_its_hint():
    text = str(Feedback("Demo", (Note("fix", "broken", "mend it"),), (("size", "3"),)))
    assert text.splitlines() == ["Demo: not yet, 1 thing to fix", "- Fix: broken",
                                 "  How: mend it", "  size: 3"]


def test_html_escapes_user_text_everywhere():
    hostile = "<script>alert(1)</script>"
    feedback = Feedback(hostile, (Note("fix", f"segment {hostile}", hint=hostile),),
                        ((hostile, hostile),))
    page = feedback._repr_html_()
    assert "<script>" not in page
    assert page.count("&lt;script&gt;") == 5
    assert "not yet" in page and "Fix:" in page


def test_html_marks_pass_and_fail_differently():
    good = Feedback("Demo", (Note("pass", "fine"),))._repr_html_()
    bad = Feedback("Demo", (Note("fix", "broken"),))._repr_html_()
    assert "#1a7f37" in good and "Demo: passed" in good
    assert "#b35900" in bad and "Demo: not yet" in bad


def test_capped_keeps_three_of_a_kind_and_counts_the_rest():
    notes = [Note("fix", f"n{i}", topic="small") for i in range(5)] + [Note("tip", "other")]
    kept = capped(notes)
    assert [n.text for n in kept] == ["n0", "n1", "n2", "other",
                                      "... and 2 more like this (small)."]
    assert kept[-1].level == "fix"


def test_join_names():
    assert join_names(["a"]) == "'a'"
    assert join_names(["a", "b", "c"]) == "'a', 'b' and 'c'"
    assert join_names(list("abcdefg"), 2) == "'a', 'b' and 5 more"
