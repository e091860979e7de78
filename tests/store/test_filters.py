"""One way to build a corpus filter from what a user typed: the command line and the REST API check values alike."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi import HTTPException
from typer import BadParameter

from narrascope.cli._common import build_filter
from narrascope.server.deps import document_filter
from narrascope.store import DocumentFilter, FilterError


def test_from_strings_reads_dates_and_treats_blank_values_as_unset():
    flt = DocumentFilter.from_strings(outlet=" ", narrative="URW: Blaming the war on others", since="2024-01-01",
                                      until="", text="climate -hoax", possible=True)
    assert flt == DocumentFilter(narrative="URW: Blaming the war on others", since=date(2024, 1, 1),
                                 text="climate -hoax", possible=True)


@pytest.mark.parametrize("values, field", [
    ({"since": "2024-13-01"}, "since"),
    ({"since": "2024-03-01", "until": "2024-01-01"}, "since"),
    ({"text": '"unclosed'}, "text"),
    ({"outlet": "a\x00b"}, "outlet"),
])
def test_from_strings_names_the_field_it_refuses(values, field):
    with pytest.raises(FilterError) as raised:
        DocumentFilter.from_strings(**values)
    assert raised.value.field == field


def test_the_command_line_and_the_api_refuse_the_same_values():
    for values in ({"since": "2024-03-01", "until": "2024-01-01"}, {"since": "03/01/2024"}, {"text": "OR climate"}):
        with pytest.raises(BadParameter):
            build_filter(**values)
        api = {("q" if name == "text" else name): value for name, value in values.items()}
        with pytest.raises(HTTPException):
            document_filter(**api)
    assert build_filter(since="2024-01-01", text="climate") == document_filter(since="2024-01-01", q="climate")
