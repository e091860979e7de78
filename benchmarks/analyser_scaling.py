"""CPU-seconds per 1,000 characters of every analyser of the default pipeline, at growing document lengths.

A cost that stays flat per 1,000 characters is linear in the document length; the target is flat within 2x from
10k to 1M characters. Documents: news articles (SemEval-2025 Task 10 training articles of one language from
``../shared``, else ``examples/articles``) joined as paragraphs and repeated until the length is reached, which is
what a long pasted page or a scraped feed looks like (names and sentences recur many times). Each analyser's
``predict`` + ``set_annotations`` is timed in CPU time (stable when other jobs share the cores), one document per
call, after a warm-up on a short document so model loading is not counted.

    nice -n 5 env PYTHONPATH=src .venv/bin/python benchmarks/analyser_scaling.py --sizes 10000,100000,1000000
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared" / "data" / "semeval2025-task10" / "train" / "raw-documents"
EXAMPLES = ROOT / "examples" / "articles"


def source_paragraphs(lang: str, articles: int) -> list[str]:
    """Paragraphs of the first ``articles`` articles of a language (shared corpus if present, else the examples)."""
    folder = SHARED / lang.upper() if (SHARED / lang.upper()).is_dir() else EXAMPLES
    paragraphs: list[str] = []
    for path in sorted(folder.glob("*.txt"))[:articles]:
        paragraphs += [p.strip() for p in path.read_text(encoding="utf-8").split("\n") if p.strip()]
    if not paragraphs:
        raise SystemExit(f"no articles in {folder}")
    return paragraphs


def document_of_length(paragraphs: list[str], size: int) -> str:
    """Paragraphs joined by blank lines and repeated until the text has ``size`` characters (cut at a paragraph)."""
    parts: list[str] = []
    length = 0
    while length < size:
        for paragraph in paragraphs:
            parts.append(paragraph)
            length += len(paragraph) + 2
            if length >= size:
                break
    return "\n\n".join(parts)[:size]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated document lengths")
    parser.add_argument("--lang", default="en", help="language of the articles (en runs every analyser)")
    parser.add_argument("--articles", type=int, default=20, help="distinct articles the text is built from")
    parser.add_argument("--skip", default="", help="comma-separated analysers to leave out")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()

    from narrascope.document import Document
    from narrascope.pipeline import DEFAULT_COMPONENTS, load_pipeline

    names = [n for n in DEFAULT_COMPONENTS if n not in set(args.skip.split(","))]
    pipeline = load_pipeline(names)
    paragraphs = source_paragraphs(args.lang, args.articles)
    warm = Document(document_of_length(paragraphs, 3000), id="warm-up")
    for component in pipeline.components:
        component.set_annotations([warm], component.predict([warm]))

    results: dict[str, dict[str, float]] = {c.name: {} for c in pipeline.components}
    for size in (int(s) for s in args.sizes.split(",")):
        doc = Document(document_of_length(paragraphs, size), id=f"len-{size}")
        for component in pipeline.components:
            start = time.process_time()
            component.set_annotations([doc], component.predict([doc]))
            seconds = time.process_time() - start
            results[component.name][str(size)] = seconds / (size / 1000)
            print(f"{component.name:>11} {size:>9} chars: {seconds:8.2f} CPU-s, {1000 * seconds / size * 1000:7.3f} "
                  f"CPU-ms per 1,000 chars", flush=True)
    print("\nCPU-ms per 1,000 characters (growth = at the largest size / at the smallest; linear: about 1, "
          "target ≤ 2; below 1 means fixed costs spread over more text)")
    sizes = [str(s) for s in args.sizes.split(",")]
    print("| analyser | " + " | ".join(f"{int(s):,}" for s in sizes) + " | growth |")
    print("| --- | " + " | ".join("---:" for _ in sizes) + " | ---: |")
    for name, per_size in results.items():
        values = [per_size[s] * 1000 for s in sizes]
        growth = values[-1] / max(values[0], 1e-9)
        print(f"| {name} | " + " | ".join(f"{v:.3f}" for v in values) + f" | {growth:.2f} |")
    if args.out:
        args.out.write_text(json.dumps({"lang": args.lang, "cpu_seconds_per_1000_chars": results}, indent=2) + "\n",
                            encoding="utf-8")


if __name__ == "__main__":
    main()
