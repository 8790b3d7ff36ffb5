"""The `export` and `import` commands' runs: progress on stderr, exit codes 0, 1 and 2."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from server.exchange.export import export_database
from server.exchange.format import ExchangeRefused
from server.exchange.importer import import_database

REFUSED = 2
FAILED = 1


def to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _run(command: str, work: Coroutine[Any, Any, str]) -> int:
    try:
        summary = asyncio.run(work)
    except ExchangeRefused as error:
        to_stderr(f"service-catalog {command}: refused: {error}")
        return REFUSED
    except Exception as error:  # one line for the operator, not a traceback
        lines = str(error).strip().splitlines()
        reason = f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
        to_stderr(f"service-catalog {command}: failed: {reason}")
        return FAILED
    to_stderr(summary)
    return 0


def run_export(url: str, file: str | Path) -> int:
    return _run("export", export_database(url, file, report=to_stderr))


def run_import(url: str, file: str | Path) -> int:
    return _run("import", import_database(url, file, report=to_stderr))
