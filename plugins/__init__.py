"""The portal's own plugins, one package each, declared as `portal.plugins` entry points."""
