"""The shape the architecture promises, checked on the source: the core imports no platform or server code,
and no product module imports another that imports it back (directly or through others)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("bot", "adapters", "server", "storage")
# What the core must never import: platform SDKs, the HTTP framework, the adapters and the composition root.
NOT_IN_CORE = ("slack_bolt", "slack_sdk", "microsoft_agents", "botbuilder", "aiohttp", "adapters", "server", "tests")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(module imported, imported at module level?) for every import statement in the file."""
    tree = ast.parse(path.read_text())
    top = {id(n) for n in tree.body}
    # Imports for annotations only (`if TYPE_CHECKING:`) never run, so they cannot form a loop at run time.
    typing_only = {id(inner) for node in ast.walk(tree) if isinstance(node, ast.If)
                   and getattr(node.test, "id", getattr(node.test, "attr", None)) == "TYPE_CHECKING"
                   for inner in ast.walk(node)}
    found = []
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found += [(a.name, id(node) in top) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            # `from pkg import submodule` loads pkg first, as every import of a submodule does; that edge to the
            # parent package is inherent, so it is counted only when a name defined in pkg itself is imported.
            subs = [f"{base}.{a.name}" for a in node.names]
            found += [(s, id(node) in top) for s in subs]
            if not all(_is_module(s) for s in subs):
                found.append((base, id(node) in top))
    return found


def _product_modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PRODUCT for p in (ROOT / pkg).rglob("*.py")
            if "migrations" not in p.parts}


def test_the_core_imports_no_platform_http_adapter_or_server_module():
    offenders = [f"{path.relative_to(ROOT)}: {name}" for path in (ROOT / "bot").rglob("*.py")
                 for name, _ in _imports(path) if name.split(".")[0] in NOT_IN_CORE]
    assert offenders == []


def test_adapters_never_import_the_composition_root():
    offenders = [f"{path.relative_to(ROOT)}: {name}" for path in (ROOT / "adapters").rglob("*.py")
                 for name, _ in _imports(path) if name.split(".")[0] == "server"]
    assert offenders == []


def test_no_import_cycle_in_the_product():
    modules = _product_modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        # Every import counts, deferred ones too: a loop held together by a function-level import is still a loop.
        graph[name] = {m for m, _ in _imports(path) if m in modules and m != name}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert cycles == [], "\n".join(" -> ".join(c) for c in cycles)


# Adapters ask the core (bot.core.Core, bot.shown) about cases and cards, never its tables, so those tables can
# change, and delivered outbox rows be purged, without an adapter noticing. Two things in `storage` are theirs:
# the Database object (the sandbox brings its own file up to date) and the Teams adapter's own table of
# conversation references.
ADAPTERS_MAY_USE = {"storage.db": None, "storage.models": {"ConversationRef"}}


def test_adapters_read_none_of_the_cores_tables():
    offenders = []
    for path in (ROOT / "adapters").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                offenders += [f"{path.relative_to(ROOT)}: import {a.name}" for a in node.names
                              if a.name.split(".")[0] == "storage" and a.name not in ADAPTERS_MAY_USE]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "storage":
                allowed = ADAPTERS_MAY_USE.get(node.module, set())
                offenders += [f"{path.relative_to(ROOT)}: from {node.module} import {a.name}" for a in node.names
                              if allowed is not None and a.name not in allowed]
            elif isinstance(node, ast.Name) and node.id in ("OutboxEffect", "ShownEffect", "Case", "ChannelLink"):
                offenders.append(f"{path.relative_to(ROOT)}: {node.id}")
    assert offenders == []
