"""How one language's figures grow with its share of the training data: is it data or the model that holds it back?

Same protocol as the shipped models' cross-validation (development part of the SemEval-2025 Task 10 training data,
5 folds grouped by near-duplicate copies; the held-out split is never read). In each training fold, only a fraction
of the ``--lang`` documents is kept (whole near-duplicate groups, nested: a smaller fraction's documents are part of
every larger one's), every other language stays whole, and the test fold of that language is scored.
Narratives: official samples-F1, coarse and fine. Entities: main-role accuracy, fine exact match and the recall of
each main role, pooled over the test folds.

    PYTHONPATH=src nice -n 5 .venv/bin/python benchmarks/learning_curve.py --task narratives --lang EN \
        --fractions 0,0.25,0.5,0.75,1 --out benchmarks/results/narratives-learning-curve-en.json \
        [--record src/narrascope/resources/models/narratives]

``--record`` adds a narrative curve to the model folder's ``diagnostics.json`` (shown in its MODEL_CARD.md).
"""

from __future__ import annotations

import argparse
import json
import random
import shlex
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from _development import SHARED, narrative_development
from sklearn.model_selection import GroupKFold, StratifiedGroupKFold


def kept_groups(groups: list[str], fraction: float, seed: int) -> set[str]:
    """The first ``fraction`` of ``groups`` (distinct, in a fixed shuffled order), so smaller fractions nest; 0 keeps
    none (what the other languages teach alone)."""
    order = sorted(set(groups))
    random.Random(seed).shuffle(order)
    return set(order[: round(fraction * len(order))])


def narratives_curve(lang: str, fractions: list[float], folds: int, seed: int) -> dict:
    from narrascope.models.training import _fold_predictions, _per_document, _strata, train_model

    docs, groups, taxonomy = narrative_development()
    scores: dict[float, dict[str, list[float]]] = {f: {"coarse": [], "fine": [], "base": []} for f in fractions}
    sizes: dict[float, list[int]] = {f: [] for f in fractions}
    splitter = StratifiedGroupKFold(folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in splitter.split(np.zeros(len(docs)), _strata(docs), groups):
        test = [docs[i] for i in test_idx if docs[i].lang == lang]
        own = [groups[i] for i in train_idx if docs[i].lang == lang]
        for fraction in fractions:
            keep = kept_groups(own, fraction, seed)
            idx = [i for i in train_idx if docs[i].lang != lang or groups[i] in keep]
            sizes[fraction].append(sum(docs[i].lang == lang for i in idx))
            model, _ = train_model([docs[i] for i in idx], taxonomy=taxonomy, random_state=seed,
                                   groups=[groups[i] for i in idx])
            per_doc = _per_document(_fold_predictions(model, test)[0], test, taxonomy)
            scores[fraction]["coarse"] += per_doc["coarse"].tolist()
            scores[fraction]["fine"] += per_doc["fine"].tolist()
            scores[fraction]["base"] += per_doc["base_coarse"].tolist()
            print(f"  fraction {fraction}: {len(idx)} training documents", flush=True)
    return {str(f): {"training_documents_of_lang": float(np.mean(sizes[f])),
                     **{k: float(np.mean(v)) for k, v in scores[f].items()}} for f in fractions}


def entities_curve(lang: str, fractions: list[float], folds: int, seed: int) -> dict:
    from narrascope.models.entity_roles import EntityRoleClassifier, remembered_parses
    from narrascope.models.entity_training import evaluate, fit_mentions, load_subtask1, split_heldout
    from narrascope.semeval.splits import duplicate_groups

    data, _ = split_heldout(load_subtask1(SHARED))
    group_of = duplicate_groups({m.row.doc_id: m.context.text for m in data})
    groups = [group_of[m.row.doc_id] for m in data]
    counts: dict[float, Counter] = {f: Counter() for f in fractions}
    sizes: dict[float, list[int]] = {f: [] for f in fractions}
    with remembered_parses():
        splitter = GroupKFold(n_splits=folds, shuffle=True, random_state=seed)
        for train_idx, test_idx in splitter.split(np.zeros(len(data)), groups=groups):
            test = [data[i] for i in test_idx if data[i].lang.upper() == lang]
            own = [groups[i] for i in train_idx if data[i].lang.upper() == lang]
            for fraction in fractions:
                keep = kept_groups(own, fraction, seed)
                train = [data[i] for i in train_idx if data[i].lang.upper() != lang or groups[i] in keep]
                sizes[fraction].append(sum(m.lang.upper() == lang for m in train))
                model = fit_mentions(EntityRoleClassifier(), train)
                r = next(v for k, v in evaluate(model, train, test).items() if k != "ALL")
                counts[fraction]["n"] += r["n"]
                counts[fraction]["main"] += r["main_accuracy"] * r["n"]
                counts[fraction]["exact"] += r["exact_match"] * r["n"]
                for name, value in r.items():
                    if name.startswith(("gold_", "hit_")):
                        counts[fraction][name] += value
                print(f"  fraction {fraction}: {len(train)} training mentions", flush=True)
    out = {}
    for f, c in counts.items():
        out[str(f)] = {"training_mentions_of_lang": float(np.mean(sizes[f])), "main_accuracy": c["main"] / c["n"],
                       "exact_match": c["exact"] / c["n"],
                       **{f"recall_{role}": c[f"hit_{role}"] / c[f"gold_{role}"]
                          for role in ("Protagonist", "Innocent", "Antagonist") if c[f"gold_{role}"]}}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--task", choices=("narratives", "entities"), required=True)
    parser.add_argument("--lang", default="EN", help="language whose training share varies (EN, BG, HI, PT, RU)")
    parser.add_argument("--fractions", default="0.25,0.5,0.75,1")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--record", type=Path, help="narrative model folder whose diagnostics.json gets the curve")
    args = parser.parse_args()
    if args.record and args.task != "narratives":
        parser.error("--record keeps narrative curves only (the entity model card is written by hand)")
    if not SHARED.is_dir():
        raise SystemExit(f"SemEval-2025 training data not found at {SHARED}")
    fractions = [float(f) for f in args.fractions.split(",")]
    started = time.time()
    curve = (narratives_curve if args.task == "narratives" else entities_curve)(args.lang.upper(), fractions,
                                                                                args.folds, args.seed)
    command = "PYTHONPATH=src .venv/bin/python benchmarks/learning_curve.py " + shlex.join(sys.argv[1:])
    result = {"task": args.task, "lang": args.lang.upper(), "folds": args.folds, "seed": args.seed,
              "seconds": round(time.time() - started), "command": command, "curve": curve}
    print(json.dumps(result, indent=1))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    if args.record:
        from narrascope.models import DIAGNOSTICS_RECORD
        from narrascope.models.narratives_card import add_record

        add_record(args.record, DIAGNOSTICS_RECORD, {"kind": "learning_curve", **result},
                   key=lambda r: (r["kind"], r.get("lang"), r.get("seed")))


if __name__ == "__main__":
    main()
