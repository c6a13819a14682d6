"""The optimal baseline: the same schedule problem solved exactly with OR-Tools CP-SAT.

Each item is an interval variable (start, its duration, end); every group and the delivery team
is a cumulative constraint (the loads of the items in progress never exceed the capacity);
dependencies are ``end(before) <= start(after)``; earliest starts and deadlines bound the starts
and ends. The objective is the sequencer's: the value delivered within the horizon,
``sum(value x max(0, horizon - end))``. The problem is NP-hard, so the solver gets a time limit
and says whether it proved optimality; the heuristic schedule is given as a hint.

OR-Tools is the optional extra ``solver``: ``pip install "salesops-nb[solver]"``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence

import numpy as np

from salesops_nb.errors import DeadlineError, SolverUnavailableError
from salesops_nb.installments._problem import compile_problem, value_area
from salesops_nb.installments.model import Capacity, ImprovementItem, Schedule
from salesops_nb.installments.sequence import sequence

__all__ = ["INSTALL_SOLVER", "solve_optimal", "solver_available"]

INSTALL_SOLVER = 'pip install "salesops-nb[solver]"'
_SCALES = (1, 2, 4, 10, 100, 1000)


def solver_available() -> bool:
    """Tell whether OR-Tools CP-SAT can be imported."""
    try:
        _cp_model()
    except SolverUnavailableError:
        return False
    return True


def solve_optimal(
    items: Sequence[ImprovementItem],
    capacity: Capacity,
    *,
    time_limit: float = 10.0,
    workers: int = 2,
    fixed: Mapping[str, int] | None = None,
    hint: Schedule | None = None,
) -> Schedule:
    """Find the schedule that delivers the most value within the horizon, with CP-SAT.

    Meant for backlogs of up to a few dozen items; larger ones usually stop at the time limit
    with a good but unproven schedule (``optimal`` False, ``upper_bound`` the proven bound).
    The result is never worse than the hint: when the solver stops below it, the hint is
    returned (its ``method`` says so).

    Parameters
    ----------
    items, capacity
        The backlog and its capacity, as for :func:`~salesops_nb.installments.sequence.sequence`.
    time_limit
        Seconds the solver may search.
    workers
        Search threads.
    fixed
        Start periods of items that must stay where they are.
    hint
        A schedule to start from; by default the heuristic's.

    Raises
    ------
    SolverUnavailableError
        OR-Tools is not installed (the message gives the pip command).
    PlanInputError
        The same explained input errors as the heuristic.
    """
    cp_model = _cp_model()
    began = time.perf_counter()
    fixed = dict(fixed or {})
    problem = compile_problem(items, capacity, fixed)
    if hint is None:
        hint = sequence(items, capacity, fixed=fixed)
    n, bound, horizon = problem.n, problem.bound, problem.horizon
    model = cp_model.CpModel()
    starts, ends, intervals = [], [], []
    for i in range(n):
        d = int(problem.duration[i])
        latest_end = int(min(bound, problem.due_end[i]))
        start = model.new_int_var(int(problem.est[i]), max(int(problem.est[i]), latest_end - d),
                                  f"start_{i}")
        end = model.new_int_var(0, bound, f"end_{i}")
        intervals.append(model.new_interval_var(start, d, end, f"item_{i}"))
        starts.append(start)
        ends.append(end)
        if problem.ids[i] in fixed:
            model.add(start == fixed[problem.ids[i]])
        else:
            model.add(end <= latest_end)
    for i in range(n):
        if problem.ids[i] not in fixed:  # an item under way has its predecessors behind it
            for q in problem.preds[i]:
                model.add(ends[q] <= starts[i])
    for g in range(problem.load.shape[1]):
        users = np.flatnonzero(problem.load[:, g] > 0)
        if users.size == 0:
            continue
        demands, limit = _integral(problem.load[users, g], problem.cap[g])
        model.add_cumulative([intervals[i] for i in users], demands, limit)
    weights, unit = _integral_values(problem.value)
    gains = []
    for i in range(n):
        # Periods of value within the horizon: none for an item delivered after it.
        gain = model.new_int_var(0, horizon, f"gain_{i}")
        model.add_max_equality(gain, [0, horizon - ends[i]])
        gains.append(gain)
    model.maximize(sum(w * g for w, g in zip(weights, gains, strict=True) if w))
    for i, item_id in enumerate(problem.ids):
        model.add_hint(starts[i], int(hint.starts[item_id]))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_workers = max(1, int(workers))
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        raise DeadlineError(
            "No schedule meets every deadline within these capacities (proven by the solver).",
            hint="Move a deadline, raise the capacity of the busiest groups, or split items.",
            items=[problem.ids[i] for i in range(n) if problem.due_end[i] < 10**9],
        )
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return hint.model_copy(update={
            "method": "heuristic (the solver found nothing better in time)",
            "seconds": time.perf_counter() - began})
    found = np.array([solver.value(s) for s in starts], dtype=np.int64)
    proven = status == cp_model.OPTIMAL
    value = value_area(problem, found)
    bound = value if proven else float(solver.best_objective_bound) / unit
    if not proven and value < hint.value:
        # On large backlogs the solver may stop below its own hint: keep the better schedule.
        return hint.model_copy(update={
            "method": "heuristic (CP-SAT found nothing better within the time limit)",
            "optimal": False, "upper_bound": bound, "seconds": time.perf_counter() - began})
    return Schedule(
        starts={problem.ids[i]: int(found[i]) for i in range(n)},
        method="optimal (CP-SAT)" if proven else "best found by CP-SAT within the time limit",
        value=value,
        optimal=proven,
        upper_bound=bound,
        seconds=time.perf_counter() - began,
    )


def _cp_model():
    try:
        from ortools.sat.python import cp_model
    except ImportError as err:
        raise SolverUnavailableError(
            "The optimal baseline needs OR-Tools (CP-SAT), which is not installed.",
            hint=f"Install the optional extra: {INSTALL_SOLVER}. The heuristic sequencer "
            "works without it.",
        ) from err
    return cp_model


def _integral(loads: np.ndarray, cap: float) -> tuple[list[int], int]:
    """Scale loads and capacity to integers; when no small scale is exact, round the loads
    up and the capacity down, so the solver's schedules always fit the real capacity."""
    for scale in _SCALES:
        scaled = np.append(loads, cap) * scale
        if np.allclose(scaled, np.round(scaled), atol=1e-6):
            rounded = np.round(scaled).astype(np.int64)
            return [int(v) for v in rounded[:-1]], int(rounded[-1])
    scale = _SCALES[-1]
    return ([math.ceil(v * scale - 1e-6) for v in loads],
            math.floor(cap * scale + 1e-6))


def _integral_values(values: np.ndarray) -> tuple[list[int], float]:
    """Integer weights for the objective and the factor they were multiplied by."""
    top = float(values.max(initial=0.0))
    if top == 0:
        return [0] * len(values), 1.0
    if np.allclose(values, np.round(values)) and top <= 1e7:
        return [round(v) for v in values], 1.0
    unit = 1e6 / top
    return [round(v * unit) for v in values], unit
