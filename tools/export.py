#!/usr/bin/env python3
"""Export the marked cells of the book's notebooks into the ``nnbook`` package.

The book is the single source. A notebook names the module it feeds with one
nbdev-style directive, and marks each exported code cell with another::

    #| default_exp layers          (once per notebook, in any code cell)
    #| export                      (first line(s) of every exported cell)
    #| export metrics              (this cell goes to nnbook/metrics.py instead)

The last form lets one chapter write two modules (chapter 10 writes
``train`` and ``metrics``); the first cell exported to a module may open with
that module's docstring.

``python tools/export.py`` (or ``make export``) writes, for every notebook in
``book/`` that has a ``default_exp`` directive, ``nnbook/<module>.py``: a header
saying which notebook it came from, the module docstring (the string literal
that opens the first exported cell, if any), an ``__all__`` listing the public
top-level names the exported cells define, then the exported cells in order,
with the directive lines removed. It also writes ``nnbook/__init__.py``, which
imports every generated module in chapter order.

``python tools/export.py --out DIR`` writes into DIR instead; the test
``tests/test_export_sync.py`` uses this to check that ``nnbook/`` is in sync
with the notebooks.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
PACKAGE = ROOT / "nnbook"

DIRECTIVE = re.compile(r"^#\|\s*(\w+)(?:\s+(\S+))?\s*$")

# Modules whose public names are also available at the top level, the way
# ``torch.nn`` gathers layers, activations and losses: ``nnbook.Linear``.
# The other modules are reached as ``nnbook.optim.SGD``, ``nnbook.init.he_normal``...
FLAT_MODULES = ("layers", "activations", "losses", "regularization")

VERSION = "0.1.0"


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _split_directives(source: str) -> tuple[dict[str, str | None], str]:
    """Return the ``#|`` directives that open a cell and the code after them."""
    directives: dict[str, str | None] = {}
    lines = source.splitlines()
    i = 0
    while i < len(lines):
        match = DIRECTIVE.match(lines[i].strip())
        if not match:
            break
        directives[match.group(1)] = match.group(2)
        i += 1
    return directives, "\n".join(lines[i:]).strip("\n")


def _public_names(code: str, where: str) -> list[str]:
    """Top-level public names (functions, classes, assignments) defined by ``code``."""
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:  # pragma: no cover - reported to the author
        raise SystemExit(f"export: syntax error in an exported cell of {where}: {exc}")
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names.append(target.id)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return [n for n in names if not n.startswith("_")]


def collect(notebook: Path) -> dict[str, list[str]]:
    """Return ``{module: [exported code cells]}`` for a notebook (empty if it exports nothing)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    default = None
    pending: list[tuple[str | None, str]] = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        directives, code = _split_directives(_source(cell))
        if "default_exp" in directives:
            if default is not None and directives["default_exp"] != default:
                raise SystemExit(f"export: {notebook.name} names two default modules")
            default = directives["default_exp"]
        if "export" in directives and code:
            pending.append((directives["export"], code))
    modules: dict[str, list[str]] = {}
    for target, code in pending:
        module = target or default
        if module is None:
            raise SystemExit(f"export: {notebook.name} has #| export cells but no #| default_exp")
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", module):
            raise SystemExit(f"export: {notebook.name}: bad module name {module!r}")
        modules.setdefault(module, []).append(code)
    return modules


def render_module(notebook: Path, cells: list[str]) -> str:
    """The text of one generated module."""
    docstring = None
    body = list(cells)
    if body:
        tree = ast.parse(body[0])
        if tree.body and isinstance(tree.body[0], ast.Expr) and isinstance(
            getattr(tree.body[0], "value", None), ast.Constant
        ) and isinstance(tree.body[0].value.value, str):
            first = tree.body[0]
            lines = body[0].splitlines()
            docstring = "\n".join(lines[: first.end_lineno])
            rest = "\n".join(lines[first.end_lineno :]).strip("\n")
            body[0] = rest
    names: list[str] = []
    for code in body:
        for name in _public_names(code, notebook.name):
            if name not in names:
                names.append(name)
    rel = notebook.relative_to(ROOT).as_posix()
    out = [f"# Generated from {rel} by tools/export.py. Do not edit: edit the notebook, then run `make export`."]
    if docstring:
        out.append(docstring)
    out.append("")
    out.append("__all__ = [" + ", ".join(repr(n) for n in names) + "]")
    for code in body:
        if code.strip():
            out.append("")
            out.append("")
            out.append(code)
    return "\n".join(out).rstrip("\n") + "\n"


def render_init(modules: list[str]) -> str:
    lines = [
        "# Generated by tools/export.py. Do not edit: run `make export`.",
        '"""nnbook: the neural-network library built chapter by chapter in the book.',
        "",
        "Layers, activations, losses and regularization layers are available at the",
        "top level (``nnbook.Linear``, ``nnbook.ReLU``, ``nnbook.CrossEntropyLoss``),",
        "the way ``torch.nn`` gathers them; the other modules are reached by name",
        "(``nnbook.optim.SGD``, ``nnbook.init.he_normal``, ``nnbook.data.DataLoader``).",
        '"""',
        "",
        f'__version__ = "{VERSION}"',
        "",
    ]
    for module in modules:
        lines.append(f"from . import {module}")
    flat = [m for m in modules if m in FLAT_MODULES]
    if flat:
        lines.append("")
    for module in flat:
        lines.append(f"from .{module} import *  # noqa: F401,F403")
    return "\n".join(lines) + "\n"


def export(out_dir: Path) -> list[Path]:
    """Write every generated module and ``__init__.py`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    modules: list[str] = []
    owners: dict[str, str] = {}
    for notebook in sorted(BOOK.glob("*.ipynb")):
        for module, cells in collect(notebook).items():
            if module in owners:
                raise SystemExit(f"export: {notebook.name} and {owners[module]} both export {module}")
            owners[module] = notebook.name
            modules.append(module)
            path = out_dir / f"{module}.py"
            text = render_module(notebook, cells)
            compile(text, str(path), "exec")
            path.write_text(text, encoding="utf-8")
            written.append(path)
    init = out_dir / "__init__.py"
    init.write_text(render_init(modules), encoding="utf-8")
    written.append(init)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PACKAGE, help="where to write (default: nnbook/)")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    if out == PACKAGE.resolve():
        # Remove generated modules whose notebook is gone, never hand-written files.
        for old in out.glob("*.py"):
            first = old.read_text(encoding="utf-8").splitlines()[:1]
            if first and first[0].startswith("# Generated "):
                old.unlink()
    for path in export(out):
        print(f"wrote {path.relative_to(out.parent) if out.parent in path.parents else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
