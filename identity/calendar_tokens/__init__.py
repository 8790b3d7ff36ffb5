"""Calendar feed tokens: what a calendar client, which cannot send a bearer token, signs in with."""
