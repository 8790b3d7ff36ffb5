"""A SOQL subset, parsed: fields and relationship fields or `COUNT()`, `WHERE` with
comparisons, `IN`, `NOT IN`, `AND`, `OR`, `NOT` and parentheses, `ORDER BY`, `LIMIT`, `OFFSET`.

Anything else is refused as Salesforce does, with `MALFORMED_QUERY`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>'(?:[^'\\]|\\.)*')
    | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))
    | (?P<date>\d{4}-\d{2}-\d{2})
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<op>!=|<>|<=|>=|=|<|>)
    | (?P<punct>[(),])
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?::\d+)?)
    )""",
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}


class MalformedQuery(Exception):
    """The query is not SOQL this fake understands."""


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    value: Any = None

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words


@dataclass(frozen=True)
class Comparison:
    field: str
    op: str
    value: Any


@dataclass(frozen=True)
class InList:
    field: str
    values: tuple[Any, ...]
    negated: bool


@dataclass(frozen=True)
class BoolOp:
    op: str  # AND | OR
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    part: Condition


Condition = Comparison | InList | BoolOp | Not


@dataclass(frozen=True)
class OrderBy:
    field: str
    descending: bool
    nulls_last: bool


@dataclass(frozen=True)
class Query:
    object_name: str
    fields: tuple[str, ...]
    count: bool
    where: Condition | None
    order_by: tuple[OrderBy, ...]
    limit: int | None
    offset: int | None


def _unquote(text: str) -> str:
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            out.append(_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def _date_literal(word: str, today: date) -> Any:
    name, _, days = word.upper().partition(":")
    if name == "TODAY":
        return today
    if name == "YESTERDAY":
        return today - timedelta(days=1)
    if name == "LAST_N_DAYS" and days:
        return ("range", today - timedelta(days=int(days)), today)
    return None


def tokenize(soql: str) -> list[Token]:
    tokens, position, text = [], 0, soql.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise MalformedQuery(f"unexpected token: {text[position:].split()[0]!r}")
        kind = match.lastgroup or ""
        raw = match.group(kind)
        value: Any = raw
        if kind == "string":
            value = _unquote(raw)
        elif kind == "number":
            value = float(raw) if "." in raw else int(raw)
        elif kind == "datetime":
            value = datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(UTC)
        elif kind == "date":
            value = date.fromisoformat(raw)
        tokens.append(Token(kind, raw, value))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, soql: str) -> None:
        self.tokens = tokenize(soql)
        self.position = 0
        self.today = datetime.now(UTC).date()

    def peek(self) -> Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise MalformedQuery("unexpected end of query")
        self.position += 1
        return token

    def expect_word(self, *words: str) -> Token:
        token = self.take()
        if not token.is_word(*words):
            raise MalformedQuery(f"unexpected token: '{token.text}'; expected {' '.join(words)}")
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            raise MalformedQuery(f"unexpected token: '{token.text}'; expected '{text}'")

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.is_word(*words)

    def at_text(self, text: str) -> bool:
        token = self.peek()
        return token is not None and token.text == text

    def field(self) -> str:
        token = self.take()
        if token.kind != "word" or ":" in token.text:
            raise MalformedQuery(f"unexpected token: '{token.text}'; expected a field")
        return token.text

    def parse(self) -> Query:
        self.expect_word("SELECT")
        count, fields = self.select_list()
        self.expect_word("FROM")
        object_name = self.field()
        where = None
        if self.at_word("WHERE"):
            self.take()
            where = self.condition()
        order = self.order_by() if self.at_word("ORDER") else ()
        limit = self.integer("LIMIT") if self.at_word("LIMIT") else None
        offset = self.integer("OFFSET") if self.at_word("OFFSET") else None
        if self.peek() is not None:
            raise MalformedQuery(f"unexpected token: '{self.take().text}'")
        return Query(object_name, fields, count, where, order, limit, offset)

    def select_list(self) -> tuple[bool, tuple[str, ...]]:
        if self.at_word("COUNT"):
            self.take()
            self.expect("(")
            self.expect(")")
            return True, ()
        fields = [self.field()]
        while self.at_text(","):
            self.take()
            fields.append(self.field())
        return False, tuple(fields)

    def integer(self, keyword: str) -> int:
        self.expect_word(keyword)
        token = self.take()
        if token.kind != "number" or not isinstance(token.value, int) or token.value < 0:
            raise MalformedQuery(f"{keyword} needs a non-negative integer")
        return token.value

    def order_by(self) -> tuple[OrderBy, ...]:
        self.expect_word("ORDER")
        self.expect_word("BY")
        items = [self.order_item()]
        while self.at_text(","):
            self.take()
            items.append(self.order_item())
        return tuple(items)

    def order_item(self) -> OrderBy:
        field = self.field()
        descending = self.at_word("DESC")
        if self.at_word("ASC", "DESC"):
            self.take()
        nulls_last = descending
        if self.at_word("NULLS"):
            self.take()
            nulls_last = self.expect_word("FIRST", "LAST").text.upper() == "LAST"
        return OrderBy(field, descending, nulls_last)

    def condition(self) -> Condition:
        parts = [self.conjunction()]
        while self.at_word("OR"):
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else BoolOp("OR", tuple(parts))

    def conjunction(self) -> Condition:
        parts = [self.atom()]
        while self.at_word("AND"):
            self.take()
            parts.append(self.atom())
        return parts[0] if len(parts) == 1 else BoolOp("AND", tuple(parts))

    def atom(self) -> Condition:
        if self.at_word("NOT"):
            self.take()
            return Not(self.atom())
        if self.at_text("("):
            self.take()
            inner = self.condition()
            self.expect(")")
            return inner
        field = self.field()
        if self.at_word("IN", "NOT"):
            negated = self.take().is_word("NOT")
            if negated:
                self.expect_word("IN")
            return InList(field, self.value_list(), negated)
        op = self.take()
        if op.kind != "op" and not op.is_word("LIKE"):
            raise MalformedQuery(f"unexpected token: '{op.text}'; expected an operator")
        return Comparison(field, "!=" if op.text == "<>" else op.text.upper(), self.value())

    def value_list(self) -> tuple[Any, ...]:
        self.expect("(")
        values = [self.value()]
        while self.at_text(","):
            self.take()
            values.append(self.value())
        self.expect(")")
        return tuple(values)

    def value(self) -> Any:
        token = self.take()
        if token.kind in ("string", "number", "datetime", "date"):
            return token.value
        if token.is_word("NULL"):
            return None
        if token.is_word("TRUE", "FALSE"):
            return token.text.upper() == "TRUE"
        literal = _date_literal(token.text, self.today) if token.kind == "word" else None
        if literal is None:
            raise MalformedQuery(f"unexpected token: '{token.text}'; expected a value")
        return literal


def parse(soql: str) -> Query:
    """The query, or `MalformedQuery` naming the first token it could not read."""
    return _Parser(soql).parse()
