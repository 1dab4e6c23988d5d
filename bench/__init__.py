"""Benchmark scripts; each prints its figures and the command to rerun it."""
