"""The demo organisation, seeded by `service-catalog seed --demo`: one module per part, the
parts' shared helpers in `kit`, the order they run in and the report in `seed`."""

from server.demo.seed import seed_demo

__all__ = ["seed_demo"]
