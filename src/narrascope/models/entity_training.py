"""Training data, cross-validation and training of the entity-role estimator on SemEval-2025 Task 10 subtask 1.

The command line is ``narrascope eval entities --semeval ../shared/data/semeval2025-task10/train`` for the
cross-validated and held-out figures, and ``narrascope train entities --semeval ... --out DIR`` to train on the
development part and save the model there (:mod:`narrascope.cli.entities`).
"""

from __future__ import annotations

import hashlib
import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import GroupKFold

from narrascope.models.entity_roles import (
    GAZETTEER,
    MAIN_ROLES,
    EntityRoleClassifier,
    MentionContext,
    remembered_parses,
)
from narrascope.models.format import write_json
from narrascope.semeval.corpus import load_corpus
from narrascope.semeval.splits import duplicate_groups, packaged_split
from narrascope.semeval.subtask1 import MentionRow, locate_mention, score_subtask1
from narrascope.text.mentions import MentionFinder, learn_gazetteer

__all__ = [
    "LabelledMention",
    "load_subtask1",
    "fit_mentions",
    "cross_validate",
    "mention_recall",
    "train_and_save",
    "evaluate_reviews",
    "data_fingerprint",
    "LANGS",
]

LANGS = ("EN", "BG", "HI", "PT", "RU")
METRICS = ("main_accuracy", "exact_match", "micro_f1")


@dataclass(frozen=True)
class LabelledMention:
    """A gold mention: its file row (official offsets) and the context the estimator reads."""

    row: MentionRow
    context: MentionContext

    @property
    def lang(self) -> str:
        return self.context.lang


def load_subtask1(root: str | Path, langs: tuple[str, ...] = LANGS) -> list[LabelledMention]:
    """Gold subtask-1 mentions of a SemEval-2025 Task 10 folder (via :func:`narrascope.semeval.load_corpus`), each
    located in its document (the released offsets are often a few characters off; see ``locate_mention``)."""
    out = []
    for doc in load_corpus(root, list(langs)):
        for m in doc.mentions:
            row = MentionRow(doc.id, m.text, m.start, m.end - 1, m.main_role, tuple(m.fine_roles))
            start, end = locate_mention(doc.text, m.text, row.start, row.end)
            out.append(LabelledMention(row, MentionContext(doc.text, start, end, doc.lang.lower())))
    return out


def data_fingerprint(root: str | Path, langs: tuple[str, ...] = LANGS) -> dict[str, str]:
    """sha256 (first 16 hex digits) of each language's annotation file, for the model card."""
    root = Path(root)
    return {
        lang: hashlib.sha256((root / "labels" / lang / "subtask-1-annotations.txt").read_bytes()).hexdigest()[:16]
        for lang in langs
    }


def fit_mentions(model: EntityRoleClassifier, data: list[LabelledMention]) -> EntityRoleClassifier:
    """Fit ``model`` on gold mentions: their contexts, main roles, fine roles and documents."""
    return model.fit(
        [m.context for m in data], [m.row.main_role or "" for m in data], [m.row.fine_roles for m in data],
        [m.row.doc_id for m in data],
    )


def split_heldout(data: list[LabelledMention]) -> tuple[list[LabelledMention], list[LabelledMention]]:
    """The development mentions and the held-out ones (the packaged SemEval-2025 Task 10 split; never tuned on)."""
    heldout = packaged_split("semeval2025-task10")
    return [m for m in data if m.row.doc_id not in heldout], [m for m in data if m.row.doc_id in heldout]


def _predicted_rows(model: EntityRoleClassifier, data: list[LabelledMention]) -> tuple[list[MentionRow], list[bool]]:
    predictions = model.predict_roles([m.context for m in data])
    rows = [
        MentionRow(m.row.doc_id, m.row.mention, m.row.start, m.row.end, p.main_role, tuple(p.fine_roles))
        for m, p in zip(data, predictions)
    ]
    return rows, [p.clear for p in predictions]


def _majority_rows(train: list[LabelledMention], test: list[LabelledMention]) -> list[MentionRow]:
    """Baseline: per language, the most frequent main role of the training folds and its most frequent fine role."""
    rows = []
    for m in test:
        same = [t for t in train if t.lang == m.lang]
        main = Counter(t.row.main_role for t in same).most_common(1)[0][0]
        fine = Counter(f for t in same if t.row.main_role == main for f in t.row.fine_roles).most_common(1)[0][0]
        rows.append(MentionRow(m.row.doc_id, m.row.mention, m.row.start, m.row.end, main, (fine,)))
    return rows


def evaluate(model: EntityRoleClassifier, train: list[LabelledMention], test: list[LabelledMention],
             thresholds: tuple[float, ...] = ()) -> dict[str, dict[str, float]]:
    """Figures of a model fitted on ``train`` on the ``test`` mentions, per language and ``ALL``: the official
    subtask-1 metrics, the majority baseline, per-class recall counts of the main role, and how many roles are
    shown (not unclear) with their accuracy. ``thresholds`` also scores other ``fine_threshold`` values."""
    out: dict[str, dict[str, float]] = {}
    predicted, clear = _predicted_rows(model, test)
    baseline = _majority_rows(train, test)
    variants = {}
    default = model.fine_threshold
    for t in thresholds:
        model.fine_threshold = t
        variants[t] = _predicted_rows(model, test)[0]
    model.fine_threshold = default
    for lang in sorted({m.lang for m in test}) + ["ALL"]:
        keep = [i for i, m in enumerate(test) if lang == "ALL" or m.lang == lang]
        gold = [test[i].row for i in keep]
        scores = score_subtask1([predicted[i] for i in keep], gold)
        r = {name: scores[name] for name in METRICS} | {"n": scores["n"]}
        base = score_subtask1([baseline[i] for i in keep], gold)
        r |= {"baseline_" + name: base[name] for name in ("main_accuracy", "exact_match")}
        for t, rows in variants.items():
            r[f"exact_match@{t}"] = score_subtask1([rows[i] for i in keep], gold)["exact_match"]
        for role in MAIN_ROLES:
            r[f"gold_{role}"] = sum(g.main_role == role for g in gold)
            r[f"hit_{role}"] = sum(g.main_role == role == predicted[i].main_role for i, g in zip(keep, gold))
        shown = [i for i in keep if clear[i]]
        r["shown"] = len(shown) / len(keep)
        r["shown_accuracy"] = (sum(predicted[i].main_role == test[i].row.main_role for i in shown) / len(shown)
                               if shown else float("nan"))
        out[lang] = r
    return out


def cross_validate(
    data: list[LabelledMention], folds: int = 5, seed: int = 0, repeats: int = 1, thresholds: tuple[float, ...] = (),
    **params: Any,
) -> dict[str, dict[str, dict[str, float]]]:
    """Repeated k-fold CV grouped by near-duplicate group of documents (a document and its copies never straddle
    train and test); per language (and ``ALL``): mean, std and an approximate 95 % interval of the mean over all
    folds of each metric (``sum`` per repeat, e.g. the number of mentions), and per-class recall pooled over the
    folds of each repeat (mean, min and max over repeats).

    The model is trained on all languages in every fold; everything it learns (priors, calibration, the unclear
    threshold) is learned inside the training fold.
    """
    texts = {m.row.doc_id: m.context.text for m in data}
    group_of = duplicate_groups(texts)
    groups = [group_of[m.row.doc_id] for m in data]
    per_fold: dict[str, dict[str, list[float]]] = {}
    pooled: dict[str, dict[str, list[float]]] = {}
    with remembered_parses():  # each English text is parsed once, not once per fold
        for repeat in range(repeats):
            splitter = GroupKFold(n_splits=folds, shuffle=True, random_state=seed + repeat)
            counts: dict[str, Counter[str]] = {}
            for train_idx, test_idx in splitter.split(np.zeros(len(data)), groups=groups):
                train = [data[i] for i in train_idx]
                test = [data[i] for i in test_idx]
                model = fit_mentions(EntityRoleClassifier(**params), train)
                for lang, r in evaluate(model, train, test, thresholds).items():
                    for name, value in r.items():
                        if name.startswith(("gold_", "hit_")):
                            counts.setdefault(lang, Counter())[name] += int(value)  # whole counts
                        else:
                            per_fold.setdefault(lang, {}).setdefault(name, []).append(value)
            for lang, c in counts.items():
                for role in MAIN_ROLES:
                    pooled.setdefault(lang, {}).setdefault(f"recall_{role}", []).append(
                        c[f"hit_{role}"] / c[f"gold_{role}"] if c[f"gold_{role}"] else float("nan"))
    out: dict[str, dict[str, dict[str, float]]] = {}
    for lang, metrics in per_fold.items():
        out[lang] = {}
        for name, values in metrics.items():
            values = [v for v in values if v == v]
            std = statistics.pstdev(values) if len(values) > 1 else 0.0
            out[lang][name] = {"mean": statistics.fmean(values), "std": std,
                               "ci95": 1.96 * std / math.sqrt(len(values)), "sum": sum(values) / repeats}
        for name, values in pooled.get(lang, {}).items():
            out[lang][name] = {"mean": statistics.fmean(values), "min": min(values), "max": max(values)}
    return out


def heldout_figures(data: list[LabelledMention], thresholds: tuple[float, ...] = (),
                    **params: Any) -> dict[str, dict[str, float]]:
    """Train on the development part, score once on the held-out part; per-class recall as ratios."""
    dev, heldout = split_heldout(data)
    model = fit_mentions(EntityRoleClassifier(**params), dev)
    out = evaluate(model, dev, heldout, thresholds)
    for r in out.values():
        for role in MAIN_ROLES:
            r[f"recall_{role}"] = r.pop(f"hit_{role}") / r[f"gold_{role}"] if r[f"gold_{role}"] else float("nan")
    return out


def mention_recall(
    data: list[LabelledMention], folds: int = 5, seed: int = 0, english_gazetteer: bool = True
) -> dict[str, dict[str, float]]:
    """Recall of the mention finder against the gold mentions, per language, by document-grouped CV: the gazetteer
    is learned from the training folds' mentions only. ``exact``: a candidate has the gold span; ``overlap``: a
    candidate overlaps it. ``candidates_per_doc`` shows how many mentions the finder proposes."""
    by_doc: dict[str, list[LabelledMention]] = {}
    for m in data:
        by_doc.setdefault(m.row.doc_id, []).append(m)
    doc_ids = sorted(by_doc)
    splitter = GroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    totals: dict[str, Counter[str]] = {}
    for train_idx, test_idx in splitter.split(np.zeros(len(doc_ids)), groups=doc_ids):
        names = [(m.lang, m.row.mention) for i in train_idx for m in by_doc[doc_ids[i]]]
        gazetteer = learn_gazetteer(names)
        if not english_gazetteer:
            gazetteer.pop("en", None)
        finder = MentionFinder(gazetteer)
        for i in test_idx:
            gold = by_doc[doc_ids[i]]
            ctx = gold[0].context
            found = finder.find(ctx.text, ctx.lang, [(0, len(ctx.text))])
            spans = set(found)
            t = totals.setdefault(ctx.lang, Counter())
            t["docs"] += 1
            t["candidates"] += len(found)
            for m in gold:
                c = m.context
                t["gold"] += 1
                t["exact"] += (c.start, c.end) in spans
                t["overlap"] += any(s < c.end and c.start < e for s, e in found)
    return {
        lang: {
            "gold": t["gold"],
            "exact": t["exact"] / t["gold"],
            "overlap": t["overlap"] / t["gold"],
            "candidates_per_doc": t["candidates"] / t["docs"],
        }
        for lang, t in totals.items()
    }


def train_and_save(
    data: list[LabelledMention],
    out: str | Path,
    params: dict | None = None,
    cv: dict | None = None,
    fingerprint: dict[str, str] | None = None,
    reviewed: Sequence[LabelledMention] = (),
    command: str | None = None,
) -> EntityRoleClassifier:
    """Train on all ``data`` (and mentions whose role reviewers set), then save the model, its metadata (CV means,
    data hashes, the command, the reviewed documents trained on) and the gazetteer in ``out``."""
    model = fit_mentions(EntityRoleClassifier(**(params or {})), list(data) + list(reviewed))
    cv = cv or {}
    model.save(
        out,
        metadata={
            "trained_on": "SemEval-2025 Task 10 subtask-1 training annotations (EN, BG, HI, PT, RU), development "
                          "part (the packaged held-out split left out)",
            "mentions": len(data),
            "reviewed_mentions": len(reviewed),
            "reviewed_documents": sorted({m.row.doc_id for m in reviewed}),
            "command": command,
            "annotation_sha256_16": fingerprint or {},
            "cv": {lang: {k: v["mean"] for k, v in r.items()} for lang, r in cv.get("cv", {}).items()},
            "heldout": cv.get("heldout", {}),
        },
    )
    gazetteer = learn_gazetteer((m.lang, m.row.mention) for m in data)
    write_json(out, GAZETTEER, gazetteer)
    return model


def evaluate_reviews(model: EntityRoleClassifier, reviewed: list[LabelledMention],
                     trained_on: list[str] | tuple[str, ...] = ()) -> dict[str, object]:
    """How often ``model``'s main role (its best guess, also when unclear) agrees with the role reviewers set
    (:func:`narrascope.review.reviewed_mentions`), with a 95 % interval by bootstrap over documents, beside the
    share of the most frequent reviewed role. Mentions of documents in ``trained_on`` (the model learnt their
    reviewed roles) are left out and their documents counted."""
    from narrascope.models.training import _interval

    trained = set(trained_on)
    kept = [m for m in reviewed if m.row.doc_id not in trained]
    out: dict[str, object] = {"n_mentions": len(kept), "n_documents": len({m.row.doc_id for m in kept}),
                              "excluded_trained_on": len({m.row.doc_id for m in reviewed} & trained)}
    if not kept:
        return out
    predicted = model.predict_roles([m.context for m in kept])
    agree = np.array([p.main_role == m.row.main_role for p, m in zip(predicted, kept)], dtype=float)
    low, high = _interval(agree, [m.row.doc_id for m in kept])
    majority = Counter(m.row.main_role for m in kept).most_common(1)[0][1] / len(kept)
    out |= {"main_agreement": {"mean": float(agree.mean()), "low": low, "high": high},
            "majority_role_share": majority}
    return out


def format_table(results: dict[str, dict[str, dict[str, float]]]) -> str:
    """Markdown table of cross-validation results (mean ± std over folds; recall pooled per repeat)."""
    lines = [
        "| lang | mentions | main-role acc | fine exact match | fine micro-F1 | majority main acc | majority exact "
        "| recall P / I / A | shown (acc.) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    order = [lang.lower() for lang in LANGS] + ["ALL"]
    for lang in [x for x in order if x in results]:
        r = results[lang]
        cell = lambda k: f"{r[k]['mean']:.3f} ± {r[k]['std']:.3f}"  # noqa: E731
        recall = " / ".join(f"{r[f'recall_{role}']['mean']:.2f}" for role in ("Protagonist", "Innocent", "Antagonist"))
        lines.append(
            f"| {lang} | {int(r['n']['sum'])} | {cell('main_accuracy')} "
            f"| {cell('exact_match')} | {cell('micro_f1')} | {cell('baseline_main_accuracy')} "
            f"| {cell('baseline_exact_match')} | {recall} | {r['shown']['mean']:.2f} ({r['shown_accuracy']['mean']:.2f}) |"
        )
    return "\n".join(lines)


def format_heldout(results: dict[str, dict[str, float]]) -> str:
    """Markdown table of the held-out figures."""
    lines = ["| lang | mentions | main-role acc | fine exact match | majority main acc | recall P / I / A "
             "| shown (acc.) |", "| --- | ---: | ---: | ---: | ---: | --- | --- |"]
    order = [lang.lower() for lang in LANGS] + ["ALL"]
    for lang in [x for x in order if x in results]:
        r = results[lang]
        recall = " / ".join(f"{r[f'recall_{role}']:.2f}" for role in ("Protagonist", "Innocent", "Antagonist"))
        lines.append(f"| {lang} | {int(r['n'])} | {r['main_accuracy']:.3f} | {r['exact_match']:.3f} "
                     f"| {r['baseline_main_accuracy']:.3f} | {recall} | {r['shown']:.2f} ({r['shown_accuracy']:.2f}) |")
    return "\n".join(lines)
