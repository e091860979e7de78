"""Time added by the ``techniques`` analyser per 800-word article (target: at most 0.3 s on 2 cores).

Documents: English (``--lang ru``: Russian) articles of the SemEval-2023 Task 3 training set (``../shared``), each
cut or repeated to exactly 800 words so the figure is per 800-word article. The segmenter and sentence splitter run
first, untimed; the timing covers the techniques analyser's ``predict`` + ``set_annotations`` only, one document per
call (the worst case: no batching), after one warm-up document. Model loading is reported separately.

    nice -n 5 env PYTHONPATH=src .venv/bin/python benchmarks/techniques_speed.py --docs 100 [--lang ru]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from _articles import WORDS, eight_hundred_words

ROOT = Path(__file__).resolve().parents[1]
SHARED_TASK = ROOT / ".." / "shared" / "data" / "semeval2023-task3"



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="en", choices=["en", "ru"])
    parser.add_argument("--input", type=Path, help="Folder of article<ID>.txt files (default: the task's, per language).")
    parser.add_argument("--docs", type=int, default=100)
    args = parser.parse_args()

    from narrascope.analysers.techniques import TechniqueAnalyser
    from narrascope.document import Document
    from narrascope.pipeline import load_pipeline
    from narrascope.semeval.task3_2023 import read_articles

    articles = list(read_articles(args.input or SHARED_TASK / args.lang / "train-articles-subtask-3").values())[: args.docs]
    docs = [Document(eight_hundred_words(text), language=args.lang) for text in articles]
    prepare = load_pipeline(["segmenter", "sentences"])
    prepare.run(docs)
    started = time.perf_counter()
    analyser = TechniqueAnalyser()
    analyser.model(args.lang)
    load_s = time.perf_counter() - started
    analyser.set_annotations(docs[:1], analyser.predict(docs[:1]))  # warm-up
    timings = []
    for doc in docs:
        t0 = time.perf_counter()
        analyser.set_annotations([doc], analyser.predict([doc]))
        timings.append(time.perf_counter() - t0)
    report = {
        "language": args.lang,
        "documents": len(docs),
        "words_per_document": WORDS,
        "cpu_count": os.cpu_count(),
        "load_avg_1min": os.getloadavg()[0],
        "model_load_s": round(load_s, 3),
        "mean_s_per_doc": round(statistics.mean(timings), 4),
        "median_s_per_doc": round(statistics.median(timings), 4),
        "p95_s_per_doc": round(sorted(timings)[int(0.95 * (len(timings) - 1))], 4),
        "spans_per_doc": round(sum(len(d.spans["techniques"]) for d in docs) / len(docs), 1),
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
