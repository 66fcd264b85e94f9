"""What the generator wrote, for the command line and the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


@dataclass
class SampleSummary:
    """What ``generate_sample_data`` wrote: files per kind, rows per file, trouble per kind."""

    landing_dir: Path
    employees: int
    seed: int
    today: date
    sites: list[str]
    roster_extracts: list[date]
    files: dict[str, int] = field(default_factory=dict)  # kind -> number of files
    rows: dict[str, int] = field(default_factory=dict)  # path under landing_dir -> data rows
    trouble: dict[str, int] = field(default_factory=dict)  # kind -> rows (or files, people)
    expected_rejects: dict[str, int] = field(default_factory=dict)  # source -> defective rows
    scenarios: dict[str, int] = field(default_factory=dict)  # designed history -> people
    # A few employee ids per scenario (active, no record of theirs contradicted), for spot checks.
    scenario_examples: dict[str, list[str]] = field(default_factory=dict)

    def rows_of(self, prefix: str) -> int:
        """Data rows in every file whose path starts with ``prefix`` (e.g. 'providers/apex')."""
        return sum(n for path, n in self.rows.items() if path.startswith(prefix))

    def describe(self) -> str:
        """A short human-readable account for the command line."""
        lines = [
            f"Sample data for {self.employees:,} employees (seed {self.seed}, today "
            f"{self.today}) in {self.landing_dir}",
            f"  sites: {len(self.sites)} ({', '.join(self.sites[:6])}"
            f"{', ...' if len(self.sites) > 6 else ''})",
            "  roster extracts: " + ", ".join(d.isoformat() for d in self.roster_extracts),
        ]
        for kind, count in self.files.items():
            lines.append(f"  {kind}: {count} file(s)")
        lines.append(
            "  trouble injected: " + ", ".join(f"{k}={v}" for k, v in self.trouble.items())
        )
        return "\n".join(lines)
