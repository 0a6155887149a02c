"""Benchmarks, each figure reported with a bare baseline measured in the same run (`make bench`)."""
