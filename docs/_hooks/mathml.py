"""MkDocs hook: turn the page's LaTeX into MathML at build time, so math renders offline.

pymdownx.arithmatex (generic mode) finds the math in the Markdown and wraps
it as ``<span class="arithmatex">\\(...\\)</span>`` (inline) or
``<div class="arithmatex">\\[...\\]</div>`` (display). This hook replaces
each with MathML from the pure-Python latex2mathml package. Browsers
render MathML natively: no JavaScript, no CDN.

latex2mathml marks up a few symbols differently from the way TeX spaces
them, and the browser then spaces them wrongly; `tidy` corrects those.

The site serves its own math font, STIX Two Math (docs/extra.css declares
it): without an OpenType math font, which many Linux and Android systems
lack, stretchy parentheses grow huge and subscripts stop dropping. This
hook adds the font and its license to the site from the verified cache
that docs/_tools/fetch_font.py fills. Without the cache the site still
builds, and math uses the reader's own fonts; a cache whose files fail
verification fails the build.
"""

from __future__ import annotations

import html
import importlib.util
import logging
import re
from pathlib import Path

from latex2mathml.converter import convert
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

TOOLS = Path(__file__).resolve().parent.parent / "_tools" / "fetch_font.py"
spec = importlib.util.spec_from_file_location("fetch_font", TOOLS)
fetch_font = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fetch_font)

log = logging.getLogger("mkdocs.hooks.mathml")

INLINE = re.compile(r'<span class="arithmatex">\\\((.+?)\\\)</span>', re.DOTALL)
DISPLAY = re.compile(r'<div class="arithmatex">\\\[(.+?)\\\]</div>', re.DOTALL)

# \longrightarrow and its kin come out as <mi>, a name, with no space around
# it; in TeX an arrow is a relation, like =: an <mo> gets a relation's space.
# (Arrows are U+2190-21FF and U+27F0-27FF; latex2mathml writes &#x0XXXX;.)
ARROW_AS_NAME = re.compile(r"<mi>(&#x0(?:21[9A-F][0-9A-F]|27F[0-9A-F]);)</mi>")
# In TeX a slash is an ordinary symbol, with no space around it: dC/dw.
SLASH = re.compile(r"<mo>&#x0002F;</mo>")
# A minus (or plus) straight after an operator, an opening bracket or a comma
# is a sign, as in [-1, 1): TeX sets it with no space. The browser, which
# only makes the first operator of a row a sign, would space it as in a - b.
SIGN = re.compile(r"(<mo[^>]*>(?P<before>[^<]*)</mo>)<mo>(?P<sign>&#x02212;|&#x0002B;)</mo>")
CLOSING = {")", "]", "}", "|", "\u2016", "\u27e9", "!", "\u2032"}
# \mathrm{out} comes out as one <mi> per letter; one <mi> for the word is
# what screen readers read as a word, and keeps the font's spacing.
UPRIGHT_WORD = re.compile(r'<mrow>((?:<mi mathvariant="normal">[^<]+</mi>){2,})</mrow>')
UPRIGHT_LETTER = re.compile(r'<mi mathvariant="normal">([^<]+)</mi>')
# \partial comes out as an operator, <mo>, which the browser spaces after a slash
# (dC/ dw); in TeX it is an ordinary symbol, like a letter.
PARTIAL = re.compile(r"<mo>&#x02202;</mo>")
# \max and \min come out as operators too, spaced as in a + b: "y =  max (x, 0)". In
# TeX they are function names, like \log: <mi>.
OPERATOR_NAME = re.compile(r"<mo>(max|min|sup|inf)</mo>")
# A function name (\log, \exp, \max, ...) before its argument: TeX puts a thin space
# between them (log p), but none before a bracket (log(p)). The browser puts none.
FUNCTION = re.compile(
    r"(?<!<msub>)(?<!<msup>)(?<!<munder>)"  # (not the base of a subscript, as in \max_i)
    r"(<mi>(?:log|ln|exp|sin|cos|tan|sinh|cosh|tanh|max|min|sup|inf)</mi>)"
    r"(?!<mo stretchy=\"false\">&#x0002[89];|<mo stretchy=\"false\">&#x0005B;|</)"
)
# |x| comes out as two operators, spaced as in a | b: "( | p - t | )". In TeX a bar
# used as a bracket has no space around it.
BAR = re.compile(r'<mo stretchy="false">&#x0007C;</mo>')


def sign(match: re.Match) -> str:
    if html.unescape(match["before"]) in CLOSING:
        return match[0]
    return f'{match[1]}<mo form="prefix">{match["sign"]}</mo>'


def tidy(mathml: str) -> str:
    """Mark up arrows, slashes, signs, ∂, function names, bars and upright words as TeX
    spaces them."""
    mathml = ARROW_AS_NAME.sub(r"<mo>\1</mo>", mathml)
    mathml = SLASH.sub('<mo lspace="0" rspace="0">&#x0002F;</mo>', mathml)
    mathml = SIGN.sub(sign, mathml)
    mathml = PARTIAL.sub("<mi>&#x02202;</mi>", mathml)
    mathml = OPERATOR_NAME.sub(r"<mi>\1</mi>", mathml)
    mathml = FUNCTION.sub(r'\1<mspace width="0.1667em"></mspace>', mathml)
    mathml = BAR.sub('<mo stretchy="false" lspace="0" rspace="0">&#x0007C;</mo>', mathml)
    return UPRIGHT_WORD.sub(
        lambda m: f'<mi mathvariant="normal">{"".join(UPRIGHT_LETTER.findall(m[1]))}</mi>',
        mathml,
    )


def to_mathml(latex: str, display: bool) -> str:
    """The MathML for one formula: a ``<math>`` element, in a div if on its own line."""
    mathml = tidy(convert(latex.strip(), display="block" if display else "inline"))
    return f'<div class="math-display">{mathml}</div>' if display else mathml


def on_page_content(content, **kwargs):
    content = DISPLAY.sub(lambda m: to_mathml(html.unescape(m[1]), display=True), content)
    content = INLINE.sub(lambda m: to_mathml(html.unescape(m[1]), display=False), content)
    if 'class="arithmatex"' in content:
        raise ValueError("math that could not be converted to MathML is left on the page")
    return content


def on_files(files, config, **kwargs):
    try:
        names = fetch_font.verify()
    except fetch_font.VerificationError as error:
        raise PluginError(f"the math font's cache failed verification: {error}") from None
    if names is None:
        log.info(
            "The math font is not included (no %s): math uses the reader's fonts. "
            "Run python docs/_tools/fetch_font.py to include it.",
            fetch_font.CACHE,
        )
        return files
    for name in names:
        files.append(
            File.generated(config, f"fonts/{name}", abs_src_path=str(fetch_font.CACHE / name))
        )
    return files
