"""The chat panel's script, `/static/widget.js`: its modules (`web/widget_src/`) joined into one
file when the process first serves it. No build step: edit a module and restart.

The modules keep to a plain subset of ES modules, which this joiner relies on and checks: imports
are `import { a, b } from './x.js';` (and the one stylesheet, `import NAME from './x.css';`),
exports are `export` before a top-level `function`, `async function`, `const` or `let`, and no
two modules declare the same top-level name. The joined file is one function scope, dependencies
first, so a browser makes one request and sees what the modules wrote.

Comments stay in the sources and out of the served script: a line that holds nothing but a `//`
comment, a `/* ... */` comment that opens a module, and the stylesheet's comments are left out
(about a sixth of the gzipped bytes). So no template literal may hold a line that begins with
`//`; the modules keep template literals to one line.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request, Response

SOURCES = Path(__file__).parent / "widget_src"
ENTRY = "shell.js"
BANNER = "/* relaydesk chat panel: relaydesk/web/widget_src joined into one file. */\n"

SCRIPT_IMPORT = re.compile(r"^import \{([^}]*)\} from '\./([\w-]+\.js)';\n", re.M)
STYLE_IMPORT = re.compile(r"^import (\w+) from '\./([\w-]+\.css)';\n", re.M)
EXPORT = re.compile(r"^export (?=(?:async )?function |const |let )", re.M)
FUNCTION = re.compile(r"^(?:async )?(?:function\*? ?|class )(\w+)", re.M)
VARIABLES = re.compile(r"^(?:const|let|var) (\w+)", re.M)
LEFT_OVER = re.compile(r"^\s*(?:import|export)\b", re.M)
COMMENT_LINE = re.compile(r"^[ \t]*//.*\n", re.M)
HEADER_COMMENT = re.compile(r"\A\s*/\*.*?\*/[ \t]*\n", re.S)
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)


class WidgetSourceError(ValueError):
    """A module steps outside the subset the joiner understands."""


@dataclass(frozen=True)
class Module:
    name: str
    body: str
    needs: tuple[str, ...]


def stylesheet(path: Path) -> str:
    return CSS_COMMENT.sub("", path.read_text())


def parse(name: str, text: str, folder: Path) -> Module:
    """One module: what it imports, and its code without import and export keywords."""
    needs = tuple(m.group(2) for m in SCRIPT_IMPORT.finditer(text))
    styles = [
        f"const {m.group(1)} = {json.dumps(stylesheet(folder / m.group(2)))};\n"
        for m in STYLE_IMPORT.finditer(text)
    ]
    body = EXPORT.sub("", STYLE_IMPORT.sub("", SCRIPT_IMPORT.sub("", text)))
    body = COMMENT_LINE.sub("", HEADER_COMMENT.sub("", body))
    if stray := LEFT_OVER.search(body):
        line = body[: stray.start()].count("\n") + 1
        raise WidgetSourceError(f"{name}: unsupported import or export near line {line}")
    return Module(name, "".join(styles) + body, needs)


def ordered(modules: dict[str, Module], entry: str) -> list[Module]:
    """Dependencies before the modules that import them (a cycle is cut where it closes)."""
    seen: set[str] = set()
    out: list[Module] = []

    def visit(name: str) -> None:
        if name in seen:
            return
        if name not in modules:
            raise WidgetSourceError(f"no module {name} in {SOURCES.name}/")
        seen.add(name)
        for needed in modules[name].needs:
            visit(needed)
        out.append(modules[name])

    visit(entry)
    return out


def declared(body: str) -> list[str]:
    """The top-level functions and classes a module declares, and the first name of each of its
    top-level `const`/`let`/`var` statements. (Two `let`s of one name are a syntax error that
    `node --check` finds in the tests; two functions of one name would silently be one.)"""
    return FUNCTION.findall(body) + VARIABLES.findall(body)


def check_names(modules: list[Module]) -> None:
    """Top-level names share one scope once joined: two modules may not declare the same."""
    owner: dict[str, str] = {}
    for module in modules:
        for name in declared(module.body):
            if name in owner:
                raise WidgetSourceError(f"{name} is declared in {owner[name]} and {module.name}")
            owner[name] = module.name


def join(folder: Path = SOURCES, entry: str = ENTRY) -> str:
    """The modules of `folder`, reached from `entry`, as one classic script."""
    modules = {p.name: parse(p.name, p.read_text(), folder) for p in sorted(folder.glob("*.js"))}
    chain = ordered(modules, entry)
    check_names(chain)
    parts = [f"// {m.name}\n{m.body.strip()}\n" for m in chain]
    return BANNER + "(() => {\n'use strict';\n" + "\n".join(parts) + "})();\n"


@cache
def widget_script() -> tuple[bytes, str]:
    """The joined script and its ETag, made once per process."""
    data = join().encode()
    return data, '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


router = APIRouter()


@router.get("/static/widget.js", include_in_schema=False)
async def widget_js(request: Request) -> Response:
    data, etag = widget_script()
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type="text/javascript; charset=utf-8", headers=headers)
