"""Synthetic data generators for the benchmarks (and `greentech patents generate`)."""
