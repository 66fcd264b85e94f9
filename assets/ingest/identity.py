"""Identity resolution: link provider records to people on the week's roster (SPEC 4).

By ``employee_id`` when it is on the roster; else by a unique e-mail address (case-insensitive);
else by a unique normalized name (accents, case and spacing folded) — flagged as matched by name.
A record whose e-mail or name fits several people is AMBIGUOUS; one that fits nobody is
UNMATCHED. Both go to the exceptions table with what was tried, and are never guessed.
An unknown employee id falls through to e-mail and name, because providers often key in the id
by hand; the exception text then says the id was not found.
"""

from __future__ import annotations

import pandas as pd

from .conform import fold_name

UNMATCHED_COLUMNS = [
    "provider",
    "record_id",
    "source_file",
    "row_number",
    "reason",
    "detail",
    "employee_id",
    "email",
    "first_name",
    "last_name",
    "candidates",
]


def _unique_lookup(keys: pd.Series, ids: pd.Series) -> tuple[pd.Series, dict]:
    """(key -> the one id) for unique keys, (key -> 'id1;id2') for keys shared by several."""
    table = pd.DataFrame({"key": keys, "id": ids}).dropna().drop_duplicates()
    shared_mask = table["key"].duplicated(keep=False)
    unique = table[~shared_mask].set_index("key")["id"]
    shared = table[shared_mask].sort_values("id").groupby("key")["id"].agg(";".join).to_dict()
    return unique, shared


def link_results(results: pd.DataFrame, roster: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add ``person_id`` and ``match_method`` to results; return (results, exceptions)."""
    results = results.copy()
    known_ids = set(roster["employee_id"].dropna())
    email_unique, email_shared = _unique_lookup(
        roster["email"].str.casefold(), roster["employee_id"]
    )
    name_keys = fold_name(roster["first_name"] + " " + roster["last_name"])
    name_unique, name_shared = _unique_lookup(name_keys, roster["employee_id"])

    person = pd.Series(None, index=results.index, dtype=object)
    method = pd.Series(None, index=results.index, dtype=object)

    by_id = results["employee_id"].isin(known_ids)
    person[by_id] = results.loc[by_id, "employee_id"]
    method[by_id] = "employee_id"

    email_key = results["email"].str.casefold()
    by_email = person.isna() & email_key.isin(email_unique.index)
    person[by_email] = email_key[by_email].map(email_unique)
    method[by_email] = "email"

    result_names = pd.Series(None, index=results.index, dtype=object)
    pending = person.isna()
    result_names[pending] = fold_name(
        results.loc[pending, "first_name"] + " " + results.loc[pending, "last_name"]
    )
    by_name = person.isna() & result_names.isin(name_unique.index)
    person[by_name] = result_names[by_name].map(name_unique)
    method[by_name] = "name"

    results["person_id"] = person
    results["match_method"] = method

    missing = person.isna()
    ambiguous_email = missing & email_key.isin(email_shared.keys())
    ambiguous_name = missing & ~ambiguous_email & result_names.isin(name_shared.keys())
    candidates = pd.Series(None, index=results.index, dtype=object)
    candidates[ambiguous_email] = email_key[ambiguous_email].map(email_shared)
    candidates[ambiguous_name] = result_names[ambiguous_name].map(name_shared)
    reason = pd.Series("UNMATCHED", index=results.index, dtype=object)
    reason[ambiguous_email | ambiguous_name] = "AMBIGUOUS"

    unlinked = results[missing]
    detail = _explain(unlinked, ambiguous_email[missing], ambiguous_name[missing])
    exceptions = pd.DataFrame(
        {
            "provider": unlinked["provider"],
            "record_id": unlinked["record_id"],
            "source_file": unlinked["source_file"],
            "row_number": unlinked["source_row"].astype("Int64"),
            "reason": reason[missing],
            "detail": detail,
            "employee_id": unlinked["employee_id"],
            "email": unlinked["email"],
            "first_name": unlinked["first_name"],
            "last_name": unlinked["last_name"],
            "candidates": candidates[missing],
        }
    ).reset_index(drop=True)
    return results, exceptions


def _explain(unlinked: pd.DataFrame, amb_email: pd.Series, amb_name: pd.Series) -> pd.Series:
    parts = pd.Series("", index=unlinked.index, dtype=object)
    has_id = unlinked["employee_id"].notna()
    parts[has_id] += "employee id " + unlinked.loc[has_id, "employee_id"] + " not on the roster; "
    has_email = unlinked["email"].notna()
    parts[has_email & amb_email] += "e-mail shared by several people; "
    parts[has_email & ~amb_email] += "e-mail not on the roster; "
    parts[~has_email] += "no e-mail; "
    named = unlinked["first_name"].notna() & unlinked["last_name"].notna()
    parts[named & amb_name] += "name fits several people"
    parts[named & ~amb_name] += "name not on the roster"
    parts[~named] += "no name"
    return parts


def link_activities(
    activities: pd.DataFrame, roster: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Continuing-education records carry only an employee id: link by it, or report them."""
    activities = activities.copy()
    known = activities["employee_id"].isin(set(roster["employee_id"].dropna()))
    activities["person_id"] = activities["employee_id"].where(known)
    unlinked = activities[~known]
    exceptions = pd.DataFrame(
        {
            "provider": "activities",
            "record_id": unlinked["evidence_ref"],
            "source_file": unlinked["source_file"],
            "row_number": unlinked["source_row"].astype("Int64"),
            "reason": "UNMATCHED",
            "detail": "employee id " + unlinked["employee_id"].astype(str) + " not on the roster",
            "employee_id": unlinked["employee_id"],
            "email": None,
            "first_name": None,
            "last_name": None,
            "candidates": None,
        }
    ).reset_index(drop=True)
    return activities, exceptions
