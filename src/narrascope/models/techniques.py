"""Persuasion-technique detection (SemEval-2023 Task 3 techniques): a sentence scorer plus a span localiser.

Why this shape: the task is scored per paragraph, and a paragraph carries a technique when some annotated span
overlaps it, so the model scores *sentences* (the unit the pipeline provides) and a paragraph takes the maximum
of its sentences. One logistic regression per technique reads word and character n-grams of the sentence and of
its paragraph context (no language-specific resource: the same code learns English and Russian). Thresholds are
tuned on internal cross-validation at paragraph level for the task's micro-F1, and the shipped weights are the
average of the internal folds' models, whose scores the thresholds were tuned on; so a fitted model needs no
held-out data. Spans are then localised inside positive sentences: techniques whose
annotations are short phrases (Loaded_Language, Name_Calling-Labeling, ...) use a phrase lexicon learned from the
training spans; the others, and sentences without a lexicon match, get the sentence as span.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from narrascope.models.format import load_model, save_model
from narrascope.semeval.task3_2023 import TECHNIQUES, paragraphs
from narrascope.text.sentences import split_sentences, starts_sentence

COMPONENT = "techniques"
_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)
# techniques whose cue words never stand alone as a name: a capitalised word used as a name ("a film by Apple") is not
# localised as their span, however often the lowercase word was loaded in training ("apple")
NOT_NAMES = frozenset({"Loaded_Language"})


@dataclass(frozen=True)
class Unit:
    """One sentence to score, with the paragraph it sits in (its context)."""

    text: str
    context: str


class TechniqueClassifier(BaseEstimator):
    """Multi-label technique scores for sentences; paragraph decisions use per-technique thresholds.

    ``fit(X, Y, groups=..., paragraphs=...)``: ``X`` is a list of :class:`Unit`, ``Y`` an ``(n, k)`` 0/1 matrix
    over ``techniques``, ``groups`` the article of each unit (internal CV folds never split an article) and
    ``paragraphs`` a paragraph key per unit (thresholds are tuned on paragraph-level F1, the task's unit).

    ``threshold_objective``: ``"micro"`` sets the thresholds jointly for pooled micro-F1, ``"per_technique"`` each for
    its own F1. ``average_folds``: the weights are the mean of the internal folds' models (the scores the thresholds
    were tuned on) rather than a refit on all units, which would score more confidently than the tuned thresholds
    assume, and cost one more fit.
    """

    def __init__(
        self,
        techniques: Sequence[str] = TECHNIQUES,
        C: float = 4.0,
        context_weight: float = 0.5,
        max_word_features: int = 50_000,
        max_char_features: int = 60_000,
        min_positives: int = 5,
        threshold_objective: str = "micro",
        average_folds: bool = True,
        threshold_folds: int = 4,
        random_state: int = 0,
    ):
        self.techniques = techniques
        self.C = C
        self.context_weight = context_weight
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features
        self.min_positives = min_positives
        self.threshold_objective = threshold_objective
        self.average_folds = average_folds
        self.threshold_folds = threshold_folds
        self.random_state = random_state

    # -- features -----------------------------------------------------------------------------------------
    def _featurize(self, vectorizers, X: Sequence[Unit]) -> sparse.csr_matrix:
        words, chars = vectorizers
        texts = [u.text for u in X]
        parts = [words.transform(texts), chars.transform(texts)]
        if self.context_weight:
            # A paragraph is the context of each of its sentences: vectorise it once.
            contexts = list(dict.fromkeys(u.context for u in X))
            row = {context: i for i, context in enumerate(contexts)}
            parts.append(self.context_weight * words.transform(contexts)[[row[u.context] for u in X]])
        return sparse.hstack(parts, format="csr")

    def new_vectorizers(self) -> tuple[TfidfVectorizer, TfidfVectorizer]:
        """Unfitted word 1-2-gram and character 3-5-gram TF-IDF vectorizers (fitted here, or filled from a saved model)."""
        words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=self.max_word_features)
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=3, sublinear_tf=True, max_features=self.max_char_features)
        return words, chars

    def _fit_vectorizers(self, X: Sequence[Unit]) -> tuple[TfidfVectorizer, TfidfVectorizer]:
        """Word n-gram vocabulary of sentences and contexts, character n-gram vocabulary of sentences."""
        words, chars = self.new_vectorizers()
        words.fit([u.text for u in X] + list(dict.fromkeys(u.context for u in X)))
        chars.fit([u.text for u in X])
        for vectorizer in (words, chars):
            vectorizer.stop_words_ = None  # only needed for introspection, and large
        return words, chars

    def _fit_weights(self, features: sparse.csr_matrix, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A ``(k, d)`` coefficient matrix and ``(k,)`` intercepts, one logistic model per technique."""
        coef = np.zeros((Y.shape[1], features.shape[1]), dtype=np.float32)
        intercept = np.full(Y.shape[1], -30.0, dtype=np.float32)  # techniques too rare to learn: never fire
        for j in range(Y.shape[1]):
            if Y[:, j].sum() >= self.min_positives:
                # dual coordinate descent: the same optimum as the primal solver, 4-5x faster with more features than rows
                model = LogisticRegression(C=self.C, solver="liblinear", dual=True, max_iter=1000).fit(features, Y[:, j])
                coef[j], intercept[j] = model.coef_[0], model.intercept_[0]
        return coef, intercept

    @staticmethod
    def _probabilities(features: sparse.csr_matrix, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
        logits = np.asarray(features @ coef.T.astype(np.float32)) + intercept
        return 1.0 / (1.0 + np.exp(-logits))

    # -- estimator API ------------------------------------------------------------------------------------
    def fit(self, X: Sequence[Unit], Y: np.ndarray, groups: Sequence[str], paragraphs: Sequence[object]):
        """Vocabularies (unsupervised) are fitted once on ``X``; weights and thresholds only ever see labels of ``X``."""
        if self.threshold_objective not in ("micro", "per_technique"):
            raise ValueError(f"threshold_objective must be 'micro' or 'per_technique', not {self.threshold_objective!r}")
        Y = np.asarray(Y, dtype=bool)
        article_ids = np.asarray(groups)
        self.vectorizers_ = self._fit_vectorizers(X)
        features = self._featurize(self.vectorizers_, X)
        # Internal CV at article level gives out-of-fold scores to tune the paragraph thresholds on.
        articles = np.unique(article_ids)
        order = np.random.RandomState(self.random_state).permutation(len(articles))
        fold_of = {articles[j]: i % self.threshold_folds for i, j in enumerate(order)}
        folds = np.array([fold_of[g] for g in article_ids])
        oof = np.zeros(Y.shape)
        fold_weights = []
        for fold in range(self.threshold_folds):
            train, test = np.where(folds != fold)[0], np.where(folds == fold)[0]
            fold_weights.append(self._fit_weights(features[train], Y[train]))
            oof[test] = self._probabilities(features[test], *fold_weights[-1])
        para_scores, para_gold = _paragraph_max(oof, Y, paragraphs)
        self.thresholds_ = np.array([_best_threshold(para_scores[:, j], para_gold[:, j]) for j in range(Y.shape[1])])
        if self.threshold_objective == "micro":
            self.thresholds_ = _micro_thresholds(para_scores, para_gold, self.thresholds_)
        if self.average_folds:
            self.coef_ = np.mean([coef for coef, _ in fold_weights], axis=0)
            self.intercept_ = np.mean([intercept for _, intercept in fold_weights], axis=0)
        else:
            self.coef_, self.intercept_ = self._fit_weights(features, Y)
        return self

    def predict_proba(self, X: Sequence[Unit]) -> np.ndarray:
        """``(n, k)`` probability that each sentence takes part in each technique."""
        if not X:
            return np.zeros((0, len(self.intercept_)))
        return self._probabilities(self._featurize(self.vectorizers_, X), self.coef_, self.intercept_)

    def predict(self, X: Sequence[Unit]) -> np.ndarray:
        return self.predict_proba(X) >= self.thresholds_


def _paragraph_max(scores: np.ndarray, Y: np.ndarray, paragraphs: Sequence[object]) -> tuple[np.ndarray, np.ndarray]:
    index: dict[object, int] = {}
    rows = np.array([index.setdefault(p, len(index)) for p in paragraphs])
    para_scores = np.zeros((len(index), scores.shape[1]))
    para_gold = np.zeros((len(index), scores.shape[1]), dtype=bool)
    np.maximum.at(para_scores, rows, scores)
    np.logical_or.at(para_gold, rows, Y)
    return para_scores, para_gold


_THRESHOLDS = np.append(np.arange(0.04, 0.9, 0.02), 1.0)  # 1.0: never (probabilities stay below 1)


def _best_threshold(scores: np.ndarray, gold: np.ndarray) -> float:
    """The threshold maximising F1 of ``scores >= t`` against ``gold`` (1.0, i.e. never, without positives)."""
    if not gold.any():
        return 1.0
    best_f1, best = -1.0, 1.0
    for t in _THRESHOLDS[:-1]:
        predicted = scores >= t
        f1 = 2 * (predicted & gold).sum() / max(predicted.sum() + gold.sum(), 1)
        if f1 > best_f1:
            best_f1, best = f1, float(t)
    return best


def _micro_thresholds(scores: np.ndarray, gold: np.ndarray, start: np.ndarray, rounds: int = 3) -> np.ndarray:
    """Per-technique thresholds maximising pooled micro-F1 (the task's ranking metric), by coordinate ascent.

    Thresholds that are best for each technique's own F1 are low for rare techniques, whose many false alarms
    then cost more micro-F1 than their few hits add; here each threshold is set given all the others.
    """
    thresholds = start.copy()
    predicted = scores >= thresholds
    tp, fp = (predicted & gold).sum(0), (predicted & ~gold).sum(0)
    positives = gold.sum()
    for _ in range(rounds):
        for j in range(scores.shape[1]):
            grid = scores[:, j][:, None] >= _THRESHOLDS[None, :]
            tp_j, fp_j = (grid & gold[:, j][:, None]).sum(0), (grid & ~gold[:, j][:, None]).sum(0)
            tp_all, fp_all = tp.sum() - tp[j] + tp_j, fp.sum() - fp[j] + fp_j
            f1 = 2 * tp_all / np.maximum(tp_all + fp_all + positives, 1)
            best = int(np.argmax(f1))
            thresholds[j], tp[j], fp[j] = _THRESHOLDS[best], tp_j[best], fp_j[best]
    return thresholds


class PhraseLexicon(BaseEstimator):
    """Short phrases that mark a technique, learned from training spans, to localise spans inside a sentence.

    A lowercased token n-gram becomes a cue for technique T when it occurs at least ``min_count`` times inside
    T spans and at least ``min_precision`` of its occurrences in the training text lie inside T spans.
    """

    def __init__(self, max_n: int = 3, min_count: int = 2, min_precision: float = 0.3):
        self.max_n = max_n
        self.min_count = min_count
        self.min_precision = min_precision

    def fit(self, texts: Sequence[str], spans: Sequence[Iterable[tuple[str, int, int]]]):
        inside: dict[str, Counter] = defaultdict(Counter)
        total: Counter = Counter()
        for text, doc_spans in zip(texts, spans):
            doc_spans = list(doc_spans)
            for gram, s, e in _ngrams(text, self.max_n):
                total[gram] += 1
                for technique in {t for t, a, b in doc_spans if a <= s and e <= b}:
                    inside[technique][gram] += 1
        self.cues_ = {
            technique: sorted(
                gram
                for gram, count in counts.items()
                if count >= self.min_count and count / total[gram] >= self.min_precision
            )
            for technique, counts in inside.items()
        }
        return self

    def find(self, text: str, start: int, end: int, technique: str) -> list[tuple[int, int]]:
        """Merged offsets of cue phrases for ``technique`` inside ``text[start:end]``."""
        cues = self._cue_sets().get(technique)
        if not cues:
            return []
        hits = sorted((start + s, start + e) for gram, s, e in _ngrams(text[start:end], self.max_n)
                      if gram in cues and not (technique in NOT_NAMES and _is_name(text, start + s, start + e)))
        merged: list[list[int]] = []
        for s, e in hits:
            if merged and s <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        return [(s, e) for s, e in merged]

    def _cue_sets(self) -> dict[str, set[str]]:
        if getattr(self, "_sets", None) is None:
            self._sets = {t: set(grams) for t, grams in self.cues_.items()}
        return self._sets


def _is_name(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is one capitalised word used as a name ("Apple"): inside its sentence, or at its
    start when the text never writes it in lower case and capitalises it inside some sentence."""
    word = text[start:end]
    if " " in word or not word[:1].isupper():
        return False
    if not starts_sentence(text, start):
        return True
    if re.search(rf"\b{re.escape(word.lower())}\b", text):
        return False
    return any(not starts_sentence(text, m.start()) for m in re.finditer(rf"\b{re.escape(word)}\b", text))


def _ngrams(text: str, max_n: int) -> Iterable[tuple[str, int, int]]:
    tokens = [(m.group().lower(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    for n in range(1, max_n + 1):
        for i in range(len(tokens) - n + 1):
            yield " ".join(t for t, _, _ in tokens[i : i + n]), tokens[i][1], tokens[i + n - 1][2]


class TechniqueModel:
    """A fitted :class:`TechniqueClassifier` and :class:`PhraseLexicon`, turned into technique spans.

    A technique that fires on a sentence becomes a span over the sentence, or over the lexicon's cue phrases
    in it when the technique is *phrase-like* (its median training span is shorter than ``phrase_max_chars``).
    Every span's score is the sentence's probability for the technique.
    """

    def __init__(
        self, classifier: TechniqueClassifier, lexicon: PhraseLexicon, phrase_techniques: Sequence[str], language: str = "en"
    ):
        self.classifier = classifier
        self.lexicon = lexicon
        self.phrase_techniques = list(phrase_techniques)
        self.language = language

    @classmethod
    def fit(
        cls,
        articles: dict[str, str],
        spans: dict[str, list[tuple[str, int, int]]],
        classifier: TechniqueClassifier | None = None,
        lexicon: PhraseLexicon | None = None,
        phrase_max_chars: int = 30,
        language: str = "en",
    ) -> TechniqueModel:
        classifier = classifier or TechniqueClassifier()
        lexicon = lexicon or PhraseLexicon()
        X, Y, groups, paragraph_keys, _ = build_units(articles, spans, classifier.techniques)
        classifier.fit(X, Y, groups=groups, paragraphs=paragraph_keys)
        ids = sorted(articles)
        lexicon.fit([articles[i] for i in ids], [spans.get(i, []) for i in ids])
        lengths: dict[str, list[int]] = defaultdict(list)
        for doc_spans in spans.values():
            for technique, s, e in doc_spans:
                lengths[technique].append(e - s)
        phrase = [t for t, values in sorted(lengths.items()) if np.median(values) < phrase_max_chars]
        return cls(classifier, lexicon, phrase, language)

    def predict_spans(self, text: str, sentences: Sequence[tuple[int, int]]) -> list[tuple[str, int, int, float]]:
        """``(technique, start, end, probability)`` for the techniques detected in the given sentences of ``text``."""
        units = [Unit(text[s:e], _line_around(text, s, e)) for s, e in sentences]
        probabilities = self.classifier.predict_proba(units)
        thresholds = self.classifier.thresholds_
        techniques = list(self.classifier.techniques)
        out: list[tuple[str, int, int, float]] = []
        for (s, e), row in zip(sentences, probabilities):
            for j in np.where(row >= thresholds)[0]:
                technique = techniques[j]
                phrases = self.lexicon.find(text, s, e, technique) if technique in self.phrase_techniques else []
                out.extend((technique, a, b, float(row[j])) for a, b in (phrases or [(s, e)]))
        return out

    def save(self, directory: str | Path, metadata: dict | None = None) -> None:
        """Write the model folder (:mod:`narrascope.models.format`): language, parameters, phrase-like techniques,
        vocabularies (terms in column order) and lexicon in ``model.json``; weights (float16), intercepts,
        thresholds and IDF vectors in ``weights.npz``; ``metadata`` is what its training recorded (with the
        language, which the analyser reads without loading the model)."""
        words, chars = self.classifier.vectorizers_
        state = {
            "language": self.language,
            "classifier_params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.classifier.get_params().items()},
            "lexicon_params": self.lexicon.get_params(),
            "phrase_techniques": self.phrase_techniques,
            "vocabularies": {name: sorted(v.vocabulary_, key=v.vocabulary_.get) for name, v in (("words", words), ("chars", chars))},
            "lexicon": self.lexicon.cues_,
        }
        arrays = {"coef": self.classifier.coef_.astype(np.float16), "intercept": self.classifier.intercept_,
                  "thresholds": self.classifier.thresholds_, "idf_words": words.idf_, "idf_chars": chars.idf_}
        save_model(directory, COMPONENT, state, arrays, {"language": self.language, **(metadata or {})})

    @classmethod
    def load(cls, directory: str | Path) -> TechniqueModel:
        saved = load_model(directory, COMPONENT)
        state, arrays = saved.state, saved.arrays
        classifier = TechniqueClassifier(**state["classifier_params"])
        classifier.vectorizers_ = classifier.new_vectorizers()
        classifier.coef_ = arrays["coef"].astype(np.float32)
        classifier.intercept_ = arrays["intercept"]
        classifier.thresholds_ = arrays["thresholds"]
        for name, vectorizer in zip(("words", "chars"), classifier.vectorizers_):
            vectorizer.vocabulary_ = {term: i for i, term in enumerate(state["vocabularies"][name])}
            vectorizer.idf_ = arrays[f"idf_{name}"]
        lexicon = PhraseLexicon(**state["lexicon_params"])
        lexicon.cues_ = state["lexicon"]
        return cls(classifier, lexicon, state["phrase_techniques"], state["language"])


def _line_around(text: str, start: int, end: int) -> str:
    """The line (paragraph) containing ``text[start:end]``: the sentence's context."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return text[line_start : len(text) if line_end < 0 else line_end]


def build_units(
    articles: dict[str, str],
    spans: dict[str, list[tuple[str, int, int]]],
    techniques: Sequence[str] = TECHNIQUES,
) -> tuple[list[Unit], np.ndarray, list[str], list[tuple[str, int]], list[tuple[int, int]]]:
    """Sentence units of task articles with their gold matrix, article ids, paragraph keys and offsets.

    A sentence is positive for a technique when a span of that technique overlaps it.
    """
    index = {t: j for j, t in enumerate(techniques)}
    units, rows, groups, keys, offsets = [], [], [], [], []
    for doc_id in sorted(articles):
        text = articles[doc_id]
        doc_spans = spans.get(doc_id, [])
        for number, p_start, p_end in paragraphs(text):
            for s, e in split_sentences(text, p_start, p_end):
                units.append(Unit(text[s:e], text[p_start:p_end]))
                row = np.zeros(len(techniques), dtype=bool)
                for technique, a, b in doc_spans:
                    if technique in index and a < e and s < b:
                        row[index[technique]] = True
                rows.append(row)
                groups.append(doc_id)
                keys.append((doc_id, number))
                offsets.append((s, e))
    Y = np.array(rows).reshape(len(rows), len(techniques))
    return units, Y, groups, keys, offsets
