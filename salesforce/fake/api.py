"""The REST routes of the fake: token, query and query paging, limits, create and upsert."""

from __future__ import annotations

import json
import re
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote

from salesforce.fake import event_logs
from salesforce.fake.auth import JWT_BEARER, ConnectedApp, TokenFault, verify_assertion
from salesforce.fake.org import FakeOrg, Fault
from salesforce.fake.soql import MalformedQuery, parse

_DATA = re.compile(r"^/services/data/v(?P<version>\d+\.\d)/(?P<rest>.*?)/?$")
_QUERY_OPTIONS = re.compile(r"batchSize=(\d+)")
TOOLING = "tooling/"
# Waits as long as the org is set to be slow.
Wait = Callable[[FakeOrg], None]
INVALID_SESSION = Fault(401, "INVALID_SESSION_ID", "Session expired or invalid")


@dataclass
class Response:
    status: int
    payload: Any
    limit_info: str | None = None
    # A blob instead of JSON: its bytes, sent as they are made (chunked), and their type.
    stream: Iterator[bytes] | None = None
    content_type: str = "application/json;charset=UTF-8"


@dataclass(frozen=True)
class Call:
    """One request, as the request log keeps it."""

    org_id: str | None
    method: str
    path: str
    kind: str
    status: int
    soql: str | None = None
    object_name: str | None = None


@dataclass
class _Cursor:
    org_id: str
    records: list[dict[str, Any]]
    total: int
    api: str = ""  # "tooling/" for a Tooling API query: its locators page there too


@dataclass
class FakeState:
    """Everything the routes share; guarded by `lock`."""

    base_url: str = ""
    page_size: int = 2000
    orgs: dict[str, FakeOrg] = field(default_factory=dict)
    apps: dict[str, ConnectedApp] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)
    log: list[Call] = field(default_factory=list)
    cursors: dict[str, _Cursor] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def new_session(self, org_id: str) -> str:
        token = f"{org_id[:15]}!{secrets.token_urlsafe(48)}"
        with self.lock:
            self.sessions[token] = org_id
        return token


def _token(state: FakeState, body: bytes, wait: Wait) -> Response:
    form = {key: values[0] for key, values in parse_qs(body.decode()).items()}
    if form.get("grant_type") != JWT_BEARER:
        raise TokenFault("unsupported_grant_type", "grant type not supported")
    audiences = {state.base_url, "https://login.salesforce.com", "https://test.salesforce.com"}
    usernames = {org.org_id: {org.username} for org in state.orgs.values()}
    org_id, _ = verify_assertion(
        form.get("assertion", ""), apps=state.apps, audiences=audiences, usernames=usernames
    )
    wait(state.orgs[org_id])
    return Response(
        200,
        {
            "access_token": state.new_session(org_id),
            "scope": "api",
            "instance_url": state.base_url,
            "id": f"{state.base_url}/id/{org_id}/005000000000000AAA",
            "token_type": "Bearer",
            "issued_at": "0",
        },
    )


def _org_of(state: FakeState, headers: Mapping[str, str]) -> FakeOrg:
    authorization = headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    org_id = state.sessions.get(token) if scheme.lower() in ("bearer", "oauth") else None
    if org_id is None:
        raise INVALID_SESSION
    return state.orgs[org_id]


def _page(state: FakeState, cursor: _Cursor, version: str, size: int) -> dict[str, Any]:
    page, rest = cursor.records[:size], cursor.records[size:]
    result: dict[str, Any] = {"totalSize": cursor.total, "done": not rest, "records": page}
    if rest:
        key = f"01g{secrets.token_hex(6)}-{cursor.total - len(rest)}"
        with state.lock:
            state.cursors[key] = _Cursor(cursor.org_id, rest, cursor.total, cursor.api)
        result["nextRecordsUrl"] = f"/services/data/v{version}/{cursor.api}query/{key}"
    return result


def _batch_size(state: FakeState, headers: Mapping[str, str]) -> int:
    found = _QUERY_OPTIONS.search(headers.get("sforce-query-options", ""))
    return max(200, min(2000, int(found[1]))) if found else state.page_size


def _query(
    state: FakeState, org: FakeOrg, version: str, soql: str, size: int, api: str = ""
) -> Response:
    total, records = org.query(soql, version, tooling=api == TOOLING)
    return Response(200, _page(state, _Cursor(org.org_id, records, total, api), version, size))


def _query_more(
    state: FakeState, org: FakeOrg, version: str, key: str, size: int, api: str = ""
) -> Response:
    with state.lock:
        cursor = state.cursors.pop(key, None)
    if cursor is None or cursor.org_id != org.org_id or cursor.api != api:
        raise Fault(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    return Response(200, _page(state, cursor, version, size))


def _sobjects(org: FakeOrg, method: str, parts: list[str], body: bytes) -> Response:
    values = json.loads(body or b"{}")
    if not isinstance(values, dict):
        raise Fault(400, "JSON_PARSER_ERROR", "Cannot deserialize instance of sObject")
    object_name = org.object_name(parts[0])
    if method == "POST" and len(parts) == 1:
        record_id = org.add(object_name, **values)["Id"]
        return Response(201, {"id": record_id, "success": True, "errors": []})
    if method == "PATCH" and len(parts) == 2:
        org.update(object_name, parts[1], values)
        return Response(204, None)
    if method == "PATCH" and len(parts) == 3:
        record_id, created = org.upsert(object_name, parts[1], unquote(parts[2]), values)
        payload = {"id": record_id, "success": True, "errors": [], "created": created}
        return Response(201 if created else 200, payload)
    raise Fault(404, "NOT_FOUND", "The requested resource does not exist")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]  # names in lower case
    body: bytes


def _data(state: FakeState, org: FakeOrg, request: Request, version: str, rest: str) -> Response:
    method, size = request.method, _batch_size(state, request.headers)
    if rest in ("query", "queryAll") and method == "GET" and "q" in request.query:
        return _query(state, org, version, request.query["q"][0], size)
    if rest.startswith("query/") and method == "GET":
        return _query_more(state, org, version, rest.removeprefix("query/"), size)
    if rest == "tooling/query" and method == "GET" and "q" in request.query:
        return _query(state, org, version, request.query["q"][0], size, TOOLING)
    if rest.startswith("tooling/query/") and method == "GET":
        key = rest.removeprefix("tooling/query/")
        return _query_more(state, org, version, key, size, TOOLING)
    if rest == "limits" and method == "GET":
        daily = {"Max": org.api_max, "Remaining": max(0, org.api_max - org.api_used)}
        payload = {
            "DailyApiRequests": daily,
            "DailyAsyncApexExecutions": {"Max": 250000, "Remaining": 250000},
            "DataStorageMB": {"Max": 5120, "Remaining": 3890},
            "FileStorageMB": {"Max": 20480, "Remaining": 18211},
        }
        return Response(200, payload)
    if rest.startswith("sobjects/") and rest.endswith(event_logs.BLOB) and method == "GET":
        parts = rest.split("/")[1:]
        if org.object_name(parts[0]) != "EventLogFile":
            raise Fault(404, "NOT_FOUND", "The requested resource does not exist")
        return Response(200, None, stream=event_logs.blob(org, parts), content_type="text/csv")
    if rest.startswith("sobjects/") and method in ("POST", "PATCH"):
        return _sobjects(org, method, rest.split("/")[1:], request.body)
    raise Fault(404, "NOT_FOUND", "The requested resource does not exist")


def kind_of(method: str, rest: str) -> str:
    if rest.startswith(("query/", "tooling/query/")):
        return "query_more"
    if rest in ("query", "queryAll", "tooling/query"):
        return "query"
    if rest.startswith("sobjects/"):
        if method == "GET":
            return "blob"
        if method == "PATCH":
            return "update" if rest.count("/") == 2 else "upsert"
        return "create"
    return rest


def object_of(soql: str | None) -> str | None:
    try:
        return parse(soql).object_name if soql else None
    except MalformedQuery:
        return None


def _serve_data(state: FakeState, request: Request, wait: Wait) -> tuple[Response, Call]:
    matched = _DATA.match(request.path)
    org: FakeOrg | None = None
    soql = request.query.get("q", [None])[0]
    kind = kind_of(request.method, matched["rest"]) if matched else "unknown"
    try:
        org = _org_of(state, request.headers)
        wait(org)
        if org.fails_now():
            raise Fault(503, "SERVER_UNAVAILABLE", "Server temporarily unavailable")
        if matched is None:
            raise Fault(404, "NOT_FOUND", "The requested resource does not exist")
        org.count_call()
        response = _data(state, org, request, matched["version"], matched["rest"])
    except Fault as fault:
        response = Response(fault.status, fault.body())
    if org is not None:
        response.limit_info = org.limit_info()
    call = Call(
        org.org_id if org else None,
        request.method,
        request.path,
        kind,
        response.status,
        soql,
        object_of(soql),
    )
    return response, call


def handle(state: FakeState, request: Request, wait: Wait) -> Response:
    """Answer one request and log it; `wait(org)` honours the org's slow switch."""
    if request.path.rstrip("/") == "/services/oauth2/token" and request.method == "POST":
        try:
            response = _token(state, request.body, wait)
        except TokenFault as fault:
            body = {"error": fault.error, "error_description": fault.description}
            response = Response(400, body)
        call = Call(None, request.method, request.path, "token", response.status)
    else:
        response, call = _serve_data(state, request, wait)
    with state.lock:
        state.log.append(call)
    return response
