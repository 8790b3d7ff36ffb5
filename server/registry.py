"""Import every model module so `Base.metadata` knows every table (Alembic, export)."""

import catalog.ai_models.models
import catalog.backups.models
import catalog.event_monitoring.models
import catalog.graph.models
import catalog.org_users.models
import catalog.orgs.models
import catalog.sandboxes.models
import catalog.services.models
import catalog.trust.models
import core.history
import feedback.models
import identity.audit
import identity.calendar_tokens.models
import identity.login.models
import identity.models
import identity.scim.models
import notifications.models
import service_levels.models
import work.backlog.models
import work.incidents.models
import work.releases.models
import work.requests.models
from core.db import Base

# Named here so that no tool mistakes these imports for unused ones.
MODEL_MODULES = (
    catalog.ai_models.models,
    catalog.backups.models,
    catalog.event_monitoring.models,
    catalog.graph.models,
    catalog.org_users.models,
    work.incidents.models,
    catalog.orgs.models,
    catalog.sandboxes.models,
    work.releases.models,
    work.requests.models,
    catalog.services.models,
    catalog.trust.models,
    work.backlog.models,
    core.history,
    feedback.models,
    identity.audit,
    identity.calendar_tokens.models,
    identity.login.models,
    identity.models,
    identity.scim.models,
    notifications.models,
    service_levels.models,
)

metadata = Base.metadata
