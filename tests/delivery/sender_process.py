"""A delivery run in its own process, for the crash and concurrency tests.

``python -m tests.delivery.sender_process PORT LEDGER WORKDIR RUN_ID RECIPIENT...`` (LEDGER: the
warehouse path or a postgresql:// URL) mails the
DAYTON test report to the recipients and prints one JSON line: delivered and skipped counts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from assets.delivery.dispatch import deliver_reports
from assets.delivery.ledger_store import ledger_location
from tests.delivery.support import make_report, smtp_mailer


def main(argv: list[str]) -> int:
    port, ledger, workdir, run_id, *recipients = argv
    report = make_report("DAYTON", recipients, Path(workdir))
    result = deliver_reports(
        [report], smtp_mailer(int(port)), ledger_location(ledger), run_id, send=True
    )
    print(
        json.dumps(
            {
                "delivered": sorted(r.key.recipient for r in result.delivered),
                "skipped": sorted(d.reason for d in result.skipped),
                "not_reached": len(result.not_reached()),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
