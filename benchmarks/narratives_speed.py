"""Speed and memory of the narrative analyser: model load time, per-article latency, peak RSS.

Articles are the SemEval-2025 unlabelled test documents (all languages) cut to their first 800 words (those
shorter than 800 words are left out). Each article runs through the pipeline the analyser needs (segmenter,
sentences, narratives; language given) after a warm-up; the narratives step is also timed alone. Besides
wall-clock time the CPU time of this process is reported, which stays meaningful when other jobs share the cores.
Torch is not used by this model; BLAS threads are capped at 2.

    PYTHONPATH=src .venv/bin/python benchmarks/narratives_speed.py [--model DIR] [--articles 100] [--record]

``--record`` writes the figures to ``speed.json`` in the model folder and regenerates its MODEL_CARD.md.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "2")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "semeval2025-task10" / "unlabelled-test"
from _articles import WORDS  # noqa: E402


def articles(limit: int) -> list[tuple[str, str]]:
    """(language, first 800 words) of test documents that have at least 800 words."""
    out = []
    for path in sorted((SHARED / "raw-documents").glob("*/*.txt")):
        text = path.read_text(encoding="utf-8")
        words = text.split()
        if len(words) >= WORDS:
            cut = 0
            for _ in range(WORDS):  # keep the original spacing and line breaks of the first 800 words
                cut = text.index(words[_], cut) + len(words[_])
            out.append((path.parent.name.lower(), text[:cut]))
    step = max(1, len(out) // limit)
    return out[::step][:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="narrative model folder (default: the packaged one)")
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--record", action="store_true", help="write speed.json into the model folder and its card")
    args = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"unlabelled test documents not found at {SHARED}")

    wall0, cpu0 = time.perf_counter(), time.process_time()
    from narrascope.analysers.narratives import NarrativeAnalyser, default_model_dir
    from narrascope.document import Document
    from narrascope.pipeline import load_pipeline

    analyser = NarrativeAnalyser(model_dir=args.model)
    load_wall, load_cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    pipeline = load_pipeline(["segmenter", "sentences"])

    texts = articles(args.articles)
    for lang, text in texts[:3]:  # warm-up
        doc = pipeline(Document(text, language=lang))
        analyser.set_annotations([doc], analyser.predict([doc]))

    total_wall, total_cpu, step_wall = [], [], []
    for lang, text in texts:
        w, c = time.perf_counter(), time.process_time()
        doc = pipeline(Document(text, language=lang))
        s = time.perf_counter()
        analyser.set_annotations([doc], analyser.predict([doc]))
        end = time.perf_counter()
        total_wall.append(end - w)
        total_cpu.append(time.process_time() - c)
        step_wall.append(end - s)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def q(values: list[float], p: float) -> float:
        return sorted(values)[min(len(values) - 1, int(p * len(values)))]

    figures = {
        "model_load_wall_s": round(load_wall, 3),
        "model_load_cpu_s": round(load_cpu, 3),
        "articles": len(texts),
        "article_words": WORDS,
        "per_article_wall_median_s": round(statistics.median(total_wall), 4),
        "per_article_wall_p95_s": round(q(total_wall, 0.95), 4),
        "per_article_cpu_median_s": round(statistics.median(total_cpu), 4),
        "narratives_step_wall_median_s": round(statistics.median(step_wall), 4),
        "peak_rss_mb": round(peak_mb, 1),
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(figures, indent=1))
    if args.record:
        from narrascope.models import SPEED_RECORD
        from narrascope.models.narratives_card import write_model_card

        model_dir = Path(args.model) if args.model else default_model_dir()
        record = {"command": "PYTHONPATH=src .venv/bin/python benchmarks/narratives_speed.py " + " ".join(sys.argv[1:]),
                  "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
                             f"Python {platform.python_version()}; cores shared with other jobs (see load average)",
                  "figures": figures}
        (model_dir / SPEED_RECORD).write_text(json.dumps(record, indent=1), encoding="utf-8")
        write_model_card(model_dir)


if __name__ == "__main__":
    main()
