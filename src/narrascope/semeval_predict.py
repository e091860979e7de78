"""SemEval-2025 Task 10 predictions: run narrascope's models over a task folder and return rows in the task formats.

These drivers build pipelines and load models, so they sit above the runner; :mod:`narrascope.semeval` itself only
reads, writes and scores the task files.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

from narrascope.analysers.entities import default_model_dir
from narrascope.analysers.language import detect_language
from narrascope.document import NARRATIVES, SUBNARRATIVES, Document
from narrascope.ingest import IngestError, IngestOptions, read_documents
from narrascope.models.entity_roles import EntityRoleClassifier, MentionContext
from narrascope.pipeline import PipelineConfig, available_analysers, load_pipeline
from narrascope.semeval.files import language_of
from narrascope.semeval.subtask1 import MentionRow, locate_mention
from narrascope.semeval.subtask2 import Subtask2Labels

__all__ = ["document_language", "predict_subtask1", "predict_subtask2"]

log = logging.getLogger(__name__)


def document_language(doc_id: str, text: str) -> str:
    """ISO 639-1 code of a task document: from its id (``EN_...``, ``RU-...``, see
    :func:`narrascope.semeval.files.language_of`), else detected from the text."""
    code = language_of(doc_id)
    return code.lower() if code else (detect_language(text)[0] or "")


def predict_subtask1(
    docs_dir: str | Path, mentions: Sequence[MentionRow], model: EntityRoleClassifier | None = None
) -> list[MentionRow]:
    """Main and fine roles for each mention of a mentions file; a document is the file named ``doc_id`` anywhere
    under ``docs_dir``. The default model is the one the entities analyser uses: the active version, else the packaged
    one."""
    model = model or EntityRoleClassifier.load(default_model_dir())
    files = {p.name: p for p in sorted(Path(docs_dir).rglob("*")) if p.is_file()}
    docs: dict[str, tuple[str, str]] = {}  # doc_id -> (text, language)
    contexts = []
    for row in mentions:
        if row.doc_id not in docs:
            if row.doc_id not in files:
                raise FileNotFoundError(f"document {row.doc_id} of the mentions file not found under {docs_dir}")
            with files[row.doc_id].open(encoding="utf-8", newline="") as handle:
                text = handle.read()
            docs[row.doc_id] = (text, document_language(row.doc_id, text))
        text, lang = docs[row.doc_id]
        start, end = locate_mention(text, row.mention, row.start, row.end)
        contexts.append(MentionContext(text, start, end, lang))
    predictions = model.predict_roles(contexts)
    return [
        MentionRow(row.doc_id, row.mention, row.start, row.end, p.main_role, tuple(p.fine_roles))
        for row, p in zip(mentions, predictions)
    ]


def predict_subtask2(docs_dir: str | Path, model_dir: str | Path | None = None, batch_size: int = 16) -> Subtask2Labels:
    """Run the narrative analyser over every ``.txt`` under ``docs_dir`` (recursively); ids are the file names.

    A file that cannot be read as a document (empty, not UTF-8) is logged and predicted ``Other``, so the
    submission still covers every document. RuntimeError when the narratives analyser is not installed.
    """
    if "narratives" not in available_analysers():
        raise RuntimeError("the narratives analyser is not available in this installation, so there is nothing to predict with")
    if not Path(docs_dir).is_dir():
        raise FileNotFoundError(f"{docs_dir} is not a folder")
    out: Subtask2Labels = {}

    def documents() -> Iterable[Document]:
        for item in read_documents(docs_dir, IngestOptions(pattern="*.txt")):
            doc_id = Path(item.path).name if isinstance(item, IngestError) else item.id
            if doc_id in out:
                raise ValueError(f"two documents under {docs_dir} share the id {doc_id!r}")
            out[doc_id] = ([], [])
            if isinstance(item, IngestError):
                log.warning("%s; predicting Other", item)
                continue
            yield item

    pipeline = load_pipeline(PipelineConfig(components=("segmenter", "language", "sentences", "narratives"),
                                            models={"narratives": str(model_dir)} if model_dir else {}))
    for doc in pipeline.pipe(documents(), batch_size=batch_size):
        out[doc.id] = ([label.name for label in doc.cats.get(NARRATIVES, [])],
                       [label.name for label in doc.cats.get(SUBNARRATIVES, [])])
    if not out:
        raise FileNotFoundError(f"no .txt documents under {docs_dir}")
    return out
