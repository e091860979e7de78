"""The package version, written once (the package root and pyproject.toml read it from here)."""

__version__ = "0.1.0"
