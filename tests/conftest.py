"""Test-wide setup: Jupyter and IPython never write into the real home folder.

The variables are set at configure time, before any kernel or server starts, so that kernels
launched by papermill and JupyterLab servers started by the browser tests inherit them.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_ISOLATED = ("HOME", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR")


def pytest_configure(config: pytest.Config) -> None:
    root = Path(tempfile.mkdtemp(prefix="salesops-nb-tests-"))
    for name in _ISOLATED:
        folder = root / name.lower()
        folder.mkdir()
        os.environ[name] = str(folder)
    os.environ.setdefault("MPLBACKEND", "Agg")
    config.stash[_ROOT_KEY] = root


_ROOT_KEY = pytest.StashKey[Path]()


@pytest.fixture(scope="session")
def isolated_home(pytestconfig: pytest.Config) -> Path:
    """The temporary folder that stands in for the user's home during the tests."""
    return pytestconfig.stash[_ROOT_KEY]
