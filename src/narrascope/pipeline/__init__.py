"""The analysis pipeline: named components that each read a Document and add their own layer.

An analyser is any object with ``name``, ``version``, ``requires``/``assigns`` (layer names) and two steps,
``predict(docs)`` (compute, do not touch the documents) and ``set_annotations(docs, predictions)`` (write layers).
Adding an analyser to narrascope is registering one factory with :func:`register_analyser`.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, Protocol, runtime_checkable

from narrascope.document import Document

__all__ = [
    "Analyser",
    "Pipeline",
    "register_analyser",
    "available_analysers",
    "DEFAULT_COMPONENTS",
    "load_pipeline",
]


@runtime_checkable
class Analyser(Protocol):
    name: str
    version: str
    requires: tuple[str, ...]
    assigns: tuple[str, ...]

    def predict(self, docs: list[Document]) -> Any: ...

    def set_annotations(self, docs: list[Document], predictions: Any) -> None: ...


_FACTORIES: dict[str, Callable[..., Analyser]] = {}

# Modules that register analysers when imported; a component is looked up here lazily so heavy
# dependencies (torch, spaCy) load only when the component is actually used.
_COMPONENT_MODULES: dict[str, str] = {
    "segmenter": "narrascope.analysers.segmenter",
    "language": "narrascope.analysers.language",
    "sentences": "narrascope.analysers.sentences",
    "narratives": "narrascope.analysers.narratives",
    "entities": "narrascope.analysers.entities",
    "techniques": "narrascope.analysers.techniques",
}

# The default pipeline, in order. Components whose module is not installed yet are skipped by load_pipeline.
DEFAULT_COMPONENTS: tuple[str, ...] = ("segmenter", "language", "sentences", "narratives", "entities", "techniques")


def register_analyser(name: str) -> Callable[[Callable[..., Analyser]], Callable[..., Analyser]]:
    """Decorator registering a factory (class or function) that builds the analyser ``name``."""

    def decorate(factory: Callable[..., Analyser]) -> Callable[..., Analyser]:
        _FACTORIES[name] = factory
        return factory

    return decorate


def _factory(name: str) -> Callable[..., Analyser]:
    if name not in _FACTORIES and name in _COMPONENT_MODULES:
        importlib.import_module(_COMPONENT_MODULES[name])
    if name not in _FACTORIES:
        raise KeyError(f"unknown analyser {name!r}; available: {', '.join(available_analysers())}")
    return _FACTORIES[name]


def available_analysers() -> list[str]:
    """Names of the analysers that can be built in this installation."""
    names = set(_FACTORIES)
    for name, module in _COMPONENT_MODULES.items():
        if importlib.util.find_spec(module) is not None:
            names.add(name)
    return sorted(names)


class Pipeline:
    """An ordered list of analysers run over batches of documents."""

    def __init__(self, components: list[Analyser]):
        produced: set[str] = set()
        for component in components:
            missing = [layer for layer in component.requires if layer not in produced]
            if missing:
                raise ValueError(f"analyser {component.name!r} requires {missing}, which no earlier component assigns")
            produced.update(component.assigns)
        self.components = components

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.components]

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


def load_pipeline(
    components: Iterable[str] | None = None,
    *,
    exclude: Iterable[str] = (),
    config: dict[str, dict[str, Any]] | None = None,
) -> Pipeline:
    """Build a pipeline from component names (default: every available default component).

    ``config`` maps a component name to keyword arguments for its factory, e.g.
    ``{"narratives": {"model_dir": "my-model/"}}``.
    """
    config = config or {}
    explicit = components is not None
    names = list(components) if explicit else list(DEFAULT_COMPONENTS)
    available = set(available_analysers())
    built = []
    for name in names:
        if name in exclude:
            continue
        if not explicit and name not in available:
            continue
        built.append(_factory(name)(**config.get(name, {})))
    return Pipeline(built)
