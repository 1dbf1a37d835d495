"""Benchmarks and load runs, not part of the service: ``PYTHONPATH=tools python -m bench.run``."""
