"""SCIM 2.0 provisioning of the people of `CATALOG_SCIM_ISSUER` (RFC 7643/7644)."""

# The subject of a person SCIM created without an externalId, until their first sign-in.
PLACEHOLDER_PREFIX = "scim:"
