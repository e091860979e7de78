"""The entity-role taxonomy: main roles (protagonist, antagonist, innocent) and their fine-grained roles."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from narrascope.taxonomy._common import Checker, packaged_path, read_data_file

DEFAULT_ROLES_FILE = "entity-roles.yaml"


class EntityRoles:
    """Two-level role set; fine-role names are unique across main roles. Build it with :func:`load_entity_roles`."""

    def __init__(self, data: Any, source: str = "<entity roles>"):
        check = Checker(source)
        top = check.mapping(data, "top level", ("name", "version", "main_roles"), ("description",))
        self.name: str = check.text(top["name"], "top level", "name")
        self.version: str = check.text(top["version"], "top level", "version")
        self.description: str | None = top.get("description")
        self.source = source
        self._definitions: dict[str, str] = {}
        self._main_of: dict[str, str] = {}
        self._fine_of: dict[str, list[str]] = {}
        for i, raw in enumerate(check.items(top["main_roles"], "top level", "main_roles")):
            where = check.locate(f"main_roles[{i}]", raw)
            entry = check.mapping(raw, where, ("name", "definition", "fine_roles"))
            main = check.text(entry["name"], where, "name")
            if main in self._definitions:
                raise check.fail(where, "duplicate role name")
            self._definitions[main] = check.text(entry["definition"], where, "definition")
            self._fine_of[main] = []
            for j, raw_fine in enumerate(check.items(entry["fine_roles"], where, "fine_roles")):
                fine_where = check.locate(f"{where}.fine_roles[{j}]", raw_fine)
                fine = check.mapping(raw_fine, fine_where, ("name", "definition"))
                fine_name = check.text(fine["name"], fine_where, "name")
                if fine_name in self._definitions:
                    raise check.fail(fine_where, "duplicate role name")
                self._definitions[fine_name] = check.text(fine["definition"], fine_where, "definition")
                self._main_of[fine_name] = main
                self._fine_of[main].append(fine_name)

    @property
    def main_roles(self) -> list[str]:
        return list(self._fine_of)

    @property
    def fine_roles(self) -> list[str]:
        return list(self._main_of)

    def main_of(self, fine_role: str) -> str:
        """The main role a fine role belongs to; KeyError if unknown."""
        if fine_role not in self._main_of:
            raise KeyError(f"{fine_role!r} is not a fine role of {self.name!r}")
        return self._main_of[fine_role]

    def fine_roles_of(self, main_role: str) -> list[str]:
        if main_role not in self._fine_of:
            raise KeyError(f"{main_role!r} is not a main role of {self.name!r}")
        return list(self._fine_of[main_role])

    def definition(self, role: str) -> str:
        """Definition of a main or fine role; KeyError if unknown."""
        if role not in self._definitions:
            raise KeyError(f"{role!r} is not a role of {self.name!r}")
        return self._definitions[role]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "version": self.version}
        if self.description:
            out["description"] = self.description
        out["main_roles"] = [
            {"name": main, "definition": self._definitions[main],
             "fine_roles": [{"name": f, "definition": self._definitions[f]} for f in fines]}
            for main, fines in self._fine_of.items()
        ]
        return out

    def __repr__(self) -> str:
        return f"EntityRoles(name={self.name!r}, main_roles={len(self._fine_of)}, fine_roles={len(self._main_of)})"


@lru_cache(maxsize=1)
def _default_roles() -> EntityRoles:
    data, _ = read_data_file(packaged_path(DEFAULT_ROLES_FILE))
    return EntityRoles(data, source=DEFAULT_ROLES_FILE)


def load_entity_roles(path: str | Path | None = None) -> EntityRoles:
    """Load the entity-role taxonomy: the packaged SemEval-2025 Task 10 one (cached) or a user YAML/JSON file."""
    if path is None:
        return _default_roles()
    data, source = read_data_file(path)
    return EntityRoles(data, source=source)


__all__ = ["EntityRoles", "load_entity_roles"]
