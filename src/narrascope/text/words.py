"""What a word is in the five languages. Python's ``\\w`` leaves out combining marks, among them the Devanagari
vowel signs, so ``\\w+`` cuts "हमला" into "हमल" and drops the "ा"; these patterns keep such words whole."""

__all__ = ["WORD_CHARS", "TOKEN_PATTERN"]

# letters, digits and underscore, plus Latin/Cyrillic combining marks and the Devanagari block without its dandas
WORD_CHARS = r"\w\u0300-\u036f\u0483-\u0489\u0900-\u0963\u0966-\u097f"

# a token of two or more word characters, as scikit-learn's default ``(?u)\b\w\w+\b`` means it
TOKEN_PATTERN = rf"(?<![{WORD_CHARS}])[{WORD_CHARS}]{{2,}}"
