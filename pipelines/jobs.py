"""The weekly job: every asset of the main graph for one week."""

from __future__ import annotations

import dagster as dg

from assets.partitions import weekly_partitions

weekly_competence_job = dg.define_asset_job(
    name="weekly_competence",
    selection=dg.AssetSelection.all(),
    partitions_def=weekly_partitions,
    description="Ingest, validate, compute status and compliance, render and deliver one week.",
)
