"""Benchmarks: each compares backbone against a baseline measured in the same run."""
