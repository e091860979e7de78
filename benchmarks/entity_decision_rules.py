"""Main-role decision rules of the entity-role model, compared on the same cross-validation folds.

One calibrated model is trained per fold (5 folds of the SemEval-2025 Task 10 development part, grouped by
near-duplicate document group, as ``narrascope.models.entity_training.cross_validate``); per language, each rule
chooses per-class decision weights on that model's out-of-fold calibrated probabilities of the training fold, and
is scored on the test fold: plain argmax, the most accurate weights keeping every class at ``min_recall`` (the
``min_recall`` parameter of the model), and the weights maximising accuracy + lambda x macro recall. Main-role
accuracy and per-class recall, pooled over the test folds.

    PYTHONPATH=src .venv/bin/python benchmarks/entity_decision_rules.py --params '{"views": [...]}' --out FILE
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from itertools import product
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

from narrascope.models.entity_roles import (
    _WEIGHT_GRID,
    EntityRoleClassifier,
    _decision_weights,
    remembered_parses,
)
from narrascope.models.entity_training import fit_mentions, load_subtask1, split_heldout
from narrascope.semeval.splits import duplicate_groups

ROOT = Path(__file__).resolve().parents[1]
ROLES = ("Protagonist", "Innocent", "Antagonist")


def macro_weights(proba: np.ndarray, y: np.ndarray, classes: list[str], lam: float) -> list[float]:
    """Weights on the model's grid maximising accuracy + ``lam`` x the mean per-class recall."""
    best: tuple[float, list[float]] | None = None
    for rest in product(_WEIGHT_GRID, repeat=len(classes) - 1):
        weights = [1.0, *rest]
        chosen = np.asarray(classes)[(proba * weights).argmax(axis=1)]
        recall = np.mean([np.mean(chosen[y == c] == c) for c in classes if (y == c).any()])
        key = float(np.mean(chosen == y) + lam * recall)
        if best is None or key > best[0]:
            best = (key, weights)
    return best[1] if best else [1.0] * len(classes)


RULES = {"argmax": None} | {f"min_recall={r}": ("floor", r) for r in (0.01, 0.2, 0.3, 0.35)} \
    | {f"accuracy+{lam}*macro_recall": ("macro", lam) for lam in (0.1, 0.25, 0.5)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--semeval", default=str(ROOT / ".." / "shared" / "data" / "semeval2025-task10" / "train"))
    parser.add_argument("--params", default="{}", help="JSON of EntityRoleClassifier keyword arguments")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    params = json.loads(args.params)
    if "views" in params:
        params["views"] = tuple(params["views"])
    dev, _ = split_heldout(load_subtask1(args.semeval))
    group_of = duplicate_groups({m.row.doc_id: m.context.text for m in dev})
    groups = [group_of[m.row.doc_id] for m in dev]
    counts = {name: Counter() for name in RULES}
    with remembered_parses():
        for repeat in range(args.repeats):
            splitter = GroupKFold(n_splits=5, shuffle=True, random_state=repeat)
            for train_idx, test_idx in splitter.split(np.zeros(len(dev)), groups=groups):
                train, test = [dev[i] for i in train_idx], [dev[i] for i in test_idx]
                model = fit_mentions(EntityRoleClassifier(**params), train)
                y = np.asarray([m.row.main_role for m in train])
                langs = np.asarray([m.lang for m in train])
                contexts = [m.context for m in test]
                proba = model.predict_proba(contexts)
                for name, rule in RULES.items():
                    model.decision_weights_ = {}
                    if rule:
                        kind, value = rule
                        for lang in sorted(set(langs)):
                            p, yy = model.oof_calibrated_[langs == lang], y[langs == lang]
                            model.decision_weights_[lang] = (_decision_weights(p, yy, model.classes_, value)
                                                             if kind == "floor" else
                                                             macro_weights(p, yy, model.classes_, value))
                    predicted = np.asarray(model.classes_)[model._decide(proba, contexts)]
                    for m, p in zip(test, predicted):
                        for lang in (m.lang, "ALL"):
                            c = counts[name]
                            c[lang, "n"] += 1
                            c[lang, "right"] += p == m.row.main_role
                            c[lang, "gold", m.row.main_role] += 1
                            c[lang, "hit", m.row.main_role] += p == m.row.main_role
    results: dict[str, dict[str, dict[str, float]]] = {}
    for name, c in counts.items():
        cells = []
        for lang in ("en", "bg", "hi", "pt", "ru", "ALL"):
            r = {"accuracy": c[lang, "right"] / c[lang, "n"]}
            r |= {f"recall_{role}": c[lang, "hit", role] / c[lang, "gold", role] for role in ROLES}
            results.setdefault(name, {})[lang] = r
            recall = " / ".join(f"{r['recall_' + role]:.2f}" for role in ROLES)
            cells.append(f"{lang} {r['accuracy']:.3f} ({recall})")
        print(f"{name:28s}", " | ".join(cells))
    if args.out:
        args.out.write_text(json.dumps({"params": args.params, "repeats": args.repeats, "rules": results}, indent=2)
                            + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
