"""The citizen API (FastAPI)."""
