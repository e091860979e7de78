"""Language identification over the content text, offline."""

import pytest

from narrascope.analysers.language import LanguageAnalyser, detect_language
from narrascope.document import Document

SAMPLES = {
    "en": "The government announced new measures on Tuesday to support farmers affected by the drought, officials said.",
    "pt": "O governo anunciou na terça-feira novas medidas para apoiar os agricultores afetados pela seca, disseram as "
          "autoridades.",
    "bg": "Правителството обяви във вторник нови мерки в подкрепа на земеделците, засегнати от сушата, съобщиха "
          "официални лица.",
    "ru": "Правительство объявило во вторник о новых мерах поддержки фермеров, пострадавших от засухи, сообщили "
          "официальные лица.",
    "hi": "सरकार ने मंगलवार को सूखे से प्रभावित किसानों की मदद के लिए नए उपायों की घोषणा की, अधिकारियों ने कहा।",
}


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_each_supported_language_is_recognised(lang):
    found, score = detect_language(SAMPLES[lang] + " " + SAMPLES[lang])
    assert found == lang and 0 < score <= 1


def test_the_body_decides_not_just_the_opening_characters():
    # an English headline longer than 80 characters over a Portuguese article
    text = "Breaking news from the capital: what the ministers said about the new budget today\n\n" + SAMPLES["pt"] * 3
    assert detect_language(text)[0] == "pt"


def test_given_languages_are_kept_and_text_without_letters_has_none():
    docs = [Document(SAMPLES["ru"], language="bg"), Document("12345 — 678")]
    detector = LanguageAnalyser()
    detector.set_annotations(docs, detector.predict(docs))
    assert [d.language for d in docs] == ["bg", None]
