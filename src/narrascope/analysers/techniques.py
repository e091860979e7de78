"""The ``techniques`` analyser: persuasion-technique spans (SemEval-2023 Task 3 names) in English and Russian documents.

It scores every content sentence with the packaged :class:`~narrascope.models.techniques.TechniqueModel` of the
document's language and writes ``doc.spans["techniques"]`` as ``Span(start, end, label=<technique>, score=<p>)``;
the span is a cue phrase for phrase-like techniques (e.g. Loaded_Language) and the sentence otherwise. Models exist
for the languages with labelled SemEval-2023 data (English, Russian); documents in another language are skipped and
the reason is recorded in ``doc.meta["techniques"]`` (an n-gram model learned on one language has no signal on
another, and none could be measured without labelled data). A document without a language is read as English.
"""

from __future__ import annotations

from pathlib import Path

from narrascope.document import SENTENCES, TECHNIQUES, Document, Span
from narrascope.models import model_version, packaged_model_dir
from narrascope.models.format import METADATA, ModelFileMissing, ModelFormatError, is_model_folder, read_metadata
from narrascope.models.techniques import COMPONENT, TechniqueModel
from narrascope.pipeline import register_analyser

DEFAULT_LANGUAGE = "en"


def default_model_dir(lang: str = DEFAULT_LANGUAGE) -> Path:
    """The model of language ``lang`` shipped inside the package."""
    return packaged_model_dir("techniques") / lang


def language_models(model_dir: str | Path) -> dict[str, Path]:
    """``{language: model folder}``: ``model_dir`` itself when it holds one model, else its per-language sub-folders;
    the language is the one its training recorded in ``meta.json``."""
    model_dir = Path(model_dir)
    if is_model_folder(model_dir):
        folders = [model_dir]
    else:
        folders = sorted(metadata.parent for metadata in model_dir.glob(f"*/{METADATA}"))
    if not folders:
        raise ModelFileMissing(f"no technique model ({METADATA}) in {model_dir} or its sub-folders")
    models = {}
    for folder in folders:
        language = (read_metadata(folder, COMPONENT).get("training") or {}).get("language")
        if language is None:
            raise ModelFormatError(f"{folder / METADATA} names no language: retrain the model (narrascope train techniques)")
        models[language] = folder
    return models


@register_analyser("techniques")
class TechniqueAnalyser:
    """Finds persuasion-technique spans in the content sentences of documents in a language it has a model for."""

    name = "techniques"
    code_version = "3"  # the version is this plus the model's; bumped when the code changes its output
    requires = (SENTENCES,)
    assigns = (TECHNIQUES,)

    def __init__(self, model_dir: str | Path | None = None):
        self.model_dir = Path(model_dir) if model_dir else packaged_model_dir("techniques")
        self.model_dirs = language_models(self.model_dir)
        self.version = f"{self.code_version}-{model_version(self.model_dir)}"
        self._models: dict[str, TechniqueModel] = {}

    def model(self, lang: str) -> TechniqueModel:
        """The model of ``lang``, loaded on first use (a process that only describes the pipeline loads none)."""
        if lang not in self._models:
            self._models[lang] = TechniqueModel.load(self.model_dirs[lang])
        return self._models[lang]

    def predict(self, docs: list[Document]) -> list[list[Span] | None]:
        """Spans per document, or ``None`` for a document in a language without a model."""
        return [self._predict_one(doc) if self._language(doc) in self.model_dirs else None for doc in docs]

    def set_annotations(self, docs: list[Document], predictions: list[list[Span] | None]) -> None:
        for doc, spans in zip(docs, predictions):
            if spans is None:
                doc.meta["techniques"] = {
                    "skipped": f"no persuasion-technique model for language {doc.language!r}: labelled training data "
                    f"exists only for {', '.join(sorted(self.model_dirs))}"
                }
                doc.add_spans(TECHNIQUES, [])
            else:
                doc.add_spans(TECHNIQUES, spans)

    @staticmethod
    def _language(doc: Document) -> str:
        return doc.language or DEFAULT_LANGUAGE

    def _predict_one(self, doc: Document) -> list[Span]:
        sentences = [(s.start, s.end) for s in doc.sentences()]
        return [
            Span(start, end, technique, score=probability)
            for technique, start, end, probability in self.model(self._language(doc)).predict_spans(doc.text, sentences)
        ]
