"""The narratives analyser: labels with probabilities, evidence sentences inside the text, Other without evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from narrascope.document import NARRATIVES, SUBNARRATIVES, Document
from narrascope.models.narratives import OTHER
from narrascope.models.training import train_model
from narrascope.pipeline import PipelineConfig, load_pipeline
from narrascope.semeval import SemevalDocument

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "narratives" / "synthetic.jsonl"
SHARED_TEST = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "semeval2025-task10" / "unlabelled-test"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> str:
    rows = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
    docs = [SemevalDocument(r["id"], r["lang"], r["text"], r["narratives"], r["subnarratives"]) for r in rows]
    path = tmp_path_factory.mktemp("narrative-model")
    train_model(docs, random_state=0)[0].save(path)
    return str(path)


def _pipeline(model_dir: str | None):
    models = {"narratives": model_dir} if model_dir else {}
    return load_pipeline(PipelineConfig(components=("segmenter", "sentences", "narratives"), models=models))


def test_labels_and_evidence_inside_text(model_dir):
    text = ("Army day in Moscow\n\nThe meeting took place on Tuesday afternoon. "
            "The victory parade displayed the invincible might of Russian missiles. Local residents gathered in the square. "
            "The mighty Russian army crushed the enemy lines with tanks and artillery. The weather was mild for the season.")
    doc = _pipeline(model_dir)(Document(text, language="en"))
    narratives, subs = doc.cats[NARRATIVES], doc.cats[SUBNARRATIVES]
    assert [label.name for label in narratives] == ["URW: Praise of Russia"]
    assert "URW: Praise of Russia: Praise of Russian military might" in [label.name for label in subs]
    for label in narratives + subs:
        assert 0 < label.score <= 1
        assert 1 <= len(label.evidence) <= 3
        for span in label.evidence:
            assert 0 <= span.start < span.end <= len(text)
            assert span.label == label.name
    top = narratives[0].evidence[0]
    assert "Russian" in doc.quote(top)  # the best evidence is one of the two praising sentences


def test_other_document_has_single_label_without_evidence(model_dir):
    text = "The football club won the match after a late goal. A new recipe for apple pie became popular at the market."
    doc = _pipeline(model_dir)(Document(text, language="en"))
    for layer in (NARRATIVES, SUBNARRATIVES):
        assert len(doc.cats[layer]) == 1
        assert doc.cats[layer][0].name == OTHER and doc.cats[layer][0].evidence == []


def test_version_follows_model(model_dir):
    pipeline = _pipeline(model_dir)
    assert pipeline.get("narratives").version.startswith("3-")  # salience-pooled model, comments decided one by one
    assert pipeline.get("narratives").version != _pipeline(None).get("narratives").version


@pytest.mark.shared
def test_default_model_on_unlabelled_test_article():
    if not SHARED_TEST.is_dir():
        pytest.skip(f"SemEval-2025 unlabelled test documents not found at {SHARED_TEST} (../shared beside the repository)")
    path = sorted((SHARED_TEST / "raw-documents" / "EN").glob("*.txt"))[0]
    text = path.read_text(encoding="utf-8")
    doc = load_pipeline(["segmenter", "language", "sentences", "narratives"])(Document(text, id=path.name))
    labels = doc.cats[NARRATIVES] + doc.cats[SUBNARRATIVES]
    assert labels
    for label in labels:
        for span in label.evidence:
            assert 0 <= span.start < span.end <= len(text)
            assert doc.quote(span).strip()


def _segmented(text: str, parts: list[tuple[str, str]]) -> Document:
    """A document whose segments layer is set by hand: ``parts`` are (kind, exact substring of text) in order."""
    from narrascope.document import SEGMENTS, Span

    doc = Document(text, language="en")
    spans, cursor = [], 0
    for kind, piece in parts:
        start = text.index(piece, cursor)
        spans.append(Span(start, start + len(piece), kind))
        cursor = start + len(piece)
    doc.add_spans(SEGMENTS, spans)
    return doc


def _analyse(doc: Document, model_dir: str) -> Document:
    """Sentences and narratives over the segments already set (no segmenter)."""
    from narrascope.analysers.narratives import NarrativeAnalyser
    from narrascope.analysers.sentences import SentenceAnalyser

    for component in (SentenceAnalyser(), NarrativeAnalyser(model_dir)):
        component.set_annotations([doc], component.predict([doc]))
    return doc


ARTICLE = ("The meeting took place on Tuesday afternoon. Local residents gathered in the square. "
           "The weather was mild for the season. Several people attended the event.")
COMMENT_1 = "The mighty Russian army crushed the enemy lines with tanks and artillery."
COMMENT_2 = "The victory parade displayed the invincible might of Russian missiles."


def test_reader_comments_have_their_own_layer_and_never_feed_the_article(model_dir):
    from narrascope.document import COMMENT_NARRATIVES

    text = f"Town news\n\n{ARTICLE}\n\nComments\n  1. {COMMENT_1}\n  2. {COMMENT_2}\n"
    doc = _segmented(text, [("title", "Town news"), ("body", ARTICLE), ("comment", COMMENT_1), ("comment", COMMENT_2)])
    doc = _analyse(doc, model_dir)
    assert [label.name for label in doc.cats[NARRATIVES]] == [OTHER]  # the article itself is neutral
    readers = doc.cats[COMMENT_NARRATIVES]
    assert [label.name for label in readers] == ["URW: Praise of Russia"]
    comment_start = text.index(COMMENT_1)
    assert readers[0].evidence and all(span.start >= comment_start for span in readers[0].evidence)

    # the same comments read as body text would have made the article a praise of Russia
    as_body = _segmented(text, [("title", "Town news"), ("body", ARTICLE), ("body", COMMENT_1), ("body", COMMENT_2)])
    as_body = _analyse(as_body, model_dir)
    assert [label.name for label in as_body.cats[NARRATIVES]] == ["URW: Praise of Russia"]
    assert as_body.cats[COMMENT_NARRATIVES] == []


def test_evidence_is_the_sentence_that_decides(model_dir):
    """The top evidence sentence alone gives the label; the rest of the document alone does not."""
    text = ("The meeting took place on Tuesday afternoon. Local residents gathered in the square. "
            "The mighty Russian army crushed the enemy lines with tanks and artillery. The weather was mild for the season.")
    pipeline = _pipeline(model_dir)
    doc = pipeline(Document(text, language="en"))
    label = doc.cats[NARRATIVES][0]
    assert label.name == "URW: Praise of Russia"
    top = label.evidence[0]
    assert doc.quote(top) == "The mighty Russian army crushed the enemy lines with tanks and artillery."
    assert 0.5 < top.score <= 1  # the sentence's weight in the pooled score
    rest = (text[: top.start] + text[top.end :]).strip()
    assert [lab.name for lab in pipeline(Document(rest, language="en")).cats[NARRATIVES]] == [OTHER]


def test_rejected_claim_is_not_evidence(model_dir):
    """A sentence in which the author marks the claim as false is left out of the narrative's pool and evidence."""
    claim = "The mighty Russian army crushed the enemy lines with tanks and artillery."
    rejected = f"Kremlin propaganda falsely claims that {claim[0].lower()}{claim[1:]}"
    text = f"The meeting took place on Tuesday afternoon. {rejected} Local residents gathered in the square."
    doc = _pipeline(model_dir)(Document(text, language="en"))
    assert [label.name for label in doc.cats[NARRATIVES]] == [OTHER]
    kept = _pipeline(model_dir)(Document(text.replace(rejected, claim), language="en"))
    assert [label.name for label in kept.cats[NARRATIVES]] == ["URW: Praise of Russia"]


def test_labels_carry_the_display_threshold(model_dir):
    from narrascope.models.narratives import NarrativeModel

    model = NarrativeModel.load(model_dir)
    assert set(model.display_thresholds) == {NARRATIVES, SUBNARRATIVES}
    text = ("The mighty Russian army crushed the enemy lines with tanks and artillery. "
            "The victory parade displayed the invincible might of Russian missiles.")
    doc = _pipeline(model_dir)(Document(text, language="en"))
    for layer in (NARRATIVES, SUBNARRATIVES):
        for label in doc.cats[layer]:
            assert label.attrs["display_threshold"] == model.display_thresholds[layer]
            assert label.possible == (label.score < model.display_thresholds[layer])


def test_title_from_metadata_is_read_but_never_quoted(model_dir):
    body = "The meeting took place on Tuesday afternoon. Local residents gathered in the square."
    title = "The mighty Russian army crushed the enemy lines with tanks and artillery"
    plain = _pipeline(model_dir)(Document(body, language="en"))
    titled = _pipeline(model_dir)(Document(body, language="en", title=title))
    assert [label.name for label in plain.cats[NARRATIVES]] == [OTHER]
    assert [label.name for label in titled.cats[NARRATIVES]] == ["URW: Praise of Russia"]
    for label in titled.cats[NARRATIVES] + titled.cats[SUBNARRATIVES]:
        assert all(span.end <= len(body) for span in label.evidence)


THREAD = Path(__file__).resolve().parents[1] / "fixtures" / "narratives" / "news-with-comments.txt"


def test_one_partisan_comment_in_a_neutral_thread_is_found(model_dir):
    """Each comment is decided on its own, read whole: three neutral comments do not hide the fourth's narrative,
    and a comment wrapped over two lines is not cut into fragments."""
    from narrascope.document import COMMENT_NARRATIVES

    text = THREAD.read_text(encoding="utf-8")
    doc = load_pipeline(PipelineConfig(components=("segmenter", "sentences", "narratives"), models={"narratives": model_dir}))(
        Document(text, language="en"))
    assert len(doc.comments()) == 4
    assert [label.name for label in doc.cats[NARRATIVES]] == [OTHER]
    readers = [label for label in doc.cats[COMMENT_NARRATIVES] if not label.possible]
    assert [label.name for label in readers] == ["URW: Praise of Russia"]
    assert readers[0].attrs["comments"] == 1  # one comment clearly carries it
    top = doc.quote(readers[0].evidence[0])
    assert top.startswith("The mighty Russian army crushed the enemy lines with tanks and\n")  # one sentence, unwrapped
    assert top.endswith("nobody can stand against it.")


def test_default_model_finds_the_pro_kremlin_comments_of_the_example_page():
    """The example page's article is neutral; two of its four reader comments push Kremlin narratives."""
    from narrascope.document import COMMENT_NARRATIVES

    page = Path(__file__).resolve().parents[2] / "examples" / "pages" / "news-with-comments.txt"
    doc = load_pipeline(["segmenter", "language", "sentences", "narratives"])(
        Document(page.read_text(encoding="utf-8"), id=page.name))
    assert [label.name for label in doc.cats[NARRATIVES]] == [OTHER]
    shown = [label for label in doc.cats[COMMENT_NARRATIVES] if not label.possible]
    assert shown and all(label.name.startswith("URW: ") for label in shown)
    assert all(doc.quote(span) not in ("1.", "2.") for label in shown for span in label.evidence)
