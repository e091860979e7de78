"""Time added by the ``entities`` analyser per 800-word article (target: at most 0.3 s on 2 cores).

Documents: SemEval-2025 Task 10 training articles (``../shared``) of one language, each cut or repeated to exactly
800 words. Segmenter and sentence splitter run first, untimed; the timing covers the entities analyser's
``predict`` + ``set_annotations`` (mention finding, role prediction, entity merging), one document per call (no
batching), after one warm-up document. Wall-clock and CPU time are both reported: CPU time stays meaningful when
other jobs share the cores. Model loading is reported separately.

    nice -n 5 env PYTHONPATH=src .venv/bin/python benchmarks/entities_speed.py --lang EN --docs 60
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
DEFAULT_INPUT = ROOT / ".." / "shared" / "data" / "semeval2025-task10" / "train" / "raw-documents"



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, default=DEFAULT_INPUT, help="raw-documents folder (one subfolder per language)")
    parser.add_argument("--lang", default="EN", help="language folder: EN, BG, HI, PT or RU")
    parser.add_argument("--docs", type=int, default=60)
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()

    from narrascope.document import Document
    from narrascope.pipeline import load_pipeline

    t0 = time.perf_counter()
    pipeline = load_pipeline(["segmenter", "sentences", "entities"])
    framer = pipeline.get("entities")
    prepare = [c for c in pipeline.components if c.name != "entities"]
    paths = sorted((args.input / args.lang).glob("*.txt"))[: args.docs + 1]
    if not paths:
        raise SystemExit(f"no documents in {args.input / args.lang}")
    docs = []
    for path in paths:
        doc = Document(eight_hundred_words(path.read_text(encoding="utf-8")), language=args.lang.lower())
        for component in prepare:
            component.set_annotations([doc], component.predict([doc]))
        docs.append(doc)
    framer.set_annotations(docs[:1], framer.predict(docs[:1]))  # warm-up: loads spaCy for English
    load_s = time.perf_counter() - t0

    wall, cpu, mentions = [], [], []
    for doc in docs[1:]:
        w, c = time.perf_counter(), time.process_time()
        framer.set_annotations([doc], framer.predict([doc]))
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
        mentions.append(len(doc.spans["entities"]))
    result = {
        "lang": args.lang,
        "documents": len(wall),
        "words_per_document": WORDS,
        "mentions_per_document": statistics.fmean(mentions),
        "wall_s_median": statistics.median(wall),
        "wall_s_p90": sorted(wall)[int(0.9 * (len(wall) - 1))],
        "cpu_s_median": statistics.median(cpu),
        "load_and_warmup_s": load_s,
        "cores": os.cpu_count(),
        "load_average": os.getloadavg()[0],
    }
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
