"""The plugin's part of onceonly's catalogue: the KiwiSaver provider, and the step it adds
to the death life event (entry point `onceonly.catalogue`)."""

from importlib.resources import files

FRAGMENT = files(__package__) / "catalogue.toml"
"""The fragment's TOML file, as a package resource."""
