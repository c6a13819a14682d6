"""The 5-Why editor: a guided ipywidgets builder over a 5-Why analysis.

Thin by design: every button calls one edit method of the analysis (which returns a new,
validated analysis), keeps the previous one for undo, autosaves through the workspace and
redraws the diagram and the coaching checks. Everything here can be done headless with the
Python API.

>>> editor = FiveWhysEditor("salesops-workspace/five_whys/main.json")  # doctest: +SKIP
>>> editor  # shows the editor in JupyterLab                          # doctest: +SKIP
"""

from __future__ import annotations

import os
from html import escape

import ipywidgets as w
import pandas as pd

from salesops_nb.errors import SalesOpsError
from salesops_nb.five_whys.diagram import tree_svg
from salesops_nb.five_whys.evidence import describe_query, parse_query, run_query
from salesops_nb.five_whys.lint import findings_table, lint, summary
from salesops_nb.five_whys.model import (
    EffectivenessCheck,
    ProblemMetric,
    WhyAnalysis,
    make_evidence,
)
from salesops_nb.five_whys.render import html_table, node_label
from salesops_nb.views._common import (
    action_button,
    save_artefact,
    show_status,
    text_field,
    validation_reason,
)
from salesops_nb.workspace import DEFAULT_ROOT, locate

__all__ = ["DEFAULT_PATH", "FiveWhysEditor"]

DEFAULT_PATH = f"{DEFAULT_ROOT}/five_whys/main.json"
_PROBLEM = ""  # value of the problem in the node picker
_CONFIDENCE = [("not stated", -1.0), ("low (0.25)", 0.25), ("medium (0.5)", 0.5),
               ("high (0.75)", 0.75), ("very high (0.9)", 0.9)]
_CONTROL = [("not judged", "none"), ("yes, within our control", "yes"), ("no, outside", "no")]
_WIDE = w.Layout(width="98%")


class FiveWhysEditor(w.VBox):
    """Build a 5-Why tree step by step; it autosaves to ``path`` after every edit.

    Parameters
    ----------
    path
        The analysis file, ``<workspace>/five_whys/<name>.json``; loaded if it exists.
    deals
        Opportunities (canonical frame), optional: query evidence is computed on it, and its
        rep names feed the blame check.
    source
        Where ``deals`` came from, stored with computed evidence.
    analysis
        Start from this analysis instead of the file (e.g. the worked example); it is saved
        on the first edit.
    """

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_PATH, *,
                 deals: pd.DataFrame | None = None, source: str = "",
                 analysis: WhyAnalysis | None = None) -> None:
        self.workspace, self.name = locate(path, WhyAnalysis)
        self.deals, self.source = deals, source
        if analysis is None and self.workspace.exists(WhyAnalysis, self.name):
            analysis = self.workspace.load(WhyAnalysis, self.name)
        self.analysis: WhyAnalysis = analysis or WhyAnalysis()
        self.history: list[WhyAnalysis] = []
        self._build()
        super().__init__(children=self._sections())
        self._sync_problem()
        self._refresh(select=_PROBLEM)

    # -- widgets ----------------------------------------------------------------------------------

    def _build(self) -> None:
        text = text_field
        self.what, self.where = text("What", "Win rate fell"), text("Where", "Mid-Market EMEA")
        self.when = text("When", "Q3 2026, against Q2")
        self.how_big = text("How big", "from 31% to 22% (-9 points, 240 deals)")
        self.team = text("Team", "who took part")
        self.metric_before = text("Before", "optional: win_rate where region = EMEA and "
                                  "close_date 2026-01-01..2026-03-31")
        self.metric_after = text("After", "the same query over the later period")
        self.save_problem = action_button("Save problem", "check", self._on_problem)

        self.picker = w.Dropdown(description="Node", layout=_WIDE)
        self.picker.observe(self._on_pick, names="value")
        self.answer = w.Textarea(placeholder="The cause, as a fact about a process, policy or "
                                 "system", description="Answer", layout=_WIDE)
        self.ask_why = action_button("Ask why? (add a cause below)", "level-down", self._on_why)
        self.add_sibling = action_button("Add sibling cause", "code-fork", self._on_sibling)
        self.edit_answer = action_button("Update answer", "pencil", self._on_edit_answer)

        self.status = w.Dropdown(options=["hypothesis", "supported", "refuted"],
                                 description="Status")
        self.confidence = w.Dropdown(options=_CONFIDENCE, value=-1.0, description="Confidence")
        self.control = w.Dropdown(options=_CONTROL, value="none", description="In control")
        self.owner = text("Owner", "who looks into it")
        self.root = w.Checkbox(description="Root cause", indent=False)
        self.stop_reason = text("Stop reason", "why stop before the fifth why (if so)")
        self.save_node = action_button("Save node details", "save", self._on_node_details)

        self.evidence_kind = w.ToggleButtons(options=["text", "link", "query"], value="text",
                                             description="Evidence")
        self.evidence_text = text("Note", "what you saw, or a caption")
        self.evidence_url = text("Link", "https://...")
        self.evidence_query = text("Query", "win_rate where lead_source = Referral and "
                                   "close_date 2026-04-01..2026-09-30")
        self.evidence_verified = w.Checkbox(description="verified", indent=False)
        self.attach = action_button("Attach evidence", "paperclip", self._on_evidence)

        self.action = text("Action", "what will change, in the process or system")
        self.measure_owner = text("Owner", "a named person")
        self.due = w.DatePicker(description="Due")
        self.effect = text("Expected", "expected effect")
        self.check_query = text("Check", "win_rate where lead_source = Referral")
        self.baseline = w.FloatText(description="Baseline")
        self.direction = w.Dropdown(options=["at least", "at most"], description="Success if")
        self.target = w.FloatText(description="Target")
        self.check_date = w.DatePicker(description="Check on")
        self.add_measure = action_button("Add countermeasure", "wrench", self._on_countermeasure)

        self.undo = action_button("Undo last edit", "undo", self._on_undo)
        self.message = w.HTML()
        self.diagram = w.HTML()
        self.checks = w.HTML()

    def _sections(self) -> list[w.Widget]:
        def box(title: str, *rows: w.Widget) -> w.VBox:
            return w.VBox([w.HTML(f"<b>{escape(title)}</b>"), *rows],
                          layout=w.Layout(border="1px solid #e0e0e0", padding="6px",
                                          margin="4px 0"))

        return [
            box("1. State the problem: what, where, when, how big (a number)", self.what,
                self.where, self.when, self.how_big, self.team,
                w.HTML("<i>The gap as numbers from the data (computed when you save):</i>"),
                self.metric_before, self.metric_after, self.save_problem),
            box("2. Ask why, on any node; add the other causes too (what else had to be true?)",
                self.picker, self.answer,
                w.HBox([self.ask_why, self.add_sibling, self.edit_answer])),
            box("3. Judge the selected node", w.HBox([self.status, self.confidence]),
                w.HBox([self.control, self.owner]), w.HBox([self.root, self.stop_reason]),
                self.save_node),
            box("4. Back it with evidence", self.evidence_kind, self.evidence_text,
                self.evidence_url, self.evidence_query, self.evidence_verified, self.attach),
            box("5. Countermeasure for the selected root cause, with its check set now",
                self.action, w.HBox([self.measure_owner, self.due]), self.effect,
                self.check_query, w.HBox([self.baseline, self.direction, self.target]),
                self.check_date, self.add_measure),
            w.HBox([self.undo, self.message]),
            self.diagram,
            self.checks,
        ]

    # -- the one path every edit takes ------------------------------------------------------------

    def apply(self, edit, *, select: str | None = None) -> bool:
        """Run ``edit(analysis) -> analysis``; keep the old one for undo, autosave, redraw.

        Returns False (and shows the message) when the edit is refused.
        """
        try:
            updated = edit(self.analysis)
        except SalesOpsError as err:
            self._say(err, error=True)
            return False
        where = save_artefact(self.workspace, updated, self.name, self.message)
        if where is None:
            return False
        self.history.append(self.analysis)
        self.analysis = updated
        self._refresh(select=select)
        self._say(f"Saved to {where}.")
        return True

    @property
    def selected(self) -> str | None:
        """The selected node id (None: the problem)."""
        return self.picker.value or None

    # -- handlers ---------------------------------------------------------------------------------

    def _on_problem(self) -> None:
        def edit(a: WhyAnalysis) -> WhyAnalysis:
            changed = a.with_problem(what=self.what.value, where=self.where.value,
                                     when=self.when.value, how_big=self.how_big.value,
                                     metric=self._problem_metric())
            return changed.model_copy(update={"team": self.team.value})
        self.apply(edit, select=self.picker.value)

    def _problem_metric(self) -> ProblemMetric | None:
        texts = (self.metric_before.value.strip(), self.metric_after.value.strip())
        if not any(texts):
            return None
        if not all(texts):
            raise _FormError("The problem metric needs both a before and an after query.",
                             hint="Write the same query over two periods, e.g. close_date "
                             "2026-01-01..2026-03-31 and close_date 2026-04-01..2026-06-30.")
        before, after = (parse_query(t) for t in texts)
        if self.deals is None:
            return ProblemMetric(before=before, after=after)
        return ProblemMetric(before=before, after=after,
                             before_result=run_query(before, self.deals, source=self.source),
                             after_result=run_query(after, self.deals, source=self.source))

    def _on_why(self) -> None:
        parent = self.selected
        if self.apply(lambda a: a.add_cause(parent, self.answer.value)):
            self.picker.value = self.analysis.nodes[-1].id
            self.answer.value = ""

    def _on_sibling(self) -> None:
        if self.selected is None:
            self._say("Select a cause first: a sibling is another cause of the same effect.",
                      error=True)
            return
        node = self.selected
        if self.apply(lambda a: a.add_sibling(node, self.answer.value)):
            self.picker.value = self.analysis.nodes[-1].id
            self.answer.value = ""

    def _on_edit_answer(self) -> None:
        node = self._need_node()
        if node:
            self.apply(lambda a: a.update_node(node, answer=self.answer.value), select=node)

    def _on_node_details(self) -> None:
        node = self._need_node()
        if not node:
            return
        fields = {
            "status": self.status.value,
            "confidence": None if self.confidence.value < 0 else self.confidence.value,
            "within_control": {"none": None, "yes": True, "no": False}[self.control.value],
            "owner": self.owner.value,
            "root_cause": self.root.value,
            "stop_reason": self.stop_reason.value,
        }
        self.apply(lambda a: a.update_node(node, **fields), select=node)

    def _on_evidence(self) -> None:
        node = self._need_node()
        if not node:
            return
        kind = self.evidence_kind.value

        def edit(a: WhyAnalysis) -> WhyAnalysis:
            fields = {"kind": kind, "text": self.evidence_text.value,
                      "verified": self.evidence_verified.value}
            if kind == "link":
                fields["url"] = self.evidence_url.value
            if kind == "query":
                query = parse_query(self.evidence_query.value)
                fields["query"] = query
                if self.deals is not None:
                    fields["result"] = run_query(query, self.deals, source=self.source)
            return a.attach_evidence(node, make_evidence(**fields))

        if self.apply(edit, select=node):
            self.evidence_text.value = self.evidence_url.value = ""

    def _on_countermeasure(self) -> None:
        node = self._need_node()
        if not node:
            return

        def edit(a: WhyAnalysis) -> WhyAnalysis:
            check = None
            if self.check_query.value.strip():
                if self.check_date.value is None:
                    raise _FormError("An effectiveness check needs a check date.",
                                     hint="Pick the date to look, typically 30-90 days after "
                                     "the change.")
                check = _checked(lambda: EffectivenessCheck(
                    query=parse_query(self.check_query.value), baseline=self.baseline.value,
                    direction=self.direction.value, target=self.target.value,
                    measure_from=self.due.value, check_date=self.check_date.value))
            return a.add_countermeasure(node, self.action.value, owner=self.measure_owner.value,
                                        due=self.due.value, expected_effect=self.effect.value,
                                        check=check)

        if self.apply(edit, select=node):
            self.action.value = self.effect.value = ""

    def _on_undo(self) -> None:
        if not self.history:
            self._say("Nothing to undo.", error=True)
            return
        previous = self.history.pop()
        if save_artefact(self.workspace, previous, self.name, self.message) is None:
            self.history.append(previous)
            return
        self.analysis = previous
        self._sync_problem()
        keep = self.picker.value if self.picker.value in {n.id for n in previous.nodes} else ""
        self._refresh(select=keep)
        self._say("Undone; saved.")

    def _on_pick(self, change) -> None:
        node_id = change["new"]
        if not node_id:
            self.answer.value = ""
            return
        node = self.analysis.node(node_id)
        self.answer.value = node.answer
        self.status.value = node.status
        if node.confidence is not None and node.confidence not in {
                v for _, v in self.confidence.options}:  # keep a value typed in the API
            self.confidence.options = [*self.confidence.options,
                                       (f"{node.confidence:g}", node.confidence)]
        self.confidence.value = -1.0 if node.confidence is None else node.confidence
        self.control.value = {None: "none", True: "yes", False: "no"}[node.within_control]
        self.owner.value = node.owner
        self.root.value = node.root_cause
        self.stop_reason.value = node.stop_reason

    # -- showing ----------------------------------------------------------------------------------

    def _need_node(self) -> str | None:
        if self.selected is None:
            self._say("Select a cause in the Node list first (the problem has no such fields).",
                      error=True)
        return self.selected

    def _sync_problem(self) -> None:
        problem = self.analysis.problem
        self.what.value, self.where.value = problem.what, problem.where
        self.when.value, self.how_big.value = problem.when, problem.how_big
        self.team.value = self.analysis.team
        metric = problem.metric
        self.metric_before.value = describe_query(metric.before) if metric else ""
        self.metric_after.value = describe_query(metric.after) if metric else ""

    def _refresh(self, *, select: str | None) -> None:
        analysis = self.analysis
        options = [("Problem: " + analysis.problem.statement()[:70], _PROBLEM)]
        options += [(node_label(analysis, n), n.id) for n in analysis.ordered()]
        with self.hold_sync():
            current = self.picker.value if select is None else select
            self.picker.options = options
            self.picker.value = current if current in {v for _, v in options} else _PROBLEM
            self.add_sibling.disabled = self.picker.value == _PROBLEM
            findings = lint(analysis, deals=self.deals)
            self.diagram.value = f'<div style="overflow-x:auto">{tree_svg(analysis)}</div>'
            self.checks.value = (
                "<b>Coaching checks</b>" + html_table(summary(analysis).table())
                + html_table(findings_table(findings), empty="No findings: every check passes.")
            )
        self.undo.disabled = not self.history

    def _say(self, message: object, *, error: bool = False) -> None:
        show_status(self.message, message, error=error)


class _FormError(SalesOpsError, ValueError):
    """A form field of the editor is missing or invalid."""


def _checked(build):
    """Build a model from form fields; a validation problem becomes a readable message."""
    import pydantic

    try:
        return build()
    except pydantic.ValidationError as err:
        raise _FormError(f"The effectiveness check is not valid: {validation_reason(err)}.",
                         hint="Fill the metric query, baseline, target and check date.") from err

