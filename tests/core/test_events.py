"""Domain events: handlers run in the publisher's transaction; `merging` holds a bulk's events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, cast

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from core.events import DomainEvent, merging, publish, subscribe


@dataclass(frozen=True)
class ThingsChanged(DomainEvent):
    thing_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class OtherThingsChanged(DomainEvent):
    thing_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class Moved(DomainEvent):
    thing_id: uuid.UUID
    to: str


SESSION = cast(AsyncSession, None)  # the handlers below never touch it
heard: list[DomainEvent] = []


async def _hear(session: AsyncSession, event: Any) -> None:
    heard.append(event)


subscribe(ThingsChanged, _hear)
subscribe(OtherThingsChanged, _hear)


@pytest.fixture(autouse=True)
def _forget() -> None:
    heard.clear()


async def test_an_event_is_heard_when_published() -> None:
    one = uuid.uuid4()

    await publish(SESSION, ThingsChanged((one,)))

    assert heard == [ThingsChanged((one,))]


async def test_merging_publishes_once_with_every_id_in_order() -> None:
    one, two = uuid.uuid4(), uuid.uuid4()

    async with merging(SESSION, ThingsChanged):
        await publish(SESSION, ThingsChanged((one,)))
        await publish(SESSION, ThingsChanged((two, one)))
        await publish(SESSION, OtherThingsChanged((two,)))  # not held
        assert heard == [OtherThingsChanged((two,))]

    assert heard == [OtherThingsChanged((two,)), ThingsChanged((one, two))]


async def test_merging_nothing_publishes_nothing() -> None:
    async with merging(SESSION, ThingsChanged):
        pass

    assert heard == []


async def _failing_bulk() -> None:
    async with merging(SESSION, ThingsChanged):
        await publish(SESSION, ThingsChanged((uuid.uuid4(),)))
        raise RuntimeError("rolled back")


async def test_a_failed_bulk_publishes_nothing() -> None:
    with pytest.raises(RuntimeError, match="rolled back"):
        await _failing_bulk()

    assert heard == []


async def test_only_events_carrying_one_tuple_of_ids_merge() -> None:
    with pytest.raises(TypeError, match="Moved"):
        async with merging(SESSION, Moved):
            pass
