"""POST /api/backups: backup tools report their runs (authenticate, parse, record, commit).

The tools authenticate with the static bearer token CATALOG_BACKUP_WEBHOOK_TOKEN, compared in
constant time; without it the route answers 404. A report names its org by Salesforce org id
(15 or 18 characters) or credentials reference, and is idempotent by (org, externalId).
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.responses import JSONResponse, Response

from catalog.backups import actions
from catalog.backups.models import Backup, BackupOutcome, BackupScope
from core.errors import DomainError, DomainErrors, NotFound
from core.ids import encode_global_id
from core.json_body import Refusal, inlined_schema, no_control_characters, parse_json
from core.problems import FieldProblem, problem, problem_schema
from identity.audit import AuditEntry, AuditOutcome, RequestFacts, record
from identity.principal import Principal

router = APIRouter(tags=["backups"])

BACKUPS_PATH = "/api/backups"
# How history and the audit log name the tools that hold the webhook token.
WEBHOOK_CLIENT = Principal(
    subject="backup-webhook",
    issuer="urn:service-catalog:backup-webhook",
    granted_roles=frozenset(),
    is_machine=True,
)


class BackupReport(BaseModel):
    """One backup run of an org, as the backup tool reports it."""

    model_config = ConfigDict(extra="forbid")

    org: Annotated[
        str,
        Field(
            min_length=1,
            max_length=100,
            description="The org's Salesforce id (15 or 18 characters) or credentials reference.",
        ),
    ]
    scope: BackupScope
    startedAt: AwareDatetime  # noqa: N815 - the public JSON field names
    finishedAt: Annotated[AwareDatetime, Field(description="Not before startedAt.")]  # noqa: N815
    outcome: BackupOutcome
    records: Annotated[int | None, Field(ge=0, description="Records backed up.")] = None
    location: Annotated[str | None, Field(max_length=2000)] = None
    source: Annotated[str | None, Field(max_length=200, description="The backup tool.")] = None
    externalId: Annotated[  # noqa: N815
        str | None,
        Field(
            min_length=1,
            max_length=200,
            description="The tool's id of the run: a repeat for the same org stores nothing"
            " and answers 200 with the first record's id.",
        ),
    ] = None

    _text = field_validator("org", "location", "source", "externalId")(no_control_characters)


class BackupRecorded(BaseModel):
    id: str = Field(description="The backup's global id; `node(id:)` resolves it.")
    replayed: bool = Field(description="True when an earlier report had the same externalId.")


def _authenticate(request: Request) -> None:
    expected = request.app.state.settings.backup_webhook_token
    if not expected:
        raise Refusal(
            problem(404, "the backup webhook is off (CATALOG_BACKUP_WEBHOOK_TOKEN is unset)"),
            "webhook off",
        )
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), expected.encode()
    ):
        response = problem(
            401,
            "a valid backup webhook bearer token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
        raise Refusal(response, "bad token")


def _parse(body: bytes, content_type: str) -> BackupReport:
    return parse_json(body, content_type, BackupReport, invalid="the backup report is invalid")


def _invalid(errors: list[DomainError]) -> Refusal:
    problems = [
        FieldProblem(
            field=".".join(item.field) if item.field else None,
            message=item.message,
            code=item.code.value,
        )
        for item in errors
    ]
    return Refusal(problem(422, errors[0].message, errors=problems), "invalid")


def _spec(report: BackupReport) -> actions.BackupSpec:
    return actions.BackupSpec(
        scope=report.scope,
        started_at=report.startedAt,
        finished_at=report.finishedAt,
        outcome=report.outcome,
        records=report.records,
        location=report.location,
        source=report.source,
        external_id=report.externalId,
    )


def _facts(request: Request) -> RequestFacts:
    return RequestFacts(
        client_ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
        request_id=request.headers.get("x-request-id"),
    )


async def _store(
    sessionmaker: async_sessionmaker[AsyncSession], report: BackupReport, facts: RequestFacts
) -> tuple[Backup, bool]:
    """In one transaction: the backup (or the earlier one of its externalId) and its audit."""
    async with sessionmaker() as session, session.begin():
        org = await actions.find_org(session, report.org)
        if org is None:
            raise _invalid([_unknown_org(report.org)])
        try:
            backup, created = await actions.store_backup(
                session, org=org, spec=_spec(report), recorded_by=WEBHOOK_CLIENT.actor
            )
        except DomainErrors as error:
            raise _invalid(error.errors) from None
        if created:
            entry = AuditEntry(
                "recordBackup", AuditOutcome.SUCCESS, "Backup", str(backup.id), {"door": "REST"}
            )
            await record(session, entry, principal=WEBHOOK_CLIENT, facts=facts)
    return backup, created


def _unknown_org(reference: str) -> DomainError:
    return NotFound(f"no Salesforce org {reference!r} in the catalog", field=["org"])


@router.post(
    BACKUPS_PATH,
    status_code=201,
    response_model=BackupRecorded,
    responses={
        200: {
            "description": "A repeat of an earlier report's externalId: nothing stored.",
            "model": BackupRecorded,
        },
        201: {"description": "Stored."},
        **problem_schema(400, 401, 404, 415, 422),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": inlined_schema(BackupReport)}},
        },
    },
    summary="Report a backup run of a Salesforce org",
)
async def report_backup(request: Request) -> Response:
    """For backup tools, with the bearer token CATALOG_BACKUP_WEBHOOK_TOKEN (404 while unset)."""
    state = request.app.state
    facts = _facts(request)
    try:
        _authenticate(request)
        report = _parse(await request.body(), request.headers.get("content-type", ""))
        try:
            backup, created = await _store(state.sessionmaker, report, facts)
        except IntegrityError:  # a concurrent report of the same externalId won the insert
            backup, created = await _store(state.sessionmaker, report, facts)
    except Refusal as refusal:
        details: dict[str, Any] = {"door": "REST", "status": refusal.response.status_code}
        details["reason"] = refusal.reason
        await state.refusals.refused(
            AuditEntry("recordBackup", AuditOutcome.REFUSED, details=details),
            principal=None,
            facts=facts,
        )
        return refusal.response
    body = BackupRecorded(id=encode_global_id("Backup", backup.id), replayed=not created)
    return JSONResponse(body.model_dump(), status_code=201 if created else 200)
