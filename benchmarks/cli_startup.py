"""How quickly short commands answer (issue 17: ``narrascope --help`` under 0.5 s): each command is started
``--runs`` times as a fresh process, as a user would, and the median wall-clock and CPU seconds (user + system,
from the child's resource usage) are printed beside a bare interpreter start, the floor no command can go under.

``list`` and ``runs`` open an empty SQLite store made once beforehand (its schema migration is not timed), so they
show what opening a store costs; ``--help`` and ``taxonomy roles`` open none.

    PYTHONPATH=src .venv/bin/python benchmarks/cli_startup.py [--runs 15] [--json FILE]

The machine's load (``os.getloadavg``) is printed too: on a shared machine wall-clock times grow with it, CPU times
much less.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def commands(db: str) -> dict[str, list[str]]:
    """The timed command lines, by name (``python`` alone is the floor)."""
    cli = [sys.executable, "-m", "narrascope"]
    return {
        "python (no command)": [sys.executable, "-c", "pass"],
        "narrascope --help": [*cli, "--help"],
        "narrascope taxonomy roles --json": [*cli, "taxonomy", "roles", "--json"],
        "narrascope list --json (empty store)": [*cli, "list", "--db", db, "--json"],
        "narrascope runs --json (empty store)": [*cli, "runs", "--db", db, "--json"],
    }


def timed(argv: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one run of ``argv`` (which must succeed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="Starts per command (the median is reported).")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "empty.db")
        subprocess.run([sys.executable, "-m", "narrascope", "runs", "--db", db], check=True,
                       stdout=subprocess.DEVNULL)  # creates and migrates the store once
        results = {}
        load = os.getloadavg()[0]
        for name, argv in commands(db).items():
            timed(argv)  # one untimed start, so every command meets warm file caches alike
            runs = [timed(argv) for _ in range(args.runs)]
            results[name] = {"wall_s": round(statistics.median(w for w, _ in runs), 3),
                             "cpu_s": round(statistics.median(c for _, c in runs), 3), "runs": args.runs}
    load = max(load, os.getloadavg()[0])
    width = max(map(len, results))
    print(f"{'command':<{width}}  median wall s  median CPU s   ({args.runs} runs each; load average up to {load:.1f} "
          f"on {os.cpu_count()} cores)")
    for name, figures in results.items():
        print(f"{name:<{width}}  {figures['wall_s']:>13.3f}  {figures['cpu_s']:>12.3f}")
    if args.json:
        args.json.write_text(json.dumps({"load_average": round(load, 2), "cores": os.cpu_count(), "results": results},
                                        indent=2) + "\n")


if __name__ == "__main__":
    main()
