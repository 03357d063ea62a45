#!/usr/bin/env python3
"""Export the marked cells of the book's notebooks into the ``nnbook`` package.

The book is the single source. A notebook names the module it feeds with one
nbdev-style directive, and marks each exported code cell with another::

    #| default_exp layers          (once per notebook, in any code cell)
    #| export                      (first line(s) of every exported cell)
    #| export metrics              (this cell goes to nnbook/metrics.py instead)

The last form sends one cell to another module, so a module is assembled
from the cells of several notebooks, in the order of the table of contents
(``_toc.yml``): code lives in the module where it belongs, and is shown in the
chapter where it teaches. Each object is still defined in exactly one cell;
nothing patches a class from another cell. The first cell exported to a module
may open with that module's docstring.

``python tools/export.py`` (or ``make export``) writes ``nnbook/<module>.py``
for every module some notebook exports to: a header naming the notebooks it
came from, the module docstring, an ``__all__`` listing the public top-level
names the exported cells define, then the exported cells, each preceded by a
provenance marker ``# %% book/02_layers.ipynb cell-014`` (as nbdev writes),
so a reader of the package can go from any name to the cell that defines it.
It also writes ``nnbook/__init__.py``, which imports every generated module but the programs
(``NOT_IMPORTED``: ``nnbook.grade``, run as ``python -m nnbook.grade``).
The version comes from ``pyproject.toml``, its one source.

``python tools/export.py --out DIR`` writes into DIR instead; the test
``tests/test_export_sync.py`` uses this to check that ``nnbook/`` is in sync
with the notebooks. ``--check`` writes nothing and exits 1 if ``nnbook/`` is
out of date.
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
FLAT_MODULES = ("layers", "grad_mode", "containers", "activations", "losses", "regularization",
                "conv")
# Modules that are programs (``python -m nnbook.grade``): importing them from ``__init__`` would
# make ``-m`` warn that the module was imported before it ran. Reach them by name.
NOT_IMPORTED = ("grade",)

TOC = ROOT / "_toc.yml"


def version() -> str:
    """The package version, read from ``pyproject.toml`` (its one source)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version\s*=\s*"([^"]+)"', text, flags=re.MULTILINE)
    if not match:
        raise SystemExit("export: pyproject.toml has no version = \"...\" line")
    return match.group(1)


def notebooks_in_order() -> list[Path]:
    """The notebooks of ``book/`` in table-of-contents order (then any others, by name)."""
    listed = []
    if TOC.exists():
        for line in TOC.read_text(encoding="utf-8").splitlines():
            match = re.match(r"^\s*-?\s*(?:file|root):\s*(\S+)\s*$", line)
            if match:
                path = ROOT / (match.group(1) + ("" if match.group(1).endswith(".ipynb") else ".ipynb"))
                if path.exists() and path not in listed:
                    listed.append(path)
    rest = [p for p in sorted(BOOK.glob("*.ipynb")) if p not in listed]
    return listed + rest


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


def collect(notebook: Path) -> dict[str, list[tuple[str, str]]]:
    """Return ``{module: [(provenance, code), ...]}`` for a notebook (empty if it exports nothing)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    default = None
    pending: list[tuple[str | None, str, str]] = []
    rel = notebook.relative_to(ROOT).as_posix()
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        directives, code = _split_directives(_source(cell))
        if "default_exp" in directives:
            if default is not None and directives["default_exp"] != default:
                raise SystemExit(f"export: {notebook.name} names two default modules")
            default = directives["default_exp"]
        if "export" in directives and code:
            pending.append((directives["export"], f"{rel} {cell.get('id', f'cell-{index:03d}')}", code))
    modules: dict[str, list[tuple[str, str]]] = {}
    for target, where, code in pending:
        module = target or default
        if module is None:
            raise SystemExit(f"export: {notebook.name} has #| export cells but no #| default_exp")
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", module):
            raise SystemExit(f"export: {notebook.name}: bad module name {module!r}")
        modules.setdefault(module, []).append((where, code))
    return modules


def _split_docstring(code: str) -> tuple[str | None, str]:
    """Split a cell into the string literal that opens it (if any) and the rest."""
    tree = ast.parse(code)
    if tree.body and isinstance(tree.body[0], ast.Expr) and isinstance(
        getattr(tree.body[0], "value", None), ast.Constant
    ) and isinstance(tree.body[0].value.value, str):
        lines = code.splitlines()
        end = tree.body[0].end_lineno
        return "\n".join(lines[:end]), "\n".join(lines[end:]).strip("\n")
    return None, code


def render_module(module: str, cells: list[tuple[str, str]]) -> str:
    """The text of one generated module, from its ``(provenance, code)`` cells in book order."""
    # The module docstring is the string literal that opens the first cell having one
    # (usually the first cell of the notebook whose default module this is).
    docstring, body = None, []
    for where, code in cells:
        if docstring is None:
            docstring, code = _split_docstring(code)
        body.append((where, code))
    names: list[str] = []
    for where, code in body:
        for name in _public_names(code, where):
            if name in names:
                raise SystemExit(f"export: {module}.{name} is defined twice (again in {where})")
            names.append(name)
    sources = []
    for where, _ in cells:
        notebook = where.split()[0]
        if notebook not in sources:
            sources.append(notebook)
    out = [f"# Generated from {', '.join(sources)} by tools/export.py. "
           "Do not edit: edit the notebook, then run `make export`."]
    if docstring:
        out.append(docstring)
    out.append("")
    out.append("__all__ = [" + ", ".join(repr(n) for n in names) + "]")
    for where, code in body:
        if code.strip():
            out.append("")
            out.append("")
            out.append(f"# %% {where}")
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
        f'__version__ = "{version()}"',
        "",
    ]
    for module in modules:
        if module not in NOT_IMPORTED:
            lines.append(f"from . import {module}")
    flat = [m for m in modules if m in FLAT_MODULES]
    if flat:
        lines.append("")
    for module in flat:
        lines.append(f"from .{module} import *  # noqa: F401,F403")
    return "\n".join(lines) + "\n"


def render_all() -> dict[str, str]:
    """``{file name: text}`` of every generated module and ``__init__.py``."""
    cells: dict[str, list[tuple[str, str]]] = {}
    for notebook in notebooks_in_order():
        for module, module_cells in collect(notebook).items():
            cells.setdefault(module, []).extend(module_cells)
    files = {}
    for module, module_cells in cells.items():
        text = render_module(module, module_cells)
        compile(text, f"{module}.py", "exec")
        files[f"{module}.py"] = text
    files["__init__.py"] = render_init(list(cells))
    return files


def export(out_dir: Path) -> list[Path]:
    """Write every generated module and ``__init__.py`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_all().items():
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _generated(path: Path) -> bool:
    first = path.read_text(encoding="utf-8").splitlines()[:1]
    return bool(first) and first[0].startswith("# Generated ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PACKAGE, help="where to write (default: nnbook/)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if nnbook/ differs from the notebooks")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    if args.check:
        fresh = render_all()
        stored = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.py") if _generated(p)}
        stale = sorted(n for n in set(fresh) | set(stored) if fresh.get(n) != stored.get(n))
        if stale:
            print(f"export --check: out of date: {', '.join(stale)}; run `make export`")
            return 1
        print("export --check: nnbook/ matches the notebooks")
        return 0
    if out == PACKAGE.resolve():
        # Remove generated modules whose notebook is gone, never hand-written files.
        for old in out.glob("*.py"):
            if _generated(old):
                old.unlink()
    for path in export(out):
        print(f"wrote {path.relative_to(out.parent) if out.parent in path.parents else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
