"""The 5-Why analysis: a problem, a branching tree of why-answers, root causes, countermeasures.

The tree is stored flat: every :class:`WhyNode` names its ``parent`` (``None`` for a direct
answer to the problem), siblings keep their list order. A flat list diffs well in git, makes undo
a matter of keeping the previous copy, and cannot hold a node twice.

Every edit is a method that returns a **new** validated analysis (the original is untouched),
so a widget's undo keeps the previous object and a script can chain edits::

    analysis = (WhyAnalysis(problem=Problem(what="Win rate fell"))
                .add_cause(None, "Referral deals are lost at proposal")
                .add_cause("w1", "Proposals go out without a discovery call"))
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from typing import ClassVar, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from salesops_nb.artefact import Artefact, Migrations
from salesops_nb.errors import WhyEditError
from salesops_nb.five_whys.evidence import EvidenceQuery, QueryResult

__all__ = [
    "Countermeasure",
    "EffectivenessCheck",
    "Evidence",
    "Problem",
    "ProblemMetric",
    "SegmentRef",
    "WhyAnalysis",
    "WhyEditError",
    "WhyNode",
    "make_evidence",
]

Status = Literal["hypothesis", "supported", "refuted"]
CountermeasureStatus = Literal["planned", "in progress", "done", "dropped"]
_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")
_TEXT = 2000  # longest answer or note; a why-answer is a sentence, not an essay


def make_evidence(**fields) -> Evidence:
    """Build an :class:`Evidence`, raising WhyEditError (not a pydantic error) when invalid."""
    with _explained("the evidence"):
        return Evidence(**fields)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Evidence(_Model):
    """What backs a why-answer: a sentence, a link, or a live query on the data.

    Attributes
    ----------
    kind
        ``"text"`` (an observation, an interview note), ``"link"`` (a document or dashboard) or
        ``"query"`` (a number computed from the opportunities, refreshable).
    text
        The observation, or a caption for a link or query.
    url
        For links: an ``http(s)`` address (other schemes are refused: they could run code).
    query, result
        For queries: what to compute, and the stored result with its time of computation.
    verified
        Someone checked it (looked at the records, re-ran the number): it is a fact, not a guess.
    """

    kind: Literal["text", "link", "query"] = "text"
    text: str = Field(default="", max_length=_TEXT)
    url: str = Field(default="", max_length=_TEXT)
    query: EvidenceQuery | None = None
    result: QueryResult | None = None
    verified: bool = False

    @field_validator("url")
    @classmethod
    def _safe_url(cls, url: str) -> str:
        url = url.strip()
        if url and not re.match(r"https?://", url, flags=re.IGNORECASE):
            raise ValueError("a link must start with http:// or https://")
        return url

    @model_validator(mode="after")
    def _complete(self) -> Evidence:
        if self.kind == "text" and not self.text.strip():
            raise ValueError("text evidence needs a text")
        if self.kind == "link" and not self.url:
            raise ValueError("link evidence needs a url")
        if self.kind == "query" and self.query is None:
            raise ValueError("query evidence needs a query")
        return self


class EffectivenessCheck(_Model):
    """How a countermeasure will be judged, fixed *before* the change is made.

    Attributes
    ----------
    query
        The metric and slice to measure, e.g. the win rate of Referral deals. Its date range, if
        any, is the period measured after the change; else ``measure_from``..``check_date``.
    baseline
        The metric's value before the change.
    direction, target
        Success criterion: the measured value is ``"at least"`` / ``"at most"`` ``target``.
    measure_from, check_date
        The period the check measures, and the date it is due (typically 30-90 days after the
        change).
    result, met, evaluated_at
        Filled by :func:`salesops_nb.five_whys.effectiveness.evaluate_checks`.
    """

    query: EvidenceQuery
    baseline: float
    direction: Literal["at least", "at most"] = "at least"
    target: float
    measure_from: dt.date | None = None
    check_date: dt.date
    result: QueryResult | None = None
    met: bool | None = None

    def criterion(self) -> str:
        """The success criterion in words, e.g. ``win_rate at least 0.35``."""
        return f"{self.query.metric} {self.direction} {self.target:g}"


class Countermeasure(_Model):
    """An action against a root cause, with an owner, a due date and a check set in advance."""

    id: str
    action: str = Field(min_length=1, max_length=_TEXT)
    owner: str = Field(default="", max_length=200)
    due: dt.date | None = None
    expected_effect: str = Field(default="", max_length=_TEXT)
    check: EffectivenessCheck | None = None
    status: CountermeasureStatus = "planned"

    @property
    def owned_and_dated(self) -> bool:
        return bool(self.owner.strip()) and self.due is not None


class WhyNode(_Model):
    """One answer to "why?"; its parent is the effect it explains (None: the problem itself).

    Attributes
    ----------
    id
        Short stable id (``w1``, ``w2`` ...), referenced by children and installment items.
    answer
        The cause, worded as a fact about the process, policy or system.
    status
        ``hypothesis`` until evidence ``supported`` or ``refuted`` it.
    confidence
        0 to 1, how sure the team is (None: not stated).
    within_control
        Can the organisation change this cause? (None: not judged yet.)
    root_cause, stop_reason
        Marked as a root cause; stopping before the fifth why needs a stated reason.
    """

    id: str
    parent: str | None = None
    answer: str = Field(min_length=1, max_length=_TEXT)
    evidence: list[Evidence] = Field(default_factory=list)
    status: Status = "hypothesis"
    confidence: float | None = Field(default=None, ge=0, le=1)
    within_control: bool | None = None
    owner: str = Field(default="", max_length=200)
    root_cause: bool = False
    stop_reason: str = Field(default="", max_length=_TEXT)
    countermeasures: list[Countermeasure] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not _ID.fullmatch(value):
            raise ValueError("a node id is 1-40 letters, digits, '-' or '_'")
        return value

    @property
    def verified(self) -> bool:
        """At least one piece of its evidence was checked."""
        return any(e.verified for e in self.evidence)


class ProblemMetric(_Model):
    """The measurable gap of a problem: one query over two periods, with the stored results."""

    before: EvidenceQuery
    after: EvidenceQuery
    before_result: QueryResult | None = None
    after_result: QueryResult | None = None


class SegmentRef(_Model):
    """Where a problem was found: a flagged cell of a saved segmentation, with its numbers.

    Attributes
    ----------
    segmentation
        Name of the segmentation spec in the workspace.
    segment, stratum
        The cell flagged (stratum empty: the whole segment).
    metric
        The metric judged within segments (e.g. ``win_rate``).
    value, benchmark, gap, volume
        The cell's pooled value, its segment's benchmark, the gap and the volume (closed deals)
        when the problem was created.
    entities
        Ids of the entities (e.g. reps) in the cell at that time.
    """

    segmentation: str = "main"
    segment: str
    stratum: str = ""
    metric: str = "win_rate"
    value: float | None = None
    benchmark: float | None = None
    gap: float | None = None
    volume: float | None = None
    entities: list[str] = Field(default_factory=list)


class Problem(_Model):
    """The problem statement: what, where, when, how big (and, best, the number behind it).

    ``source_segment`` (optional) links it to the segmentation cell it was created from.
    """

    what: str = Field(default="", max_length=_TEXT)
    where: str = Field(default="", max_length=_TEXT)
    when: str = Field(default="", max_length=_TEXT)
    how_big: str = Field(default="", max_length=_TEXT)
    metric: ProblemMetric | None = None
    source_segment: SegmentRef | None = None

    def statement(self) -> str:
        """The problem in one line: what; where; when; how big."""
        parts = [self.what, self.where, self.when, self.how_big]
        return "; ".join(p.strip() for p in parts if p.strip()) or "(problem not stated yet)"


class WhyAnalysis(Artefact):
    """A 5-Why analysis saved in the workspace (kind ``five_whys``).

    Build it with the edit methods (each returns a new, validated analysis), read it with
    :meth:`children`, :meth:`depth`, :meth:`path`; check it with
    :func:`salesops_nb.five_whys.lint.lint`.
    """

    kind: ClassVar[str] = "five_whys"
    schema_version: ClassVar[int] = 1
    migrations: ClassVar[Migrations] = {}
    model_config = ConfigDict(extra="forbid")

    title: str = Field(default="5-Why analysis", max_length=200)
    problem: Problem = Field(default_factory=Problem)
    team: str = Field(default="", max_length=_TEXT)
    date: dt.date | None = None
    nodes: list[WhyNode] = Field(default_factory=list)

    @model_validator(mode="after")
    def _a_tree(self) -> WhyAnalysis:
        ids = [n.id for n in self.nodes]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise ValueError(f"node ids must be unique; repeated: {', '.join(duplicated)}")
        known = set(ids)
        for node in self.nodes:
            if node.parent is not None and node.parent not in known:
                raise ValueError(f"node {node.id!r} names an unknown parent {node.parent!r}")
        parents = {n.id: n.parent for n in self.nodes}
        for node in self.nodes:  # every chain of parents must end at the problem
            seen, current = set(), node.id
            while current is not None:
                if current in seen:
                    raise ValueError(f"node {node.id!r} is its own ancestor (a loop)")
                seen.add(current)
                current = parents[current]
        measure_ids = [c.id for n in self.nodes for c in n.countermeasures]
        if len(measure_ids) != len(set(measure_ids)):
            raise ValueError("countermeasure ids must be unique across the analysis")
        return self

    # -- reading ----------------------------------------------------------------------------------

    def node(self, node_id: str) -> WhyNode:
        """Return the node ``node_id`` (WhyEditError listing the ids when unknown)."""
        for node in self.nodes:
            if node.id == node_id:
                return node
        known = ", ".join(n.id for n in self.nodes) or "none yet"
        raise WhyEditError(f"No why-node {node_id!r} in this analysis.",
                           hint=f"Node ids: {known}.")

    def children(self, node_id: str | None) -> list[WhyNode]:
        """The causes of ``node_id`` in order (``None``: the direct answers to the problem)."""
        return [n for n in self.nodes if n.parent == node_id]

    def path(self, node_id: str) -> list[WhyNode]:
        """The chain from the first why down to ``node_id`` (inclusive)."""
        chain = [self.node(node_id)]
        while chain[-1].parent is not None:
            chain.append(self.node(chain[-1].parent))
        return chain[::-1]

    def depth(self, node_id: str) -> int:
        """How many "why?" were asked to reach ``node_id``: 1 for a direct answer to the problem."""
        return len(self.path(node_id))

    def ordered(self) -> list[WhyNode]:
        """All nodes depth first, each parent before its children, siblings in order."""
        out: list[WhyNode] = []
        stack = self.children(None)[::-1]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(self.children(node.id)[::-1])
        return out

    def root_causes(self) -> list[WhyNode]:
        """The nodes marked as root causes, in tree order."""
        return [n for n in self.ordered() if n.root_cause]

    def countermeasure(self, measure_id: str) -> tuple[WhyNode, Countermeasure]:
        """Find a countermeasure by id, with the root cause it belongs to."""
        for node in self.nodes:
            for measure in node.countermeasures:
                if measure.id == measure_id:
                    return node, measure
        raise WhyEditError(f"No countermeasure {measure_id!r} in this analysis.",
                           hint="Countermeasure ids: " + ", ".join(
                               c.id for n in self.nodes for c in n.countermeasures) + ".")

    # -- editing (each returns a new analysis) ----------------------------------------------------

    def with_problem(self, **fields) -> WhyAnalysis:
        """Return a copy with problem fields replaced (``what``, ``where``, ``when`` ...)."""
        problem = Problem.model_validate({**self.problem.model_dump(), **fields})
        return self._replace(problem=problem)

    def add_cause(self, parent: str | None, answer: str, **fields) -> WhyAnalysis:
        """Ask "why?" of ``parent`` (None: of the problem): add ``answer`` as its cause.

        The new node gets the next free id (``w<k>``); it is the last node of the result.
        """
        if parent is not None:
            self.node(parent)
        if not answer.strip():
            raise WhyEditError("A why-answer cannot be empty.",
                               hint="Write the cause as a fact about the process, e.g. "
                               "'Proposals are sent without a discovery call'.")
        with _explained("the new cause"):
            node = WhyNode(id=self._next_id("w", [n.id for n in self.nodes]), parent=parent,
                           answer=answer.strip(), **fields)
        return self._replace(nodes=[*self.nodes, node])

    def add_sibling(self, node_id: str, answer: str, **fields) -> WhyAnalysis:
        """Add another cause of the same effect as ``node_id`` ("what else had to be true?")."""
        return self.add_cause(self.node(node_id).parent, answer, **fields)

    def update_node(self, node_id: str, **fields) -> WhyAnalysis:
        """Return a copy with fields of ``node_id`` replaced (answer, status, root_cause ...)."""
        if {"id", "parent"} & set(fields):
            raise WhyEditError("A node's id and parent cannot be edited.",
                               hint="Remove the node and add it again under the right parent.")
        return self._edit(node_id, lambda n: {**n, **fields})

    def attach_evidence(self, node_id: str, evidence: Evidence) -> WhyAnalysis:
        """Return a copy with ``evidence`` added to ``node_id``."""
        return self._edit(node_id, lambda n: {**n, "evidence": [*n["evidence"], evidence]})

    def mark_root_cause(
        self, node_id: str, root: bool = True, stop_reason: str = ""
    ) -> WhyAnalysis:
        """Mark (or unmark) ``node_id`` as a root cause, with an optional reason for stopping."""
        return self.update_node(node_id, root_cause=root, stop_reason=stop_reason)

    def add_countermeasure(self, node_id: str, action: str, **fields) -> WhyAnalysis:
        """Attach a countermeasure to root cause ``node_id`` (id ``c<k>`` assigned)."""
        if not self.node(node_id).root_cause:
            raise WhyEditError(f"Node {node_id!r} is not marked as a root cause.",
                               hint="Mark it as a root cause first: countermeasures act on root "
                               "causes, not on symptoms.")
        taken = [c.id for n in self.nodes for c in n.countermeasures]
        with _explained("the countermeasure"):
            measure = Countermeasure(id=self._next_id("c", taken), action=action, **fields)
        return self._edit(node_id, lambda n: {**n, "countermeasures": [
            *n["countermeasures"], measure]})

    def remove_node(self, node_id: str) -> WhyAnalysis:
        """Return a copy without ``node_id`` and everything below it."""
        doomed = {n.id for n in self.nodes if node_id in {p.id for p in self.path(n.id)}}
        return self._replace(nodes=[n for n in self.nodes if n.id not in doomed])

    # -- helpers ----------------------------------------------------------------------------------

    def _edit(self, node_id: str, change) -> WhyAnalysis:
        self.node(node_id)
        with _explained(f"why-node {node_id!r}"):
            nodes = [WhyNode.model_validate(change(n.model_dump())) if n.id == node_id else n
                     for n in self.nodes]
        return self._replace(nodes=nodes)

    def _replace(self, **fields) -> WhyAnalysis:
        data = {**self.model_dump(), **{k: _dump(v) for k, v in fields.items()}}
        with _explained("the analysis"):
            return WhyAnalysis.model_validate(data)

    @staticmethod
    def _next_id(prefix: str, taken: list[str]) -> str:
        numbers = [int(t[len(prefix):]) for t in taken
                   if t.startswith(prefix) and t[len(prefix):].isdigit()]
        return f"{prefix}{max(numbers, default=0) + 1}"


@contextlib.contextmanager
def _explained(where: str):
    """Turn a pydantic validation error of an edit into a WhyEditError that names the fields."""
    try:
        yield
    except pydantic.ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in err.errors()
        )
        raise WhyEditError(f"This edit of {where} is not valid: {problems}.",
                           hint="Correct the fields named above and try again.") from err


def _dump(value):
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, list):
        return [_dump(v) for v in value]
    return value
