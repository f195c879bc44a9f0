"""The domain: canonical data, the life-event catalogue and the rules over them (pure code)."""
