"""W5 and R6 in process: the fixed cost of an operation, the document caches, memory per row.

W5 executes `{ __typename }` through the product's schema (a fresh context each time, no
database: the fixed cost of parsing, validating, the access check and executing), then
1,000 distinct documents of the same shape. The cache hit ratio is read from whatever
ParserCache / ValidationCache the schema installs; memory is traced across two rounds of
distinct documents to show whether it is bounded.

R6 traces the peak Python memory of one page of 100 services with the full selection,
divided by the rows read from the database, per 10,000 rows.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from dataclasses import dataclass, field
from typing import Any

from bench.documents import SERVICES_PAGE, TYPENAME
from bench.reference import ReferenceA, create_pool
from bench.stats import interleave
from bench.subject import SchemaSubject

DISTINCT = 1000


def distinct_documents(start: int, count: int) -> list[str]:
    """Same shape as `{ __typename }`, each text its own: an alias makes it distinct."""
    return [f"query Q{index} {{ t{index}: __typename }}" for index in range(start, start + count)]


def cache_infos(subject: SchemaSubject) -> dict[str, Any]:
    """hits/misses of the parser and validation caches the schema installs, if any."""
    infos: dict[str, Any] = {}
    for extension in subject.schema.extensions:
        try:
            instance = extension() if callable(extension) else extension
        except TypeError:
            continue
        for attribute, name in (
            ("cached_parse_document", "parser"),
            ("cached_validate_document", "validation"),
        ):
            cached = getattr(instance, attribute, None)
            if cached is not None and hasattr(cached, "cache_info"):
                infos[name] = cached.cache_info()
    return infos


def _hit_ratio(before: dict[str, Any], after: dict[str, Any]) -> dict[str, float | None]:
    ratios: dict[str, float | None] = {"parser": None, "validation": None}
    for name in ratios:
        if name in after:
            hits = after[name].hits - (before[name].hits if name in before else 0)
            misses = after[name].misses - (before[name].misses if name in before else 0)
            ratios[name] = round(hits / (hits + misses), 3) if hits + misses else None
    return ratios


@dataclass
class W5Result:
    repeated_us: float = 0.0
    repeated_min_us: float = 0.0
    distinct_us: float = 0.0
    repeated_hit_ratio: dict[str, float | None] = field(default_factory=dict)
    distinct_hit_ratio: dict[str, float | None] = field(default_factory=dict)
    traced_mib_after_1k: float = 0.0
    traced_mib_after_2k: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "repeated_document_fixed_cost_us": self.repeated_us,
            "repeated_document_min_us": self.repeated_min_us,
            "distinct_document_cost_us": self.distinct_us,
            "cache_hit_ratio_repeated": self.repeated_hit_ratio,
            "cache_hit_ratio_distinct": self.distinct_hit_ratio,
            "traced_MiB_after_1000_distinct": self.traced_mib_after_1k,
            "traced_MiB_after_2000_distinct": self.traced_mib_after_2k,
        }


async def w5(database_url: str, *, reps: int, target_s: float) -> W5Result:
    subject = SchemaSubject(database_url)
    await subject.start()
    result = W5Result()
    try:
        documents = distinct_documents(0, DISTINCT)
        position = 0

        async def repeated() -> None:
            await subject.execute(TYPENAME)

        async def distinct() -> None:
            nonlocal position
            await subject.execute(documents[position % DISTINCT])
            position += 1

        before = cache_infos(subject)
        series = await interleave({"repeated": repeated}, reps=reps, target_s=target_s)
        result.repeated_hit_ratio = _hit_ratio(before, cache_infos(subject))
        result.repeated_us = round(series["repeated"].median * 1e6, 1)
        result.repeated_min_us = round(series["repeated"].min * 1e6, 1)
        before = cache_infos(subject)
        started = time.perf_counter()
        for _ in range(DISTINCT):
            await distinct()
        result.distinct_us = round((time.perf_counter() - started) / DISTINCT * 1e6, 1)
        result.distinct_hit_ratio = _hit_ratio(before, cache_infos(subject))
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        for document in distinct_documents(DISTINCT, DISTINCT):
            await subject.execute(document)
        gc.collect()
        result.traced_mib_after_1k = round((tracemalloc.get_traced_memory()[0] - base) / 2**20, 3)
        for document in distinct_documents(2 * DISTINCT, DISTINCT):
            await subject.execute(document)
        gc.collect()
        result.traced_mib_after_2k = round((tracemalloc.get_traced_memory()[0] - base) / 2**20, 3)
        tracemalloc.stop()
    finally:
        await subject.close()
    return result


async def traced_page(database_url: str, stamp: str) -> dict[str, float]:
    """R6: peak traced MiB of one page of 100 (API and reference A), per 10k rows read."""
    pool = await create_pool(database_url)
    reference = ReferenceA(pool, stamp)
    subject = SchemaSubject(database_url)
    await subject.start()
    try:
        await reference.page(100, None)
        rows = reference.counter.rows

        async def api() -> bytes:
            return await subject.execute(SERVICES_PAGE, {"first": 100})

        async def a() -> bytes:
            return await reference.page(100, None)

        peaks = {}
        for name, op in (("API", api), ("A", a)):
            await op()  # warm: caches and prepared statements are not per-request memory
            gc.collect()
            tracemalloc.start()
            base = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            await op()
            peaks[name] = (tracemalloc.get_traced_memory()[1] - base) / 2**20
            tracemalloc.stop()
    finally:
        await subject.close()
        await pool.close()
    return {
        "rows_per_page100": rows,
        "API_MiB_per_10k_rows": round(peaks["API"] / rows * 10_000, 2),
        "A_MiB_per_10k_rows": round(peaks["A"] / rows * 10_000, 2),
    }
