"""The trusted-documents manifest: `{"<sha256 hex>": "<document>"}`, as graphql-codegen's
client preset writes it (`persistedDocuments`; with `hashAlgorithm: 'sha256'` its keys
are `sha256:<hex>`, read the same). Read once at start-up; a bad one stops it."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

SHA256_HEX = re.compile(r"[0-9a-f]{64}")
PREFIX = "sha256:"


def document_hash(document: str) -> str:
    """The sha256 of a document's UTF-8 text, in lowercase hex (the manifest's keys)."""
    return hashlib.sha256(document.encode()).hexdigest()


def read_manifest(path: Path) -> dict[str, str]:
    """The manifest at `path`, each key checked against its document; else ValueError."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise ValueError(f"cannot read {str(path)!r} ({reason})") from None
    try:
        manifest = json.loads(text)
    except ValueError as error:
        raise ValueError(f"{str(path)!r} is not valid JSON ({error})") from None
    if not isinstance(manifest, dict):
        raise ValueError(f"{str(path)!r} is not a JSON object of sha256 hashes to documents")
    documents: dict[str, str] = {}
    for entry, document in manifest.items():
        key = entry.removeprefix(PREFIX)
        if not SHA256_HEX.fullmatch(key) or not isinstance(document, str):
            raise ValueError(
                f"{str(path)!r}: entry {entry[:80]!r} is not a sha256 hex hash mapped to a document"
            )
        if document_hash(document) != key:
            raise ValueError(f"{str(path)!r}: {entry} is not the sha256 of its document")
        documents[key] = document
    return documents


__all__ = ["SHA256_HEX", "document_hash", "read_manifest"]
