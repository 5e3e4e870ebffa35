"""Benchmarks: each prints Otklik's figure beside a baseline measured in the same run."""
