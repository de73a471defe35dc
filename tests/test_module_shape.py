"""The code's shape, read from its source: which modules may import the HubSpot integration, and
how long a module may grow. Imports are read with `ast`, so one inside a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

import relaydesk

PACKAGE = Path(relaydesk.__file__).parent
HUBSPOT = "relaydesk.hubspot"
# Who may import the integration: itself, the web edge, and the two places that assemble the
# process (the runtime's builder and the command line).
MAY_IMPORT_HUBSPOT = ("relaydesk.hubspot", "relaydesk.web", "relaydesk.runtime", "relaydesk.cli")
MAX_LINES = 300
MAX_LINES_IN_HUBSPOT = 250


def modules() -> dict[str, Path]:
    """Every module of the package by its dotted name."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imported(name: str, path: Path) -> set[str]:
    """The absolute names a module imports: each `import a.b`, and each `from x import y` as
    both `x` and `x.y` (y may be a module)."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            source = ".".join(base + ([node.module] if node.module else []))
            names.add(source)
            names.update(f"{source}.{alias.name}" for alias in node.names)
    return names


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_only_the_integration_the_web_edge_and_the_assembly_import_hubspot() -> None:
    offenders = {
        name: sorted(n for n in imported(name, path) if within(n, HUBSPOT))
        for name, path in modules().items()
        if not any(within(name, allowed) for allowed in MAY_IMPORT_HUBSPOT)
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_import_reader_sees_relative_and_nested_imports(tmp_path: Path) -> None:
    """The rule above is only as good as this reader: a relative import two levels up inside a
    function is still an import of the integration."""
    module = tmp_path / "handoffs.py"
    module.write_text("def f():\n    from .hubspot.connect import connections\n")
    names = imported("relaydesk.handoffs", module)
    assert "relaydesk.hubspot.connect.connections" in names
    nested = tmp_path / "brain.py"
    nested.write_text("from ..hubspot import api\nimport relaydesk.hubspot.api.client\n")
    names = imported("relaydesk.assistant.brain", nested)
    assert {"relaydesk.hubspot.api", "relaydesk.hubspot.api.client"} <= names


def test_no_module_is_too_long_to_read() -> None:
    too_long = {}
    for name, path in modules().items():
        limit = MAX_LINES_IN_HUBSPOT if within(name, HUBSPOT) else MAX_LINES
        lines = len(path.read_text().splitlines())
        if lines > limit:
            too_long[name] = lines
    assert too_long == {}
