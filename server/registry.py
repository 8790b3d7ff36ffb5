"""Import every model module so `Base.metadata` knows every table (Alembic, export)."""

# Imported for their side effect: each module adds its tables to `Base.metadata`.
import catalog.orgs.models  # noqa: F401
import catalog.services.models  # noqa: F401
import core.history  # noqa: F401
import identity.audit  # noqa: F401
import identity.models  # noqa: F401
from core.db import Base

metadata = Base.metadata
