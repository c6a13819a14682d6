from __future__ import annotations

import xml.etree.ElementTree as ET

from salesops_nb.five_whys.diagram import tree_svg
from salesops_nb.five_whys.model import Problem, WhyAnalysis

NS = "{http://www.w3.org/2000/svg}"


def _boxes(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {g.get("data-node"): g for g in root.iter(f"{NS}g") if g.get("data-node")}


def _rect(group: ET.Element) -> tuple[float, float]:
    rect = group.find(f"{NS}rect")
    return float(rect.get("x")), float(rect.get("y"))


def test_layout_columns_by_depth_and_parents_centred_on_children(chain):
    tree = chain.add_sibling("w2", "Another cause").add_cause(None, "Second branch")
    boxes = _boxes(tree_svg(tree, direction="LR"))
    assert set(boxes) == {"problem", "w1", "w2", "w3", "w4", "w5", "w6", "w7"}
    xs = {key: _rect(g)[0] for key, g in boxes.items()}
    assert xs["problem"] < xs["w1"] == xs["w7"] < xs["w2"] == xs["w6"] < xs["w3"]
    ys = {key: _rect(g)[1] for key, g in boxes.items()}
    assert ys["w1"] == (ys["w2"] + ys["w6"]) / 2
    assert ys["problem"] == (ys["w1"] + ys["w7"]) / 2
    assert len({ys["w5"], ys["w6"], ys["w7"]}) == 3  # leaves never overlap


def test_root_causes_and_refuted_nodes_are_marked(chain):
    tree = chain.add_cause(None, "Refuted idea", status="refuted")
    boxes = _boxes(tree_svg(tree))
    assert "root-cause" in boxes["w5"].get("class")
    assert "refuted" in boxes["w6"].get("class")
    assert boxes["w6"].find(f"{NS}rect").get("stroke-dasharray")


def test_an_empty_analysis_draws_the_problem_alone():
    boxes = _boxes(tree_svg(WhyAnalysis(problem=Problem(what="Win rate fell"))))
    assert list(boxes) == ["problem"]


def test_long_answers_are_wrapped_and_clipped(chain):
    tree = chain.update_node("w1", answer="word " * 100)
    lines = [t for t in _boxes(tree_svg(tree))["w1"].iter(f"{NS}text")]
    assert len(lines) == 1 + 4 + 1  # header, four lines, footer
    assert lines[4].text.endswith("…")


def test_top_down_layout_swaps_the_axes(chain):
    tree = chain.add_sibling("w2", "Another cause")
    boxes = {k: _rect(g) for k, g in _boxes(tree_svg(tree, direction="TB")).items()}
    assert boxes["problem"][1] < boxes["w1"][1] < boxes["w2"][1] == boxes["w6"][1]
    assert boxes["w1"][0] == (boxes["w2"][0] + boxes["w6"][0]) / 2


def test_auto_picks_the_narrower_picture(chain):
    deep = ET.fromstring(tree_svg(chain))  # five levels, one leaf: grows downwards
    assert float(deep.get("height")) > float(deep.get("width"))
    wide = WhyAnalysis(problem=Problem(what="x"))
    for index in range(8):
        wide = wide.add_cause(None, f"cause {index}")
    flat = ET.fromstring(tree_svg(wide))  # two levels, eight leaves: grows to the right
    assert float(flat.get("width")) < float(flat.get("height"))
    assert float(flat.get("width")) < 1000
