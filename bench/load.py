"""Load generators pinned to the load core: wrk for maximum rate, hey for a fixed rate."""

from __future__ import annotations

import csv
import io
import re
import shutil
import statistics
import subprocess
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.processes import DEV_COOKIE, LOAD_CPU, LOGS

_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_COUNT = re.compile(r"(\d+) requests in")
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_PERCENTILE = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}
_AVERAGE = re.compile(r"^\s+Latency\s+([\d.]+)(us|ms|s)\s", re.MULTILINE)
# Below this many completed requests, wrk's count is coarse (a single-process server
# completes its concurrent requests in batches): throughput comes from Little's law.
FEW_REQUESTS = 100
# A fixed-rate sender's requests a second: one every 40 ms.
SENDER_RATE = 25.0


class LoadError(RuntimeError):
    pass


@dataclass(frozen=True)
class Request:
    """One kind of request: a GET of `path`, or a POST of `body` (JSON) to `path`."""

    path: str
    body: bytes | None = None
    unique_slug: bool = False  # W3: "%s" in the body becomes a slug no request repeats

    @property
    def method(self) -> str:
        return "GET" if self.body is None else "POST"


@dataclass
class WrkResult:
    rps: float
    requests: int
    errors: int
    p50_ms: float | None = None
    p99_ms: float | None = None
    output: str = field(default="", repr=False)


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def script(requests: Sequence[Request], *, slug_prefix: str = "") -> Path:
    """A wrk Lua script cycling through `requests` (one entry each, repeat for weight)."""
    LOGS.mkdir(parents=True, exist_ok=True)
    path = LOGS / f"wrk-{uuid.uuid4().hex[:8]}.lua"
    lines = [
        "local counter = 0",
        "local index = 0",
        f"local prefix = {_lua_string(slug_prefix)}",
        "local fixed = {}",
        "local specs = {",
    ]
    for request in requests:
        body = "nil" if request.body is None else _lua_string(request.body.decode())
        unique = "true" if request.unique_slug else "false"
        lines.append(
            f"  {{method = {_lua_string(request.method)}, path = {_lua_string(request.path)},"
            f" body = {body}, unique = {unique}}},"
        )
    lines += [
        "}",
        'local headers = {["Content-Type"] = "application/json",'
        f' ["Cookie"] = {_lua_string(DEV_COOKIE)}}}',
        "init = function(args)",
        "  for i, spec in ipairs(specs) do",
        "    fixed[i] = wrk.format(spec.method, spec.path, headers, spec.body)",
        "  end",
        "end",
        "request = function()",
        "  index = index % #specs + 1",
        "  local spec = specs[index]",
        "  if spec.unique then",
        "    counter = counter + 1",
        "    local slug = prefix .. counter",
        "    local body = string.format(spec.body, slug, slug)",
        "    return wrk.format(spec.method, spec.path, headers, body)",
        "  end",
        "  return fixed[index]",
        "end",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def wrk(
    base_url: str,
    requests: Sequence[Request],
    *,
    duration_s: float,
    connections: int = 4,
    slug_prefix: str = "",
) -> WrkResult:
    if shutil.which("wrk") is None:
        raise LoadError("wrk is not installed: apt-get install -y wrk")
    lua = script(requests, slug_prefix=slug_prefix)
    command = [
        "taskset", "-c", LOAD_CPU, "wrk", "-t1", f"-c{connections}",
        f"-d{max(1, round(duration_s))}s", "--latency", "-s", str(lua), base_url,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lua.unlink(missing_ok=True)
    if done.returncode != 0 or not _RPS.search(done.stdout):
        raise LoadError(f"wrk failed: {done.stdout}\n{done.stderr}")
    non_2xx = _NON_2XX.search(done.stdout)
    socket = _SOCKET.search(done.stdout)
    errors = int(non_2xx[1]) if non_2xx else 0
    if socket:
        errors += sum(int(value) for value in socket.groups())
    percentiles = {
        match[1]: float(match[2]) * _UNIT[match[3]] for match in _PERCENTILE.finditer(done.stdout)
    }
    rps = float(_RPS.search(done.stdout)[1])  # type: ignore[index]
    count = _COUNT.search(done.stdout)
    requests_done = int(count[1]) if count else 0
    average = _AVERAGE.search(done.stdout)
    if requests_done < FEW_REQUESTS and average is not None:
        rps = connections / (float(average[1]) * _UNIT[average[2]] / 1000)
    return WrkResult(
        rps=rps,
        requests=requests_done,
        errors=errors,
        p50_ms=percentiles.get("50"),
        p99_ms=percentiles.get("99"),
        output=done.stdout,
    )


@dataclass
class FixedRate:
    latencies_ms: list[float]
    errors: int
    seconds: float

    @property
    def achieved_rps(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")


def hey_processes(
    base_url: str, requests: Sequence[tuple[str, Request, float]], *, duration_s: float
) -> list[tuple[str, subprocess.Popen[str]]]:
    """`hey -q` processes sending each named request kind at its rate (req/s), all at once.

    Each sender is its own `hey -c 1` ticking at about `SENDER_RATE`, and the senders are
    started spread over one tick. The workers of one `hey -c N -q R` all tick in phase
    (each starts its ticker at the same instant), as would N processes started together:
    "50 % load" then arrives as one burst of every sender's request each tick, and the
    latencies measure the server draining the burst rather than serving a steady rate.
    """
    if shutil.which("hey") is None:
        raise LoadError("hey is not installed: apt-get install -y hey")
    LOGS.mkdir(parents=True, exist_ok=True)
    senders: list[tuple[str, Request, float]] = []
    for kind, request, rate in requests:
        count = max(1, round(rate / SENDER_RATE))
        senders += [(kind, request, rate / count)] * count
    tick_s = 1 / SENDER_RATE
    started = []
    launched_at = time.perf_counter()
    for index, (kind, request, rate) in enumerate(senders):
        command = [
            "taskset", "-c", LOAD_CPU, "hey", "-z", f"{duration_s:g}s", "-c", "1",
            "-q", f"{rate:.3f}", "-o", "csv", "-m", request.method,
            "-H", f"Cookie: {DEV_COOKIE}",
        ]  # fmt: skip
        if request.body is not None:
            body = LOGS / f"hey-{uuid.uuid4().hex[:8]}.json"
            body.write_bytes(request.body)
            command += ["-T", "application/json", "-D", str(body)]
        command.append(base_url + request.path)
        time.sleep(max(0.0, launched_at + index * tick_s / len(senders) - time.perf_counter()))
        started.append((kind, subprocess.Popen(command, stdout=subprocess.PIPE, text=True)))
    return started


def collect(
    senders: Sequence[tuple[str, subprocess.Popen[str]]], duration_s: float
) -> dict[str, FixedRate]:
    """Each named kind's latencies and errors, its senders' together."""
    by_kind: dict[str, FixedRate] = {}
    for kind, process in senders:
        out, _ = process.communicate()
        rate = by_kind.setdefault(kind, FixedRate([], 0, duration_s))
        for row in csv.DictReader(io.StringIO(out)):
            if row.get("status-code") != "200":
                rate.errors += 1
                continue
            rate.latencies_ms.append(float(row["response-time"]) * 1000)
    return by_kind


def merged(rates: Sequence[FixedRate]) -> FixedRate:
    latencies = [latency for rate in rates for latency in rate.latencies_ms]
    seconds = max((rate.seconds for rate in rates), default=0.0)
    return FixedRate(latencies, sum(rate.errors for rate in rates), seconds)
