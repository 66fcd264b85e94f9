"""Effectiveness of training (ISO 9001 7.2 c) on hand-built histories: every figure worked out
by hand, the 7.2 c observation raised and not raised, too few attempts, and the section read
back from a real rendered PDF."""

from __future__ import annotations

import pandas as pd
import pytest

from assets.reporting.audit_findings import WeekFacts, audit_findings
from assets.reporting.site_report import render_site_report
from assets.reporting.training_effectiveness import training_effectiveness
from tests.reporting import frames as F
from tests.reporting.pdf_reading import attachments, pdf_text, squashed

WEEK = F.WEEK  # 2026-11-16; as of 2026-11-22; 12 weeks from 2026-08-31, 52 from 2025-11-24
REQUIRED = {"CPT": ["SAFETY", "QUALITY"]}


def attempt(person, module, day, passed, record, provider="acme"):
    return {
        "person_id": person,
        "provider": provider,
        "module": module,
        "record_id": record,
        "assessment_date": pd.Timestamp(day),
        "passed": passed,
    }


def roster(*people, site="S1"):
    return pd.DataFrame({"employee_id": list(people), "site": [site] * len(people)})


def status(*rows):
    columns = ["employee_id", "site", "credential", "status", "certified_on", "cycle_start"]
    columns += ["expires_on", "hire_date", "revoked_on"]
    frame = pd.DataFrame([dict(zip(columns, r, strict=True)) for r in rows], columns=columns)
    for column in columns[4:]:
        frame[column] = pd.to_datetime(frame[column])
    return frame


NO_STATUS = status()
NO_ACTIONS = pd.DataFrame()

# Three people, five SAFETY attempts at acme inside 12 weeks: E1 fails then passes, E2 passes,
# E3 fails twice. First attempts: 1 passed of 3. Attempts per pass: 5 attempts / 2 passes = 2.5.
# Not counted: E4's attempt after the as-of date, a record linked to nobody, and E5 who is not
# on the week's roster. E6 passed first time in 2026-01 (inside 52 weeks, not 12).
SAFETY_ATTEMPTS = pd.DataFrame(
    [
        attempt("E1", "SAFETY", "2026-10-01", False, "1"),
        attempt("E1", "SAFETY", "2026-10-15", True, "2"),
        attempt("E2", "SAFETY", "2026-10-02", True, "3"),
        attempt("E3", "SAFETY", "2026-10-03", False, "4"),
        attempt("E3", "SAFETY", "2026-10-10", False, "5"),
        attempt("E4", "SAFETY", "2026-11-23", False, "6"),
        attempt(None, "SAFETY", "2026-10-05", False, "7"),
        attempt("E5", "SAFETY", "2026-10-05", False, "8"),
        attempt("E6", "SAFETY", "2026-01-12", True, "9"),
    ]
)
ON_ROSTER = roster("E1", "E2", "E3", "E4", "E6")


def table(results=SAFETY_ATTEMPTS, people=ON_ROSTER, rows=NO_STATUS, actions=NO_ACTIONS, m=3):
    return training_effectiveness(results, people, rows, actions, WEEK, m, REQUIRED)


def measure(frame, name, weeks, **keys):
    rows = frame[(frame["measure"] == name) & (frame["window_weeks"] == weeks)]
    for key, value in keys.items():
        rows = rows[rows[key] == value]
    [row] = rows.to_dict("records")
    return row


def test_first_attempt_pass_rate_and_attempts_per_pass_by_hand():
    t = table()
    first12 = measure(t, "first_attempt_pass_rate", 12, provider="acme", module="SAFETY")
    assert (first12["count"], first12["sample"]) == (1, 3)
    assert first12["value"] == pytest.approx(1 / 3)
    assert first12["judged"] and first12["note"] == ""
    assert first12["window_start"] == pd.Timestamp("2026-08-31")
    assert first12["window_end"] == pd.Timestamp("2026-11-22")
    first52 = measure(t, "first_attempt_pass_rate", 52, provider="acme", module="SAFETY")
    assert (first52["count"], first52["sample"]) == (2, 4)  # E6's first-time pass joins
    per_pass = measure(t, "attempts_per_pass", 12, provider="acme", module="SAFETY")
    assert (per_pass["sample"], per_pass["count"], per_pass["value"]) == (5, 2, 2.5)
    assert measure(t, "attempts_per_pass", 52, module="SAFETY")["value"] == 2.0  # 6 / 3
    assert set(t["site"]) == {"S1"}


def test_first_attempt_is_per_provider_that_examined_it():
    results = pd.DataFrame(
        [
            attempt("E1", "QUALITY", "2026-10-01", False, "a1", provider="acme"),
            attempt("E1", "QUALITY", "2026-10-20", True, "b1", provider="beta"),
            attempt("E2", "QUALITY", "2026-10-02", True, "b2", provider="beta"),
        ]
    )
    t = table(results=results)
    acme = measure(t, "first_attempt_pass_rate", 12, provider="acme", module="QUALITY")
    beta = measure(t, "first_attempt_pass_rate", 12, provider="beta", module="QUALITY")
    assert (acme["count"], acme["sample"]) == (0, 1)
    assert (beta["count"], beta["sample"]) == (1, 1)  # E1's retake at beta is no first attempt
    assert measure(t, "attempts_per_pass", 12, provider="beta")["value"] == 1.0


def test_too_few_attempts_are_counted_but_not_judged():
    t = table(m=4)
    first12 = measure(t, "first_attempt_pass_rate", 12, module="SAFETY")
    assert not first12["judged"]
    assert first12["note"] == "too few attempts to judge"
    assert (first12["count"], first12["sample"]) == (1, 3)
    assert measure(t, "first_attempt_pass_rate", 52, module="SAFETY")["judged"]  # 4 attempts


def test_median_days_from_hire_to_first_certification():
    # A 60, B 120, C 270 days from hire; D arrived certified; E re-certified after a lapse
    def passes(person, first, second):
        return [
            attempt(person, "SAFETY", first, True, f"{person}s"),
            attempt(person, "QUALITY", second, True, f"{person}q"),
        ]

    results = pd.DataFrame(
        passes("A", "2026-02-01", "2026-03-02")
        + passes("B", "2026-04-01", "2026-05-01")
        + passes("C", "2026-09-28", "2026-09-01")
        + passes("D", "2025-12-01", "2025-12-15")
        + passes("E", "2019-01-01", "2019-02-01")
        + [attempt("E", "SAFETY", "2026-06-01", True, "Es2")]
        + [attempt("E", "QUALITY", "2026-06-15", True, "Eq2")]
    )
    rows = status(
        (
            "A",
            "S1",
            "CPT",
            "CERTIFIED",
            "2026-03-02",
            "2026-03-02",
            "2031-03-02",
            "2026-01-01",
            None,
        ),
        (
            "B",
            "S1",
            "CPT",
            "CERTIFIED",
            "2026-05-01",
            "2026-05-01",
            "2031-05-01",
            "2026-01-01",
            None,
        ),
        (
            "C",
            "S1",
            "CPT",
            "CERTIFIED",
            "2026-09-28",
            "2026-09-28",
            "2031-09-28",
            "2026-01-01",
            None,
        ),
        (
            "D",
            "S1",
            "CPT",
            "CERTIFIED",
            "2025-12-15",
            "2025-12-15",
            "2030-12-15",
            "2026-02-01",
            None,
        ),
        (
            "E",
            "S1",
            "CPT",
            "CERTIFIED",
            "2026-06-15",
            "2026-06-15",
            "2031-06-15",
            "2018-06-01",
            None,
        ),
    )
    t = table(results=results, people=roster(*"ABCDE"), rows=rows)
    year = measure(t, "days_hire_to_certification", 52, credential="CPT")
    assert (year["value"], year["sample"], year["judged"]) == (120.0, 3, True)
    quarter = measure(t, "days_hire_to_certification", 12, credential="CPT")
    assert (quarter["value"], quarter["sample"]) == (270.0, 1)
    assert quarter["note"] == "too few certifications to judge"
    assert pd.isna(year["provider"]) and pd.isna(year["module"])


def test_share_of_renewals_secured_before_expiry():
    rows = status(
        # R1 renewed: its new cycle started on the old expiry date, 2026-10-01
        (
            "R1",
            "S1",
            "CPT",
            "CERTIFIED",
            "2021-10-01",
            "2026-10-01",
            "2031-10-01",
            "2015-01-01",
            None,
        ),
        # R2 expired on 2026-09-15 without renewal; R5 on 2026-03-01 (in 52 weeks, not 12)
        (
            "R2",
            "S1",
            "CPT",
            "EXPIRED",
            "2021-09-15",
            "2021-09-15",
            "2026-09-15",
            "2015-01-01",
            None,
        ),
        (
            "R5",
            "S1",
            "CPT",
            "EXPIRED",
            "2021-03-01",
            "2021-03-01",
            "2026-03-01",
            "2015-01-01",
            None,
        ),
        # R3 revoked (not a renewal missed), R4 expired before the 52 weeks
        (
            "R3",
            "S1",
            "CPT",
            "EXPIRED",
            "2021-01-01",
            "2021-01-01",
            "2026-10-20",
            "2015-01-01",
            "2026-10-20",
        ),
        (
            "R4",
            "S1",
            "CPT",
            "EXPIRED",
            "2020-01-01",
            "2020-01-01",
            "2025-01-01",
            "2015-01-01",
            None,
        ),
        # R6 certified for the first time: no renewal in question
        (
            "R6",
            "S1",
            "CPT",
            "CERTIFIED",
            "2026-10-05",
            "2026-10-05",
            "2031-10-05",
            "2015-01-01",
            None,
        ),
    )
    t = table(results=SAFETY_ATTEMPTS.iloc[:0], people=roster("R1"), rows=rows, m=2)
    quarter = measure(t, "renewals_secured_before_expiry", 12, credential="CPT")
    assert (quarter["count"], quarter["sample"], quarter["value"]) == (1, 2, 0.5)
    year = measure(t, "renewals_secured_before_expiry", 52, credential="CPT")
    assert (year["count"], year["sample"]) == (1, 3)
    assert year["value"] == pytest.approx(1 / 3)


def test_corrective_actions_closed_on_time():
    def action(employee, state, closed_week, how, on_time, week="2026-11-09", kind="CERTIFY"):
        return {
            "week": pd.Timestamp(week),
            "site": "S1",
            "employee_id": employee,
            "credential": "CPT",
            "kind": kind,
            "first_raised": pd.Timestamp("2026-01-05"),
            "state": state,
            "closed_week": pd.Timestamp(closed_week) if closed_week else pd.NaT,
            "closed_how": how,
            "closed_on_time": on_time,
        }

    actions = pd.DataFrame(
        [
            action("A1", "closed", "2026-11-09", "certified", True),
            action("A2", "closed", "2026-10-05", "renewed", False, week="2026-10-05", kind="RENEW"),
            action("A3", "closed", "2026-10-12", "left the company", False, week="2026-10-12"),
            action("A4", "overdue", None, "", None),
            action("A5", "closed", "2026-11-23", "certified", True, week="2026-11-23"),  # later
        ]
    )
    t = table(results=SAFETY_ATTEMPTS.iloc[:0], actions=actions, m=1)
    quarter = measure(t, "actions_closed_on_time", 12, credential="CPT")
    assert (quarter["count"], quarter["sample"], quarter["value"]) == (1, 2, 0.5)


def _grade(config, ctx, effectiveness):
    rows = F.status_frame([F.person("E1", "Ada", "Quinn")])
    findings = audit_findings(
        WeekFacts.of(
            rows,
            F.source_files(),
            F.rejected_rows(),
            F.unmatched(),
            config,
            ctx,
            effectiveness=effectiveness,
        ),
        "S1",
    )
    return findings.set_index("clause").loc["7.2 c)"]


def _many(passed_first: int, people: int, provider="acme", module="SAFETY"):
    return pd.DataFrame(
        [
            attempt(f"P{i}", module, "2026-06-01", i < passed_first, f"{provider}{i}", provider)
            for i in range(people)
        ]
    )


def test_low_first_attempt_rate_raises_the_7_2_c_observation(config, ctx):
    # 4 of 12 first attempts passed over 52 weeks: 33% < 60%, from 12 >= 10 attempts
    results = pd.concat([_many(4, 12), _many(11, 12, provider="beta", module="QUALITY")])
    people = roster(*(f"P{i}" for i in range(12)))
    t = training_effectiveness(results, people, NO_STATUS, NO_ACTIONS, WEEK, 10, REQUIRED)
    finding = _grade(config, ctx, t)
    assert finding["verdict"] == "OBSERVATION"
    assert (
        "SAFETY at acme: 4 of 12 first attempts passed (33%) in the 52 weeks 2025-11-24 to "
        "2026-11-22" in finding["statement"]
    )
    assert "below the 60% policy minimum" in finding["statement"]
    assert "beta" not in finding["statement"]  # 11 of 12 is fine
    assert "1 module(s) below 60% first-attempt pass" in finding["evidence"]


def test_no_observation_when_the_rate_is_fine_or_from_too_few_attempts(config, ctx):
    good = _many(8, 12)  # 67% >= 60%
    people = roster(*(f"P{i}" for i in range(12)))
    t = training_effectiveness(good, people, NO_STATUS, NO_ACTIONS, WEEK, 10, REQUIRED)
    assert _grade(config, ctx, t)["verdict"] == "CONFORMS"
    few = _many(1, 9)  # 11%, but only 9 first attempts
    t = training_effectiveness(few, people, NO_STATUS, NO_ACTIONS, WEEK, 10, REQUIRED)
    finding = _grade(config, ctx, t)
    assert finding["verdict"] == "CONFORMS" and finding["statement"] == ""


def test_the_section_reads_back_from_the_rendered_pdf(config, ctx):
    results = pd.concat([_many(4, 12), SAFETY_ATTEMPTS.assign(provider="beta")])
    people = pd.concat([roster(*(f"P{i}" for i in range(12))), ON_ROSTER])
    t = training_effectiveness(results, people, NO_STATUS, NO_ACTIONS, WEEK, 10, REQUIRED)
    rows = F.status_frame([F.person("E1", "Ada", "Quinn")])
    pdf = render_site_report(
        "S1",
        WeekFacts.of(
            rows, F.source_files(), F.rejected_rows(), F.unmatched(), config, ctx, effectiveness=t
        ),
        previous_status=rows.iloc[:0],
        compliance_history=F.history("S1", 4),
        renewal_forecast=F.empty_forecast(),
        points_ledger=F.empty_ledger(),
        findings=_grade(config, ctx, t).to_frame().T.reset_index(names="clause"),
    )
    text = squashed(pdf_text(pdf))
    assert squashed("Effectiveness of training") in text
    # acme over 52 weeks: flagged below the minimum, with its counts
    assert squashed("4 of 12 first attempts passed 33%") in text
    assert squashed("12 attempts, 4 passes 3.00 per pass") in text
    # beta: 3 first attempts in 12 weeks, 4 in 52 weeks: too few to judge, counts shown
    assert squashed("1 of 3 first attempts passed too few attempts to judge") in text
    assert squashed("2 of 4 first attempts passed too few attempts to judge") in text
    assert squashed("below 60% is an observation under 7.2 c): 1 this week") in text
    csv = attachments(pdf)["effectiveness.csv"].decode()
    assert csv.splitlines()[0].startswith("site,provider,module,credential,window_weeks")
    assert len(csv.splitlines()) == 1 + len(t)


def test_hire_to_certification_counts_no_one_who_never_passed_every_module():
    """The first-certification lookup with nobody certified (no SAFETY and QUALITY passes) and
    with a status row of another credential: no hire-to-certification figure at all, while
    the renewals of the same rows are still counted."""
    only_safety = pd.DataFrame([attempt("A", "SAFETY", "2026-02-01", True, "As")])
    row = ("A", "S1", "CPT", "CERTIFIED", "2026-03-02", "2026-03-02", "2031-03-02")
    other = ("A", "S1", "FORK", "CERTIFIED", "2026-03-02", "2026-06-01", "2027-06-01")
    t = table(
        results=only_safety,
        people=roster("A"),
        rows=status((*row, "2026-01-01", None), (*other, "2026-01-01", None)),
    )
    assert t[t["measure"] == "days_hire_to_certification"].empty
    renewed = measure(t, "renewals_secured_before_expiry", 52, credential="FORK")
    assert (renewed["count"], renewed["sample"]) == (1, 1)
