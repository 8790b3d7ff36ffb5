"""`service-catalog --version`: the installed distribution's version, nothing else started."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

COMMAND = Path(sys.executable).parent / "service-catalog"


def test_version_prints_the_installed_version_and_exits() -> None:
    ran = subprocess.run(
        [str(COMMAND), "--version"], capture_output=True, text=True, timeout=60, check=False
    )

    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == f"service-catalog {version('service-catalog')}\n"
