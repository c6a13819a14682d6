"""After the README's install command, Jupyter sees both halves of the extension enabled.

The lab extension is the prebuilt one shipped in the wheel (share/jupyter/labextensions) and the
server extension is enabled by the jupyter-config file the wheel installs.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def _jupyter(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, check=True)
    return re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)  # drop colours


def test_the_lab_extension_is_installed_enabled_and_ok():
    listing = _jupyter("jupyterlab.labextensions", "list")
    assert re.search(r"salesops-nb v\S+ enabled OK", listing), listing


def test_the_server_extension_is_enabled_and_ok():
    listing = _jupyter("jupyter_server.extension.serverextension", "list")
    assert re.search(r"salesops_nb\.server enabled", listing), listing
    assert re.search(r"salesops_nb\.server\s+OK", listing), listing
