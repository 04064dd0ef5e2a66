"""Build the code editor of the docs' Run buttons: CodeMirror 6, bundled with esbuild.

The editor's inputs live in ``docs/_tools/editor/``: ``editor.js`` (what the
site uses of CodeMirror), ``package.json`` (every package at an exact
version) and ``package-lock.json`` (every package and dependency, each with
the integrity hash of its tarball). ``npm ci`` installs exactly what the
lock file lists and checks every tarball against its hash; esbuild (pinned
there too) then bundles ``editor.js`` into one file. The result lands in
``.cache/editor-<key>/``: ``editor.js`` and ``LICENSE.txt`` (the licences of
the packages in the bundle), where ``<key>`` is made from the three inputs,
so a rebuild with the same inputs needs no network. The docs build
(docs/_hooks/run_buttons.py) copies both into the site's ``run/`` folder.

Exit status as for docs/_tools/fetch_runtime.py: 0 when the bundle is built
(or was cached), 1 when a package fails its integrity check or the bundle
fails to build, 2 when the registry cannot be reached (the site then builds
without the editor, and Edit uses a plain text area).

Usage: ``python docs/_tools/build_editor.py`` (needs Node and npm).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "docs" / "_tools" / "editor"
INPUTS = ["editor.js", "package.json", "package-lock.json"]
FILES = ["editor.js", "LICENSE.txt"]  # what the cache holds, and the site serves


class VerificationError(Exception):
    """A package failed npm's integrity check, or the bundle did not build."""


class FetchError(Exception):
    """The registry could not be reached."""


def cache() -> Path:
    """The cache folder for the current inputs."""
    digest = hashlib.sha256()
    for name in INPUTS:
        digest.update(name.encode() + b"\0" + (SOURCE / name).read_bytes() + b"\0")
    return ROOT / ".cache" / f"editor-{digest.hexdigest()[:16]}"


def built() -> Path | None:
    """The folder holding the bundle for the current inputs, or None if it is not built."""
    folder = cache()
    return folder if all((folder / name).is_file() for name in FILES) else None


def npm_ci(work: Path) -> None:
    """Install the lock file's packages into ``work``, each checked against its integrity hash."""
    command = ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--fetch-retries=1"]
    try:
        subprocess.run(command, cwd=work, check=True, capture_output=True, text=True)
    except FileNotFoundError:
        raise FetchError("npm is not installed") from None
    except subprocess.CalledProcessError as error:
        last_lines = "\n".join(error.stderr.strip().splitlines()[-3:])
        if "EINTEGRITY" in error.stderr:
            message = f"npm ci: a package failed its integrity check:\n{last_lines}"
            raise VerificationError(message) from None
        raise FetchError(f"npm ci failed:\n{last_lines}") from None


def bundle(work: Path, into: Path) -> None:
    """Bundle ``work/editor.js`` into ``into/editor.js``; gather the bundled packages' licences."""
    esbuild = work / "node_modules" / ".bin" / "esbuild"
    command = [
        str(esbuild),
        "editor.js",
        "--bundle",
        "--format=esm",
        "--minify",
        "--target=es2020",
        "--legal-comments=none",  # the licences are in LICENSE.txt, whole
        f"--outfile={into / 'editor.js'}",
        f"--metafile={work / 'meta.json'}",
    ]
    done = subprocess.run(command, cwd=work, capture_output=True, text=True)
    if done.returncode != 0:
        raise VerificationError(f"esbuild failed:\n{done.stderr[-2000:]}")
    inputs = json.loads((work / "meta.json").read_text())["inputs"]
    packages = sorted({package_of(path) for path in inputs if "node_modules/" in path})
    notices = []
    for package in packages:
        folder = work / "node_modules" / package
        version = json.loads((folder / "package.json").read_text())["version"]
        licence = next(iter(sorted(folder.glob("LICEN[CS]E*"))), None)
        text = licence.read_text() if licence else "(no licence file in the package)"
        notices.append(f"{package} {version}\n\n{text.strip()}\n")
    header = "The docs' code editor (run/editor.js) bundles these npm packages:\n\n"
    (into / "LICENSE.txt").write_text(header + "\n" + "\n\n".join(notices))


def package_of(path: str) -> str:
    """The npm package a bundled file comes from: "@codemirror/view", "crelt"."""
    parts = path.split("node_modules/")[-1].split("/")
    return "/".join(parts[:2]) if parts[0].startswith("@") else parts[0]


def build() -> Path:
    """Build the bundle unless it is cached; return its folder.

    Raises:
        VerificationError: a package failed its integrity check, or esbuild failed.
        FetchError: the registry could not be reached.
    """
    folder = built()
    if folder is not None:
        return folder
    folder = cache()
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent) as temp:
        work, staged = Path(temp) / "work", Path(temp) / "staged"
        work.mkdir()
        staged.mkdir()
        for name in INPUTS:
            shutil.copyfile(SOURCE / name, work / name)
        npm_ci(work)
        bundle(work, staged)
        if folder.exists():
            shutil.rmtree(folder)
        staged.rename(folder)
    for old in folder.parent.glob("editor-*"):  # bundles of earlier inputs
        if old != folder and old.is_dir():
            shutil.rmtree(old)
    return folder


def main() -> int:
    try:
        folder = build()
    except VerificationError as error:
        print(f"build_editor: FAILED: {error}", file=sys.stderr)
        return 1
    except FetchError as error:
        print(f"build_editor: could not fetch the editor's packages: {error}", file=sys.stderr)
        return 2
    size = (folder / "editor.js").stat().st_size
    print(f"build_editor: {folder / 'editor.js'} ({size / 1e3:.0f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
