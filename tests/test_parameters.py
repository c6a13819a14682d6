"""Parameter values checked against a template's declarations, before any kernel starts."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from salesops_nb.errors import ParameterError
from salesops_nb.parameters import (
    Parameter,
    coerce_parameters,
    load_parameter_file,
    normalise_type_name,
)
from salesops_nb.templates import Template

DEMO = Template(
    name="demo",
    path=Path("demo.ipynb"),
    title="Demo",
    description="",
    order=1,
    parameters=(
        Parameter("data_path", "str", "", "CRM export; empty = built-in sample"),
        Parameter("min_segment_size", "int", 30, "smallest segment worth comparing"),
        Parameter("threshold", "float", 0.5, "win-rate gap worth a look"),
        Parameter("include_open", "bool", False, "count open deals too"),
        Parameter("regions", "list", ["EMEA"], "regions to keep"),
        Parameter("weights", "dict", {}, "weight per product line"),
        Parameter("limit", "int", None, "stop after this many rows; none = all"),
        Parameter("anything", "any", 3, "written without an annotation"),
    ),
)


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        ("int", "int"),
        ("float", "float"),
        ("str", "str"),
        ("bool", "bool"),
        ("list[str]", "list"),
        ("List[str]", "list"),
        ("typing.List[int]", "list"),
        ("tuple", "list"),
        ("dict", "dict"),
        ("Dict[str, int]", "dict"),
        ("dict[str, float]", "dict"),
        ("Optional[int]", "int"),
        ("int | None", "int"),
        ("None | float", "float"),
        ("'int'", "int"),
        ("None", "any"),
        ("", "any"),
        (None, "any"),
        ("int | str", "any"),
        ("pd.DataFrame", "any"),
    ],
)
def test_type_names_are_normalised_to_the_short_set(annotation, expected):
    assert normalise_type_name(annotation) == expected


def test_command_line_strings_become_typed_values():
    values = coerce_parameters(
        DEMO,
        {
            "weights": '{"Core": 2, "Add-on": 0.5}',
            "min_segment_size": " 50 ",
            "threshold": "0.25",
            "include_open": "Yes",
            "regions": "EMEA, APAC",
            "data_path": "crm 2024.csv",
            "limit": "none",
            "anything": "7",
        },
        from_strings=True,
    )
    assert values == {
        "data_path": "crm 2024.csv",
        "min_segment_size": 50,
        "threshold": 0.25,
        "include_open": True,
        "regions": ["EMEA", "APAC"],
        "weights": {"Core": 2, "Add-on": 0.5},
        "limit": None,
        "anything": "7",  # no declared type: taken literally, never guessed
    }
    # the result follows the template's order, not the caller's
    assert list(values) == [p.name for p in DEMO.parameters]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("FALSE", False), ("on", True), ("off", False), ("1", True), ("0", False)],
)
def test_boolean_spellings(text, expected):
    assert coerce_parameters(DEMO, {"include_open": text}, from_strings=True) == {
        "include_open": expected
    }


def test_a_list_can_be_json():
    values = coerce_parameters(DEMO, {"regions": '["EMEA", "North America"]'}, from_strings=True)
    assert values == {"regions": ["EMEA", "North America"]}


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("min_segment_size", "abc", "is not a whole number"),
        ("min_segment_size", "3.5", "is not a whole number"),
        ("threshold", "high", "is not a number"),
        ("threshold", "nan", "is not a finite number"),
        ("include_open", "maybe", "is not true/false"),
        ("weights", "{'a': 1}", "is not valid JSON"),
        ("weights", "[1, 2]", "is JSON but not a dict"),
        ("regions", "[EMEA]", "is not valid JSON"),
        ("min_segment_size", "none", "is not a whole number"),  # its default is not None
    ],
)
def test_bad_command_line_values_are_named_with_the_reason(name, text, reason):
    with pytest.raises(ParameterError) as caught:
        coerce_parameters(DEMO, {name: text}, from_strings=True)
    message = str(caught.value)
    assert f"{name} = {text!r}" in message
    assert reason in message


def test_yaml_values_must_already_have_the_type():
    # an int is fine where a float is declared
    assert coerce_parameters(DEMO, {"threshold": 1}) == {"threshold": 1.0}
    assert isinstance(coerce_parameters(DEMO, {"threshold": 1})["threshold"], float)
    # a tuple is a list
    assert coerce_parameters(DEMO, {"regions": ("EMEA",)}) == {"regions": ["EMEA"]}
    with pytest.raises(ParameterError) as caught:
        coerce_parameters(
            DEMO,
            {"data_path": 2024, "min_segment_size": True, "include_open": "true", "threshold": "1"},
        )
    message = str(caught.value)
    # every problem in one message
    assert "data_path = 2024 is a whole number, not text (quote it)" in message
    assert "min_segment_size = True is true/false, not a whole number" in message
    assert "include_open = 'true' is text, not true/false" in message
    assert "threshold = '1' is text, not a number" in message


def test_dates_inside_lists_are_refused():
    import datetime

    with pytest.raises(ParameterError, match="contains a date"):
        coerce_parameters(DEMO, {"regions": ["EMEA", datetime.date(2024, 1, 1)]})


def test_unknown_parameter_lists_the_valid_ones_with_type_and_help():
    with pytest.raises(ParameterError) as caught:
        coerce_parameters(DEMO, {"min_segement_size": "5"}, from_strings=True)
    err = caught.value
    assert "'min_segement_size' is not a parameter" in err.message
    assert "did you mean 'min_segment_size'?" in err.message
    assert "min_segment_size (int, default 30): smallest segment worth comparing" in err.message
    assert "regions (list, default ['EMEA']): regions to keep" in err.message
    assert err.hint and "true/false" in err.hint
    # the error crosses process boundaries in batch runs
    assert str(pickle.loads(pickle.dumps(err))) == str(err)


def test_a_template_without_parameters_says_so():
    bare = Template("bare", Path("bare.ipynb"), "Bare", "", 1, ())
    assert coerce_parameters(bare, {}) == {}
    with pytest.raises(ParameterError, match="takes no parameters"):
        coerce_parameters(bare, {"x": 1})


def test_parameter_file_is_read_as_a_mapping(tmp_path):
    file = tmp_path / "params.yaml"
    file.write_text("min_segment_size: 50\nregions: [EMEA, APAC]\ndata_path: '2024.csv'\n")
    values = load_parameter_file(file)
    assert values == {"min_segment_size": 50, "regions": ["EMEA", "APAC"], "data_path": "2024.csv"}
    assert coerce_parameters(DEMO, values)["min_segment_size"] == 50


def test_empty_parameter_file_means_no_parameters(tmp_path):
    file = tmp_path / "empty.yaml"
    file.write_text("# nothing to change\n")
    assert load_parameter_file(file) == {}


def test_missing_parameter_file(tmp_path):
    with pytest.raises(ParameterError) as caught:
        load_parameter_file(tmp_path / "nope.yaml")
    assert "nope.yaml' does not exist" in caught.value.message
    assert caught.value.hint


def test_invalid_yaml_names_the_line(tmp_path):
    file = tmp_path / "bad.yaml"
    file.write_text("min_segment_size: 50\nregions: [EMEA, APAC\ndata_path: x\n")
    with pytest.raises(ParameterError) as caught:
        load_parameter_file(file)
    message = caught.value.message
    assert "is not valid YAML at line" in message
    assert "bad.yaml" in message
    assert "name: value" in caught.value.hint


@pytest.mark.parametrize(
    ("text", "found"),
    [("- a\n- b\n", "a list"), ("just text\n", "text"), ("42\n", "a whole number")],
)
def test_yaml_that_is_not_a_mapping(tmp_path, text, found):
    file = tmp_path / "list.yaml"
    file.write_text(text)
    with pytest.raises(ParameterError, match=f"holds {found}, not a mapping"):
        load_parameter_file(file)


def test_yaml_keys_must_be_text(tmp_path):
    file = tmp_path / "keys.yaml"
    file.write_text("1: a\nok: b\n")
    with pytest.raises(ParameterError, match="names that are not text: 1"):
        load_parameter_file(file)
