"""Narrative and sub-narrative classification: a calibrated multi-label text model plus hierarchical decoding.

:class:`NarrativeClassifier` is a scikit-learn style estimator: word and character n-gram TF-IDF features (one
vocabulary shared by all languages, so Bulgarian and Russian, or English and Portuguese, share character n-grams)
plus a per-language bias, and one ridge regression per label solved jointly in the dual (all labels at once,
fast for a few thousand documents). Decision scores become probabilities with Platt scaling fitted on internal
cross-validated scores, so every label carries a calibrated probability.

:class:`HierarchyDecoder` turns label probabilities into a consistent SemEval-style answer: narratives above a
threshold, their sub-narratives above another (a narrative with none gets ``"<Narrative>: Other"``), and the
exclusive ``Other`` when no narrative passes or ``P(Other)`` is high. Thresholds are tuned for samples-F1 by
:mod:`narrascope.models.training`.

Any estimator with ``fit(texts, labels, langs)``, ``predict_proba(texts, langs)``, ``classes_``,
``sentence_scores`` and ``to_state``/``from_state`` can replace :class:`NarrativeClassifier` behind the analyser.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.optimize import minimize
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold

from narrascope.models.format import load_model, save_model
from narrascope.text.languages import LANGUAGES
from narrascope.text.sentences import split_sentences
from narrascope.text.words import TOKEN_PATTERN

__all__ = ["NarrativeClassifier", "HierarchyDecoder", "NarrativeModel", "children_of", "OTHER", "LANGUAGES"]

COMPONENT = "narratives"
OTHER = "Other"
_MIN_POSITIVES = 2  # labels seen fewer times get a constant prior probability
SALIENCE_L2 = 1.0  # L2 penalty of the salience weights (7 features x (shared + 5 languages), ~1,000 documents)
SKLEARN_TOKEN_PATTERN = r"(?u)\b\w\w+\b"  # the word pattern of models saved before ``token_pattern`` existed
# (they had no ``prototypes`` either)
_FLOOR = -5.0  # pooled score of a label with no sentence left to support it (far below any ridge score)


class NarrativeClassifier(BaseEstimator):
    """Multi-label classifier whose document score is pooled from its sentences' scores (multiple-instance learning).

    Features are TF-IDF word + char n-grams (one vocabulary for all languages) plus a per-language bias; one ridge
    regression per label is fitted on whole documents (dual form, all labels at once). A text is scored sentence by
    sentence with those weights (each sentence read with ``window`` neighbouring sentences on either side as
    context, their features weighted ``context_weight``), and the sentence scores are pooled by a smooth maximum
    (log-mean-exp at ``temperature``), so the
    sentences that score highest are the ones that made the decision. Sentences where the
    author rejects what they report (``REJECTION_CUES``: "debunked", "false claim", ...) are left out of the pool
    for every narrative label when ``skip_rejected``. With ``salience``, the pool weights are learned from where the
    annotators' explanations point; with ``prototypes`` too, each label weighs a sentence by its likeness to that
    label's explanations. ``pooling="document"`` scores the whole text as one instance
    (the version-1 model, kept for comparison). Pooled scores become probabilities by Platt scaling fitted on
    out-of-fold pooled scores; folds keep ``groups`` (near-duplicate copies) together.

    ``fit(texts, labels, langs, groups)`` takes label sets per document; ``predict_proba`` returns an
    ``(n_docs, n_classes)`` array aligned with ``classes_``; ``sentence_scores`` gives each sentence's score.
    """

    def __init__(self, word_max_features: int = 20000, char_max_features: int = 30000, char_weight: float = 1.0,
                 alpha: float = 1.0, pooling: str = "sentences", temperature: float = 1.0, window: int = 0,
                 context_weight: float = 1.0, skip_rejected: bool = True, salience: bool = True,
                 salience_share: float = 0.5, prototypes: bool = True, calibration_folds: int = 10,
                 token_pattern: str = TOKEN_PATTERN, random_state: int = 0):
        self.word_max_features = word_max_features
        self.char_max_features = char_max_features
        self.char_weight = char_weight
        self.alpha = alpha
        self.pooling = pooling
        self.temperature = temperature
        self.window = window
        self.context_weight = context_weight
        self.skip_rejected = skip_rejected
        self.salience = salience
        self.salience_share = salience_share
        self.prototypes = prototypes
        self.calibration_folds = calibration_folds
        self.token_pattern = token_pattern
        self.random_state = random_state

    # features -------------------------------------------------------------------------------------------
    def _vectorizers(self) -> tuple[TfidfVectorizer, TfidfVectorizer]:
        word = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=self.word_max_features, sublinear_tf=True,
                               token_pattern=self.token_pattern, dtype=np.float32)
        char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, max_features=self.char_max_features,
                               sublinear_tf=True, dtype=np.float32)
        return word, char

    def _features(self, texts: list[str], langs: list[str | None], fit: bool = False) -> sparse.csr_matrix:
        if not texts and not fit:
            n_text = len(self.word_vectorizer_.vocabulary_) + len(self.char_vectorizer_.vocabulary_)
            return sparse.csr_matrix((0, n_text + len(LANGUAGES) + 1), dtype=np.float32)
        lang_block = np.zeros((len(texts), len(LANGUAGES) + 1), np.float32)
        lang_block[:, -1] = 1.0  # bias
        for i, lang in enumerate(langs):
            if lang and lang.lower() in LANGUAGES:
                lang_block[i, LANGUAGES.index(lang.lower())] = 1.0
        word, char = self.word_vectorizer_, self.char_vectorizer_
        blocks = (word.fit_transform(texts), char.fit_transform(texts)) if fit else (word.transform(texts), char.transform(texts))
        return sparse.hstack([blocks[0], np.sqrt(self.char_weight) * blocks[1], sparse.csr_matrix(lang_block)],
                             format="csr", dtype=np.float32)

    def _instances(self, texts: list[str], langs: list[str | None], sentences: list[list[tuple[int, int]]] | None,
                   ) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray, np.ndarray]:
        """Features of the scored instances, the document each belongs to (sorted), whether its author rejects it,
        and each instance's log weight in its document's pool (:meth:`_log_weights`).

        ``sentences`` (offsets per text) are the parts of each text that are read, in reading order; without them
        the whole text is, split here into sentences.
        """
        if self.pooling == "document":
            if sentences is not None:
                texts = ["\n".join(text[s:e] for s, e in spans) for text, spans in zip(texts, sentences)]
            return self._features(texts, langs), np.arange(len(texts)), np.zeros(len(texts), bool), np.zeros(len(texts))
        if sentences is None:
            sentences = [split_sentences(text) for text in texts]
        quoted = [text[s:e] for text, spans in zip(texts, sentences) for s, e in spans]
        owner = np.repeat(np.arange(len(texts)), [len(spans) for spans in sentences])
        rejected = np.array([rejects(q) for q in quoted], bool) if self.skip_rejected else np.zeros(len(quoted), bool)
        X = self._features(quoted, [langs[i] for i in owner])
        features = self._salience_features(X, owner, quoted) if self._salient() else None
        if features is not None and self._prototyped():
            log_weights = self._log_weights(features, owner, len(texts), self._affinity(X), _language_gains(X))
        else:
            log_weights = self._log_weights(features, owner, len(texts))
        return self._in_context(X, owner), owner, rejected, log_weights

    def _salient(self) -> bool:
        return getattr(self, "salience_coef_", None) is not None

    def _prototyped(self) -> bool:
        return getattr(self, "prototypes_", None) is not None

    def _affinity(self, X: sparse.csr_matrix, left_out: dict[int, sparse.csr_matrix] | None = None,
                  owner: np.ndarray | None = None) -> np.ndarray:
        """Cosine of each sentence to each label's prototype (``prototypes_``: the sum of the annotators'
        explanations of that label), ``(n_sentences, n_classes)``. ``left_out`` maps a document (index in ``owner``)
        to the explanation sums to take away from the prototypes for its sentences, so that in training no
        sentence is compared with its own document's explanation."""
        text = X[:, : _text_columns(X)]
        assert self.prototypes_ is not None
        P = self.prototypes_.astype(np.float64)
        dots = (text @ P.T).toarray()
        whole = np.asarray(P.multiply(P).sum(1)).ravel()
        squares = np.tile(whole, (X.shape[0], 1))
        if left_out:
            assert owner is not None
            bounds = np.searchsorted(owner, np.arange(int(owner[-1]) + 2))
            for doc, G in left_out.items():
                rows = slice(bounds[doc], bounds[doc + 1])
                dots[rows] -= (text[rows] @ G.T).toarray()
                cross = np.asarray(P.multiply(G).sum(1), dtype=np.float64).ravel()
                squares[rows] += -2 * cross + np.asarray(G.multiply(G).sum(1), dtype=np.float64).ravel()
            squares[squares < 1e-9 * whole] = 0.0  # nothing left of the prototype but rounding
        own = np.sqrt(np.asarray(text.multiply(text).sum(1), dtype=np.float64)).ravel()
        norms = own[:, None] * np.sqrt(np.maximum(squares, 0.0))
        return np.where(norms > 0, dots / np.maximum(norms, 1e-12), 0.0)

    def _salience_features(self, X: sparse.csr_matrix, owner: np.ndarray, quoted: list[str]) -> np.ndarray:
        """Label-free features of each sentence's place in its document: first or second sentence, relative
        position, log position, log length, cosine to the centroid of the other sentences and to the first sentence
        (the title line); once shared by all languages and once more for the sentence's language, so each language
        can weigh them its own way."""
        n_docs = int(owner[-1]) + 1 if len(owner) else 0
        bounds = np.searchsorted(owner, np.arange(n_docs + 1))
        size = np.diff(bounds)[owner]
        index = np.arange(len(owner)) - bounds[owner]
        text = X[:, : _text_columns(X)]  # the language block is the same for every sentence
        member = sparse.csr_matrix((np.ones(len(owner)), (owner, np.arange(len(owner)))), shape=(n_docs, len(owner)))
        totals = member @ text
        own_sq = np.asarray(text.multiply(text).sum(1)).ravel()
        with_total = np.asarray(text.multiply(totals[owner]).sum(1)).ravel()
        total_sq = np.asarray(totals.multiply(totals).sum(1)).ravel()[owner]
        rest_sq = np.maximum(total_sq - 2 * with_total + own_sq, 0.0)
        centroid = np.where(rest_sq > 0, (with_total - own_sq) / np.sqrt(np.maximum(own_sq * rest_sq, 1e-12)), 0.0)
        first = bounds[owner]
        with_first = np.asarray(text.multiply(text[first]).sum(1)).ravel()
        to_first = with_first / np.sqrt(np.maximum(own_sq * own_sq[first], 1e-12))
        length = np.log1p([len(q) for q in quoted]) if quoted else np.zeros(0)
        base = np.column_stack([index == 0, index == 1, index / np.maximum(size - 1, 1), np.log1p(index), length,
                                centroid, to_first]).astype(np.float64)
        language = _language_gains(X)[:, 1:]
        return np.hstack([base] + [base * language[:, [k]] for k in range(len(LANGUAGES))])

    def _log_weights(self, features: np.ndarray | None, owner: np.ndarray, n_docs: int,
                     affinity: np.ndarray | None = None, gains: np.ndarray | None = None) -> np.ndarray:
        """Each instance's log weight in its document's pool: ``salience_share`` of the softmax of the learned
        salience within the document plus the rest spread evenly (all even, log-mean-exp pooling, without salience).
        With prototypes (``affinity``, one column per class, and the language ``gains``), the salience of a
        sentence for a label also grows with its likeness to that label's explanations: one weight per class."""
        coef = getattr(self, "salience_coef_", None)
        if features is None or coef is None:
            return -np.log(np.maximum(np.bincount(owner, minlength=n_docs), 1))[owner]
        n_base = features.shape[1]
        z = (features @ coef[:n_base])[:, None]
        if affinity is not None and gains is not None:
            z = z + affinity * (gains @ coef[n_base:])[:, None]
        top = np.full((n_docs, z.shape[1]), -np.inf)
        np.maximum.at(top, owner, z)
        total = np.zeros((n_docs, z.shape[1]))
        np.add.at(total, owner, np.exp(z - top[owner]))
        salient = np.exp(z - top[owner]) / total[owner]
        uniform = 1.0 / np.bincount(owner, minlength=n_docs)[owner]
        weights = np.log((1 - self.salience_share) * uniform[:, None] + self.salience_share * salient)
        return weights if affinity is not None else weights[:, 0]

    def _in_context(self, X: sparse.csr_matrix, owner: np.ndarray) -> sparse.csr_matrix:
        """What each sentence is scored on: its features plus ``context_weight`` times those of the ``window``
        sentences of its document on either side, each n-gram block normalised again (unchanged without a window)."""
        if not self.window:
            return X
        n = X.shape[0]
        rows, cols, values = [np.arange(n)], [np.arange(n)], [np.ones(n)]
        for step in range(1, self.window + 1):
            near = np.flatnonzero(owner[:-step] == owner[step:]) if n > step else np.zeros(0, int)
            rows += [near, near + step]
            cols += [near + step, near]
            values += [np.full(len(near), self.context_weight)] * 2
        mix = sparse.csr_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
        n_word = len(self.word_vectorizer_.vocabulary_)
        n_text = n_word + len(self.char_vectorizer_.vocabulary_)
        blocks = []
        for start, stop, norm in ((0, n_word, 1.0), (n_word, n_text, np.sqrt(self.char_weight))):
            block = mix @ X[:, start:stop]
            length = np.sqrt(np.asarray(block.multiply(block).sum(1)).ravel())
            blocks.append(sparse.diags(norm / np.maximum(length, 1e-12)) @ block)
        return sparse.hstack(blocks + [X[:, n_text:]], format="csr", dtype=np.float32)

    def _contributions(self, scores: np.ndarray, log_weights: np.ndarray, rejected: np.ndarray,
                       class_mask: np.ndarray) -> np.ndarray:
        """What each instance adds to its document's pool, on the score scale: its score plus ``temperature`` times
        its log weight; ``-inf`` where the author rejects the sentence, for narrative labels (``class_mask``)."""
        out = scores + self.temperature * (log_weights if log_weights.ndim == 2 else log_weights[:, None])
        return np.where(rejected[:, None] & class_mask[None, :], -np.inf, out)

    def _pool(self, scores: np.ndarray, owner: np.ndarray, rejected: np.ndarray, log_weights: np.ndarray,
              n_docs: int) -> np.ndarray:
        """Document scores from instance scores: the salience-weighted log-sum-exp of each document's instances
        (log-mean-exp without salience), rejected instances left out of narrative labels (a document whose every
        sentence is rejected scores ``_FLOOR`` for them)."""
        out = np.full((n_docs, scores.shape[1]), _FLOOR)
        if self.pooling == "document":
            out[owner] = scores
            return out
        added = self._contributions(scores, log_weights, rejected, self.classes_ != OTHER)
        bounds = np.searchsorted(owner, np.arange(n_docs + 1))  # owner is sorted
        t = self.temperature
        for doc in range(n_docs):
            block = added[bounds[doc] : bounds[doc + 1]]
            if len(block):
                top = block.max(0)
                finite = np.isfinite(top)
                with np.errstate(divide="ignore", invalid="ignore"):
                    pooled = top + t * np.log(np.exp((block - top) / t).sum(0))
                out[doc, finite] = pooled[finite]
        return out

    # fitting --------------------------------------------------------------------------------------------
    def fit(self, texts: list[str], labels: list[list[str]], langs: Sequence[str | None] | None = None,
            groups: list[str] | None = None, auxiliary: list[bool] | None = None,
            evidence: list[tuple[str, list[int]] | None] | None = None) -> NarrativeClassifier:
        """Learn vocabularies, ridge weights for every label seen, the sentence salience, and the calibration of
        pooled scores.

        ``groups`` (near-duplicate copies) stay together in the calibration folds. Rows marked ``auxiliary`` (e.g.
        annotators' explanations) only add to the ridge fit: they are never scored for calibration, and are left out
        of a fold's training rows when their group is in that fold. ``evidence`` gives, for some texts, a label and
        the indexes of the sentences (of ``split_sentences(text)``) that carry it: with ``salience``, the pool
        weights are learned so that the sentence adding most to that label's pooled score is one of them
        (:meth:`_fit_salience`). ``oof_scores_`` has the non-auxiliary rows, in order.
        """
        langs = list(langs) if langs is not None else [None] * len(texts)
        groups = list(groups) if groups is not None else [str(i) for i in range(len(texts))]
        aux = np.array(auxiliary if auxiliary is not None else [False] * len(texts), bool)
        self.classes_ = np.array(sorted({label for doc in labels for label in doc}))
        self.salience_coef_: np.ndarray | None = None
        self.prototypes_: sparse.csr_matrix | None = None
        Y = np.array([[label in set(doc) for label in self.classes_] for doc in labels], dtype=np.float64)
        self.word_vectorizer_, self.char_vectorizer_ = self._vectorizers()
        X = self._features(texts, langs, fit=True)
        K = (X @ X.T).toarray().astype(np.float64)
        primary = np.flatnonzero(~aux)
        primary_texts = [texts[i] for i in primary]
        instances, owner, rejected, log_weights = self._instances(primary_texts, [langs[i] for i in primary], None)

        # out-of-fold instance scores: ridge refits on sub-blocks of the same kernel
        instance_oof = np.zeros((instances.shape[0], len(self.classes_)))
        strata = [f"{langs[i]}|{int(Y[i].sum() > 0)}" for i in primary]
        primary_groups = [groups[i] for i in primary]
        n_folds = max(min(self.calibration_folds, _smallest_stratum(strata), len(set(primary_groups))), 2)
        splitter = StratifiedGroupKFold(n_folds, shuffle=True, random_state=self.random_state)
        for tr, te in splitter.split(np.zeros(len(primary)), strata, primary_groups):
            held = {primary_groups[i] for i in te}
            rows = np.concatenate([primary[tr], [i for i in np.flatnonzero(aux) if groups[i] not in held]]).astype(int)
            weights = X[rows].T @ self._dual(K[np.ix_(rows, rows)], Y[rows])
            scored = np.isin(owner, te)
            instance_oof[scored] = np.asarray(instances[scored] @ weights)
        if self.salience and self.pooling == "sentences" and evidence is not None:
            quoted = [text[s:e] for text in primary_texts for s, e in split_sentences(text)]
            features = self._salience_features(instances, owner, quoted)
            affinity, gains = None, None
            if self.prototypes and aux.any():
                if self.window:
                    raise ValueError("prototypes read each sentence alone: give window=0 or prototypes=False")
                affinity, gains = self._fit_prototypes(X, Y, aux, groups, primary, instances, owner), _language_gains(instances)
            self._fit_salience(features, instance_oof, owner, rejected, [evidence[i] for i in primary], affinity, gains)
            log_weights = self._log_weights(features, owner, len(primary), affinity, gains)
        self.oof_scores_ = self._pool(instance_oof, owner, rejected, log_weights, len(primary))
        self.platt_ = _fit_platt(self.oof_scores_, Y[primary])
        self.coef_ = np.asarray(X.T @ self._dual(K, Y)).astype(np.float32)  # (n_features, n_classes)
        return self

    def _fit_prototypes(self, X: sparse.csr_matrix, Y: np.ndarray, aux: np.ndarray, groups: list[str],
                        primary: np.ndarray, instances: sparse.csr_matrix, owner: np.ndarray) -> np.ndarray:
        """Set ``prototypes_`` (per class, the sum of its auxiliary rows' text features: the explanations) and return
        the training sentences' affinity to them, each document's own group of explanations left out."""
        rows = np.flatnonzero(aux)
        text = X[rows][:, : _text_columns(X)]
        labelled = sparse.csr_matrix(Y[rows].T)
        self.prototypes_ = (labelled @ text).tocsr().astype(np.float32)
        text = text.astype(np.float64)
        by_group: dict[str, list[int]] = {}
        for k, i in enumerate(rows):
            by_group.setdefault(groups[i], []).append(k)
        sums = {g: (labelled[:, ks] @ text[ks]).tocsr() for g, ks in by_group.items()}
        left_out = {doc: sums[groups[i]] for doc, i in enumerate(primary) if groups[i] in sums}
        return self._affinity(instances, left_out, owner)

    def _fit_salience(self, features: np.ndarray, scores: np.ndarray, owner: np.ndarray, rejected: np.ndarray,
                      evidence: list[tuple[str, list[int]] | None], affinity: np.ndarray | None = None,
                      gains: np.ndarray | None = None) -> None:
        """Salience weights by which the sentence adding most to the pool of a document's evidenced label is likely
        one of its evidence sentences (attention-style multiple-instance learning).

        For each document with evidence, a sentence's share of the label's pool is the softmax over the document's
        sentences of ``score / temperature + log weight`` (``score``: its out-of-fold ridge score for the label;
        ``weight``: its pool weight, :meth:`_log_weights`, whose salience is the softmax of ``features @ w``); ``w``
        maximises the log of the evidence sentences' total share, with an L2 penalty (``SALIENCE_L2``).
        """
        bounds = np.searchsorted(owner, np.arange(int(owner[-1]) + 2 if len(owner) else 1))
        column = {c: j for j, c in enumerate(self.classes_)}
        rows: list[np.ndarray] = []
        targets: list[np.ndarray] = []
        docs: list[np.ndarray] = []
        for doc, item in enumerate(evidence):
            if item is None or item[0] not in column:
                continue
            label, carriers = item
            idx = np.arange(bounds[doc], bounds[doc + 1])
            usable = idx[~rejected[idx]] if label != OTHER else idx
            hit = np.isin(usable - bounds[doc], carriers)
            if hit.any() and not hit.all():
                rows.append(np.column_stack([usable, np.full(len(usable), column[label])]))
                targets.append(hit)
                docs.append(np.full(len(usable), len(docs)))
        if not rows:
            return
        picked = np.concatenate(rows)
        F = features[picked[:, 0]]
        if affinity is not None and gains is not None:  # the label's prototype, weighed per language
            F = np.hstack([F, gains[picked[:, 0]] * affinity[picked[:, 0], picked[:, 1]][:, None]])
        offset = scores[picked[:, 0], picked[:, 1]] / self.temperature
        hit = np.concatenate(targets).astype(float)
        seg = np.concatenate(docs)
        starts = np.searchsorted(seg, np.arange(len(docs)))
        even = (1 - self.salience_share) / np.bincount(seg)[seg]
        share = self.salience_share

        def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
            a = F @ w
            salient = np.exp(a - np.maximum.reduceat(a, starts)[seg])
            salient /= np.add.reduceat(salient, starts)[seg]
            weight = even + share * salient
            z = offset + np.log(weight)
            e = np.exp(z - np.maximum.reduceat(z, starts)[seg])
            every, carried = np.add.reduceat(e, starts), np.add.reduceat(e * hit, starts)
            pull = e / every[seg] - e * hit / carried[seg]  # d loss / d z
            through = pull * share * salient / weight  # d loss / d a
            mean_F = np.add.reduceat(salient[:, None] * F, starts)
            grad = (through[:, None] * F).sum(0) - (np.add.reduceat(through, starts)[:, None] * mean_F).sum(0)
            value = np.log(every).sum() - np.log(carried).sum()
            return float(value + SALIENCE_L2 / 2 * w @ w), grad + SALIENCE_L2 * w

        self.salience_coef_ = minimize(loss, np.zeros(F.shape[1]), jac=True, method="L-BFGS-B").x

    def _dual(self, K: np.ndarray, Y: np.ndarray) -> np.ndarray:
        return np.linalg.solve(K + self.alpha * np.eye(len(K)), 2 * Y - 1)

    # prediction -----------------------------------------------------------------------------------------
    def decision_function(self, texts: list[str], langs: Sequence[str | None] | None = None,
                          sentences: list[list[tuple[int, int]]] | None = None) -> np.ndarray:
        """Pooled score of every class for each text (``sentences``: offsets per text; split here when None)."""
        langs = list(langs) if langs is not None else [None] * len(texts)
        instances, owner, rejected, log_weights = self._instances(texts, langs, sentences)
        return self._pool(np.asarray(instances @ self.coef_), owner, rejected, log_weights, len(texts))

    def predict_proba(self, texts: list[str], langs: Sequence[str | None] | None = None,
                      sentences: list[list[tuple[int, int]]] | None = None) -> np.ndarray:
        """Calibrated probability of every class in ``classes_`` for each text."""
        return _platt(self.decision_function(texts, langs, sentences), self.platt_)

    def sentence_scores(self, text: str, lang: str | None, sentences: list[tuple[int, int]],
                        class_index: list[int]) -> np.ndarray:
        """What each sentence adds to each requested class's pooled score, ``(n_sentences, n_requested)``.

        The document score is ``temperature * log(sum(exp(scores / temperature)))`` of these, so a sentence's
        share of the decision is their softmax: its own ridge score plus ``temperature`` times its log salience
        weight. A sentence the author rejects adds ``-inf`` to narrative labels (when ``skip_rejected``), so it is
        never evidence for them.
        """
        if not sentences:
            return np.zeros((0, len(class_index)))
        if self.pooling == "document":  # sentences scored alone, as evidence for a decision made on the whole text
            quoted = [text[s:e] for s, e in sentences]
            instances = self._in_context(self._features(quoted, [lang] * len(sentences)), np.zeros(len(sentences), int))
            scores = np.asarray(instances @ self.coef_[:, class_index], dtype=np.float64)
            log_weights, rejected = np.zeros(len(sentences)), np.zeros(len(sentences), bool)
        else:
            instances, _, rejected, log_weights = self._instances([text], [lang], [sentences])
            scores = np.asarray(instances @ self.coef_[:, class_index], dtype=np.float64)
            if log_weights.ndim == 2:
                log_weights = log_weights[:, class_index]
        narrative = np.array([self.classes_[j] != OTHER for j in class_index], bool)
        return self._contributions(scores, log_weights, rejected, narrative)

    # persistence ----------------------------------------------------------------------------------------
    def to_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """The fitted model as JSON-able state and arrays (coefficients as float16), for :mod:`narrascope.models.format`."""
        state = {"params": self.get_params(), "classes": self.classes_.tolist(),
                 "word_vocabulary": _vocab_list(self.word_vectorizer_),
                 "char_vocabulary": _vocab_list(self.char_vectorizer_)}
        salience = {"salience": self.salience_coef_} if self._salient() else {}
        prototypes = getattr(self, "prototypes_", None)
        if prototypes is not None:
            salience.update(prototype_data=prototypes.data.astype(np.float16), prototype_indices=prototypes.indices,
                            prototype_indptr=prototypes.indptr)
        arrays = {"coef": self.coef_.astype(np.float16), "platt": self.platt_, **salience,
                  "word_idf": self.word_vectorizer_.idf_.astype(np.float32),
                  "char_idf": self.char_vectorizer_.idf_.astype(np.float32)}
        return state, arrays

    @classmethod
    def from_state(cls, state: dict, arrays: dict[str, np.ndarray]) -> NarrativeClassifier:
        """The model :meth:`to_state` described."""
        model = cls(**{"token_pattern": SKLEARN_TOKEN_PATTERN, "prototypes": False, **state["params"]})
        model.classes_ = np.array(state["classes"])
        model.word_vectorizer_, model.char_vectorizer_ = model._vectorizers()
        for vectorizer, vocab, idf in ((model.word_vectorizer_, state["word_vocabulary"], arrays["word_idf"]),
                                       (model.char_vectorizer_, state["char_vocabulary"], arrays["char_idf"])):
            vectorizer.vocabulary_ = {term: i for i, term in enumerate(vocab)}
            vectorizer.idf_ = idf
        model.coef_ = arrays["coef"].astype(np.float32)
        model.platt_ = arrays["platt"]
        model.salience_coef_ = arrays.get("salience")
        model.prototypes_ = None
        if "prototype_data" in arrays:
            model.prototypes_ = sparse.csr_matrix(
                (arrays["prototype_data"].astype(np.float32), arrays["prototype_indices"], arrays["prototype_indptr"]),
                shape=(len(model.classes_), len(model.word_vectorizer_.vocabulary_) + len(model.char_vectorizer_.vocabulary_)))
        return model


# Phrases by which an author marks a reported claim as false (English, Bulgarian, Hindi, Portuguese, Russian).
REJECTION_CUES = re.compile(
    r"debunk|false(?:ly)? claim|\bfalsely\b|\bbaseless\b|\bunfounded\b|fact[- ]check|conspiracy theor|\bmyths?\b"
    r"|disinformation|misinformation|(?:russian|kremlin|putin'?s?) propaganda|propaganda (?:claims?|says|narrative)"
    r"|фалшив|дезинформац|опроверг|(?:руска(?:та)?|кремълска(?:та)?) пропаганда|\bмит(?:ове)?\b"
    r"|фейк|дезинформац|опроверг|(?:российск|кремлевск|кремлёвск)\w* пропаганд|\bмиф\w*|голословн|ложн\w* утвержд"
    r"|desinforma|desmentid|desmente|(?:propaganda russa|propaganda do kremlin)|\bmito\b|sem fundamento"
    r"|teoria da conspira|alegação falsa|afirmação falsa"
    r"|दुष्प्रचार|भ्रामक|फर्जी|अफवाह|खंडन|गलत दावा|झूठा दावा",
    re.IGNORECASE)


def _text_columns(X: sparse.csr_matrix) -> int:
    """How many leading columns of instance features are n-grams (the language one-hot block and the bias follow)."""
    return X.shape[1] - len(LANGUAGES) - 1


def _language_gains(X: sparse.csr_matrix) -> np.ndarray:
    """A one column and the language one-hot columns of instance features: a weight shared by all languages plus
    one per language (of the prototype affinity; the salience features use the one-hot columns too)."""
    n_text = _text_columns(X)
    language = X[:, n_text : n_text + len(LANGUAGES)].toarray().astype(np.float64)
    return np.hstack([np.ones((X.shape[0], 1)), language])


def rejects(sentence: str) -> bool:
    """Whether a sentence marks what it reports as false or as propaganda (see ``REJECTION_CUES``)."""
    return REJECTION_CUES.search(sentence) is not None


def _smallest_stratum(strata: list[str]) -> int:
    counts: dict[str, int] = {}
    for s in strata:
        counts[s] = counts.get(s, 0) + 1
    return min(counts.values()) if counts else 0


def _vocab_list(vectorizer: TfidfVectorizer) -> list[str]:
    vocab = [""] * len(vectorizer.vocabulary_)
    for term, i in vectorizer.vocabulary_.items():
        vocab[i] = term
    return vocab


def _fit_platt(scores: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Per class ``(slope, intercept)`` mapping a score to a probability; a prior for classes too rare to fit."""
    params = np.zeros((Y.shape[1], 2))
    for j in range(Y.shape[1]):
        positives = Y[:, j].sum()
        if positives < _MIN_POSITIVES or positives == len(Y):
            prior = (positives + 0.5) / (len(Y) + 1.0)
            params[j] = (0.0, np.log(prior / (1 - prior)))
            continue
        lr = LogisticRegression(C=100.0).fit(scores[:, j : j + 1], Y[:, j])
        params[j] = (lr.coef_[0, 0], lr.intercept_[0])
    return params


def _platt(scores: np.ndarray, params: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(scores * params[:, 0] + params[:, 1])))


@dataclass
class HierarchyDecoder:
    """Consistent two-level label sets from per-label probabilities.

    A narrative is predicted when ``P(narrative) >= narrative_threshold``; among its children, sub-narratives
    with ``P >= subnarrative_threshold`` are predicted, and ``"<Narrative>: Other"`` when none is. A document
    is ``Other`` (alone, at both levels) when no narrative passes or ``P(Other) >= other_threshold``.
    With ``single_domain``, only narratives of the document's domain (``URW``, ``CC``: the name prefix) are
    kept, the domain being the one of the most probable narrative: in the training data 1 document in 1,781
    mixes domains. ``per_language`` overrides the three thresholds for a language code.
    """

    narrative_threshold: float = 0.3
    subnarrative_threshold: float = 0.2
    other_threshold: float = 1.01
    per_language: dict[str, tuple[float, float, float]] | None = None
    single_domain: bool = True

    def thresholds(self, lang: str | None) -> tuple[float, float, float]:
        if self.per_language and lang and lang.lower() in self.per_language:
            return tuple(self.per_language[lang.lower()])  # type: ignore[return-value]
        return self.narrative_threshold, self.subnarrative_threshold, self.other_threshold

    def decode(self, proba: np.ndarray, classes: list[str], children: dict[str, list[str]],
               lang: str | None = None) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """``(narratives, sub-narratives)`` as ``(label, probability)`` lists for one document.

        ``children`` maps each narrative to its specific sub-narratives (``<N>: Other`` excluded). The score of
        ``<N>: Other`` is the narrative's probability times the chance that none of its modelled children holds.
        """
        t_nar, t_sub, t_other = self.thresholds(lang)
        p = dict(zip(classes, (float(x) for x in proba)))
        p_other = p.get(OTHER, 0.0)
        narratives = sorted(((n, p[n]) for n in children if n in p and p[n] >= t_nar), key=lambda x: -x[1])
        if self.single_domain and narratives:
            domain = domain_of(narratives[0][0])
            narratives = [(n, pn) for n, pn in narratives if domain_of(n) == domain]
        if not narratives or p_other >= t_other:
            top = max((p[n] for n in children if n in p), default=0.0)
            score = max(p_other, 1.0 - top)
            return [(OTHER, score)], [(OTHER, score)]
        subs: list[tuple[str, float]] = []
        for narrative, p_nar in narratives:
            kids = [(s, p[s]) for s in children[narrative] if s in p]
            chosen = sorted(((s, ps) for s, ps in kids if ps >= t_sub), key=lambda x: -x[1])
            if chosen:
                subs.extend(chosen)
            else:
                subs.append((f"{narrative}: {OTHER}", p_nar * float(np.prod([1 - ps for _, ps in kids]))))
        return narratives, subs

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> HierarchyDecoder:
        per_language = data.get("per_language")
        return cls(data["narrative_threshold"], data["subnarrative_threshold"], data["other_threshold"],
                   {k: tuple(v) for k, v in per_language.items()} if per_language else None,
                   data.get("single_domain", True))


def domain_of(narrative: str) -> str:
    """The domain code a narrative name starts with (``"URW: Praise of Russia"`` -> ``"URW"``)."""
    return narrative.split(": ", 1)[0]


THRESHOLD_GRID = {
    "narrative_threshold": [round(x, 3) for x in np.arange(0.10, 0.61, 0.05)],
    "subnarrative_threshold": [round(x, 3) for x in np.arange(0.05, 0.56, 0.05)],
    "other_threshold": [0.4, 0.5, 0.6, 0.7, 1.01],
}


def threshold_candidates() -> list[tuple[float, float, float]]:
    """Every (narrative, sub-narrative, Other) threshold triple searched when tuning."""
    return list(itertools.product(*THRESHOLD_GRID.values()))


def children_of(classes: list[str], narratives: list[str], parent_of: dict[str, str]) -> dict[str, list[str]]:
    """Narrative -> its specific sub-narratives among ``classes`` (``<N>: Other`` is derived, never modelled)."""
    out: dict[str, list[str]] = {n: [] for n in narratives if n != OTHER and n in classes}
    for label in classes:
        parent = parent_of.get(label)
        if parent in out and not label.endswith(f": {OTHER}"):
            out[parent].append(label)
    return out


class NarrativeModel:
    """A fitted classifier, its decoder thresholds, the label hierarchy and display thresholds: what the analyser loads.

    ``children`` maps every narrative to its modelled sub-narratives, so a saved model carries its own hierarchy.
    ``display_thresholds`` (per layer, ``narratives`` and ``subnarratives``) is the probability from which a decoded
    label was right at least half the time out of fold: below it a label is shown only as *possible*.
    """

    def __init__(self, classifier: NarrativeClassifier, decoder: HierarchyDecoder, children: dict[str, list[str]],
                 info: dict | None = None, display_thresholds: dict[str, float] | None = None):
        self.classifier = classifier
        self.decoder = decoder
        self.children = children
        self.info = info or {}
        self.display_thresholds = display_thresholds or {}

    @property
    def classes(self) -> list[str]:
        return [str(c) for c in self.classifier.classes_]

    def predict(self, texts: list[str], langs: Sequence[str | None] | None = None,
                sentences: list[list[tuple[int, int]]] | None = None,
                ) -> list[tuple[list[tuple[str, float]], list[tuple[str, float]]]]:
        """``(narratives, sub-narratives)`` with probabilities for each text (``sentences``: the parts read)."""
        langs = list(langs) if langs is not None else [None] * len(texts)
        proba = self.classifier.predict_proba(texts, langs, sentences)
        return [self.decoder.decode(row, self.classes, self.children, lang) for row, lang in zip(proba, langs)]

    def save(self, directory: str | Path, metadata: dict | None = None) -> None:
        """Write the model folder (:mod:`narrascope.models.format`); ``metadata`` (default ``info``) is what its
        training recorded."""
        state, arrays = self.classifier.to_state()
        state = {"classifier": state, "decoder": self.decoder.to_dict(), "children": self.children,
                 "display_thresholds": self.display_thresholds}
        save_model(directory, COMPONENT, state, arrays, self.info if metadata is None else metadata)

    @classmethod
    def load(cls, directory: str | Path) -> NarrativeModel:
        saved = load_model(directory, COMPONENT)
        state = saved.state
        return cls(NarrativeClassifier.from_state(state["classifier"], saved.arrays),
                   HierarchyDecoder.from_dict(state["decoder"]), state["children"], saved.training,
                   state["display_thresholds"])
