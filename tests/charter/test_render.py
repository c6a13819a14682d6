"""Markdown, HTML and DOCX renderings: every section present, user text escaped everywhere."""

from __future__ import annotations

import html
import re
import types
import typing

import docx
import pydantic
import pytest

from salesops_nb.charter import (
    SECTIONS,
    CharterError,
    Screening,
    example_charter,
    export,
    maturity,
    to_docx,
    to_html,
    to_markdown,
)
from salesops_nb.charter.render_markdown import escape_markdown

from .conftest import TODAY

TITLES = [title for _, title in SECTIONS]
HOSTILE = "<script>alert(1)</script> \"quoted\" & 'single' #{n}#"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    charter = example_charter(today=TODAY)
    return charter, export(charter, folder, formats="md,html,docx", checks=True)


def test_export_writes_the_three_formats(exported):
    _, files = exported
    assert sorted(files) == ["docx", "html", "md"]
    assert all(path.stat().st_size > 1000 for path in files.values())


def test_markdown_has_every_section_and_the_tables(exported):
    charter, files = exported
    text = files["md"].read_text("utf-8")
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert headings == [*TITLES, "Coaching checks"]
    assert "| Decision | Chief revenue officer | Sales Operations |" in text
    assert f"**Maturity score: {maturity(charter).score}/100" in text


def test_html_is_standalone_with_every_section_raci_table_and_svg_chart(exported):
    _, files = exported
    page = files["html"].read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    headings = [html.unescape(h) for h in re.findall(r"<h2[^>]*>(.+?)</h2>", page)]
    assert headings == [*TITLES, "Coaching checks"]
    assert '<table class="so-table raci">' in page and 'class="role role-A"' in page
    assert page.count("<svg") == 1 and "Services by class" in page
    assert "@media print" in page
    # offline: nothing fetched from elsewhere
    assert not re.search(r"""(src|href)=["']https?:""", page)
    assert "<script" not in page


def test_docx_rereads_with_every_section_and_tables(exported):
    charter, files = exported
    document = docx.Document(str(files["docx"]))
    level_1 = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert level_1 == [*TITLES, "Coaching checks"]
    assert document.paragraphs[0].text == charter.title
    raci = next(t for t in document.tables if t.rows[0].cells[0].text == "Decision")
    assert len(raci.rows) == len(charter.decisions) + 1
    signatures = next(t for t in document.tables if t.rows[0].cells[-1].text == "Signature")
    assert [r.cells[0].text for r in signatures.rows[1:]] == [
        s.name for s in charter.stakeholders]
    assert len(document.inline_shapes) == 1  # the services chart


def test_sign_off_copy_leaves_the_checks_out():
    charter = example_charter(today=TODAY)
    assert "Coaching checks" not in to_markdown(charter)
    assert "Coaching checks" not in to_html(charter, chart=False)


def test_empty_charter_still_renders_every_section():
    from salesops_nb.charter import Charter

    empty = Charter()
    md = to_markdown(empty)
    page = to_html(empty)
    document = to_docx(empty)
    docx_headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    for title in TITLES:
        assert f"## {title}" in md
        assert html.escape(title) in page
    assert docx_headings == TITLES


def test_unknown_export_format_is_a_charter_error(tmp_path):
    with pytest.raises(CharterError, match="pdf"):
        export(example_charter(), tmp_path, formats="md,pdf")


# -- hostile text in every free-text field ------------------------------------------------------


def _is_text(annotation) -> bool:
    """str, str | None, list[str], dict[str, ...] (keys): the fields a user types into."""
    if annotation is str:
        return True
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return str in args
    return origin in (list, dict) and bool(args) and args[0] is str


def _poison(model: pydantic.BaseModel, counter: list[int], paths: list[str], where: str) -> None:
    """Put a numbered hostile string into every text field of ``model``, recursively."""
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        here = f"{where}.{name}"
        if isinstance(value, pydantic.BaseModel):
            _poison(value, counter, paths, here)
        elif isinstance(value, list) and value and isinstance(value[0], pydantic.BaseModel):
            for i, item in enumerate(value):
                _poison(item, counter, paths, f"{here}[{i}]")
        elif _is_text(info.annotation) and name != "library_id":
            def next_text(path: str = here) -> str:
                counter[0] += 1
                paths.append(path)
                return HOSTILE.format(n=counter[0])

            if isinstance(value, dict):
                setattr(model, name, {next_text(): role for role in value.values()})
            elif isinstance(value, list):
                setattr(model, name, [next_text() for _ in value])
            else:
                setattr(model, name, next_text())


@pytest.fixture(scope="module")
def poisoned():
    charter = example_charter(today=TODAY)
    for service in charter.services:
        # every service included, so its customer and description are shown
        service.screening = Screening.model_validate(
            {**service.screening.model_dump(), "decision": "include"})
    counter, paths = [0], []
    _poison(charter, counter, paths, "charter")
    return charter, paths


def test_poisoning_reaches_every_kind_of_text_field(poisoned):
    _, paths = poisoned
    fields = {re.sub(r"\[\d+\]", "[]", p) for p in paths}
    for expected in ("charter.organisation", "charter.purpose", "charter.scope.in_scope",
                     "charter.scope.boundaries[].note", "charter.services[].customer",
                     "charter.services[].screening.note", "charter.objectives[].kpis[].unit",
                     "charter.decisions[].raci", "charter.stakeholders[].comment",
                     "charter.licence.access", "charter.cadence[].output",
                     "charter.versions[].summary"):
        assert expected in fields
    assert len(paths) > 150


def test_html_escapes_every_free_text_field(poisoned):
    charter, paths = poisoned
    page = to_html(charter, findings=maturity(charter).findings, report=maturity(charter))
    assert "<script" not in page.lower()
    for n, path in enumerate(paths, start=1):
        escaped = html.escape(HOSTILE.format(n=n))
        assert escaped in page, f"{path} is missing or not escaped in the HTML"


def test_markdown_escapes_every_free_text_field(poisoned):
    charter, paths = poisoned
    text = to_markdown(charter)
    assert "<script" not in text.lower()
    for n, path in enumerate(paths, start=1):
        assert escape_markdown(HOSTILE.format(n=n)) in text, f"{path} missing in Markdown"


def test_docx_keeps_hostile_text_as_plain_text(poisoned, tmp_path):
    charter, paths = poisoned
    path = tmp_path / "hostile.docx"
    to_docx(charter, chart=False).save(str(path))
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    texts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    body = "\n".join(texts)
    assert HOSTILE.format(n=1) in body  # shown literally, as typed
    assert sum(HOSTILE.format(n=n) in body for n in range(1, len(paths) + 1)) == len(paths)


def test_markdown_escape_neutralises_table_and_block_syntax():
    assert escape_markdown("a | b") == "a \\| b"
    assert escape_markdown("# not a heading") == "\\# not a heading"
    assert escape_markdown("line one\nline two") == "line one<br>line two"
    assert escape_markdown("[x](javascript:alert(1))") == "\\[x\\](javascript:alert(1))"


def test_lazy_names_of_the_package_stay_functions_after_submodule_imports():
    import salesops_nb.charter as package
    import salesops_nb.charter.exports
    import salesops_nb.views.charter  # noqa: F401

    for name in ("export", "to_html", "to_docx", "write_docx", "services_chart"):
        assert callable(getattr(package, name)), name
