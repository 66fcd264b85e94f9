"""The records that prove each status row (ISO 9001 7.2 d): one line per proving record.

The engine names the proving records of every status row in ``evidence_record_ids``
(``provider:record_id;...``, in the credential's order of required modules). Here those names
are joined back to the week's assessment results, so that a status traces to the provider, the
record, its module, date, score and certificate id, and how the record was linked to the person
(employee id, e-mail or name). This runs after the engine, on the status rows that cite records,
and leaves the engine's own work (and speed) untouched.

The join is on the person and the full ``provider:record_id`` key, matched as a whole item of the
row's ``;``-separated list, so that a record id which itself contains ``;`` or ``:`` is still
found whole rather than split. The list holds one passing record per required module, so only
passes count, and where two of a person's passes could both be read out of the list for the
same module (ids ``A`` and ``A;1``), the longer key - the one the list spells in full - wins.
"""

from __future__ import annotations

import pandas as pd

# status/<week>/evidence.csv and the PDFs' evidence.csv attachment, in this order
STATUS_EVIDENCE_COLUMNS = (
    "employee_id",
    "first_name",
    "last_name",
    "site",
    "job_role",
    "credential",
    "status",
    "compliance",
    "module",
    "provider",
    "record_id",
    "assessment_date",
    "score",
    "passed",
    "credential_id",
    "linked_by",
    "source_file",
    "source_row",
)
STATUS_KEY = ["employee_id", "credential"]
_PERSON = ["employee_id", "first_name", "last_name", "site", "job_role"]
_STATUS = ["credential", "status", "compliance"]
_RECORD = [
    "module",
    "provider",
    "record_id",
    "assessment_date",
    "score",
    "passed",
    "credential_id",
    "source_file",
    "source_row",
]


def _plain(series: pd.Series) -> pd.Series:
    """Text as plain Python strings ('' for missing), whatever the frame's string dtype."""
    return series.astype(object).where(series.notna(), "").astype(str)


def empty_status_evidence() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in STATUS_EVIDENCE_COLUMNS})


def status_evidence(status: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """One row per (status row, proving record), sorted by site, person, credential, module.

    ``status`` are certification_status rows, ``results`` the week's assessment_results with
    ``person_id`` and ``match_method``. A status row that cites no record has no line here: the
    audit findings (7.2 d) name every compliant status in that case.
    """
    if status.empty or results.empty or "person_id" not in results:
        return empty_status_evidence()
    cited = status[_plain(status["evidence_record_ids"]) != ""]
    linked = results[results["person_id"].notna()]
    if cited.empty or linked.empty:
        return empty_status_evidence()
    left = cited[[*_PERSON, *_STATUS]].assign(
        employee_id=_plain(cited["employee_id"]),
        _cited=";" + _plain(cited["evidence_record_ids"]) + ";",
    )
    right = linked[_RECORD].assign(
        employee_id=_plain(linked["person_id"]),
        linked_by=_plain(linked["match_method"]),
        _key=";" + _plain(linked["provider"]) + ":" + _plain(linked["record_id"]) + ";",
    )
    pairs = left.merge(right, on="employee_id", how="inner")
    # a record proves the row when its whole key is an item of the row's list
    passed = pairs["passed"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    cited_keys = zip(pairs["_key"], pairs["_cited"], strict=True)
    proves = [ok and key in cited for ok, (key, cited) in zip(passed, cited_keys, strict=True)]
    out = pairs[proves]
    out = (
        out.assign(_length=out["_key"].str.len())
        .sort_values("_length", ascending=False, kind="stable")
        .drop_duplicates([*STATUS_KEY, "module"])
        .drop(columns=["_key", "_cited", "_length"])
    )
    out = out.sort_values(
        ["site", "employee_id", "credential", "module", "assessment_date", "provider", "record_id"],
        kind="stable",
    )
    return out.loc[:, list(STATUS_EVIDENCE_COLUMNS)].reset_index(drop=True)
