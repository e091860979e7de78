"""Model versions kept side by side, one of them active: a folder per version under a models directory, and an
``active`` file naming the active one, per component::

    <models>/narratives/2026-12-03-with-reviews/   (a model folder: meta.json, model.json, weights.npz, MODEL_CARD.md ...)
    <models>/narratives/active                     (the text "2026-12-03-with-reviews")
    <models>/entities/...                          (the same for the entity-role model)

The models directory is ``$NARRASCOPE_MODELS``, else ``models/`` in the user's data directory. With no active
version, analysers use the model packaged with narrascope.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from narrascope.models.format import ModelFormatError, read_metadata

__all__ = ["COMPONENTS", "models_dir", "version_dir", "list_versions", "activate", "active_dir", "resolve_model", "add_version",
           "training_info", "VersionError"]

ACTIVE = "active"
COMPONENTS = ("narratives", "entities")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class VersionError(ValueError):
    """An unknown or badly named model version."""


def models_dir() -> Path:
    """Where model versions are kept: ``$NARRASCOPE_MODELS``, else the user's data directory."""
    if env := os.environ.get("NARRASCOPE_MODELS"):
        return Path(env).expanduser()
    return Path(user_data_dir("narrascope", appauthor=False)) / "models"


def _component_dir(component: str) -> Path:
    """The folder holding a component's versions; only components with model versions are accepted."""
    if component not in COMPONENTS:
        raise VersionError(f"{component!r} has no model versions (choose {' or '.join(COMPONENTS)})")
    return models_dir() / component


def version_dir(component: str, name: str) -> Path:
    """The folder of one version; the name must be a plain file name (letters, digits, ``.``, ``_``, ``-``)."""
    if not _NAME.match(name) or name == ACTIVE:
        raise VersionError(f"{name!r} is not a valid version name (letters, digits, '.', '_', '-'; not 'active')")
    return _component_dir(component) / name


def _active_name(component: str) -> str | None:
    pointer = _component_dir(component) / ACTIVE
    return pointer.read_text(encoding="utf-8").strip() or None if pointer.is_file() else None


def list_versions(component: str) -> list[dict[str, Any]]:
    """Every saved version of ``component``, oldest first: name, folder, whether active, and what its training
    recorded (``training`` in its meta.json)."""
    root = _component_dir(component)
    active = _active_name(component)
    out = []
    for folder in sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime) if root.is_dir() else []:
        try:
            info, problem = training_info(folder), None
        except ModelFormatError as exc:  # listed all the same, so it can be seen and replaced
            info, problem = {}, str(exc)
        out.append({"name": folder.name, "path": str(folder), "active": folder.name == active,
                    "reviewed_documents": len(info.get("reviewed_documents", [])), "command": info.get("command")}
                   | ({"problem": problem} if problem else {}))
    return out


def training_info(folder: Path) -> dict[str, Any]:
    """What a model's training recorded (command, reviewed documents): ``training`` in its meta.json (see
    :mod:`narrascope.models.format`); empty when it says nothing."""
    return read_metadata(folder).get("training") or {}


def activate(component: str, name: str) -> Path:
    """Make version ``name`` the one analysers use."""
    folder = version_dir(component, name)
    if not folder.is_dir():
        known = ", ".join(v["name"] for v in list_versions(component)) or "none saved"
        raise VersionError(f"no {component} model version {name!r} (known: {known})")
    pointer = folder.parent / ACTIVE
    temporary = pointer.with_suffix(".tmp")
    temporary.write_text(name + "\n", encoding="utf-8")
    temporary.replace(pointer)  # atomic: a reader sees the old name or the new one
    return folder


def active_dir(component: str) -> Path | None:
    """The active version's folder, or None (then the packaged model is used)."""
    name = _active_name(component)
    if name is None:
        return None
    folder = _component_dir(component) / name
    if not folder.is_dir():
        raise VersionError(f"the active {component} model version {name!r} is missing from {folder.parent}")
    return folder


def resolve_model(component: str, value: str) -> Path:
    """A model given on a command line or in a request: a folder, or the name of a saved version."""
    path = Path(value).expanduser()
    if path.is_dir():
        return path
    try:
        folder = version_dir(component, value)
    except VersionError:  # a path such as my-model/ that does not exist is no version name either
        folder = None
    if folder is None or not folder.is_dir():
        raise VersionError(f"{value!r} is neither a model folder nor a saved {component} version")
    return folder


def add_version(component: str, name: str, source: Path, *, replace: bool = False) -> Path:
    """Copy a trained model folder in as version ``name`` (not made active)."""
    folder = version_dir(component, name)
    if folder.exists():
        if not replace:
            raise VersionError(f"{component} model version {name!r} exists already")
        shutil.rmtree(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, folder)
    return folder
