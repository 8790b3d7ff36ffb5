"""bench/results/latest.json and latest.md: the figures, the targets, the machine."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Target:
    name: str
    figure: str
    value: float | None
    limit: float
    at_most: bool = True
    note: str = ""

    @property
    def met(self) -> bool | None:
        if self.value is None or math.isnan(self.value):
            return None
        return self.value <= self.limit if self.at_most else self.value >= self.limit

    @property
    def by(self) -> str:
        """How far from the target, as a factor."""
        if self.met is not False or self.value is None:
            return ""
        if self.value == 0:
            return "measured 0: see the raw figures"
        factor = self.value / self.limit if self.at_most else self.limit / max(self.value, 1e-9)
        return f"missed by x{factor:.2f}"

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "figure": self.figure,
            "value": self.value,
            "target": ("≤ " if self.at_most else "≥ ") + f"{self.limit:g}",
            "met": self.met,
            "note": "; ".join(part for part in (self.by, self.note) if part),
        }


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]
    return lines


def markdown(results: dict[str, Any]) -> str:
    out = [
        "# Benchmark results",
        "",
        f"`{results['command']}` — {results['generated_at']}, {results['duration_s']:.0f} s"
        + (" — **quick run**" if results.get("quick") else "")
        + (" — **NOISY: the W0 calibration repeats differ by more than 15 %**"
           if results.get("noisy") else ""),
        "",
        "## Targets",
        "",
    ]  # fmt: skip
    if results.get("failed"):
        out += [f"**Stages that failed: {', '.join(results['failed'])}** (see Notes)", ""]
    out += _table(
        ["target", "figure", "measured", "target", "met", "note"],
        [
            [t["name"], t["figure"], t["value"], t["target"], _met(t["met"]), t["note"]]
            for t in results["targets"]
        ],
    )
    for title, key in (
        ("R1 — wall time / reference A (in process), medians", "R1"),
        ("R1 from the fastest repetitions (min / min)", "R1_min"),
        ("R2 — Python CPU / reference A (in process)", "R2"),
        ("Reference B (one JSON statement) time / reference A", "B_over_A"),
        ("R_kpi — K1 kpiSummary (organisation) time / reference K, in process", "R_kpi"),
        ("R3 — domain statements per request (page)", "R3"),
        ("R3 overhead — per-request statements beside them", "R3_overhead"),
        ("R4 — HTTP requests per second / raw route", "R4"),
        ("PostGraphile v5 — HTTP rps / raw route", "PostGraphile"),
        ("R5 — p99/p50 at fixed load", "R5"),
        ("R6 — memory", "R6"),
        ("R7 and fixed cost", "R7"),
        ("W3 — writes", "W3"),
        ("W5 — 1,000 distinct documents against one repeated", "W5"),
    ):
        figures = results.get(key)
        if not figures:
            continue
        out += ["", f"## {title}", ""]
        out += _table(["key", "value"], [[name, value] for name, value in figures.items()])
    for title, key in (
        ("R3 over HTTP — every PostgreSQL round trip of one request, by kind", "R3_http"),
        ("HTTP requests per second", "http_rps"),
        ("Fixed-rate mix", "W4"),
        ("Levers — in-process variants of the read path (median)", "levers"),
        ("K1 — the organisation's KPI roll-up against reference K", "K1"),
        ("Replicas — the W4 mix through nginx, one API replica and two", "replicas"),
    ):
        if results.get(key):
            out += ["", f"## {title}", "", "```json", json.dumps(results[key], indent=1), "```"]
    out += ["", "## In-process timings (ms per operation)", ""]
    rows = []
    for workload, subjects in results.get("raw", {}).get("w1", {}).items():
        for subject, numbers in subjects.items():
            rows.append([workload, subject, numbers["median_ms"], numbers["min_ms"],
                         numbers["cpu_median_ms"]])  # fmt: skip
    out += _table(["workload", "subject", "median", "min", "CPU median"], rows)
    out += ["", "## Machine and PostgreSQL", "", "```json"]
    out += [json.dumps(results["machine"], indent=1), "```", ""]
    notes = results.get("notes")
    if notes:
        out += ["## Notes", ""] + [f"- {note}" for note in notes] + [""]
    return "\n".join(out)


def _met(met: bool | None) -> str:
    return "n/a" if met is None else ("yes" if met else "**no**")


def write(results: dict[str, Any], name: str = "latest") -> tuple[Path, Path]:
    RESULTS.mkdir(exist_ok=True)
    json_path, md_path = RESULTS / f"{name}.json", RESULTS / f"{name}.md"
    json_path.write_text(json.dumps(results, indent=1, default=str) + "\n")
    md_path.write_text(markdown(results))
    return json_path, md_path
