"""Browser sign-in: authorization code + PKCE against a configured issuer, server-side sessions."""
