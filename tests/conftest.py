"""Shared test helpers."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# Examples are scripts, not a package: make them importable in tests.
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))
