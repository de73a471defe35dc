"""`/static/widget.js` is the panel's modules (`relaydesk/web/widget_src`) joined into one script
by the server; no build step. The browser tests run what it serves; these check the joining."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from relaydesk.web.widget_script import SOURCES, WidgetSourceError, join

from .services import unavailable


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def test_dependencies_come_first_and_keywords_go(tmp_path: Path) -> None:
    folder = write(tmp_path, {
        "shell.js": "import { hello } from './words.js';\nimport CSS from './look.css';\n"
                    "export function mount() { return hello() + CSS; }\n",
        "words.js": "import { mount } from './shell.js';\nexport const greeting = 'hi';\n"
                    "export function hello() { return greeting; }\n",
        "look.css": ".a { color: red }\n",
    })  # fmt: skip
    script = join(folder, "shell.js")
    assert script.index("// words.js") < script.index("// shell.js")
    assert "import" not in script and "export" not in script
    assert 'const CSS = ".a { color: red }\\n";' in script


def test_comments_stay_in_the_sources_and_code_stays_whole(tmp_path: Path) -> None:
    folder = write(tmp_path, {
        "shell.js": "/* What the panel is.\n * Two lines of it.\n */\n"
                    "import CSS from './look.css';\n"
                    "// why mount exists\n"
                    "export function mount() {\n"
                    "    // an indented note\n"
                    "  const url = 'https://example.com/a'; // kept: code comes first\n"
                    "  const half = 4 / 2; /* kept too */\n"
                    "  return url + half + CSS;\n"
                    "}\n",
        "look.css": "/* the bubble */\n.a { color: red } /* red */\n",
    })  # fmt: skip
    body = join(folder, "shell.js").split("// shell.js\n", 1)[1]
    assert "What the panel is" not in body and "why mount" not in body
    assert "an indented note" not in body and "the bubble" not in body and "red */" not in body
    assert "  const url = 'https://example.com/a'; // kept: code comes first\n" in body
    assert "  const half = 4 / 2; /* kept too */\n" in body
    assert 'const CSS = "\\n.a { color: red } \\n";' in body
    assert "function mount() {\n  const url" in body


@pytest.mark.parametrize(
    ("files", "says"),
    [
        ({"shell.js": "let timer;\nimport { x } from './b.js';\n",
          "b.js": "export let x = 1;\nlet timer;\n"}, "timer is declared in b.js and shell.js"),
        ({"shell.js": "function go() {}\nimport { x } from './b.js';\n",
          "b.js": "export const x = 1;\nfunction go() {}\n"}, "go is declared in b.js"),
        ({"shell.js": "export default function mount() {}\n"}, "shell.js: unsupported"),
        ({"shell.js": "import * as b from './b.js';\n", "b.js": ""}, "shell.js: unsupported"),
        ({"shell.js": "import { x } from './gone.js';\n"}, "no module gone.js"),
    ],
)  # fmt: skip
def test_what_the_joiner_cannot_join_is_refused_by_name(
    tmp_path: Path, files: dict[str, str], says: str
) -> None:
    with pytest.raises(WidgetSourceError, match=says):
        join(write(tmp_path, files), "shell.js")


def test_the_panels_modules_join_into_valid_javascript(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        unavailable("node is needed to check the joined script's syntax")
    joined = tmp_path / "widget.js"
    joined.write_text(join())
    subprocess.run([node, "--check", str(joined)], check=True, timeout=60)
    assert {p.name for p in SOURCES.glob("*.js")} == {
        line[3:].strip() for line in join().splitlines() if line.startswith("// ") and
        line.endswith(".js") and " " not in line[3:].strip()
    }  # every module is reached from shell.js  # fmt: skip


async def test_the_server_serves_it_with_an_etag(client: httpx.AsyncClient) -> None:
    first = await client.get("/static/widget.js")
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/javascript")
    assert first.text == join()
    again = await client.get("/static/widget.js", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
