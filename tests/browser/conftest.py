"""A real JupyterLab for the browser tests, and Debian's Chromium driven by Playwright.

The server is started on a free local port with a temporary root folder, fresh settings and
workspaces folders (a remembered workspace would reopen old tabs; the "news" notification is
silenced by a settings file) and a token; it is stopped by its PID at the end.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

_SETTINGS = {
    # no "news" notification over the page
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    # every cell in the page (not only those in view), so screenshots find the charts
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}


@dataclass
class Lab:
    """A running JupyterLab: where it serves, its token, its root and user template folders."""

    url: str
    token: str
    root: Path
    user_templates: Path
    process: subprocess.Popen[bytes]
    log: Path

    def page_url(self, workspace: str, query: str = "") -> str:
        """JupyterLab in a workspace of its own: nothing reopens from an earlier test."""
        extra = f"&{query}" if query else ""
        return f"{self.url}lab/workspaces/{workspace}?token={self.token}{extra}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(lab: Lab) -> None:
    for _ in range(600):  # bounded: a server that never starts fails the test with its log
        if lab.process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{lab.url}api/status?token={lab.token}", timeout=5):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)
    pytest.fail(f"JupyterLab did not start:\n{lab.log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Lab:
    """JupyterLab with salesops-nb, serving a fresh temporary folder."""
    base = tmp_path_factory.mktemp("jupyterlab")
    root, settings, workspaces, user_templates = (
        base / name for name in ("root", "settings", "workspaces", "user-templates")
    )
    for folder in (root, settings, workspaces, user_templates):
        folder.mkdir()
    for plugin, values in _SETTINGS.items():
        package, name = plugin.split(":")
        file = settings / package / f"{name}.jupyterlab-settings"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(json.dumps(values))

    port, token = _free_port(), secrets.token_hex(16)
    log = base / "jupyterlab.log"
    env = {**os.environ, "SALESOPS_NB_TEMPLATES": str(user_templates)}
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={token}",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={workspaces}",
    ]
    with open(log, "wb") as output:
        process = subprocess.Popen(
            command, cwd=root, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    lab = Lab(f"http://127.0.0.1:{port}/", token, root, user_templates, process, log)
    try:
        _wait_until_up(lab)
        yield lab
    finally:
        process.send_signal(signal.SIGTERM)  # by its PID; Jupyter shuts its kernels down
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


