"""Where a provider is mapped: one training provider's file onto the canonical result shape.

Providers differ only in configuration (``providers.yaml``): column names, ``Last, First`` or
``First Last`` names, module names, date format, score scale and how a pass is written. The
functions here apply that configuration and never drop a row. A provider folder without a
``providers.yaml`` entry is already in the canonical shape (:func:`conform_canonical_results`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from assets.text import empty_text, map_text
from schemas.config import CANONICAL_RESULT_COLUMNS, PassRule, Provider

from .cell_parsing import (
    ISO_DATE,
    clean_text,
    parse_dates,
    parse_numbers,
    present_or_missing,
    words_to_boolean,
)
from .conformed import Conformed, ParseFailure, failed, finish, keep_parsed
from .labels import file_label
from .names import split_full_name


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
    passed = words_to_boolean(result_words, words)
    allowed = ", ".join([*(rule.pass_values or []), *(rule.fail_values or [])])
    return passed, f"one of {allowed}"


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

    frame["provider"] = file_label(provider_name, raw.index)  # codes, not text (labels.py)
    for column in ("record_id", "employee_id", "email", "first_name", "last_name", "credential_id"):
        values = text(column)
        frame[column] = values if values is not None else empty_text(raw.index)
    full = text("full_name")
    if full is not None:
        first, last, bad = split_full_name(full, provider.name_order)
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
    keep_parsed(
        frame,
        raw_values,
        failures,
        "assessment_date",
        parse_dates(
            present_or_missing(raw_date, raw_values["assessment_date"]), provider.date_format
        ),
        f"a date in the format {provider.date_format}",
    )

    score_raw = raw[source_columns["score"]] if "score" in source_columns else None
    if score_raw is not None:
        raw_values["score"] = clean_text(score_raw)
        score = parse_numbers(present_or_missing(score_raw, raw_values["score"]))
        failures.append(ParseFailure("score", failed(raw_values["score"], score), "a number"))
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
    return finish(frame, raw_values, failures, raw, relative_path)


def conform_canonical_results(
    raw: pd.DataFrame, provider_name: str, relative_path: str
) -> Conformed:
    """A provider folder already in the canonical shape: ISO dates, passed true/false."""
    cols = {c.casefold(): c for c in raw.columns}
    frame = pd.DataFrame(index=raw.index)
    raw_values = pd.DataFrame(index=raw.index)
    for column in CANONICAL_RESULT_COLUMNS:
        values = clean_text(raw[cols[column]]) if column in cols else empty_text(raw.index)
        raw_values[column] = values
        frame[column] = values
    frame["provider"] = file_label(provider_name, raw.index)  # the folder name is the provider
    failures: list[ParseFailure] = []
    keep_parsed(
        frame,
        raw_values,
        failures,
        "assessment_date",
        parse_dates(raw_values["assessment_date"], ISO_DATE),
        f"a date in the format {ISO_DATE}",
    )
    keep_parsed(
        frame, raw_values, failures, "score", parse_numbers(raw_values["score"]), "a number"
    )
    keep_parsed(
        frame,
        raw_values,
        failures,
        "passed",
        words_to_boolean(raw_values["passed"], {"true": True, "false": False}),
        "true or false",
    )
    return finish(frame, raw_values, failures, raw, relative_path)
