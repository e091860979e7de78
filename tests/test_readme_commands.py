"""Every ``narrascope`` command line in the README's ``bash`` blocks names an existing command and only its options.

Checked against the typer app's click command tree, nothing executed, so a renamed command or a removed option in
the code fails here until the README follows.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer
import typer.main

from narrascope.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"
FENCED_BASH = re.compile(r"^```bash\n(.*?)^```", re.MULTILINE | re.DOTALL)
SEPARATORS = {"|", "||", "&&", ";", "&"}


def bash_lines(markdown: str) -> list[str]:
    """The lines of every fenced ``bash`` block, a backslash continuation joined to its line."""
    lines: list[str] = []
    for block in FENCED_BASH.findall(markdown):
        lines.extend(line for line in block.replace("\\\n", " ").splitlines() if line.strip())
    return lines


def narrascope_invocations(line: str) -> list[list[str]]:
    """The argument lists of each ``narrascope`` (or ``.venv/bin/narrascope``) call on a shell line, comments dropped."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    calls: list[list[str]] = []
    current: list[str] | None = None
    for token in lexer:
        if token in SEPARATORS:
            current = None
        elif current is not None:
            current.append(token)
        elif token.rsplit("/", 1)[-1] == "narrascope":
            current = []
            calls.append(current)
    return calls


def problems(args: list[str], root: typer.core.TyperCommand | typer.core.TyperGroup) -> list[str]:
    """What in ``args`` the command tree does not know (an unknown subcommand, an option its command lacks) or misses
    (a required option)."""
    found: list[str] = []
    command, path = root, ["narrascope"]
    for raw in args:
        token = raw.strip("[]")  # optional parts are written [--lang ru]
        if token.startswith("-") and token != "-":
            option = token.split("=", 1)[0]
            known = {name for param in command.get_params(typer.Context(command)) for name in param.opts + param.secondary_opts}
            if option not in known:
                found.append(f"{' '.join(path)}: no option {option}")
        elif isinstance(command, typer.core.TyperGroup):
            subcommand = command.get_command(typer.Context(command), token)
            if subcommand is None:
                found.append(f"{' '.join(path)}: no command {token!r}")
                break
            command, path = subcommand, [*path, token]
    if "--help" in args:
        return found
    if isinstance(command, typer.core.TyperGroup):
        return found or [f"{' '.join(path)}: a group, no command named"]
    given = {token.strip("[]").split("=", 1)[0] for token in args}
    missing = [param.opts[0] for param in command.params
               if param.required and param.opts[0].startswith("-") and not given & {*param.opts, *param.secondary_opts}]
    return [*found, *(f"{' '.join(path)}: required option {option} missing" for option in missing)]


def readme_problems(markdown: str) -> list[str]:
    """Every problem of every ``narrascope`` call in the ``bash`` blocks of ``markdown``, each with its line."""
    root = typer.main.get_command(app)
    return [f"{line.strip()!r}: {problem}" for line in bash_lines(markdown)
            for call in narrascope_invocations(line) for problem in problems(call, root)]


def test_every_readme_command_line_exists_with_the_options_it_shows():
    markdown = README.read_text(encoding="utf-8")
    assert len([call for line in bash_lines(markdown) for call in narrascope_invocations(line)]) >= 20
    assert readme_problems(markdown) == []


@pytest.mark.parametrize("stale, expected", [
    ("narrascope analyze x/ --model-dir m/", "narrascope analyze: no option --model-dir"),
    ("narrascope train-entities --semeval d", "narrascope: no command 'train-entities'"),
    ("narrascope semeval2023 train --out m/", "narrascope semeval2023: no command 'train'"),
    (".venv/bin/narrascope eval narratives --entities-model m/", "narrascope eval narratives: no option --entities-model"),
    ("narrascope show D --json | jq . && narrascope list [--bogus]", "narrascope list: no option --bogus"),
    ("narrascope models", "narrascope models: a group, no command named"),
    ("narrascope train entities --with-reviews --db team.db", "narrascope train entities: required option --semeval missing"),
])
def test_a_stale_command_or_option_is_reported(stale, expected):
    line = f"{stale}   # a comment --not-an-option"
    assert readme_problems(f"```bash\n{line}\n```\n") == [f"{line!r}: {expected}"]


def test_values_comments_and_other_programs_are_not_taken_for_options():
    markdown = "```bash\ncat a.csv | .venv/bin/narrascope analyze - --meta a.csv  # --nope\npython -m http.server --x\n```\n"
    assert readme_problems(markdown) == []
