"""The layout stays true: web -> domain -> models, never back; a blueprint imports no other blueprint (what they
share is in portal/web); a domain context imports only the contexts its `MAY_IMPORT` names, and of them only the
modules their `EXPORTS` name; no two domain modules import each other, however indirectly. Every import counts,
also one inside a function.

Each rule is checked on the code as it is and on a deliberate wrong import, so the check itself can fail.
"""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = "portal.domain"
# The web layer: the blueprints, their shared helpers and the commands. Below it only the domain and the models.
BLUEPRINTS = ("portal.api", "portal.auth", "portal.certificates", "portal.company", "portal.coverage", "portal.office",
              "portal.public", "portal.trainee")
WEB = ("portal.web", "portal.cli", *BLUEPRINTS)
# From Flask the domain reads only the configuration; requests, redirects, aborts and the user are the web's.
DOMAIN_FLASK = {"current_app", "has_app_context"}
TOP = ("demo", "wiring")  # stand on every context; nothing of the domain imports them


def module_name(path: Path) -> str:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


def read_sources() -> dict[str, str]:
    return {module_name(path): path.read_text(encoding="utf-8") for path in (ROOT / "portal").rglob("*.py")}


def imports_of(source: str, modules: set[str]) -> list[tuple[int, str, str]]:
    """(line, module imported, name taken) for every import statement; `from a import b` names a.b when a.b is a
    module of the portal."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.append((node.lineno, child, "") if child in modules else (node.lineno, node.module, alias.name))
    return found


def within(module: str, packages) -> bool:
    return any(module == p or module.startswith(p + ".") for p in ([packages] if isinstance(packages, str) else packages))


def context_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if within(module, DOMAIN) and len(parts) > 2 else None


def declared(sources: dict[str, str], context: str, name: str) -> tuple[str, ...]:
    """A context's EXPORTS or MAY_IMPORT, read from its __init__ without importing it."""
    for node in ast.parse(sources.get(f"{DOMAIN}.{context}", "")).body:
        targets = [node.target] if isinstance(node, ast.AnnAssign) else getattr(node, "targets", [])
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return tuple(ast.literal_eval(node.value))
    return ()


def violations(sources: dict[str, str]) -> list[str]:
    modules = set(sources)
    problems = []
    graph: dict[str, set[str]] = {}
    for module, source in sorted(sources.items()):
        for line, target, name in imports_of(source, modules):
            where = f"{module}:{line} imports {target}" + (f".{name}" if name else "")
            if within(module, "portal.models") and (within(target, DOMAIN) or within(target, WEB)):
                problems.append(f"{where}: models import nothing of the domain or the web")
            own = next((b for b in BLUEPRINTS if within(module, b)), None)
            if (own or within(module, "portal.web")) and within(target, BLUEPRINTS) and not within(target, own or ()):
                problems.append(f"{where}: a blueprint uses only itself and what all share (portal.web)")
            if not within(module, DOMAIN):
                continue
            if within(target, WEB) or target == "portal":
                problems.append(f"{where}: the domain never imports the web layer")
            if target == "flask_login" or (target == "flask" and name not in DOMAIN_FLASK):
                problems.append(f"{where}: requests, redirects, aborts and the user belong to the web layer")
            if not within(target, DOMAIN):
                continue
            graph.setdefault(module, set()).add(target)
            source_context, target_context = context_of(module), context_of(target)
            if target_context is None or source_context == target_context:
                continue
            if target_context in TOP:
                problems.append(f"{where}: nothing of the domain imports {target_context}")
            elif source_context not in TOP and target_context not in declared(sources, source_context, "MAY_IMPORT"):
                problems.append(f"{where}: {source_context} may not import {target_context} (its MAY_IMPORT)")
            else:
                exported = declared(sources, target_context, "EXPORTS")
                inner = target.split(".")[3] if target.count(".") >= 3 else None
                if inner is not None and inner not in exported:
                    problems.append(f"{where}: {target_context} does not export {inner} (its EXPORTS)")
    problems += [f"import cycle: {' -> '.join(cycle)}" for cycle in cycles(graph)]
    return problems


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected group of modules (Tarjan), for the message."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group) + [sorted(group)[0]])

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_layout_holds():
    assert violations(read_sources()) == []


def test_every_context_declares_what_it_may_import_and_exports():
    sources = read_sources()
    contexts = {context_of(m) for m in sources if m.count(".") >= 3 and context_of(m)}  # the sub-packages
    assert contexts == {"platform", "content", "learning", "workforce", "certificates", "coverage", "demo"}
    for context in contexts:
        package = importlib.import_module(f"{DOMAIN}.{context}")
        assert len(package.__doc__.split()) > 30, context  # says what it owns and what it may import
        assert "May import" in package.__doc__, context
        for name in package.EXPORTS:
            assert f"{DOMAIN}.{context}.{name}" in sources, (context, name)
        assert set(package.MAY_IMPORT) <= contexts - {context}, context


@pytest.mark.parametrize("module, wrong, expected", [
    ("portal.domain.platform.audit", "from portal.domain.workforce.rules import Rules",
     "platform may not import workforce"),
    ("portal.domain.learning.quiz", "from portal.domain.content.sync import sync_all",
     "content does not export sync"),
    ("portal.domain.workforce.roster", "from portal.domain.demo import seed",
     "nothing of the domain imports demo"),
    ("portal.domain.workforce.rules", "from flask import request",
     "belong to the web layer"),
    ("portal.domain.platform.policy", "from flask_login import current_user",
     "belong to the web layer"),
    ("portal.domain.coverage.report", "from portal.web import exports",
     "never imports the web layer"),
    ("portal.models.people", "from portal.domain.platform import audit",
     "models import nothing of the domain"),
    ("portal.domain.workforce.schedule", "from portal.domain.workforce import posts",
     "import cycle"),
    ("portal.trainee.views", "from portal.company.forms import PersonForm",
     "a blueprint uses only itself"),
    ("portal.web.pagination", "from portal.office.views import bp",
     "a blueprint uses only itself"),
])
def test_a_wrong_import_is_caught(module, wrong, expected):
    sources = read_sources()
    sources[module] += f"\n\ndef _wrong():\n    {wrong}\n"
    assert any(expected in problem for problem in violations(sources)), violations(sources)
