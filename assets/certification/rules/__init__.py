"""The credential rules (docs/rules.md), one plainly named function per rule, on arrays.

Where each rule is (module of this package, then function):

- first certification, the latest of the first passes: ``cycles.first_certification``;
- validity in calendar years, 29 Feb -> 28 Feb: ``cycles.expiry_of`` (``days.add_years``);
- a cycle covers D while D is before its expiry: ``cycles.covers``;
- cycles chain (renewal, lapse, re-certification): ``cycles.chain_cycles``;
- lapse, every module passed again strictly after the expiry: ``cycles.recertification``;
- points renewal, enough points in the cycle: ``points.points_renewal``;
- which points count: ``points.countable_points_and_hours`` (CE), ``points.employment_base`` and
  ``points.employment_years`` (employment), ``points.retakes``;
- retest renewal, every module passed again in the window: ``renewal.retest_renewal``;
- status and ``renewal_secured``: ``status.status_of``, ``status.renewal_secured``;
- ``points_needed``, ``days_to_expiry``: ``status.points_needed``, ``status.days_to_expiry``;
- compliance, due date, days overdue: ``compliance.compliance_of``;
- which record is the evidence of a pass: ``evidence.evidence_record``;
- which passes prove a status: ``cycles.CycleOutcome.proof``.

Outside this package: who is employed on D and which credential a role requires
(``certification/people.py``), the site roll-up (``certification/compliance.py``), the
renewal forecast (``certification/forecast.py``), exemptions and revocations
(``certification/exemptions.py``) and the ISO 9001 7.2 grading of a site
(``assets/reporting/audit_rules.py``).

What the rules take and return: numpy arrays aligned with people (vectorised across everyone;
cycle chaining loops once per cycle number, never once per person), and for dates
:class:`days.Days` - day numbers with an explicit ``present`` mask - or pandas nullable arrays:
a missing date is absent, never a far-future day or a -1. The rules ask the records questions
("the first pass of SAFETY on or after this day") through the protocols of :mod:`.history`;
the answers come from indexes in :mod:`assets.certification.machinery`, which the rules never
import, as they never import the thread pool, the phase clock, Arrow or Dagster
(``tests/certification/test_rules_apart.py``).
"""
