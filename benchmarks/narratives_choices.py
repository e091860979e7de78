"""Measure one candidate setting of the narrative model the way its choices are made: one 5-fold cross-validation
(seed 0, folds grouped by near-duplicate copies) on the *development* part of the SemEval-2025 training corpus,
never touching the fixed held-out split. Prints samples-F1 per language and the evidence agreement, and with
``--record`` adds the row to ``choices.json`` in the model folder (shown in its MODEL_CARD.md).

    PYTHONPATH=src .venv/bin/python benchmarks/narratives_choices.py --name "sentence pooling" \
        --params '{"pooling": "sentences", "temperature": 0.3}' [--record DIR]

``--params`` are keyword arguments of ``narrascope.models.training.train_model`` (and so of the classifier).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "semeval2025-task10" / "train"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--name", required=True, help="what the row is called in the model card")
    parser.add_argument("--params", default="{}", help="JSON keyword arguments of train_model")
    parser.add_argument("--record", type=Path, help="model folder whose choices.json gets the row")
    args = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"SemEval-2025 training data not found at {SHARED}")
    from narrascope.models.training import cross_validate, split_heldout
    from narrascope.semeval import load_corpus

    params = json.loads(args.params)
    dev, _ = split_heldout([d for d in load_corpus(SHARED) if d.narratives])
    started = time.time()
    result = cross_validate(dev, n_folds=5, random_state=0, **params)
    row = {"name": args.name, "params": params, "seconds": round(time.time() - started),
           "per_language": {lang: {"coarse": r["coarse"]["mean"], "fine": r["fine"]["mean"]}
                            for lang, r in result["per_language"].items()},
           "evidence": {lang: r["model"] for lang, r in result["evidence"].items()}}
    print(json.dumps(row, indent=1))
    if args.record:
        from narrascope.models import CHOICES_RECORD
        from narrascope.models.narratives_card import add_record

        add_record(args.record, CHOICES_RECORD, row, key=lambda r: r["name"])


if __name__ == "__main__":
    main()
