"""Throughput and peak memory of ``narrascope analyze`` in its execution modes, against the bare sentence encoder.

Documents: the 460 unlabelled SemEval-2025 Task 10 test documents (``../shared``), repeated under new ids to reach
``--target`` documents. Each configuration runs in a fresh Python process that analyses every document into a new
SQLite store (as ``narrascope analyze`` does); the parent samples the resident memory of that process and all its
descendants (worker processes, Ray's processes) every 0.2 s. Reported: documents/s end to end (model loading
included) and in steady state (after the first batch), peak memory, and in steady state documents per CPU-second of
the whole process tree (which, unlike documents/s, does not depend on what else the machine is running).

Configurations:
    encoder-1t / encoder-2t   the bare MiniLM sentence encoder, one embedding per document (truncated to 256 word
                              pieces), 1 / 2 torch threads: the least an encoder-based pipeline must compute
    inprocess-1t / -2t        the pipeline in the analysing process (1 / 2 threads)     = --workers 1
    workers-2x1t              two worker processes of one thread each                   = --workers 2
    ray-2x1t                  a local Ray cluster, two actors of one thread each        = --ray local

    nice -n 5 env PYTHONPATH=src .venv/bin/python benchmarks/throughput.py --target 5000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INPUT = ROOT / ".." / "shared" / "data" / "semeval2025-task10" / "unlabelled-test" / "raw-documents"
CONFIGS = ("encoder-1t", "encoder-2t", "inprocess-1t", "inprocess-2t", "workers-2x1t", "ray-2x1t")
ENCODER_BATCH = 32


def load_documents(folder: Path, target: int) -> list:
    from narrascope.document import Document
    from narrascope.ingest import read_documents

    base = [d for d in read_documents(folder) if isinstance(d, Document)]
    copies = -(-target // len(base))
    return [Document(text=d.text, id=f"{d.id}#{k}", title=d.title, meta=d.meta)
            for k in range(copies) for d in base][:target]


def run_one(config: str, folder: Path, target: int, batch_size: int, components: list[str] | None) -> dict:
    """Runs in the child process: analyse everything once under ``config`` and time it."""
    from narrascope.distributed.memory import tree_cpu_seconds
    from narrascope.distributed.processes import limit_threads

    threads = 2 if config.endswith("-2t") else 1
    limit_threads(threads)
    docs = load_documents(folder, target)
    if config.startswith("encoder"):
        texts = [d.text for d in docs]  # one embedding per document, truncated at the model's 256 word pieces
        start = time.perf_counter()
        from _minilm import minilm_folder
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(minilm_folder()), device="cpu", local_files_only=True)
        first, cpu_first = time.perf_counter(), tree_cpu_seconds()
        model.encode(texts, batch_size=ENCODER_BATCH, show_progress_bar=False)
        end, cpu_end = time.perf_counter(), tree_cpu_seconds()
        return {"documents": len(docs), "seconds": end - start, "startup_seconds": first - start,
                "steady_docs_per_s": len(docs) / (end - first),
                "steady_docs_per_cpu_s": len(docs) / (cpu_end - cpu_first)}

    from narrascope.distributed import build_executor
    from narrascope.distributed.processes import ProcessExecutor
    from narrascope.distributed.ray_runner import RayExecutor
    from narrascope.pipeline import load_pipeline
    from narrascope.runner import analyse_into_store
    from narrascope.store import Store

    start = time.perf_counter()
    pipeline = load_pipeline(components)
    if config.startswith("workers"):
        executor = ProcessExecutor(pipeline.config, workers=2, threads_per_worker=1)
    elif config.startswith("ray"):
        executor = RayExecutor(pipeline.config, num_actors=2, threads_per_actor=1, num_cpus=2)
    else:
        executor = build_executor(1, None, pipeline.config)
    marks: list[tuple[float, int, float]] = []  # after each batch: time, documents analysed, CPU time of all processes
    with tempfile.TemporaryDirectory() as tmp, Store(str(Path(tmp) / "bench.db")) as store:
        report = analyse_into_store(docs, store, pipeline, executor=executor, batch_size=batch_size,
                                    on_progress=lambda seen, r, done: marks.append(
                                        (time.perf_counter(), r.analysed, tree_cpu_seconds())))
    end = time.perf_counter()
    # Steady state: between the batches at 20 % and 80 % of the run, when as many batches are in flight at both ends
    # (the first and last batches would count work done before the window or leave it out).
    (first_time, first_docs, first_cpu) = marks[len(marks) // 5]
    (last_time, last_docs, last_cpu) = marks[4 * len(marks) // 5]
    return {"documents": report.analysed, "failed": report.failed, "pipeline": pipeline.names, "seconds": end - start,
            "startup_seconds": marks[0][0] - start,
            "steady_docs_per_s": (last_docs - first_docs) / (last_time - first_time),
            "steady_docs_per_cpu_s": (last_docs - first_docs) / (last_cpu - first_cpu)}


def measure(config: str, args: argparse.Namespace) -> dict:
    """Run one configuration in a child process, sampling the memory of its whole process tree."""
    from narrascope.distributed.memory import tree_rss_mb

    target = args.encoder_target if config.startswith("encoder") else args.target
    command = [sys.executable, __file__, "--one", config, "--input", str(args.input), "--target", str(target),
               "--batch-size", str(args.batch_size)] + (["--components", *args.components] if args.components else [])
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.2):
            peak = max(peak, tree_rss_mb(child.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = child.communicate()
    done.set()
    sampler.join()
    if child.returncode != 0:
        raise RuntimeError(f"{config} failed with exit code {child.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    result.update(config=config, peak_rss_mb=round(peak), docs_per_s=result["documents"] / result["seconds"],
                  load_average_1min_after=os.getloadavg()[0])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", type=Path, default=DEFAULT_INPUT)
    parser.add_argument("--target", type=int, default=5000, help="documents to analyse (the input repeated)")
    parser.add_argument("--encoder-target", type=int, default=460, help="documents for the bare encoder (slower)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=CONFIGS)
    parser.add_argument("--components", nargs="+", help="pipeline components (default: the default pipeline)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "throughput.json")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.input, args.target, args.batch_size, args.components)))
        return
    if not args.input.exists():
        sys.exit(f"input folder {args.input} not found: the benchmark reads ../shared beside the repository")

    results = []
    for config in args.configs:
        result = measure(config, args)
        results.append(result)
        print(f"{config:14s} {result['documents']:6d} docs  {result['docs_per_s']:7.1f} docs/s end-to-end  "
              f"{result['steady_docs_per_s']:7.1f} steady  startup {result['startup_seconds']:5.1f} s  "
              f"peak {result['peak_rss_mb']:5d} MiB  {result['steady_docs_per_cpu_s']:5.1f} docs/CPU-s  "
              f"load {result['load_average_1min_after']:.1f}", flush=True)
    steady = {r["config"]: r["steady_docs_per_s"] for r in results}
    summary = {}
    if "inprocess-1t" in steady and "encoder-1t" in steady:
        summary["pipeline_over_encoder_1t"] = steady["inprocess-1t"] / steady["encoder-1t"]
    if "inprocess-1t" in steady and "workers-2x1t" in steady:
        summary["scaling_1_to_2_workers"] = steady["workers-2x1t"] / steady["inprocess-1t"]
        per_cpu = {r["config"]: r["steady_docs_per_cpu_s"] for r in results}
        # On an idle machine two workers would reach about 2 x this: the CPU cost per document they add.
        summary["cpu_efficiency_2_workers_vs_1"] = per_cpu["workers-2x1t"] / per_cpu["inprocess-1t"]
    pipelines = [r for r in results if not r["config"].startswith("encoder")]
    if pipelines:
        summary["fastest"] = max(pipelines, key=lambda r: r["docs_per_s"])["config"]
    for key, value in summary.items():
        print(f"{key}: {value:.2f}" if isinstance(value, float) else f"{key}: {value}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version()}, "target": args.target,
              "encoder_target": args.encoder_target, "batch_size": args.batch_size, "results": results,
              "summary": summary}
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
