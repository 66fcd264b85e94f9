"""The module passes of the employed people, indexed for "first pass on or after day X" queries.

Cycle chaining asks, for many people at once, questions like "the first SAFETY pass after this
person's expiry date" (the :class:`~assets.certification.rules.history.PassHistory` questions).
Sorting every pass once by (person, module, day) as a single integer key answers each of those
questions with one ``numpy.searchsorted`` over all people together.

Inside this module "no pass" is the day number NO_DAY (so that max/min over modules and the sorted
keys work on plain integers); the answers handed to the rules are
:class:`~assets.certification.rules.days.Days` with a ``present`` mask. Several records of one
pass are resolved by the rule :func:`~assets.certification.rules.evidence.evidence_record`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from assets.certification.dates import NO_DAY, days_from_datetimes
from assets.certification.machinery.day_grid import DayGrid
from assets.certification.rules.days import Days
from assets.certification.rules.evidence import evidence_record
from assets.certification.rules.points import retakes
from assets.text import (
    after_present,
    arrow_text,
    is_text,
    take_objects,
)

# The latest-attempt arrays use this for "never attempted".
NO_ATTEMPT = -NO_DAY

_NULL_TEXT = pa.scalar(None, pa.string())


@dataclass(frozen=True)
class SourceRecords:
    """The identifying columns of the results rows, ready for building evidence text.

    The frame's own columns are kept for the few rows that need Python objects; the evidence
    texts come from Arrow arrays prepared once: provider as dictionary codes (a handful of
    distinct values), record and credential ids as Arrow strings, blank credential ids missing.
    """

    provider: pd.Series
    record_id: pd.Series
    credential_id: pd.Series
    matched_by_name: np.ndarray  # bool
    provider_code: np.ndarray  # int32 position in provider_label; -1 where missing
    provider_label: pa.Array  # "provider:" of each distinct provider
    record_id_text: pa.Array
    record_id_missing: np.ndarray  # bool
    credential_text: pa.Array  # null where missing or blank

    @classmethod
    def of(cls, results: pd.DataFrame) -> SourceRecords:
        by_name = results["match_method"] == "name"
        provider = pc.dictionary_encode(arrow_text(results["provider"]))
        record_id = arrow_text(results["record_id"])
        credential = arrow_text(results["credential_id"])
        blank = pc.equal(pc.utf8_trim_whitespace(credential), "")  # as the evidence rule sees it
        credential = pc.if_else(blank, _NULL_TEXT, credential)
        return cls(
            provider=results["provider"],
            record_id=results["record_id"],
            credential_id=results["credential_id"],
            matched_by_name=by_name.to_numpy(dtype=bool, na_value=False),
            provider_code=np.asarray(pc.fill_null(provider.indices, -1), dtype=np.int32),
            provider_label=pc.binary_join_element_wise(provider.dictionary, ":", ""),
            record_id_text=record_id,
            record_id_missing=np.asarray(record_id.is_null(), dtype=bool),
            credential_text=credential,
        )

    def __len__(self) -> int:
        return len(self.provider)

    def labels(self, rows: np.ndarray) -> np.ndarray:
        """``provider:record_id`` of a few rows, as Python strings (the evidence's own text)."""
        provider, record_id = self.evidence_pieces(np.asarray(rows).reshape(-1, 1))
        joined = pc.binary_join_element_wise(provider, record_id, "")
        return joined.to_numpy(zero_copy_only=False).astype(object)

    def evidence_pieces(self, proof_rows: np.ndarray) -> list[pa.Array]:
        """Texts that concatenate to each row's ``provider:record_id;...`` (rows x modules in).

        Per module a ``provider:`` piece and a ``record_id`` piece, both null where the row has
        no record for the module (or the record lacks either part). A ``;`` leads every
        provider piece but the row's first present one, so that the pieces only need to be
        concatenated: no separator to strip afterwards.
        """
        n, width = proof_rows.shape
        if not len(self.provider_label):  # no provider at all
            return [pa.nulls(n, pa.string())] * (2 * width)
        rows = proof_rows.T.ravel()  # module by module: each module's pieces are one slice
        absent = rows < 0
        safe = np.where(absent, 0, rows)
        code = self.provider_code[safe]
        absent |= (code < 0) | self.record_id_missing[safe]
        later = after_present(~absent.reshape(width, n).T).T.ravel()
        separated = len(self.provider_label)  # the second half of the labels has the ";"
        index = np.maximum(code, 0) + np.where(later, separated, 0)
        labels = pa.concat_arrays(
            [self.provider_label, pc.binary_join_element_wise(";", self.provider_label, "")]
        )
        provider = pa.DictionaryArray.from_arrays(pa.array(index, mask=absent), labels)
        provider = provider.cast(pa.string())
        record_id = self.record_id_text.take(pa.array(safe, mask=absent))
        return [part.slice(j * n, n) for j in range(width) for part in (provider, record_id)]

    def evidence_credentials(self, rows: np.ndarray) -> pa.Array:
        """The credential id of each row (null where ``rows`` is -1 or the id is missing)."""
        absent = rows < 0
        return self.credential_text.take(pa.array(np.where(absent, 0, rows), mask=absent))


@dataclass(frozen=True)
class AssessmentIndex:
    """Passes and attempts of employed people on or before D, by (person, module).

    ``modules`` lists every configured module; a module's number is its position there.
    ``first_pass``, ``last_pass`` and ``last_attempt`` are dense ``(people, modules)`` day
    arrays (``NO_DAY`` / ``NO_ATTEMPT`` when none). ``keys`` are the sorted distinct pass days as
    grid keys of group ``person * len(modules) + module``; ``record_row[i]`` is the position in
    the results frame (and in ``records``) of the record that evidences ``keys[i]``.
    """

    modules: tuple[str, ...]
    grid: DayGrid
    keys: np.ndarray
    record_row: np.ndarray
    first_pass: np.ndarray
    last_pass: np.ndarray
    last_attempt: np.ndarray
    records: SourceRecords

    def numbers(self, modules: Iterable[str]) -> list[int]:
        """The module numbers of module codes."""
        return [self.modules.index(m) for m in modules]

    def _group(self, person: np.ndarray, module: int) -> np.ndarray:
        return np.asarray(person, dtype=np.int64) * len(self.modules) + module

    def first_passes(self, person: np.ndarray, modules: list[int]) -> Days:
        """Per person and module, the earliest pass (a PassHistory question)."""
        first = self.first_pass[person][:, modules]
        return Days(first, first < NO_DAY)

    def passes_from(self, person: np.ndarray, modules: list[int], from_day: np.ndarray) -> Days:
        """Per person and module, the first pass on or after ``from_day`` (PassHistory)."""
        columns = [self.first_pass_from(person, m, from_day) for m in modules]
        day = np.stack(columns, axis=1) if columns else np.empty((len(person), 0), dtype=np.int64)
        return Days(day, day < NO_DAY)

    def first_pass_from(self, person: np.ndarray, module: int, from_day: np.ndarray) -> np.ndarray:
        """Day of each person's first pass of ``module`` on or after ``from_day``, else NO_DAY."""
        group = self._group(person, module)
        at = np.searchsorted(self.keys, self.grid.key(group, from_day), side="left")
        found_key = self.keys[np.minimum(at, len(self.keys) - 1)] if len(self.keys) else at
        found = (at < len(self.keys)) & (self.grid.group_of(found_key) == group)
        return np.where(found, self.grid.day_of(found_key), NO_DAY)

    def record_of(self, person: np.ndarray, module: int, day: Days) -> np.ndarray:
        """Row in ``records`` of the pass of ``module`` on ``day``; -1 where there is none."""
        key = self.grid.key(self._group(person, module), day.day)
        at = np.searchsorted(self.keys, key, side="left")
        safe = np.minimum(at, max(len(self.keys) - 1, 0))
        found = (at < len(self.keys)) & day.present
        if len(self.keys):
            found &= self.keys[safe] == key
        return np.where(found, self.record_row[safe] if len(self.keys) else -1, -1)

    def repeat_passes(self, modules: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Passes of ``modules`` that repeat an earlier pass of the same module (retakes).

        Returns grid keys of group ``person`` sorted, and the evidencing record rows.
        """
        group = self.grid.group_of(self.keys)
        repeat = retakes(group) & np.isin(group % len(self.modules), modules)
        person = group[repeat] // len(self.modules)
        keys = self.grid.key(person, self.grid.day_of(self.keys[repeat]))
        order = np.argsort(keys, kind="stable")
        return keys[order], self.record_row[repeat][order]


def _module_numbers(module: pd.Series, modules: tuple[str, ...]) -> np.ndarray:
    if is_text(module):
        found = pc.index_in(arrow_text(module), value_set=pa.array(modules, type=pa.string()))
        return np.asarray(pc.fill_null(found, -1), dtype=np.int64)
    if isinstance(module.dtype, pd.CategoricalDtype):
        lookup = pd.Index(modules).get_indexer(module.cat.categories)
        codes = module.cat.codes.to_numpy()
        return np.where(codes >= 0, lookup[codes], -1)
    return pd.Index(modules).get_indexer(module)


def _passed(column: pd.Series) -> np.ndarray:
    if column.dtype == bool:
        return column.to_numpy()
    return column.fillna(False).to_numpy(dtype=bool)  # a missing verdict is not a pass


@dataclass(frozen=True)
class ResultsSlice:
    """The attempts and passes of one contiguous slice of the results rows, ready to merge.

    Slices are independent, so worker threads prepare them side by side; ``pass_keys`` are
    sorted within the slice and ``pass_rows`` are rows of the whole results frame.
    """

    attempt_groups: np.ndarray
    attempt_days: np.ndarray
    pass_keys: np.ndarray
    pass_rows: np.ndarray


def results_slice(
    results: pd.DataFrame,
    start: int,
    stop: int,
    positions: Callable[[pd.Series], np.ndarray],
    modules: tuple[str, ...],
    grid: DayGrid,
    as_of_day: int,
) -> ResultsSlice:
    """Rows ``start:stop`` of the results of employed people dated on or before D.

    ``positions`` gives each employee id's position among the employed people (-1: not employed).
    """
    part = results.iloc[start:stop]
    person = positions(part["employee_id"])
    day, dated = days_from_datetimes(part["assessment_date"])
    module = _module_numbers(part["module"], modules)
    rows = np.flatnonzero((person >= 0) & dated & (day <= as_of_day) & (module >= 0))
    group = person[rows].astype(np.int64) * len(modules) + module[rows]
    day = day[rows]
    passed = np.flatnonzero(_passed(part["passed"])[rows])
    keys = grid.key(group[passed], day[passed])
    # equal keys (one exam reported by several records) may come out in any order: _best_records
    # ranks them on every field the evidence shows, so the choice never depends on it
    order = np.argsort(keys)
    return ResultsSlice(group, day, keys[order], (rows[passed] + start)[order])


def build_assessment_index(
    slices: list[ResultsSlice],
    results: pd.DataFrame,
    n_people: int,
    modules: tuple[str, ...],
    grid: DayGrid,
    records: SourceRecords,
) -> AssessmentIndex:
    """Index the results of employed people dated on or before D from their slices, in order.

    ``records`` are ``SourceRecords.of(results)``.
    """
    n_modules = len(modules)
    last_attempt = np.full(n_people * n_modules, NO_ATTEMPT, dtype=np.int64)
    for part in slices:
        np.maximum.at(last_attempt, part.attempt_groups, part.attempt_days)

    keys = np.concatenate([part.pass_keys for part in slices])
    pass_rows = np.concatenate([part.pass_rows for part in slices])
    if len(slices) > 1:  # merge the sorted runs: a stable sort finds and merges them
        order = np.argsort(keys, kind="stable")
        keys, pass_rows = keys[order], pass_rows[order]
    first_of_key = np.ones(len(keys), dtype=bool)
    first_of_key[1:] = keys[1:] != keys[:-1]
    record_row = _best_records(results, keys, pass_rows, first_of_key)
    keys = keys[first_of_key]

    group = grid.group_of(keys)
    starts = np.ones(len(keys), dtype=bool)
    starts[1:] = group[1:] != group[:-1]
    ends = np.ones(len(keys), dtype=bool)
    ends[:-1] = group[1:] != group[:-1]
    first_pass = np.full(n_people * n_modules, NO_DAY, dtype=np.int64)
    first_pass[group[starts]] = grid.day_of(keys[starts])
    last_pass = np.full(n_people * n_modules, NO_DAY, dtype=np.int64)
    last_pass[group[ends]] = grid.day_of(keys[ends])
    shape = (n_people, n_modules)
    return AssessmentIndex(
        modules=modules,
        grid=grid,
        keys=keys,
        record_row=record_row,
        first_pass=first_pass.reshape(shape),
        last_pass=last_pass.reshape(shape),
        last_attempt=last_attempt.reshape(shape),
        records=records,
    )


def _best_records(
    results: pd.DataFrame, keys: np.ndarray, pass_rows: np.ndarray, first_of_key: np.ndarray
) -> np.ndarray:
    """The evidencing record of each distinct pass key (``keys`` sorted, one run per key).

    Only keys reported by several records need a choice; they are rare (the same exam sent by
    two providers, or twice), so only they pay for the preference and the string sort.
    """
    record_row = pass_rows[first_of_key]
    repeated = ~first_of_key
    if not repeated.any():
        return record_row
    key_number = np.cumsum(first_of_key) - 1
    contested = np.zeros(len(record_row), dtype=bool)
    contested[key_number[repeated]] = True
    at = np.flatnonzero(contested[key_number])
    rows = pass_rows[at]
    chosen = evidence_record(
        key_number[at],
        take_objects(results["credential_id"], rows),
        take_objects(results["match_method"], rows),
        take_objects(results["provider"], rows),
        take_objects(results["record_id"], rows),
    )
    record_row[key_number[at][chosen]] = rows[chosen]
    return record_row
