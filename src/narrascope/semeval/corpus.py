"""Reading a SemEval-2025 Task 10 corpus folder: raw documents plus, when present, the labels of subtasks 1-3.

Layout: ``root/raw-documents/{LANG}/*.txt`` and ``root/labels/{LANG}/subtask-{1,2,3}-annotations.txt`` (the
unlabelled test release has no ``labels/``). Subtask-1 offsets in the files are 0-based and end-inclusive; here
they become half-open (``text[start:end]``) like everywhere else in narrascope.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from narrascope.document import Document
from narrascope.semeval.files import ID_LANGUAGES, language_of, split_fields, unique
from narrascope.semeval.subtask2 import read_subtask2

__all__ = [
    "ID_LANGUAGES",
    "Mention",
    "Explanation",
    "SemevalDocument",
    "load_corpus",
    "language_of",
    "split_fields",
    "unique",
]

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class Mention:
    """An entity mention with its roles (subtask 1); ``[start, end)`` half-open, converted from the file.

    ``aligned`` tells whether ``text[start:end]`` of the document equals the mention string: in the released
    data many offsets are shifted (they were counted on a text with CRLF line ends and UTF-16 code units).
    """

    start: int
    end: int
    text: str
    main_role: str | None
    fine_roles: list[str] = field(default_factory=list)
    aligned: bool = True


@dataclass(frozen=True)
class Explanation:
    """The dominant narrative of a document, its sub-narrative, and the annotators' explanation (subtask 3)."""

    narrative: str
    subnarrative: str
    text: str


@dataclass
class SemevalDocument:
    """One task document and its gold labels (empty lists / None when the corpus has no labels)."""

    id: str
    lang: str
    text: str
    narratives: list[str] = field(default_factory=list)
    subnarratives: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    explanation: Explanation | None = None

    def to_document(self) -> Document:
        """A narrascope :class:`Document` of this text (id = file name, language = ISO 639-1 code)."""
        return Document(text=self.text, id=self.id, language=self.lang.lower(), source="semeval2025-task10")


def _label_lines(path: Path):
    with path.open(encoding="utf-8", newline="") as handle:
        for lineno, line in enumerate(handle, 1):
            if line.strip():
                yield lineno, line


def _read_mentions(path: Path, texts: dict[str, str]) -> dict[str, list[Mention]]:
    out: dict[str, list[Mention]] = {}
    for lineno, line in _label_lines(path):
        doc_id, mention, start, end, *roles = split_fields(line, path, lineno, minimum=4)
        try:
            begin, stop = int(start), int(end) + 1  # file offsets are end-inclusive
        except ValueError:
            raise ValueError(f"{path}:{lineno}: offsets must be integers, got {start!r} and {end!r}") from None
        if begin < 0 or stop <= begin:
            raise ValueError(f"{path}:{lineno}: invalid offsets {start}-{end}")
        text = texts.get(doc_id)
        if text is None:
            raise ValueError(f"{path}:{lineno}: document {doc_id!r} is not in raw-documents")
        roles = [r.strip() for r in roles if r.strip()]
        out.setdefault(doc_id, []).append(
            Mention(begin, stop, mention, roles[0] if roles else None, roles[1:], text[begin:stop] == mention))
    return out


def _read_narratives(path: Path, texts: dict[str, str]) -> dict[str, tuple[list[str], list[str]]]:
    labels = read_subtask2(path)
    unknown = [doc_id for doc_id in labels if doc_id not in texts]
    if unknown:
        raise ValueError(f"{path}: {len(unknown)} document(s) not in raw-documents, e.g. {unknown[0]!r}")
    return labels


def _read_explanations(path: Path, texts: dict[str, str]) -> dict[str, Explanation]:
    out: dict[str, Explanation] = {}
    for lineno, line in _label_lines(path):
        doc_id, narrative, subnarrative, explanation = split_fields(line, path, lineno, exact=4)
        if doc_id not in texts:
            raise ValueError(f"{path}:{lineno}: document {doc_id!r} is not in raw-documents")
        if doc_id in out:
            raise ValueError(f"{path}:{lineno}: second explanation for {doc_id!r}")
        out[doc_id] = Explanation(narrative.strip(), subnarrative.strip(), explanation.strip())
    return out


def load_corpus(root: str | Path, langs: list[str] | None = None) -> list[SemevalDocument]:
    """Read the documents of ``root`` (all languages, or those in ``langs``) with whatever labels exist.

    Documents are sorted by language, then file name. Mentions whose offsets do not match the text are kept
    (``aligned=False``) and counted in a logged warning.
    """
    root = Path(root)
    raw_root = root / "raw-documents"
    if not raw_root.is_dir():
        raise FileNotFoundError(f"{raw_root} not found: expected a SemEval-2025 Task 10 folder with raw-documents/")
    wanted = {lang.upper() for lang in langs} if langs else None
    lang_dirs = sorted(p for p in raw_root.iterdir() if p.is_dir() and (wanted is None or p.name in wanted))
    if wanted and wanted - {p.name for p in lang_dirs}:
        raise FileNotFoundError(f"no raw-documents folder for {sorted(wanted - {p.name for p in lang_dirs})} in {raw_root}")

    docs: list[SemevalDocument] = []
    for lang_dir in lang_dirs:
        lang = lang_dir.name
        texts = {}
        for path in sorted(lang_dir.glob("*.txt")):
            with path.open(encoding="utf-8", newline="") as handle:
                texts[path.name] = handle.read()
        labels_dir = root / "labels" / lang
        s1, s2, s3 = (labels_dir / f"subtask-{i}-annotations.txt" for i in (1, 2, 3))
        mentions = _read_mentions(s1, texts) if s1.is_file() else {}
        narratives = _read_narratives(s2, texts) if s2.is_file() else {}
        explanations = _read_explanations(s3, texts) if s3.is_file() else {}
        for doc_id, text in texts.items():
            coarse, fine = narratives.get(doc_id, ([], []))
            docs.append(SemevalDocument(doc_id, lang, text, list(coarse), list(fine), mentions.get(doc_id, []),
                                        explanations.get(doc_id)))

    all_mentions = [m for d in docs for m in d.mentions]
    misaligned = sum(not m.aligned for m in all_mentions)
    if misaligned:
        log.warning("%d of %d mentions in %s have offsets that do not match the text", misaligned, len(all_mentions), root)
    return docs
