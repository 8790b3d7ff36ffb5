"""Which characters a string from outside may carry: the check every door runs once.

PostgreSQL cannot store NUL (U+0000) in text or jsonb, and the other C0 controls and DEL
have no business in a name, a slug or an id. Lone surrogates (U+D800-U+DFFF, which a
JSON `\\ud800` escape yields) are no characters at all and cannot be encoded in UTF-8.
So every string is refused with any of them, except that free text may hold tab, line
feed and carriage return.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Input names (GraphQL input fields and arguments, REST body keys) whose values are free
# text: prose a person writes over several lines (descriptions, bodies, notes, goals,
# root causes), an import's CSV or JSON content, and the JSON `details` of a measurement
# (its strings are the caller's own). Everything else (names, titles, slugs, emails,
# URLs, keys, ids, cursors, list entries such as tags or actions) is one line.
FREE_TEXT_FIELDS = frozenset(
    {"body", "content", "description", "details", "goal", "note", "notes", "rootCause"}
)

_REFUSED_IN_FREE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_REFUSED_IN_ONE_LINE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
_NAMES = {
    "\x00": "NUL",
    "\t": "tab",
    "\n": "line feed",
    "\r": "carriage return",
    "\x7f": "DEL",
}
_LAYOUT = frozenset("\t\n\r")


@dataclass(frozen=True)
class RefusedCharacter:
    """The first character a value may not carry, and where it is."""

    character: str
    index: int
    line: int  # counted from 1

    @property
    def code_point(self) -> str:
        return f"U+{ord(self.character):04X}"

    def describe(self) -> str:
        """`U+0000 (NUL)`; what it is, never the character itself."""
        if self.character in _NAMES:
            return f"{self.code_point} ({_NAMES[self.character]})"
        if "\ud800" <= self.character <= "\udfff":
            return f"{self.code_point} (a lone surrogate)"
        return f"{self.code_point} (a control character)"

    def reason(self) -> str:
        """Why it is refused, to follow `… contains U+000A (line feed)`."""
        if self.character in _LAYOUT:
            return "only free text (a description, body or note) may hold tabs or line breaks"
        return "control characters are not accepted"


def refused_character(value: str, *, free_text: bool = False) -> RefusedCharacter | None:
    """The first character `value` may not carry (tab, LF and CR pass in free text)."""
    pattern = _REFUSED_IN_FREE_TEXT if free_text else _REFUSED_IN_ONE_LINE
    found = pattern.search(value)
    if found is None:
        return None
    index = found.start()
    return RefusedCharacter(found.group(), index, value.count("\n", 0, index) + 1)


def escaped(value: str) -> str:
    """`value` with each refused character written as `\\u0000`: safe to quote in a message."""
    return _REFUSED_IN_ONE_LINE.sub(lambda found: f"\\u{ord(found.group()):04x}", value)


def is_free_text(name: str) -> bool:
    return name in FREE_TEXT_FIELDS


def refusal_message(subject: str, refused: RefusedCharacter, *, multiline: bool) -> str:
    """`input.name of createService contains U+0000 (NUL): control characters are …`."""
    where = f" on line {refused.line}" if multiline else ""
    return f"{subject} contains {refused.describe()}{where}: {refused.reason()}"


def check_text(value: str, *, name: str, subject: str | None = None) -> str | None:
    """The refusal message for `value` given as `name`, or None when it may be stored."""
    free_text = is_free_text(name)
    refused = refused_character(value, free_text=free_text)
    if refused is None:
        return None
    return refusal_message(subject or name, refused, multiline=free_text and "\n" in value)


__all__ = [
    "FREE_TEXT_FIELDS",
    "RefusedCharacter",
    "check_text",
    "escaped",
    "is_free_text",
    "refusal_message",
    "refused_character",
]
