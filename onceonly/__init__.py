"""onceonly: tell government once about a life event."""
