from __future__ import annotations

import datetime as dt

import pytest

from salesops_nb.errors import CorruptArtefactError
from salesops_nb.five_whys.evidence import EvidenceQuery, QueryResult
from salesops_nb.five_whys.model import (
    Evidence,
    Problem,
    ProblemMetric,
    WhyAnalysis,
    WhyEditError,
    WhyNode,
    make_evidence,
)
from salesops_nb.workspace import Workspace, locate


def test_full_analysis_round_trips_through_the_workspace(chain, tmp_path):
    query = EvidenceQuery(metric="win_rate", filters={"lead_source": ["Referral"]},
                          start=dt.date(2026, 4, 1), end=dt.date(2026, 9, 30))
    result = QueryResult(value=0.278, n=97, computed_at=dt.datetime(2026, 10, 1, 9, 30,
                                                                    tzinfo=dt.timezone.utc))
    rich = chain.attach_evidence("w1", Evidence(kind="query", query=query, result=result,
                                                verified=True))
    rich = rich.attach_evidence("w2", Evidence(kind="link", url="https://wiki/x", text="doc"))
    rich = rich.with_problem(metric=ProblemMetric(before=query, after=query, after_result=result))
    rich = rich.model_copy(update={"team": "Ops", "date": dt.date(2026, 10, 14)})
    workspace, name = locate(tmp_path / "five_whys" / "main.json", WhyAnalysis)
    workspace.save(rich, name)
    loaded = Workspace(tmp_path).load(WhyAnalysis, "main")
    assert loaded == rich
    assert loaded.node("w1").evidence[1].result.computed_at == result.computed_at
    assert loaded.root_causes()[0].countermeasures[0].check.target == 0.35


def test_a_damaged_tree_file_is_refused_with_the_field(chain, tmp_path):
    workspace = Workspace(tmp_path)
    path = workspace.save(chain, "main")
    path.write_text(path.read_text().replace('"parent": "w3"', '"parent": "w9"'))
    with pytest.raises(CorruptArtefactError, match="unknown parent"):
        workspace.load(WhyAnalysis, "main")


def test_edits_return_new_objects_and_keep_the_original(chain):
    more = chain.add_sibling("w2", "Discovery calls are not scheduled")
    assert len(more.nodes) == len(chain.nodes) + 1
    assert more.nodes[-1].parent == "w1" and more.nodes[-1].id == "w6"
    assert [n.id for n in more.children("w1")] == ["w2", "w6"]
    assert len(chain.nodes) == 5


def test_depth_path_and_order(chain):
    branched = chain.add_cause(None, "Second first-level cause")
    assert branched.depth("w5") == 5
    assert [n.id for n in branched.path("w3")] == ["w1", "w2", "w3"]
    assert [n.id for n in branched.ordered()] == ["w1", "w2", "w3", "w4", "w5", "w6"]


def test_remove_node_removes_its_subtree(chain):
    assert [n.id for n in chain.remove_node("w3").nodes] == ["w1", "w2"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda a: a.add_cause("nope", "x"), "No why-node 'nope'"),
        (lambda a: a.add_cause(None, "   "), "cannot be empty"),
        (lambda a: a.add_countermeasure("w1", "Act"), "not marked as a root cause"),
        (lambda a: a.update_node("w1", confidence=2), "confidence"),
        (lambda a: a.update_node("w1", parent=None), "cannot be edited"),
        (lambda a: a.update_node("w1", status="maybe"), "status"),
    ],
)
def test_bad_edits_raise_teaching_errors(chain, edit, message):
    with pytest.raises(WhyEditError, match=message) as info:
        edit(chain)
    assert info.value.hint


def test_a_loop_or_duplicate_ids_are_refused():
    with pytest.raises(ValueError, match="own ancestor"):
        WhyAnalysis(nodes=[WhyNode(id="a", parent="b", answer="x"),
                           WhyNode(id="b", parent="a", answer="y")])
    with pytest.raises(ValueError, match="unique"):
        WhyAnalysis(nodes=[WhyNode(id="a", answer="x"), WhyNode(id="a", answer="y")])


def test_links_must_be_http_so_they_cannot_run_code():
    with pytest.raises(WhyEditError, match="http"):
        make_evidence(kind="link", url="javascript:alert(1)")
    assert make_evidence(kind="link", url="https://example.org/x").url.startswith("https")


def test_problem_statement_joins_the_parts():
    problem = Problem(what="Win rate fell", where="EMEA", how_big="31% to 22%")
    assert problem.statement() == "Win rate fell; EMEA; 31% to 22%"
    assert Problem().statement() == "(problem not stated yet)"
