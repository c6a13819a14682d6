"""The five_whys template headless, and its HTML report in Chromium with the network blocked.

One kernel run for the module. The browser checks reuse the approach of
tests/test_report_browser.py: Debian's Chromium through Playwright, every request that is not
a local file aborted and recorded.
"""

from __future__ import annotations

import pytest

from salesops_nb.five_whys.render import html_report
from salesops_nb.report import run_template

from .hostile import hostile_analysis


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("five-whys-report")
    missing = out / "nowhere" / "five_whys" / "main.json"
    return run_template("five_whys", {"analysis_path": str(missing)}, out_dir=out)


@pytest.mark.slow
def test_the_template_runs_headless_on_the_worked_example(report):
    page = report.html.read_text(encoding="utf-8")
    assert "worked example" in page
    assert "Why did the win rate of lead source Referral deals fall?" in page
    assert page.count('class="node') == 10  # problem + nine why-nodes
    assert "waiting for data" in page and "flowchart" in page
    assert "Ask why? (add a cause below)" not in page  # no editor widget in a report


def _offline_page(browser):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    seen = {"requests": [], "errors": [], "dialogs": []}

    def block_network(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            seen["requests"].append(route.request.url)
            route.abort()

    def dismiss(dialog):
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.route("**/*", block_network)
    page.on("console", lambda msg: msg.type == "error" and seen["errors"].append(msg.text))
    page.on("pageerror", lambda exc: seen["errors"].append(str(exc)))
    page.on("dialog", dismiss)
    return page, seen


@pytest.mark.browser
@pytest.mark.slow
def test_the_report_draws_the_tree_offline(browser, report, tmp_path):
    page, seen = _offline_page(browser)
    page.goto(report.html.as_uri(), wait_until="load")
    tree = page.locator("svg.salesops-why-tree").first
    tree.wait_for(state="visible")
    box = tree.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 300
    assert page.locator("svg.salesops-why-tree g.node rect").count() == 10
    assert page.locator("svg.salesops-why-tree path.edge").count() == 9
    assert page.locator("svg.salesops-why-tree g.root-cause").count() == 2
    problem = page.locator('svg.salesops-why-tree g[data-node="problem"] rect').bounding_box()
    assert problem is not None and problem["width"] > 150  # drawn, not collapsed
    page.screenshot(path=str(tmp_path / "five_whys.png"), full_page=True)
    page.close()
    assert seen == {"requests": [], "errors": [], "dialogs": []}


@pytest.mark.browser
def test_hostile_text_draws_as_text_and_runs_nothing(browser, tmp_path):
    analysis = hostile_analysis()
    file = tmp_path / "hostile.html"
    file.write_text(f"<!doctype html><html><body>{html_report(analysis)}</body></html>",
                    encoding="utf-8")
    page, seen = _offline_page(browser)
    page.goto(file.as_uri(), wait_until="load")
    page.locator("svg.salesops-why-tree").wait_for(state="visible")
    assert page.locator("script, img, iframe, object").count() == 0
    assert page.locator("svg.salesops-why-tree g.node").count() == len(analysis.nodes) + 1
    body = page.inner_text("body")
    assert '"><script>alert("x1")</script>' in body  # shown as text
    assert "<img src=x onerror=alert('x2')>" in body
    page.close()
    assert seen == {"requests": [], "errors": [], "dialogs": []}
