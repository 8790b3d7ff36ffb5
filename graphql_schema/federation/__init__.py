"""The API as an Apollo Federation v2 subgraph (served at /subgraph)."""
