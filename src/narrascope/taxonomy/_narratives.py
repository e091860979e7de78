"""The narrative taxonomy: narratives, their sub-narratives, domains and definitions, loaded from a data file."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from narrascope.taxonomy._common import Checker, TaxonomyError, packaged_path, read_data_file

DEFAULT_TAXONOMY_FILE = "semeval2025-task10.yaml"


@dataclass(frozen=True)
class _Entry:
    name: str
    definition: str
    narrative: str  # the narrative itself, or the parent narrative of a sub-narrative
    domain: str | None
    official: bool


class Taxonomy:
    """A two-level label set: narratives, each with sub-narratives named ``"<narrative>: <sub-narrative>"``.

    Build it with :func:`load_taxonomy`; the constructor takes the already-parsed file content and validates it.
    """

    def __init__(self, data: Any, source: str = "<taxonomy>"):
        check = Checker(source)
        top = check.mapping(data, "top level", ("name", "version", "narratives"), ("description", "domains"))
        self.name: str = check.text(top["name"], "top level", "name")
        self.version: str = check.text(top["version"], "top level", "version")
        self.description: str | None = top.get("description")
        self.source = source
        self.domains: dict[str, dict[str, str]] = {}
        for i, raw in enumerate(check.items(top.get("domains"), "top level", "domains", allow_empty=True)):
            where = check.locate(f"domains[{i}]", raw)
            entry = check.mapping(raw, where, ("code", "name"), ("definition",))
            code = check.text(entry["code"], where, "code")
            if code in self.domains:
                raise check.fail(where, f"duplicate domain code {code!r}")
            self.domains[code] = {"code": code, "name": check.text(entry["name"], where, "name")}
            if "definition" in entry:
                self.domains[code]["definition"] = check.text(entry["definition"], where, "definition")

        self._narratives: dict[str, _Entry] = {}
        self._subnarratives: dict[str, _Entry] = {}
        self._children: dict[str, list[str]] = {}
        for i, raw in enumerate(check.items(top["narratives"], "top level", "narratives")):
            self._add_narrative(check, raw, f"narratives[{i}]")

    def _add_narrative(self, check: Checker, raw: Any, where: str) -> None:
        where = check.locate(where, raw)
        entry = check.mapping(raw, where, ("name", "definition"), ("domain", "official", "subnarratives"))
        name = check.text(entry["name"], where, "name")
        if name in self._narratives:
            raise check.fail(where, "duplicate narrative name")
        domain = entry.get("domain")
        if domain is not None:
            if domain not in self.domains:
                known = ", ".join(self.domains) or "none declared"
                raise check.fail(where, f"unknown domain {domain!r} (domains: {known})")
            if not name.startswith(f"{domain}: "):
                raise check.fail(where, f"narrative name must start with its domain prefix '{domain}: '")
        self._narratives[name] = _Entry(name, check.text(entry["definition"], where, "definition"), name, domain,
                                        self._official(check, entry, where))
        self._children[name] = []
        for j, raw_sub in enumerate(check.items(entry.get("subnarratives"), where, "subnarratives", allow_empty=True)):
            sub_where = check.locate(f"{where}.subnarratives[{j}]", raw_sub)
            sub = check.mapping(raw_sub, sub_where, ("name", "definition"), ("official",))
            sub_name = check.text(sub["name"], sub_where, "name")
            prefix = f"{name}: "
            if sub_name != name and not (sub_name.startswith(prefix) and sub_name[len(prefix):].strip()):
                raise check.fail(sub_where, f"sub-narrative name must be prefixed by its narrative name '{prefix}'")
            if sub_name in self._subnarratives:
                raise check.fail(sub_where, "duplicate sub-narrative name")
            self._subnarratives[sub_name] = _Entry(
                sub_name, check.text(sub["definition"], sub_where, "definition"), name, domain,
                self._official(check, sub, sub_where))
            self._children[name].append(sub_name)

    @staticmethod
    def _official(check: Checker, entry: dict, where: str) -> bool:
        value = entry.get("official", True)
        if not isinstance(value, bool):
            raise check.fail(where, "'official' must be true or false")
        return value

    @property
    def narratives(self) -> list[str]:
        """Narrative names in file order (including ``Other`` when the file has it)."""
        return list(self._narratives)

    @property
    def subnarratives(self) -> list[str]:
        """Full sub-narrative names (``"DOMAIN: Narrative: Sub"``) in file order, including the ``<N>: Other`` ones."""
        return list(self._subnarratives)

    @property
    def official_narratives(self) -> list[str]:
        """Narratives the official scorer knows."""
        return [n for n, e in self._narratives.items() if e.official]

    @property
    def official_subnarratives(self) -> list[str]:
        """Sub-narratives the official scorer knows (those not marked ``official: false``)."""
        return [n for n, e in self._subnarratives.items() if e.official]

    def _entry(self, label: str) -> _Entry:
        entry = self._narratives.get(label) or self._subnarratives.get(label)
        if entry is None:
            raise KeyError(f"{label!r} is not a label of taxonomy {self.name!r}")
        return entry

    def narrative_of(self, subnarrative: str) -> str:
        """The parent narrative of a sub-narrative; KeyError if the sub-narrative is unknown."""
        if subnarrative not in self._subnarratives:
            raise KeyError(f"{subnarrative!r} is not a sub-narrative of taxonomy {self.name!r}")
        return self._subnarratives[subnarrative].narrative

    def subnarratives_of(self, narrative: str) -> list[str]:
        """The sub-narratives of a narrative, in file order; KeyError if the narrative is unknown."""
        if narrative not in self._children:
            raise KeyError(f"{narrative!r} is not a narrative of taxonomy {self.name!r}")
        return list(self._children[narrative])

    def domain_of(self, label: str) -> str | None:
        """The domain code of a narrative or sub-narrative (None for ``Other`` or a taxonomy without domains)."""
        return self._entry(label).domain

    def definition(self, label: str) -> str:
        """The definition of a narrative or sub-narrative (the narrative's when a name is both, like ``Other``)."""
        return self._entry(label).definition

    def is_official(self, label: str) -> bool:
        """Whether the official scorer knows this narrative or sub-narrative."""
        return self._entry(label).official

    def to_dict(self) -> dict[str, Any]:
        """The taxonomy in the structure of its data file (loadable again)."""
        out: dict[str, Any] = {"name": self.name, "version": self.version}
        if self.description:
            out["description"] = self.description
        if self.domains:
            out["domains"] = [dict(d) for d in self.domains.values()]
        out["narratives"] = []
        for name, entry in self._narratives.items():
            item: dict[str, Any] = {"name": name}
            if entry.domain:
                item["domain"] = entry.domain
            item["definition"] = entry.definition
            if not entry.official:
                item["official"] = False
            subs = []
            for sub_name in self._children[name]:
                sub = self._subnarratives[sub_name]
                subs.append({"name": sub_name, "definition": sub.definition} | ({} if sub.official else {"official": False}))
            item["subnarratives"] = subs
            out["narratives"].append(item)
        return out

    def __repr__(self) -> str:
        return (f"Taxonomy(name={self.name!r}, version={self.version!r}, narratives={len(self._narratives)}, "
                f"subnarratives={len(self._subnarratives)})")


@lru_cache(maxsize=1)
def _default_taxonomy() -> Taxonomy:
    data, source = read_data_file(packaged_path(DEFAULT_TAXONOMY_FILE))
    return Taxonomy(data, source=DEFAULT_TAXONOMY_FILE)


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load a narrative taxonomy: the packaged SemEval-2025 Task 10 one (cached) or a user YAML/JSON file.

    Raises :class:`TaxonomyError` naming the file and the offending entry when the file is invalid.
    """
    if path is None:
        return _default_taxonomy()
    data, source = read_data_file(path)
    return Taxonomy(data, source=source)


__all__ = ["Taxonomy", "TaxonomyError", "load_taxonomy"]
