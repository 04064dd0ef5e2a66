"""The sdist and the wheel hold what they should, with the metadata a package index shows.

A user who runs ``pip install nanonet`` gets the wheel, not this checkout: a
data file or ``py.typed`` missing from it, or a test shipped in it, shows only
when the wheel is built and read. These tests build the sdist and, from it,
the wheel, as ``python -m build`` does (here without build isolation, with
the hatchling installed beside the tests), then read their file lists and
the wheel's METADATA. .ci/wheel goes on from there: it installs the wheel in
a fresh environment and uses it outside the checkout.

They need the release extra (``python -m pip install -e ".[release]"``) and
skip without it, unless NANONET_REQUIRE_BUILD=1 (as in CI): then they fail.
"""

from __future__ import annotations

import email
import importlib.util
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from email.message import Message
from types import SimpleNamespace

import pytest
from support import ROOT, require_or_skip

import nanonet

VERSION = nanonet.__version__
DIST_INFO = f"nanonet-{VERSION}.dist-info"

# What the sdist holds at its top: the source, the tests and docs, and what builds them
# ([tool.hatch.build.targets.sdist] in pyproject.toml), plus the PKG-INFO the build writes.
SDIST_TOP = {
    *[".ci", "docs", "examples", "nanonet", "tests", "tools"],
    *[".gitignore", "CHANGELOG.md", "LICENSE", "README.md", "mkdocs.yml", "pyproject.toml"],
    "PKG-INFO",
}
# Folders a checkout gathers, which no distribution may hold.
GATHERED = {"__pycache__", ".venv", ".cache", "site", "dist", "build", ".pytest_cache"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sdist built from the checkout and the wheel built from that sdist."""
    missing = [name for name in ("build", "hatchling") if importlib.util.find_spec(name) is None]
    if missing:
        require_or_skip(
            "build",
            f'building needs {" and ".join(missing)}: python -m pip install -e ".[release]"',
        )
    out = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        wheel_files = {name: archive.read(name) for name in archive.namelist()}
    with tarfile.open(sdist) as archive:
        sdist_files = [member.name for member in archive.getmembers() if member.isfile()]
    return SimpleNamespace(
        sdist=sdist, wheel=wheel, wheel_files=wheel_files, sdist_files=sdist_files
    )


@pytest.fixture(scope="module")
def metadata(built) -> Message:
    return email.message_from_bytes(built.wheel_files[f"{DIST_INFO}/METADATA"])


# --- the wheel ----------------------------------------------------------------


def test_the_wheel_is_named_for_the_version_and_any_platform(built):
    assert built.wheel.name == f"nanonet-{VERSION}-py3-none-any.whl"
    assert built.sdist.name == f"nanonet-{VERSION}.tar.gz"


def test_the_wheel_holds_the_package_its_data_and_licences_and_nothing_else(built):
    # A new module is expected automatically; a new data file must be added here on purpose.
    modules = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "nanonet").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert {"nanonet/__init__.py", "nanonet/datasets.py", "nanonet/layers/dense.py"} <= modules
    expected = modules | {
        "nanonet/py.typed",
        "nanonet/_data/digits.npz",
        "nanonet/_data/DIGITS-LICENSE.txt",
        f"{DIST_INFO}/METADATA",
        f"{DIST_INFO}/WHEEL",
        f"{DIST_INFO}/RECORD",
        f"{DIST_INFO}/licenses/LICENSE",
        f"{DIST_INFO}/licenses/nanonet/_data/DIGITS-LICENSE.txt",
    }
    assert set(built.wheel_files) == expected


def test_the_wheel_holds_no_tests_docs_or_caches(built):
    # Implied by the exact list above; said on its own for the message it gives.
    for name in built.wheel_files:
        folders = name.split("/")[:-1]
        assert not set(folders[:1]) & {"tests", "docs", "examples", "tools"}, name
        assert not set(folders) & GATHERED, name
        assert not name.endswith((".pyc", ".pyo")), name


def test_the_wheels_files_are_the_checkouts_byte_for_byte(built):
    for name, data in built.wheel_files.items():
        if name.startswith("nanonet/"):
            assert data == (ROOT / name).read_bytes(), name
    licences = f"{DIST_INFO}/licenses/"
    assert built.wheel_files[licences + "LICENSE"] == (ROOT / "LICENSE").read_bytes()
    digits_licence = (ROOT / "nanonet/_data/DIGITS-LICENSE.txt").read_bytes()
    assert built.wheel_files[licences + "nanonet/_data/DIGITS-LICENSE.txt"] == digits_licence
    assert b"CC BY 4.0" in digits_licence


def test_the_wheel_is_pure_python(built):
    wheel = email.message_from_bytes(built.wheel_files[f"{DIST_INFO}/WHEEL"])
    assert wheel["Root-Is-Purelib"] == "true"
    assert wheel.get_all("Tag") == ["py3-none-any"]


# --- the metadata a package index shows ----------------------------------------


def test_name_version_and_summary(metadata):
    major, minor = (int(part) for part in metadata["Metadata-Version"].split(".")[:2])
    assert (major, minor) >= (2, 4)  # the version that has License-Expression
    assert metadata["Name"] == "nanonet"
    assert metadata["Version"] == VERSION
    assert metadata["Summary"] == (
        "A minimal, object-oriented neural-network micro-framework for learning backpropagation."
    )
    assert {"backpropagation", "neural networks", "numpy"} <= set(metadata["Keywords"].split(","))


def test_the_base_install_requires_numpy_only(metadata):
    requirements = metadata.get_all("Requires-Dist")
    assert [req for req in requirements if "extra ==" not in req] == ["numpy>=1.24"]
    extras = {"plot", "test", "lint", "docs", "browser", "notebooks", "compare", "bench", "release"}
    assert set(metadata.get_all("Provides-Extra")) == extras
    assert metadata["Requires-Python"] == ">=3.10"


def test_licence_is_an_spdx_expression_with_both_files(metadata):
    assert metadata["License-Expression"] == "MIT AND CC-BY-4.0"
    assert metadata.get_all("License-File") == ["LICENSE", "nanonet/_data/DIGITS-LICENSE.txt"]
    assert metadata["License"] is None  # the free-text field an expression replaces
    # PEP 639 deprecates the "License ::" classifiers beside an expression;
    # setuptools refuses the two together, and package indexes may too.
    assert not [c for c in metadata.get_all("Classifier") if c.startswith("License ::")]


def test_classifiers_say_who_it_is_for_and_which_pythons(metadata):
    classifiers = metadata.get_all("Classifier")
    for classifier in [
        "Development Status :: 3 - Alpha",
        "Intended Audience :: Education",
        "Intended Audience :: Science/Research",
        "Operating System :: OS Independent",
        "Programming Language :: Python :: 3 :: Only",
        "Topic :: Education",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
        "Typing :: Typed",
    ]:
        assert classifier in classifiers
    # The versions claimed start at Requires-Python's and have no gap; each was
    # tried with .ci/wheel (bash .ci/wheel python3.10 python3.12 python3.13).
    versions = [
        c.rsplit(" :: ", 1)[1]
        for c in classifiers
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    ]
    assert versions == ["3.10", "3.11", "3.12", "3.13"]
    assert metadata["Requires-Python"] == f">={versions[0]}"


def test_no_project_urls_until_nanonet_has_one(metadata):
    # nanonet has no public address of its own yet. Case-Studies-Python, whose
    # chapter it grows out of, is linked from the README, not listed as nanonet's.
    # When it gets one, add [project.urls] to pyproject.toml and check it here.
    assert metadata.get_all("Project-URL") is None
    assert metadata["Home-page"] is None


def test_the_long_description_is_the_readme_in_markdown(metadata):
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert metadata.get_payload() == (ROOT / "README.md").read_text()


# --- the sdist ----------------------------------------------------------------


def test_the_sdist_holds_the_source_tests_and_docs_and_nothing_a_checkout_gathers(built):
    prefix = f"nanonet-{VERSION}/"
    assert all(name.startswith(prefix) for name in built.sdist_files)
    names = [name.removeprefix(prefix) for name in built.sdist_files]
    assert {name.split("/")[0] for name in names} == SDIST_TOP
    for name in names:
        assert not set(name.split("/")[:-1]) & GATHERED, name  # (docs/build is a script)
        assert not name.endswith((".pyc", ".pyo")) and ".egg-info" not in name, name
    for needed in ["nanonet/_data/digits.npz", "nanonet/py.typed", "tests/conftest.py"]:
        assert needed in names


def test_the_sdist_holds_every_file_git_tracks(built):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout")
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    tracked = {name for name in listed.split("\0") if name and (ROOT / name).is_file()}
    names = {name.removeprefix(f"nanonet-{VERSION}/") for name in built.sdist_files}
    left_out = sorted(tracked - names)
    assert not left_out, (
        f"the sdist leaves out {left_out}: add their folder to "
        "[tool.hatch.build.targets.sdist] include in pyproject.toml, and to SDIST_TOP here"
    )


# --- one version, in one place ------------------------------------------------


def test_the_version_lives_in_nanonet_init_only():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject
    assert not re.search(r"^version\s*=", pyproject, re.MULTILINE)
    assert '[tool.hatch.version]\npath = "nanonet/__init__.py"' in pyproject
    assert re.findall(r'^__version__ = "(.*)"$', (ROOT / "nanonet/__init__.py").read_text(), re.M)


def test_the_changelogs_newest_entry_is_this_version():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    headings = re.findall(r"^## (\S+)", changelog, re.MULTILINE)
    assert headings[0] == VERSION
    assert headings == sorted(set(headings), key=_version_key, reverse=True)
    assert "0.1.0" in headings


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def test_the_readme_installs_the_wheel_that_the_build_makes(built):
    install = (ROOT / "README.md").read_text().split("## Use without the repository\n")[1]
    install = install.split("\n## ")[0]
    assert f"dist/{built.wheel.name}" in install
    assert "python -m build" in install


def test_ci_builds_and_smoke_tests_the_wheel():
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    test_command = lines.index('python -m pip install -e ".[test]" && python -m pytest')
    assert lines.index('python -m pip install --quiet -e ".[release]"') < test_command
    assert lines.index("export NANONET_REQUIRE_BUILD=1") < test_command
    assert lines.index("bash .ci/wheel") > test_command
