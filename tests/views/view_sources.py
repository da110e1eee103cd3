"""What each view reads, found in the portal's source: the query parameters and form fields of its own code, of
the functions it calls in its module and of helpers it calls elsewhere, and the fields of the forms it uses.
Route-walking tests (bad input, exports) use it so that a new parameter or route is covered without a list."""
from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask_wtf import FlaskForm

import portal

ROUTE = re.compile(r"\.route\(")
# request.args.get("x"), request.values.getlist("x"), args.get("x"), args["x"] (after `args = request.args`)
QUERY = re.compile(r"""\b(?:request\.(?:args|values)|args)(?:\.get(?:list)?\(\s*|\[)["'](\w+)["']""")
FORM = re.compile(r"""\brequest\.(?:form|values)(?:\.get(?:list)?\(\s*|\[)["'](\w+)["']""")


@cache
def _sources() -> dict[str, str]:
    """The source of every module of portal/, by module name."""
    root = Path(portal.__file__).parent
    return {"portal." + ".".join(path.relative_to(root).with_suffix("").parts): path.read_text(encoding="utf-8")
            for path in root.rglob("*.py")}


@cache
def _functions() -> dict[tuple[str, str], tuple[set[str], set[str], set[str]]]:
    """Every function and class defined in portal/, by (module, name): the query parameters and form fields its
    source reads, and the names it uses."""
    table = {}
    for module, source in _sources().items():
        lines = source.splitlines(keepends=True)
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                segment = "".join(lines[node.lineno - 1:node.end_lineno])
                used = {n.id if isinstance(n, ast.Name) else n.attr for n in ast.walk(node)
                        if isinstance(n, (ast.Name, ast.Attribute))}
                table[module, node.name] = (set(QUERY.findall(segment)), set(FORM.findall(segment)), used)
    return table


@cache
def _helpers() -> dict[str, tuple[str, str]]:
    """Functions a view may call in another module: defined once in portal/, in a module without routes
    (pagination's page_asked, the coverage blueprint's export_format...)."""
    with_routes = {module for module, source in _sources().items() if ROUTE.search(source)}
    names = defaultdict(list)
    for module, name in _functions():
        names[name].append(module)
    return {name: (modules[0], name) for name, modules in names.items()
            if len(modules) == 1 and modules[0] not in with_routes}


@cache
def forms() -> dict[type, dict[str, object]]:
    """Every FlaskForm class of the portal, with its (unbound) fields by name."""
    for module in pkgutil.walk_packages(portal.__path__, "portal."):
        importlib.import_module(module.name)
    found, todo = {}, [FlaskForm]
    while todo:
        form = todo.pop()
        todo.extend(form.__subclasses__())
        if form.__module__.startswith("portal."):
            found[form] = {name: getattr(form, name) for name in dir(form)
                           if hasattr(getattr(form, name), "field_class")}
    return found


@cache
def _form_fields() -> dict[str, set[str]]:
    """The field names of the portal's forms, by class name."""
    fields: dict[str, set[str]] = defaultdict(set)
    for form, unbound in forms().items():
        fields[form.__name__] |= set(unbound)
    return fields


@dataclass(frozen=True)
class ViewSource:
    """What a view's code reads and uses, its own and that of the functions it calls (see `view_source`)."""

    queries: frozenset[str]  # query parameters
    fields: frozenset[str]  # form fields, read directly or as fields of the forms it uses
    names: frozenset[str]  # every name its code uses (functions called, modules, attributes)


def view_source(app, endpoint: str) -> ViewSource:
    """The view of `endpoint` with the functions it calls in its own module and the helpers it calls in others
    (`_helpers`)."""
    table, helpers, fields_of = _functions(), _helpers(), _form_fields()
    view = app.view_functions[endpoint]  # functools.wraps keeps the view's own name and module
    queries: set[str] = set()
    fields: set[str] = set()
    names: set[str] = set()
    seen: set[tuple[str, str]] = set()
    todo = [(view.__module__, view.__name__)]
    while todo:
        key = todo.pop()
        if key in seen or key not in table:
            continue
        seen.add(key)
        query, form, used = table[key]
        queries |= query
        fields |= form
        names |= used
        for name in used:
            fields |= fields_of.get(name, set())
            todo.extend(k for k in ((key[0], name), helpers.get(name)) if k in table)
    return ViewSource(frozenset(queries), frozenset(fields), frozenset(names))


def reads(app, endpoint: str) -> tuple[set[str], set[str]]:
    """(query parameters, form fields) the view of `endpoint` reads."""
    source = view_source(app, endpoint)
    return set(source.queries), set(source.fields)
