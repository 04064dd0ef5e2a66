"""Fetch and verify the math font that the docs site serves.

The site's formulas are MathML, which the browser lays out with an
OpenType math font: one with a MATH table, which says how to stretch
parentheses, where to put sub- and superscripts, how thick a fraction bar
is. Many Linux and Android systems have none, and math then looks broken
(parentheses several lines tall). So the site serves one, STIX Two Math,
under the SIL Open Font License 1.1, from the npm package
``@fontsource/stix-two-math`` (pinned; fetched with ``npm pack``). This
script fills ``.cache/stix-two-math-<version>/`` with its ``.woff2`` file
(the whole font, MATH table included, 403 KB) and the license, each
checked against the sha256 recorded below; the docs build
(docs/_hooks/mathml.py) copies them into the site's ``fonts/`` folder.

Exit status as for docs/_tools/fetch_runtime.py, whose helpers it uses: 0
when the cache is complete and verified, 1 when a file fails verification,
2 when the registry cannot be reached (the site then builds without the
font, and math uses the reader's fonts).

Usage: ``python docs/_tools/fetch_font.py`` (stdlib only).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location(
    "fetch_runtime", Path(__file__).with_name("fetch_runtime.py")
)
fetch_runtime = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fetch_runtime)
VerificationError = fetch_runtime.VerificationError
FetchError = fetch_runtime.FetchError

VERSION = "5.3.0"
PACKAGE = f"@fontsource/stix-two-math@{VERSION}"
CACHE = ROOT / ".cache" / f"stix-two-math-{VERSION}"

# The files the site serves, by their path in the npm package, with their
# sha256 in @fontsource/stix-two-math@5.3.0. Each lands in the cache, and in
# the site's fonts/ folder, under the name after the last slash.
FILES = {
    "files/stix-two-math-latin-400-normal.woff2": (
        "8b2a6834cfe1f4e0f3724ffa59fe92000013fc5a4c41e6a3f438006c26c60f0d"
    ),
    "LICENSE": "0c8b99c034064cbb3c8ad9ba4531b89e179645b93d612da3e8be1cc52b393e58",
}
FONT = "stix-two-math-latin-400-normal.woff2"  # what docs/extra.css asks for


def verify(folder: Path | None = None) -> list[str] | None:
    """Check a cache folder.

    Args:
        folder: the folder to check; by default the cache.

    Returns:
        The names of its files, or None if the folder is absent or
        incomplete (the site then builds without the font).

    Raises:
        VerificationError: a file is there but its sha256 is wrong.
    """
    folder = folder or CACHE
    names = {Path(path).name: digest for path, digest in FILES.items()}
    if not all((folder / name).is_file() for name in names):
        return None
    for name, digest in names.items():
        fetch_runtime.check(folder / name, digest)
    return list(names)


def fetch(cache: Path | None = None) -> list[str]:
    """Fill the cache unless it is already complete and verified; return its files' names.

    Raises:
        VerificationError: a fetched or cached file has the wrong sha256.
        FetchError: the registry could not be reached.
    """
    cache = cache or CACHE
    names = verify(cache)
    if names is not None:
        return names
    fetch_runtime.fill(
        cache,
        lambda work, staged: fetch_runtime.extract(
            fetch_runtime.npm_pack(PACKAGE, work), FILES, staged
        ),
    )
    names = verify(cache)
    assert names is not None, "a fetched file went missing"
    return names


def main() -> int:
    return fetch_runtime.main_for("fetch_font", "the math font", fetch, CACHE)


if __name__ == "__main__":
    sys.exit(main())
