"""The Jupyter server extension: the template registry and report runs over a REST API.

Enabled on install by ``etc/jupyter/jupyter_server_config.d/salesops_nb.json`` (shipped in the
wheel), so ``jupyter lab`` is all a user runs. The routes live under ``<base_url>/salesops-nb/``;
see :mod:`salesops_nb.server.handlers`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["setup_handlers"]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """Tell Jupyter Server where the extension's loader lives."""
    return [{"module": "salesops_nb.server"}]


def _load_jupyter_server_extension(server_app: Any) -> None:
    """Register the handlers with a running Jupyter Server."""
    setup_handlers(server_app.web_app)
    server_app.log.info("salesops-nb: template and report API registered")


def _unload_jupyter_server_extension(server_app: Any) -> None:
    """Stop report runs still going when the server stops."""
    jobs = server_app.web_app.settings.get("salesops_nb_report_jobs")
    if jobs is not None:
        jobs.shutdown()


def setup_handlers(web_app: Any) -> None:
    """Add the salesops-nb routes to a tornado application (see :mod:`.handlers`)."""
    from salesops_nb.server.handlers import setup_handlers as _setup

    _setup(web_app)
