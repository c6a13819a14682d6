"""The workspace overview in Python and on the command line."""

from __future__ import annotations

import datetime as dt

import pytest

from salesops_nb.case import build_case
from salesops_nb.cli import main
from salesops_nb.data.sample import sample_opportunities
from salesops_nb.errors import WorkspaceError
from salesops_nb.five_whys.model import WhyAnalysis
from salesops_nb.status import workspace_status
from salesops_nb.workspace import Workspace


@pytest.fixture(scope="module")
def case():
    from salesops_nb.data.load import load_opportunities

    return build_case(load_opportunities(), today=dt.date(2026, 11, 1))


def test_status_lists_artefacts_in_case_order_with_their_checks(case, tmp_path):
    case.save(tmp_path)
    (tmp_path / "data").mkdir()  # the demo keeps data and reports in the workspace too
    sample_opportunities(50).to_csv(tmp_path / "data" / "x.json")
    status = workspace_status(tmp_path)
    table = status.table()
    assert list(table["kind"]) == ["segmentation", "five_whys", "installments", "charter"]
    assert list(table["findings"]) == ["-", 0, 0, 3]  # the example charter teaches 3 things
    assert list(table["broken_links"]) == [0, 0, 0, 0]
    assert len(status.links) == 2 + 2 * len(case.plan.items) and not status.broken


def test_broken_links_and_damaged_files_are_listed(case, tmp_path, capsys):
    ws = Workspace(tmp_path)
    case.save(ws)
    ws.delete(WhyAnalysis, "main")
    (tmp_path / "charter" / "main.json").write_text("[]", encoding="utf-8")
    assert main(["status", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split() for line in out.splitlines()
            if line.startswith(("installments", "charter", "five_whys"))}
    assert "five_whys" not in rows
    assert rows["installments"][-1] == str(2 * len(case.plan.items))  # root cause + charter
    assert rows["charter"][-2:] == ["-", "0"]
    assert f"broken: {2 * len(case.plan.items) + 0}" in out
    assert "deleted or renamed" in out and "Files that cannot be read (1)" in out


def test_missing_workspace_is_a_user_error(tmp_path, capsys):
    with pytest.raises(WorkspaceError, match="no workspace"):
        workspace_status(tmp_path / "nope")
    assert main(["status", str(tmp_path / "nope")]) == 2
    assert "salesops-nb demo" in capsys.readouterr().err


def test_empty_workspace_says_how_to_start(tmp_path):
    text = workspace_status(tmp_path).render()
    assert "No artefacts saved yet" in text
