"""graph-service: maps the networks of Thai health-promotion and welfare work (INN model)."""

__version__ = "0.1.0"
