"""REST handlers under ``<base_url>/salesops-nb/``; every one requires the server's login.

==========================  ======  =========================================================
route                       method  what it does
==========================  ======  =========================================================
``templates``               GET     every template with its parameters (launcher, forms)
``templates/<name>``        GET     one template
``notebooks``               POST    new notebook from a template (201, its path)
``reports``                 GET     every report run of this server
``reports``                 POST    start a report run in a worker process (202, its status)
``reports/<id>``            GET     status and progress of a run; paths when done; the error
``reports/<id>``            DELETE  cancel a run
==========================  ======  =========================================================

Errors are JSON ``{"message", "hint"}`` with a 4xx status: 400 bad values, 403 a path outside
the server's folder, 404 unknown template or run, 409 a file that would be overwritten, 413 a
request body over :data:`MAX_BODY_BYTES` (a form sends a few hundred bytes).
Handlers derive from Jupyter Server's ``APIHandler`` (JSON, XSRF checks for browser sessions)
and every method is ``@tornado.web.authenticated``; a test checks that none is left out.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from salesops_nb.errors import NotebookExistsError, SalesOpsError, UnknownTemplateError
from salesops_nb.scaffold import create_notebook
from salesops_nb.server.catalog import checked_values, template_json
from salesops_nb.server.jobs import ReportJobs, UnknownJobError
from salesops_nb.server.paths import UnsafePathError, api_path, resolve_inside
from salesops_nb.templates import get_template, list_templates

__all__ = ["MAX_BODY_BYTES", "ROUTE_PREFIX", "handler_classes", "setup_handlers"]

#: Largest request body accepted; larger ones answer 413 before anything is parsed.
MAX_BODY_BYTES = 1_000_000

ROUTE_PREFIX = "salesops-nb"
_JOBS_SETTING = "salesops_nb_report_jobs"
_DEFAULT_REPORT_FOLDER = "reports"


_STATUS = {
    UnsafePathError: 403,
    UnknownTemplateError: 404,
    UnknownJobError: 404,
    NotebookExistsError: 409,
}


class _SalesOpsHandler(APIHandler):
    """Shared plumbing: the root folder, JSON bodies, SalesOpsError -> JSON 4xx."""

    async def prepare(self) -> None:
        # Refuse an oversized body before the server parses it as JSON or a run is started
        # with it; the declared length is checked first, then what actually arrived.
        declared = self.request.headers.get("Content-Length", "0")
        size = max(int(declared) if declared.isdigit() else 0, len(self.request.body or b""))
        if size > MAX_BODY_BYTES:
            self.set_status(413)
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps({
                "message": f"The request body has {size:,} bytes; at most "
                           f"{MAX_BODY_BYTES:,} are accepted.",
                "hint": "Send parameter values, not data: put large files in the folder "
                        "JupyterLab shows and pass their path (e.g. data_path).",
            }))
            return
        await super().prepare()

    @property
    def root(self) -> Path:
        return Path(self.contents_manager.root_dir).resolve()

    @property
    def jobs(self) -> ReportJobs:
        return self.settings[_JOBS_SETTING]

    def body(self) -> dict[str, Any]:
        """The JSON object of the request (an empty body is an empty object)."""
        if not self.request.body:
            return {}
        try:
            data = json.loads(self.request.body)
        except ValueError as err:
            raise _BadRequest(f"The request body is not valid JSON ({err}).") from err
        if not isinstance(data, dict):
            raise _BadRequest("The request body must be a JSON object.")
        return data

    @contextlib.contextmanager
    def answering(self) -> Iterator[None]:
        """Turn a SalesOpsError raised inside into a JSON error response."""
        try:
            yield
        except SalesOpsError as err:
            status = next((code for kind, code in _STATUS.items() if isinstance(err, kind)), 400)
            self.set_status(status)
            self.finish(json.dumps({"message": err.message, "hint": err.hint}))


class _BadRequest(SalesOpsError):
    """The request itself is malformed (not JSON, a field of the wrong kind)."""


def _field(body: dict[str, Any], name: str, kind: type, default: Any) -> Any:
    value = body.get(name, default)
    if value is default:
        return value
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise _BadRequest(
            f"The field '{name}' must be {kind.__name__}, not {type(value).__name__}.",
            hint="See the salesops-nb server API in salesops_nb/server/handlers.py.",
        )
    return value


class TemplatesHandler(_SalesOpsHandler):
    """GET: the templates, ordered as the method flows (by ``order``, then name)."""

    @tornado.web.authenticated
    def get(self) -> None:
        with self.answering():
            templates = [template_json(template) for template in list_templates()]
            self.finish(json.dumps({"templates": templates}))


class TemplateHandler(_SalesOpsHandler):
    """GET: one template by name."""

    @tornado.web.authenticated
    def get(self, name: str) -> None:
        with self.answering():
            self.finish(json.dumps(template_json(get_template(_plain_name(name)))))


class NotebooksHandler(_SalesOpsHandler):
    """POST ``{template, folder?, parameters?, name?, overwrite?}``: a new notebook.

    Without ``name`` the notebook is named after the template and never overwrites
    (``segmentation.ipynb``, ``segmentation-2.ipynb``...). With ``name`` an existing file is
    refused (409) unless ``overwrite`` is true.
    """

    @tornado.web.authenticated
    def post(self) -> None:
        with self.answering():
            body = self.body()
            template = get_template(_plain_name(_field(body, "template", str, "")))
            folder = resolve_inside(self.root, _field(body, "folder", str, ""), what="folder")
            if folder.exists() and not folder.is_dir():
                raise _BadRequest(f"'{api_path(self.root, folder)}' is a file, not a folder.")
            values = checked_values(
                template, _field(body, "parameters", dict, {}), self.root, relative_to=folder
            )
            name = _field(body, "name", str, None)
            overwrite = _field(body, "overwrite", bool, False)
            if name is None:
                created = create_notebook(template, folder, values)
            else:
                created = _create_named(template, folder, name, values, overwrite, self.root)
            _record_template(created, template.name)
            self.set_status(201)
            self.finish(json.dumps({"path": api_path(self.root, created), "name": created.name}))


class ReportsHandler(_SalesOpsHandler):
    """GET: every run. POST ``{template, parameters?, folder?}``: start a run (202)."""

    @tornado.web.authenticated
    def get(self) -> None:
        with self.answering():
            self.finish(json.dumps({"reports": [job.to_json() for job in self.jobs.all()]}))

    @tornado.web.authenticated
    def post(self) -> None:
        with self.answering():
            body = self.body()
            template = get_template(_plain_name(_field(body, "template", str, "")))
            folder_text = _field(body, "folder", str, _DEFAULT_REPORT_FOLDER)
            out_dir = resolve_inside(self.root, folder_text, what="folder")
            if out_dir.exists() and not out_dir.is_dir():
                raise _BadRequest(f"'{folder_text}' is a file, not a folder.")
            values = checked_values(template, _field(body, "parameters", dict, {}), self.root)
            job = self.jobs.start(template.name, values, out_dir)
            self.set_status(202)
            self.finish(json.dumps(job.to_json()))


class ReportHandler(_SalesOpsHandler):
    """GET: status of one run. DELETE: cancel it (answers its status)."""

    @tornado.web.authenticated
    def get(self, job_id: str) -> None:
        with self.answering():
            self.finish(json.dumps(self.jobs.get(job_id).to_json()))

    @tornado.web.authenticated
    def delete(self, job_id: str) -> None:
        with self.answering():
            job = self.jobs.get(job_id)
            job.cancel()
            self.finish(json.dumps(job.to_json()))


def _plain_name(name: str) -> str:
    """A template is asked for by name only: never by a path on the server's disk."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise UnknownTemplateError(
            f"'{name}' is not a template name.",
            hint="Use a name from GET salesops-nb/templates, e.g. data_overview.",
        )
    return name


def _create_named(
    template: Any,
    folder: Path,
    name: str,
    values: dict[str, Any],
    overwrite: bool,
    root: Path,
) -> Path:
    """Write the notebook under a chosen file name; refuse to replace a file unless asked."""
    if "/" in name or "\\" in name or name in {"", ".", ".."}:
        raise _BadRequest(
            f"'{name}' is not a plain file name.",
            hint="Give the folder in 'folder' and only the file name in 'name'.",
        )
    file_name = name if name.endswith(".ipynb") else f"{name}.ipynb"
    where = api_path(root, folder)
    target = resolve_inside(root, f"{where}/{file_name}" if where else file_name, what="name")
    if target.exists() and not overwrite:
        raise NotebookExistsError(
            f"'{api_path(root, target)}' already exists.",
            hint="Choose another name, leave the name out to get a numbered copy, "
            "or ask to overwrite it.",
        )
    folder.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".salesops-nb-", dir=folder))
    try:
        made = create_notebook(template, scratch, values)
        if overwrite:
            os.replace(made, target)
        else:
            with open(target, "xb") as handle:  # a file created meanwhile is not replaced
                handle.write(made.read_bytes())
    except FileExistsError as err:
        raise NotebookExistsError(
            f"'{api_path(root, target)}' already exists.",
            hint="Choose another name or ask to overwrite it.",
        ) from err
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def _record_template(notebook: Path, name: str) -> None:
    """Note the template's name in the notebook, for the "Run as report" toolbar button."""
    import nbformat

    node = nbformat.read(notebook, as_version=4)
    node.metadata.setdefault("salesops_nb", {})["template"] = name
    nbformat.write(node, notebook)


def handler_classes() -> list[tuple[str, type[APIHandler]]]:
    """(route below the prefix, handler class) for every route of the extension."""
    return [
        (r"templates", TemplatesHandler),
        (r"templates/([^/]+)", TemplateHandler),
        (r"notebooks", NotebooksHandler),
        (r"reports", ReportsHandler),
        (r"reports/([0-9a-f]+)", ReportHandler),
    ]


def setup_handlers(web_app: Any) -> None:
    """Register the routes with the server's tornado application."""
    base_url = web_app.settings["base_url"]
    root = web_app.settings.get("server_root_dir") or os.getcwd()
    web_app.settings.setdefault(_JOBS_SETTING, ReportJobs(root))
    routes = [
        (url_path_join(base_url, ROUTE_PREFIX, route), handler)
        for route, handler in handler_classes()
    ]
    web_app.add_handlers(".*$", routes)
