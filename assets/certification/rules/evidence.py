"""Which record is the evidence of a pass (docs/rules.md: the ids of the source records that prove
it).

Several passes of the same module by the same person on the same day are one pass for the rules
(a provider that reports an exam twice does not earn two retakes). The record kept as evidence
for such a day is, in order of preference: one with a credential id, then one linked by employee
id, then by e-mail, then by name, then the smallest ``provider:record_id``, then the smallest
credential id - so that the choice never depends on row order.

Which *passes* prove a status (the certifying passes, or the window passes of the latest retest
renewal) is the cycle rule's answer: ``CycleOutcome.proof`` in
:mod:`assets.certification.rules.cycles`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_MATCH_RANK = {"employee_id": 0, "email": 1, "name": 2}  # anything else ranks after name


def evidence_record(
    pass_number: np.ndarray,
    credential_id: np.ndarray,
    match_method: np.ndarray,
    provider: np.ndarray,
    record_id: np.ndarray,
) -> np.ndarray:
    """Per candidate record, whether it is the evidence of its pass.

    ``pass_number`` says which pass each candidate reports; the other arrays are the
    candidates' fields as Python objects (None or NaN where missing). Exactly one candidate of
    each pass is chosen.
    """
    no_credential_id = (
        pd.isna(credential_id)
        | (
            pd.Series(credential_id, dtype=object).fillna("").astype(str).str.strip() == ""
        ).to_numpy()
    )
    candidates = pd.DataFrame(
        {
            "pass": pass_number,
            "no_credential_id": no_credential_id,
            "match": pd.Series(match_method, dtype=object).map(_MATCH_RANK).fillna(3),
            "provider": provider,
            "record_id": record_id,
            "credential_id": pd.Series(credential_id, dtype=object).fillna(""),
        }
    ).astype({"provider": str, "record_id": str, "credential_id": str})
    # the credential id breaks the last ties (one record id sent with two certificates)
    best = candidates.sort_values(
        ["pass", "no_credential_id", "match", "provider", "record_id", "credential_id"]
    ).drop_duplicates("pass")
    chosen = np.zeros(len(candidates), dtype=bool)
    chosen[best.index.to_numpy()] = True
    return chosen
