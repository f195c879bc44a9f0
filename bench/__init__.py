"""Benchmarks (`make bench`) and fault drills (`make drill`) against a local stack."""
