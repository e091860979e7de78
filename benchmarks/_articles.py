"""Inputs shared by the speed benchmarks: articles cut or repeated to the 800 words the speed budgets refer to."""

WORDS = 800


def eight_hundred_words(text: str) -> str:
    """The article's non-empty lines, repeated as needed, up to exactly 800 words, as paragraphs."""
    lines, count = [], 0
    source = [line for line in text.split("\n") if line.strip()]
    while count < WORDS:
        for line in source:
            take = line.split()[: WORDS - count]
            lines.append(" ".join(take))
            count += len(take)
            if count >= WORDS:
                break
    return "\n\n".join(lines)
