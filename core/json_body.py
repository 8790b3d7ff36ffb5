"""JSON request bodies of the REST routes: parsed into a pydantic model, or refused as an
RFC 9457 problem naming each bad field; and a model's schema as /openapi.json shows it."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError, ValidationInfo
from pydantic_core import PydanticCustomError
from starlette.responses import Response

from core.errors import ErrorCode
from core.problems import FieldProblem, problem
from core.text import check_text

Model = TypeVar("Model", bound=BaseModel)

# Pydantic's error types that have a code of our own; every other one is INVALID.
PYDANTIC_CODES = {
    "missing": ErrorCode.REQUIRED,
    "string_too_short": ErrorCode.REQUIRED,
    "string_too_long": ErrorCode.TOO_LONG,
}


class Refusal(Exception):
    """A request refused before it changed anything: the problem to answer, and why (for the
    audit log)."""

    def __init__(self, response: Response, reason: str) -> None:
        self.response, self.reason = response, reason


def no_control_characters(
    cls: type[BaseModel], value: str | None, info: ValidationInfo
) -> str | None:
    """A text field's validator: NUL and other control characters are refused (core.text;
    free-text fields such as `body` may span lines). Reuse it as
    `_text = field_validator("title", "body")(no_control_characters)`."""
    refusal = check_text(value, name=str(info.field_name)) if value is not None else None
    if refusal is not None:
        raise PydanticCustomError("control_character", refusal)
    return value


def parse_json(body: bytes, content_type: str, model: type[Model], *, invalid: str) -> Model:
    """The body as `model`, else a Refusal: 415 not JSON, 400 malformed or not an object, 422
    (titled `invalid`) with one problem per bad field."""
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise Refusal(problem(415, "send application/json"), "unsupported media type")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Refusal(problem(400, "the body is not valid JSON"), "malformed JSON") from None
    if not isinstance(payload, dict):
        raise Refusal(problem(400, "the body must be a JSON object"), "not an object")
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        errors = [
            FieldProblem(
                field=".".join(str(part) for part in item["loc"]) or None,
                message=item["msg"],
                code=PYDANTIC_CODES.get(item["type"], ErrorCode.INVALID).value,
            )
            for item in error.errors()
        ]
        raise Refusal(problem(422, invalid, errors=errors), "invalid") from None


def inlined_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its `$defs` put in place: in /openapi.json a `#/$defs/...`
    reference would resolve against the whole document, where nothing answers it."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(definitions[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(value) for value in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved
