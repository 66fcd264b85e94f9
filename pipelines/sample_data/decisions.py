"""The sample's recorded decisions: a few exemptions and one revocation (``exemptions/``,
``revocations/``), so the demo shows each case the report handles.

People are chosen by their designed history (active, not among the scenario examples the
tests spot-check): an exemption in force with an end date, one without an end date, one that
lapsed 30 days ago while the person is still expired, and a certified person whose credential
the provider withdrew 45 days ago.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

EXEMPTION_FILE = "exemptions/exemptions_register.csv"
REVOCATION_FILE = "revocations/withdrawn_credentials.csv"
APPROVER = "Site quality manager"


def _pick(people, scenario_code: int, nth: int) -> str | None:
    """The ``nth`` active person of a designed history, skipping the first three (examples)."""
    untouched = np.ones(len(people.hire), dtype=bool)
    untouched[np.concatenate([people.shared, people.name_only]).astype(np.int64)] = False
    hits = np.flatnonzero((people.scenario == scenario_code) & (people.term < 0) & untouched)
    return str(people.employee_id[hits[3 + nth]]) if len(hits) > 3 + nth else None


def write_decisions(landing: Path, people, scenarios: dict[str, int], today: date, write_csv):
    """Write the two files; return {relative path: data rows}. ``write_csv(frame, path, mtime)``
    is the generator's own writer (deterministic bytes and modification time)."""
    iso = date.isoformat
    cases = [
        (
            _pick(people, scenarios["EXPIRED"], 0),
            "long-term sick leave",
            today - timedelta(days=60),
            today + timedelta(days=120),
        ),
        (
            _pick(people, scenarios["NOT_STARTED"], 0),
            "works in supervision only; reassessment pending",
            today - timedelta(days=200),
            None,
        ),
        (
            _pick(people, scenarios["EXPIRED"], 1),
            "parental leave",
            today - timedelta(days=400),
            today - timedelta(days=30),
        ),
    ]
    exemptions = pd.DataFrame(
        [
            {
                "employee_id": who,
                "credential": "CPT",
                "reason": reason,
                "approved_by": APPROVER,
                "valid_from": iso(start),
                "valid_until": iso(end) if end else "",
            }
            for who, reason, start, end in cases
            if who is not None
        ]
    )
    revoked = _pick(people, scenarios["CERTIFIED"], 0)
    revocations = pd.DataFrame(
        [
            {
                "employee_id": revoked,
                "credential": "CPT",
                "revoked_on": iso(today - timedelta(days=45)),
                "reason": "certificate withdrawn by the provider after an exam irregularity",
                "revoked_by": "northfield_college",
            }
        ]
        if revoked is not None
        else []
    )
    written = {}
    mtime = pd.Timestamp(today - timedelta(days=3)).timestamp() + 9 * 3600
    for relative, frame in ((EXEMPTION_FILE, exemptions), (REVOCATION_FILE, revocations)):
        if not frame.empty:
            written[relative] = write_csv(frame, landing / relative, mtime)
    return written
