"""The weekly job: every asset of the main graph for one week.

Its partitions (the weeks) are those of the selected assets: Dagster infers them, and passing
``partitions_def`` here is deprecated."""

from __future__ import annotations

import dagster as dg

weekly_competence_job = dg.define_asset_job(
    name="weekly_competence",
    selection=dg.AssetSelection.all(),
    description="Ingest, validate, compute status and compliance, render and deliver one week.",
)
