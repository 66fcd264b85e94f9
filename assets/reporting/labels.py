"""The reader's vocabulary: every code the pipeline computes with, and the words a report prints.

Codes (``NON_COMPLIANT``, ``MAJOR_NC``, ``IN_PROGRESS``) are a stable interface of the warehouse
and the CSV exports; a quality manager or an auditor reads labels. The PDF templates and the
e-mail bodies both look codes up here (the ``label`` template filter), so the same code reads the
same everywhere, and an unknown code prints as itself rather than failing a report.
"""

from __future__ import annotations

COMPLIANCE = {
    "COMPLIANT": "Compliant",
    "GRACE": "In new-hire grace",
    "NON_COMPLIANT": "Non-compliant",
    "NOT_REQUIRED": "Not required",
    "EXEMPT": "Exempt",
}
STATUS = {
    "CERTIFIED": "Certified",
    "EXPIRING": "Expiring",
    "IN_PROGRESS": "In progress",
    "NOT_STARTED": "Not started",
    "EXPIRED": "Expired",
}
FINDING = {
    "MAJOR_NC": "Major nonconformity",
    "MINOR_NC": "Minor nonconformity",
    "OBSERVATION": "Observation",
    "CONFORMS": "Conforms",
}
# Plural forms for counted phrases ("2 major nonconformities").
FINDING_PLURAL = {
    "MAJOR_NC": "major nonconformities",
    "MINOR_NC": "minor nonconformities",
    "OBSERVATION": "observations",
    "CONFORMS": "criteria conform",
}
FINDING_SINGULAR = {
    "MAJOR_NC": "major nonconformity",
    "MINOR_NC": "minor nonconformity",
    "OBSERVATION": "observation",
    "CONFORMS": "criterion conforms",
}
# The site verdict colour, and what it means to a reader.
VERDICT = {"RED": "Red", "AMBER": "Amber", "GREEN": "Green", "NOT_RATED": "Not rated"}
VERDICT_MEANING = {
    "RED": "Not audit-ready",
    "AMBER": "Attention needed",
    "GREEN": "Audit-ready",
    "NOT_RATED": "Nobody in scope",
}
# Audit criteria sets by their configuration key, with the edition the criteria paraphrase: an
# auditor's finding names the standard and its edition, never a bare key.
STANDARD = {
    "ISO9001": "ISO 9001:2015",
    "IATF16949": "IATF 16949:2016",
    "AS9100D": "AS9100D (2016)",
    "ISO45001": "ISO 45001:2018",
    "ISO14001": "ISO 14001:2015",
}
SOURCE = {"roster": "HR roster", "activities": "Continuing education"}

_VOCABULARIES = (COMPLIANCE, STATUS, FINDING, VERDICT, STANDARD)


def label(code: object) -> str:
    """The reader's word for a code from any vocabulary above; an unknown code as written.

    Lower-case codes (``in_progress``) are looked up upper-cased, since some exports and old
    snapshots wrote them that way.
    """
    text = "" if code is None else str(code)
    key = text.strip().upper()
    for vocabulary in _VOCABULARIES:
        if key in vocabulary:
            return vocabulary[key]
    return text


def standard(criteria_set: object) -> str:
    """``ISO9001`` -> ``ISO 9001:2015``; an unconfigured set's key as written."""
    return STANDARD.get(str(criteria_set), str(criteria_set))


def counted(count: int, code: str) -> str:
    """``1 major nonconformity``, ``2 minor nonconformities``, ``0 observations``."""
    words = FINDING_SINGULAR if count == 1 else FINDING_PLURAL
    return f"{count} {words.get(code, label(code).lower())}"
