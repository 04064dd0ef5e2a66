"""The built docs site: what its pages show, checked in the HTML that mkdocs writes.

The site is built once per session (conftest's ``docs_site``); these tests
skip without the ``docs`` extra.
"""

from __future__ import annotations

import base64
import hashlib
import html as html_module
import json
import re
from urllib.parse import urlsplit

from support import ROOT, RUNNABLE, load

fetch_font = load(ROOT / "docs/_tools/fetch_font.py")


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


def api_pages(site) -> dict[str, str]:
    """Each API page's HTML, by module name below nanonet ("layers.linear")."""
    return {
        ".".join(page.parent.relative_to(site / "api").parts): page.read_text()
        for page in (site / "api").glob("**/index.html")
        if page.parent != site / "api"
        and (page.parent / "index.html").exists()
        and not list(page.parent.glob("*/index.html"))  # (a folder of pages is no module)
    }


def signatures(html: str) -> list[str]:
    """The text of every signature block on a page, as shown (line breaks kept)."""
    blocks = re.findall(
        r'<div class="language-python doc-signature highlight">(.*?)</div>', html, re.S
    )
    return [html_module.unescape(re.sub(r"<[^>]+>", "", block)).strip() for block in blocks]


def test_a_class_signature_shows_the_constructors_parameters(docs_site):
    pages = api_pages(docs_site)
    assert (
        "Linear(weight: float | None = None, *not_allowed: object, rng: object = None)"
        in signatures(pages["layers.linear"])
    )
    assert any(
        s.startswith("Dense(\n") and "bias: bool = True" in s
        for s in signatures(pages["layers.dense"])
    )


def test_long_signatures_wrap_one_parameter_a_line(docs_site):
    (gradcheck,) = [
        s for s in signatures(api_pages(docs_site)["tools.gradcheck"]) if s.startswith("gradcheck(")
    ]
    lines = gradcheck.splitlines()
    assert lines[0] == "gradcheck(" and lines[-1] == ") -> bool"
    assert "    layer: Layer | Loss," in lines and "    raise_exception: bool = True," in lines
    for page in api_pages(docs_site).values():
        assert all(len(line) <= 80 for s in signatures(page) for line in s.splitlines())


def test_the_contents_list_names_each_object_once(docs_site):
    for module, html in api_pages(docs_site).items():
        # The page's contents list, as the right-hand sidebar shows it.
        toc = html[html.rindex('data-md-component="toc"') : html.index('class="md-content"')]
        links = re.findall(r'<a href="#([\w.]+)" class="md-nav__link">', toc)
        assert links, module
        assert f"nanonet.{module}" not in links, f"{module}: the module repeats the page title"
        assert len(links) == len(set(links)), module
        # Each entry says what it is (class, meth, func, attr): names that repeat are told apart.
        assert toc.count('class="doc-symbol doc-symbol-toc') == len(links), module


def test_value_is_explained_and_every_signature_links_to_it(docs_site):
    index = (docs_site / "api" / "index.html").read_text()
    assert 'id="nanonet._checks.Value"' in index
    assert "a float for one sample, an array for a batch" in text_of(index)
    linear = api_pages(docs_site)["layers.linear"]
    forward = linear[linear.index('id="nanonet.layers.linear.Linear.forward"') :]
    forward = forward[forward.index("doc-signature") :]
    forward = forward[: forward.index("</code>")]
    assert forward.count('href="../../#nanonet._checks.Value">Value</a>') == 2  # x, the result


def test_every_attribute_has_a_type(docs_site):
    rows = 0
    for module, html in api_pages(docs_site).items():
        sections = re.findall(r'doc-section-title">Attributes:</span>.*?</table>', html, re.S)
        for table in sections:
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]:
                name, kind = (
                    text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[:2]
                )
                assert kind, f"{module}: attribute {name} has no type"
                rows += 1
    assert rows >= 20  # Parameter, Linear, Dense, Optimizer, ChainRule and Trace have them


def test_a_return_value_is_one_row_unless_its_items_are_named(docs_site):
    """A Returns text that runs on over several lines stays one value: its continuation lines
    are indented. (Unindented, griffe reads each line as one more value, with a made-up type.)"""
    tables = 0
    for module, html in api_pages(docs_site).items():
        for table in re.findall(r'doc-section-title">Returns:</span>.*?</table>', html, re.S):
            header, *rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
            named = "Name" in text_of(header)
            assert named or len(rows) == 1, f"{module}: a Returns table of {len(rows)} rows"
            tables += 1
    assert tables >= 15


def test_fonts_come_from_the_site_and_the_math_font_is_there_when_cached(docs_site):
    faces = 0
    for css in docs_site.rglob("*.css"):
        for face in re.findall(r"@font-face\s*\{(.*?)\}", css.read_text(), re.DOTALL):
            for url in re.findall(r"url\(\s*[\"']?([^\"')]+)", face):
                faces += 1
                parts = urlsplit(url)
                assert not parts.scheme and not parts.netloc and not url.startswith("/"), url
                if fetch_font.verify() is not None:
                    assert (css.parent / parts.path).is_file(), f"{css.name}: {url}"
    assert faces == 1  # the math font, in extra.css; Material loads no fonts (font: false)
    for page in docs_site.rglob("*.html"):
        assert (
            "fonts.googleapis" not in page.read_text() and "fonts.gstatic" not in page.read_text()
        )
    font = docs_site / "fonts" / fetch_font.FONT
    if fetch_font.verify() is None:  # no cache: the site builds without it
        assert not font.exists()
    else:
        pins = {path.split("/")[-1]: digest for path, digest in fetch_font.FILES.items()}
        assert hashlib.sha256(font.read_bytes()).hexdigest() == pins[fetch_font.FONT]
        assert "SIL Open Font License" in (docs_site / "fonts" / "LICENSE").read_text()


def test_math_is_spaced_as_tex_spaces_it(docs_site):
    formulas = [
        formula
        for page in docs_site.rglob("*.html")
        for formula in re.findall(r"<math .*?</math>", page.read_text(), re.DOTALL)
    ]
    assert len(formulas) > 80
    for formula in formulas:
        # An operator between text pieces loses its space: names are \mathrm, not \text.
        assert not re.search(r"</mtext><mo|</mo><mtext", formula), formula
        assert "<mi>&#x027F6;</mi>" not in formula  # an arrow is a relation
    tutorial = (docs_site / "tutorial" / "index.html").read_text()
    cost = '<mi mathvariant="normal">out</mi><mo>&#x02212;</mo><mi mathvariant="normal">target</mi>'
    assert (
        f'<mo stretchy="false">&#x00028;</mo>{cost}<msup><mo stretchy="false">&#x00029;</mo>'
        in (tutorial)
    )  # (out - target)^2: plain parentheses, the square on the closing one


def test_each_teaching_page_links_to_its_notebook_with_its_figures(docs_site):
    notebook = load(ROOT / "docs/_tools/notebook.py")
    pages = RUNNABLE
    assert {page.stem for page in pages} >= {"tutorial", "batches", "custom-layers"}
    assert sorted(p.name for p in (docs_site / "notebooks").iterdir()) == sorted(
        f"{page.stem}.ipynb" for page in pages
    )
    for page in pages:
        html = (docs_site / page.stem / "index.html").read_text()
        after_title = html[html.index("</h1>") :]
        first_paragraph = after_title[after_title.index("<p>") : after_title.index("</p>")]
        assert f'download="{page.stem}.ipynb" href="../notebooks/{page.stem}.ipynb"' in (
            first_paragraph
        )
        assert text_of(first_paragraph) == "Download this page as a Jupyter notebook"
        shipped = json.loads((docs_site / "notebooks" / f"{page.stem}.ipynb").read_text())
        assert (shipped["nbformat"], shipped["nbformat_minor"]) == (4, 5)
        made = notebook.page_notebook(page)  # as tests/test_notebooks.py runs it
        strip = [{k: v for k, v in c.items() if k != "attachments"} for c in shipped["cells"]]
        assert [c["source"] for c in strip if c["cell_type"] == "code"] == [
            c["source"] for c in made["cells"] if c["cell_type"] == "code"
        ]
    tutorial = json.loads((docs_site / "notebooks" / "tutorial.ipynb").read_text())
    attached = {name: c for c in tutorial["cells"] for name in c.get("attachments", {})}
    figure = attached["two_node-light.svg"]
    svg = base64.b64decode(figure["attachments"]["two_node-light.svg"]["image/svg+xml"])
    assert svg.startswith(b"<?xml") and b"<svg" in svg
    assert "](attachment:two_node-light.svg)" in "".join(figure["source"])
    assert "only-dark" not in json.dumps(tutorial)
    for name in ("two_node_network.svg", "two_node_backprop.svg"):  # the drawings, as pictures
        drawing = base64.b64decode(attached[name]["attachments"][name]["image/svg+xml"])
        assert drawing.startswith(b"<svg") and b"<title>Sequential: s0" in drawing
    assert tutorial["metadata"]["nanonet"] == {"page": "tutorial"}


#: An answer box, as pymdownx.details writes ??? success "Answer".
ANSWER_BOX = re.compile(r'<details class="success">\s*<summary>Answer</summary>')


def test_the_teachers_build_has_no_answer_box_and_the_same_exercises(docs_site, teacher_site):
    boxes, exercises = {}, {}
    for site in (docs_site, teacher_site):
        for page in RUNNABLE:
            html = (site / page.stem / "index.html").read_text()
            boxes[site, page.stem] = len(ANSWER_BOX.findall(html))
            exercises[site, page.stem] = re.findall(r'data-exercise="([\w-]+)"', html)
    assert sum(boxes[docs_site, page.stem] for page in RUNNABLE) >= 20
    assert all(boxes[teacher_site, page.stem] == 0 for page in RUNNABLE)
    for page in RUNNABLE:
        assert exercises[teacher_site, page.stem] == exercises[docs_site, page.stem]
    assert sum(len(found) for (site, _), found in exercises.items() if site == docs_site) >= 10
    # Not in the search index either, nor in the notebooks; the answers' code is gone.
    answer = "return grad * np.where(self.x > 0, 1.0, self.negative_slope)"

    def plain(path):
        return html_module.unescape(re.sub(r"<[^>]+>", "", path.read_text()))

    assert answer in plain(docs_site / "custom-layers" / "index.html")
    for path in teacher_site.rglob("*"):
        if path.suffix in (".html", ".json", ".ipynb"):
            assert answer not in plain(path).replace("\\u003e", ">"), path
    for page in RUNNABLE:
        shipped = json.loads((teacher_site / "notebooks" / f"{page.stem}.ipynb").read_text())
        tags = [tag for cell in shipped["cells"] for tag in cell["metadata"].get("tags", [])]
        assert "answer" not in tags and "Answers" not in json.dumps(shipped)
        assert tags.count("check") == len(exercises[docs_site, page.stem])


def test_the_home_page_offers_the_wheel_the_notebooks_need(docs_site):
    (wheel,) = (docs_site / "downloads").glob("nanonet-*.whl")
    assert wheel.name == notebook_tool().wheel_name()
    html = (docs_site / "index.html").read_text()
    assert f'href="downloads/{wheel.name}"' in html


def notebook_tool():
    return load(ROOT / "docs/_tools/notebook.py")


def test_the_navigation_names_the_api_reference_once(docs_site):
    html = (docs_site / "api" / "layers" / "linear" / "index.html").read_text()
    links = re.findall(r'<a href="([^"]*)" class="md-nav__link[^"]*">(.*?)</a>', html, re.DOTALL)
    assert [href for href, text in links if text_of(text) == "API reference"] == ["../../"]
