"""Who is in scope on date D, and which credential each person's role requires.

Only people employed on D count (docs/rules.md): hire date on or before D and no termination date
on or
before D. The requirement of a (site, job role) comes from ``requirements.yaml``: an entry for the
person's own site beats a ``*`` entry; among entries for the same (site, role) the first one in
the file wins. Job roles are matched with case and surrounding spaces folded, because HR exports
are typed by people; site ids are matched exactly.

A role is *manufacturing-related* (it earns employment points) when any requirement entry, for
any site, gives it a credential, or when ``policy.manufacturing_related_roles`` lists it. A site
that sets a role to ``credential: null`` does not make that role any less manufacturing work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from assets.certification.dates import day_number, days_from_datetimes
from assets.text import arrow_text, is_text, positions_in
from schemas.config import CompetenceConfig
from schemas.tables import ROSTER_COLUMNS


@dataclass(frozen=True)
class People:
    """The employed people of D, one per position; every array is aligned with ``frame``.

    ``frame`` is sorted by ``employee_id`` so that every table built from it comes out in a
    stable order whatever the order of the input rows.
    """

    frame: pd.DataFrame
    ids_text: pa.Array
    hire_day: np.ndarray
    required_credential: np.ndarray  # object: credential code, or None when none is required
    requirement_determined: np.ndarray  # bool: the role has an entry, even a null one
    manufacturing_related: np.ndarray  # bool

    def __len__(self) -> int:
        return len(self.frame)

    @cached_property
    def ids(self) -> pd.Index:
        """The employee ids as an object index (built only for object-typed inputs)."""
        return pd.Index(self.frame["employee_id"].to_numpy(dtype=object), dtype=object)

    def column_at(self, column: str, positions: np.ndarray) -> pd.api.extensions.ExtensionArray:
        """A roster column at people ``positions``, in the roster's own dtype."""
        values = self.frame[column].array
        if isinstance(values, pd.arrays.ArrowExtensionArray):  # skip pandas' index checks
            return pd.arrays.ArrowExtensionArray(values.__arrow_array__().take(pa.array(positions)))
        return values.take(positions)

    def prepare_lookup(self) -> None:
        """Build the id lookup on this thread, before worker threads share it."""
        if not is_text(self.frame["employee_id"]):
            _ = self.ids.is_unique  # pandas fills the index's hash table on first use

    def positions(self, employee_ids: pd.Series) -> np.ndarray:
        """Position of each employee id among the employed people; -1 for anyone else."""
        return positions_in(employee_ids, self.ids_text, lambda: self.ids)


def _fold(role: object) -> str:
    return " ".join(str(role).split()).casefold()


def _requirement_lookup(config: CompetenceConfig) -> dict[tuple[str, str], str | None]:
    lookup: dict[tuple[str, str], str | None] = {}
    for entry in config.requirements.requirements:
        lookup.setdefault((entry.site, _fold(entry.job_role)), entry.credential)
    return lookup


def manufacturing_roles(config: CompetenceConfig) -> set[str]:
    """Folded names of the roles that earn employment points."""
    roles = {_fold(r.job_role) for r in config.requirements.requirements if r.credential}
    return roles | {_fold(r) for r in config.policy.manufacturing_related_roles}


def is_manufacturing_role(roles: pd.Series, config: CompetenceConfig) -> np.ndarray:
    """Per row: whether the job role earns employment points."""
    earning = manufacturing_roles(config)
    folded = {role: _fold(role) in earning for role in pd.unique(roles)}
    return roles.map(folded).fillna(False).to_numpy(dtype=bool)


def role_requirements(
    sites: pd.Series, roles: pd.Series, config: CompetenceConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: required credential (or None), requirement determined, manufacturing-related.

    Evaluated once per distinct (site, role) pair, then spread back to the rows.
    """
    site_codes, site_values = pd.factorize(sites, use_na_sentinel=False)
    role_codes, role_values = pd.factorize(roles, use_na_sentinel=False)
    codes, pair_codes = pd.factorize(site_codes.astype(np.int64) * len(role_values) + role_codes)
    uniques = [
        (site_values[c // len(role_values)], role_values[c % len(role_values)]) for c in pair_codes
    ]
    lookup = _requirement_lookup(config)
    mfg_roles = manufacturing_roles(config)
    credential, determined, manufacturing = [], [], []
    for site, role in uniques:
        folded = _fold(role)
        for key in ((str(site), folded), ("*", folded)):
            if key in lookup:
                credential.append(lookup[key])
                determined.append(True)
                break
        else:
            credential.append(None)
            determined.append(False)
        manufacturing.append(folded in mfg_roles)
    codes = np.asarray(codes)
    return (
        np.array(credential, dtype=object)[codes],
        np.array(determined, dtype=bool)[codes],
        np.array(manufacturing, dtype=bool)[codes],
    )


def _order_of(ids: pd.Series) -> np.ndarray:
    """Positions of the rows sorted by employee id; of a repeated id only the last row is kept.

    The sort is stable, so a repeated id's rows stay in input order and the last one of each
    run is the one to keep: no separate uniqueness pass over a million strings. Arrow sorts
    text about twice as fast as numpy.
    """
    try:
        text = arrow_text(ids)
        order = pc.sort_indices(text).to_numpy()
        in_order = text.take(pa.array(order))
        after, before = in_order[1:], in_order[:-1]
        both_missing = pc.and_(pc.is_null(after), pc.is_null(before))
        repeated = np.asarray(pc.or_(pc.fill_null(pc.equal(after, before), False), both_missing))
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):  # ids not text
        values = ids.to_numpy(dtype=object).astype(str)
        order = np.argsort(values, kind="stable")
        repeated = values[order][1:] == values[order][:-1]
    if not repeated.any():
        return order
    keep = np.ones(len(order), dtype=bool)
    keep[:-1] = ~repeated
    return order[keep]


def employed_people(roster: pd.DataFrame, config: CompetenceConfig, as_of: dt.date) -> People:
    """The roster rows of people employed on ``as_of``, with their requirement.

    A repeated employee id (the extract should not have one) keeps its last row.
    """
    d = day_number(as_of)
    hire, hired = days_from_datetimes(roster["hire_date"])
    term, terminated = days_from_datetimes(roster["termination_date"])
    employed = hired & (hire <= d) & ~(terminated & (term <= d))
    frame = roster.loc[employed, list(ROSTER_COLUMNS)]
    frame = frame.iloc[_order_of(frame["employee_id"])].reset_index(drop=True)
    credential, determined, manufacturing = role_requirements(
        frame["site"], frame["job_role"], config
    )
    return People(
        frame=frame,
        ids_text=arrow_text(frame["employee_id"]),
        hire_day=days_from_datetimes(frame["hire_date"])[0],
        required_credential=credential,
        requirement_determined=determined,
        manufacturing_related=manufacturing,
    )
