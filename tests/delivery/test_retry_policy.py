"""The SMTP retry policy: what is tried again, how long it pauses, and the deadline's word."""

from __future__ import annotations

import time

import pytest

from assets.delivery.retry_policy import smtp_retrying
from assets.delivery.smtp_client import DeliveryError


def _run(retrying, failures: list[DeliveryError]) -> tuple[int, BaseException | None]:
    """Call a sender that fails with ``failures`` in turn, then succeeds; count the calls."""
    calls = 0
    try:
        for attempt in retrying:
            with attempt:
                calls += 1
                if calls <= len(failures):
                    raise failures[calls - 1]
    except DeliveryError as exc:
        return calls, exc
    return calls, None


def _transient() -> DeliveryError:
    return DeliveryError("421 try later", permanent=False, connection=True)


def test_transient_failures_are_retried_with_doubling_pauses():
    retrying = smtp_retrying(tries=4, backoff_seconds=0.05, deadline=None)
    started = time.monotonic()
    calls, error = _run(retrying, [_transient(), _transient(), _transient()])
    assert (calls, error) == (4, None)
    # 0.05 + 0.1 + 0.2 s of pauses: doubling, not constant (0.15 s) and not none
    assert retrying.statistics["idle_for"] == pytest.approx(0.35)
    assert time.monotonic() - started >= 0.35


def test_attempts_are_bounded_and_the_last_error_is_raised():
    last = DeliveryError("451 still busy", permanent=False)
    calls, error = _run(smtp_retrying(3, 0.0, None), [_transient(), _transient(), last, last])
    assert calls == 3 and error is last


@pytest.mark.parametrize(
    "failure",
    [
        DeliveryError("550 no such user", permanent=True),
        # the server may have taken the data: sending again could deliver it twice
        DeliveryError("connection lost after DATA", permanent=False, unknown=True),
    ],
    ids=["permanent", "unknown-outcome"],
)
def test_permanent_and_unknown_failures_are_never_retried(failure):
    calls, error = _run(smtp_retrying(5, 0.0, None), [failure])
    assert calls == 1 and error is failure


def test_pauses_end_at_the_deadline_and_stop_the_retries():
    deadline = time.monotonic() + 1.0
    retrying = smtp_retrying(tries=10, backoff_seconds=0.4, deadline=deadline)
    calls, error = _run(retrying, [_transient()] * 10)
    # pauses 0.4 s, then only what is left of the deadline (0.6 s, not 0.8 s); then no attempt
    assert error is not None and calls == 3
    assert retrying.statistics["idle_for"] <= 1.0 + 0.05
