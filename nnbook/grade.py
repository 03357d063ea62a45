# Generated from book/eng_grading.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""The grader of the book's exercises (appendix *How the exercises check themselves*).

An exercise in a chapter is two code cells: the exercise cell, whose first line is
``#| exercise <title>``, and right after it the check cell, whose first line is
``#| check`` and which calls :func:`nnbook.exercises.check`. The check grades the
reader's function and displays its verdict with :func:`show_verdict`, as a MIME
bundle that a person reads as text and a program reads as JSON.

``python -m nnbook.grade NOTEBOOK [--json] [--timeout S]`` executes a notebook (with
``nbclient``, imported only then: the package itself needs only NumPy) and reports
every exercise as ``"pass"``, ``"fail"`` or ``"todo"``; the exit status is 0 if and
only if every exercise passes.
"""

__all__ = ['MIME', 'STATUSES', 'verdict_text', 'show_verdict', 'directive', 'exercise_cells', 'read_verdicts', 'run_notebook', 'grade', 'format_report', 'main']


# %% book/eng_grading.ipynb cell-004
import json
import sys
from pathlib import Path

#: The MIME type of a verdict in a check cell's outputs.
MIME = "application/vnd.nnbook.grade+json"
STATUSES = ("pass", "fail", "todo")


def verdict_text(title, status, message):
    """The line a reader sees: ``[pass] <title>: <message>``."""
    return f"[{status}] {title}: {message}"


def show_verdict(title, status, message):
    """Display a verdict: text for the reader, JSON for the grader (print only without IPython).

    In a Jupyter kernel (also the browser's) the verdict is one display output with two
    representations, ``text/plain`` and :data:`MIME`; elsewhere it is printed.
    """
    if status not in STATUSES:
        raise ValueError(f"show_verdict: status must be one of {STATUSES}, got {status!r}")
    text = verdict_text(title, status, message)
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        get_ipython = None
    if get_ipython is None or get_ipython() is None:
        print(text)
        return
    bundle = {"text/plain": text, MIME: {"title": title, "status": status, "message": message}}
    display(bundle, raw=True)


# %% book/eng_grading.ipynb cell-008
def _source(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def directive(cell, name):
    """The text after ``#| <name>`` on a code cell's first line ('' if none), else None."""
    if cell.get("cell_type") != "code":
        return None
    first = _source(cell).split("\n", 1)[0].strip()
    head = f"#| {name}"
    if first == head or first.startswith(head + " "):
        return first[len(head):].strip()
    return None


def exercise_cells(nb):
    """``[(exercise cell index, check cell index or None), ...]`` in notebook order.

    The check cell is the next code cell, provided it starts with ``#| check``.
    """
    cells = nb.get("cells", [])
    found = []
    for i, cell in enumerate(cells):
        if directive(cell, "exercise") is None:
            continue
        after = next((j for j in range(i + 1, len(cells)) if cells[j].get("cell_type") == "code"), None)
        found.append((i, after if after is not None and directive(cells[after], "check") is not None else None))
    return found


def _error(cell):
    """The first error output of a cell as ``(ename, evalue)``, or None."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return str(output.get("ename", "Error")), str(output.get("evalue", ""))
    return None


def _verdict(cell):
    """The last verdict a check cell displayed, or None."""
    found = None
    for output in cell.get("outputs", []):
        data = output.get("data", {}) if isinstance(output, dict) else {}
        verdict = data.get(MIME)
        if isinstance(verdict, str):  # a JSON bundle stored as text by some front ends
            try:
                verdict = json.loads(verdict)
            except ValueError:
                verdict = None
        if isinstance(verdict, dict) and verdict.get("status") in STATUSES:
            found = verdict
    return found


def read_verdicts(nb, problem=None):
    """One ``{"id", "title", "status", "message"}`` per exercise of an executed notebook.

    ``problem`` says why execution stopped early, if it did (it explains the checks
    that did not run).
    """
    cells = nb.get("cells", [])
    results = []
    for i, j in exercise_cells(nb):
        title = directive(cells[i], "exercise") or f"exercise in cell {i}"
        status, message = "fail", None
        if j is None:
            message = "no #| check cell follows this exercise cell, so nothing graded it"
        else:
            verdict = _verdict(cells[j])
            error, own_error = _error(cells[j]), _error(cells[i])
            if own_error or (error and verdict is None):  # a verdict after a failed cell graded something else
                ename, evalue = own_error or error
                where = "the exercise cell" if own_error else "the check cell"
                status = "todo" if ename == "NotImplementedError" else "fail"
                message = f"{where} raised {ename}: {evalue}"
            elif verdict is not None:
                status, message = verdict["status"], str(verdict.get("message", ""))
            elif cells[j].get("execution_count") is None:
                message = "the check cell did not run" + (f" ({problem})" if problem else "")
            else:
                message = ("the check cell displayed no verdict: it must call "
                           "nnbook.exercises.check(name, function)")
        results.append({"id": cells[i].get("id"), "title": title, "status": status, "message": message})
    return results


# %% book/eng_grading.ipynb cell-012
def run_notebook(path, timeout=600):
    """Execute the notebook at ``path`` in a fresh ``python3`` kernel; return ``(nb, problem)``.

    The working directory is the notebook's folder. Cells that raise do not stop the
    run (``allow_errors``); a cell that runs longer than ``timeout`` seconds is
    interrupted. ``problem`` is None, or why the run stopped early (a dead kernel).
    """
    import os

    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")  # silences a jupyter_core warning
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            interrupt_on_timeout=True, record_timing=False,
                            resources={"metadata": {"path": str(path.resolve().parent)}})
    problem = None
    try:
        client.execute()
    except Exception as exc:  # the kernel died, a cell timed out for good...: report, never crash
        problem = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}"
    return nb, problem


def grade(path, timeout=600):
    """Execute a notebook and return ``{"notebook": path, "exercises": [...]}``."""
    nb, problem = run_notebook(path, timeout=timeout)
    return {"notebook": str(path), "exercises": read_verdicts(nb, problem)}


def format_report(report):
    """The short table ``python -m nnbook.grade`` prints without ``--json``."""
    rows = report["exercises"]
    counts = ", ".join(f"{sum(r['status'] == s for r in rows)} {s}" for s in STATUSES)
    lines = [f"{report['notebook']}: {len(rows)} exercise{'s' * (len(rows) != 1)} ({counts})"]
    for r in rows:
        lines.append(f"  {r['status']:4s}  {r['id']}  {r['title']}")
        if r["status"] != "pass":
            lines.extend(f"        {line}" for line in r["message"].splitlines())
    return "\n".join(lines)


# %% book/eng_grading.ipynb cell-013
def main(argv=None):
    """``python -m nnbook.grade NOTEBOOK [--json] [--timeout S]``; returns the exit status."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m nnbook.grade",
                                     description="Execute a notebook and grade its exercises.")
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--json", action="store_true", help="print only a JSON object")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per cell (default 600)")
    args = parser.parse_args(argv)
    if not args.notebook.is_file():
        print(f"nnbook.grade: no such notebook: {args.notebook}", file=sys.stderr)
        return 2
    try:
        report = grade(args.notebook, timeout=args.timeout)
    except Exception as exc:  # not a notebook, no kernel...: the notebook was never run
        print(f"nnbook.grade: cannot run {args.notebook}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report, ensure_ascii=False) if args.json else format_report(report))
    return 0 if all(r["status"] == "pass" for r in report["exercises"]) else 1


if __name__ == "__main__" and "__file__" in globals():  # `python -m nnbook.grade`, not this notebook
    raise SystemExit(main())
