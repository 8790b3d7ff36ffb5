"""GraphQL of bringing an existing catalog in (catalog/catalog_import)."""
