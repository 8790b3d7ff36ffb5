"""The composition root: app factory, CLI, embedded PostgreSQL."""
