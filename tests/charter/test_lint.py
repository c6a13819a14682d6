"""Every coaching check: one case that triggers it, one that does not."""

from __future__ import annotations

from datetime import date

import pytest

from salesops_nb.charter import RULES, LintConfig, lint, strategic_shares
from salesops_nb.charter.model import Boundary, Kpi, Licence, Objective, Scope, Service

from .conftest import TODAY, make_clean

CONFIG = LintConfig(today=TODAY)


def _rules(charter, config=CONFIG):
    return {f.rule: f for f in lint(charter, config)}


def _no_purpose(c):
    c.purpose = c.mission = " "


def _narrow_scope(c):
    c.scope = Scope(in_scope=["CRM reports", "Commission data"],
                    boundaries=[Boundary(function="IT", area="CRM", stance="supports")])


def _no_services(c):
    c.services = []


def _unscreened(c):
    c.services = [*c.services, Service(name="Quarterly deck", service_class="strategic")]


def _lane(c):
    # Mostly tactical: 2 of 8 included services strategic (25%), 10% of capacity.
    extra = [Service(name=f"Report {i}", service_class="tactical", capacity_pct=30)
             for i in range(6)]
    c.services = [*[s for s in c.services if s.service_class == "strategic"][:2], *extra]


def _no_objectives(c):
    c.objectives = []


def _objective_without_kpi(c):
    c.objectives[0].kpis = []


def _not_tied(c):
    c.objectives[1].ties_to = ""


def _kpi_incomplete(c):
    c.objectives[0].kpis[0].baseline = None
    c.objectives[0].kpis[0].owner = ""


def _kpi_undefined(c):
    c.objectives[0].kpis[1].data_source = ""


def _no_decisions(c):
    c.decisions = []


def _two_deciders(c):
    c.decisions[0].raci = {**c.decisions[0].raci, "Finance": "A"}


def _no_sign_off(c):
    for person in c.stakeholders:
        person.sign_off = "pending"


def _no_sponsor(c):
    for person in c.stakeholders:
        person.sponsor = False


def _declined(c):
    c.stakeholders[2].sign_off = "declined"


def _no_licence(c):
    c.licence = Licence(access=["CRM"])


def _no_escalation(c):
    c.licence.escalation = ""


def _overdue(c):
    c.review_date = date(2026, 5, 31)


def _no_review_date(c):
    c.review_date = None


TRIGGERS = {
    "purpose-missing": (_no_purpose, "warning"),
    "scope-narrow": (_narrow_scope, "warning"),
    "no-services": (_no_services, "warning"),
    "unscreened-service": (_unscreened, "info"),
    "strategic-share": (_lane, "warning"),
    "strategic-capacity": (_lane, "warning"),
    "no-objectives": (_no_objectives, "warning"),
    "objective-without-kpi": (_objective_without_kpi, "error"),
    "objective-not-tied": (_not_tied, "warning"),
    "kpi-incomplete": (_kpi_incomplete, "warning"),
    "kpi-undefined": (_kpi_undefined, "info"),
    "no-decisions": (_no_decisions, "warning"),
    "decision-accountable": (_two_deciders, "error"),
    "no-sign-off": (_no_sign_off, "warning"),
    "no-sponsor": (_no_sponsor, "warning"),
    "sign-off-declined": (_declined, "warning"),
    "no-licence": (_no_licence, "error"),
    "licence-no-escalation": (_no_escalation, "warning"),
    "review-overdue": (_overdue, "warning"),
    "no-review-date": (_no_review_date, "info"),
}


def test_every_rule_has_a_triggering_case():
    assert set(TRIGGERS) == set(RULES)


@pytest.mark.parametrize("rule", sorted(TRIGGERS))
def test_rule_triggers_with_severity_and_suggestion(rule):
    charter = make_clean()
    mutate, severity = TRIGGERS[rule]
    mutate(charter)
    found = _rules(charter)
    assert rule in found, f"{rule} did not trigger; found {sorted(found)}"
    finding = found[rule]
    assert finding.severity == severity
    assert finding.section == RULES[rule][0]
    assert len(finding.suggestion) > 30  # a concrete next step, not a label


@pytest.mark.parametrize("rule", sorted(TRIGGERS))
def test_rule_does_not_trigger_on_a_complete_charter(rule):
    assert rule not in _rules(make_clean())


def test_complete_charter_has_no_findings_at_all():
    assert lint(make_clean(), CONFIG) == []


def test_staying_in_its_lane_message_states_the_aim_and_the_threshold():
    charter = make_clean()
    _lane(charter)
    by_count, by_capacity = strategic_shares(charter)
    assert by_count == pytest.approx(2 / 8)
    strategic_capacity = sum(s.capacity_pct for s in charter.services
                             if s.service_class == "strategic")
    assert by_capacity == pytest.approx(strategic_capacity / (strategic_capacity + 180))
    message = _rules(charter)["strategic-share"].message
    assert "25%" in message and "staying in its lane" in message
    assert "60%-70%" in message and "33%" in message


def test_strategic_share_between_a_third_and_the_aim_is_info_not_warning():
    charter = make_clean()
    # 3 strategic of 7 included = 43%: above the one-third warning, under the 60% aim.
    charter.services = charter.services[:7]
    share, _ = strategic_shares(charter)
    assert 1 / 3 <= share < 0.6
    assert _rules(charter)["strategic-share"].severity == "info"


def test_strategic_warning_threshold_is_configurable():
    charter = make_clean()
    charter.services = charter.services[:7]  # 3 strategic of 7: 43%
    stricter = LintConfig(strategic_warning=0.5, today=TODAY)
    assert _rules(charter, stricter)["strategic-share"].severity == "warning"


def test_exactly_one_accountable_passes_and_none_fails():
    charter = make_clean()
    charter.decisions[0].raci = {"Sales Operations": "R", "Finance": "C"}
    found = _rules(charter)["decision-accountable"]
    assert "no accountable party" in found.message and found.where == "decisions[0]"
    charter.decisions[0].raci = {"Sales Operations": "A", "Finance": "C"}
    assert "decision-accountable" not in _rules(charter)


def test_kpi_finding_names_the_missing_fields_and_where():
    charter = make_clean()
    _kpi_incomplete(charter)
    finding = _rules(charter)["kpi-incomplete"]
    assert "baseline" in finding.message and "owner" in finding.message
    assert "target" not in finding.message
    assert finding.where == "objectives[0].kpis[0]"


def test_scope_reaching_finance_through_a_boundary_is_not_narrow():
    charter = make_clean()
    _narrow_scope(charter)
    charter.scope.boundaries = [Boundary(function="Finance", area="Pricing", stance="influences")]
    assert "scope-narrow" not in _rules(charter)


def test_scope_naming_the_selling_system_is_not_narrow():
    charter = make_clean()
    _narrow_scope(charter)
    charter.scope.in_scope = ["Deficiencies anywhere in the selling system"]
    assert "scope-narrow" not in _rules(charter)


def test_review_today_is_not_overdue():
    charter = make_clean()
    charter.review_date = TODAY
    assert "review-overdue" not in _rules(charter)


def test_findings_come_errors_first():
    charter = make_clean()
    _no_licence(charter)
    _overdue(charter)
    _kpi_undefined(charter)
    severities = [f.severity for f in lint(charter, CONFIG)]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)
    assert severities[0] == "error"


def test_objective_added_by_hand_without_kpi_is_an_error():
    charter = make_clean()
    charter.objectives = [*charter.objectives, Objective(title="Be great", ties_to="revenue")]
    errors = [f for f in lint(charter, CONFIG) if f.severity == "error"]
    assert [f.where for f in errors] == [f"objectives[{len(charter.objectives) - 1}]"]


def test_kpi_with_everything_is_complete():
    charter = make_clean()
    charter.objectives[0].kpis = [Kpi(name="Win rate", definition="won/closed", baseline=20,
                                      target=25, due=date(2027, 1, 1), owner="CRO",
                                      data_source="CRM")]
    assert not {"kpi-incomplete", "kpi-undefined"} & set(_rules(charter))
