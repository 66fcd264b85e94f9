"""Turn raw text cells into typed canonical columns, remembering which cells would not parse.

Providers differ only in configuration (``providers.yaml``): column names, date format, module
names, how a pass is written. The functions here apply that configuration; they never drop a row.
A cell that does not parse becomes missing in the canonical frame and is listed in
``Conformed.parse_failures`` so the validation step can quarantine the row with the raw value.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from schemas.config import CANONICAL_RESULT_COLUMNS, PassRule, Provider

from .readers import ROW_NUMBER

FILE_COLUMN = "_file"


@dataclass
class ParseFailure:
    column: str
    mask: pd.Series  # True where the cell had a value that did not parse
    expected: str


@dataclass
class Conformed:
    """A canonical frame, the raw values under canonical names, and the cells that failed."""

    frame: pd.DataFrame
    raw: pd.DataFrame
    parse_failures: list[ParseFailure] = field(default_factory=list)


def concat_conformed(parts: list[Conformed]) -> Conformed:
    """One frame for many files, so validation runs once per source instead of once per file."""
    frames, raws, failures, offset = [], [], [], 0
    for part in parts:
        index = pd.RangeIndex(offset, offset + len(part.frame))
        frames.append(part.frame.set_axis(index))
        raws.append(part.raw.set_axis(index))
        failures.extend(
            ParseFailure(f.column, f.mask.set_axis(index), f.expected) for f in part.parse_failures
        )
        offset += len(part.frame)
    frame = pd.concat(frames)
    for column in frame.columns:  # all-missing columns of one file must not change the dtype
        if frame[column].dtype == object:
            frame[column] = frame[column].where(frame[column].notna(), None)
    full = frame.index
    failures = [
        ParseFailure(f.column, f.mask.reindex(full, fill_value=False), f.expected) for f in failures
    ]
    return Conformed(frame=frame, raw=pd.concat(raws), parse_failures=failures)


def clean_text(values: pd.Series) -> pd.Series:
    """Strip surrounding spaces; blank becomes missing; Excel integers lose their '.0'."""
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind == "empty":
        return pd.Series(None, index=values.index, dtype=object)
    if kind != "string":
        values = values.astype(object).map(_cell_to_text, na_action="ignore")
    as_text = values.str.strip()
    return as_text.where(as_text.notna() & (as_text != ""), None).astype(object)


def _cell_to_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def parse_dates(values: pd.Series, date_format: str) -> pd.Series:
    """Text in ``date_format``; real dates from Excel are taken as they are."""
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in {"datetime", "datetime64", "date"}:
        return pd.to_datetime(values, errors="coerce").dt.normalize()
    if kind == "string" or kind == "empty":
        return pd.to_datetime(values.str.strip(), format=date_format, errors="coerce")
    is_date = values.map(lambda v: isinstance(v, pd.Timestamp | np.datetime64), na_action="ignore")
    is_date = is_date.fillna(False).astype(bool)
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    parsed[is_date] = pd.to_datetime(values[is_date], errors="coerce").dt.normalize()
    text = ~is_date & values.notna()
    parsed[text] = pd.to_datetime(
        values[text].astype(str).str.strip(), format=date_format, errors="coerce"
    )
    return parsed


def parse_numbers(values: pd.Series) -> pd.Series:
    """Plain numbers; a trailing '%' is tolerated (then the number is already a percentage)."""
    if values.dtype == object:
        text = values.astype("string").str.strip().str.rstrip("%")
        return pd.to_numeric(text, errors="coerce").astype(float)
    return pd.to_numeric(values, errors="coerce").astype(float)


def _failed(raw: pd.Series, parsed: pd.Series) -> pd.Series:
    return raw.notna() & parsed.isna()


def _fold_one(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().replace("-", " ").replace("'", "").split())


def fold_name(values: pd.Series) -> pd.Series:
    """Accents, case and spacing folded, for matching people by name (SPEC 4).

    Folded once per distinct name: names repeat, and the per-string work is pure Python.
    """
    distinct = values.dropna().unique()
    folded = dict(zip(distinct, (_fold_one(v) for v in distinct), strict=True))
    return values.map(folded)


def apply_pass_rule(
    rule: PassRule, result_words: pd.Series | None, score: pd.Series
) -> tuple[pd.Series, str]:
    """``passed`` as a nullable boolean, and the expectation text for unparseable cells."""
    if rule.min_score is not None:
        passed = (score >= rule.min_score).astype("boolean")
        passed[score.isna()] = pd.NA
        return passed, f"a score to apply the pass rule (score >= {rule.min_score:g})"
    words = {w.casefold(): True for w in rule.pass_values or []}
    words |= {w.casefold(): False for w in rule.fail_values or []}
    if result_words is None:
        return pd.Series(pd.NA, index=score.index, dtype="boolean"), "a result column"
    passed = result_words.str.casefold().map(words).astype("boolean")
    allowed = ", ".join([*(rule.pass_values or []), *(rule.fail_values or [])])
    return passed, f"one of {allowed}"


def _split_full_name(full: pd.Series, order: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    if order == "last_comma_first":
        parts = full.str.split(",", n=1, expand=True).reindex(columns=[0, 1])
        last, first = parts[0].str.strip(), parts[1].str.strip()
    else:
        parts = full.str.rsplit(" ", n=1, expand=True).reindex(columns=[0, 1])
        first, last = parts[0].str.strip(), parts[1].str.strip()
    bad = full.notna() & (first.isna() | last.isna() | (first == "") | (last == ""))
    return first.where(~bad), last.where(~bad), bad


def conform_provider_results(
    raw: pd.DataFrame,
    provider_name: str,
    provider: Provider,
    source_columns: dict[str, str],
    relative_path: str,
) -> Conformed:
    """Map one configured provider file onto the canonical result shape."""
    frame = pd.DataFrame(index=raw.index)
    raw_values = pd.DataFrame(index=raw.index)
    failures: list[ParseFailure] = []

    def text(target: str) -> pd.Series | None:
        if target not in source_columns:
            return None
        values = clean_text(raw[source_columns[target]])
        raw_values[target] = values
        return values

    frame["provider"] = provider_name
    for column in ("record_id", "employee_id", "email", "first_name", "last_name", "credential_id"):
        values = text(column)
        frame[column] = values if values is not None else None
    full = text("full_name")
    if full is not None:
        first, last, bad = _split_full_name(full, provider.name_order)
        frame["first_name"] = (
            frame["first_name"].fillna(first) if "first_name" in source_columns else first
        )
        frame["last_name"] = (
            frame["last_name"].fillna(last) if "last_name" in source_columns else last
        )
        raw_values["first_name"] = full
        expected = (
            "a name written 'Last, First'"
            if provider.name_order == "last_comma_first"
            else "a name written 'First Last'"
        )
        failures.append(ParseFailure("first_name", bad, expected))

    module = text("module")
    mapped = module.map(provider.module_values) if provider.module_values else module
    folded = {k.casefold(): v for k, v in provider.module_values.items()}
    if folded:
        mapped = mapped.fillna(module.str.casefold().map(folded))
    frame["module"] = mapped.fillna(module)  # unknown names stay visible for the quarantine

    raw_date = raw[source_columns["assessment_date"]]
    raw_values["assessment_date"] = clean_text(raw_date)
    frame["assessment_date"] = parse_dates(
        raw_date.where(raw_values["assessment_date"].notna()), provider.date_format
    )
    failures.append(
        ParseFailure(
            "assessment_date",
            _failed(raw_values["assessment_date"], frame["assessment_date"]),
            f"a date in the format {provider.date_format}",
        )
    )

    score_raw = raw[source_columns["score"]] if "score" in source_columns else None
    if score_raw is not None:
        raw_values["score"] = clean_text(score_raw)
        score = parse_numbers(score_raw.where(raw_values["score"].notna()))
        failures.append(ParseFailure("score", _failed(raw_values["score"], score), "a number"))
        percent_sign = raw_values["score"].astype("string").str.endswith("%").fillna(False)
        if provider.score_scale == "fraction":
            score = score.where(percent_sign, score * 100)
        frame["score"] = score.round(6)
    else:
        frame["score"] = np.nan

    result_words = text("passed")
    passed, expected = apply_pass_rule(provider.pass_rule, result_words, frame["score"])
    frame["passed"] = passed
    failures.append(
        ParseFailure(
            "passed",
            passed.isna() & (result_words.notna() if result_words is not None else True),
            expected,
        )
    )
    if result_words is None:
        raw_values["passed"] = raw_values.get("score")
    return _finish(frame, raw_values, failures, raw, relative_path)


def conform_canonical_results(
    raw: pd.DataFrame, provider_name: str, relative_path: str
) -> Conformed:
    """A provider folder already in the canonical shape (SPEC 8): ISO dates, passed true/false."""
    cols = {c.casefold(): c for c in raw.columns}
    frame = pd.DataFrame(index=raw.index)
    raw_values = pd.DataFrame(index=raw.index)
    for column in CANONICAL_RESULT_COLUMNS:
        values = (
            clean_text(raw[cols[column]])
            if column in cols
            else pd.Series(None, index=raw.index, dtype=object)
        )
        raw_values[column] = values
        frame[column] = values
    frame["provider"] = provider_name  # the folder name is the provider
    failures = []
    frame["assessment_date"] = parse_dates(raw_values["assessment_date"], "%Y-%m-%d")
    failures.append(
        ParseFailure(
            "assessment_date",
            _failed(raw_values["assessment_date"], frame["assessment_date"]),
            "a date in the format %Y-%m-%d",
        )
    )
    frame["score"] = parse_numbers(raw_values["score"])
    failures.append(ParseFailure("score", _failed(raw_values["score"], frame["score"]), "a number"))
    frame["passed"] = (
        raw_values["passed"].str.casefold().map({"true": True, "false": False}).astype("boolean")
    )
    failures.append(
        ParseFailure("passed", _failed(raw_values["passed"], frame["passed"]), "true or false")
    )
    return _finish(frame, raw_values, failures, raw, relative_path)


def conform_roster(
    raw: pd.DataFrame, source_columns: dict[str, str], relative_path: str
) -> Conformed:
    """An HR roster extract: ISO dates (or real Excel dates)."""
    frame = pd.DataFrame(index=raw.index)
    raw_values = pd.DataFrame(index=raw.index)
    failures = []
    for column, source in source_columns.items():
        raw_values[column] = clean_text(raw[source])
    for column in (
        "employee_id",
        "first_name",
        "last_name",
        "email",
        "site",
        "department",
        "job_role",
        "manager_email",
    ):
        frame[column] = raw_values.get(column, None)
    for column in ("hire_date", "termination_date"):
        if column in raw_values:
            frame[column] = parse_dates(
                raw[source_columns[column]].where(raw_values[column].notna()), "%Y-%m-%d"
            )
            failures.append(
                ParseFailure(
                    column,
                    _failed(raw_values[column], frame[column]),
                    "a date in the format %Y-%m-%d",
                )
            )
        else:
            frame[column] = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    return _finish(frame, raw_values, failures, raw, relative_path)


def conform_activities(
    raw: pd.DataFrame, source_columns: dict[str, str], relative_path: str
) -> Conformed:
    """Continuing-education records: ISO dates, hours or points."""
    frame = pd.DataFrame(index=raw.index)
    raw_values = pd.DataFrame(index=raw.index)
    failures = []
    for column, source in source_columns.items():
        raw_values[column] = clean_text(raw[source])
    for column in ("employee_id", "activity_type", "description", "evidence_ref"):
        frame[column] = raw_values.get(column, None)
    frame["activity_date"] = parse_dates(raw_values["activity_date"], "%Y-%m-%d")
    failures.append(
        ParseFailure(
            "activity_date",
            _failed(raw_values["activity_date"], frame["activity_date"]),
            "a date in the format %Y-%m-%d",
        )
    )
    for column in ("hours", "points"):
        if column in raw_values:
            frame[column] = parse_numbers(raw_values[column])
            failures.append(
                ParseFailure(column, _failed(raw_values[column], frame[column]), "a number")
            )
        else:
            frame[column] = np.nan
    return _finish(frame, raw_values, failures, raw, relative_path)


def _finish(frame, raw_values, failures, raw, relative_path) -> Conformed:
    frame[FILE_COLUMN] = relative_path
    frame[ROW_NUMBER] = raw[ROW_NUMBER].to_numpy()
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return Conformed(frame=frame, raw=raw_values, parse_failures=failures)
