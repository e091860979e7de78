"""Training and cross-validation of the technique model on the SemEval-2023 Task 3 English data (and PTC).

Cross-validation splits by article. Each fold fits :class:`TechniqueModel` on the other folds (its
thresholds come from an internal CV inside those folds only), predicts spans on the held-out articles, derives
paragraph labels from the spans and scores them with the task metric; span-level scores are computed too.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from narrascope.models.techniques import TechniqueModel, split_sentences
from narrascope.semeval import task3_2023 as task

SpanMap = dict[str, list[tuple[str, int, int]]]


def load_task_data(data_dir: str | Path) -> tuple[dict[str, str], SpanMap, dict[tuple[str, int], set[str]]]:
    """Articles, gold spans and gold paragraph labels of a SemEval-2023 subtask-3 language folder (e.g. ``en/``)."""
    data_dir = Path(data_dir)
    articles = task.read_articles(data_dir / "train-articles-subtask-3")
    spans = task.read_spans(data_dir / "train-labels-subtask-3-spans")
    gold = task.read_paragraph_labels(data_dir / "train-labels-subtask-3.txt")
    return articles, spans, gold


def load_ptc_spans(ptc_dir: str | Path) -> SpanMap:
    """PTC technique spans mapped to the 2023 names (the two merged PTC classes are dropped)."""
    return task.read_spans(Path(ptc_dir) / "train-task2-TC.labels", task.PTC_TO_2023)


def merge_spans(base: SpanMap, extra: SpanMap, articles: dict[str, str]) -> SpanMap:
    """Union of two span sets, restricted to ``articles`` (the PTC texts share offsets with the 2023 ones)."""
    merged = {}
    for doc_id in articles:
        merged[doc_id] = sorted(set(base.get(doc_id, [])) | set(extra.get(doc_id, [])))
    return merged


def article_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence offsets of a task article, split per paragraph as in training."""
    return [s for _, start, end in task.paragraphs(text) for s in split_sentences(text, start, end)]


def predict_article(model: TechniqueModel, text: str) -> list[tuple[str, int, int, float]]:
    """Technique spans of one task article."""
    return model.predict_spans(text, article_sentences(text))


def cross_validate(
    articles: dict[str, str],
    spans: SpanMap,
    gold: dict[tuple[str, int], set[str]],
    *,
    folds: int = 5,
    run_folds: Sequence[int] | None = None,
    extra_spans: SpanMap | None = None,
    seed: int = 0,
    techniques: tuple[str, ...] = task.TECHNIQUES,
    log=print,
) -> dict:
    """Article-level k-fold CV; returns per-fold paragraph and span scores plus trivial baselines.

    The baselines label every paragraph (every sentence, for spans) with the most frequent technique.

    ``run_folds`` evaluates only those folds (same article assignment), for quicker comparisons.
    """
    ids = sorted(articles)
    order = np.random.RandomState(seed).permutation(len(ids))
    fold_of = {ids[j]: i % folds for i, j in enumerate(order)}
    majority = max(techniques, key=lambda t: sum(t in labels for labels in gold.values()))
    results: dict[str, list] = {"paragraph": [], "span": [], "baseline": [], "baseline_span": []}
    for fold in range(folds) if run_folds is None else run_folds:
        started = time.time()
        train = {i: articles[i] for i in ids if fold_of[i] != fold}
        test = [i for i in ids if fold_of[i] == fold]
        train_spans = merge_spans(spans, extra_spans, train) if extra_spans else {i: spans.get(i, []) for i in train}
        model = TechniqueModel.fit(train, train_spans)
        predicted = {i: predict_article(model, articles[i]) for i in test}
        pred_paragraphs = {}
        for i in test:
            pred_paragraphs.update(task.paragraph_labels_from_spans(i, articles[i], [(t, s, e) for t, s, e, _ in predicted[i]]))
        fold_gold = {k: v for k, v in gold.items() if fold_of.get(k[0]) == fold}
        results["paragraph"].append(task.score_paragraphs(pred_paragraphs, fold_gold, techniques))
        results["baseline"].append(task.score_paragraphs({k: {majority} for k in fold_gold}, fold_gold, techniques))
        results["baseline_span"].append(
            task.score_spans(
                {i: [(majority, s, e) for s, e in article_sentences(articles[i])] for i in test},
                {i: spans.get(i, []) for i in test},
            )
        )
        results["span"].append(
            task.score_spans({i: [(t, s, e) for t, s, e, _ in predicted[i]] for i in test}, {i: spans.get(i, []) for i in test})
        )
        log(
            f"fold {fold}: paragraph micro-F1 {results['paragraph'][-1]['micro_f1']:.3f} "
            f"macro-F1(gold techniques) {results['paragraph'][-1]['macro_f1_gold']:.3f} "
            f"span partial-F1 {results['span'][-1]['partial_f1']:.3f} ({time.time() - started:.0f} s)"
        )
    results["summary"] = summarise(results)
    results["baseline_technique"] = majority
    return results


def summarise(results: dict) -> dict[str, dict[str, float]]:
    """Mean and standard deviation over folds of every figure."""
    summary = {}
    for part in ("paragraph", "span", "baseline", "baseline_span"):
        for key in results[part][0]:
            values = np.array([fold[key] for fold in results[part]], dtype=float)
            summary[f"{part}.{key}"] = {"mean": float(values.mean()), "std": float(values.std())}
    return summary
