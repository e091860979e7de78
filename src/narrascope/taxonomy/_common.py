"""Reading and checking taxonomy data files (YAML or JSON) with errors that name the file and the entry."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any


class TaxonomyError(ValueError):
    """A taxonomy file that cannot be read or does not describe a valid taxonomy."""


def packaged_path(filename: str) -> Any:
    """The packaged taxonomy data file ``filename`` (a Traversable inside the installed package)."""
    return resources.files("narrascope") / "resources" / "taxonomy" / filename


def read_data_file(path: str | Path | Any) -> tuple[Any, str]:
    """Parse a YAML or JSON file (JSON when the suffix is ``.json``); return the data and a printable source name."""
    import yaml  # only when a taxonomy is read, so the command line starts without it

    source = str(path)
    try:
        raw = path.read_text(encoding="utf-8") if hasattr(path, "read_text") else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise TaxonomyError(f"{source}: cannot read taxonomy file ({exc})") from exc
    try:
        data = json.loads(raw) if source.lower().endswith(".json") else yaml.safe_load(raw)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise TaxonomyError(f"{source}: not valid {'JSON' if source.lower().endswith('.json') else 'YAML'}: {exc}") from exc
    return data, source


class Checker:
    """Small helpers that validate one mapping entry and raise :class:`TaxonomyError` with its location."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, where: str, message: str) -> TaxonomyError:
        return TaxonomyError(f"{self.source}: {where}: {message}")

    @staticmethod
    def locate(where: str, value: Any) -> str:
        """``where`` plus the entry's name when it has one, e.g. ``narratives[3] ('URW: Praise of Russia')``."""
        name = value.get("name") if isinstance(value, dict) else None
        return f"{where} ({name.strip()!r})" if isinstance(name, str) and name.strip() else where

    def mapping(self, value: Any, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected a mapping, got {type(value).__name__}")
        missing = [key for key in required if key not in value]
        if missing:
            raise self.fail(where, f"missing key(s) {', '.join(repr(k) for k in missing)}")
        unknown = [key for key in value if key not in required + optional]
        if unknown:
            allowed = ", ".join(required + optional)
            raise self.fail(where, f"unknown key(s) {', '.join(repr(k) for k in unknown)} (allowed: {allowed})")
        return value

    def text(self, value: Any, where: str, key: str) -> str:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and key == "version":
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"{key!r} must be a non-empty string")
        return value.strip()

    def items(self, value: Any, where: str, key: str, *, allow_empty: bool = False) -> list:
        if value is None and allow_empty:
            return []
        if not isinstance(value, list) or (not value and not allow_empty):
            raise self.fail(where, f"{key!r} must be a {'' if allow_empty else 'non-empty '}list")
        return value
