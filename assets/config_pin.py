"""One configuration per run: the fingerprint of the configuration a run started with, pinned.

The validated configuration is loaded once per process of a run, when the ``settings`` resource
starts (``assets/resources.py``). Under the in-process executor that is once per run; under the
multiprocess or dask executor every step process loads it again, so a configuration file edited
while a week (or a backfill) runs could give two steps of one week two configurations — a status
graded by one policy and mailed under another. So the first process of a run records the
configuration's fingerprint (``config_hash``, the hash of every file) as the run tag
``competence/config_hash``, and a later process of the same run that finds another fingerprint
refuses to start with :class:`ConfigChanged`. A new run (a rerun of the week) takes the files as
they are then.
"""

from __future__ import annotations

import dagster as dg

CONFIG_TAG = "competence/config_hash"


class ConfigChanged(RuntimeError):
    """The configuration differs from the one the run started with; the message says what to do."""


def pin_config(instance: dg.DagsterInstance | None, run_id: str | None, config_hash: str) -> None:
    """Record ``config_hash`` for the run, or refuse when the run already has another one.

    Without an instance or a run (a resource built outside a run) there is nothing to pin."""
    if instance is None or not run_id:
        return
    run = instance.get_run_by_id(run_id)
    if run is None:
        return
    pinned = run.tags.get(CONFIG_TAG)
    if pinned is None:
        instance.add_run_tags(run_id, {CONFIG_TAG: config_hash})
    elif pinned != config_hash:
        raise ConfigChanged(
            f"the configuration changed while run {run_id[:8]} was running: its first step used "
            f"configuration {pinned[:12]}, the files now hash to {config_hash[:12]}; a week is "
            "never computed from two configurations, so this step stops. Rerun the week to use "
            "the configuration as it is now"
        )
