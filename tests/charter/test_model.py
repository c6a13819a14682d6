"""The charter model: JSON round trip, validation, workspace save/load."""

from __future__ import annotations

import pydantic
import pytest

from salesops_nb.charter import Charter, Service, example_charter
from salesops_nb.workspace import Workspace, locate


def test_json_round_trip_is_identical():
    charter = example_charter()
    again = Charter.model_validate_json(charter.model_dump_json())
    assert again == charter
    assert again.model_dump() == charter.model_dump()


def test_workspace_save_and_load_round_trip(tmp_path):
    charter = example_charter()
    ws, name = locate(tmp_path / "charter" / "main.json", Charter)
    path = ws.save(charter, name)
    assert path == tmp_path / "charter" / "main.json"
    assert Workspace(tmp_path).load(Charter, "main") == charter


def test_assignments_are_validated():
    service = Service(name="x")
    with pytest.raises(pydantic.ValidationError):
        service.service_class = "visionary"
    with pytest.raises(pydantic.ValidationError):
        service.capacity_pct = 140


def test_unknown_fields_are_refused():
    with pytest.raises(pydantic.ValidationError):
        Charter.model_validate({"organisation": "A", "slogan": "B"})


def test_title_names_function_and_organisation():
    assert Charter(organisation="Acme").title == "Sales Operations charter: Acme"
    assert Charter(function_name=" ").title == "Sales Operations charter"
