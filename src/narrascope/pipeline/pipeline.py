"""A pipeline: analysers run in order over batches of documents, and building one from its configuration."""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import islice

from narrascope.document import Document
from narrascope.pipeline.analyser import Analyser
from narrascope.pipeline.config import PipelineConfig
from narrascope.pipeline.registry import PipelineConfigError, analyser_factory

__all__ = ["Pipeline", "load_pipeline"]


class Pipeline:
    """An ordered list of analysers run over batches of documents, and the configuration it was built from."""

    def __init__(self, components: list[Analyser], config: PipelineConfig | None = None):
        produced: set[str] = set()
        for component in components:
            missing = [layer for layer in component.requires if layer not in produced]
            if missing:
                raise ValueError(f"analyser {component.name!r} requires {missing}, which no earlier component assigns")
            produced.update(component.assigns)
        self.components = components
        self._built_from = config or PipelineConfig()

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.components]

    @property
    def config(self) -> PipelineConfig:
        """What builds this same pipeline in another process: its components by name, and the model folders and
        options it was built with (a component given no model folder loads its default wherever it is built, as
        here: the active saved version, else the packaged model)."""
        built = self._built_from
        return replace(built, components=tuple(self.names), exclude=(),
                       models={name: folder for name, folder in built.models.items() if name in self.names},
                       options={name: kwargs for name, kwargs in built.options.items() if name in self.names})

    def get(self, name: str) -> Analyser:
        for component in self.components:
            if component.name == name:
                return component
        raise KeyError(name)

    @property
    def signature(self) -> str:
        """Identifies what this pipeline computes: re-analysing a document with the same signature is a no-op."""
        return hashlib.sha256(json.dumps(self.describe(), sort_keys=True).encode()).hexdigest()[:16]

    def describe(self) -> list[dict[str, str]]:
        return [{"name": c.name, "version": c.version} for c in self.components]

    def __call__(self, doc: Document) -> Document:
        return self.run([doc])[0]

    def run(self, docs: list[Document]) -> list[Document]:
        """Annotate one batch of documents in place and return it, recording which analyser wrote each layer."""
        for component in self.components:
            component.set_annotations(docs, component.predict(docs))
            for doc in docs:
                doc.produced_by.update({layer: {"analyser": component.name, "version": component.version}
                                        for layer in component.assigns})
        return docs

    def pipe(self, docs: Iterable[Document], batch_size: int = 32) -> Iterator[Document]:
        """Annotate a stream of documents lazily, one batch in memory at a time."""
        iterator = iter(docs)
        while batch := list(islice(iterator, batch_size)):
            yield from self.run(batch)


def load_pipeline(config: PipelineConfig | Iterable[str] | None = None) -> Pipeline:
    """Build the pipeline ``config`` describes (component names alone: those components with their default models;
    ``None``: the default pipeline). A configuration that cannot be built raises :class:`PipelineConfigError`
    before any model loads."""
    config = PipelineConfig.of(config)
    config.check()
    factories = {name: analyser_factory(name) for name in config.names()}
    for name in factories.keys() & config.models.keys():
        if "model_dir" not in inspect.signature(factories[name]).parameters:
            raise PipelineConfigError(f"the {name} analyser loads no model; a model folder was given for it")
    return Pipeline([factory(**config.factory_kwargs(name)) for name, factory in factories.items()], config)
