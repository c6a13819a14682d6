"""An HTML report opened in headless Chromium with the network blocked still draws its chart.

Uses Debian's Chromium through Playwright (no browser download). Every request that is not a
local file is aborted and recorded: the report must not even try to fetch anything.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from salesops_nb.report import run_template

NOTEBOOKS = Path(__file__).parent / "notebooks"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def report_html(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser-report")
    return run_template("toy_chart", {"bars": 5}, out_dir=out, user_dir=NOTEBOOKS).html


def test_report_draws_its_chart_offline(browser, report_html, tmp_path):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    attempted: list[str] = []
    console_errors: list[str] = []

    def block_network(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            attempted.append(route.request.url)
            route.abort()

    page.route("**/*", block_network)
    page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
    page.on("pageerror", lambda exc: console_errors.append(str(exc)))

    page.goto(report_html.as_uri(), wait_until="load")

    chart = page.locator(".jp-RenderedSVG svg").first
    chart.wait_for(state="visible")
    box = chart.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    # one path per bar, drawn inside the chart
    assert page.locator(".jp-RenderedSVG svg .mark-rect path").count() == 5
    assert page.locator(".jp-RenderedSVG svg .role-axis-label text").count() >= 5
    assert page.get_by_text("TOY-REPORT-MARKER rows: 5").is_visible()
    assert page.locator(".jp-InputArea-editor").count() == 0  # no code on the page

    screenshot = tmp_path / "report.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 10_000
    page.close()

    assert attempted == [], f"the report tried to reach the network: {attempted}"
    assert console_errors == []


def test_the_network_block_sees_a_remote_script(browser, tmp_path):
    """The check above can fail: a page with a CDN script is caught trying to fetch it."""
    page = browser.new_page()
    attempted: list[str] = []

    def block_network(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            attempted.append(route.request.url)
            route.abort()

    page.route("**/*", block_network)
    remote = tmp_path / "remote.html"
    remote.write_text('<html><head><script src="https://cdn.example.com/vega.js"></script></head>')
    page.goto(remote.as_uri(), wait_until="load")
    page.close()
    assert attempted == ["https://cdn.example.com/vega.js"]
