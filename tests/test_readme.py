"""The README's commands and quick start stay true."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

README = (ROOT / "README.md").read_text()


def code_blocks(language, text=README):
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def section(title):
    return README.split(f"## {title}\n")[1].split("\n## ")[0]


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_test_one():
    commands = [block.strip() for block in code_blocks("bash", section("Set up"))]
    assert commands == [
        'python -m pip install -e ".[plot]" && python examples/two_node.py',
        'python -m pip install -e ".[test]" && python -m pytest',
    ]
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert commands[1] in ci_lines


def test_quick_start_runs_and_gives_the_numbers_it_claims():
    (quick_start,) = code_blocks("python")
    namespace = {}
    exec(compile(quick_start, "README.md", "exec"), namespace)
    weights = [round(p.value, 5) for p in namespace["model"].parameters()]
    assert weights == [2.00306, 1.08207, 0.94186]
    assert round(namespace["model"](2.0), 12) == 0.7


def test_ci_builds_the_docs_as_the_readme_says():
    (command,) = [block.strip() for block in code_blocks("bash", section("Documentation"))]
    assert command == 'python -m pip install -e ".[docs]" && docs/build'
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'python -m pip install -e ".[docs]" && docs/build --site-dir' in ci
    assert "mkdocs build --strict" in (ROOT / "docs" / "build").read_text()
