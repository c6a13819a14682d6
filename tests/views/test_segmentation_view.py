"""The segmentation builder, driven in code: set widget values, click its buttons."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops_nb.data.sample import generate_crm
from salesops_nb.segmentation.analysis import analyse
from salesops_nb.segmentation.spec import SegmentationSpec
from salesops_nb.views.segmentation import SegmentationBuilder
from salesops_nb.workspace import Workspace


@pytest.fixture(scope="module")
def deals():
    return generate_crm(4000, seed=7).opportunities


@pytest.fixture
def path(tmp_path):
    return tmp_path / "ws" / "segmentation" / "main.json"


def saved(path) -> SegmentationSpec:
    return Workspace(path.parent.parent).load(SegmentationSpec, path.stem)


def test_a_new_builder_starts_from_the_default_and_saves_on_the_first_change(deals, path):
    builder = SegmentationBuilder(deals, path=path)
    assert not path.exists()  # opening writes nothing
    builder.higher.value = False
    builder.higher.value = True
    assert path.exists() and "Saved" in builder.status.value
    assert saved(path) == builder.spec
    assert builder.categories.value == ("team", "region")
    assert builder.metric.value == "win_rate_shrunk"
    assert "Enterprise / EMEA" in builder.sizes.value
    assert "eta squared" in builder.verdicts.value and "<svg" in builder.chart.value


def test_changes_autosave_and_a_new_builder_reopens_them(deals, path):
    builder = SegmentationBuilder(deals, path=path)
    builder.categories.value = ("team",)
    builder._label_texts["SMB"].value = "Small business"
    builder.strata_count.value = 5
    spec = saved(path)
    assert spec.labels() == ["Enterprise", "Mid-Market", "Small business", "Other"]
    assert spec.strata.count == 5
    # Treatments follow the strata by position: bottom quartile -> bottom quintile.
    assert {t.stratum for t in spec.treatments} == {"*", "top quintile", "bottom quintile"}
    again = SegmentationBuilder(deals, path=path)
    assert again.spec == spec
    assert again._label_texts["SMB"].value == "Small business"


def test_the_headless_analysis_uses_what_was_built(deals, path):
    builder = SegmentationBuilder(deals, path=path)
    builder.categories.value = ("region",)
    result = analyse(deals, saved(path), schemes=False)
    assert set(result.profile.query("count > 0")["segment"]) == {
        "APAC", "EMEA", "LATAM", "North America"}


def test_bandings_preview_edges_and_sizes_and_a_matrix_takes_cell_names(deals, path):
    builder = SegmentationBuilder(deals, path=path)
    builder.entity.value = "accounts"
    assert builder.segment_by.value == "matrix"
    assert "Strategic" in builder.sizes.value
    value = builder._banding_rows["won_amount"]
    assert "Edges" in value["preview"].value and "A:" in value["preview"].value
    value["method"].value = "quantiles"
    assert value["parameter"].value == "4"
    assert "Q1:" in value["preview"].value
    # The old names keyed on A/B/C no longer apply; treatments on them are reported.
    assert "Not saved" in builder.status.value and "Strategic" in builder.status.value
    builder._cell_texts[("Q4", "Enterprise")].value = "Strategic"
    builder._cell_texts[("Q1", "SMB")].value = "Low touch"
    builder._cell_texts[("Q1", "Enterprise")].value = "Untapped potential"
    assert "Saved" in builder.status.value
    spec = saved(path)
    assert spec.banding("value").method == "quantiles"
    assert {"Strategic", "Low touch", "Q2 / SMB"} <= set(spec.labels())


def test_renaming_a_segment_carries_its_treatments(deals, path):
    builder = SegmentationBuilder(deals, path=path)
    builder.entity.value = "accounts"
    builder._cell_texts[("A", "Enterprise")].value = "Crown jewels"
    spec = saved(path)
    assert "Crown jewels" in spec.labels()
    assert any(t.segment == "Crown jewels" and t.name == "Key account plan"
               for t in spec.treatments)


def test_domain_errors_show_as_messages_and_the_last_valid_spec_stays(deals, path):
    builder = SegmentationBuilder(deals, path=path)
    builder.numeric.value = ("won_amount",)
    row = builder._banding_rows["won_amount"]
    row["method"].value = "thresholds"
    assert "needs a non-empty list of thresholds" in builder.status.value
    row["parameter"].value = "5000, 1000"
    assert "overlap" in builder.status.value and "Traceback" not in builder.status.value
    row["parameter"].value = "ten"
    assert "not a list of numbers" in builder.status.value
    row["parameter"].value = "1000, 50000"
    builder.segment_by.value = "won_amount"
    assert "Saved" in builder.status.value
    assert saved(path).source == "won_amount band"
    assert saved(path).banding("won_amount band").thresholds == [1000.0, 50000.0]
    builder._band_label_texts["won_amount"].value = "low, high"
    assert "3 bands need that many distinct labels" in builder.status.value
    assert saved(path).banding("won_amount band").labels is None


def test_treatments_are_added_keyed_and_removed_by_clicking(deals, path):
    builder = SegmentationBuilder(deals, path=path)
    count = len(builder._treatment_rows)
    builder.add_treatment_button.click()
    row = builder._treatment_rows[-1]
    assert "Enterprise / EMEA" in row["segment"].options
    row["segment"].value = "Enterprise / EMEA"
    row["stratum"].value = "2nd quartile"
    row["name"].value = "Pipeline <b>clinic</b>"
    added = saved(path).treatments[-1]
    assert (added.segment, added.stratum, added.name) == (
        "Enterprise / EMEA", "2nd quartile", "Pipeline <b>clinic</b>")
    row["delete"].click()
    assert len(saved(path).treatments) == count


def test_next_and_back_walk_the_steps(deals, path):
    builder = SegmentationBuilder(deals, path=path)
    assert builder.steps.selected_index == 0
    for _ in range(6):
        builder.next_button.click()
    assert builder.steps.selected_index == 4
    builder.back_button.click()
    assert builder.steps.selected_index == 3


def test_user_text_is_escaped_in_the_preview(deals, path):
    builder = SegmentationBuilder(deals, path=path)
    builder._label_texts["SMB / EMEA"].value = "<script>x</script>"
    assert "<script>x</script>" not in builder.sizes.value
    assert "&lt;script&gt;" in builder.sizes.value


def test_the_builder_takes_deals_on_an_engine_and_previews_a_bounded_sample(deals, path):
    """Reps are aggregated on DuckDB; deals stay there, the preview holds the first rows."""
    from salesops_nb import backends

    frame = backends.to_engine(deals, "duckdb")
    builder = SegmentationBuilder(frame, path=path, preview_rows=500)
    in_memory = SegmentationBuilder(deals, path=path.parent / "other.json")
    pd.testing.assert_frame_equal(builder.profile, in_memory.profile)
    builder.entity.value = "opportunities"
    in_memory.entity.value = "opportunities"
    assert len(builder.table("opportunities")) == 500
    assert builder.profile["count"].sum() == 500
    assert "first 500" in builder.preview_header.value
    # Band edges are fitted on every deal, so the saved spec matches the one made in memory.
    assert saved(path).bandings == in_memory.spec.bandings
