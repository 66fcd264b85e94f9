"""The weekly schedule: every Monday 06:00 in the company timezone, last week, with e-mail on.

Built from the partitioned job, so the cron comes from the partitions' own timezone and each tick
requests the week that just ended — correctly across daylight-saving changes (STACK_NOTES).
"""

import dagster as dg

from assets.delivery.assets import SEND_MAIL_TAG
from pipelines.jobs import weekly_competence_job

weekly_competence_schedule = dg.build_schedule_from_partitioned_job(
    weekly_competence_job,
    hour_of_day=6,
    minute_of_hour=0,
    name="weekly_competence_schedule",
    tags={SEND_MAIL_TAG: "true"},
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
