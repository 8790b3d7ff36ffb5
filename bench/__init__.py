"""Benchmarks of the Service Catalog API against the physical limit and against PostGraphile."""
