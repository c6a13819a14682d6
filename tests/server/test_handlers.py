"""The REST API of the server extension, through a real Jupyter Server (pytest-jupyter)."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import nbformat
import pytest
from tornado.httpclient import HTTPClientError

from salesops_nb.server.handlers import handler_classes

# One request per route and method, with placeholders filled in (used by the auth checks).
_EVERY_ENDPOINT = [
    ("GET", "templates"),
    ("GET", "templates/data_overview"),
    ("POST", "notebooks"),
    ("GET", "reports"),
    ("POST", "reports"),
    ("GET", "reports/0123abcd"),
    ("DELETE", "reports/0123abcd"),
]


def body(response) -> dict:
    return json.loads(response.body.decode("utf-8"))


async def _post(jp_fetch, route: str, payload: dict):
    return await jp_fetch(
        "salesops-nb", route, method="POST", body=json.dumps(payload), raise_error=False
    )


def test_every_handler_method_requires_login():
    """No handler method escapes @tornado.web.authenticated (it leaves __wrapped__ behind)."""
    seen = 0
    for _, handler in handler_classes():
        for method in ("get", "post", "put", "patch", "delete"):
            if method in vars(handler):
                seen += 1
                function = vars(handler)[method]
                assert getattr(function, "__wrapped__", None) is not None, (
                    f"{handler.__name__}.{method} is not @tornado.web.authenticated"
                )
    assert seen == len(_EVERY_ENDPOINT)


async def test_unauthenticated_requests_are_refused(
    jp_serverapp, http_server_client, jp_base_url, jp_root_dir
):
    for method, route in _EVERY_ENDPOINT:
        response = await http_server_client.fetch(
            f"{jp_base_url}salesops-nb/{route}",
            method=method,
            body=json.dumps({"template": "data_overview"}) if method == "POST" else None,
            raise_error=False,
        )
        assert response.code == 403, (method, route, response.code)
    assert list(jp_root_dir.iterdir()) == []  # nothing was created


async def test_a_wrong_token_is_refused(jp_fetch):
    response = await jp_fetch(
        "salesops-nb", "templates", headers={"Authorization": "token wrong"}, raise_error=False
    )
    assert response.code == 403


async def test_templates_are_listed_with_their_parameters(jp_fetch, user_templates):
    response = await jp_fetch("salesops-nb", "templates")
    templates = body(response)["templates"]
    names = [template["name"] for template in templates]
    assert "data_overview" in names and "quick" in names
    orders = [template["order"] for template in templates]
    assert orders == sorted(orders)
    overview = next(t for t in templates if t["name"] == "data_overview")
    assert overview["title"] == "Data overview"
    params = {param["name"]: param for param in overview["parameters"]}
    assert params["data_path"]["widget"] == "path"
    assert params["sample_rows"] == {
        "name": "sample_rows",
        "type": "int",
        "default": 5000,
        "help": "deals in the built-in sample (used when data_path is empty)",
        "widget": "number",
    }
    assert params["period"]["widget"] == "choice"
    assert params["period"]["choices"] == ["month", "quarter", "year", "auto"]
    assert params["currency"]["widget"] == "text"


async def test_one_template_and_an_unknown_one(jp_fetch):
    response = await jp_fetch("salesops-nb", "templates", "data_overview")
    assert body(response)["name"] == "data_overview"
    missing = await jp_fetch("salesops-nb", "templates", "data_overveiw", raise_error=False)
    assert missing.code == 404
    error = body(missing)
    assert "Did you mean 'data_overview'?" in error["message"]
    assert error["hint"]


async def test_new_notebooks_keep_the_template_name_and_never_overwrite(jp_fetch, jp_root_dir):
    first = await _post(jp_fetch, "notebooks", {"template": "data_overview", "folder": "work"})
    second = await _post(jp_fetch, "notebooks", {"template": "data_overview", "folder": "work"})
    assert (first.code, second.code) == (201, 201)
    assert body(first)["path"] == "work/data_overview.ipynb"
    assert body(second)["path"] == "work/data_overview-2.ipynb"
    assert (jp_root_dir / "work" / "data_overview-2.ipynb").is_file()


async def test_parameters_are_typed_and_injected(jp_fetch, jp_root_dir):
    (jp_root_dir / "data").mkdir()
    (jp_root_dir / "data" / "crm.csv").write_text("id\n1\n")
    response = await _post(
        jp_fetch,
        "notebooks",
        {
            "template": "data_overview",
            "folder": "work",
            "parameters": {"seed": "11", "period": "quarter", "data_path": "data/crm.csv"},
        },
    )
    assert response.code == 201
    notebook = nbformat.read(jp_root_dir / body(response)["path"], as_version=4)
    injected = [c for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    source = injected[0].source
    assert "seed = 11" in source and 'period = "quarter"' in source
    # the kernel runs in work/: the data path is rewritten relative to it
    assert 'data_path = "../data/crm.csv"' in source
    # the template is named in the notebook (the "Run as report" button uses it)
    assert notebook.metadata["salesops_nb"]["template"] == "data_overview"


async def test_bad_parameters_answer_400_with_the_valid_ones(jp_fetch, jp_root_dir):
    response = await _post(
        jp_fetch,
        "notebooks",
        {"template": "data_overview", "parameters": {"seed": "many", "sead": 3}},
    )
    assert response.code == 400
    error = body(response)
    assert "seed = 'many' is not a whole number" in error["message"]
    assert "did you mean 'seed'?" in error["message"]
    assert "Valid parameters:" in error["message"]
    assert list(jp_root_dir.iterdir()) == []


async def test_a_named_notebook_is_not_overwritten_unless_asked(jp_fetch, jp_root_dir):
    request = {"template": "data_overview", "name": "q3.ipynb"}
    assert (await _post(jp_fetch, "notebooks", request)).code == 201
    (jp_root_dir / "q3.ipynb").write_text("my work")
    refused = await _post(jp_fetch, "notebooks", request)
    assert refused.code == 409
    assert "already exists" in body(refused)["message"]
    assert (jp_root_dir / "q3.ipynb").read_text() == "my work"
    replaced = await _post(jp_fetch, "notebooks", {**request, "overwrite": True})
    assert replaced.code == 201
    assert nbformat.read(jp_root_dir / "q3.ipynb", as_version=4).cells
    assert sorted(p.name for p in jp_root_dir.iterdir()) == ["q3.ipynb"]  # no scratch left


@pytest.mark.parametrize(
    "folder",
    ["..", "../outside", "work/../../outside", "/tmp", "/", "C:\\Windows", "work/\0x"],
)
async def test_folders_outside_the_root_are_refused(jp_fetch, jp_root_dir, folder):
    for route in ("notebooks", "reports"):
        response = await _post(jp_fetch, route, {"template": "data_overview", "folder": folder})
        assert response.code == 403, (route, folder, response.code)
        assert body(response)["message"]
    assert list(jp_root_dir.iterdir()) == []
    assert not (jp_root_dir.parent / "outside").exists()


async def test_a_symlink_leading_outside_is_refused(jp_fetch, jp_root_dir, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.csv").write_text("id\n1\n")
    os.symlink(outside, jp_root_dir / "link")
    for route in ("notebooks", "reports"):
        response = await _post(jp_fetch, route, {"template": "data_overview", "folder": "link"})
        assert response.code == 403
        assert "symbolic link" in body(response)["message"]
    assert list(outside.iterdir()) == [outside / "secret.csv"]
    # a data file reached through the link is refused too
    response = await _post(
        jp_fetch,
        "notebooks",
        {"template": "data_overview", "parameters": {"data_path": "link/secret.csv"}},
    )
    assert response.code == 403


@pytest.mark.parametrize("data_path", ["../secret.csv", "/etc/passwd", "a/../../secret.csv"])
async def test_data_paths_outside_the_root_are_refused(jp_fetch, jp_root_dir, data_path):
    for route in ("notebooks", "reports"):
        response = await _post(
            jp_fetch,
            route,
            {"template": "data_overview", "parameters": {"data_path": data_path}},
        )
        assert response.code == 403, (route, data_path)
        assert "data_path" in body(response)["message"]
    assert list(jp_root_dir.iterdir()) == []


@pytest.mark.parametrize("name", ["../data_overview", "/etc/passwd", ".hidden", ""])
async def test_templates_are_asked_for_by_name_only(jp_fetch, name):
    response = await _post(jp_fetch, "notebooks", {"template": name})
    assert response.code == 404


async def test_malformed_requests_answer_400(jp_fetch):
    not_json = await jp_fetch(
        "salesops-nb", "notebooks", method="POST", body="{oops", raise_error=False
    )
    assert not_json.code == 400
    assert "not valid JSON" in body(not_json)["message"]
    wrong_kind = await _post(jp_fetch, "notebooks", {"template": "data_overview", "folder": 3})
    assert wrong_kind.code == 400
    assert "'folder' must be str" in body(wrong_kind)["message"]


async def _wait_for(jp_fetch, job_id: str, statuses: tuple[str, ...]) -> dict:
    """Poll a run until its status is one of ``statuses`` (the event loop stays free)."""
    for _ in range(1200):  # a bound so a broken worker fails the test instead of hanging it
        state = body(await jp_fetch("salesops-nb", "reports", job_id))
        if state["status"] in statuses:
            return state
        await asyncio.sleep(0.1)
    pytest.fail(f"report run stayed {state['status']}: {state}")


async def test_a_report_run_writes_notebook_and_html(jp_fetch, jp_root_dir, user_templates):
    started = await _post(jp_fetch, "reports", {"template": "quick", "parameters": {"rows": 21}})
    assert started.code == 202
    job = body(started)
    assert job["status"] == "running"
    # the server answers other requests while the run goes on
    assert (await jp_fetch("salesops-nb", "templates")).code == 200
    state = await _wait_for(jp_fetch, job["id"], ("succeeded", "failed", "cancelled"))
    assert state["status"] == "succeeded", state
    assert state["html"] == "reports/quick.html"
    assert state["notebook"] == "reports/quick.ipynb"
    assert state["progress"]["done"] == state["progress"]["total"] > 0
    executed = nbformat.read(jp_root_dir / state["notebook"], as_version=4)
    assert "QUICK 42" in json.dumps(executed.cells[-1].outputs)
    assert (jp_root_dir / "reports" / "quick.html").stat().st_size > 1000
    listed = body(await jp_fetch("salesops-nb", "reports"))["reports"]
    assert [run["id"] for run in listed] == [job["id"]]
    # a second run does not overwrite the first report
    again = body(await _post(jp_fetch, "reports", {"template": "quick"}))
    done = await _wait_for(jp_fetch, again["id"], ("succeeded", "failed"))
    assert done["html"] == "reports/quick-2.html"


async def test_a_failed_run_names_the_failing_cell(jp_fetch, jp_root_dir, user_templates):
    started = body(await _post(jp_fetch, "reports", {"template": "broken", "folder": "out"}))
    state = await _wait_for(jp_fetch, started["id"], ("succeeded", "failed", "cancelled"))
    assert state["status"] == "failed"
    error = state["error"]
    # the template's cells: title, parameters, value = 1, ratio = value / divisor
    assert error["cell_number"] == 4
    assert "ZeroDivisionError" in error["message"]
    assert "ratio = value / divisor" in error["message"]
    assert error["hint"]
    assert error["notebook"] == "out/broken.ipynb"
    assert (jp_root_dir / "out" / "broken.ipynb").is_file()


async def test_a_run_can_be_cancelled(jp_fetch, jp_serverapp, jp_root_dir, user_templates):
    started = body(await _post(jp_fetch, "reports", {"template": "slow"}))
    running = await _wait_for_cell(jp_fetch, started["id"])
    assert running["status"] == "running"
    assert running["progress"]["current_cell"] is not None
    cancelled = await jp_fetch("salesops-nb", "reports", started["id"], method="DELETE")
    assert cancelled.code == 200
    state = await _wait_for(jp_fetch, started["id"], ("cancelled", "succeeded", "failed"))
    assert state["status"] == "cancelled"
    assert state["html"] is None
    jobs = jp_serverapp.web_app.settings["salesops_nb_report_jobs"]
    process = jobs.get(started["id"]).process
    assert process.poll() is not None  # the worker is gone
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)  # and so is everything in its process group
    # the kernel (its own session, started by papermill) is shut down too
    kernel_pid = int((jp_root_dir / "reports" / "kernel.pid").read_text())
    for _ in range(600):
        if not _alive(kernel_pid):
            break
        await asyncio.sleep(0.1)
    assert not _alive(kernel_pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split()[2] == "Z")  # zombies are dead


async def _wait_for_cell(jp_fetch, job_id: str) -> dict:
    for _ in range(1200):
        state = body(await jp_fetch("salesops-nb", "reports", job_id))
        if state["progress"]["current_cell"] is not None or state["status"] != "running":
            return state
        await asyncio.sleep(0.1)
    pytest.fail(f"the slow run never started a cell: {state}")


async def test_unknown_runs_answer_404(jp_fetch):
    for method in ("GET", "DELETE"):
        with pytest.raises(HTTPClientError) as caught:
            await jp_fetch("salesops-nb", "reports", "deadbeef", method=method)
        assert caught.value.code == 404
