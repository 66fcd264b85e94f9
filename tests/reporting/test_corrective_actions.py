"""Corrective actions with a history, from hand-built weekly statuses stored in a real DuckDB
warehouse and real materializations of ``corrective_actions`` (expectations worked out by hand).

Five weeks, 2026-10-19 .. 2026-11-16 (as of the Sundays 10-25 .. 11-22), site DAYTON:

- E1 (CPT, expired, due 2026-10-01) is non-compliant in weeks 1-4 and certified in week 5:
  raised in week 1 (24 days past due: overdue), escalated to the site lead from week 2 (31 days),
  carried to week 4 (4 weeks open), closed in week 5 as "certified", not on time.
- E2 (CPT, never certified, due 2026-06-01) is non-compliant every week: past 90 days, so it is
  listed for the company.
- E3 (FORKLIFT, expired, due 2026-11-10): a containment action next to the re-certify one.
- E4 (CPT, expiring 2027-01-31, renewal not secured): a renewal action, not yet due.
"""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default as default_policy

import dagster as dg
import duckdb
import pandas as pd
import pytest

from assets.delivery.message import compose_site_message
from assets.reporting.audit_findings import WeekFacts, audit_findings
from assets.reporting.corrective_actions import escalation_note
from assets.reporting.site_report import render_site_report
from assets.warehouse import connect, replace_week
from pipelines.definitions import defs
from schemas.warehouse_tables import declared_columns
from tests.delivery.support import make_summary
from tests.reporting import frames as F
from tests.reporting.pdf_reading import conformance_failures, pdf_text, squashed
from tests.week_resources import outbox_mailer, week_resources

WEEKS = ["2026-10-19", "2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16"]


def _week_rows(n: int) -> pd.DataFrame:
    """The stored certification_status of week number ``n`` (1..5)."""
    site = {"site": "DAYTON"}
    e1 = (
        F.person("E1", "Ana", "Alvarez", **site)
        if n == 5
        else F.person(
            "E1",
            "Ana",
            "Alvarez",
            status="EXPIRED",
            compliance="NON_COMPLIANT",
            expires_on="2026-10-01",
            due_date="2026-10-01",
            **site,
        )
    )
    rows = [
        e1,
        F.person(
            "E2",
            "Ben",
            "Brown",
            status="NOT_STARTED",
            compliance="NON_COMPLIANT",
            certified_on=None,
            cycle_start=None,
            expires_on=None,
            due_date="2026-06-01",
            **site,
        ),
        F.person(
            "E3",
            "Cleo",
            "Chen",
            credential="FORKLIFT",
            status="EXPIRED",
            compliance="NON_COMPLIANT",
            expires_on="2026-11-10",
            due_date="2026-11-10",
            **site,
        ),
        F.person(
            "E4",
            "Dev",
            "Diaz",
            status="EXPIRING",
            expires_on="2027-01-31",
            renewal_secured=False,
            **site,
        ),
    ]
    return F.status_frame(rows).assign(week=pd.Timestamp(WEEKS[n - 1]))


def _store_statuses(database) -> None:
    with connect(str(database)) as con:
        for n, week in enumerate(WEEKS, start=1):
            replace_week(
                con,
                "competence.certification_status",
                _week_rows(n),
                [pd.Timestamp(week)],
                declared_columns("certification_status"),
            )


def _materialize(output, weeks: list[str]) -> None:
    resources = week_resources(output, mailer=outbox_mailer(output))
    for week in weeks:
        with dg.instance_for_test() as instance:
            result = dg.materialize(
                list(defs.assets),
                selection=["corrective_actions"],
                partition_key=week,
                resources=resources,
                instance=instance,
            )
        rows = result.asset_materializations_for_node("corrective_actions")[0].metadata
        assert rows["dagster/row_count"].value > 0


def _table(output) -> pd.DataFrame:
    with duckdb.connect(str(output / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(
            "select * from competence.corrective_actions order by week, employee_id, kind"
        ).df()


@pytest.fixture(scope="module")
def in_order(tmp_path_factory):
    output = tmp_path_factory.mktemp("in_order")
    _store_statuses(output / "warehouse.duckdb")
    _materialize(output, WEEKS)
    return output


def _row(table, week, employee, kind):
    mine = table[
        (table["week"] == pd.Timestamp(week))
        & (table["employee_id"] == employee)
        & (table["kind"] == kind)
    ]
    assert len(mine) == 1, mine
    return mine.iloc[0]


def test_an_action_is_raised_carried_escalated_and_closed(in_order):
    table = _table(in_order)
    e1 = [_row(table, w, "E1", "RECERTIFY") for w in WEEKS]
    assert [r["state"] for r in e1] == ["overdue", "escalated", "escalated", "escalated", "closed"]
    assert [r["weeks_open"] for r in e1] == [1, 2, 3, 4, 4]
    assert {r["first_raised"] for r in e1} == {pd.Timestamp("2026-10-19")}
    assert [r["days_past_due"] for r in e1[:4]] == [24, 31, 38, 45]
    assert [r["escalated_to"] for r in e1[:4]] == ["", "site lead", "site lead", "site lead"]
    closed = e1[4]
    assert closed["closed_week"] == pd.Timestamp("2026-11-16")
    assert closed["closed_how"] == "certified"
    assert not closed["closed_on_time"]
    # a closed action is reported once, the week it closed: not in week 6's table
    assert len(table[table["employee_id"] == "E1"]) == 5


def test_long_overdue_goes_to_the_company_and_safety_critical_is_contained(in_order):
    table = _table(in_order)
    e2 = _row(table, WEEKS[-1], "E2", "CERTIFY")
    assert (e2["state"], e2["escalated_to"], e2["days_past_due"]) == ("escalated", "company", 174)
    contain = _row(table, WEEKS[-1], "E3", "CONTAIN")
    assert contain["action"] == "Remove from the task until re-certified"
    assert contain["credential"] == "FORKLIFT"
    assert _row(table, WEEKS[-1], "E3", "RECERTIFY")["state"] == "overdue"  # 12 days
    renew = _row(table, WEEKS[-1], "E4", "RENEW")
    assert (renew["state"], renew["due_date"]) == ("open", pd.Timestamp("2027-01-31"))
    # nobody else: a certified person with a secured or distant renewal needs nothing
    assert set(table["employee_id"]) == {"E1", "E2", "E3", "E4"}


def test_a_backfill_in_any_order_and_a_rerun_build_the_same_history(in_order, tmp_path):
    expected = _table(in_order)
    _store_statuses(tmp_path / "warehouse.duckdb")
    _materialize(tmp_path, list(reversed(WEEKS)))  # weeks that did not wait for each other
    _materialize(tmp_path, [WEEKS[2]])  # a middle week rerun after the later ones
    pd.testing.assert_frame_equal(_table(tmp_path), expected)


def test_the_site_report_shows_ages_escalation_closures_and_containment(in_order, config, ctx):
    table = _table(in_order)
    week = pd.Timestamp(WEEKS[-1])
    status = _week_rows(5).drop(columns=["week"])
    facts = WeekFacts.of(status, F.source_files(), F.rejected_rows(), F.unmatched(), config, ctx)
    pdf = render_site_report(
        "DAYTON",
        facts,
        previous_status=_week_rows(4).drop(columns=["week"]),
        compliance_history=F.history("DAYTON", 0),
        renewal_forecast=F.empty_forecast(),
        points_ledger=F.empty_ledger(),
        findings=audit_findings(facts, "DAYTON"),
        corrective_actions=table[table["week"] == week].drop(columns=["week"]),
    )
    text = squashed(pdf_text(pdf))
    assert squashed("4 open corrective action(s), of which 1 containment") in text
    assert squashed("to the site lead: Dana Whitfield, plant manager") in text
    assert squashed("Remove from the task until re-certified [FORKLIFT]") in text
    # E2: first raised in the first stored week, open 5 weeks, 174 days past due, to the company
    e2 = "Ben Brown (E2) Certify: pass every required module [CPT] 2026-10-19 5 2026-06-01 174"
    assert squashed(e2) in text
    assert squashed("1 closed since last week (0 on time)") in text
    e1 = "Ana Alvarez (E1) Re-certify: pass every required module again [CPT] 2026-10-19 4"
    assert squashed(e1) in text
    assert squashed("certified no") in text
    assert conformance_failures(pdf, "3b") == {}


def _mail_bodies(summary):
    message = compose_site_message(summary, "qm.dayton@example.com", b"%PDF-1.7")
    parsed = message_from_bytes(message.as_bytes(), policy=default_policy)
    return [parsed.get_body(preferencelist=(kind,)).get_content() for kind in ("plain", "html")]


def test_the_site_mail_names_the_site_lead_of_escalated_actions(in_order, config, tmp_path):
    table = _table(in_order)
    week4 = table[table["week"] == pd.Timestamp(WEEKS[3])]
    note = escalation_note(week4, "DAYTON", config)
    # E1 45 days past due (site lead), E2 167 days (site lead and company); E3 5 days: not yet
    assert note == (
        "2 corrective action(s) more than 30 days past due, escalated to the site lead: "
        "Dana Whitfield, plant manager (1 also listed in the company roll-up, more than 90 days)."
    )
    for body in _mail_bodies(make_summary("DAYTON", tmp_path, escalation=note)):
        assert "Escalated:" in body
        assert "escalated to the site lead: Dana Whitfield, plant manager" in body
    # no escalation at the site: the mail says nothing about one
    for body in _mail_bodies(make_summary("DAYTON", tmp_path)):
        assert "Escalated" not in body and "site lead" not in body


def test_an_unnamed_site_lead_is_called_out(in_order, config):
    table = _table(in_order)
    sites = {**config.policy.sites}
    sites["DAYTON"] = sites["DAYTON"].model_copy(update={"lead": ""})
    unnamed = config.model_copy(
        update={"policy": config.policy.model_copy(update={"sites": sites})}
    )
    note = escalation_note(table[table["week"] == pd.Timestamp(WEEKS[-1])], "DAYTON", unnamed)
    assert note.startswith("1 corrective action(s) more than 30 days past due")
    assert "escalated to the site lead: not named (set sites.DAYTON.lead in policy.yaml)" in note
    assert escalation_note(table, "GREENVILLE", config) == ""
