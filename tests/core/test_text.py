"""Which characters a string from outside may carry (core.text), as properties."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core.text import FREE_TEXT_FIELDS, check_text, escaped, refused_character

LAYOUT = "\t\n\r"
CONTROLS = [chr(code) for code in (*range(0x20), 0x7F)]
REFUSED_EVERYWHERE = [c for c in CONTROLS if c not in LAYOUT]
# Text a person may write: anything but the C0 controls, DEL and lone surrogates.
printable = st.text(st.characters(blacklist_categories=("Cc", "Cs")))


@given(printable)
def test_printable_text_passes_everywhere(value: str) -> None:
    assert refused_character(value) is None
    assert refused_character(value, free_text=True) is None


@given(printable, st.sampled_from(REFUSED_EVERYWHERE), printable)
def test_a_control_character_is_refused_even_in_free_text(
    before: str, control: str, after: str
) -> None:
    value = before + control + after

    for free_text in (False, True):
        refused = refused_character(value, free_text=free_text)
        assert refused is not None
        assert (refused.character, refused.index) == (control, len(before))
        assert refused.code_point == f"U+{ord(control):04X}"


@given(printable, st.sampled_from(LAYOUT), printable)
def test_tabs_and_line_breaks_pass_only_in_free_text(before: str, layout: str, after: str) -> None:
    value = before + layout + after

    assert refused_character(value, free_text=True) is None
    refused = refused_character(value)
    assert refused is not None
    assert refused.character == layout


@given(st.lists(printable.filter(lambda line: "\n" not in line), min_size=1), st.data())
def test_the_line_of_the_refused_character_is_counted_from_one(
    lines: list[str], data: st.DataObject
) -> None:
    line = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
    lines[line] += "\x00"

    refused = refused_character("\n".join(lines), free_text=True)

    assert refused is not None
    assert refused.line == line + 1


@given(st.text())
def test_escaped_text_has_nothing_left_to_refuse(value: str) -> None:
    assert refused_character(escaped(value)) is None


@given(st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1))
def test_lone_surrogates_are_refused(value: str) -> None:
    refused = refused_character(value, free_text=True)

    assert refused is not None
    assert refused.describe().endswith("(a lone surrogate)")


def test_the_messages_name_the_subject_and_the_character_never_showing_it() -> None:
    assert check_text("a\x00b", name="title") == (
        "title contains U+0000 (NUL): control characters are not accepted"
    )
    assert check_text("a\nb", name="name", subject="input.name of createTeam") == (
        "input.name of createTeam contains U+000A (line feed): only free text"
        " (a description, body or note) may hold tabs or line breaks"
    )
    assert check_text("one\ntwo\x7f", name="description") == (
        "description contains U+007F (DEL) on line 2: control characters are not accepted"
    )
    assert check_text("one\r\n\ttwo", name="description") is None


def test_the_free_text_fields_are_the_prose_fields() -> None:
    assert {"description", "body", "note", "notes", "goal", "rootCause"} <= FREE_TEXT_FIELDS
    assert not {"name", "title", "slug", "id", "email", "after", "tags"} & FREE_TEXT_FIELDS
