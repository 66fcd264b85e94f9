"""The configuration is loaded once per run, when the resources start, and pinned to the run.

Real runs: the in-process executor (one load, the fingerprint recorded as a run tag), the
multiprocess executor with the configuration edited between two steps of one run (the second
step's process refuses it), and a run whose configuration is broken (it fails before any step,
with the configuration error as its message).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from assets.config_pin import CONFIG_TAG
from assets.resources import CompetenceSettings
from pipelines.run_outcome import outcome_of
from schemas.config import load_config
from tests.pipelines.config_pin_job import first_step, second_step

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(ROOT / "config", target)
    return target


def test_a_run_records_the_fingerprint_of_the_configuration_it_started_with(config_dir, tmp_path):
    expected = load_config(config_dir).config_hash
    settings = CompetenceSettings(config_dir=str(config_dir), output_dir=str(tmp_path / "var"))
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [first_step, second_step],
            resources={"settings": settings, "io_manager": dg.FilesystemIOManager(
                base_dir=str(tmp_path / "io"))},
            instance=instance,
        )  # fmt: skip
        tags = instance.get_run_by_id(result.run_id).tags
    assert result.output_for_node("second_step") == "Acme Precision Manufacturing"
    # in one process the configuration is loaded once: the edit made by the first step is not
    # seen by the second, which runs under the fingerprint the run started with
    assert tags[CONFIG_TAG] == expected
    assert load_config(config_dir).config_hash != expected  # the file did change


def test_a_step_process_refuses_a_configuration_edited_since_the_run_started(
    config_dir, tmp_path, monkeypatch
):
    monkeypatch.setenv("COMPETENCE_CONFIG_DIR", str(config_dir))
    monkeypatch.setenv("COMPETENCE_OUTPUT_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("COMPETENCE_LANDING_DIR", str(tmp_path / "landing"))
    started_with = load_config(config_dir).config_hash
    (tmp_path / "home").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "home")) as instance:
        from tests.pipelines.config_pin_job import config_pin_job

        # not entered as a context: that would start the resources again here, to load outputs
        result = dg.execute_job(dg.reconstructable(config_pin_job), instance=instance)
        events, run_id = result.all_events, result.run_id
        tags = instance.get_run_by_id(run_id).tags
    assert not result.success
    now = load_config(config_dir).config_hash
    outcome = outcome_of(events)
    steps = {e.step_key for e in events if e.event_type == dg.DagsterEventType.STEP_SUCCESS}
    assert steps == {"first_step"}  # the second step never ran its body
    assert tags[CONFIG_TAG] == started_with  # the pin is not moved by the refusing process
    assert outcome.first_error == (
        f"the configuration changed while run {run_id[:8]} was running: its first step used "
        f"configuration {started_with[:12]}, the files now hash to {now[:12]}; a week is never "
        "computed from two configurations, so this step stops. Rerun the week to use the "
        "configuration as it is now"
    )


def test_a_broken_configuration_fails_the_run_before_any_step_with_its_message(
    config_dir, tmp_path
):
    policy = config_dir / "policy.yaml"
    policy.write_text(policy.read_text("utf-8") + "\ntimezone: Europe\n", "utf-8")
    settings = CompetenceSettings(config_dir=str(config_dir), output_dir=str(tmp_path / "var"))
    result = dg.materialize(
        [first_step, second_step],
        resources={"settings": settings, "io_manager": dg.FilesystemIOManager(
            base_dir=str(tmp_path / "io"))},
        raise_on_error=False,
    )  # fmt: skip
    outcome = outcome_of(result.all_events)
    assert not result.success
    assert not [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_START]
    assert outcome.first_error == f"{policy}: invalid configuration"
    assert "key 'timezone' = 'Europe': Value error, unknown IANA timezone 'Europe'" in (
        outcome.full_error
    )
    assert "Traceback" not in outcome.full_error
