"""Turn raw text cells into typed canonical columns, remembering which cells would not parse.

Providers differ only in configuration (``providers.yaml``): column names, date format, module
names, how a pass is written. The functions here apply that configuration; they never drop a row.
A cell that does not parse becomes missing in the canonical frame and is listed in
``Conformed.parse_failures`` so the validation step can quarantine the row with the raw value.

Text stays Arrow-backed (``assets/text.py``); dates, numbers, names and module words are parsed
once per distinct value with the same pandas/Python functions as always, so results do not
change.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from assets.text import (
    by_distinct,
    contiguous,
    empty_text,
    is_text,
    map_by_kind,
    map_text,
    repeated,
    same_data,
    text_series,
    to_text,
    trim_to_null,
)
from schemas.config import CANONICAL_RESULT_COLUMNS, PassRule, Provider
from schemas.tables import ROSTER_COLUMNS

from .readers import ROW_NUMBER

FILE_COLUMN = "_file"
ISO_DATE = "%Y-%m-%d"


@dataclass
class ParseFailure:
    column: str
    mask: pd.Series  # True where the cell had a value that did not parse
    expected: str
    # the value to show on failing rows when the raw value must not be shown as it is
    # (cell_checks: NUL and bidi controls named, long text shortened); None: the raw value
    shown: np.ndarray | None = None


@dataclass
class Conformed:
    """A canonical frame, the raw values under canonical names, and the cells that failed."""

    frame: pd.DataFrame
    raw: pd.DataFrame
    parse_failures: list[ParseFailure] = field(default_factory=list)


def concat_conformed(parts: list[Conformed]) -> Conformed:
    """One frame for many files, so validation runs once per source instead of once per file.

    Parse failures of the same column and expectation are merged into one mask over all rows.
    """
    frames, raws, offset = [], [], 0
    merged: dict[tuple[str, str], list[tuple[int, ParseFailure]]] = {}
    for part in parts:
        index = pd.RangeIndex(offset, offset + len(part.frame))
        frames.append(part.frame.set_axis(index))
        raws.append(_raw_only(part).set_axis(index))
        for f in part.parse_failures:
            merged.setdefault((f.column, f.expected), []).append((offset, f))
        offset += len(part.frame)
    frame = contiguous(pd.concat(frames))
    del frames  # the files' own columns are freed as soon as the callers let go of them
    for column in frame.columns:  # all-missing columns of one file must not change the dtype
        if frame[column].dtype == object:
            frame[column] = frame[column].where(frame[column].notna(), None)
    failures = []
    for (column, expected), pieces in merged.items():
        full = np.zeros(offset, dtype=bool)
        shown = None
        for start, f in pieces:
            full[start : start + len(f.mask)] = f.mask.to_numpy(dtype=bool, na_value=False)
            if f.shown is not None:
                shown = np.full(offset, None, dtype=object) if shown is None else shown
                shown[start : start + len(f.shown)] = f.shown
        failures.append(ParseFailure(column, pd.Series(full, index=frame.index), expected, shown))
    return Conformed(frame=frame, raw=contiguous(pd.concat(raws)), parse_failures=failures)


def _raw_only(part: Conformed) -> pd.DataFrame:
    """The raw cells that differ from the canonical ones. Most text columns are the very same
    data in both (ids, e-mails, names): where a raw column is missing, the quarantine shows the
    canonical value, which is the same, and the data is not copied twice."""
    shared = [
        c for c in part.raw.columns if c in part.frame and same_data(part.raw[c], part.frame[c])
    ]
    return part.raw.drop(columns=shared)


def clean_text(values: pd.Series) -> pd.Series:
    """Strip surrounding spaces; blank becomes missing; Excel integers lose their '.0'."""
    if is_text(values):
        return trim_to_null(values)
    if values.dtype == object:
        kind = pd.api.types.infer_dtype(values, skipna=True)
        if kind == "empty":
            return empty_text(values.index)
        if kind != "string":  # an Excel column of mixed kinds: once per distinct cell
            written = map_by_kind(values.to_numpy(dtype=object), _cell_to_text)
            values = pd.Series(written, index=values.index, dtype=object)
        return trim_to_null(to_text(values))
    # an Excel column of numbers or dates: each distinct value written once
    written = by_distinct(values, lambda u: u.map(_cell_to_text).to_numpy(dtype=object), None)
    return trim_to_null(to_text(pd.Series(written, index=values.index)))


def _cell_to_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.strftime(ISO_DATE)
    return str(value)


def _parse_date_text(values: pd.Series, date_format: str) -> pd.Series:
    """Text cells in ``date_format``, each distinct text parsed once."""

    def parse(distinct: pd.Series) -> np.ndarray:
        parsed = pd.to_datetime(distinct.str.strip(), format=date_format, errors="coerce")
        return parsed.to_numpy(dtype="datetime64[ns]")

    return pd.Series(
        by_distinct(values, parse, np.datetime64("NaT", "ns")),
        index=values.index,
        dtype="datetime64[ns]",
    )


def parse_dates(values: pd.Series, date_format: str) -> pd.Series:
    """Text in ``date_format``; real dates from Excel are taken as they are."""
    if is_text(values):
        return _parse_date_text(values, date_format)
    if values.dtype.kind == "f":  # Excel numbers in a date column: as written, then as text
        return _parse_date_text(clean_text(values), date_format)
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in {"datetime", "datetime64", "date"}:
        return pd.to_datetime(values, errors="coerce").dt.normalize()
    if kind == "string" or kind == "empty":
        return pd.to_datetime(values.str.strip(), format=date_format, errors="coerce")
    is_date = map_by_kind(
        values.to_numpy(dtype=object), lambda v: isinstance(v, pd.Timestamp | np.datetime64)
    )
    is_date = pd.Series(is_date, index=values.index, dtype="boolean").fillna(False).astype(bool)
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    parsed[is_date] = pd.to_datetime(values[is_date], errors="coerce").dt.normalize()
    text = ~is_date & values.notna()
    parsed[text] = pd.to_datetime(
        values[text].astype(str).str.strip(), format=date_format, errors="coerce"
    )
    return parsed


def _parse_number_objects(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip().str.rstrip("%")
    return pd.to_numeric(text, errors="coerce").astype(float)


def parse_numbers(values: pd.Series) -> pd.Series:
    """Plain numbers; a trailing '%' is tolerated (then the number is already a percentage)."""
    if is_text(values):  # scores and hours repeat: each distinct text parsed once
        numbers = by_distinct(values, lambda u: _parse_number_objects(u).to_numpy(), np.nan)
        return pd.Series(numbers, index=values.index, dtype=float)
    if values.dtype == object:
        return _parse_number_objects(values)
    return pd.to_numeric(values, errors="coerce").astype(float)


def _present_or_missing(raw: pd.Series, clean: pd.Series) -> pd.Series:
    """What to parse: the cleaned text for text cells, else the typed cell where not blank."""
    return clean if is_text(raw) else raw.where(clean.notna())


def _keep_parsed(
    frame: pd.DataFrame,
    raw_values: pd.DataFrame,
    failures: list[ParseFailure],
    column: str,
    parsed: pd.Series,
    expected: str,
) -> None:
    """Store a parsed column; cells written but not parsed fail, expecting ``expected``."""
    frame[column] = parsed
    failures.append(ParseFailure(column, _failed(raw_values[column], parsed), expected))


def _failed(raw: pd.Series, parsed: pd.Series) -> pd.Series:
    return pd.Series(
        raw.notna().to_numpy(dtype=bool) & parsed.isna().to_numpy(dtype=bool), index=raw.index
    )


def _fold_one(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().replace("-", " ").replace("'", "").split())


def fold_name(values: pd.Series) -> pd.Series:
    """Accents, case and spacing folded, for matching people by name (SPEC 4).

    Folded once per distinct name: names repeat, and the per-string work is pure Python.
    """
    return map_text(to_text(values), _fold_one)


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
    passed = _words_to_boolean(result_words, words)
    allowed = ", ".join([*(rule.pass_values or []), *(rule.fail_values or [])])
    return passed, f"one of {allowed}"


def _words_to_boolean(values: pd.Series, words: dict[str, bool]) -> pd.Series:
    """Case-insensitive words to a nullable boolean; other words become missing."""
    looked_up = by_distinct(
        values, lambda u: u.str.casefold().map(words).to_numpy(dtype=object), None
    )
    return pd.Series(looked_up, index=values.index, dtype=object).astype("boolean")


def _split_one(full: str, order: str) -> tuple[str | None, str | None]:
    """(first, last) of one full name, or (None, None) if it is not written that way."""
    if order == "last_comma_first":
        parts = full.split(",", 1)
        last, first = parts[0].strip(), parts[1].strip() if len(parts) > 1 else None
    else:
        parts = full.rsplit(" ", 1)
        first, last = parts[0].strip(), parts[1].strip() if len(parts) > 1 else None
    if not first or not last:
        return None, None
    return first, last


def _split_full_name(full: pd.Series, order: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Split each distinct full name once; ``bad`` marks names not written as configured."""
    codes, uniques = pd.factorize(full, use_na_sentinel=True)
    split = [_split_one(name, order) for name in uniques.tolist()]
    indices = pa.array(codes, mask=codes < 0, type=pa.int64())
    firsts = pa.array([s[0] for s in split], type=pa.string()).take(indices)
    lasts = pa.array([s[1] for s in split], type=pa.string()).take(indices)
    first, last = text_series(firsts, full.index), text_series(lasts, full.index)
    bad = pd.Series(
        full.notna().to_numpy(dtype=bool) & first.isna().to_numpy(dtype=bool), index=full.index
    )
    return first, last, bad


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

    frame["provider"] = repeated(provider_name, raw.index)
    for column in ("record_id", "employee_id", "email", "first_name", "last_name", "credential_id"):
        values = text(column)
        frame[column] = values if values is not None else empty_text(raw.index)
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
    exact = provider.module_values
    folded = {k.casefold(): v for k, v in exact.items()}

    def canonical_module(name: str) -> str:
        if name in exact:
            return exact[name]
        # unknown names stay visible for the quarantine
        return folded.get(name.casefold(), name)

    frame["module"] = map_text(module, canonical_module)

    raw_date = raw[source_columns["assessment_date"]]
    raw_values["assessment_date"] = clean_text(raw_date)
    _keep_parsed(
        frame,
        raw_values,
        failures,
        "assessment_date",
        parse_dates(
            _present_or_missing(raw_date, raw_values["assessment_date"]), provider.date_format
        ),
        f"a date in the format {provider.date_format}",
    )

    score_raw = raw[source_columns["score"]] if "score" in source_columns else None
    if score_raw is not None:
        raw_values["score"] = clean_text(score_raw)
        score = parse_numbers(_present_or_missing(score_raw, raw_values["score"]))
        failures.append(ParseFailure("score", _failed(raw_values["score"], score), "a number"))
        percent_sign = raw_values["score"].str.endswith("%").to_numpy(dtype=bool, na_value=False)
        if provider.score_scale == "fraction":
            score = score.where(percent_sign, score * 100)
        frame["score"] = score.round(6)
    else:
        frame["score"] = np.nan

    result_words = text("passed")
    passed, expected = apply_pass_rule(provider.pass_rule, result_words, frame["score"])
    frame["passed"] = passed
    unparsed = passed.isna().to_numpy(dtype=bool)
    if result_words is not None:
        unparsed &= result_words.notna().to_numpy(dtype=bool)
    failures.append(ParseFailure("passed", pd.Series(unparsed, index=raw.index), expected))
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
        values = clean_text(raw[cols[column]]) if column in cols else empty_text(raw.index)
        raw_values[column] = values
        frame[column] = values
    frame["provider"] = repeated(provider_name, raw.index)  # the folder name is the provider
    failures = []
    _keep_parsed(
        frame,
        raw_values,
        failures,
        "assessment_date",
        parse_dates(raw_values["assessment_date"], ISO_DATE),
        f"a date in the format {ISO_DATE}",
    )
    _keep_parsed(
        frame, raw_values, failures, "score", parse_numbers(raw_values["score"]), "a number"
    )
    _keep_parsed(
        frame,
        raw_values,
        failures,
        "passed",
        _words_to_boolean(raw_values["passed"], {"true": True, "false": False}),
        "true or false",
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
    for column in ROSTER_COLUMNS:
        if column in ("hire_date", "termination_date"):
            continue
        frame[column] = raw_values[column] if column in raw_values else empty_text(raw.index)
    # A site code is an identifier (schemas/identifiers.py): one case, so 'dayton' is DAYTON.
    frame["site"] = frame["site"].str.upper()
    for column in ("hire_date", "termination_date"):
        if column in raw_values:
            _keep_parsed(
                frame,
                raw_values,
                failures,
                column,
                parse_dates(
                    _present_or_missing(raw[source_columns[column]], raw_values[column]), ISO_DATE
                ),
                f"a date in the format {ISO_DATE}",
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
        frame[column] = raw_values[column] if column in raw_values else empty_text(raw.index)
    _keep_parsed(
        frame,
        raw_values,
        failures,
        "activity_date",
        parse_dates(raw_values["activity_date"], ISO_DATE),
        f"a date in the format {ISO_DATE}",
    )
    for column in ("hours", "points"):
        if column in raw_values:
            _keep_parsed(
                frame, raw_values, failures, column, parse_numbers(raw_values[column]), "a number"
            )
        else:
            frame[column] = np.nan
    return _finish(frame, raw_values, failures, raw, relative_path)


def _finish(frame, raw_values, failures, raw, relative_path) -> Conformed:
    frame[FILE_COLUMN] = repeated(relative_path, raw.index)
    frame[ROW_NUMBER] = raw[ROW_NUMBER].to_numpy()
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return Conformed(frame=frame, raw=raw_values, parse_failures=failures)
