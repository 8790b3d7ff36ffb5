"""Small async builders for test data, one module per domain: sensible defaults, any field
overridable (`create_service(session, **overrides)`)."""
