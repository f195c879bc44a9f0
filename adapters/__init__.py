"""Adapters: each maps the canonical fields a step discloses to one agency's own format."""
