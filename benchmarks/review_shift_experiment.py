"""Does a narrative model retrained with a team's reviews agree more with those reviews? A synthetic shifted corpus.

A team's material drifts from the training data: here every narrative of a synthetic article is signalled only by
coined vocabulary that no SemEval-2025 training document contains (the sentence frames around it are shared by all
narratives, so nothing else tells them apart). The steps are the ones a team takes, through the same code paths as
the commands:

1. a base model is trained on the development part of the SemEval-2025 Task 10 training data (``--langs``; the
   packaged held-out split is set apart) — ``narrascope train narratives --semeval DIR --langs EN --save-version base``;
2. two sets of synthetic articles are analysed with it into two stores — ``narrascope analyze``: the *reviewed*
   store (``--train-docs`` articles) and the *held-out* store (``--heldout-docs`` other articles, never trained on);
3. a programmatic reviewer corrects every article of both stores from the articles' true labels, through the
   correction API (:func:`narrascope.review.correct`: accept, reject, add) — as ``narrascope review correct`` does;
4. a model is retrained on the same development part plus the reviewed store's documents —
   ``narrascope train narratives --semeval DIR --langs EN --with-reviews --db reviewed.db --save-version with-reviews``;
5. both models' agreement with the held-out store's reviews is measured —
   ``narrascope eval narratives --reviews --db heldout.db --model base`` and ``--model with-reviews`` — beside their figure on
   the packaged SemEval held-out split (to see that learning the team's material cost nothing there).

Run: ``PYTHONPATH=src nice -n 5 .venv/bin/python benchmarks/review_shift_experiment.py
--semeval ../shared/data/semeval2025-task10/train --langs EN`` (about two minutes on one core).
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from narrascope.document import Document
from narrascope.models.narratives import NarrativeModel
from narrascope.models.training import _fold_predictions, _per_document, evaluate_reviews, split_heldout, train_model
from narrascope.pipeline import PipelineConfig, load_pipeline
from narrascope.review import correct, reviewed_documents
from narrascope.runner import analyse_into_store
from narrascope.semeval import load_corpus
from narrascope.store import Store
from narrascope.taxonomy import load_taxonomy

# Each narrative (with one of its sub-narratives) is signalled by coined words only.
SIGNALS = {
    ("CC: Criticism of climate policies", "CC: Criticism of climate policies: Climate policies have negative impact "
                                          "on the economy"): ["brakmor", "quentaxe", "vellard", "ostrun"],
    ("URW: Discrediting Ukraine", "URW: Discrediting Ukraine: Discrediting Ukrainian government and officials and "
                                  "policies"): ["zhalvik", "morrant", "kesperon", "dulvane"],
    ("URW: Praise of Russia", "URW: Praise of Russia: Praise of Russian military might"): [
        "tovrik", "glassen", "primaut", "hestorel"],
    ("CC: Amplifying Climate Fears", "CC: Amplifying Climate Fears: Doomsday scenarios for humans"): [
        "skelvane", "oruthi", "nembral", "frostquill"],
}
FRAMES = ["Many people now say the {a} is really about the {b}.", "Commentators keep returning to the {a} and the {b}.",
          "The {a} came up again, and with it talk of the {b}.", "Nobody at the meeting could ignore the {a} or the {b}.",
          "Readers wrote in about the {a}, many of them mentioning the {b}."]
FILLER = ["The council met on Tuesday to discuss the budget.", "Traffic was heavy on the main road in the morning.",
          "Local schools will open a week later this year.", "A new bakery opened near the station last month.",
          "The weather service expects rain over the weekend.", "Officials said the report would be published soon.",
          "Several residents attended the public hearing.", "The football club announced a new coach.",
          "Prices at the market were stable this week.", "The museum extended its opening hours for the summer."]


def synthetic_articles(n: int, seed: int, prefix: str) -> list[tuple[Document, list[str], list[str]]]:
    """``n`` articles with their true narratives and sub-narratives (one or two narratives, or none: ``Other``)."""
    rng = random.Random(seed)
    keys = list(SIGNALS)
    out = []
    for i in range(n):
        chosen = rng.sample(keys, rng.choice([0, 1, 1, 1, 2]))
        sentences = rng.sample(FILLER, 4)
        for key in chosen:
            words = SIGNALS[key]
            for _ in range(2):
                a, b = rng.sample(words, 2)
                sentences.insert(rng.randrange(len(sentences) + 1), rng.choice(FRAMES).format(a=a, b=b))
        title = f"Local news roundup {prefix}{i}"
        doc = Document(title + "\n\n" + " ".join(sentences), id=f"{prefix}-{i:03d}", title=title, language="en",
                       source=f"synthetic-{prefix}")
        out.append((doc, [k[0] for k in chosen], [k[1] for k in chosen]))
    return out


def review(store: Store, truth: dict[str, tuple[list[str], list[str]]]) -> int:
    """Correct every document from its true labels, as a reviewer would: accept, reject, add. Returns the count."""
    made = 0
    for doc_id, (narratives, subnarratives) in truth.items():
        doc = store.get(doc_id, predicted=True)
        for layer, gold in (("narratives", narratives), ("subnarratives", subnarratives)):
            predicted = {lab.name for lab in doc.cats.get(layer, []) if not lab.possible}
            for name in sorted(predicted | set(gold)):
                action = ("accept" if name in predicted else "add") if name in gold else "reject"
                correct(store, doc_id, layer, action, name, reviewer="synthetic reviewer")
                made += 1
    return made


def heldout_f1(model: NarrativeModel, heldout: list) -> dict[str, float]:
    pred, _, _ = _fold_predictions(model, heldout)
    per_doc = _per_document(pred, heldout, load_taxonomy())
    return {"coarse": round(float(per_doc["coarse"].mean()), 3), "fine": round(float(per_doc["fine"].mean()), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--semeval", type=Path, required=True)
    parser.add_argument("--langs", default="EN")
    parser.add_argument("--train-docs", type=int, default=40)
    parser.add_argument("--heldout-docs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="review-shift-") as folder:
        print(json.dumps(run(args, Path(folder)), indent=1))


def run(args: argparse.Namespace, work: Path) -> dict:
    """The experiment in the scratch folder ``work``; returns its figures."""
    langs = [x.strip().upper() for x in args.langs.split(",")]
    docs = [d for d in load_corpus(args.semeval, langs) if d.narratives]
    dev, semeval_heldout = split_heldout(docs)
    figures: dict = {"semeval_dev_documents": len(dev), "semeval_heldout_documents": len(semeval_heldout)}

    started = time.time()
    base, _ = train_model(dev, random_state=args.seed)
    base.save(work / "base")
    figures["train_seconds_base"] = round(time.time() - started, 1)
    pipeline = load_pipeline(PipelineConfig(components=("segmenter", "sentences", "narratives"),
                                            models={"narratives": str(work / "base")}))
    stores = {}
    for name, n, seed in (("reviewed", args.train_docs, args.seed + 1), ("heldout", args.heldout_docs, args.seed + 2)):
        articles = synthetic_articles(n, seed, name)
        store = Store(str(work / f"{name}.db"))
        analyse_into_store([d for d, _, _ in articles], store, pipeline)
        figures[f"corrections_{name}"] = review(store, {d.id: (nar, sub) for d, nar, sub in articles})
        stores[name] = store

    trained_on = reviewed_documents(stores["reviewed"])
    started = time.time()
    retrained, _ = train_model(dev + trained_on, random_state=args.seed)
    retrained.info["reviewed_documents"] = sorted(d.id for d in trained_on)
    figures["train_seconds_with_reviews"] = round(time.time() - started, 1)
    heldout_reviews = reviewed_documents(stores["heldout"])
    for name, model in (("base", base), ("with_reviews", retrained)):
        agreement = evaluate_reviews(model, heldout_reviews)
        figures[name] = {"reviews_heldout": {k: (round(v["mean"], 3), round(v["low"], 3), round(v["high"], 3))
                                             if isinstance(v, dict) else v for k, v in agreement.items()},
                         "semeval_heldout": heldout_f1(model, semeval_heldout)}
    for store in stores.values():
        store.close()
    return figures


if __name__ == "__main__":
    main()
