"""Memory over a long run: a generator of synthetic documents analysed into a fresh store, resident memory sampled.

Passes when the memory of the analysing process and of its whole process tree (workers included) stops growing
after warm-up: the growth between 10 % of the run and its end must stay under ``--tolerance`` MiB.

    nice -n 5 env PYTHONPATH=src .venv/bin/python benchmarks/flat_memory.py --documents 100000 --workers 2
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from narrascope.distributed import build_executor
from narrascope.distributed.memory import rss_mb, tree_rss_mb
from narrascope.document import Document
from narrascope.pipeline import load_pipeline
from narrascope.runner import analyse_into_store
from narrascope.store import Store

ROOT = Path(__file__).resolve().parents[1]
WORDS = ("government minister said the war sanctions climate energy prices officials report election army protest "
         "western media claims experts warned allies support crisis border talks").split()


def synthetic(n: int, seed: int = 0) -> Iterator[Document]:
    """``n`` small distinct news-like documents, generated lazily."""
    rng = random.Random(seed)
    for i in range(n):
        sentences = [" ".join(rng.choices(WORDS, k=rng.randint(6, 16))).capitalize() + "."
                     for _ in range(rng.randint(2, 6))]
        yield Document(text=f"Report {i}: {rng.choice(WORDS)} {rng.choice(WORDS)}\n\n" + " ".join(sentences),
                       id=f"synthetic-{i}", source=f"outlet-{i % 17}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ray", help="Ray address, or 'local'")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--components", nargs="+", default=["segmenter", "language", "sentences"])
    parser.add_argument("--tolerance", type=float, default=25.0, help="MiB of growth allowed after warm-up")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "flat_memory.json")
    args = parser.parse_args()

    pipeline = load_pipeline(args.components)
    executor = build_executor(args.workers, args.ray, pipeline.config)
    every = max(1, args.documents // 50)
    samples: list[dict] = []
    start = time.perf_counter()

    def sample(seen: int, _report, _docs) -> None:
        if not samples or seen - samples[-1]["documents"] >= every:
            samples.append({"documents": seen, "seconds": round(time.perf_counter() - start, 1),
                            "main_mb": round(rss_mb(), 1), "tree_mb": round(tree_rss_mb(), 1)})
            print(f"{seen:8d} docs  {samples[-1]['seconds']:7.1f} s  main {samples[-1]['main_mb']:6.1f} MiB  "
                  f"all processes {samples[-1]['tree_mb']:7.1f} MiB", flush=True)

    with tempfile.TemporaryDirectory() as tmp, Store(str(Path(tmp) / "flat.db")) as store:
        report = analyse_into_store(synthetic(args.documents), store, pipeline, executor=executor,
                                    batch_size=args.batch_size, on_progress=sample)
        stored = store.count()
    elapsed = time.perf_counter() - start
    warm = [s for s in samples if s["documents"] >= args.documents // 10]
    growth = {key: max(s[key] for s in warm) - warm[0][key] for key in ("main_mb", "tree_mb")}
    flat = all(g < args.tolerance for g in growth.values())
    summary = {"documents": args.documents, "analysed": report.analysed, "stored": stored, "seconds": round(elapsed, 1),
               "docs_per_s": round(report.analysed / elapsed, 1), "workers": args.workers, "ray": args.ray,
               "pipeline": pipeline.names, "growth_after_warmup_mb": growth, "flat": flat, "samples": samples}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print(f"{report.analysed} analysed in {elapsed:.0f} s; growth after warm-up: main {growth['main_mb']:.1f} MiB, "
          f"all processes {growth['tree_mb']:.1f} MiB -> {'flat' if flat else 'GROWING'}; written {args.out}")
    sys.exit(0 if flat and stored == args.documents else 1)


if __name__ == "__main__":
    main()
