"""The core never imports Textual: it must run headless, in cron and in workers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import feedback_tui

PACKAGE = Path(feedback_tui.__file__).parent
CORE_MODULES = sorted(
    "feedback_tui." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__")
    for p in PACKAGE.rglob("*.py")
    if "tui" not in p.relative_to(PACKAGE).parts[:1] and p.name != "__main__.py"
)


def test_core_modules_were_found() -> None:
    assert "feedback_tui.store" in CORE_MODULES
    assert "feedback_tui.scoring" in CORE_MODULES
    assert "feedback_tui.importers.csv_files" in CORE_MODULES


def test_core_never_imports_textual() -> None:
    """Import every core module in a fresh interpreter and check sys.modules."""
    code = (
        "import importlib, sys\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(leaked))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"core modules imported textual: {result.stdout}"
