"""Trainable estimators (scikit-learn style: fit / predict_proba) behind the analysers."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

__all__ = ["packaged_model_dir", "model_version"]


def packaged_model_dir(name: str) -> Path:
    """Folder of the model ``name`` (narratives, entities, techniques) shipped inside the package."""
    return Path(str(resources.files("narrascope") / "resources" / "models" / name))


# Measurements kept beside a model for its card (written by `train --cv` and the benchmarks): not part of the model.
CV_RECORD, SPEED_RECORD, CHOICES_RECORD, ENCODER_RECORD = "cv.json", "speed.json", "choices.json", "encoder_cv.json"
DIAGNOSTICS_RECORD = "diagnostics.json"
RECORDS = frozenset({CV_RECORD, SPEED_RECORD, CHOICES_RECORD, ENCODER_RECORD, DIAGNOSTICS_RECORD})


def model_version(model_dir: str | Path) -> str:
    """Short hash of a model folder's files (documentation and measurement records excluded), so a retrained model
    gets a new version and documents analysed with the old one are not taken for unchanged, while recording a
    benchmark beside it re-analyses nothing. Sub-folders (one model per language) count."""
    path = Path(model_dir)
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix != ".md" and p.name not in RECORDS):
        digest.update(file.relative_to(path).as_posix().encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:12]
