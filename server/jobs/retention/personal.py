"""Personal data: anonymised after its period, never deleted, so every count, vote, rating
and reference stays where it was.

- Anonymous feedback's `contact_email` is erased (the feedback is not versioned).
- A deactivated person's email, display name, SCIM userName and SCIM attributes are
  replaced by a stable placeholder made from their id ("Former member 1a2b3c4d"; the SCIM
  userName, unique per issuer, becomes "anonymised-<id>"), and the old values are scrubbed
  from their history. Issuer, subject and SCIM externalId are the identity provider's
  opaque keys, kept so that a person re-provisioned later is still recognised. "Deactivated
  since" is the row's last change (`updated_at`), never earlier than the deactivation.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from server.jobs.retention.rule import CUTOFF, Action, Rule, execute

PLACEHOLDER_NAME = "'Former member ' || left(id::text, 8)"
PERSONAL_FIELDS = ["email", "display_name", "scim_user_name", "scim_attributes"]


@dataclass(frozen=True)
class FeedbackContacts(Rule):
    async def apply_batch(self, session: AsyncSession, days: int, batch_size: int) -> int:
        return await execute(
            session,
            "UPDATE feedback SET contact_email = NULL, version = version + 1, updated_at = now()"
            f" WHERE id = ANY(ARRAY(SELECT id FROM feedback WHERE {self.where} LIMIT :batch))",
            {"days": days, "batch": batch_size},
        )


@dataclass(frozen=True)
class DeactivatedPeople(Rule):
    async def apply_batch(self, session: AsyncSession, days: int, batch_size: int) -> int:
        ids = await self.batch_ids(session, days, batch_size)
        if not ids:
            return 0
        await execute(session, ANONYMISE_PEOPLE, {"ids": ids})
        await execute(session, SCRUB_HISTORY, {"ids": ids, "fields": PERSONAL_FIELDS})
        return len(ids)


ANONYMISE_PEOPLE = f"""
UPDATE person SET
    email = NULL,
    email_verified = false,
    display_name = {PLACEHOLDER_NAME},
    scim_user_name = CASE WHEN scim_user_name IS NULL THEN NULL ELSE 'anonymised-' || id END,
    scim_attributes = NULL,
    version = version + 1,
    updated_at = now()
WHERE id = ANY(:ids)
"""

# Each history entry is a list of {field, from, to}: the personal fields' values go.
SCRUB_HISTORY = """
UPDATE record_version SET changes = (
    SELECT coalesce(jsonb_agg(
        CASE WHEN change ->> 'field' = ANY(:fields) THEN change || jsonb_build_object(
            'from', CASE WHEN coalesce(change -> 'from', 'null') = 'null' THEN 'null'::jsonb
                         ELSE '"(anonymised)"'::jsonb END,
            'to', CASE WHEN coalesce(change -> 'to', 'null') = 'null' THEN 'null'::jsonb
                       ELSE '"(anonymised)"'::jsonb END)
        ELSE change END ORDER BY position), '[]'::jsonb)
    FROM jsonb_array_elements(changes) WITH ORDINALITY AS entry(change, position))
WHERE table_name = 'person' AND record_id = ANY(:ids)
"""

FEEDBACK_CONTACT_EMAILS = FeedbackContacts(
    key="feedback_contact_email",
    name="feedback contact emails",
    setting="retention_feedback_days",
    table="feedback",
    where=f"contact_email IS NOT NULL AND created_at < {CUTOFF}",
    action=Action.ANONYMISE,
)

DEACTIVATED_PEOPLE = DeactivatedPeople(
    key="person",
    name="deactivated people",
    setting="retention_people_days",
    table="person",
    where=(
        f"NOT active AND updated_at < {CUTOFF} AND (display_name <> {PLACEHOLDER_NAME}"
        " OR email IS NOT NULL OR scim_attributes IS NOT NULL)"
    ),
    action=Action.ANONYMISE,
    prepare=("SELECT set_config('catalog.actor', 'purge', true)",),
)
