"""Import every model module so `Base.metadata` knows every table (Alembic, export)."""

import identity.models  # noqa: F401
from core.db import Base

metadata = Base.metadata
