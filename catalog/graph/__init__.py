"""The dependency graph: shared resources, and dependencies of services on services or resources."""
