"""Probe, not shipped: does a frozen MiniLM sentence embedding, appended to the English technique features, help?

It runs the same protocol as ``narrascope eval techniques`` (grouped CV on the development part, then the fixed
held-out split) with the all-MiniLM-L6-v2 embedding of each sentence (384-d, L2-normalised, weight 1) appended to
the sparse features. The encoder is frozen, so embeddings are computed once for every sentence text (no labels
involved) and looked up in each fold. Figures are in the techniques MODEL_CARD.md.

    nice -n 5 env PYTHONPATH=src .venv/bin/python benchmarks/techniques_minilm_probe.py --repeats 1
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from scipy import sparse

from narrascope.models import technique_training as training
from narrascope.models.techniques import TechniqueClassifier, build_units

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "semeval2023-task3" / "en"


def embed(texts: list[str]) -> np.ndarray:
    """MiniLM embeddings of ``texts`` from the packaged wheel (no download)."""
    from _minilm import minilm_folder
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(minilm_folder()), device="cpu", local_files_only=True)
    model.max_seq_length = 128
    return model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    articles, spans, gold = training.load_task_data(DATA)
    texts = sorted({unit.text for unit in build_units(articles, spans)[0]})
    started = time.time()
    vectors = embed(texts)
    print(f"{len(texts)} sentences embedded in {time.time() - started:.0f} s")
    row = {text: i for i, text in enumerate(texts)}

    class WithEmbeddings(TechniqueClassifier):
        def _featurize(self, vectorizers, X):
            dense = sparse.csr_matrix(vectors[[row[unit.text] for unit in X]])
            return sparse.hstack([super()._featurize(vectorizers, X), dense], format="csr")

    training.TechniqueClassifier = WithEmbeddings  # fit_model builds its classifier from this name
    development, held = training.development_part(articles, "en")
    cv = training.cross_validate(development, spans, gold, lang="en", repeats=args.repeats)["summary"]
    heldout = training.evaluate_heldout(development, held, spans, gold, lang="en")
    for name, figures in (("CV", cv), ("held-out", heldout)):
        low, high = figures["micro_f1_interval"]
        print(f"{name}: micro-F1 {figures['micro_f1']:.3f} [{low:.3f}, {high:.3f}] P {figures['micro_precision']:.3f} "
              f"R {figures['micro_recall']:.3f} (baseline {figures['baseline_micro_f1']:.3f})")


if __name__ == "__main__":
    main()
