"""The mailer built from the ``COMPETENCE_SMTP_*`` variables: what the code location and the
failure sensor wire in (``mailer.py`` is the resource itself)."""

from __future__ import annotations

import os

import dagster as dg

from assets.delivery.mailer import Mailer
from assets.environment import smtp_port, smtp_security


def mailer_from_env(
    outbox_dir: str | os.PathLike[str], *, max_attachment_bytes: int | None = None
) -> Mailer:
    """Build the mailer from the ``COMPETENCE_SMTP_*`` environment variables.

    ``COMPETENCE_SMTP_HOST`` unset or empty selects outbox mode. ``COMPETENCE_SMTP_SECURITY`` is
    ``starttls`` (default), ``tls`` or ``plain``; the port defaults to 587, 465 or 25 to match.
    ``COMPETENCE_SMTP_USER`` and ``COMPETENCE_SMTP_PASSWORD`` enable AUTH; the password is passed
    as ``dg.EnvVar`` so Dagster resolves it at run time and never stores or displays its value.
    ``COMPETENCE_MAIL_FROM`` is the sender (default ``competence@localhost``).
    ``COMPETENCE_SMTP_CA_FILE`` optionally names a CA bundle for a relay with a private CA.
    """
    env = os.environ
    host = env.get("COMPETENCE_SMTP_HOST", "").strip() or None
    # checked in assets/environment.py: a wrong value raises SettingsError naming the variable
    security = smtp_security(env)
    port = smtp_port(env, security)
    settings: dict[str, object] = {
        "smtp_host": host,
        "smtp_port": port,
        "security": security,
        "username": env.get("COMPETENCE_SMTP_USER", "").strip() or None,
        # Only reference the variable when it is set: an EnvVar that is unset at run time fails
        # resource initialisation, and outbox mode needs no password at all.
        "password": dg.EnvVar("COMPETENCE_SMTP_PASSWORD")
        if env.get("COMPETENCE_SMTP_PASSWORD")
        else None,
        "sender": env.get("COMPETENCE_MAIL_FROM", "").strip() or "competence@localhost",
        "outbox_dir": os.fspath(outbox_dir),
        "ca_file": env.get("COMPETENCE_SMTP_CA_FILE", "").strip() or None,
    }
    if max_attachment_bytes is not None:
        settings["max_attachment_bytes"] = max_attachment_bytes
    return Mailer(**settings)
