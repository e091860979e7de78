"""Shared fixtures for the distributed tests: a small multilingual corpus and the pipeline to run over it."""

from __future__ import annotations

import pytest

from narrascope.analysers.techniques import TechniqueAnalyser
from narrascope.document import Document
from narrascope.models import model_version, packaged_model_dir
from narrascope.pipeline import Pipeline, PipelineConfig, load_pipeline
from narrascope.store import Store

BASE_COMPONENTS = ["segmenter", "language", "sentences"]
# The trained analysers shipped with the package: a model that fails to load fails these tests.
MODEL_COMPONENTS = ["narratives", "entities", "techniques"]

_TEXTS = [
    "Ukraine's allies pledge more aid\n\nWestern governments said on Monday they would send more weapons. Critics "
    "argue the money would be better spent at home. Dr. Smith, a U.S. analyst, disagreed.",
    "Climate summit ends without deal\n\nDelegates left the talks on Friday. Activists called it a betrayal! Some "
    "officials claimed that the warming is natural and that scientists exaggerate the danger.",
    "Европейските лидери обсъдиха санкциите\n\nСрещата в Брюксел продължи до късно. Министрите не постигнаха "
    "съгласие за нов пакет мерки.",
    "Президент выступил с обращением\n\nОн заявил, что Запад ведёт войну против России. Эксперты считают, что "
    "санкции не работают.",
    "O governo anunciou novas medidas\n\nO ministro disse que a inflação vai cair. A oposição criticou o plano.",
    "सरकार ने नई नीति की घोषणा की\n\nमंत्री ने कहा कि यह कदम किसानों की मदद करेगा। विपक्ष ने इसकी आलोचना की।",
    "Short note without a title line.",
    "NATO expansion provoked the conflict, a commentator wrote.\n\nHe added that the West ignored every warning. "
    "Readers' comments:\nThis is propaganda.",
]


def make_corpus(copies: int = 3) -> list[Document]:
    """The texts above, each repeated with a distinct id so batches mix languages and lengths."""
    return [Document(text=text, id=f"doc-{copy}-{i}", source=f"outlet-{i % 3}")
            for copy in range(copies) for i, text in enumerate(_TEXTS)]


@pytest.fixture(scope="session")
def names() -> list[str]:
    """The pipeline compared across execution modes: the base components and every shipped model component."""
    return BASE_COMPONENTS + MODEL_COMPONENTS


@pytest.fixture
def corpus():
    """``corpus(copies)`` builds a fresh list of test documents."""
    return make_corpus


def configured_pipeline(model_dir: str) -> Pipeline:
    """The base components and the techniques analyser loading ``model_dir``."""
    return load_pipeline(PipelineConfig(components=(*BASE_COMPONENTS, "techniques"), models={"techniques": model_dir}))


def assert_store_ran_the_model(store: Store, model_dir: str) -> None:
    """Every stored document's techniques layer came from ``model_dir``, and the run recorded that folder."""
    version = f"{TechniqueAnalyser.code_version}-{model_version(model_dir)}"
    assert version != f"{TechniqueAnalyser.code_version}-{model_version(packaged_model_dir('techniques'))}"
    assert {d.produced_by["techniques"]["version"] for d in store.iter_documents()} == {version}
    assert store.runs()[0]["config"]["models"]["techniques"] == model_dir
