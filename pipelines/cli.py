"""The ``competence`` command line: sample data, running weeks, their status, and the demo.

What the user gives (week keys, ranges, COMPETENCE_* variables, folders, configuration) is checked
before anything runs; a mistake is one line on stderr and exit code 2, never a stack trace
(tracebacks are left for bugs). A failed week exits 1; a week whose e-mail was held exits 0.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assets.week_keys import Calendar

EXIT_CONFIG = 2  # usage and configuration mistakes, before anything runs
EXIT_RUN_FAILED = 1  # a week failed


class UsageError(ValueError):
    """A mistake in what the user asked for (a week key, a range): one line, exit 2."""


def _env_path(name: str, default: str) -> Path:
    return Path(os.environ.get(name, "").strip() or default)


def _warehouse(database: str | None):
    """``--database`` (a DuckDB file or a postgresql:// URL), else COMPETENCE_WAREHOUSE_URL's
    PostgreSQL, else ``$COMPETENCE_OUTPUT_DIR/warehouse.duckdb``. A bad variable raises the
    SettingsError main() prints as one line (exit 2)."""
    from assets.environment import read_environment
    from assets.warehouse import warehouse_location

    if database:
        return warehouse_location(database)
    env = read_environment()
    return warehouse_location(env.warehouse_url or Path(env.output_dir) / "warehouse.duckdb")


def _ensure_dagster_home() -> Path:
    """Runs are recorded in a persistent instance so `dagster dev` shows them
    (docs/data-contract.md)."""
    from assets.environment import require_writable_folder

    home = os.environ.get("DAGSTER_HOME", "").strip()
    if home:
        require_writable_folder(home, "DAGSTER_HOME")
    else:
        output = require_writable_folder(
            _env_path("COMPETENCE_OUTPUT_DIR", "var"), "COMPETENCE_OUTPUT_DIR"
        )
        home = str((output / "dagster_home").resolve())
        os.environ["DAGSTER_HOME"] = home
        Path(home).mkdir(parents=True, exist_ok=True)
    instance_yaml = Path(home) / "dagster.yaml"
    if not instance_yaml.exists():
        # a local instance: keep runs on disk, no usage statistics
        instance_yaml.write_text("telemetry:\n  enabled: false\n")
    return Path(home)


def _checked_setup(*, landing_must_exist: bool = True) -> Calendar:
    """Everything a run needs, checked before the first week starts: the COMPETENCE_*
    variables, the folders they name, the configuration, and DAGSTER_HOME. Returns the
    calendar that decides which weeks exist."""
    from zoneinfo import ZoneInfo

    from assets.environment import read_environment, require_folder, require_writable_folder
    from assets.week_keys import Calendar
    from schemas.config import load_config

    env = read_environment()
    if landing_must_exist:
        require_folder(env.landing_dir, "COMPETENCE_LANDING_DIR")
    require_folder(env.config_dir, "COMPETENCE_CONFIG_DIR")
    config = load_config(env.config_dir)
    require_writable_folder(env.output_dir, "COMPETENCE_OUTPUT_DIR")
    _ensure_dagster_home()
    timezone = config.policy.timezone
    return Calendar(datetime.now(ZoneInfo(timezone)).date(), timezone, env.run_date)


def recent_weeks(count: int, today: date | None = None) -> list[str]:
    """The last ``count`` complete weeks (Monday keys), oldest first."""
    from zoneinfo import ZoneInfo

    from assets.partitions import COMPANY_TIMEZONE
    from assets.week_keys import Calendar

    today = today or datetime.now(ZoneInfo(COMPANY_TIMEZONE)).date()
    return Calendar(today, COMPANY_TIMEZONE).recent(count)


def _weeks_asked(args: argparse.Namespace, calendar: Calendar) -> list[str]:
    """The week keys of --week / --from/--to / --weeks, checked, oldest first, each once."""
    from assets.week_keys import WeekKeyError

    if args.to and not args.start:
        raise UsageError("--to needs --from: give the first week of the range too")
    problems, keys = [], []
    try:
        if args.week:
            for text in args.week:
                try:
                    keys.append(calendar.check(text))
                except WeekKeyError as exc:
                    problems.append(str(exc))
        elif args.start:
            keys = calendar.span(args.start, args.to)
        else:
            keys = calendar.recent(args.weeks or 1)
    except WeekKeyError as exc:
        problems.append(str(exc))
    if problems:
        raise UsageError("\n".join(problems))
    # oldest first: each week's report reads the weeks before it from the warehouse
    return sorted(set(keys))


def _week_count(text: str) -> int:
    """argparse type of --weeks: a whole number, 1 or more."""
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of weeks, got {text!r}"
        ) from None
    if count < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more weeks, got {count}")
    return count


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


def cmd_run(args: argparse.Namespace) -> int:
    keys = _weeks_asked(args, _checked_setup())
    # Dagster is imported only now: mistakes are reported in a fraction of a second
    from pipelines.backfill import run_weeks

    if len(keys) > 1 and not args.quiet:
        print(f"Running {len(keys)} weeks: {keys[0]} .. {keys[-1]}", flush=True)
    code = run_weeks(keys, send_mail=args.send_mail, progress=not args.quiet)
    _print_reissue_advice(keys)
    return code


def _print_reissue_advice(just_ran: list[str]) -> None:
    """Name the later weeks whose issued reports look back on a week just recomputed."""
    import dagster as dg

    from pipelines.reissue import reissue_advice, superseded_weeks

    with dg.DagsterInstance.get() as instance:
        later = [s for s in superseded_weeks(instance) if s.week > min(just_ran)]
    for line in reissue_advice([s for s in later if s.week not in just_ran], just_ran):
        print(line)


def cmd_status(args: argparse.Namespace) -> int:
    import dagster as dg

    from assets.delivery.ledger_store import PostgresLedger
    from assets.environment import read_environment
    from pipelines.reissue import reissue_advice, superseded_weeks
    from pipelines.week_status import week_statuses

    env = read_environment()
    _ensure_dagster_home()
    warehouse = Path(env.output_dir) / "warehouse.duckdb"
    # the ledger's own database, else the warehouse's (the DuckDB file or its PostgreSQL)
    url = env.ledger_url or env.warehouse_url
    ledger = PostgresLedger(url) if url else warehouse
    with dg.DagsterInstance.get() as instance:
        statuses = week_statuses(instance, ledger)
        superseded = {s.week: s for s in superseded_weeks(instance)}
    if args.weeks:
        statuses = statuses[-args.weeks :]
    if not statuses:
        print(f"no week has been run yet (DAGSTER_HOME {os.environ['DAGSTER_HOME']})")
    for status in statuses:
        stale = superseded.get(status.week)
        print(status.line() + (f"  OUT OF DATE: {stale.line()}" if stale else ""))
    shown = {status.week for status in statuses}
    for line in reissue_advice([s for w, s in sorted(superseded.items()) if w in shown]):
        print(line)
    if any(s.mailed is None for s in statuses):
        why = "is in use by a run" if ledger == warehouse else "cannot be reached"
        print(f"note: {ledger} {why}; mail counts not shown", file=sys.stderr)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from pipelines.backfill import run_weeks

    calendar = _checked_setup(landing_must_exist=False)
    landing = _env_path("COMPETENCE_LANDING_DIR", "data/landing")
    if not (landing / "roster").is_dir() or args.regenerate:
        from pipelines.sample_data import generate_sample_data

        print(f"Generating sample data ({args.employees:,} employees) in {landing} ...")
        generate_sample_data(landing, employees=args.employees, seed=args.seed)
    keys = calendar.recent(args.weeks)
    print(f"Running {len(keys)} weeks: {keys[0]} .. {keys[-1]}")
    started = time.perf_counter()
    code = run_weeks(keys, send_mail=args.send_mail)
    print(f"Done in {time.perf_counter() - started:.1f} s.")
    _print_demo_summary(keys[-1])
    return code


def _print_demo_summary(partition_key: str) -> None:
    from assets.warehouse import read_weeks, stored_tables

    output = _env_path("COMPETENCE_OUTPUT_DIR", "var")
    warehouse = _warehouse(None)
    if "source_files" not in stored_tables(warehouse):
        return
    files = read_weeks(
        warehouse,
        "source_files",
        [partition_key],
        ["rows_in", "accepted", "rejected", "deduplicated", "problem"],
    )
    if files.empty:
        return
    row = [int(files[c].sum()) for c in ("rows_in", "accepted", "rejected", "deduplicated")]
    row.append(int(files["problem"].notna().sum()))
    print(
        f"\nWeek {partition_key}: {row[0]:,} input rows = {row[1]:,} accepted + {row[2]:,} "
        f"rejected + {row[3]:,} de-duplicated; {row[4]} file(s) rejected whole."
    )
    print(f"Quarantine: {output / 'status' / partition_key / 'rejected_rows.csv'}")
    print(f"Unmatched:  {output / 'status' / partition_key / 'unmatched_records.csv'}")
    for folder in ("reports", "outbox"):
        if (output / folder).is_dir():
            print(f"{folder.capitalize()}: {output / folder}")
    print("Browse the runs: make ui   (`dg dev` on http://127.0.0.1:3000)")


def cmd_check_config(args: argparse.Namespace) -> int:
    from schemas.config import load_config

    config = load_config(args.config or _env_path("COMPETENCE_CONFIG_DIR", "config"))
    print(f"configuration ok (hash {config.config_hash[:12]})")
    return 0


def cmd_repair_warehouse(args: argparse.Namespace) -> int:
    """Retype the warehouse columns an older version created without a type (data kept)."""
    from assets.warehouse import PostgresWarehouse, repair_warehouse

    database = _warehouse(args.database)
    if isinstance(database, PostgresWarehouse):
        print(f"warehouse {database}: nothing to repair (PostgreSQL columns always have a type)")
        return 0
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


def cmd_move_warehouse(args: argparse.Namespace) -> int:
    """Move the DuckDB warehouse file's weeks and deliveries to the PostgreSQL now configured."""
    from pipelines.move_warehouse import MoveRefused, move_from_environment

    try:
        return move_from_environment(args.database)
    except MoveRefused as exc:
        raise UsageError(str(exc)) from None


def cmd_person(args: argparse.Namespace) -> int:
    """One person's history from the warehouse, one line per event, newest last (or as CSV)."""
    from pipelines.person_report import person_history_command

    return person_history_command(args.employee_id, _warehouse(args.database), args.csv)


WAREHOUSE_DEFAULT = (
    "a DuckDB file or a postgresql:// URL; default: $COMPETENCE_WAREHOUSE_URL, else "
    "$COMPETENCE_OUTPUT_DIR/warehouse.duckdb"
)


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
    which = run.add_mutually_exclusive_group()
    which.add_argument("--weeks", type=_week_count, help="the last N complete weeks (default 1)")
    which.add_argument("--week", action="append", help="a Monday (YYYY-MM-DD); repeatable")
    which.add_argument("--from", dest="start", metavar="MONDAY", help="first week of a range")
    run.add_argument(
        "--to", metavar="MONDAY", help="last week of the range (default: last complete)"
    )
    run.add_argument("--send-mail", action="store_true", help="deliver e-mail (off by default)")
    run.add_argument("--quiet", action="store_true", help="no progress bar (week lines stay)")
    run.set_defaults(func=cmd_run)

    status = sub.add_parser("status", help="weeks computed, held, failed and mailed")
    status.add_argument("--weeks", type=_week_count, help="only the newest N weeks")
    status.set_defaults(func=cmd_status)

    demo = sub.add_parser("demo", help="sample data + a backfill of recent weeks")
    demo.add_argument("--weeks", type=_week_count, default=12)
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
    repair.add_argument("--database", help=WAREHOUSE_DEFAULT)
    repair.set_defaults(func=cmd_repair_warehouse)
    move = sub.add_parser(
        "move-warehouse",
        help="copy the DuckDB warehouse file's weeks and deliveries to the PostgreSQL now set",
    )
    move.add_argument("--database", help="the DuckDB file (default: the output folder's)")
    move.set_defaults(func=cmd_move_warehouse)
    person = sub.add_parser("person", help="one person's history: status changes, records, actions")
    person.add_argument("employee_id", help="the HR employee number, e.g. E000002")
    person.add_argument("--csv", metavar="PATH", help="also write the history as CSV to PATH")
    person.add_argument("--database", help=WAREHOUSE_DEFAULT)
    person.set_defaults(func=cmd_person)
    return parser


def main(argv: list[str] | None = None) -> int:
    from schemas.config import ConfigError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        from assets.environment import SettingsError

        # one line per problem; a bad variable or folder says so, a bad file names itself
        prefix = "error" if isinstance(exc, SettingsError) else "configuration error"
        for line in str(exc).splitlines():
            # a problem's own line carries the prefix; its indented detail lines stay as they are
            print(line if line[:1].isspace() else f"{prefix}: {line}", file=sys.stderr)
        return EXIT_CONFIG
    except UsageError as exc:
        for line in str(exc).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
