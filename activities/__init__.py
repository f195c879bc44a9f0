"""I/O activities: agency submissions through adapters."""
