"""The organisation's and the audit log's enums, exposed to GraphQL once, before any type
uses them."""

import strawberry

from identity.audit import AuditOutcome
from identity.models import MembershipRole, TeamKind
from identity.principal import Role

strawberry.enum(TeamKind, description="What a team does.")
strawberry.enum(MembershipRole, description="A person's role in a team.")
strawberry.enum(Role, description="What a caller may do; ADMIN implies every role.")
strawberry.enum(AuditOutcome, description="How an audited act ended.")
