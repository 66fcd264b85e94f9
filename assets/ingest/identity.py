"""Identity resolution: link provider records to people on the week's roster
(docs/data-contract.md).

By ``employee_id`` when it is on the roster; else by a unique e-mail address (case-insensitive);
else by a unique normalized name (accents, case and spacing folded) — flagged as matched by name.
A record whose e-mail or name fits several people is AMBIGUOUS; one that fits nobody is
UNMATCHED. Both go to the exceptions table with what was tried, and are never guessed.
An unknown employee id falls through to e-mail and name, because providers often key in the id
by hand; the exception text then says the id was not found.

Millions of results are linked with Arrow lookups; only the records not linked by id are looked
up by e-mail (in the roster's rows with one of their e-mails), only those still unlinked are
folded by name, and only the unlinked ones are explained row by row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from assets.text import (
    arrow_of,
    as_objects,
    casefold,
    is_in,
    text_series,
    to_text,
)

from .labels import labels_as_text
from .linked_people import linked_people
from .names import fold_name

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
METHODS = pa.array([None, "employee_id", "email", "name"], type=pa.string())


@dataclass
class _Lookup:
    """Keys that name exactly one person (Arrow arrays), and keys shared by several."""

    keys: pa.Array
    ids: pa.Array
    shared: pd.DataFrame  # key, id: one row per person of a key shared by several

    def finds(self, values: pd.Series) -> np.ndarray:
        return is_in(values, self.keys)

    def shared_by_several(self, values: pd.Series) -> np.ndarray:
        return is_in(values, self.shared["key"])

    def person(self, values: pd.Series) -> pd.Series:
        positions = pc.index_in(arrow_of(to_text(values)), value_set=self.keys)
        return text_series(self.ids.take(positions), values.index)

    def candidates(self, keys: np.ndarray) -> list[str]:
        """'id1;id2' (ids sorted) for each of ``keys``, all shared by several people.

        Built only for the keys of records left unlinked: a large roster shares thousands of
        names, and joining every group's ids in Python cost more than the linking itself.
        """
        wanted = self.shared[is_in(self.shared["key"], pd.Series(keys, dtype=object))]
        joined = as_objects(wanted).sort_values("id").groupby("key")["id"].agg(";".join)
        return [joined[k] for k in keys]


def _unique_lookup(keys: pd.Series, ids: pd.Series, asked: pd.Series) -> _Lookup:
    """(key -> the one id) for unique keys, and the (key, id) rows of keys shared by several;
    for the keys ``asked`` only, the only ones it will be asked about.

    Only the roster's rows with an asked key are kept: the records that reach a lookup are the
    few that did not link by id, and a lookup of the whole roster (a million e-mails, a million
    names) cost 4-5 s at a million employees, for some thousands of records (measured)."""
    asked_rows = is_in(keys, asked)
    table = pd.DataFrame({"key": to_text(keys[asked_rows]), "id": to_text(ids[asked_rows])})
    table = table.dropna().drop_duplicates()
    shared_mask = table["key"].duplicated(keep=False).to_numpy()
    unique = table[~shared_mask]
    return _Lookup(
        keys=arrow_of(unique["key"]).combine_chunks(),
        ids=arrow_of(unique["id"]).combine_chunks(),
        shared=table[shared_mask],
    )


def _full_names(frame: pd.DataFrame) -> pd.Series:
    return fold_name(to_text(frame["first_name"]) + " " + to_text(frame["last_name"]))


def link_results(results: pd.DataFrame, roster: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add ``person_id`` and ``match_method`` to results; return (results, exceptions)."""
    results = results.copy(deep=False)  # two columns are added; the data is not copied
    index = results.index
    roster_ids = to_text(roster["employee_id"])

    employee_id = to_text(results["employee_id"])
    by_id = is_in(employee_id, roster_ids)
    method = np.where(by_id, 1, 0)

    # Each later step looks only at the records the steps before left unlinked (``rows``:
    # their positions), a few thousand of millions: a copy of every result's folded e-mail was
    # 145 MB at the peak, and spreading each step's answer over every row cost seconds.
    # e-mails are folded only where the id did not link
    rows = np.flatnonzero(~by_id)
    email_key = casefold(results["email"].take(rows))
    by_email_of = _unique_lookup(casefold(roster["email"]), roster_ids, email_key)
    by_email = by_email_of.finds(email_key)
    found_by_email = (rows[by_email], by_email_of.person(email_key[by_email]))
    method[rows[by_email]] = 2

    # names are folded (pure Python per distinct name) only where id and e-mail did not link
    email_key, rows = email_key[~by_email], rows[~by_email]
    result_names = _full_names(results[["first_name", "last_name"]].take(rows))
    by_name_of = _unique_lookup(_full_names(roster), roster_ids, result_names)
    by_name = by_name_of.finds(result_names)
    found_by_name = (rows[by_name], by_name_of.person(result_names[by_name]))
    method[rows[by_name]] = 3

    results["person_id"] = linked_people(employee_id, by_id, [found_by_email, found_by_name])
    results["match_method"] = text_series(METHODS.take(pa.array(method)), index)

    # the unlinked records are few: explained row by row, as Python strings
    email_key, result_names, rows = email_key[~by_name], result_names[~by_name], rows[~by_name]
    amb_email = by_email_of.shared_by_several(email_key)
    amb_name = ~amb_email & by_name_of.shared_by_several(result_names)
    unlinked = as_objects(labels_as_text(results.take(rows)))
    email_key = email_key.to_numpy(dtype=object, na_value=None)
    result_names = result_names.to_numpy(dtype=object, na_value=None)
    candidates = pd.Series(None, index=unlinked.index, dtype=object)
    candidates[amb_email] = by_email_of.candidates(email_key[amb_email])
    candidates[amb_name] = by_name_of.candidates(result_names[amb_name])
    reason = pd.Series("UNMATCHED", index=unlinked.index, dtype=object)
    reason[amb_email | amb_name] = "AMBIGUOUS"

    detail = _explain(
        unlinked,
        pd.Series(amb_email, index=unlinked.index),
        pd.Series(amb_name, index=unlinked.index),
    )
    exceptions = pd.DataFrame(
        {
            "provider": unlinked["provider"],
            "record_id": unlinked["record_id"],
            "source_file": unlinked["source_file"],
            "row_number": unlinked["source_row"].astype("Int64"),
            "reason": reason,
            "detail": detail,
            "employee_id": unlinked["employee_id"],
            "email": unlinked["email"],
            "first_name": unlinked["first_name"],
            "last_name": unlinked["last_name"],
            "candidates": candidates,
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
    activities = activities.copy(deep=False)
    employee_id = to_text(activities["employee_id"])
    known = is_in(employee_id, roster["employee_id"])
    activities["person_id"] = employee_id.where(known)
    unlinked = as_objects(labels_as_text(activities[~known]))
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
