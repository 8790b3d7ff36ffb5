"""W0 and W1 in process: the schema executed directly against references A and B."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import orjson

from bench.documents import SELECTED_RELATIONS, SERVICES_PAGE
from bench.reference import ReferenceA, create_pool
from bench.reference_sql import ReferenceB
from bench.stats import Op, Series, interleave, ratio, spread
from bench.subject import SchemaSubject

PageFn = Callable[[int, str | None], Awaitable[bytes]]
_PAGE_INFO = re.compile(rb'"hasNextPage"\s*:\s*(true|false).*"endCursor"\s*:\s*(null|"[^"]*")')
WALK_PAGE = 100


class Mismatch(AssertionError):
    """A subject's JSON differs from the reference's."""


def first_difference(expected: Any, actual: Any, path: str = "$") -> str | None:
    if type(expected) is not type(actual):
        return f"{path}: {expected!r} != {actual!r}"
    if isinstance(expected, dict):
        if set(expected) != set(actual):
            return f"{path}: keys differ: {sorted(set(expected) ^ set(actual))}"
        for key in expected:
            found = first_difference(expected[key], actual[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list):
        if len(expected) != len(actual):
            return f"{path}: {len(expected)} items != {len(actual)}"
        for index, (one, other) in enumerate(zip(expected, actual, strict=True)):
            found = first_difference(one, other, f"{path}[{index}]")
            if found:
                return found
        return None
    return None if expected == actual else f"{path}: {expected!r} != {actual!r}"


def check_same(name: str, expected: list[bytes], actual: list[bytes]) -> None:
    found = first_difference(
        [orjson.loads(body) for body in expected], [orjson.loads(body) for body in actual]
    )
    if found:
        raise Mismatch(f"{name} differs from reference A at {found}")


def page_info(body: bytes) -> tuple[bool, str | None]:
    match = _PAGE_INFO.search(body, max(0, body.rfind(b'"pageInfo"')))
    if match is None:
        raise Mismatch(f"no pageInfo in {body[:300]!r}")
    cursor = None if match[2] == b"null" else match[2][1:-1].decode()
    return match[1] == b"true", cursor


async def walk(page: PageFn, size: int = WALK_PAGE) -> list[bytes]:
    """Every page of the catalog, following endCursor."""
    bodies, after = [], None
    while True:
        body = await page(size, after)
        bodies.append(body)
        has_next, after = page_info(body)
        if not has_next:
            return bodies


@dataclass
class Database:
    size: int
    url: str


@dataclass
class InProcessResult:
    w0: dict[str, dict[str, float]] = field(default_factory=dict)
    w0_noisy: bool = False
    w1: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    r1: dict[str, float] = field(default_factory=dict)
    r2: dict[str, float] = field(default_factory=dict)
    b_over_a: dict[str, float] = field(default_factory=dict)
    r3: dict[str, float] = field(default_factory=dict)
    r3_overhead: dict[str, float] = field(default_factory=dict)
    fields_per_page100: int = 0
    us_per_field: float = 0.0


def _schema_page(subject: SchemaSubject) -> PageFn:
    async def page(first: int, after: str | None) -> bytes:
        variables: dict[str, Any] = {"first": first}
        if after is not None:
            variables["after"] = after
        return await subject.execute(SERVICES_PAGE, variables)

    return page


def count_leaves(value: Any) -> int:
    if isinstance(value, dict):
        return sum(count_leaves(item) for item in value.values())
    if isinstance(value, list):
        return sum(count_leaves(item) for item in value) if value else 1
    return 1


async def _w0(pool: asyncpg.Pool, reps: int, target_s: float) -> dict[str, Series]:
    async def bare() -> None:
        return None

    async def one_row() -> Any:
        async with pool.acquire() as connection:
            return await connection.fetchrow("SELECT 1 AS one")

    return await interleave({"bare": bare, "one_row": one_row}, reps=reps, target_s=target_s)


async def run(
    databases: list[Database], *, stamp: str, reps: int, target_s: float, log: Callable[[str], None]
) -> InProcessResult:
    """Equality first, then interleaved timings, for pages on the largest catalog and walks."""
    result = InProcessResult()
    largest = max(databases, key=lambda database: database.size)
    w0_pool = await create_pool(largest.url)
    # Warmed up first: a new pool's first connections and statements are not the machine's
    # noise, and were what set the start and end calibrations apart (465 against 264 µs).
    await _w0(w0_pool, 1, target_s / 4)
    w0_before = await _w0(w0_pool, reps, target_s / 4)
    for database in sorted(databases, key=lambda database: database.size):
        pool = await create_pool(database.url)
        subject = SchemaSubject(database.url)
        await subject.start()
        try:
            pages: dict[str, PageFn] = {
                "A": ReferenceA(pool, stamp).page,
                "B": ReferenceB(pool, stamp).page,
                "API": _schema_page(subject),
            }
            workloads: dict[str, Callable[[PageFn], Awaitable[list[bytes]]]] = {
                str(database.size): walk
            }
            if database is largest:
                for size in (20, 100):
                    workloads[f"page{size}"] = _single_page(size)
            for key, workload in workloads.items():
                log(f"W1 {key} (catalog of {database.size}): equality")
                expected = await workload(pages["A"])
                for name in ("B", "API"):
                    check_same(f"{name} on W1 {key}", expected, await workload(pages[name]))
                with subject.statements.counting():
                    await workload(pages["API"])
                count = len(expected)
                result.r3[key] = round(subject.statements.domain / count, 2)
                result.r3_overhead[key] = round(
                    (subject.statements.overhead + subject.statements.transaction) / count, 2
                )
                if key == "page100":
                    result.fields_per_page100 = count_leaves(orjson.loads(expected[0]))
                log(f"W1 {key}: timing {reps} interleaved repetitions")
                ops: dict[str, Op] = {name: _bind(workload, page) for name, page in pages.items()}
                series = await interleave(ops, reps=reps, target_s=target_s)
                result.w1[key] = {name: one.as_json() for name, one in series.items()}
                result.r1[key] = ratio(series["API"].median, series["A"].median)
                result.r2[key] = ratio(series["API"].cpu_median, series["A"].cpu_median)
                result.b_over_a[key] = ratio(series["B"].median, series["A"].median)
                if key == "page100" and result.fields_per_page100:
                    extra = series["API"].median - series["A"].median
                    result.us_per_field = round(extra / result.fields_per_page100 * 1e6, 2)
        finally:
            await subject.close()
            await pool.close()
    w0_after = await _w0(w0_pool, reps, target_s / 4)
    await w0_pool.close()
    for name in ("bare", "one_row"):
        result.w0[name] = {
            "first_median_us": round(w0_before[name].median * 1e6, 2),
            "second_median_us": round(w0_after[name].median * 1e6, 2),
        }
    result.w0_noisy = spread(w0_before["one_row"].median, w0_after["one_row"].median) > 0.15
    result.r3["relations_selected"] = SELECTED_RELATIONS
    return result


def _single_page(size: int) -> Callable[[PageFn], Awaitable[list[bytes]]]:
    async def one(page: PageFn) -> list[bytes]:
        return [await page(size, None)]

    return one


def _bind(workload: Callable[[PageFn], Awaitable[list[bytes]]], page: PageFn) -> Op:
    async def op() -> list[bytes]:
        return await workload(page)

    return op
