"""Widget weight on the wire: the loader alone, and loader plus panel, gzipped."""

from __future__ import annotations

import gzip
from pathlib import Path

from relaydesk.web.widget_script import widget_script

STATIC = Path(__file__).resolve().parent.parent / "relaydesk" / "web" / "static"
LOADER_TARGET = 3 * 1024
TOTAL_TARGET = 25 * 1024


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def run() -> dict[str, int]:
    loader = gzipped((STATIC / "loader.js").read_bytes())
    total = loader + gzipped(widget_script()[0])
    print(
        f"widget size: loader.js {loader} B gzipped (target <= {LOADER_TARGET} B), "
        f"loader + widget.js {total} B gzipped (target <= {TOTAL_TARGET} B)"
    )
    return {"loader_gz": loader, "total_gz": total}
