"""The development part of the SemEval-2025 Task 10 training data as the narrative benchmarks read it: the held-out
split left out, with each document's near-duplicate group and the taxonomy."""

from pathlib import Path

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "semeval2025-task10" / "train"


def narrative_development() -> tuple[list, list[str], object]:
    """(documents with narrative labels, their near-duplicate groups, the taxonomy)."""
    from narrascope.models.training import near_duplicate_groups, split_heldout
    from narrascope.semeval import load_corpus
    from narrascope.taxonomy import load_taxonomy

    docs, _ = split_heldout([d for d in load_corpus(SHARED) if d.narratives])
    return docs, near_duplicate_groups(docs), load_taxonomy()
