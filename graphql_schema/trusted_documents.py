"""Trusted documents and automatic persisted queries: which document a request runs.

A request names its document in one of three ways:

- `{"documentId": "sha256:<hex>"}` (GraphQL over HTTP, persisted documents): a document
  of the manifest (`CATALOG_TRUSTED_DOCUMENTS_FILE`, the map graphql-codegen's client
  preset writes);
- `{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "<hex>"}}}` (Apollo's
  APQ): a manifest document, or one registered before by sending the same with `query`
  (the hash checked; kept in a bounded per-process LRU) — registration only when not
  enforcing;
- `{"query": "..."}`: free text, refused under `enforce` unless its sha256 is in the
  manifest (or, in dev only, the request comes from our GraphiQL page).

`resolve` answers the text to run — the manifest's own string object where the manifest
has it, so the caches keyed by the document text hit — or raises a `DocumentRefusal`
(nothing runs). The fast lane (`cleared_request`) and the view apply the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cachetools import LRUCache

from core.document_manifest import SHA256_HEX, document_hash, read_manifest
from core.settings import Settings, TrustedDocuments

BAD_USER_INPUT = "BAD_USER_INPUT"
PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
PERSISTED_QUERY_NOT_ALLOWED = "PERSISTED_QUERY_NOT_ALLOWED"
# The statuses, the same under both response media types (as every refusal made before
# GraphQL sees the request): Apollo Server's 404 for an unknown hash, 400 otherwise.
NOT_FOUND_STATUS = 404
NOT_ALLOWED_STATUS = 400
# Sent by our GraphiQL page; honoured in dev only, where it exempts GraphiQL from `enforce`.
GRAPHIQL_HEADER = "x-catalog-graphiql"
REGISTERED_DOCUMENTS = 1000  # APQ registrations kept per process, least recently used out


class DocumentRefusal(Exception):
    """The request names no document that may run; nothing was run."""

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


def _bad_input(message: str) -> DocumentRefusal:
    return DocumentRefusal(400, f"{message}; nothing was run", BAD_USER_INPUT)


def _not_found() -> DocumentRefusal:
    # The message Apollo clients look for, to send the query with its hash.
    return DocumentRefusal(NOT_FOUND_STATUS, "PersistedQueryNotFound", PERSISTED_QUERY_NOT_FOUND)


def _not_allowed() -> DocumentRefusal:
    return DocumentRefusal(
        NOT_ALLOWED_STATUS,
        "only trusted documents run here (CATALOG_TRUSTED_DOCUMENTS=enforce): send the"
        ' `documentId` ("sha256:<hex>") of a document in the manifest',
        PERSISTED_QUERY_NOT_ALLOWED,
    )


class DocumentStore:
    """The manifest, the APQ registrations, and the mode that says what may run."""

    def __init__(self, settings: Settings, *, registered: int = REGISTERED_DOCUMENTS) -> None:
        self.enforcing = settings.trusted_documents is TrustedDocuments.ENFORCE
        self.graphiql_exempt = settings.is_dev
        file = settings.trusted_documents_file
        self.manifest: Mapping[str, str] = read_manifest(file) if file is not None else {}
        self.registered: LRUCache[str, str] = LRUCache(maxsize=registered)

    def exempt(self, headers: Mapping[str, str]) -> bool:
        """Our GraphiQL page, in dev: free text runs even under `enforce`."""
        return self.graphiql_exempt and headers.get(GRAPHIQL_HEADER) == "1"

    def resolve(
        self,
        *,
        query: str | None,
        document_id: object,
        extensions: Mapping[str, Any] | None,
        exempt: bool = False,
    ) -> str | None:
        """The document to run (None: the request names none); else DocumentRefusal."""
        persisted = extensions.get("persistedQuery") if extensions else None
        if document_id is not None:
            if query is not None or persisted is not None:
                raise _bad_input("send a documentId or a query (or a persistedQuery), not both")
            return self._known(_document_id_hash(document_id))
        if persisted is not None:
            digest = _persisted_query_hash(persisted)
            if query is None:
                return self._known(digest)
            if document_hash(query) != digest:
                raise _bad_input(
                    "extensions.persistedQuery.sha256Hash is not the sha256 of the query"
                )
            known = self.manifest.get(digest)
            if known is not None:
                return known
            if self.enforcing:
                if exempt:
                    return query
                raise _not_allowed()
            self.registered[digest] = query
            return query
        if query is None or not self.enforcing:
            return query
        known = self.manifest.get(document_hash(query))
        if known is not None:
            return known
        if exempt:
            return query
        raise _not_allowed()

    def _known(self, digest: str) -> str:
        document = self.manifest.get(digest)
        if document is None and not self.enforcing:
            document = self.registered.get(digest)
        if document is None:
            raise _not_found()
        return document


def _document_id_hash(document_id: object) -> str:
    if isinstance(document_id, str):
        prefix, _, digest = document_id.partition(":")
        if prefix == "sha256" and SHA256_HEX.fullmatch(digest.lower()):
            return digest.lower()
    raise _bad_input('documentId must be "sha256:" followed by 64 hexadecimal digits')


def _persisted_query_hash(persisted: object) -> str:
    if isinstance(persisted, dict) and persisted.get("version") == 1:
        digest = persisted.get("sha256Hash")
        if isinstance(digest, str) and SHA256_HEX.fullmatch(digest.lower()):
            return digest.lower()
    raise _bad_input(
        'extensions.persistedQuery must be {"version": 1, "sha256Hash": "<64 hexadecimal digits>"}'
    )


__all__ = [
    "GRAPHIQL_HEADER",
    "PERSISTED_QUERY_NOT_ALLOWED",
    "PERSISTED_QUERY_NOT_FOUND",
    "DocumentRefusal",
    "DocumentStore",
]
