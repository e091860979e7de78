"""The one layout of every trained model folder (narratives, entities, techniques), and its reader and writer.

A model folder holds:

- ``meta.json``: what the model is and how it was made, with the same schema for every component: ``component``,
  ``format_version``, ``narrascope_version``, ``libraries`` (the versions of numpy, scipy and scikit-learn it was
  saved with), ``created`` (date) and ``training`` (what its training recorded: command, data hashes, figures;
  empty when unknown);
- ``model.json``: the structured state (parameters, vocabularies, classes, thresholds);
- ``weights.npz``: the numeric arrays, read with ``allow_pickle=False``;
- optionally further JSON files a component reads beside its model (the entity gazetteer), documentation
  (``MODEL_CARD.md``) and training reports.

No pickles anywhere: a pickle runs code on load and breaks across scikit-learn versions, where JSON and arrays do
not. Every model class saves with ``save(directory, metadata=None)`` (``metadata`` goes to ``training``) and loads
with ``load(directory)``; a broken folder, one of another component or of an unknown format version is refused
with an error naming the folder and the file.
"""

from __future__ import annotations

import datetime
import json
import zipfile
from dataclasses import dataclass
from importlib import metadata as distributions
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["METADATA", "STATE", "ARRAYS", "FORMAT_VERSION", "SavedModel", "ModelFormatError", "ModelFileMissing",
           "save_model", "load_model", "read_metadata", "read_json", "write_json", "is_model_folder"]

METADATA = "meta.json"
STATE = "model.json"
ARRAYS = "weights.npz"
FORMAT_VERSION = 1
_LIBRARIES = ("numpy", "scipy", "scikit-learn")


class ModelFormatError(ValueError):
    """A model folder that is broken, holds another component's model, or is of an unknown format version."""


class ModelFileMissing(ModelFormatError, FileNotFoundError):
    """A model folder, or a file every model folder must hold, that does not exist."""


@dataclass
class SavedModel:
    """What a model folder holds: its metadata, its structured state and its arrays."""

    metadata: dict[str, Any]
    state: dict[str, Any]
    arrays: dict[str, np.ndarray]

    @property
    def training(self) -> dict[str, Any]:
        """What the model's training recorded (empty when nothing was)."""
        return self.metadata.get("training") or {}


def _library_versions() -> dict[str, str]:
    return {name: distributions.version(name) for name in _LIBRARIES}


def write_json(directory: str | Path, name: str, data: Any) -> None:
    """Write one JSON file of a model folder (UTF-8, non-ASCII kept)."""
    Path(directory, name).write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n",
                                     encoding="utf-8")


def save_model(directory: str | Path, component: str, state: dict[str, Any], arrays: dict[str, np.ndarray],
               training: dict[str, Any] | None = None) -> Path:
    """Write a model folder: ``model.json``, ``weights.npz`` and, last, ``meta.json`` (a folder whose writing was
    interrupted has no metadata and is refused on load)."""
    from narrascope._version import __version__

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / METADATA).unlink(missing_ok=True)
    write_json(directory, STATE, state)
    np.savez_compressed(directory / ARRAYS, **arrays)  # type: ignore[arg-type]  # numpy's stub: **kwds as a bool
    metadata = {"component": component, "format_version": FORMAT_VERSION, "narrascope_version": __version__,
                "libraries": _library_versions(), "created": datetime.date.today().isoformat(),
                "training": training or {}}
    (directory / METADATA).write_text(json.dumps(metadata, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return directory


def is_model_folder(directory: str | Path) -> bool:
    """Whether ``directory`` holds a model in this layout (it has a ``meta.json``)."""
    return Path(directory, METADATA).is_file()


def read_json(directory: str | Path, name: str) -> Any:
    """One JSON file of a model folder; a missing or malformed file is an error naming it."""
    path = Path(directory, name)
    if not path.is_file():
        raise ModelFileMissing(f"{path}: missing from the model folder {directory}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFormatError(f"{path}: not valid JSON ({exc})") from None


def read_metadata(directory: str | Path, component: str | None = None) -> dict[str, Any]:
    """The ``meta.json`` of a model folder, checked: a known format version and, when given, the expected component."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ModelFileMissing(f"{directory}: no such model folder")
    if not (directory / METADATA).is_file():
        older = " (it holds files of the layout before format 1: retrain the model)" if any(
            (directory / name).is_file() for name in ("config.json", "classifier.json", STATE)) else ""
        raise ModelFileMissing(f"{directory} is not a model folder: {METADATA} is missing{older}")
    metadata = read_json(directory, METADATA)
    if not isinstance(metadata, dict) or "component" not in metadata or "format_version" not in metadata:
        raise ModelFormatError(f"{directory / METADATA}: not model metadata (no component or format_version)")
    if metadata["format_version"] != FORMAT_VERSION:
        raise ModelFormatError(f"{directory / METADATA}: model format version {metadata['format_version']!r} is "
                               f"unknown (this narrascope reads version {FORMAT_VERSION})")
    if component is not None and metadata["component"] != component:
        raise ModelFormatError(f"{directory} holds a {metadata['component']} model, not a {component} model")
    return metadata


def load_model(directory: str | Path, component: str) -> SavedModel:
    """Read and check a model folder of ``component``; arrays are read without pickle support."""
    directory = Path(directory)
    metadata = read_metadata(directory, component)
    state = read_json(directory, STATE)
    path = directory / ARRAYS
    if not path.is_file():
        raise ModelFileMissing(f"{path}: missing from the model folder {directory}")
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise ModelFormatError(f"{path}: not a readable array file ({exc})") from None
    return SavedModel(metadata, state, arrays)
