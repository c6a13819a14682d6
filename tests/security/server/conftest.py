"""A Jupyter Server with salesops-nb enabled, for the server limit tests (pytest-jupyter)."""

from __future__ import annotations

import pytest
from pytest_jupyter.jupyter_server import *  # noqa: F403  (fixtures and the async test runner)


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"salesops_nb.server": True}}}
