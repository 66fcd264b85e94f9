"""Every user mistake gets one line naming what is wrong and what to write, exit code 2, and no
traceback — checked on the installed ``competence`` command in a real subprocess.

The run date is pinned (COMPETENCE_RUN_DATE=2026-11-25), so the last complete week is 2026-11-16
whatever the machine's clock says.
"""

from __future__ import annotations

import pytest

from tests.pipelines.cli_support import cli_env, competence

USAGE = "competence run: error: argument --weeks: "

WEEK_MISTAKES = [
    (["--weeks", "0"], f"{USAGE}expected 1 or more weeks, got 0"),
    (["--weeks", "-3"], f"{USAGE}expected 1 or more weeks, got -3"),
    (["--weeks", "two"], f"{USAGE}expected a whole number of weeks, got 'two'"),
    (["--week", "2026-11-17"], "error: 2026-11-17 is a Tuesday; the week starts 2026-11-16"),
    (
        ["--week", "2026-11-23"],
        "error: week 2026-11-23 is not complete until 2026-11-30 in America/Chicago",
    ),
    (["--week", "2026/11/16"], "error: 2026/11/16 is not a date: write YYYY-MM-DD"),
    (
        ["--week", "2026-02-30"],
        "error: 2026-02-30 is not a date (day is out of range for month): write YYYY-MM-DD",
    ),
    (["--week", "2019-12-30"], "error: week 2019-12-30 is too early: weeks start at 2020-01-06"),
    (
        ["--from", "2026-11-16", "--to", "2026-11-09"],
        "error: --from 2026-11-16 is after --to 2026-11-09: the range holds no week",
    ),
    (["--from", "2026-11-10"], "error: 2026-11-10 is a Tuesday; the week starts 2026-11-09"),
    (
        ["--from", "2026-11-02", "--to", "2026-11-30"],
        "error: week 2026-11-30 is not complete until 2026-12-07 in America/Chicago",
    ),
    (["--to", "2026-11-09"], "error: --to needs --from: give the first week of the range too"),
]


@pytest.mark.parametrize(("args", "message"), WEEK_MISTAKES, ids=lambda v: " ".join(v))
def test_week_mistakes(tmp_path, args, message):
    done = competence(cli_env(tmp_path), "run", *args)
    assert done.returncode == 2
    assert message in done.stderr.splitlines()
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    # nothing was run: no warehouse, no status folder
    assert not (tmp_path / "var/warehouse.duckdb").exists()
    assert not (tmp_path / "var/status").exists()


def test_every_bad_week_is_named_at_once(tmp_path):
    done = competence(
        cli_env(tmp_path), "run", "--week", "2026-11-17", "--week", "2026-11-09", "--week", "x"
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: 2026-11-17 is a Tuesday; the week starts 2026-11-16",
        "error: x is not a date: write YYYY-MM-DD",
    ]


def test_a_week_held_back_only_by_the_run_date_says_so(tmp_path):
    done = competence(
        cli_env(tmp_path, COMPETENCE_RUN_DATE="2026-11-18"), "run", "--week", "2026-11-16"
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: week 2026-11-16 is not complete until 2026-11-23 in America/Chicago "
        "(COMPETENCE_RUN_DATE is 2026-11-18)"
    ]


ENV_MISTAKES = [
    (
        {"COMPETENCE_RUN_DATE": "2026-13-01"},
        "error: COMPETENCE_RUN_DATE = '2026-13-01': not a date (month must be in 1..12; "
        "write YYYY-MM-DD)",
    ),
    (
        {"COMPETENCE_RUN_DATE": "25.11.2026"},
        "error: COMPETENCE_RUN_DATE = '25.11.2026': not a date (write YYYY-MM-DD)",
    ),
    (
        {"COMPETENCE_ENGINE_THREADS": "abc"},
        "error: COMPETENCE_ENGINE_THREADS = 'abc': expected a whole number of threads "
        "(0 or unset = every core)",
    ),
    (
        {"COMPETENCE_EXECUTOR": "threads"},
        "error: COMPETENCE_EXECUTOR = 'threads': expected in_process, multiprocess or dask",
    ),
    (
        {"COMPETENCE_EXECUTOR": "dask"},
        "error: COMPETENCE_DASK_SCHEDULER is not set: COMPETENCE_EXECUTOR=dask needs the "
        "scheduler's address, like tcp://scheduler.internal:8786",
    ),
    (
        {"COMPETENCE_EXECUTOR": "dask", "COMPETENCE_DASK_SCHEDULER": "scheduler.internal"},
        "error: COMPETENCE_DASK_SCHEDULER = 'scheduler.internal': expected the scheduler's "
        "address as tcp://host:port (or tls://), like tcp://scheduler.internal:8786",
    ),
    (
        # a scheduler set without the executor would look scaled out and run in one process
        {"COMPETENCE_DASK_SCHEDULER": "tcp://scheduler.internal:8786"},
        "error: COMPETENCE_DASK_SCHEDULER = 'tcp://scheduler.internal:8786': used only with "
        "COMPETENCE_EXECUTOR=dask (set that too, or unset this)",
    ),
    (
        {"COMPETENCE_SMTP_PORT": "99999"},
        "error: COMPETENCE_SMTP_PORT = '99999': expected a port number between 1 and 65535",
    ),
    (
        {"COMPETENCE_SMTP_SECURITY": "ssl"},
        "error: COMPETENCE_SMTP_SECURITY = 'ssl': expected one of plain, starttls, tls",
    ),
    (
        {"COMPETENCE_MAIL_FROM": "reports"},
        "error: COMPETENCE_MAIL_FROM = 'reports': expected an e-mail address",
    ),
    (
        {"COMPETENCE_SMTP_CA_FILE": "/nonexistent/ca.pem"},
        "error: COMPETENCE_SMTP_CA_FILE = '/nonexistent/ca.pem': no such file "
        "(expected a PEM CA bundle)",
    ),
    (
        # the ledger URL may carry a password: it is shown masked
        {"COMPETENCE_LEDGER_URL": "mysql://competence:hunter2@db/x"},
        "error: COMPETENCE_LEDGER_URL = 'mysql://competence:***@db/x': expected "
        "postgresql://user@host:5432/database (or unset for the warehouse)",
    ),
    (
        {"COMPETENCE_LEDGER_URL": "postgresql://competence:hunter2@db.internal:5432"},
        "error: COMPETENCE_LEDGER_URL = 'postgresql://competence:***@db.internal:5432': name "
        "the host and the database, like postgresql://user@host:5432/database",
    ),
    (
        {"COMPETENCE_LEDGER_URL": "postgresql://competence:hun/ter@db:5432/x"},
        "error: COMPETENCE_LEDGER_URL = 'postgresql://competence:***@db:5432/x': not a valid "
        "URL (the port must be 1-65535; write / ? # @ in the password percent-encoded)",
    ),
    (
        {"COMPETENCE_LANDING_DIR": "/nonexistent/landing"},
        "error: COMPETENCE_LANDING_DIR = '/nonexistent/landing': no such folder",
    ),
    (
        {"COMPETENCE_CONFIG_DIR": "/nonexistent/config"},
        "error: COMPETENCE_CONFIG_DIR = '/nonexistent/config': no such folder",
    ),
]


@pytest.mark.parametrize(("variables", "message"), ENV_MISTAKES, ids=lambda v: str(v)[:40])
def test_environment_mistakes(tmp_path, variables, message):
    done = competence(cli_env(tmp_path, **variables), "run", "--weeks", "1")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [message]
    assert done.stdout == ""


def test_several_bad_variables_are_all_named(tmp_path):
    env = cli_env(tmp_path, COMPETENCE_ENGINE_THREADS="-1", COMPETENCE_SMTP_PORT="smtp")
    done = competence(env, "run")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: COMPETENCE_ENGINE_THREADS = '-1': expected a whole number of threads "
        "(0 or unset = every core)",
        "error: COMPETENCE_SMTP_PORT = 'smtp': expected a port number between 1 and 65535",
    ]


def test_an_unwritable_output_folder_names_the_variable_before_anything_runs(tmp_path):
    # a file where a folder should be: refused even to root (the tests may run as root, which
    # ignores permission bits)
    (tmp_path / "taken").write_text("not a folder")
    output = tmp_path / "taken" / "var"
    done = competence(cli_env(tmp_path, COMPETENCE_OUTPUT_DIR=str(output)), "run")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"error: COMPETENCE_OUTPUT_DIR = '{output}': cannot write there (Not a directory); "
        "set COMPETENCE_OUTPUT_DIR to a folder this user can write"
    ]


def test_an_unwritable_dagster_home_is_named(tmp_path):
    (tmp_path / "taken").write_text("not a folder")
    home = tmp_path / "taken" / "home"
    done = competence(cli_env(tmp_path, DAGSTER_HOME=str(home)), "status")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"error: DAGSTER_HOME = '{home}': cannot write there (Not a directory); "
        "set DAGSTER_HOME to a folder this user can write"
    ]


def test_a_bad_configuration_is_one_line_per_problem(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    done = competence(cli_env(tmp_path, COMPETENCE_CONFIG_DIR=str(config)), "run")
    assert done.returncode == 2
    # every file's problem at once (as check-config reports them), one line each
    files = ("credentials", "requirements", "providers", "recipients", "policy", "audit_criteria")
    assert sorted(done.stderr.splitlines()) == sorted(
        f"configuration error: {config}/{name}.yaml: configuration file is missing"
        for name in files
    )


def test_status_before_any_run(tmp_path):
    done = competence(cli_env(tmp_path), "status")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"no week has been run yet (DAGSTER_HOME {tmp_path / 'var/dagster_home'})"
    ]


def test_the_code_location_refuses_a_bad_variable_with_the_same_message(tmp_path):
    """`dagster asset materialize` loads the code location, which reads the variables in the same
    place as the CLI: the message is the CLI's, word for word (Dagster adds its own frame)."""
    import subprocess
    import sys
    from pathlib import Path

    from tests.conftest import PROJECT_ROOT

    env = cli_env(tmp_path, COMPETENCE_ENGINE_THREADS="abc", DAGSTER_HOME=str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    dagster = str(Path(sys.executable).parent / "dagster")
    done = subprocess.run(
        [
            dagster,
            "asset",
            "materialize",
            "-m",
            "pipelines.definitions",
            "--select",
            "*",
            "--partition",
            "2026-11-16",
        ],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode != 0
    assert (
        "COMPETENCE_ENGINE_THREADS = 'abc': expected a whole number of threads "
        "(0 or unset = every core)" in done.stderr
    )
    assert not (tmp_path / "var/warehouse.duckdb").exists()


def test_a_dagster_run_names_the_unwritable_output_folder(tmp_path):
    """Outside the CLI the check runs when the run's resources start: the run fails at once
    with the same message, before any step writes."""
    import subprocess
    import sys
    from pathlib import Path

    from tests.conftest import PROJECT_ROOT

    (tmp_path / "taken").write_text("not a folder")
    output = tmp_path / "taken" / "var"
    env = cli_env(tmp_path, COMPETENCE_OUTPUT_DIR=str(output), DAGSTER_HOME=str(tmp_path / "h"))
    (tmp_path / "h").mkdir()
    dagster = str(Path(sys.executable).parent / "dagster")
    command = [dagster, "asset", "materialize", "-m", "pipelines.definitions"]
    command += ["--select", "*", "--partition", "2026-11-16"]
    done = subprocess.run(
        command, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode != 0
    assert (
        f"COMPETENCE_OUTPUT_DIR = '{output}': cannot write there (Not a directory); "
        "set COMPETENCE_OUTPUT_DIR to a folder this user can write"
    ) in done.stderr
