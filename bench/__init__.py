"""Benchmarks: scripts that print JSON numbers; never part of the test pass/fail."""
