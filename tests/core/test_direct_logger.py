"""The access log's direct lines: the fields, redaction, level and stream of every other
line, whichever way they are written."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from core.logs import DirectLogger, configure_logging, get_logger


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    written = io.StringIO()
    configure_logging("INFO", "json", written)
    yield written
    root.handlers[:], root.level = handlers, level
    logging.getLogger("uvicorn.access").disabled = False
    structlog.reset_defaults()


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_direct_line_carries_what_a_standard_line_does(stream: io.StringIO) -> None:
    fields = {"method": "GET", "path": "/x", "status": 200, "session_token": "s3cret"}
    DirectLogger("service_catalog.access").info("request", **fields)
    get_logger("service_catalog.access").info("request", **fields)

    direct, standard = _lines(stream)
    assert direct.keys() == standard.keys()
    assert {key: value for key, value in direct.items() if key != "timestamp"} == {
        key: value for key, value in standard.items() if key != "timestamp"
    }
    assert direct["session_token"] == "[redacted]"
    assert direct["level"] == "info"
    assert direct["logger"] == "service_catalog.access"


def test_a_direct_line_below_the_level_is_not_written(stream: io.StringIO) -> None:
    DirectLogger("service_catalog.access").debug("request", path="/healthz")
    assert stream.getvalue() == ""
    logging.getLogger("service_catalog.access").setLevel(logging.DEBUG)
    try:
        DirectLogger("service_catalog.access").debug("request", path="/healthz")
    finally:
        logging.getLogger("service_catalog.access").setLevel(logging.NOTSET)
    [line] = _lines(stream)
    assert line["level"] == "debug"


def test_once_its_handler_is_replaced_a_direct_line_goes_where_the_others_go(
    stream: io.StringIO,
) -> None:
    elsewhere = io.StringIO()
    root = logging.getLogger()
    replacement = logging.StreamHandler(elsewhere)
    root.handlers[:] = [replacement]

    DirectLogger("service_catalog.access").info("request", path="/x")

    assert stream.getvalue() == ""
    assert "request" in elsewhere.getvalue()
