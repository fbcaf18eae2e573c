"""Benchmarks, each runnable on its own and printing its figures (see docs/PERFORMANCE.md).

The package is also a small Django app, enabled only by ``bench.settings``: it adds a
baseline endpoint that inserts one row through DRF, so a benchmark can compare a
product endpoint with the cheapest write the same stack can do.
"""
