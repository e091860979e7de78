"""Entity-role estimator: given a mention in its text, predict its main role and fine roles.

Main roles (Protagonist / Antagonist / Innocent) come from one multinomial logistic regression over sparse
views of the mention: the mention string itself (entity prior, per language), its character n-grams, the
words just left and right of it in its sentence, the words of every sentence of the document that names the
same entity (an entity is usually cast consistently in one article), and a few salience cues (frequency,
position, language). Word features carry the language, so one model serves all five languages. Fine roles are
constrained by the main role: per main role, one-vs-rest logistic regressions over that role's fine roles,
applied under the predicted main role. A mention gets its most probable fine role plus any other whose
conditional probability reaches ``fine_threshold``.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer

from narrascope.models import packaged_model_dir

__all__ = ["MentionContext", "RolePrediction", "EntityRoleClassifier", "sentence_bounds", "normalise_mention"]

ALL_VIEWS = ("mention", "mention_chars", "near", "sentence_words", "entity_doc", "cues")

_BOUNDARY = re.compile(r"(?<=[.!?।])[\"'”’»)]*\s+|\n+")
_TOKEN = re.compile(r"[^\W_][^\s.,;:!?\"'“”„‘’«»()\[\]{}<>|/…]*")
_NEAR = 4  # tokens on each side that get position-tagged features


@dataclass(frozen=True)
class MentionContext:
    """A mention as plain data: the whole text, half-open offsets of the mention, ISO 639-1 language."""

    text: str
    start: int
    end: int
    lang: str

    @property
    def mention(self) -> str:
        return self.text[self.start : self.end]


@dataclass(frozen=True)
class RolePrediction:
    """Roles of one mention: the main role, all main-role probabilities, the chosen fine roles with probabilities.

    A fine role's probability is P(main) * P(fine | main), so it is comparable across mentions.
    """

    main_role: str
    main_proba: dict[str, float]
    fine_roles: dict[str, float]


@lru_cache(maxsize=64)
def _boundaries(text: str) -> tuple[list[int], list[int]]:
    """Starts and ends of the sentence boundaries of a text (cached: every mention of a document reuses them)."""
    matches = list(_BOUNDARY.finditer(text))
    return [m.start() for m in matches], [m.end() for m in matches]


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Half-open bounds of the sentence-like stretch around ``[start, end)`` (split at .!?। plus space, or newlines)."""
    starts, ends = _boundaries(text)
    k = bisect_right(ends, start)  # boundaries ending at or before the mention start
    left = ends[k - 1] if k else 0
    j = bisect_left(starts, end)
    right = starts[j] if j < len(starts) else len(text)
    return left, max(right, end)


def normalise_mention(mention: str) -> str:
    """Lower-cased mention with whitespace collapsed and possessive/punctuation ends trimmed."""
    text = " ".join(mention.split()).lower()
    text = re.sub(r"(’s|'s)$", "", text)
    return text.strip(" .,;:!?\"'“”„‘’«»()[]")


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _bucket(value: float, edges: Sequence[float]) -> int:
    return sum(value >= e for e in edges)


def _views(ctx: MentionContext) -> dict[str, object]:
    """The raw inputs of every feature view for one mention (token lists or strings)."""
    text, lang = ctx.text, ctx.lang
    mention = normalise_mention(ctx.mention) or ctx.mention.lower()
    mention_tokens = _tokens(mention) or [mention]
    s_start, s_end = sentence_bounds(text, ctx.start, ctx.end)
    left = _tokens(text[s_start : ctx.start])
    right = _tokens(text[ctx.end : s_end])

    near = [f"L{i}:{w}" for i, w in enumerate(reversed(left[-_NEAR:]), 1)]
    near += [f"R{i}:{w}" for i, w in enumerate(right[:_NEAR], 1)]
    near += [f"l:{w}" for w in left[-_NEAR:]] + [f"r:{w}" for w in right[:_NEAR]]
    near += ["L:<s>"] if not left else []

    # every sentence naming the same entity (its last token, which also catches "Volodymyr Zelensky" / "Zelensky")
    head = mention_tokens[-1]
    lowered = text.lower()
    entity_words: list[str] = []
    occurrences = 0
    first = ctx.start
    seen: set[tuple[int, int]] = set()
    for match in re.finditer(rf"(?<!\w){re.escape(head)}(?!\w)", lowered):
        occurrences += 1
        first = min(first, match.start())
        bounds = sentence_bounds(text, match.start(), match.end())
        if bounds in seen:
            continue
        seen.add(bounds)
        entity_words += _tokens(text[bounds[0] : match.start()] + " " + text[match.end() : bounds[1]])

    cues = [
        f"lang={lang}",
        f"freq={_bucket(occurrences, (2, 3, 5, 9))}",
        f"first_pos={_bucket(first / max(len(text), 1), (0.05, 0.2, 0.5))}",
        f"ntok={min(len(mention_tokens), 4)}",
        f"in_title={int(ctx.start < max(text.find(chr(10)), 0))}",
        f"upper={int(ctx.mention[:1].isupper())}",
        f"sent_pos={_bucket(len(left), (1, 4, 10))}",
    ]
    return {
        "mention": [f"{lang}:{mention}", f"{lang}:head:{head}"] + [f"{lang}:tok:{t}" for t in mention_tokens],
        "mention_chars": f"{lang} {mention}",
        "near": [f"{lang}:{f}" for f in near],
        "sentence_words": [f"{lang}:{w}" for w in left + right],
        "entity_doc": [f"{lang}:{w}" for w in entity_words],
        "cues": cues + [f"{lang}:{c}" for c in cues[1:]],
    }


def _vectorizer(view: str) -> TfidfVectorizer:
    if view == "mention_chars":
        return TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 4), min_df=2, sublinear_tf=True, max_features=30000, dtype=np.float32
        )
    min_df = 1 if view in ("mention", "cues") else 2
    max_features = 20000 if view == "entity_doc" else 60000
    return TfidfVectorizer(
        analyzer=_identity, min_df=min_df, sublinear_tf=True, max_features=max_features, dtype=np.float32
    )


def _compact(model: object) -> object:
    """Shrink a fitted SGD classifier for saving: drop the optimiser's copies of the weights and keep ``coef_`` as
    float32 (the features are float32), sparse when mostly zero (fine-role models see one main role's mentions)."""
    if not hasattr(model, "coef_"):
        return model  # a constant predictor (a fine role present in every or no mention of its main role)
    for name in ("_standard_coef", "_standard_intercept", "_average_coef", "_average_intercept"):
        if hasattr(model, name):
            delattr(model, name)
    model.coef_ = model.coef_.astype(np.float32)
    if np.count_nonzero(model.coef_) < 0.3 * model.coef_.size:
        model.sparsify()
    return model


class EntityRoleClassifier(BaseEstimator):
    """Main-role and fine-role classifier for entity mentions (see the module docstring).

    ``views`` selects the feature views (for ablations); ``alpha`` and ``fine_alpha`` are the L2 penalties of the
    main-role and fine-role logistic models (fitted by averaged SGD, which takes seconds where exact solvers take
    minutes on these ~120k sparse features); ``class_weight`` applies to the main-role model.
    """

    def __init__(
        self,
        views: tuple[str, ...] = ALL_VIEWS,
        alpha: float = 1e-4,
        fine_alpha: float = 1e-4,
        fine_threshold: float = 0.6,
        class_weight: str | None = None,
    ):
        self.views = views
        self.alpha = alpha
        self.fine_alpha = fine_alpha
        self.fine_threshold = fine_threshold
        self.class_weight = class_weight

    # -- features ---------------------------------------------------------------------------------------------
    def _matrix(self, contexts: Sequence[MentionContext], fit: bool = False) -> sp.csr_matrix:
        raw = [_views(c) for c in contexts]
        if fit:
            self.vectorizers_ = {view: _vectorizer(view) for view in self.views}
        blocks = []
        for view, vectorizer in self.vectorizers_.items():
            column = [r[view] for r in raw]
            blocks.append(vectorizer.fit_transform(column) if fit else vectorizer.transform(column))
        return sp.hstack(blocks, format="csr")

    # -- training ---------------------------------------------------------------------------------------------
    def fit(
        self, contexts: Sequence[MentionContext], main_roles: Sequence[str], fine_roles: Sequence[Sequence[str]]
    ) -> EntityRoleClassifier:
        if not (len(contexts) == len(main_roles) == len(fine_roles)):
            raise ValueError("contexts, main_roles and fine_roles must have the same length")
        X = self._matrix(contexts, fit=True)
        y = np.asarray(main_roles)
        self.main_model_ = _compact(self._logistic(self.alpha, self.class_weight).fit(X, y))
        self.classes_ = self.main_model_.classes_
        self.fine_models_: dict[str, tuple[MultiLabelBinarizer, OneVsRestClassifier | None]] = {}
        for main in self.classes_:
            rows = np.flatnonzero(y == main)
            binarizer = MultiLabelBinarizer().fit([fine_roles[i] for i in rows])
            Y = binarizer.transform([fine_roles[i] for i in rows])
            if len(binarizer.classes_) < 2:
                self.fine_models_[main] = (binarizer, None)
                continue
            model = OneVsRestClassifier(self._logistic(self.fine_alpha)).fit(X[rows], Y)
            for estimator in model.estimators_:
                _compact(estimator)
            self.fine_models_[main] = (binarizer, model)
        self.fine_classes_ = sorted({f for roles in fine_roles for f in roles})
        return self

    @staticmethod
    def _logistic(alpha: float, class_weight: str | None = None) -> SGDClassifier:
        return SGDClassifier(
            loss="log_loss", alpha=alpha, max_iter=30, tol=None, average=True, class_weight=class_weight, random_state=0
        )

    # -- inference --------------------------------------------------------------------------------------------
    def predict_proba(self, contexts: Sequence[MentionContext]) -> np.ndarray:
        """Main-role probabilities, columns in ``classes_`` order."""
        return self.main_model_.predict_proba(self._matrix(contexts))

    def predict(self, contexts: Sequence[MentionContext]) -> np.ndarray:
        return self.classes_[self.predict_proba(contexts).argmax(axis=1)]

    def _fine_given_main(self, X: sp.csr_matrix, main: str) -> tuple[list[str], np.ndarray]:
        binarizer, model = self.fine_models_[main]
        classes = [str(c) for c in binarizer.classes_]
        if model is None:
            return classes, np.ones((X.shape[0], len(classes)))
        proba = model.predict_proba(X)
        # one-vs-rest scores are independent; the top one is always chosen, so normalising is unnecessary
        return classes, np.asarray(proba)

    def predict_roles(self, contexts: Sequence[MentionContext]) -> list[RolePrediction]:
        """Main role, its probabilities, and the chosen fine roles (with probabilities) for each mention."""
        if not contexts:
            return []
        X = self._matrix(contexts)
        main_proba = self.main_model_.predict_proba(X)
        best = main_proba.argmax(axis=1)
        fine_by_main = {}
        for k, main in enumerate(self.classes_):
            rows = np.flatnonzero(best == k)
            if rows.size:
                fine_by_main[main] = (rows, *self._fine_given_main(X[rows], main))
        chosen: dict[int, dict[str, float]] = {}
        for main, (rows, classes, proba) in fine_by_main.items():
            k = list(self.classes_).index(main)
            for i, row in enumerate(rows):
                order = np.argsort(-proba[i])
                picked = [order[0]] + [j for j in order[1:] if proba[i, j] >= self.fine_threshold]
                chosen[row] = {classes[j]: float(main_proba[row, k] * proba[i, j]) for j in picked}
        return [
            RolePrediction(
                main_role=str(self.classes_[best[i]]),
                main_proba={str(c): float(p) for c, p in zip(self.classes_, main_proba[i])},
                fine_roles=chosen[i],
            )
            for i in range(len(contexts))
        ]

    # -- persistence ------------------------------------------------------------------------------------------
    def save(self, directory: str | Path, metadata: dict | None = None) -> None:
        """Write ``model.joblib`` (vocabularies and coefficients, compressed) and ``meta.json``."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        for vectorizer in self.vectorizers_.values():
            if hasattr(vectorizer, "stop_words_"):
                vectorizer.stop_words_ = None  # the pruned vocabulary is not needed to transform
        joblib.dump(self, directory / "model.joblib", compress=3)
        meta = {"params": {k: list(v) if isinstance(v, tuple) else v for k, v in self.get_params().items()}}
        meta.update(metadata or {})
        (directory / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, directory: str | Path) -> EntityRoleClassifier:
        model = joblib.load(Path(directory) / "model.joblib")
        if not isinstance(model, cls):
            raise TypeError(f"{directory} does not hold an {cls.__name__}")
        return model

    @classmethod
    def load_default(cls) -> EntityRoleClassifier:
        """The model trained on all five SemEval languages that ships with narrascope."""
        return cls.load(packaged_model_dir("entities"))
