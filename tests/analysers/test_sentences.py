"""Sentence splitting with offsets, across the supported languages."""

from narrascope.analysers.sentences import split_sentences


def sentences(text):
    return [text[s:e] for s, e in split_sentences(text)]


def test_english_abbreviations_and_initials_do_not_split():
    text = "Mr. Smith met Dr. Jones in the U.S. on Monday. J. R. Doe said “no.” Then he left!"
    assert sentences(text) == ["Mr. Smith met Dr. Jones in the U.S. on Monday.", "J. R. Doe said “no.”", "Then he left!"]


def test_offsets_are_exact_and_lines_always_split():
    text = "  First line without stop\nSecond one. Third one?  "
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["First line without stop", "Second one.", "Third one?"]
    assert spans[0][0] == 2


def test_russian_bulgarian_portuguese_hindi():
    assert sentences("Это был фейк. Так сказал т.е. ведущий. Все.") == ["Это был фейк.", "Так сказал т.е. ведущий.", "Все."]
    assert sentences("Санкциите удрят Европа. Хората ще плащат.") == ["Санкциите удрят Европа.", "Хората ще плащат."]
    assert sentences("A guerra começou. O Sr. Silva disse que não.") == ["A guerra começou.", "O Sr. Silva disse que não."]
    assert sentences("यह युद्ध है। पश्चिम दोषी है।") == ["यह युद्ध है।", "पश्चिम दोषी है।"]


def test_lowercase_continuation_is_not_a_boundary():
    assert sentences("The figure was 3.5 per cent. in 2023 it rose.") == ["The figure was 3.5 per cent. in 2023 it rose."]


def test_number_abbreviations_only_before_numbers():
    assert sentences("See No. 5 here. He said no. Then left.") == ["See No. 5 here.", "He said no.", "Then left."]
