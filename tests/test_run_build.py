"""The Run buttons' build side: the runtime cache is verified, the hook marks the blocks.

No network and no real runtime here: a fake cache with its own pinned sha256.
"""

from __future__ import annotations

import hashlib
import json
from types import SimpleNamespace

import pytest
from support import ROOT, load

fetch_runtime = load(ROOT / "docs/_tools/fetch_runtime.py")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def fake_cache(tmp_path, monkeypatch):
    """A complete cache of made-up files, and the module pinned to their sha256."""
    wheels = {"numpy": b"np", "six": b"six", "matplotlib": b"mpl"}
    depends = {"numpy": [], "six": [], "matplotlib": ["numpy", "six"]}
    lock = json.dumps(
        {
            "packages": {
                name: {
                    "file_name": f"{name}-0-py3-none-any.whl",
                    "sha256": sha256(data),
                    "depends": depends[name],
                }
                for name, data in wheels.items()
            }
        }
    ).encode()
    contents = {"pyodide.js": b"js", fetch_runtime.LOCK: lock}
    contents.update({f"{name}-0-py3-none-any.whl": data for name, data in wheels.items()})
    for name, data in contents.items():
        (tmp_path / name).write_bytes(data)
    pins = {name: sha256(data) for name, data in contents.items() if not name.endswith(".whl")}
    monkeypatch.setattr(fetch_runtime, "RUNTIME_SHA256", pins)
    monkeypatch.setattr(fetch_runtime, "CACHE", tmp_path)
    return tmp_path


def test_a_complete_cache_verifies_and_fetch_then_needs_no_network(fake_cache, monkeypatch):
    assert fetch_runtime.verify(fake_cache) == [
        "pyodide.js",
        fetch_runtime.LOCK,
        "numpy-0-py3-none-any.whl",  # loaded with Python
        "six-0-py3-none-any.whl",  # matplotlib's dependencies, then matplotlib (optional)
        "matplotlib-0-py3-none-any.whl",
    ]
    monkeypatch.setattr(fetch_runtime, "run", pytest.fail)  # no npm, no pip
    assert fetch_runtime.main() == 0


def test_a_missing_file_means_no_runtime(fake_cache):
    (fake_cache / "numpy-0-py3-none-any.whl").unlink()
    assert fetch_runtime.verify(fake_cache) is None
    assert fetch_runtime.verify(fake_cache / "absent") is None


@pytest.mark.parametrize(
    "name",
    ["pyodide.js", "numpy-0-py3-none-any.whl", "six-0-py3-none-any.whl", "pyodide-lock.json"],
)
def test_a_changed_file_fails_verification(fake_cache, name, capsys):
    (fake_cache / name).write_bytes(b"tampered")
    with pytest.raises(fetch_runtime.VerificationError, match=name):
        fetch_runtime.verify(fake_cache)
    assert fetch_runtime.main() == 1
    assert "verification FAILED" in capsys.readouterr().err


def test_an_unreachable_registry_is_not_a_verification_failure(tmp_path, monkeypatch, capsys):
    def offline(command, cwd):
        raise fetch_runtime.FetchError("npm pack ... failed: network unreachable")

    monkeypatch.setattr(fetch_runtime, "CACHE", tmp_path / "cache")
    monkeypatch.setattr(fetch_runtime, "run", offline)
    assert fetch_runtime.main() == 2
    assert "could not fetch" in capsys.readouterr().err
    assert not (tmp_path / "cache").exists()


@pytest.fixture
def hook(monkeypatch):
    pytest.importorskip("mkdocs")
    return load(ROOT / "docs/_hooks/run_buttons.py")


HTML = (
    '<div class="language-python highlight"><pre><code>a = 1</code></pre></div>\n'
    '<div class="language-python no-test highlight"><pre><code>b = 2</code></pre></div>\n'
    '<div class="language-text highlight"><pre><code>1</code></pre></div>\n'
    '<div class="language-python highlight"><pre><code>print("language-python highlight")'
    "</code></pre></div>"
)


def test_the_hook_marks_the_python_blocks_of_runnable_pages_only(hook, tmp_path, monkeypatch):
    monkeypatch.setattr(hook.fetch_runtime, "CACHE", tmp_path / "absent")
    monkeypatch.setattr(hook.build_editor, "built", lambda: None)  # nor the editor
    hook.on_pre_build(config={})
    assert hook.on_page_content(HTML, page=SimpleNamespace(meta={})) == HTML
    marked = hook.on_page_content(HTML, page=SimpleNamespace(meta={"runnable": True}))
    lines = marked.splitlines()
    assert lines[0].startswith('<div class="language-python highlight" data-run-block>')
    assert lines[1:3] == HTML.splitlines()[1:3]  # {.no-test} and text blocks: no Run
    assert lines[3].startswith('<div class="language-python highlight" data-run-block>')
    assert "data-run-packages" not in marked  # no runtime: run.js says it was not included
    hook.on_post_build(config={"site_dir": str(tmp_path / "site")})
    assert not (tmp_path / "site").exists()


def test_the_hook_fails_the_build_on_a_changed_cache(hook, fake_cache, monkeypatch):
    from mkdocs.exceptions import PluginError

    monkeypatch.setattr(hook, "fetch_runtime", fetch_runtime)
    (fake_cache / "pyodide.js").write_bytes(b"tampered")
    with pytest.raises(PluginError, match="failed verification"):
        hook.on_pre_build(config={})


build_editor = load(ROOT / "docs/_tools/build_editor.py")


def test_the_editors_packages_are_pinned_and_locked():
    """Every package at an exact version, and every locked tarball with its integrity hash."""
    package = json.loads((build_editor.SOURCE / "package.json").read_text())
    lock = json.loads((build_editor.SOURCE / "package-lock.json").read_text())
    pinned = {**package["dependencies"], **package["devDependencies"]}
    assert "@codemirror/view" in pinned and "esbuild" in pinned
    for name, version in pinned.items():
        assert version[0].isdigit(), f"{name} {version}: not an exact version"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    for path, entry in lock["packages"].items():
        if path:  # "" is the project itself
            assert entry["integrity"].startswith("sha512-"), path
            # No tarball from elsewhere than the registry npm is set to (no git, no URL).
            assert "resolved" not in entry, path


def test_the_editors_cache_follows_its_inputs(tmp_path, monkeypatch):
    """A new input (a changed editor.js) is a new cache folder: the old bundle is not used."""
    source = tmp_path / "editor"
    source.mkdir()
    for name in build_editor.INPUTS:
        (source / name).write_text(name)
    monkeypatch.setattr(build_editor, "SOURCE", source)
    monkeypatch.setattr(build_editor, "ROOT", tmp_path)
    first = build_editor.cache()
    assert build_editor.built() is None
    first.mkdir(parents=True)
    for name in build_editor.FILES:
        (first / name).write_text("built")
    assert build_editor.built() == first
    (source / "editor.js").write_text("changed")
    assert build_editor.cache() != first and build_editor.built() is None
    assert build_editor.package_of("node_modules/@codemirror/view/dist/index.js") == (
        "@codemirror/view"
    )
    assert build_editor.package_of("node_modules/crelt/index.js") == "crelt"
