"""Progress lines for long runs: every so many rows, then one summary."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

Report = Callable[[str], None]
EVERY = 10_000


class Progress:
    """Counts rows per table; reports `exported 30000 rows (service: 12000/40000)`."""

    def __init__(
        self, verb: str, totals: Mapping[str, int], report: Report, every: int = EVERY
    ) -> None:
        self.verb = verb
        self.totals = totals
        self.report = report
        self.every = every
        self.rows = 0
        self.table = ""
        self.table_rows = 0
        self.started = time.monotonic()

    def start(self, table: str) -> None:
        self.table = table
        self.table_rows = 0

    def row(self) -> None:
        self.rows += 1
        self.table_rows += 1
        if self.rows % self.every == 0:
            total = self.totals.get(self.table, 0)
            self.report(f"{self.verb} {self.rows} rows ({self.table}: {self.table_rows}/{total})")

    def summary(self, where: str) -> str:
        tables = sum(1 for count in self.totals.values() if count)
        seconds = time.monotonic() - self.started
        return (
            f"{self.verb} {self.rows} rows of {tables} non-empty tables "
            f"({len(self.totals)} in all) {where} in {seconds:.1f} s"
        )
