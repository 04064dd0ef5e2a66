"""MkDocs hook: turn the page's LaTeX into MathML at build time, so math renders offline.

pymdownx.arithmatex (generic mode) finds the math in the Markdown and wraps
it as ``<span class="arithmatex">\\(...\\)</span>`` (inline) or
``<div class="arithmatex">\\[...\\]</div>`` (display). This hook replaces
each with MathML from the pure-Python latex2mathml package. Browsers
render MathML natively: no JavaScript, no CDN, no fonts to download.
"""

import html
import re

from latex2mathml.converter import convert

INLINE = re.compile(r'<span class="arithmatex">\\\((.+?)\\\)</span>', re.DOTALL)
DISPLAY = re.compile(r'<div class="arithmatex">\\\[(.+?)\\\]</div>', re.DOTALL)


def to_mathml(match, display):
    latex = html.unescape(match.group(1)).strip()
    mathml = convert(latex, display="block" if display else "inline")
    return f'<div class="math-display">{mathml}</div>' if display else mathml


def on_page_content(content, **kwargs):
    content = DISPLAY.sub(lambda m: to_mathml(m, display=True), content)
    content = INLINE.sub(lambda m: to_mathml(m, display=False), content)
    if 'class="arithmatex"' in content:
        raise ValueError("math that could not be converted to MathML is left on the page")
    return content
