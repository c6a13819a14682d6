from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pandas as pd

from salesops_nb.five_whys.lint import lint
from salesops_nb.five_whys.render import (
    html_report,
    markdown_table,
    mermaid,
    mermaid_label,
    outline,
    root_cause_table,
)

from .hostile import HOSTILE, hostile_analysis

_LINE = re.compile(
    r'^(flowchart LR|    (p|n\d+)\["(?:[^"<>\[\]{}#;%\n]|#\d+;)*"\]|    (p|n\d+) --> n\d+|'
    r"    classDef \w+ [\w:#,.\- ]+|    class (p|n\d+)(,n\d+)* \w+)$"
)


def test_mermaid_labels_encode_everything_unsafe():
    assert mermaid_label('Say "hi" <script>') == "Say #34;hi#34; #60;script#62;"
    assert mermaid_label("a\nb") == "a b"
    assert mermaid_label("x" * 500).endswith("#8230;")


def test_hostile_text_cannot_break_or_script_the_mermaid_diagram():
    analysis = hostile_analysis()
    text = mermaid(analysis)
    lines = text.split("\n")
    bad = [line for line in lines if not _LINE.match(line)]
    assert bad == []
    # one definition and one edge per node, nothing injected in between
    assert sum(" --> " in line for line in lines) == len(analysis.nodes)
    assert sum(line.lstrip().startswith("click") for line in lines) == 0
    assert "<" not in text and ">" not in text.replace("-->", "")
    assert "class n5 root" in text


def test_mermaid_structure_of_a_plain_tree(chain):
    text = mermaid(chain.add_sibling("w2", "Other cause").update_node("w1", status="refuted"))
    assert "    n1 --> n2" in text and "    n1 --> n6" in text and "    p --> n1" in text
    assert "class n1 refuted" in text and "class n5 root" in text


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += attrs


def test_hostile_text_in_every_field_is_inert_in_the_html_report():
    analysis = hostile_analysis()
    page = html_report(analysis, findings=lint(analysis, people=["alert"]))
    parser = _Elements()
    parser.feed(page)
    assert "script" not in parser.tags and "img" not in parser.tags and "b" not in parser.tags
    assert not [name for name, _ in parser.attributes if name.startswith("on")]
    links = [v for name, v in parser.attributes if name in {"href", "src", "xlink:href", "action"}]
    assert links == []  # user text never becomes a link target
    assert "&lt;script&gt;" in page and "&lt;img src=x onerror=" in page
    # the hostile texts made it to the page as visible text (title, problem, nodes, team ...)
    assert page.count("&lt;b&gt;bold&lt;/b&gt;") >= 3
    assert page.count("&lt;script&gt;alert(") >= 5


def test_the_report_svg_is_well_formed_xml_with_hostile_text():
    page = html_report(hostile_analysis(), sections=("diagram",))
    svg = page[page.index("<svg"): page.index("</svg>") + 6]
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    assert not list(root.iter(f"{ns}script")) and not list(root.iter(f"{ns}foreignObject"))
    titles = [t.text for t in root.iter(f"{ns}title")]
    assert HOSTILE[0] in titles  # the full answer survives as text, not markup


def test_markdown_outline_and_table_escape_user_text():
    analysis = hostile_analysis()
    text = outline(analysis)
    assert "<script>" not in text and "<img" not in text
    assert "\\[x\\](javascript:alert('x4'))" in text  # no link is formed
    for frame in (root_cause_table(analysis),
                  pd.DataFrame({"a": [HOSTILE[3]], "b": ["x | y\nz"]})):
        table = markdown_table(frame)
        rows = table.split("\n")
        cells = [re.split(r"(?<!\\)\|", row)[1:-1] for row in rows]
        assert {len(c) for c in cells} == {len(frame.columns)}  # escaped pipes add no column
        assert "<" not in table
    assert "x \\| y z" in table


def test_root_cause_table_lists_countermeasures(chain):
    table = root_cause_table(chain)
    assert table.loc[0, "why"] == 5 and table.loc[0, "within control"] == "yes"
    assert "Head of sales ops, 2026-12-01" in table.loc[0, "countermeasures"]
