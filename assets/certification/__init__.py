"""Certification stage: CPT (and any configured credential) status and compliance as of D.

Pure pandas/numpy rules, no Dagster: ``evaluate`` returns the status table, the points ledger,
the renewal forecast and the site roll-up in one pass. The rules are in :mod:`.rules` (one
function per rule, listed there), the speed machinery apart in :mod:`.machinery`, and
:mod:`.engine` orchestrates them; ``assets.py`` holds the Dagster assets.
"""

from assets.certification.engine import (
    CertificationResult,
    certification_status,
    evaluate,
    points_ledger,
    renewal_forecast,
    site_compliance,
)

__all__ = [
    "CertificationResult",
    "certification_status",
    "evaluate",
    "points_ledger",
    "renewal_forecast",
    "site_compliance",
]
