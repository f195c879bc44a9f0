"""Tests of the mock agencies, alone and driven through the adapters."""
