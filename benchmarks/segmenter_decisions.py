"""Count the segmenter's decisions on a folder of articles, and what changed since another run.

Run it once with the old code first on the path and once with the new, then compare:

    git archive REV src | tar -x -C /tmp/seg-old
    PYTHONPATH=/tmp/seg-old/src .venv/bin/python benchmarks/segmenter_decisions.py FOLDER --save /tmp/old.json
    PYTHONPATH=$PWD/src .venv/bin/python benchmarks/segmenter_decisions.py FOLDER --save /tmp/new.json --compare /tmp/old.json

It prints the number of segments of each kind, then the segments newly labelled (or no longer labelled) comment
and title, each with its document id and the start of its text, for checking by eye.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from narrascope.analysers.segmenter import segment
from narrascope.ingest import read_documents


def decisions(folder: Path) -> dict[str, dict]:
    """Per document id: its text and its segments as ``[start, end, label]``."""
    out = {}
    for doc in read_documents(folder):
        if not isinstance(doc, Exception) and hasattr(doc, "text"):
            out[doc.id] = {"text": doc.text, "segments": [[s.start, s.end, s.label] for s in segment(doc)]}
    return out


def changed(new: dict[str, dict], old: dict[str, dict], label: str) -> tuple[list[str], list[str]]:
    """Segments with ``label`` that only the new run has, and those that only the old run had (as printable lines)."""
    gained, lost = [], []
    for doc_id, entry in new.items():
        now = {tuple(s) for s in entry["segments"] if s[2] == label}
        before = {tuple(s) for s in old.get(doc_id, {}).get("segments", []) if s[2] == label}
        text = entry["text"]
        gained += [f"{doc_id} [{a}:{b}] {text[a:b][:90]!r}" for a, b, _ in sorted(now - before)]
        lost += [f"{doc_id} [{a}:{b}] {text[a:b][:90]!r}" for a, b, _ in sorted(before - now)]
    return gained, lost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--save", type=Path, help="write the decisions to this JSON file")
    parser.add_argument("--compare", type=Path, help="decisions of an earlier run (from --save) to compare with")
    args = parser.parse_args()
    new = decisions(args.folder)
    counts = Counter(s[2] for entry in new.values() for s in entry["segments"])
    docs_with_comments = sum(any(s[2] == "comment" for s in entry["segments"]) for entry in new.values())
    print(f"{len(new)} documents; segments: {dict(sorted(counts.items()))}; documents with comments: {docs_with_comments}")
    if args.save:
        args.save.write_text(json.dumps(new, ensure_ascii=False), encoding="utf-8")
    if args.compare:
        old = json.loads(args.compare.read_text(encoding="utf-8"))
        for label in ("comment", "title", "body"):
            gained, lost = changed(new, old, label)
            print(f"\n{label}: {len(gained)} segments only in this run, {len(lost)} only in the earlier run")
            for line in gained:
                print("  +", line)
            for line in lost:
                print("  -", line)


if __name__ == "__main__":
    main()
