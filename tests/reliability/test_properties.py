"""Property-based tests of the artefact files (hypothesis).

- Random valid artefacts (the four kinds of the improvement case with random text in every text
  field, and a free-form model) round-trip through the Workspace unchanged.
- Random JSON where an artefact's data belongs, random mutations of a real artefact's data
  (fields dropped, retyped, replaced) and random bytes raise CorruptArtefactError (or another
  WorkspaceError), never a raw pydantic, JSON or Python error.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesops_nb.case import build_case
from salesops_nb.errors import CorruptArtefactError, SalesOpsError, WorkspaceError
from salesops_nb.workspace import Workspace
from tests.reliability._models import Ledger
from tests.security._payloads import STRUCTURAL, _get, _leaves, _set

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def case_artefacts():
    return build_case().artefacts


def _text_paths(artefact) -> list[tuple]:
    data = artefact.model_dump(mode="json", by_alias=True)
    return [p for p in _leaves(data)
            if isinstance(p[-1], str) and p[-1] not in STRUCTURAL and not p[-1].endswith("_id")]


@SETTINGS
@given(data=st.data())
def test_random_valid_artefacts_round_trip(case_artefacts, data):
    kind = data.draw(st.sampled_from(sorted(case_artefacts)))
    artefact = case_artefacts[kind]
    model = type(artefact)
    payload = artefact.model_dump(mode="json", by_alias=True)
    for path in data.draw(st.lists(st.sampled_from(_text_paths(artefact)), max_size=8)):
        _set(payload, path, data.draw(TEXT))
    try:
        candidate = model.model_validate(payload)
    except (pydantic.ValidationError, SalesOpsError):
        return  # e.g. an empty title: not a valid artefact, nothing to round-trip
    with tempfile.TemporaryDirectory() as root:
        ws = Workspace(root)
        ws.save(candidate, "prop")
        assert Workspace(root).load(model, "prop") == candidate


@SETTINGS
@given(label=TEXT, entries=st.lists(TEXT, max_size=6))
def test_random_ledgers_round_trip(label, entries):
    with tempfile.TemporaryDirectory() as root:
        Workspace(root).save(Ledger(label=label, entries=entries), "x")
        assert Workspace(root).load(Ledger, "x") == Ledger(label=label, entries=entries)


def _write(root: Path, kind: str, content: bytes) -> None:
    (root / kind).mkdir(parents=True, exist_ok=True)
    (root / kind / "bad.json").write_bytes(content)


def _load_refused(root: Path, model) -> None:
    try:
        Workspace(root).load(model, "bad")
    except CorruptArtefactError as err:
        assert err.hint and str(err.path).endswith("bad.json")
        return
    # Some random data is a valid artefact after all (e.g. defaults fill the gaps): fine.


@SETTINGS
@given(data=st.data())
def test_random_json_data_is_refused_with_our_error(case_artefacts, data):
    kind = data.draw(st.sampled_from(sorted(case_artefacts)))
    model = type(case_artefacts[kind])
    body = data.draw(JSON)
    envelope = {"kind": kind, "schema_version": model.schema_version, "data": body}
    with tempfile.TemporaryDirectory() as root:
        _write(Path(root), kind, json.dumps(envelope).encode())
        _load_refused(Path(root), model)


@SETTINGS
@given(data=st.data())
def test_mutated_artefacts_are_refused_with_our_error(case_artefacts, data):
    kind = data.draw(st.sampled_from(sorted(case_artefacts)))
    artefact = case_artefacts[kind]
    payload = artefact.model_dump(mode="json", by_alias=True)
    paths = list(_leaves(payload)) + _all_paths(payload)
    for path in data.draw(st.lists(st.sampled_from(paths), min_size=1, max_size=5)):
        try:
            _get(payload, path)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation replaced a parent
        _set(payload, path, data.draw(JSON))
    envelope = {"kind": kind, "schema_version": type(artefact).schema_version, "data": payload}
    with tempfile.TemporaryDirectory() as root:
        _write(Path(root), kind, json.dumps(envelope).encode())
        _load_refused(Path(root), type(artefact))


@SETTINGS
@given(content=st.binary(max_size=200) | JSON.map(lambda v: json.dumps(v).encode()))
def test_random_files_are_refused_with_our_error(content):
    with tempfile.TemporaryDirectory() as root:
        _write(Path(root), "ledger", content)
        with pytest.raises(WorkspaceError):
            Workspace(root).load(Ledger, "bad")


def _all_paths(node, path=()) -> list[tuple]:
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append((*path, key))
            found += _all_paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.append((*path, i))
            found += _all_paths(value, (*path, i))
    return found
