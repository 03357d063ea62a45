#!/usr/bin/env python3
"""Write the student edition of the book: ``_build/student/<same names>.ipynb``.

``python tools/student.py`` (or ``make student``) copies every notebook of ``book/``,
so that links between them keep working, and in each copy:

* clears every output and execution count;
* in each exercise cell (first line ``#| exercise <title>``), keeps every top-level
  function's signature and docstring and replaces the rest of the body of each
  function that has a docstring by
  ``raise NotImplementedError("Exercise '<title>': write <name>")``; the bodies are
  found with ``ast`` (line numbers), and comments inside a body go with it;
* replaces the solutions of the pen-and-paper exercises (MyST ``{solution}`` blocks,
  and ``{admonition}`` blocks with ``:class: dropdown``) by a one-line note that the
  solution is in the book.

Cell ids and the ``#|`` directives are kept: ``python -m nnbook.grade`` reports an
exercise by its cell id and finds exercise and check cells by their directives. The
files a chapter reads (``book/data/``) and ``book/matplotlibrc`` are copied too, so the
student notebooks run from ``_build/student/``. ``--out DIR`` writes elsewhere.
"""
from __future__ import annotations

import argparse
import ast
import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
OUT = ROOT / "_build" / "student"
SOLUTION_NOTE = "*(The solution to this exercise is in the book.)*"
SUPPORT = ("data", "matplotlibrc")  # what the notebooks read, relative to their folder


def _source(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def exercise_title(cell):
    """The title of an exercise cell (``#| exercise <title>`` on its first line), else None."""
    if cell.get("cell_type") != "code":
        return None
    first = _source(cell).split("\n", 1)[0].strip()
    if first == "#| exercise" or first.startswith("#| exercise "):
        return first[len("#| exercise"):].strip()
    return None


def to_write(source):
    """``[(name, first body line, last body line, indent)]`` of the functions to write (lines 1-based, inclusive).

    A function to write is a top-level function with a docstring; its body is what
    follows the docstring, up to the last line before the next top-level statement that
    is indented or blank (so a trailing comment in the body goes with it).
    """
    tree = ast.parse(source)
    lines = source.split("\n")
    found = []
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or ast.get_docstring(node) is None:
            continue
        doc = node.body[0]
        if len(node.body) < 2:
            raise ValueError(f"exercise function {node.name} has a docstring but no body")
        start = doc.end_lineno + 1
        if node.body[1].lineno < start or doc.lineno == node.lineno:
            raise ValueError(f"exercise function {node.name}: put the docstring and the body on lines of their own")
        end = node.end_lineno
        while end < len(lines) and (not lines[end].strip() or lines[end][:1] in " \t"):
            end += 1  # trailing blank or indented (comment) lines belong to the body
        while end > start and not lines[end - 1].strip():
            end -= 1  # ... but not the blank lines before the next statement
        found.append((node.name, start, end, node.body[1].col_offset))
    return found


def strip_solution(source, title):
    """The exercise cell's source with every body to write replaced by ``raise NotImplementedError``."""
    lines = source.split("\n")
    for name, start, end, indent in reversed(to_write(source)):
        message = json.dumps(f"Exercise '{title}': write {name}", ensure_ascii=False)
        lines[start - 1:end] = [" " * indent + f"raise NotImplementedError({message})"]
    return "\n".join(lines)


_FENCE = re.compile(r"^(\s*)(`{3,}|:{3,})\s*\{(solution|admonition)\}(.*)$")


def strip_markdown_solutions(text):
    """Replace each ``{solution}`` block (and dropdown ``{admonition}``) by a one-line note."""
    lines = text.split("\n")
    out, i = [], 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        fence = match.group(2)
        j = i + 1
        while j < len(lines) and lines[j].strip() != fence:
            j += 1
        block = lines[i:j + 1]
        if match.group(3) == "solution" or any(line.strip() == ":class: dropdown" for line in block):
            out.append(SOLUTION_NOTE)
        else:
            out.extend(block)
        i = j + 1
    return "\n".join(out)


def _lines(text):
    return text.splitlines(keepends=True)


def student_notebook(nb):
    """The student edition of one notebook (a new dict; ``nb`` is not changed)."""
    nb = json.loads(json.dumps(nb))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
            title = exercise_title(cell)
            if title is not None:
                cell["source"] = _lines(strip_solution(_source(cell), title))
        elif cell.get("cell_type") == "markdown":
            text = _source(cell)
            stripped = strip_markdown_solutions(text)
            if stripped != text:
                cell["source"] = _lines(stripped)
    return nb


def write_edition(out=OUT, book=BOOK):
    """Write the student edition of every notebook of ``book`` into ``out``; return the paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(Path(book).glob("*.ipynb")):
        nb = student_notebook(json.loads(path.read_text(encoding="utf-8")))
        target = out / path.name
        target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(target)
    for name in SUPPORT:
        source = Path(book) / name
        if source.is_dir():
            shutil.copytree(source, out / name, dirs_exist_ok=True)
        elif source.is_file():
            shutil.copy2(source, out / name)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where to write (default: _build/student/)")
    args = parser.parse_args(argv)
    written = write_edition(args.out)
    print(f"wrote the student edition of {len(written)} notebooks to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
