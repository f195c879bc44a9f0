"""Deterministic workflow code only: one class per life event over a shared step runner."""
