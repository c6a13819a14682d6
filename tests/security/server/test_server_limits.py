"""Server endpoints: request size limits, and report runs kept inside the root and the registry.

Authentication, XSRF, path traversal and symlinks for ``folder`` and ``data_path`` are covered
in ``tests/server/test_handlers.py``; these add what was missing.
"""

from __future__ import annotations

import json

import pytest

from salesops_nb.server.catalog import _is_location
from salesops_nb.server.handlers import MAX_BODY_BYTES


def _body(response) -> dict:
    return json.loads(response.body.decode("utf-8"))


async def _post(jp_fetch, route: str, payload: dict | str):
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return await jp_fetch("salesops-nb", route, method="POST", body=text, raise_error=False)


@pytest.mark.parametrize("route", ["notebooks", "reports"])
async def test_a_body_over_the_limit_answers_413_as_json(jp_fetch, jp_root_dir, route):
    big = {"template": "data_overview", "parameters": {"currency": "$" * (MAX_BODY_BYTES + 10)}}
    response = await _post(jp_fetch, route, big)
    assert response.code == 413
    answer = _body(response)
    assert "at most 1,000,000" in answer["message"] and "data_path" in answer["hint"]
    assert list(jp_root_dir.iterdir()) == []  # nothing was created


async def test_a_body_under_the_limit_is_read(jp_fetch, jp_root_dir):
    response = await _post(jp_fetch, "notebooks", {"template": "data_overview",
                                                   "parameters": {"currency": "€" * 1000}})
    assert response.code == 201


async def test_the_size_limit_does_not_bypass_login(jp_fetch):
    # Without the token a small request is refused as before (403), not served.
    response = await jp_fetch("salesops-nb", "reports", method="POST", body="{}",
                              headers={"Authorization": ""}, raise_error=False)
    assert response.code in (401, 403)


@pytest.mark.parametrize("name", ["../data_overview", "/etc/passwd", "data_overview.ipynb/..",
                                  "../../templates/data_overview.ipynb", "~/x", ".hidden", ""])
async def test_a_report_run_cannot_use_a_template_outside_the_registry(jp_fetch, jp_root_dir,
                                                                      name):
    response = await _post(jp_fetch, "reports", {"template": name})
    assert response.code in (400, 404), (name, response.code)
    assert _body(response)["message"]
    runs = _body(await jp_fetch("salesops-nb", "reports"))["reports"]
    assert runs == []  # no run was started
    assert list(jp_root_dir.iterdir()) == []


async def test_a_notebook_in_the_root_is_not_a_template(jp_fetch, jp_root_dir):
    (jp_root_dir / "mine.ipynb").write_text("{}")
    response = await _post(jp_fetch, "reports", {"template": "mine.ipynb"})
    assert response.code in (400, 404)
    response = await _post(jp_fetch, "reports", {"template": str(jp_root_dir / "mine.ipynb")})
    assert response.code in (400, 404)


@pytest.mark.parametrize("where", ["/tmp/elsewhere", "../outside", "a/../../outside"])
async def test_a_report_run_cannot_save_outside_the_root(jp_fetch, jp_root_dir, where):
    # The workshop template writes its case into ``save_path``.
    response = await _post(jp_fetch, "reports",
                           {"template": "workshop", "parameters": {"save_path": where}})
    assert response.code == 403, response.code
    assert "save_path" in _body(response)["message"]
    assert not (jp_root_dir.parent / "outside").exists()


@pytest.mark.parametrize("folder", ["../x", "/tmp/x", "reports/../../x"])
async def test_a_report_folder_outside_the_root_is_refused(jp_fetch, jp_root_dir, folder):
    response = await _post(jp_fetch, "reports", {"template": "data_overview", "folder": folder})
    assert response.code == 403


def test_location_parameters_are_recognised():
    names = ["data_path", "spec_path", "workspace_path", "out_dir", "x_folder"]
    assert all(map(_is_location, names))
    assert not any(map(_is_location, ["currency", "period", "seed", "pathology"]))
