"""The widget loader.js serves is built from its modules (`relaydesk/web/widget_src`) by
esbuild and committed, so running relaydesk needs only Python. This checks the committed file is
what the modules build to today: a change to a module without `make widget` fails here."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .services import unavailable

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "relaydesk" / "web" / "widget_src" / "build.mjs"
COMMITTED = ROOT / "relaydesk" / "web" / "static" / "widget.js"


def test_the_committed_widget_is_built_from_the_current_modules(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "esbuild").is_dir():
        unavailable("node and esbuild are needed (`npm ci` at the repository root)")
    built = tmp_path / "widget.js"
    subprocess.run([node, str(BUILD), str(built)], check=True, cwd=ROOT, timeout=60)
    assert built.read_bytes() == COMMITTED.read_bytes(), "widget.js is stale: run `make widget`"
