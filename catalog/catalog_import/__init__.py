"""Bringing an existing catalog in: Backstage entity files and CSV, upserted by slug."""
