"""The OAuth 2.0 JWT bearer flow as Salesforce checks it: the assertion is signed with the
connected app's certificate, names the app (`iss`), a user of the org (`sub`), the login
URL (`aud`), and expires within a few minutes."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# Salesforce refuses an assertion whose `exp` is further away than this.
MAX_LIFETIME_S = 300


class TokenFault(Exception):
    """An OAuth error: `{"error", "error_description"}` with status 400."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


@dataclass(frozen=True)
class ConnectedApp:
    client_id: str
    org_id: str
    public_key: RSAKey

    @classmethod
    def from_certificate(cls, client_id: str, org_id: str, certificate_pem: bytes) -> ConnectedApp:
        public = x509.load_pem_x509_certificate(certificate_pem).public_key()
        pem = public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        return cls(client_id, org_id, RSAKey.import_key(pem))


def _unverified_issuer(assertion: str) -> str:
    try:
        payload = json.loads(jws.extract_compact(assertion.encode()).payload)
    except (JoseError, ValueError) as error:
        raise TokenFault("invalid_grant", "invalid assertion") from error
    return str(payload.get("iss", "")) if isinstance(payload, dict) else ""


def verify_assertion(
    assertion: str,
    *,
    apps: dict[str, ConnectedApp],
    audiences: set[str],
    usernames: dict[str, set[str]],
) -> tuple[str, str]:
    """(org id, username) of a valid assertion; `TokenFault` as Salesforce words it otherwise."""
    app = apps.get(_unverified_issuer(assertion))
    if app is None:
        raise TokenFault("invalid_client_id", "client identifier invalid")
    try:
        token = jwt.decode(assertion, app.public_key, algorithms=["RS256"])
    except (JoseError, ValueError) as error:
        raise TokenFault("invalid_grant", "invalid assertion") from error
    claims = token.claims
    if claims.get("aud") not in audiences and not (
        isinstance(claims.get("aud"), list) and audiences & set(claims["aud"])
    ):
        raise TokenFault("invalid_grant", "audience is invalid")
    expires = claims.get("exp")
    now = time.time()
    if not isinstance(expires, int | float) or expires < now:
        raise TokenFault("invalid_grant", "expired authorization code")
    if expires > now + MAX_LIFETIME_S:
        raise TokenFault("invalid_grant", "invalid assertion")
    if claims.get("sub") not in usernames.get(app.org_id, set()):
        raise TokenFault("invalid_grant", "user hasn't approved this consumer")
    return app.org_id, str(claims["sub"])
