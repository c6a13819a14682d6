"""The Binder configuration: pins in step with pyproject, repo2docker's dry run, and (slow)
the whole build repeated in a fresh virtual environment by tools/check_binder.py."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

REPO = Path(__file__).resolve().parents[2]
BINDER = REPO / "binder"


def _pins() -> dict[str, Version]:
    pins = {}
    for line in (BINDER / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            requirement = Requirement(line)
            (spec,) = requirement.specifier  # exactly one pin per line
            assert spec.operator == "==", f"{line}: pin an exact version (==)"
            pins[_canonical(requirement.name)] = Version(spec.version)
    return pins


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def test_every_dependency_is_pinned_within_its_range():
    pins = _pins()
    project = _project()
    wanted = [Requirement(r) for r in project["dependencies"]]
    wanted += [Requirement(r) for r in project["optional-dependencies"]["solver"]]
    for requirement in wanted:
        name = _canonical(requirement.name)
        assert name in pins, f"binder/requirements.txt lacks {requirement.name}"
        assert pins[name] in requirement.specifier, (
            f"{requirement.name}=={pins[name]} is outside pyproject's {requirement.specifier}")


def test_runtime_python_is_one_the_package_supports():
    runtime = (BINDER / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(3\.\d+)", runtime)
    assert match, f"runtime.txt should read python-3.X, not {runtime!r}"
    assert Version(match.group(1)) in SpecifierSet(_project()["requires-python"])


def test_post_build_is_executable_and_stops_on_the_first_error():
    script = BINDER / "postBuild"
    assert os.access(script, os.X_OK)
    lines = [line for line in script.read_text().splitlines() if line.strip()]
    assert lines[0] == "#!/usr/bin/env bash"
    assert lines[1].startswith("set -e")
    text = script.read_text()
    assert "pip install --no-cache-dir ." in text
    assert '"fetchNews": "false"' in text and '"checkForUpdates": False' in text
    # the sample data is generated, not committed
    assert "salesops-nb sample --out sample-data" in text
    tracked = subprocess.run(["git", "ls-files", "sample-data", "binder"], cwd=REPO,
                             capture_output=True, text=True).stdout.split()
    assert not [t for t in tracked if t.endswith((".csv", ".xlsx", ".parquet"))]


def test_repo2docker_dry_run_uses_binder_the_python_buildpack_and_post_build():
    """``jupyter-repo2docker --no-build --debug .`` renders the Dockerfile without Docker."""
    command = shutil.which("jupyter-repo2docker")
    if command is None:
        pytest.skip("jupyter-repo2docker is not installed (pip install jupyter-repo2docker)")
    done = subprocess.run([command, "--no-build", "--debug", "."], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    dockerfile = done.stdout
    assert "Building conda environment for python=3.12" in done.stderr
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in dockerfile
    assert re.search(r"RUN chmod \+x binder/postBuild\nRUN ./binder/postBuild", dockerfile)
    assert "environment-2epy-2d3-2e12" in dockerfile  # the Python 3.12 base environment
    # binder/ hides the root files: the root pyproject.toml is never installed by repo2docker
    assert "pip install --no-cache-dir ." not in dockerfile
    assert "requirements.txt" not in dockerfile.replace("binder/requirements.txt", "")


def test_repo2docker_picks_the_python_buildpack():
    app = pytest.importorskip("repo2docker.app", reason="jupyter-repo2docker is not installed")
    from repo2docker.buildpacks import PythonBuildPack

    picked = None
    cwd = os.getcwd()
    os.chdir(REPO)  # detection reads the files of the current folder, as repo2docker does
    try:
        for buildpack in app.Repo2Docker().buildpacks:
            candidate = buildpack(base_image="docker.io/library/buildpack-deps:24.04")
            if candidate.detect():
                picked = candidate
                break
    finally:
        os.chdir(cwd)
    assert type(picked) is PythonBuildPack
    assert picked.binder_dir == "binder"
    assert picked.python_version == "3.12"


def _checker():
    spec = importlib.util.spec_from_file_location("check_binder", REPO / "tools" /
                                                  "check_binder.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_copy_leaves_out_environments_and_keeps_the_built_front_end(tmp_path):
    source = tmp_path / "src"
    for name in (".venv/bin/python", "widgets/lib/index.js", "widgets/src/index.ts",
                 "salesops_nb/labextension/static/style.js", "templates/a.ipynb",
                 "salesops_nb/__pycache__/x.pyc", "tests/lib/keep.py"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text("x")
    _checker().copy_repository(source, tmp_path / "dest")
    copied = {p.relative_to(tmp_path / "dest").as_posix()
              for p in (tmp_path / "dest").rglob("*") if p.is_file()}
    assert copied == {"widgets/src/index.ts", "salesops_nb/labextension/static/style.js",
                      "templates/a.ipynb", "tests/lib/keep.py"}


@pytest.mark.slow
def test_the_binder_build_works_in_a_fresh_environment(tmp_path):
    """pip install -r binder/requirements.txt + postBuild, then JupyterLab from that env."""
    out = tmp_path / "report.json"
    done = subprocess.run([sys.executable, str(REPO / "tools" / "check_binder.py"),
                           "--json", str(out), "--work", str(tmp_path / "work")],
                          capture_output=True, text=True, timeout=1800)
    report = json.loads(out.read_text())
    steps = {s["name"]: s for s in report["steps"]}
    assert report["ok"], done.stdout
    assert {"pip install -r binder/requirements.txt", "binder/postBuild", "pip check",
            "server extension enabled", "lab extension enabled", "templates discoverable",
            "lab extension served", "news notification off", "stop JupyterLab",
            "execute templates/start_here.ipynb"} <= set(steps)
    assert {"start_here", "workshop", "data_overview", "five_whys", "installments",
            "charter"} <= set(report["templates"])
    assert report["templates"][:2] == ["start_here", "workshop"]  # listed first
    assert "0 errors" in steps["execute templates/start_here.ipynb"]["detail"]
    assert re.search(r"exited (-15|0)", steps["stop JupyterLab"]["detail"])
