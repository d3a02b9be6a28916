"""Benchmarks (`make bench`): separate from the tests, they write BENCHMARKS.md. See bench/README.md."""
