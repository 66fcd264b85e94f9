"""Per-person history: the view ``competence.person_history`` over the weekly tables.

One row per event in a person's record, newest last (order by ``week, event_date, kind_order``):

- ``status``: the week a (person, credential) row first appears or its status or compliance
  changes from the previous stored week, with the cause (revoked, exempted, certified, expired,
  grace ended, left the requirement...);
- ``action``: the corrective actions of the ``corrective_actions`` table, which is the authority
  when it exists (:func:`action_table_sql`): each action raised (the week first raised, what and
  by when), escalated (the first week it went to the site lead, and to the company) and closed
  (the week, how, on time or late, weeks open). Without that table — and for the weeks before the
  earliest action it holds, in a warehouse from an older version — actions are derived from the
  stored ``certification_status``: raised when compliance became GRACE or NON_COMPLIANT, closed
  when it left them;
- ``record``: every assessment result and continuing-education activity linked to the person,
  in the week it was first stored, with its file and row;
- ``decision``: exemptions and revocations, in the week they were first stored.

The view is created (or replaced) by :func:`ensure_person_history` whenever the warehouse stores
``certification_status`` and on first use by ``competence person``; columns a warehouse from an
older version lacks are read as empty. No Dagster here: plain DuckDB SQL.
"""

from __future__ import annotations

import duckdb

SCHEMA = "competence"
VIEW = f"{SCHEMA}.person_history"
HISTORY_COLUMNS = (
    "employee_id",
    "week",
    "event_date",
    "kind",
    "credential",
    "what",
    "cause",
    "source",
)


def action_table_sql() -> str:
    """The action events of the ``corrective_actions`` table: HISTORY_COLUMNS plus kind_order.

    An action is one episode of (person, credential, kind, first raised); its rows in the weekly
    tables give the week it was raised, the first week it escalated to each level and the week
    it closed. Dates are the as-of Sundays of those weeks; in a week, an escalation prints
    after the raise.
    """
    table = f"{SCHEMA}.corrective_actions"
    episode = "employee_id, credential, kind, first_raised"
    return f"""
        select employee_id, first_raised as week, first_raised + interval 6 day as event_date,
            'action' as kind, credential,
            'raised: ' || arg_min(action, week) || coalesce(', due '
                || strftime(arg_min(due_date, week), '%Y-%m-%d'), '') as what,
            'corrective action ' || kind as cause,
            'corrective_actions' as source, 2 as kind_order
        from {table} group by {episode}
        union all
        select employee_id, min(week) as week, min(week) + interval 6 day as event_date,
            'action' as kind, credential,
            'escalated to the ' || escalated_to || ': ' || arg_min(action, week) as what,
            cast(arg_min(days_past_due, week) as varchar) || ' days past due '
                || coalesce('(due ' || strftime(arg_min(due_date, week), '%Y-%m-%d') || ')', '')
                as cause,
            'corrective_actions' as source, 2.5 as kind_order
        from {table} where state = 'escalated' and escalated_to <> ''
        group by {episode}, escalated_to
        union all
        select employee_id, closed_week as week, closed_week + interval 6 day as event_date,
            'action' as kind, credential,
            'closed: ' || any_value(action) || ' — ' || any_value(closed_how) as what,
            case when bool_or(closed_on_time) then 'on time' else 'late' end
                || coalesce(' (due ' || strftime(any_value(due_date), '%Y-%m-%d') || ')', '')
                || ', ' || cast(any_value(weeks_open) as varchar) || ' week(s) open' as cause,
            'corrective_actions' as source, 2 as kind_order
        from {table} where state = 'closed' group by {episode}, closed_week"""


_OPTIONAL = {
    "certification_status": (
        "exemption_reason",
        "exemption_approved_by",
        "exemption_until",
        "revoked_on",
        "revocation_reason",
        "evidence_record_ids",
    ),
}


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ?",
        [SCHEMA, table],
    ).fetchall()
    return {r[0] for r in rows}


def _status_sql(present: set[str]) -> str:
    def col(name: str, cast: str = "varchar") -> str:
        return name if name in present else f"cast(null as {cast}) as {name}"

    optional = ", ".join(
        col(c, "timestamp" if c in {"exemption_until", "revoked_on"} else "varchar")
        for c in _OPTIONAL["certification_status"]
    )
    return f"""
    s as (
        select employee_id, credential, week, as_of, status, compliance, due_date,
               certified_on, expires_on, {optional},
               lag(status) over w as prev_status,
               lag(compliance) over w as prev_compliance,
               lag(certified_on) over w as prev_certified_on
        from {SCHEMA}.certification_status
        window w as (partition by employee_id, credential order by week)
    ),
    status_events as (
        select employee_id, week, as_of as event_date, 'status' as kind, credential,
            coalesce(prev_status || ' ' || prev_compliance || ' -> ', '')
                || status || ' ' || compliance as what,
            case
                when prev_status is null then 'first week on record'
                when revoked_on is not null and prev_status in ('CERTIFIED', 'EXPIRING')
                     and status = 'EXPIRED'
                    then 'revoked on ' || strftime(revoked_on, '%Y-%m-%d') || ': '
                         || coalesce(revocation_reason, '')
                when compliance = 'EXEMPT'
                    then 'exempted: ' || coalesce(exemption_reason, '') || ' (approved by '
                         || coalesce(exemption_approved_by, '') || ', until '
                         || coalesce(strftime(exemption_until, '%Y-%m-%d'), 'no end date') || ')'
                when prev_compliance = 'EXEMPT'
                    then 'exemption ended'
                         || coalesce(' ' || strftime(exemption_until, '%Y-%m-%d'), '')
                when certified_on is not null and certified_on is distinct from prev_certified_on
                    then 'certified on ' || strftime(certified_on, '%Y-%m-%d')
                when status = 'EXPIRED' and prev_status <> 'EXPIRED'
                    then 'expired on ' || coalesce(strftime(expires_on, '%Y-%m-%d'), '?')
                when status = 'EXPIRING' and prev_status = 'CERTIFIED'
                    then 'expiry ' || strftime(expires_on, '%Y-%m-%d') || ' is near'
                when prev_compliance = 'GRACE' and compliance = 'NON_COMPLIANT'
                    then 'new-hire grace ended ' || strftime(due_date, '%Y-%m-%d')
                when compliance = 'NOT_REQUIRED' then 'the role no longer requires it'
                when prev_compliance = 'NOT_REQUIRED' then 'the role now requires it'
                else 'evidence changed (see the records)'
            end as cause,
            'certification_status' as source, 1 as kind_order
        from s
        where prev_status is null or status <> prev_status or compliance <> prev_compliance
    ),
    action_events as (
        select employee_id, week, as_of as event_date, 'action' as kind, credential,
            case when compliance in ('GRACE', 'NON_COMPLIANT')
                 then 'raised: ' || case when status = 'EXPIRED' then 're-certify' else 'certify'
                      end || ', due ' || coalesce(strftime(due_date, '%Y-%m-%d'), '?')
                 else 'closed: now ' || compliance end as what,
            case when compliance in ('GRACE', 'NON_COMPLIANT')
                 then 'compliance ' || compliance
                 else 'compliance ' || coalesce(prev_compliance, '?') || ' -> ' || compliance
            end as cause,
            'certification_status' as source, 2 as kind_order
        from s
        where (compliance in ('GRACE', 'NON_COMPLIANT')
               and (prev_compliance is null or prev_compliance not in ('GRACE', 'NON_COMPLIANT')))
           or (prev_compliance in ('GRACE', 'NON_COMPLIANT')
               and compliance not in ('GRACE', 'NON_COMPLIANT'))
    )"""


def _records_sql(tables: set[str]) -> list[str]:
    parts = []
    if "assessment_results" in tables:
        parts.append(f"""
        select person_id as employee_id, min(week) as week,
            any_value(assessment_date) as event_date, 'record' as kind,
            cast(null as varchar) as credential,
            any_value(module) || ' ' || case when any_value(passed) then 'passed' else 'failed'
                end || coalesce(' (score ' || cast(any_value(score) as varchar) || ')', '')
                || ': ' || provider || ' ' || record_id as what,
            'linked by ' || coalesce(any_value(match_method), '?') as cause,
            any_value(source_file) || ' row ' || cast(any_value(source_row) as varchar) as source,
            3 as kind_order
        from {SCHEMA}.assessment_results where person_id is not null
        group by person_id, provider, record_id""")
    if "ce_activities" in tables:
        parts.append(f"""
        select person_id as employee_id, min(week) as week,
            activity_date as event_date, 'record' as kind, cast(null as varchar) as credential,
            activity_type || coalesce(' ' || cast(any_value(hours) as varchar) || ' h', '')
                || coalesce(' ' || cast(any_value(points) as varchar) || ' points', '')
                || coalesce(': ' || evidence_ref, '') as what,
            'continuing education' as cause,
            any_value(source_file) || ' row ' || cast(any_value(source_row) as varchar) as source,
            3 as kind_order
        from {SCHEMA}.ce_activities where person_id is not null
        group by person_id, activity_date, activity_type, evidence_ref""")
    if "exemptions" in tables:
        parts.append(f"""
        select employee_id, min(week) as week, valid_from as event_date, 'decision' as kind,
            credential,
            'exemption from ' || strftime(valid_from, '%Y-%m-%d') || ' until '
                || coalesce(strftime(any_value(valid_until), '%Y-%m-%d'), 'no end date') as what,
            any_value(reason) || ' (approved by ' || any_value(approved_by) || ')' as cause,
            any_value(source_file) || ' row ' || cast(any_value(source_row) as varchar) as source,
            0 as kind_order
        from {SCHEMA}.exemptions group by employee_id, credential, valid_from""")
    if "revocations" in tables:
        parts.append(f"""
        select employee_id, min(week) as week, revoked_on as event_date, 'decision' as kind,
            credential, 'revoked from ' || strftime(revoked_on, '%Y-%m-%d') as what,
            any_value(reason) || ' (by ' || any_value(revoked_by) || ')' as cause,
            any_value(source_file) || ' row ' || cast(any_value(source_row) as varchar) as source,
            0 as kind_order
        from {SCHEMA}.revocations group by employee_id, credential, revoked_on""")
    return parts


def person_history_sql(
    con: duckdb.DuckDBPyConnection, actions_since: str | None = None
) -> str | None:
    """The view's SELECT for the tables this warehouse holds; None without certification_status.

    ``actions_since`` (ISO date) stands for the ``corrective_actions`` table's earliest action
    when ``con`` holds only some of its rows (one person's, copied from PostgreSQL)."""
    tables = {
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = ?", [SCHEMA]
        ).fetchall()
    }
    if "certification_status" not in tables:
        return None
    derived = "select * from action_events"
    selects = ["select * from status_events", *_records_sql(tables)]
    if "corrective_actions" in tables:
        # the table speaks for the weeks from its earliest action on; before, derive them
        since = f"select min(first_raised) from {SCHEMA}.corrective_actions"
        if actions_since is not None:
            since = f"select timestamp '{actions_since}'"
        derived += f" where week < coalesce(({since}), timestamp '9999-12-31')"
        selects.append(action_table_sql())
    selects.insert(1, derived)
    columns = ", ".join(HISTORY_COLUMNS)
    union = "\n        union all ".join(f"({s})" for s in selects)
    return (
        f"with {_status_sql(_columns(con, 'certification_status'))}\n"
        f"select {columns} from ({union}) "
        "order by employee_id, week, event_date, kind_order, credential, what"
    )


def ensure_person_history(con: duckdb.DuckDBPyConnection, actions_since: str | None = None) -> bool:
    """Create or replace ``competence.person_history``; False when there is nothing to view."""
    sql = person_history_sql(con, actions_since)
    if sql is None:
        return False
    con.execute(f"create or replace view {VIEW} as {sql}")
    return True
