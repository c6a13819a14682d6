"""Test-wide setup: Jupyter and IPython never write into the real home folder.

The variables are set at configure time, before any kernel or server starts, so that kernels
launched by papermill and JupyterLab servers started by the browser tests inherit them.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
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


CHROMIUM = Path("/usr/bin/chromium")
# The flags this machine's closed network needs; never a browser downloaded by Playwright.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Debian's Chromium driven by Playwright, one per test module.

    Missing Chromium fails the test on CI (where .ci/run installs it) and skips it elsewhere.
    """
    if not CHROMIUM.exists():
        reason = f"Debian Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def spark() -> Iterator:
    """One Spark session in ``local[2]`` for the whole run (a JVM start costs seconds).

    Missing PySpark or Java fails the test on CI (where .ci/run installs both) and skips it
    elsewhere.
    """
    import warnings

    try:
        import pyspark  # noqa: F401

        from salesops_nb.backends import spark_session

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # pandas >= 3 "not fully supported"
            session = spark_session("local[2]")
    except Exception as err:  # ImportError, or EngineError when Java is missing
        if os.environ.get("CI"):
            pytest.fail(f"Spark cannot start: {err}")
        pytest.skip(f"Spark cannot start: {err}")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture()
def collected_rows(monkeypatch, spark) -> list[tuple[str, int]]:
    """Every Spark action that brings rows to the driver, with the number of rows it brought.

    The no-collect tests clear it before the step they watch and assert on the largest entry.
    """
    frame_class = type(spark.range(1))  # pyspark 4's "classic" subclass is the one used
    seen: list[tuple[str, int]] = []

    def spy(name: str):
        original = getattr(frame_class, name)

        def wrapped(self, *args, **kwargs):
            result = original(self, *args, **kwargs)
            seen.append((name, _row_count(result)))
            return result

        return wrapped

    for name in ("collect", "toPandas", "toArrow", "_collect_as_arrow", "take", "head",
                 "tail", "toLocalIterator"):
        if hasattr(frame_class, name):
            monkeypatch.setattr(frame_class, name, spy(name))
    return seen


def _row_count(result) -> int:
    if isinstance(result, list):
        return sum(_row_count(r) if hasattr(r, "num_rows") else 1 for r in result)
    if hasattr(result, "num_rows"):
        return int(result.num_rows)
    try:
        return len(result)
    except TypeError:
        return 1 << 30  # an iterator: rows stream to the driver without a bound
