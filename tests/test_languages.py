"""The five task languages have one definition; the SemEval spelling and the models' features derive from it."""

from narrascope.models import narratives
from narrascope.semeval import files
from narrascope.text import names
from narrascope.text.languages import LANGUAGES


def test_languages_are_defined_once_in_lower_case():
    assert LANGUAGES == ("bg", "en", "hi", "pt", "ru")
    assert narratives.LANGUAGES is LANGUAGES and files.LANGUAGES is LANGUAGES and names.LANGUAGES is LANGUAGES
    assert files.ID_LANGUAGES == ("BG", "EN", "HI", "PT", "RU")
    assert [files.language_of(f"{code}_CC_1.txt") for code in files.ID_LANGUAGES] == list(files.ID_LANGUAGES)
