"""Asset checks generated from the table contracts: every week written is checked against its model.

For each table of ``schemas.output_tables.OUTPUT_MODELS`` one blocking check, ``<table>_contract``,
partitioned like its asset, reads the week back as stored (through the warehouse IO manager, so
the check sees what a report or an export would read) and validates it lazily with the table's
Pandera model. A failure is a bug, not bad input (input is quarantined at ingest): the check
fails with severity ERROR, which stops the assets downstream of the table — no report or mail is
made from a week that breaks a contract — and its metadata names each failing column, the
check and up to five values, with how many rows fail.
"""

from __future__ import annotations

import warnings

import dagster as dg
import pandas as pd
import pandera.errors

from assets.partitions import weekly_partitions
from schemas.output_tables import OUTPUT_MODELS, Contract

SHOWN_FAILURES = 5  # values shown per column and check; the count says how many rows fail


def contract_failures(model: type[Contract], frame: pd.DataFrame) -> pd.DataFrame:
    """One row per failing (column, check): how many rows fail and a few of the values.

    Empty when the frame keeps the contract."""
    try:
        model.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        cases = errors.failure_cases.copy()
        # a check on whole rows (e.g. in scope = compliant + grace + non-compliant) is reported
        # by Pandera once per column of each failing row: one line per row instead, "(table)"
        whole_row = (cases["schema_context"] == "DataFrameSchema") & cases["column"].notna()
        cases.loc[whole_row, "column"] = "(table)"
        cases.loc[whole_row, "failure_case"] = "row " + cases.loc[whole_row, "index"].astype(str)
        cases["column"] = cases["column"].fillna("(table)").astype(str)
        cases["failure_case"] = cases["failure_case"].astype(str)
        cases["row"] = cases["index"].astype(str)  # NaN (the table, e.g. a missing column): 1
        grouped = cases.groupby(["column", "check"], sort=True)
        return grouped.agg(
            rows=("row", "nunique"),
            values=("failure_case", lambda v: ", ".join(list(dict.fromkeys(v))[:SHOWN_FAILURES])),
        ).reset_index()
    return pd.DataFrame(columns=["column", "check", "rows", "values"])


def _contract_check(table: str, model: type[Contract]) -> dg.AssetChecksDefinition:
    # A check's partitions are a preview feature in Dagster 1.13 (see catalog.weekly_check).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)

        @dg.asset_check(
            asset=table,
            name=f"{table}_contract",
            description=f"The stored week of {table} keeps its contract ({model.__name__} in "
            "schemas/output_tables.py): columns, types, vocabularies, ranges, keys.",
            blocking=True,
            partitions_def=weekly_partitions,
        )
        def keeps_contract(stored: pd.DataFrame) -> dg.AssetCheckResult:
            failures = contract_failures(model, stored)
            return dg.AssetCheckResult(
                passed=failures.empty,
                severity=dg.AssetCheckSeverity.ERROR,
                description=None
                if failures.empty
                else "; ".join(
                    f"{f.column}: {f.check} fails in {f.rows} row(s) ({f.values})"
                    for f in failures.itertuples()
                ),
                metadata={
                    "rows_checked": len(stored),
                    "failing_checks": len(failures),
                    "failures": dg.MetadataValue.md(failures.to_markdown(index=False))
                    if not failures.empty
                    else dg.MetadataValue.md("none"),
                },
            )

    return keeps_contract


def contract_checks() -> list[dg.AssetChecksDefinition]:
    """One contract check per table the pipeline writes after ingestion."""
    return [_contract_check(table, model) for table, model in OUTPUT_MODELS.items()]
