"""POST /api/feedback: the REST door for feedback (parse, call the action, commit, map errors)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from core.errors import AccessDenied, DomainError
from core.json_body import Refusal, inlined_schema, no_control_characters, parse_json
from core.problems import FieldProblem, problem, problem_schema
from core.text import check_text
from feedback import actions
from feedback.errors import KeyInFlight
from feedback.models import FeedbackChannel, FeedbackKind
from feedback.rate_limit import SubmissionLimiter
from feedback.submission import Door, submit
from identity.audit import AuditEntry, AuditOutcome, RequestFacts
from identity.principal import Principal, Role
from identity.refusals import RefusalAuditor

router = APIRouter(tags=["feedback"])


class FeedbackSubmission(BaseModel):
    """What an employee or customer tells a service's team."""

    model_config = ConfigDict(extra="forbid")

    service: Annotated[str, Field(min_length=1, description="The service's slug or global id.")]
    kind: FeedbackKind
    title: Annotated[str, Field(min_length=1, max_length=200)]
    body: Annotated[str, Field(min_length=1, max_length=10_000)]
    rating: Annotated[int | None, Field(ge=1, le=5, description="Satisfaction, 1 to 5.")] = None
    contactEmail: Annotated[  # noqa: N815 - the public JSON field name
        str | None, Field(max_length=320, description="Anonymous submissions only.")
    ] = None

    _text = field_validator("service", "title", "body", "contactEmail")(no_control_characters)


class FeedbackCreated(BaseModel):
    id: str = Field(description="A global id; `node(id:)` resolves it.")
    status: str


def _parse(request_body: bytes, content_type: str) -> FeedbackSubmission:
    return parse_json(
        request_body, content_type, FeedbackSubmission, invalid="the feedback is invalid"
    )


def _domain_refusal(error: DomainError) -> Refusal:
    field = ".".join(error.field) if error.field else None
    errors = [FieldProblem(field=field, message=error.message, code=error.code.value)]
    return Refusal(problem(422, error.message, errors=errors), error.message)


def _check_caller(principal: Principal | None, anonymous_allowed: bool) -> None:
    if principal is None and not anonymous_allowed:
        response = problem(401, "sign in to give feedback", headers={"WWW-Authenticate": "Bearer"})
        raise Refusal(response, "anonymous feedback is off")
    if principal is not None and not principal.has_role(Role.CONTRIBUTOR):
        raise Refusal(problem(403, "giving feedback needs the CONTRIBUTOR role"), "forbidden")


FEEDBACK_PATH = "/api/feedback"


@router.post(
    FEEDBACK_PATH,
    status_code=201,
    response_model=FeedbackCreated,
    responses={
        201: {
            "description": "Stored; or, with the `Idempotency-Key` of an earlier request and"
            " the same body, that request's answer replayed.",
            "headers": {
                "Idempotent-Replayed": {
                    "description": "`true` when the answer is a replay.",
                    "schema": {"type": "string", "enum": ["true"]},
                }
            },
        },
        **problem_schema(400, 401, 403, 409, 413, 415, 422, 429),
    },
    openapi_extra={
        "parameters": [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "Makes a retry safe: a repeat with the same key and body replays"
                " the first answer; the same key with another body is refused (422), and"
                " while the first is still being stored, 409.",
                "schema": {"type": "string", "minLength": 1, "maxLength": 200},
            }
        ],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": inlined_schema(FeedbackSubmission)}},
        },
    },
    summary="Submit feedback on a service",
)
async def submit_feedback(request: Request) -> Response:
    """Idempotent with `Idempotency-Key`: a repeat with the same body replays the answer."""
    state = request.app.state
    principal: Principal | None = getattr(request.state, "principal", None)
    facts: RequestFacts = getattr(request.state, "facts", RequestFacts())
    try:
        _check_caller(principal, state.settings.anonymous_feedback)
        parsed = _parse(await request.body(), request.headers.get("content-type", ""))
        key = _idempotency_key(request)
        response = await _store(
            state.sessionmaker, state.feedback_limiter, principal, facts, parsed, key
        )
    except Refusal as refusal:
        await _audit_refusal(state.refusals, principal, facts, refusal)
        return refusal.response
    return response


async def submission_door(scope: Scope, receive: Receive, send: Send) -> None:
    """`POST /api/feedback` as a plain ASGI app, for the lane that skips FastAPI's routing
    (server/lanes.py): the same handler, the same answers."""
    response = await submit_feedback(Request(scope, receive))
    await response(scope, receive, send)


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    refusal = check_text(key, name="Idempotency-Key")
    if refusal is not None or not 1 <= len(key) <= 200:
        message = refusal or "1 to 200 characters"
        errors = [FieldProblem(field="Idempotency-Key", message=message, code="INVALID")]
        raise Refusal(
            problem(422, "the Idempotency-Key header is invalid", errors=errors), "bad key"
        )
    return key


async def _store(
    sessionmaker: async_sessionmaker[AsyncSession],
    limiter: SubmissionLimiter,
    principal: Principal | None,
    facts: RequestFacts,
    parsed: FeedbackSubmission,
    key: str | None,
) -> Response:
    submission = actions.Submission(
        service=parsed.service,
        kind=parsed.kind,
        title=parsed.title,
        body=parsed.body,
        rating=parsed.rating,
        contact_email=parsed.contactEmail,
    )
    try:
        async with _submission_session(sessionmaker, principal) as database:
            # One statement names the actor, stores the feedback and writes its audit event.
            result = await submit(
                database,
                principal=principal,
                client_ip=facts.client_ip,
                service=actions.service_reference(parsed.service),
                submission=submission,
                channel=FeedbackChannel.API,
                allow_anonymous=True,
                idempotency_key=key,
                canonical_body=parsed.model_dump(mode="json"),
                door=Door(facts, "submitFeedback", {"door": "REST"}),
            )
            if not result.replayed:
                # Refused here, the transaction rolls back: the feedback and its audit event.
                await _limit_anonymous(limiter, principal, facts)
    except KeyInFlight as error:
        raise Refusal(problem(409, error.message), "key in flight") from None
    except AccessDenied as error:
        raise Refusal(problem(403, str(error)), "forbidden") from None
    except DomainError as error:
        raise _domain_refusal(error) from None
    headers = {"Idempotent-Replayed": "true"} if result.replayed else {}
    return JSONResponse(result.response.body, status_code=result.response.status, headers=headers)


@asynccontextmanager
async def _submission_session(
    sessionmaker: async_sessionmaker[AsyncSession], principal: Principal | None
) -> AsyncIterator[AsyncSession | AsyncEngine]:
    """A signed-in caller's submission is one statement (the key's claim, the feedback, its
    audit event and notification), atomic by itself: sent alone on a connection of its own
    (the engine; core/statement_alone.py), no BEGIN and no COMMIT around it. An anonymous
    one is counted against its address after that statement, in a transaction, so that a
    refused submission is rolled back with its audit event."""
    bind = sessionmaker.kw.get("bind")
    # A session bound to a connection (a test's, inside its own transaction) keeps it.
    if principal is not None and isinstance(bind, AsyncEngine):
        yield bind
        return
    async with sessionmaker() as session, session.begin():
        yield session


async def _limit_anonymous(
    limiter: SubmissionLimiter, principal: Principal | None, facts: RequestFacts
) -> None:
    if principal is not None:
        return
    verdict = await limiter.hit(facts.client_ip or "unknown")
    if not verdict.allowed:
        headers = {"Retry-After": str(verdict.retry_after_s)}
        raise Refusal(
            problem(429, "too many anonymous submissions", headers=headers), "rate limited"
        )


async def _audit_refusal(
    refusals: RefusalAuditor, principal: Principal | None, facts: RequestFacts, refusal: Refusal
) -> None:
    details = {"door": "REST", "status": refusal.response.status_code, "reason": refusal.reason}
    await refusals.refused(
        AuditEntry("submitFeedback", AuditOutcome.REFUSED, details=details),
        principal=principal,
        facts=facts,
    )
