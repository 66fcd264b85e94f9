"""The ``competence`` command line: sample data, running weeks, and the demo.

Errors the user can fix (a bad configuration file, a failed run) are printed as one clear
message, never as a stack trace; the exit code says what happened.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

EXIT_CONFIG = 2
EXIT_RUN_FAILED = 1


def _env_path(name: str, default: str) -> Path:
    return Path(os.environ.get(name, default))


def _ensure_dagster_home() -> Path:
    """Runs are recorded in a persistent instance so `dagster dev` shows them (SPEC 8)."""
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        home = str((_env_path("COMPETENCE_OUTPUT_DIR", "var") / "dagster_home").resolve())
        os.environ["DAGSTER_HOME"] = home
    Path(home).mkdir(parents=True, exist_ok=True)
    instance_yaml = Path(home) / "dagster.yaml"
    if not instance_yaml.exists():
        # a local instance: keep runs on disk, no usage statistics
        instance_yaml.write_text("telemetry:\n  enabled: false\n")
    return Path(home)


def recent_weeks(count: int, today: date | None = None) -> list[str]:
    """The last ``count`` complete weeks (Monday keys), oldest first."""
    from assets.partitions import weekly_partitions

    keys = weekly_partitions.get_partition_keys()
    if today is not None:
        last_monday = today - timedelta(days=today.weekday() + 7)
        keys = [k for k in keys if k <= last_monday.isoformat()]
    return keys[-count:]


def cmd_sample_data(args: argparse.Namespace) -> int:
    from pipelines.sample_data import generate_sample_data

    landing = Path(args.landing or _env_path("COMPETENCE_LANDING_DIR", "data/landing"))
    started = time.perf_counter()
    summary = generate_sample_data(
        landing, employees=args.employees, seed=args.seed, progress=not args.quiet
    )
    print(
        f"Sample data for {args.employees:,} employees written to {landing} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    if args.verbose:
        print(summary)
    return 0


# Dagster logs every step to the console; the CLI prints its own one-line-per-week summary
# and the failure messages, so only critical engine messages pass.
QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def _mail_hold_reason(result) -> str | None:
    """The gate's reason when the blocking data-quality check failed."""
    for event in result.all_events:
        if event.event_type_value != "ASSET_CHECK_EVALUATION":
            continue
        evaluation = event.event_specific_data
        if evaluation.check_name == "reject_share_within_policy" and not evaluation.passed:
            reason = evaluation.metadata.get("hold_reason")
            return str(reason.value) if reason is not None else "reject share over policy"
    return None


def run_weeks(
    partition_keys: list[str],
    *,
    send_mail: bool = False,
    quiet: bool = False,
    quiet_logs: bool = True,
) -> int:
    """Materialize the weekly job for each week, in process, recorded in DAGSTER_HOME."""
    import dagster as dg

    _ensure_dagster_home()
    from pipelines.definitions import defs

    job = defs.resolve_job_def("weekly_competence")
    failures = 0
    with dg.DagsterInstance.get() as instance:
        for key in partition_keys:
            started = time.perf_counter()
            tags = {"competence/send_mail": "true" if send_mail else "false"}
            result = job.execute_in_process(
                partition_key=key,
                instance=instance,
                raise_on_error=False,
                tags=tags,
                run_config=QUIET_LOGS if quiet_logs else None,
            )
            seconds = time.perf_counter() - started
            if result.success:
                if not quiet:
                    print(
                        f"week {key}: ok in {seconds:.1f} s (run {result.run_id[:8]})", flush=True
                    )
                continue
            failed_steps = {e.step_key for e in result.all_events if e.is_step_failure}
            hold = _mail_hold_reason(result)
            if hold and failed_steps <= {"mail_clearance"}:
                print(f"week {key}: computed in {seconds:.1f} s; E-MAIL HELD: {hold}")
                continue
            failures += 1
            print(f"week {key}: FAILED (run {result.run_id[:8]})", file=sys.stderr)
            for event in result.all_events:
                if event.is_step_failure and event.step_failure_data is not None:
                    error = event.step_failure_data.error
                    while error is not None and error.cause is not None:
                        error = error.cause  # the root cause, not Dagster's wrapper
                    user = event.step_failure_data.user_failure_data
                    message = (user.description if user and user.description else None) or (
                        error.message.strip() if error else "unknown error"
                    )
                    print(f"  {event.step_key}: {message}", file=sys.stderr)
    return EXIT_RUN_FAILED if failures else 0


def cmd_run(args: argparse.Namespace) -> int:
    from schemas.config import load_config

    # A configuration error is reported as check-config reports it, before anything imports the
    # code location (the weekly partitions read the company timezone when imported).
    load_config(_env_path("COMPETENCE_CONFIG_DIR", "config"))
    keys = args.week or recent_weeks(args.weeks)
    return run_weeks(keys, send_mail=args.send_mail)


def cmd_demo(args: argparse.Namespace) -> int:
    from schemas.config import load_config

    load_config(_env_path("COMPETENCE_CONFIG_DIR", "config"))
    landing = _env_path("COMPETENCE_LANDING_DIR", "data/landing")
    if not (landing / "roster").is_dir() or args.regenerate:
        from pipelines.sample_data import generate_sample_data

        print(f"Generating sample data ({args.employees:,} employees) in {landing} ...")
        generate_sample_data(landing, employees=args.employees, seed=args.seed)
    keys = recent_weeks(args.weeks)
    print(f"Running {len(keys)} weeks: {keys[0]} .. {keys[-1]}")
    started = time.perf_counter()
    code = run_weeks(keys, send_mail=args.send_mail)
    print(f"Done in {time.perf_counter() - started:.1f} s.")
    _print_demo_summary(keys[-1])
    return code


def _print_demo_summary(partition_key: str) -> None:
    import duckdb

    output = _env_path("COMPETENCE_OUTPUT_DIR", "var")
    warehouse = output / "warehouse.duckdb"
    if not warehouse.exists():
        return
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(
            "select sum(rows_in), sum(accepted), sum(rejected), sum(deduplicated), "
            "count(*) filter (where problem is not null) from competence.source_files "
            "where week = ?",
            [partition_key],
        ).fetchone()
    print(
        f"\nWeek {partition_key}: {row[0]:,} input rows = {row[1]:,} accepted + {row[2]:,} "
        f"rejected + {row[3]:,} de-duplicated; {row[4]} file(s) rejected whole."
    )
    print(f"Quarantine: {output / 'status' / partition_key / 'rejected_rows.csv'}")
    print(f"Unmatched:  {output / 'status' / partition_key / 'unmatched_records.csv'}")
    for folder in ("reports", "outbox"):
        if (output / folder).is_dir():
            print(f"{folder.capitalize()}: {output / folder}")
    print("Browse the runs: make ui   (dagster dev on http://127.0.0.1:3000)")


def cmd_check_config(args: argparse.Namespace) -> int:
    from schemas.config import load_config

    config = load_config(args.config or _env_path("COMPETENCE_CONFIG_DIR", "config"))
    print(f"configuration ok (hash {config.config_hash[:12]})")
    return 0


def cmd_repair_warehouse(args: argparse.Namespace) -> int:
    """Retype the warehouse columns an older version created without a type (data kept)."""
    from assets.warehouse import repair_warehouse

    database = Path(args.database or _env_path("COMPETENCE_OUTPUT_DIR", "var") / "warehouse.duckdb")
    if not database.is_file():
        print(f"repair-warehouse: no warehouse at {database}", file=sys.stderr)
        return EXIT_RUN_FAILED
    done = repair_warehouse(database)
    for line in done:
        print(line)
    print(
        f"warehouse {database}: "
        + (f"{len(done)} column(s) repaired" if done else "nothing to repair")
    )
    return 0


def cmd_person(args: argparse.Namespace) -> int:
    """One person's history from the warehouse, one line per event, newest last (or as CSV)."""
    from pipelines.person_report import person_history_command

    database = Path(args.database or _env_path("COMPETENCE_OUTPUT_DIR", "var") / "warehouse.duckdb")
    return person_history_command(args.employee_id, database, args.csv)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="competence", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    sample = sub.add_parser("sample-data", help="write deterministic sample landing files")
    sample.add_argument("--employees", type=int, default=600)
    sample.add_argument("--seed", type=int, default=7)
    sample.add_argument("--landing", help="default: $COMPETENCE_LANDING_DIR or data/landing")
    sample.add_argument("--quiet", action="store_true")
    sample.add_argument("--verbose", action="store_true")
    sample.set_defaults(func=cmd_sample_data)

    run = sub.add_parser("run", help="materialize the weekly job for weeks")
    run.add_argument("--weeks", type=int, default=1, help="the last N complete weeks")
    run.add_argument("--week", action="append", help="a Monday (YYYY-MM-DD); repeatable")
    run.add_argument("--send-mail", action="store_true", help="deliver e-mail (off by default)")
    run.set_defaults(func=cmd_run)

    demo = sub.add_parser("demo", help="sample data + a backfill of recent weeks")
    demo.add_argument("--weeks", type=int, default=12)
    demo.add_argument("--employees", type=int, default=600)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--regenerate", action="store_true")
    demo.add_argument("--no-mail", dest="send_mail", action="store_false")
    demo.set_defaults(func=cmd_demo, send_mail=True)

    check = sub.add_parser("check-config", help="validate the configuration folder")
    check.add_argument("--config")
    check.set_defaults(func=cmd_check_config)
    repair = sub.add_parser(
        "repair-warehouse", help="retype warehouse columns left without a type by older versions"
    )
    repair.add_argument("--database", help="default: $COMPETENCE_OUTPUT_DIR/warehouse.duckdb")
    repair.set_defaults(func=cmd_repair_warehouse)
    person = sub.add_parser("person", help="one person's history: status changes, records, actions")
    person.add_argument("employee_id", help="the HR employee number, e.g. E000002")
    person.add_argument("--csv", metavar="PATH", help="also write the history as CSV to PATH")
    person.add_argument("--database", help="default: $COMPETENCE_OUTPUT_DIR/warehouse.duckdb")
    person.set_defaults(func=cmd_person)
    return parser


def main(argv: list[str] | None = None) -> int:
    from schemas.config import ConfigError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
