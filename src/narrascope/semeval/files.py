"""Conventions shared by the SemEval-2025 Task 10 files: language codes in document ids, tab-separated fields."""

from __future__ import annotations

import re
from pathlib import Path

from narrascope.text.languages import LANGUAGES

__all__ = ["ID_LANGUAGES", "language_of", "split_fields", "unique"]

ID_LANGUAGES = tuple(code.upper() for code in LANGUAGES)  # as the task's document ids spell them
_LANG_IN_ID = re.compile(rf"(?:^|[_-])({'|'.join(ID_LANGUAGES)})(?=[_-])")


def language_of(doc_id: str) -> str | None:
    """The language code (``EN``, ``BG``...) carried in a task document id (``EN_CC_100013.txt``,
    ``A4_URW_BG_13718.txt``, ``RU-URW-1080.txt``), or None when the id carries none (``CC_TEST_1.txt``)."""
    match = _LANG_IN_ID.search(doc_id)
    return match.group(1) if match else None


def unique(items: list[str]) -> list[str]:
    """Items without repeats, first occurrence order kept."""
    return list(dict.fromkeys(items))


def split_fields(line: str, path: Path | str, lineno: int, *, exact: int | None = None, minimum: int = 1) -> list[str]:
    """Tab-separated fields of one line; ValueError naming the file and line number when the count is wrong."""
    fields = line.rstrip("\r\n").split("\t")
    if (exact is not None and len(fields) != exact) or len(fields) < minimum:
        expected = exact if exact is not None else f"at least {minimum}"
        raise ValueError(f"{path}:{lineno}: expected {expected} tab-separated fields, found {len(fields)}: {line.strip()[:80]!r}")
    return fields
