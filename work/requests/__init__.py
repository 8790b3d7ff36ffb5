"""Service requests: the request-to-fulfil value stream."""
