"""Import every model module so `Base.metadata` knows every table (Alembic, export)."""

import catalog.orgs.models
import catalog.services.models
import core.history
import identity.audit
import identity.models
from core.db import Base

# Named here so that no tool mistakes these imports for unused ones.
MODEL_MODULES = (
    catalog.orgs.models,
    catalog.services.models,
    core.history,
    identity.audit,
    identity.models,
)

metadata = Base.metadata
