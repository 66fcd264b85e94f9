"""One landing file, start to finish: read it once (``snapshot.py``), check and parse its bytes
(``readers.py``), require its columns, conform it to the canonical shape (``provider_results.py``,
``company_records.py``, ``decisions.py``) and check its text cells (``cell_checks.py``).

Anything that stops the file raises or returns :class:`UnreadableFile` with a message naming the
file, what it is and, for a provider file, how to fix it for its kind of folder (a configured
provider's ``providers.yaml`` key, or a canonical folder's fixed format).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from schemas.config import CANONICAL_RESULT_COLUMNS, CompetenceConfig
from schemas.tables import (
    ACTIVITY_COLUMNS,
    ACTIVITY_REQUIRED,
    EXEMPTION_COLUMNS,
    EXEMPTION_REQUIRED,
    REVOCATION_COLUMNS,
    REVOCATION_REQUIRED,
    ROSTER_COLUMNS,
    ROSTER_REQUIRED,
)

from .cell_checks import TextBytesHint, bytes_hint, cell_failures, shown_value
from .company_records import conform_activities, conform_roster
from .conformed import Conformed, ParseFailure
from .decisions import conform_decisions
from .file_checks import (
    ACTIVITY_ADVICE,
    DECISION_ADVICE,
    ROSTER_ADVICE,
    FormatAdvice,
    canonical_advice,
    other_delimiter,
    provider_advice,
)
from .landing import LandingFile
from .provider_results import conform_canonical_results, conform_provider_results
from .readers import ROW_NUMBER, match_columns, read_table
from .snapshot import UnreadableFile, read_snapshot

MAX_COLUMNS_SHOWN = 20
# the company's recorded decisions: (columns read, columns required)
DECISION_SHAPES = {
    "exemptions": (EXEMPTION_COLUMNS, EXEMPTION_REQUIRED),
    "revocations": (REVOCATION_COLUMNS, REVOCATION_REQUIRED),
}


def _required_columns_schema(columns: dict[str, str]) -> pa.DataFrameSchema:
    """Raw-table schema: the file must carry these columns (any type, blanks allowed)."""
    return pa.DataFrameSchema(
        {source: pa.Column(None, nullable=True, required=True) for source in columns.values()},
        strict=False,
        coerce=False,
    )


def _missing_columns(
    raw: pd.DataFrame, wanted: dict[str, str], label: str, delimiter: str, advice: FormatAdvice
) -> None:
    folded = {c.casefold(): c for c in raw.columns}
    # the header alone is renamed (renaming ``raw`` itself copied every cell of the file)
    renamed = raw.head(0).rename(
        columns={folded[s.casefold()]: s for s in wanted.values() if s.casefold() in folded}
    )
    try:
        _required_columns_schema(wanted).validate(renamed, lazy=True)
    except pa.errors.SchemaErrors as errors:
        found = [c for c in raw.columns if c != ROW_NUMBER]
        used = other_delimiter(found, delimiter)
        if used is not None:
            raise UnreadableFile(
                f"{label}: the columns are separated by {used!r}, not {delimiter!r} (the header "
                f"reads as one column); re-export it with {delimiter!r} between columns "
                f"{advice.delimiter}".rstrip(),
                f"{delimiter!r} between columns",
            ) from None
        missing = sorted(errors.failure_cases["failure_case"].astype(str).unique())
        # the file's own header is shown safely: controls named, long names cut, at most 20
        shown = [repr(shown_value(str(c), 80)) for c in found[:MAX_COLUMNS_SHOWN]]
        if len(found) > MAX_COLUMNS_SHOWN:
            shown.append(f"and {len(found) - MAX_COLUMNS_SHOWN:,} more")
        raise UnreadableFile(
            f"{label}: missing required column(s) {', '.join(repr(m) for m in missing)} "
            f"({advice.columns}); found {', '.join(shown)}",
            "the required columns",
        ) from None


@dataclass
class FileRead:
    """One file's outcome: its rows conformed (or the reason it was rejected whole)."""

    sha256: str | None
    conformed: Conformed | None = None
    problem: UnreadableFile | None = None


def read_file(f: LandingFile, config: CompetenceConfig) -> FileRead:
    limits = config.policy.limits
    try:
        snapshot = read_snapshot(
            f.path, label=f.relative_path, seen=f.seen, max_mb=limits.max_file_mb
        )
    except UnreadableFile as problem:
        return FileRead(None, problem=problem)
    try:
        return FileRead(snapshot.sha256, _read_and_conform(f, snapshot.data, config))
    except UnreadableFile as problem:
        return FileRead(snapshot.sha256, problem=problem)


def _read_and_conform(f: LandingFile, data: bytes, config: CompetenceConfig) -> Conformed:
    label = f.relative_path
    limits = config.policy.limits
    suffix = f.path.suffix.lower()
    common = {"label": label, "suffix": suffix, "limits": limits}
    encoding = "utf-8"  # every CSV but a configured provider's
    if f.kind == "provider" and f.source in config.providers.providers:
        spec = config.providers.providers[f.source]
        encoding = spec.encoding
        advice = provider_advice(f.source)
        raw = read_table(
            data,
            **common,
            advice=advice,
            encoding=spec.encoding,
            delimiter=spec.delimiter,
            skip_rows=spec.skip_rows,
            sheet=spec.sheet,
        )
        _missing_columns(raw, spec.columns, label, spec.delimiter, advice)
        columns = match_columns(raw, spec.columns)
        conformed = conform_provider_results(raw, f.source, spec, columns, label)
        # the split full name is reported under first_name, as conform reports it
        columns = {("first_name" if k == "full_name" else k): v for k, v in columns.items()}
    elif f.kind == "provider":
        advice = canonical_advice(f.source)
        raw = read_table(data, **common, advice=advice)
        required = ("record_id", "module", "assessment_date", "passed")
        _missing_columns(raw, {c: c for c in required}, label, ",", advice)
        conformed = conform_canonical_results(raw, f.source, label)
        columns = match_columns(raw, {c: c for c in CANONICAL_RESULT_COLUMNS})
    elif f.kind == "roster":
        raw = read_table(
            data, **common, advice=ROSTER_ADVICE, sheet="Roster" if suffix == ".xlsx" else 0
        )
        _missing_columns(raw, {c: c for c in ROSTER_REQUIRED}, label, ",", ROSTER_ADVICE)
        columns = match_columns(raw, {c: c for c in ROSTER_COLUMNS})
        conformed = conform_roster(raw, columns, label)
    elif f.kind in DECISION_SHAPES:
        wanted, required = DECISION_SHAPES[f.kind]
        advice = DECISION_ADVICE[f.kind]
        raw = read_table(data, **common, advice=advice)
        _missing_columns(raw, {c: c for c in required}, label, ",", advice)
        columns = match_columns(raw, {c: c for c in wanted})
        conformed = conform_decisions(f.kind, raw, columns, label)
    else:
        raw = read_table(data, **common, advice=ACTIVITY_ADVICE)
        _missing_columns(raw, {c: c for c in ACTIVITY_REQUIRED}, label, ",", ACTIVITY_ADVICE)
        columns = match_columns(raw, {c: c for c in ACTIVITY_COLUMNS})
        conformed = conform_activities(raw, columns, label)
    # a CSV's bytes are searched once for NUL and bidi controls, instead of every column
    hint = bytes_hint(data, encoding) if suffix == ".csv" else None
    _add_cell_failures(conformed, raw, columns, limits.max_cell_chars, hint)
    return conformed


def _add_cell_failures(
    conformed: Conformed,
    raw: pd.DataFrame,
    columns: dict[str, str],
    max_chars: int,
    hint: TextBytesHint | None,
) -> None:
    """Over-long, NUL or bidi cells reject their rows, named by canonical column where mapped."""
    canonical_of = {source: canonical for canonical, source in columns.items()}
    for failure in cell_failures(raw, max_chars, hint):
        conformed.parse_failures.append(
            ParseFailure(
                canonical_of.get(failure.column, failure.column),
                pd.Series(failure.mask, index=raw.index),
                failure.expected,
                failure.shown,
            )
        )
