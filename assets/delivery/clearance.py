"""The mail gate: the week's e-mail goes out only when every source's reject share is in policy.

A blocking check on this small asset stops only what depends on it — the e-mail — while status,
findings and reports are still computed and rendered for inspection (docs/data-contract.md). The
share is
computed from the stored ``source_files`` table, not read from another check's result, which
would race (STACK_NOTES).
How the share is counted: :mod:`assets.ingest.reject_share`.
"""

import dagster as dg
import pandas as pd

from assets.catalog import entry, weekly_check
from assets.ingest.reject_share import hold_reason, reject_shares
from assets.partitions import weekly_partitions
from assets.resources import CompetenceSettings


@dg.asset(
    partitions_def=weekly_partitions,
    group_name="delivery",
    kinds={"pandas", "duckdb"},
    **entry("delivery", "mail_clearance"),
    check_specs=[
        weekly_check(
            "reject_share_within_policy",
            "mail_clearance",
            "Holds the week's e-mail when any source rejects more rows than the policy "
            "threshold (policy.yaml reject_share_threshold).",
            blocking=True,
        )
    ],
)
def mail_clearance(
    context: dg.AssetExecutionContext, settings: CompetenceSettings, source_files: pd.DataFrame
):
    """Reject share per input source against the policy threshold; e-mail waits on it."""
    config = settings.config
    threshold = config.policy.reject_share_threshold
    shares = reject_shares(source_files, threshold)
    over = shares[~shares["within_policy"]]
    reason = hold_reason(source_files, threshold)
    if reason:
        context.log.warning(f"E-mail for this week is held: {reason}")
    yield dg.Output(
        shares.assign(week=pd.Timestamp(context.partition_key)),
        metadata={"sources_over_threshold": len(over), "hold_reason": reason or "none"},
    )
    yield dg.AssetCheckResult(
        check_name="reject_share_within_policy",
        passed=bool(over.empty),
        metadata={
            "threshold": threshold,
            "worst_source": str(shares.sort_values("reject_share").iloc[-1]["source"])
            if not shares.empty
            else "none",
            "worst_share": float(shares["reject_share"].max()) if not shares.empty else 0.0,
            "hold_reason": reason or "none",
        },
    )
