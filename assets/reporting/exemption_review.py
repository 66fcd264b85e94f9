"""Exemptions an auditor questions, read from the week's status rows (no Dagster here).

An exemption is a decision that someone need not hold a credential for a time. Two kinds are
open to question under 7.2 b), and each makes the finding at least an ``OBSERVATION``:

- **no end date**: a person EXEMPT on D by an exemption without ``valid_until`` (an excuse with
  no end is a requirement quietly dropped);
- **lapsed**: the exemption ended before D and the person still does not hold the credential
  (GRACE or NON_COMPLIANT), so the decision ran out without the competence being acquired.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from assets.print_text import IDENTIFIER, NAME, clip
from schemas.vocabulary import Compliance

NO_END = "no end date"
LAPSED = "lapsed"
EXEMPTION_LIST_COLUMNS = (
    "employee_id",
    "first_name",
    "last_name",
    "job_role",
    "credential",
    "compliance",
    "exemption_reason",
    "exemption_approved_by",
    "exemption_until",
    "concern",
)


def exemption_list(status: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Every row that names an exemption on D (in force or lapsed), with its concern if any."""
    if status.empty or "exemption_reason" not in status:
        return pd.DataFrame(columns=list(EXEMPTION_LIST_COLUMNS))
    rows = status[status["exemption_reason"].notna()].copy()
    until = pd.to_datetime(rows["exemption_until"])
    exempt = rows["compliance"] == Compliance.EXEMPT
    lapsed = until.notna() & (until < pd.Timestamp(as_of))
    still_lacking = rows["compliance"].isin([Compliance.GRACE, Compliance.NON_COMPLIANT])
    rows["concern"] = None
    rows.loc[exempt & until.isna(), "concern"] = NO_END
    rows.loc[lapsed & still_lacking, "concern"] = LAPSED
    # a lapsed exemption of someone now compliant is history, not a current decision
    rows = rows[exempt | rows["concern"].notna()]
    rows = rows.sort_values(["credential", "employee_id"])
    return rows[list(EXEMPTION_LIST_COLUMNS)].reset_index(drop=True)


def exemption_concerns(status: pd.DataFrame, as_of: date) -> tuple[list[str], int]:
    """One sentence part per questioned exemption (person, credential, approver, why), and the
    count; empty when none."""
    listed = exemption_list(status, as_of)
    questioned = listed[listed["concern"].notna()]
    parts = []
    for _, row in questioned.iterrows():
        # printed in the report: names from the data are cut like every printed name
        name = clip(f"{row['first_name']} {row['last_name']}", NAME)
        who = f"{name} ({clip(str(row['employee_id']), IDENTIFIER)})"
        if row["concern"] == NO_END:
            why = "exempt with no end date"
        else:
            ended = pd.Timestamp(row["exemption_until"])
            why = f"exemption ended {ended:%Y-%m-%d}, still {row['compliance']}"
        parts.append(
            f"{who}, {row['credential']}: {why} "
            f"(approved by {clip(str(row['exemption_approved_by']), NAME)})"
        )
    return parts, len(questioned)
