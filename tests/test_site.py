"""The built docs site: what its pages show, checked in the HTML that mkdocs writes.

The site is built once per session (conftest's ``docs_site``); these tests
skip without the ``docs`` extra.
"""

from __future__ import annotations

import re


def text_of(html: str) -> str:
    """The text of an HTML fragment: tags dropped, runs of white space made one space."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_the_layer_contract_is_a_definition_list(docs_site):
    html = (docs_site / "custom-layers" / "index.html").read_text()
    (contract,) = re.findall(r"<dl>(.*?)</dl>", html, re.DOTALL)
    terms = [text_of(term) for term in re.findall(r"<dt>(.*?)</dt>", contract, re.DOTALL)]
    assert terms == ["forward(x)", "backward(grad)"]
    assert text_of(contract).count("computes the output from the input") == 1
    assert ": computes" not in text_of(html)  # the Markdown syntax is gone
