"""The technique evaluation protocol: grouped folds, bootstrap intervals, repeated CV and a held-out part never trained on."""

import importlib.util
from pathlib import Path

import numpy as np

from narrascope.models import technique_training as training
from narrascope.semeval.splits import DUPLICATE_JACCARD, duplicate_groups

_spec = importlib.util.spec_from_file_location(
    "technique_corpus", Path(__file__).resolve().parents[1] / "fixtures" / "techniques" / "corpus.py"
)
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)

SMALL = {"techniques": corpus.TECHS, "min_positives": 2, "threshold_folds": 3}


def _story(n: int) -> str:
    return "\n".join(f"Paragraph {i} of story {n}: the minister spoke about item {i * 7 + n} and road {n}." for i in range(12))


def test_republished_story_with_added_paragraphs_stays_in_one_fold():
    texts = {f"s{n}": _story(n) for n in range(30)}
    # a re-publication that adds as much text again: too different for the default copy threshold
    texts["s3-extended"] = texts["s3"] + "\n" + "\n".join(f"Added line {i} about weather {i}." for i in range(40))
    assert duplicate_groups(texts, DUPLICATE_JACCARD)["s3-extended"] != duplicate_groups(texts, DUPLICATE_JACCARD)["s3"]
    for seed in range(10):
        folds = training.grouped_folds(texts, folds=5, seed=seed)
        assert folds["s3"] == folds["s3-extended"]
        assert min(np.bincount(list(folds.values()))) >= 5  # groups are dealt evenly


def test_bootstrap_interval_covers_the_estimate_and_narrows_with_more_articles():
    rng = np.random.RandomState(0)
    few = rng.randint(0, 5, size=(10, 3)).astype(float)
    many = np.tile(few, (20, 1))
    f1 = 2 * few[:, 0].sum() / (2 * few[:, 0].sum() + few[:, 1].sum() + few[:, 2].sum())
    low, high = training.bootstrap_interval(few)
    assert low <= f1 <= high
    many_low, many_high = training.bootstrap_interval(many)
    assert many_high - many_low < (high - low) / 2
    assert training.bootstrap_interval(few) == (low, high)  # seeded


def test_repeated_cv_pools_out_of_fold_predictions_and_reports_a_baseline():
    articles, spans = corpus.synthetic_corpus(distinct=True)
    gold = {}
    for doc_id, text in articles.items():
        gold.update(training.task.paragraph_labels_from_spans(doc_id, text, spans[doc_id]))
    result = training.cross_validate(
        articles, spans, gold, folds=2, repeats=2, classifier_params=SMALL, techniques=corpus.TECHS, log=lambda _: None
    )
    assert len(result["repeats"]) == 2
    summary = result["summary"]
    assert summary["micro_f1"] > 0.9 > summary["baseline_micro_f1"]
    assert all(run["paragraphs"] == len(gold) for run in result["repeats"])  # every article scored once per repeat


def test_heldout_articles_are_never_trained_on(monkeypatch):
    articles, spans = corpus.synthetic_corpus(distinct=True)
    gold = {}
    for doc_id, text in articles.items():
        gold.update(training.task.paragraph_labels_from_spans(doc_id, text, spans[doc_id]))
    held = {i: articles[i] for i in ("3", "11", "17")}
    development = {i: t for i, t in articles.items() if i not in held}
    seen = []
    fit = training.fit_model

    def recording_fit(train_articles, train_spans, *args, **kwargs):
        seen.append(set(train_articles) | set(train_spans))
        return fit(train_articles, train_spans, *args, **kwargs)

    monkeypatch.setattr(training, "fit_model", recording_fit)
    result = training.evaluate_heldout(development, held, spans, gold, classifier_params=SMALL, techniques=corpus.TECHS)
    assert seen and not any(s & set(held) for s in seen)
    assert result["articles"] == 3 and result["micro_f1"] > 0.9
