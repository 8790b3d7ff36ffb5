"""Import every model module so `Base.metadata` knows every table (Alembic, export)."""

import catalog.graph.models
import catalog.incidents.models
import catalog.orgs.models
import catalog.releases.models
import catalog.requests.models
import catalog.services.models
import catalog.work.models
import core.history
import feedback.models
import identity.audit
import identity.login.models
import identity.models
import service_levels.models
from core.db import Base

# Named here so that no tool mistakes these imports for unused ones.
MODEL_MODULES = (
    catalog.graph.models,
    catalog.incidents.models,
    catalog.orgs.models,
    catalog.releases.models,
    catalog.requests.models,
    catalog.services.models,
    catalog.work.models,
    core.history,
    feedback.models,
    identity.audit,
    identity.login.models,
    identity.models,
    service_levels.models,
)

metadata = Base.metadata
