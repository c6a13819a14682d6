"""Check the Binder build locally, without Docker: what repo2docker would do with binder/.

repo2docker (the engine of mybinder.org) builds an image from ``binder/``: Python from
``runtime.txt``, ``pip install -r requirements.txt``, then ``./binder/postBuild`` from the
repository root. Docker does not run on every machine, so this script repeats those steps in a
fresh virtual environment and then checks the result the way a workshop participant meets it:

1. copy the repository to a temporary folder (what ``repo2docker .`` sends to Docker);
2. create a virtual environment with the Python of ``binder/runtime.txt`` (when that version is
   on the PATH; otherwise the running one, and the report says so);
3. ``pip install -r binder/requirements.txt`` exactly, then run ``binder/postBuild`` from the
   copy's root, then ``pip check``;
4. ``jupyter server extension list`` shows salesops_nb enabled and OK, and
   ``jupyter labextension list`` shows salesops-nb enabled and OK;
5. start JupyterLab from that environment (free local port, temporary root and home,
   ``--allow-root``, a token), and ask it: the ``/salesops-nb/templates`` endpoint lists the
   templates, ``/lab`` serves the lab extension, the news notification is switched off;
6. execute ``templates/start_here.ipynb`` in that environment with nbconvert;
7. stop the server by its PID.

pip's cache is reused (set ``PIP_CACHE_DIR`` to choose it), so a second run installs from it.
Run ``python tools/check_binder.py --json report.json``; exit status 0 when every check passed.
Each step's duration is in the report.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Not sent to the copy: caches, environments, build output, participants' work.
_IGNORED_ANYWHERE = ("__pycache__", "node_modules", ".ipynb_checkpoints", "*.egg-info")
_IGNORED_PATHS = {".git", ".venv", "build", "dist", ".ruff_cache", ".pytest_cache",
                  "salesops-workspace", "sample-data", "reports", "widgets/lib", "widgets/.yarn"}
_SERVER_WAIT = 90.0  # seconds for JupyterLab to answer (a cold start on a busy machine)


@dataclass
class Step:
    """One step of the check: what, whether it passed, how long it took, what it saw."""

    name: str
    ok: bool
    seconds: float
    detail: str = ""


@dataclass
class Report:
    """Every step, in order; ``ok`` when all passed."""

    python: str = ""
    steps: list[Step] = field(default_factory=list)
    templates: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(s.ok for s in self.steps)

    def to_json(self) -> dict:
        return {"ok": self.ok, "python": self.python, "templates": self.templates,
                "total_seconds": round(sum(s.seconds for s in self.steps), 1),
                "steps": [asdict(s) for s in self.steps]}


class CheckFailed(Exception):
    """A step failed: the report says which, and why."""


class _Timer:
    def __init__(self, report: Report, name: str) -> None:
        self.report, self.name = report, name

    def __enter__(self) -> _Timer:
        self.start = time.perf_counter()
        self.detail = ""
        return self

    def __exit__(self, kind, error, trace) -> bool:
        seconds = round(time.perf_counter() - self.start, 1)
        detail = self.detail if error is None else f"{error}\n{self.detail}".strip()
        self.report.steps.append(Step(self.name, error is None, seconds, detail[-3000:]))
        if error is not None and not isinstance(error, CheckFailed):
            raise CheckFailed(f"{self.name}: {error}") from error
        return False


def runtime_python(binder: Path) -> tuple[str, str]:
    """The interpreter for ``binder/runtime.txt`` (``python-3.12``), and a note if it differs."""
    wanted = ""
    runtime = binder / "runtime.txt"
    if runtime.exists():
        match = re.fullmatch(r"python-(\d+\.\d+)(?:\.\d+)?", runtime.read_text().strip())
        wanted = match.group(1) if match else ""
    for candidate in _interpreters(wanted):
        if subprocess.run([candidate, "--version"], capture_output=True).returncode == 0:
            return candidate, ""
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    note = f"python{wanted} not found: used Python {here} instead" if wanted else ""
    return sys.executable, note


def _interpreters(wanted: str) -> list[str]:
    """Interpreters of version ``wanted`` on this machine: on the PATH, or installed by pyenv
    (whose shims only run the versions selected for the folder)."""
    if not wanted:
        return []
    found = [p for p in [shutil.which(f"python{wanted}")] if p]
    if shutil.which("pyenv"):
        bare = subprocess.run(["pyenv", "versions", "--bare"], capture_output=True, text=True)
        for version in bare.stdout.split():
            if version.startswith(f"{wanted}."):
                prefix = subprocess.run(["pyenv", "prefix", version], capture_output=True,
                                        text=True).stdout.strip()
                if prefix:
                    found.insert(0, str(Path(prefix) / "bin" / f"python{wanted}"))
    return found


def pip_cache_dir() -> str:
    """pip's cache of the real user, also when tests point HOME at a temporary folder."""
    if os.environ.get("PIP_CACHE_DIR"):
        return os.environ["PIP_CACHE_DIR"]
    home = Path(pwd.getpwuid(os.getuid()).pw_dir)
    return str(Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache") / "pip")


def copy_repository(source: Path, dest: Path, *, tracked_only: bool = False) -> None:
    """Copy the repository as repo2docker would receive it.

    ``tracked_only`` copies only the files git tracks (a Binder build from a fresh clone:
    the JupyterLab front-end is then built by postBuild, with Node); otherwise the work tree
    as it is (``repo2docker .``), including an already built front-end.
    """
    if tracked_only:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=source, capture_output=True,
                                check=True).stdout.decode().split("\0")
        for name in filter(None, listed):
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if (source / name).is_file():
                shutil.copy2(source / name, target)
        return
    anywhere = shutil.ignore_patterns(*_IGNORED_ANYWHERE)

    def ignore(folder: str, names: list[str]) -> set[str]:
        here = Path(folder).relative_to(source).as_posix()
        skipped = {n for n in names if (n if here == "." else f"{here}/{n}") in _IGNORED_PATHS}
        return skipped | set(anywhere(folder, names))

    shutil.copytree(source, dest, ignore=ignore, symlinks=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(command: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 1800) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    output = done.stdout + done.stderr
    if done.returncode != 0:
        raise CheckFailed(f"`{' '.join(command)}` exited {done.returncode}:\n{output[-3000:]}")
    return output


def _plain(text: str) -> str:
    """``text`` without terminal colour codes (the extension listings are coloured)."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _get(url: str, token: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(errors="replace")


def _environment(root: Path, venv: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "VIRTUAL_ENV", "JUPYTER", "PYENV_VERSION"))}
    home = root / "home"
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        env[name] = str(home / name.lower())
    env.update(HOME=str(home), VIRTUAL_ENV=str(venv), PIP_CACHE_DIR=pip_cache_dir(),
               PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
               PIP_DISABLE_PIP_VERSION_CHECK="1", SALESOPS_NB_TEMPLATES=str(home / "none"))
    home.mkdir(parents=True, exist_ok=True)
    return env


def check(work: Path, *, source: Path = REPO, tracked_only: bool = False) -> Report:
    """Run every step in ``work`` (an empty folder); return the report (never raises)."""
    report = Report()
    with contextlib.suppress(CheckFailed):  # the failing step is in the report
        _check(report, work, source, tracked_only)
    return report


def _check(report: Report, work: Path, source: Path, tracked_only: bool) -> None:
    repo, venv = work / "repo", work / "venv"
    with _Timer(report, "copy the repository") as step:
        copy_repository(source, repo, tracked_only=tracked_only)
        step.detail = "tracked files only" if tracked_only else "work tree"
    with _Timer(report, "create the virtual environment") as step:
        python, note = runtime_python(repo / "binder")
        subprocess.run([python, "-m", "venv", str(venv)], check=True, capture_output=True)
        version = subprocess.run([str(venv / "bin" / "python"), "--version"],
                                 capture_output=True, text=True, check=True).stdout.strip()
        report.python = version + (f" ({note})" if note else "")
        step.detail = report.python
    env = _environment(work, venv)
    jupyter = str(venv / "bin" / "jupyter")
    with _Timer(report, "pip install -r binder/requirements.txt"):
        _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-r",
              "binder/requirements.txt"], cwd=repo, env=env)
    with _Timer(report, "binder/postBuild") as step:
        step.detail = _run(["./binder/postBuild"], cwd=repo, env=env)[-1500:]
    with _Timer(report, "pip check") as step:
        step.detail = _run([str(venv / "bin" / "python"), "-m", "pip", "check"], cwd=repo,
                           env=env).strip()
    with _Timer(report, "server extension enabled") as step:
        listed = _plain(_run([jupyter, "server", "extension", "list"], cwd=repo, env=env))
        step.detail = listed
        if not re.search(r"salesops_nb[.\w]*\s+enabled", listed) or \
                not re.search(r"salesops_nb[.\w]*\s+(\S+\s+)?OK", listed):
            raise CheckFailed("salesops_nb is not listed as enabled and OK")
    with _Timer(report, "lab extension enabled") as step:
        listed = _plain(_run([jupyter, "labextension", "list"], cwd=repo, env=env))
        step.detail = listed
        if not re.search(r"salesops-nb\s+v\S+\s+enabled\s+OK", listed):
            raise CheckFailed("salesops-nb is not listed as enabled and OK")
    _serve(report, repo, env, jupyter)
    with _Timer(report, "execute templates/start_here.ipynb") as step:
        out = work / "executed"
        _run([jupyter, "nbconvert", "--to", "notebook", "--execute",
              "--ExecutePreprocessor.timeout=600", "--output-dir", str(out),
              "templates/start_here.ipynb"], cwd=repo, env=env)
        executed = json.loads((out / "start_here.ipynb").read_text())
        outputs = [o for c in executed["cells"] for o in c.get("outputs", [])]
        errors = [o for o in outputs if o.get("output_type") == "error"]
        panels = [o for o in outputs if "salesops-feedback" in str(o.get("data", {}))]
        passed = [o for o in panels if ": passed" in str(o.get("data", {}))]
        step.detail = f"{len(outputs)} outputs, {len(errors)} errors, {len(passed)} of " \
                      f"{len(panels)} exercises passed"
        if errors or not panels or len(passed) != len(panels):
            raise CheckFailed(step.detail)


def _serve(report: Report, repo: Path, env: dict[str, str], jupyter: str) -> None:
    """Start JupyterLab from the environment, ask it what a participant would see, stop it."""
    port, token = free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    log = open(Path(env["HOME"]) / "jupyterlab.log", "w+")  # noqa: SIM115 - closed below
    server = None
    try:
        with _Timer(report, "start JupyterLab") as step:
            server = subprocess.Popen(
                [jupyter, "lab", "--no-browser", "--allow-root", f"--port={port}",
                 "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0",
                 f"--ServerApp.root_dir={repo}", f"--IdentityProvider.token={token}"],
                cwd=repo, env=env, stdout=log, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + _SERVER_WAIT
            while True:
                if server.poll() is not None:
                    log.seek(0)
                    raise CheckFailed(f"JupyterLab exited {server.returncode}: "
                                      f"{log.read()[-2000:]}")
                try:
                    if _get(f"{base}/api/status", token)[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise CheckFailed(f"JupyterLab did not answer within {_SERVER_WAIT:.0f} s")
                time.sleep(0.5)
            step.detail = f"pid {server.pid}, port {port}"
        with _Timer(report, "templates discoverable") as step:
            status, body = _get(f"{base}/salesops-nb/templates", token)
            if status != 200:
                raise CheckFailed(f"GET /salesops-nb/templates answered {status}: {body[:500]}")
            report.templates = [t["name"] for t in json.loads(body)["templates"]]
            step.detail = ", ".join(report.templates)
            if not {"start_here", "workshop"} <= set(report.templates):
                raise CheckFailed(f"start_here or workshop missing from {report.templates}")
        with _Timer(report, "lab extension served") as step:
            status, page = _get(f"{base}/lab", token)
            step.detail = f"GET /lab: {status}"
            if status != 200 or '"name": "salesops-nb"' not in page.replace('":"', '": "'):
                raise CheckFailed("the /lab page config does not load salesops-nb")
        with _Timer(report, "news notification off") as step:
            status, body = _get(
                f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification", token)
            # Overrides change the schema's defaults; the user's own settings stay empty.
            answer = json.loads(body) if status == 200 else {}
            properties = answer.get("schema", {}).get("properties", {})
            defaults = {k: properties.get(k, {}).get("default")
                        for k in ("fetchNews", "checkForUpdates")}
            effective = {**defaults, **answer.get("settings", {})}
            step.detail = json.dumps(effective)
            if effective != {"fetchNews": "false", "checkForUpdates": False}:
                raise CheckFailed(f"news settings are {effective}")
    finally:
        if server is not None:
            with _Timer(report, "stop JupyterLab") as step:
                server.terminate()  # by its PID: SIGTERM, then SIGKILL if it lingers
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait(timeout=10)
                step.detail = f"pid {server.pid} exited {server.returncode}"
        log.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="FILE", help="also write the report as JSON")
    parser.add_argument("--work", metavar="DIR", help="work folder (default: a temporary one, "
                        "removed afterwards)")
    parser.add_argument("--tracked-only", action="store_true",
                        help="copy only the files git tracks, as a Binder build from a fresh "
                        "clone (builds the front-end: needs Node >= 20.19 and the npm registry)")
    args = parser.parse_args(argv)
    if args.work:
        work = Path(args.work)
        work.mkdir(parents=True, exist_ok=True)
        report = check(work, tracked_only=args.tracked_only)
    else:
        with tempfile.TemporaryDirectory(prefix="binder-check-") as folder:
            report = check(Path(folder), tracked_only=args.tracked_only)
    for step in report.steps:
        print(f"{'ok  ' if step.ok else 'FAIL'} {step.seconds:7.1f} s  {step.name}")
        if not step.ok:
            print("      " + step.detail.replace("\n", "\n      "))
    print(f"{'passed' if report.ok else 'FAILED'} in {sum(s.seconds for s in report.steps):.0f} s"
          f" ({report.python})")
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_json(), indent=2))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
