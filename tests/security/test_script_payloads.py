"""A report full of script payloads, opened in headless Chromium: no script runs.

A segmentation spec, a 5-Why analysis, an installment plan and a charter are saved with
``<script>``, ``onerror``, ``onload`` and ``javascript:`` payloads appended to every free-text
field (see ``_payloads``); the segmentation, 5-Why, installments, charter and combined review
templates run headless on them, and every HTML they write (the charter's own HTML export
too) is opened in Debian's Chromium with the network blocked. Passing means: no dialog opened,
no console message carries the marker, no ``javascript:`` link or ``on*`` handler holding the
marker exists in the page, and the payload text is visible as text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from salesops_nb.report import run_template
from tests.security._payloads import MARKER, poisoned_workspace

RUNS = {
    "segmentation": "spec_path",
    "five_whys": "analysis_path",
    "installments": "plan_path",
    "charter": "charter_path",
}
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory):
    root = tmp_path_factory.mktemp("poisoned") / "ws"
    return root, poisoned_workspace(root)


@pytest.fixture(scope="module")
def pages(poisoned, tmp_path_factory) -> dict[str, Path]:
    root, _ = poisoned
    out = tmp_path_factory.mktemp("poisoned-reports")
    found = {}
    for template, parameter in RUNS.items():
        values = {parameter: str(root / template / "main.json")}
        if template == "installments":
            values["use_solver"] = False  # the solver adds time, not text
        found[template] = run_template(template, values, out_dir=out / template).html
    found["review"] = run_template("sales_ops_review", {"workspace_path": str(root)},
                                   out_dir=out / "review").html
    exports = sorted((out / "charter").glob("*.html"))
    found.update({f"charter export {p.name}": p for p in exports if p != found["charter"]})
    return found


def test_payloads_reach_every_kind_of_artefact(poisoned):
    _, counts = poisoned
    # Text fields across all four kinds carry the payload (not just a title or two).
    assert counts["segmentation"] >= 20 and counts["five_whys"] >= 20
    assert counts["installments"] >= 10 and counts["charter"] >= 50


def test_no_script_from_user_text_runs_in_any_report(browser, pages):
    assert len(pages) >= 6  # five reports and the charter's HTML export
    for label, html in pages.items():
        page = browser.new_page()
        dialogs: list[str] = []
        console: list[str] = []
        page.on("dialog", lambda dialog, seen=dialogs: (seen.append(dialog.message),
                                                        dialog.dismiss()))
        page.on("console", lambda message, seen=console: seen.append(message.text))
        page.route("**/*", lambda route: route.continue_()
                   if route.request.url.startswith("file:") else route.abort())
        page.goto(html.as_uri(), wait_until="load")
        page.wait_for_timeout(300)  # let any onerror/onload handler fire
        dom = page.evaluate(
            """(marker) => ({
                text: document.body.innerText.includes(marker),
                jsLinks: [...document.querySelectorAll('a[href]')]
                    .filter(a => a.href.trim().toLowerCase().startsWith('javascript:')).length,
                handlers: [...document.querySelectorAll('*')].filter(el => [...el.attributes]
                    .some(a => a.name.startsWith('on') && a.value.includes(marker))).length,
                scripts: [...document.scripts].filter(s => s.text.includes(marker)).length,
            })""",
            MARKER,
        )
        page.close()
        assert dialogs == [], f"{label}: a dialog opened: {dialogs}"
        assert not [m for m in console if MARKER in m], f"{label}: a payload ran: {console}"
        assert dom["jsLinks"] == 0 and dom["handlers"] == 0 and dom["scripts"] == 0, (label, dom)
        assert dom["text"], f"{label}: the user's text should show, escaped, as text"
