"""Benchmarks: one folder per benchmark, each with a README giving its command."""
