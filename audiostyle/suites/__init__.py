"""Benchmark suites: generated cases where the right answer is known."""
