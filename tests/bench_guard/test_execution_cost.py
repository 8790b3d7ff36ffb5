"""CI guard: our GraphQL layer's cost above plain graphql-core stays under a ratio.

See execution_cost.py for what is measured and why in a fresh interpreter.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.bench_guard.execution_cost import MAX_RATIO

ROOT = Path(__file__).absolute().parent.parent.parent


def test_our_layer_costs_at_most_max_ratio_times_plain_graphql_core() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench_guard.execution_cost"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    ratio = float(done.stdout.strip().splitlines()[-1])
    assert ratio <= MAX_RATIO, f"our GraphQL layer costs {ratio:.2f}x plain graphql-core"
