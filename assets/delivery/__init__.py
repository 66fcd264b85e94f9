"""Delivery: mailing each report of the week to its readers, exactly once.

- ``assets.py``: the ``email_delivery`` asset; ``clearance.py``: ``mail_clearance``, the gate
  that holds a week's mail when a source rejects too much.
- ``dispatch.py``: planning and sending the week's messages against the ledger;
  ``run_report.py``: what a run sent, held or could not send, for its metadata and failure.
- The mail: ``summary.py`` (the figures of a site's mail), ``message.py`` (composing a message:
  headers, Message-ID, attachment), ``email_templates.py`` (subject, text and HTML bodies).
- The ledger (exactly once): ``ledger.py`` (plan, claim, record, read; the DuckDB store),
  ``ledger_rows.py`` (the key, the decisions, the SQL both stores share), ``ledger_postgres.py``
  (the same operations in PostgreSQL), ``ledger_schema.py`` (columns and their types),
  ``ledger_store.py`` (where the ledger is), ``ownership.py`` (who holds an intent, and whether
  that run is alive), ``outcome.py`` (a delivery's status).
- Sending: ``mailer.py`` (the ``Mailer`` resource: SMTP or the outbox folder, retries, password
  scrubbing), ``mailer_env.py`` (the mailer from ``COMPETENCE_SMTP_*``), ``smtp_client.py``
  (the DATA step and UTF-8 AUTH smtplib lacks), ``retry_policy.py`` (backoff).
"""
