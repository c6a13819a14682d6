"""End to end in JupyterLab: Launcher card -> form -> notebook run -> report, in Chromium.

Screenshots of each step are saved in the test's output folder (tmp_path) and their paths
printed; look at them when something fails.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import expect

from salesops_nb.templates import get_template, list_templates

pytestmark = [pytest.mark.browser, pytest.mark.slow]

_WAIT_MS = 180_000  # how long to wait for a kernel or a report on a busy machine (not a limit)


def _template():
    """The template the walk-through uses: Segmentation when it exists, else Data overview."""
    names = {template.name for template in list_templates()}
    return get_template("segmentation" if "segmentation" in names else "data_overview")


def _changed_parameter(template) -> tuple[str, int]:
    """A parameter to change in the form that every value suits: the sample's seed."""
    param = template.parameter("seed") or next(p for p in template.parameters if p.type == "int")
    return param.name, int(param.default) + 4


@pytest.fixture
def page(browser, lab, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(_WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    _shot(page, tmp_path, "last")  # what the page showed at the end, passed or failed
    context.close()
    assert errors == [], f"errors in the page: {errors}"


def _shot(page, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    print(f"screenshot: {path}")
    return path


def _open_card(page, title: str):
    section = page.locator(".jp-Launcher-section:visible", has_text="Sales Ops")
    section.wait_for()
    card = section.locator(".jp-LauncherCard", has_text=title)
    card.click()
    dialog = page.locator(".jp-Dialog")
    dialog.locator(".jp-SalesOps-form").wait_for()
    return dialog


def test_launcher_form_notebook_and_report(page, lab, tmp_path):
    template = _template()
    param, value = _changed_parameter(template)
    page.goto(lab.page_url("walkthrough"))

    # 1. the Launcher has a Sales Ops section with a card per template, in method order
    section = page.locator(".jp-Launcher-section:visible", has_text="Sales Ops")
    section.wait_for()
    labels = section.locator(".jp-LauncherCard-label").all_inner_texts()
    assert labels == [t.title for t in list_templates()]
    assert _shot(page, tmp_path, "01-launcher").stat().st_size > 10_000

    # 2. the form: defaults filled in, a bad value stops with a message next to the field
    dialog = _open_card(page, template.title)
    expect(dialog.locator(".jp-Dialog-header")).to_have_text(template.title)
    field = dialog.locator(f'.jp-SalesOps-field[data-param="{param}"]')
    entry = field.locator("input")
    assert entry.input_value() == str(template.parameter(param).default)
    entry.fill("1.5")
    assert "whole number" in field.locator(".jp-SalesOps-error").inner_text()
    assert dialog.get_by_role("button", name="Open notebook").is_disabled()
    _shot(page, tmp_path, "02-form-invalid")
    entry.fill(str(value))
    _shot(page, tmp_path, "03-form")
    dialog.get_by_role("button", name="Open notebook").click()

    # 3. the new notebook keeps the template's name, carries the value and runs
    notebook_tab = page.locator(".lm-TabBar-tab", has_text=f"{template.name}.ipynb")
    notebook_tab.wait_for()
    created = lab.root / f"{template.name}.ipynb"
    assert created.is_file()
    injected = [
        cell
        for cell in nbformat.read(created, as_version=4).cells
        if "injected-parameters" in cell.metadata.get("tags", [])
    ]
    assert f"{param} = {value}" in injected[0].source
    panel = page.locator(".jp-NotebookPanel:visible")
    panel.locator(".jp-SalesOps-runAsReport").wait_for()  # came from a template
    idle = page.locator(".jp-StatusBar-TextItem", has_text="| Idle")
    idle.wait_for()  # "Run All" before the kernel is up would ask for a kernel
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    # charts are SVG drawn in the kernel (offline), shown by JupyterLab as an <img>
    chart = panel.locator(".jp-OutputArea-output.jp-RenderedSVG img")
    chart.first.wait_for(state="attached")
    if template.name == "segmentation":
        panel.locator(".jp-OutputArea-output .jupyter-widgets").first.wait_for()
    # every cell ran (no prompt left at [*] or empty) and none failed
    expect(panel.locator(".jp-InputPrompt", has_text="[*]")).to_have_count(0, timeout=_WAIT_MS)
    code_prompts = panel.locator(".jp-CodeCell .jp-InputPrompt")
    expect(code_prompts.filter(has_text="[ ]")).to_have_count(0, timeout=_WAIT_MS)
    assert panel.locator(".jp-OutputArea-output[data-mime-type*='error']").count() == 0
    chart.first.scroll_into_view_if_needed()
    box = chart.first.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 50
    _shot(page, tmp_path, "04-notebook")

    # 4. a report from the dialog: progress in a notification, the HTML opened when done
    page.locator(".jp-FileBrowser [data-command='launcher:create']").first.click()
    dialog = _open_card(page, template.title)
    dialog.locator(f'.jp-SalesOps-field[data-param="{param}"] input').fill(str(value))
    dialog.get_by_role("button", name="Run report").click()
    toast = page.locator(".Toastify__toast", has_text="report").first
    toast.wait_for()
    expect(toast.get_by_role("button", name="Cancel")).to_be_in_viewport(ratio=1)
    _shot(page, tmp_path, "05-report-running")
    report_tab = page.locator(".lm-TabBar-tab", has_text=f"{template.name}.html")
    report_tab.wait_for()
    frame = page.frame_locator(".jp-HTMLViewer iframe:visible")
    frame.locator("svg").first.wait_for()
    assert frame.locator("h1").first.inner_text().strip()
    assert frame.locator(".jp-InputArea-editor").count() == 0  # code is hidden
    assert (lab.root / "reports" / f"{template.name}.html").is_file()
    _shot(page, tmp_path, "06-report")


def test_deep_link_opens_the_form(page, lab, tmp_path):
    page.goto(lab.page_url("deep-link", "salesops-template=data_overview"))
    dialog = page.locator(".jp-Dialog")
    dialog.locator(".jp-SalesOps-form").wait_for()
    expect(dialog.locator(".jp-Dialog-header")).to_have_text("Data overview")
    assert "salesops-template" not in page.url  # a reload does not open it again
    _shot(page, tmp_path, "deep-link")


def test_a_new_user_template_appears_in_the_next_launcher(page, lab, tmp_path):
    page.goto(lab.page_url("new-template"))
    section = page.locator(".jp-Launcher-section:visible", has_text="Sales Ops")
    section.wait_for()
    assert section.locator(".jp-LauncherCard", has_text="Territory review").count() == 0
    added = get_template("data_overview").path
    node = nbformat.read(added, as_version=4)
    node.metadata["salesops_nb"] = {"title": "Territory review", "order": 999}
    nbformat.write(node, lab.user_templates / "territory_review.ipynb")
    try:
        page.locator(".jp-FileBrowser [data-command='launcher:create']").first.click()
        new_card = page.locator(".jp-LauncherCard:visible", has_text="Territory review")
        new_card.wait_for()
        _shot(page, tmp_path, "new-template")
    finally:
        (lab.user_templates / "territory_review.ipynb").unlink()
        shutil.rmtree(lab.user_templates / ".ipynb_checkpoints", ignore_errors=True)
