"""MkDocs hook: turn the page's LaTeX into MathML at build time, so math renders offline.

pymdownx.arithmatex (generic mode) finds the math in the Markdown and wraps
it as ``<span class="arithmatex">\\(...\\)</span>`` (inline) or
``<div class="arithmatex">\\[...\\]</div>`` (display). This hook replaces
each with MathML from the pure-Python latex2mathml package. Browsers
render MathML natively: no JavaScript, no CDN.

latex2mathml marks up a few symbols differently from the way TeX spaces
them, and the browser then spaces them wrongly; `tidy` corrects those.
"""

from __future__ import annotations

import html
import re

from latex2mathml.converter import convert

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


def sign(match: re.Match) -> str:
    if html.unescape(match["before"]) in CLOSING:
        return match[0]
    return f'{match[1]}<mo form="prefix">{match["sign"]}</mo>'


def tidy(mathml: str) -> str:
    """Mark up arrows, slashes, signs and upright words as TeX spaces them."""
    mathml = ARROW_AS_NAME.sub(r"<mo>\1</mo>", mathml)
    mathml = SLASH.sub('<mo lspace="0" rspace="0">&#x0002F;</mo>', mathml)
    mathml = SIGN.sub(sign, mathml)
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
