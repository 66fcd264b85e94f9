"""Recomputing a week names the later weeks whose issued reports it put out of date.

First on real Dagster materializations of stand-in assets carrying the pipeline's asset keys
and weeks (the detection reads only the instance's event log, so this is what it sees of any
run); then through ``competence run`` and ``competence status`` on the tiny landing.
"""

from __future__ import annotations

import dagster as dg
import pytest

from assets.partitions import weekly_partitions
from pipelines.reissue import reissue_advice, superseded_weeks
from tests.pipelines.cli_support import cli_env, competence, tiny_landing

W1, W2, W3, W4 = "2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16"


def _stand_ins(*names: str) -> list[dg.AssetsDefinition]:
    def make(name: str) -> dg.AssetsDefinition:
        @dg.asset(name=name, partitions_def=weekly_partitions)
        def stand_in() -> None:
            return None

        return stand_in

    return [make(name) for name in names]


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


def _week(instance, week: str, *assets: str) -> None:
    """Materialize ``assets`` of ``week``, in order, as one run."""
    result = dg.materialize(_stand_ins(*assets), instance=instance, partition_key=week)
    assert result.success


def test_a_recomputed_week_supersedes_the_later_weeks_issued_before_it_and_no_others(instance):
    for week in (W1, W2, W3, W4):  # a backfill, oldest first: nothing out of date
        _week(instance, week, "certification_status", "site_report_pdfs")
    assert superseded_weeks(instance) == []

    _week(instance, W2, "certification_status", "site_report_pdfs")  # W2 recomputed
    found = superseded_weeks(instance)
    assert [(s.week, s.recomputed) for s in found] == [(W3, W2), (W4, W2)]
    assert found[0].recomputed_at > found[0].issued_at

    # reissuing W3 brings it up to date, and W4 now looks back on both W2 and W3: the newest
    _week(instance, W3, "certification_status", "site_report_pdfs")
    assert [(s.week, s.recomputed) for s in superseded_weeks(instance)] == [(W4, W3)]
    _week(instance, W4, "certification_status", "site_report_pdfs")
    assert superseded_weeks(instance) == []


def test_only_tables_a_report_reads_of_earlier_weeks_count(instance):
    for week in (W1, W2):
        _week(instance, week, "roster_snapshot", "site_report_pdfs")
    _week(instance, W1, "email_delivery")  # a mail re-sent: the history did not change
    assert superseded_weeks(instance) == []
    _week(instance, W1, "corrective_actions")  # the actions W2's effectiveness follows did
    assert [(s.week, s.recomputed) for s in superseded_weeks(instance)] == [(W2, W1)]
    assert superseded_weeks(instance, weeks=[W1]) == []


def test_the_advice_names_each_week_and_one_command_that_reissues_them(instance):
    for week in (W1, W2, W4):
        _week(instance, week, "site_compliance", "site_report_pdfs")
    _week(instance, W1, "site_compliance")
    lines = reissue_advice(superseded_weeks(instance), just_ran=[W1])
    assert lines == [
        f"note: 2 week(s) issued earlier are out of date after week(s) {W1} were recomputed:",
        f"  {W2}: issued before week {W1} was recomputed: its since-last-week, trend and "
        "actions show the earlier figures",
        f"  {W4}: issued before week {W1} was recomputed: its since-last-week, trend and "
        "actions show the earlier figures",
        f"  reissue them (oldest first) with: competence run --week {W2} --week {W4}",
    ]


def test_competence_run_and_status_name_the_week_a_rerun_put_out_of_date(tmp_path):
    tiny_landing(tmp_path / "landing")
    env = cli_env(tmp_path)
    first, second = "2026-11-09", "2026-11-16"
    done = competence(env, "run", "--from", first, "--to", second)
    assert done.returncode == 0, done.stderr
    assert "out of date" not in done.stdout  # a backfill oldest first puts nothing out of date

    rerun = competence(env, "run", "--week", first)
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.splitlines()[1:] == [
        f"note: 1 week(s) issued earlier are out of date after week(s) {first} were recomputed:",
        f"  {second}: issued before week {first} was recomputed: its since-last-week, trend "
        "and actions show the earlier figures",
        f"  reissue them (oldest first) with: competence run --week {second}",
    ]
    status = competence(env, "status").stdout.splitlines()
    [line] = [x for x in status if x.startswith(second)]
    assert line.endswith(f"OUT OF DATE: issued before week {first} was recomputed: its "
                         "since-last-week, trend and actions show the earlier figures")  # fmt: skip
    assert status[-1] == f"  reissue them (oldest first) with: competence run --week {second}"

    again = competence(env, "run", "--week", second)
    assert again.returncode == 0 and "out of date" not in again.stdout
    assert "OUT OF DATE" not in competence(env, "status").stdout
