"""A statement compiled once to its SQL text, run again with other values.

Building a statement of a few hundred expressions and compiling it costs milliseconds;
the same document with the same shape of arguments gives the same SQL text, with only the
bound values changing. The text is kept with the order of its positional parameters and
the type conversions SQLAlchemy applies to each, so a request only supplies the values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect, Select


@dataclass(frozen=True)
class SqlText:
    sql: str
    names: tuple[str, ...]
    defaults: Mapping[str, Any]
    processors: Mapping[str, Callable[[Any], Any]]

    @classmethod
    def compile(cls, statement: Select[Any], dialect: Dialect) -> SqlText:
        # IN lists expanded now: their values are part of the statement's shape.
        compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        names = tuple(compiled.positiontup or ())
        processors = getattr(compiled, "_bind_processors", {})
        # A parameter made without a value (`bindparam("name")`) has no default: each run
        # must give it (`arguments` raises a KeyError otherwise), never NULL by omission.
        given = compiled.construct_params(_check=False)
        # (An IN list's expanded parameters, `name_1`…, are not among the binds by name.)
        required = {name for name, bind in compiled.binds.items() if bind.required}
        defaults = {name: value for name, value in given.items() if name not in required}
        return cls(str(compiled), names, defaults, dict(processors))

    def arguments(self, values: Mapping[str, Any]) -> list[Any]:
        """The positional parameters, `values` replacing the compiled-in ones by name."""
        arguments = []
        for name in self.names:
            value = values[name] if name in values else self.defaults[name]
            processor = self.processors.get(name)
            arguments.append(processor(value) if processor is not None else value)
        return arguments


__all__ = ["SqlText"]
