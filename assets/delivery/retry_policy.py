"""When a report e-mail is tried again: tenacity's retrying, bounded by the run's deadline.

Only a failure that may pass next time is retried (a refused connection, a timeout, a 4xx
reply): a permanent refusal would be refused again, and an unknown outcome — the server may have
taken the data — must never be sent twice. Pauses double from ``backoff_seconds`` (2, 4, 8 s
...) and never run past the run's delivery deadline, so one slow server cannot hold the week.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import tenacity

from assets.delivery.smtp_client import DeliveryError


def smtp_retrying(
    tries: int,
    backoff_seconds: float,
    deadline: float | None,
) -> tenacity.Retrying:
    """At most ``tries`` attempts; ``deadline`` is a ``time.monotonic()`` value or None."""
    return tenacity.Retrying(
        retry=tenacity.retry_if_exception(_may_pass_next_time),
        stop=tenacity.stop_after_attempt(tries) | _deadline_passed(deadline),
        wait=_capped_by(deadline, tenacity.wait_exponential(multiplier=backoff_seconds, max=1e9)),
        reraise=True,
    )


def _may_pass_next_time(exc: BaseException) -> bool:
    return isinstance(exc, DeliveryError) and not (exc.unknown or exc.permanent)


class _deadline_passed(tenacity.stop.stop_base):
    """Stop retrying once the run's delivery deadline (a ``time.monotonic()`` value) is reached."""

    def __init__(self, deadline: float | None) -> None:
        self.deadline = deadline

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline


def _capped_by(deadline: float | None, wait: tenacity.wait.wait_base) -> Callable:
    """``wait``, but never a pause that ends after the deadline."""
    if deadline is None:
        return wait
    return lambda state: min(wait(state), max(0.0, deadline - time.monotonic()))
