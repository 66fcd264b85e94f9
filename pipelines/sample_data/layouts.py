"""Each source's own layout: providers' records and roster extracts as the files hold them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.sample_data.days import iso_text, numbered_ids, us_text
from pipelines.sample_data.people import People, recase
from pipelines.sample_data.vocabulary import (
    ACTIVITY_KINDS,
    APEX,
    APEX_COURSE_CODES,
    APEX_MAX_RECORDS,
    EXCEL_EPOCH_OFFSET,
    FORKLIFT,
    INHOUSE,
    MODULES,
    NORTHFIELD,
    NORTHFIELD_MODULE_NAMES,
    ROLE_TABLE,
)

# --- provider records -------------------------------------------------------------------------


def route_to_providers(
    assessments: pd.DataFrame, p: People, rng: np.random.Generator
) -> pd.DataFrame:
    """Choose each record's provider; number records per provider in date order."""
    frame = assessments.sort_values(["day", "person", "module"], kind="stable").reset_index(
        drop=True
    )
    n = len(frame)
    apex_share = min(0.25, APEX_MAX_RECORDS / max(n, 1))
    draw = rng.random(n)
    provider = np.where(
        draw < apex_share,
        APEX,
        np.where(draw < apex_share + (1 - apex_share) * 0.7, NORTHFIELD, INHOUSE),
    ).astype(np.int8)
    person = frame["person"].to_numpy()
    module = frame["module"].to_numpy()
    # Apex finds people only by e-mail or name: without an e-mail, only the name-only people.
    name_only = np.zeros(len(p.hire), dtype=bool)
    name_only[p.name_only] = True
    no_apex = (module == FORKLIFT) | (p.email[person] == "")
    provider[no_apex & (provider == APEX)] = NORTHFIELD
    provider[name_only[person] & (module != FORKLIFT)] = APEX
    frame["provider"] = provider
    frame["seq"] = frame.groupby("provider").cumcount().to_numpy() + 1
    passed = frame["passed"].to_numpy()
    frame["score"] = np.where(passed, rng.integers(70, 101, n), rng.integers(35, 70, n))
    # Northfield rows without an employee number, found by e-mail typed in another case.
    frame["email_only"] = (
        (provider == NORTHFIELD) & (p.email[person] != "") & (rng.random(n) < 0.04)
    )
    frame["case_pattern"] = rng.integers(0, 4, n)
    return frame


def northfield_rows(rec: pd.DataFrame, p: People) -> pd.DataFrame:
    person = rec["person"].to_numpy()
    module = rec["module"].to_numpy()
    passed = rec["passed"].to_numpy()
    email_only = rec["email_only"].to_numpy()
    email = p.email[person].copy()
    for i in np.flatnonzero(email_only):
        email[i] = recase(email[i], int(rec["case_pattern"].iat[i]))
    cert_prefix = np.where(module == FORKLIFT, "NFC-FL-", "MSSC-CPT-")
    cert_no = cert_prefix + pd.Series(rec["seq"].to_numpy() + 100000).astype(str).to_numpy()
    return pd.DataFrame(
        {
            "Result ID": numbered_ids("NF", rec["seq"].to_numpy(), 8),
            "Employee Number": np.where(email_only, "", p.employee_id[person]),
            "Email": email,
            "First Name": p.first[person],
            "Last Name": p.last[person],
            "Module": np.array(NORTHFIELD_MODULE_NAMES, dtype=object)[module],
            "Exam Date": us_text(rec["day"].to_numpy()),
            "Score": rec["score"].astype(str).to_numpy(),
            "Result": np.where(passed, "PASS", "FAIL"),
            "Certificate No": np.where(passed, cert_no, ""),
        }
    )


def apex_rows(rec: pd.DataFrame, p: People) -> pd.DataFrame:
    person = rec["person"].to_numpy()
    passed = rec["passed"].to_numpy()
    badge = numbered_ids("APX-BDG-", rec["seq"].to_numpy(), 7)
    return pd.DataFrame(
        {
            "Attempt ID": numbered_ids("AT-", rec["seq"].to_numpy(), 7),
            "Learner": p.last[person] + ", " + p.first[person],
            "Learner Email": p.email[person],
            "Course Code": np.array(APEX_COURSE_CODES, dtype=object)[rec["module"].to_numpy()],
            "Completed On": (rec["day"].to_numpy() + EXCEL_EPOCH_OFFSET)
            .astype(float)
            .astype(object),
            "Percentage": rec["score"].to_numpy() / 100.0,
            "Badge": np.where(passed, badge, ""),
        }
    )


def inhouse_rows(rec: pd.DataFrame, p: People) -> pd.DataFrame:
    person = rec["person"].to_numpy()
    passed = rec["passed"].to_numpy()
    return pd.DataFrame(
        {
            "provider": "inhouse_academy",
            "record_id": numbered_ids("IHA-", rec["seq"].to_numpy(), 7),
            "employee_id": p.employee_id[person],
            "email": p.email[person],
            "first_name": p.first[person],
            "last_name": p.last[person],
            "module": np.array(MODULES, dtype=object)[rec["module"].to_numpy()],
            "assessment_date": iso_text(rec["day"].to_numpy()).astype(object),
            "score": rec["score"].astype(str).to_numpy(),
            "passed": np.where(passed, "true", "false"),
            "credential_id": np.where(
                passed, numbered_ids("IHA-CERT-", rec["seq"].to_numpy(), 7), ""
            ),
        }
    )


def activity_rows(rec: pd.DataFrame, p: People) -> pd.DataFrame:
    kinds = rec["kind"].to_numpy()
    unit = np.array([k[2] for k in ACTIVITY_KINDS], dtype=object)[kinds]
    amount = rec["amount"].astype(str).to_numpy()
    descriptions = np.empty(len(rec), dtype=object)
    for code, kind in enumerate(ACTIVITY_KINDS):
        at = np.flatnonzero(kinds == code)
        texts = np.array(kind[5], dtype=object)
        descriptions[at] = texts[rec["evidence_no"].to_numpy()[at] % len(texts)]
    return pd.DataFrame(
        {
            "employee_id": p.employee_id[rec["person"].to_numpy()],
            "activity_date": iso_text(rec["day"].to_numpy()).astype(object),
            "activity_type": np.array([k[0] for k in ACTIVITY_KINDS], dtype=object)[kinds],
            "hours": np.where(unit == "hours", amount, ""),
            "points": np.where(unit == "points", amount, ""),
            "description": descriptions,
            "evidence_ref": numbered_ids("CE-", rec["evidence_no"].to_numpy(), 6),
        }
    )


def roster_extract(p: People, on: int) -> pd.DataFrame:
    """The HR snapshot on day ``on``: hired by then; leavers keep their termination date."""
    seen = np.flatnonzero(p.hire <= on)
    term = p.term[seen]
    left = (term >= 0) & (term <= on)
    role_names = np.array([r for r, *_ in ROLE_TABLE], dtype=object)
    departments = np.array([d for _, d, _ in ROLE_TABLE], dtype=object)
    return pd.DataFrame(
        {
            "employee_id": p.employee_id[seen],
            "first_name": p.first[seen],
            "last_name": p.last[seen],
            "email": p.email[seen],
            "site": np.array(p.site_names, dtype=object)[p.site[seen]],
            "department": departments[p.role[seen]],
            "job_role": role_names[p.role[seen]],
            "manager_email": p.manager[seen],
            "hire_date": iso_text(p.hire[seen]).astype(object),
            "termination_date": np.where(left, iso_text(np.maximum(term, 0)), "").astype(object),
        }
    )
