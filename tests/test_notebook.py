"""setup(): offline chart rendering and table display for template notebooks."""

from __future__ import annotations

import subprocess
import sys

import altair as alt
import pandas as pd
import pytest

from salesops_nb.notebook import PANDAS_OPTIONS, setup


@pytest.fixture
def restore_display():
    renderer = alt.renderers.active
    yield
    alt.renderers.enable(renderer)
    alt.data_transformers.enable("default")
    for option in PANDAS_OPTIONS:
        pd.reset_option(option)


def test_setup_renders_charts_as_inline_svg(restore_display):
    setup()
    setup()  # a second call (re-running the first cell) is harmless
    assert alt.renderers.active == "svg"
    chart = alt.Chart(pd.DataFrame({"x": ["a", "b"], "y": [1, 2]})).mark_bar().encode(x="x", y="y")
    bundle = chart._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    svg = bundle["image/svg+xml"]
    assert svg.lstrip().startswith("<svg") and "mark-rect" in svg
    # nothing in the output refers to a script or stylesheet elsewhere
    assert "<script" not in svg and "cdn" not in svg.lower()


def test_setup_keeps_the_row_limit_even_if_it_was_lifted(restore_display):
    alt.data_transformers.disable_max_rows()
    setup()
    big = pd.DataFrame({"x": range(6000), "y": range(6000)})
    with pytest.raises(alt.MaxRowsError):
        alt.Chart(big).mark_point().encode(x="x", y="y").to_dict()


def test_setup_sets_pandas_display_options(restore_display):
    setup()
    for option, value in PANDAS_OPTIONS.items():
        assert pd.get_option(option) == value


def test_importing_the_module_imports_no_display_library():
    code = (
        "import sys, salesops_nb.notebook\n"
        "print([m for m in ('IPython', 'altair', 'pandas') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
