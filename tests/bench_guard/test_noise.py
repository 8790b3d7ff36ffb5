"""The bench's noise check: the CPU of its own process tree is its own, a stranger's is not."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.noise import CpuShare, tree_seconds
from bench.replicas_cpu import process_seconds

# Half a second of CPU, then exit.
BURN = "import time\nend = time.process_time() + 0.5\nwhile time.process_time() < end: pass\n"
WAIT = "time.sleep(30)\n"

pytestmark = pytest.mark.skipif(not Path("/proc/stat").exists(), reason="reads Linux's /proc")


def _ours() -> float:
    """This process's tree (PostgreSQL left out: other tests share it)."""
    return tree_seconds({os.getpid()})


def test_a_child_process_cpu_counts_as_the_runs_own() -> None:
    before = _ours()

    subprocess.run([sys.executable, "-c", BURN], check=True)

    assert _ours() - before >= 0.4


def test_a_process_outside_the_run_is_not_its_own() -> None:
    before = _ours()
    # Started through a shell that exits at once: the burner is re-parented, as a process of
    # another session is. It burns its half second, then waits to be looked at.
    started = subprocess.run(
        ["sh", "-c", f'"{sys.executable}" -c "$0" >/dev/null 2>&1 & echo $!', BURN + WAIT],
        check=True,
        capture_output=True,
        text=True,
    )
    stranger = int(started.stdout)
    try:
        deadline = time.monotonic() + 30
        while (process_seconds(stranger) or 0.0) < 0.45:
            assert time.monotonic() < deadline, "the burner never burned"
            time.sleep(0.05)

        # The shell is ours (waited for); the burner's half second is not.
        assert _ours() - before < 0.3
    finally:
        os.kill(stranger, signal.SIGKILL)


def test_a_share_is_of_the_whole_machine() -> None:
    start = CpuShare.take()
    time.sleep(0.2)
    end = CpuShare.take()

    assert start is not None
    assert end is not None
    assert 0.0 <= end.others_since(start) <= 1.0
