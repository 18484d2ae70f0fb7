"""Test configuration: make the harness modules in tests/ importable and locate ../shared."""

from __future__ import annotations

import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))
SHARED = TESTS.parent.parent / "shared"
