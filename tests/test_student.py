"""The student edition (``make student``, tools/student.py) and its grading (issue 18).

Every chapter with exercises grades all "todo" (exit status 1) in the student edition, and
all "pass" (exit status 0) once the solutions are pasted back from book/; no line of a
solution survives in the student edition; cell ids are kept.
"""
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"


def _load_student():
    spec = importlib.util.spec_from_file_location("nnbook_student", ROOT / "tools" / "student.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


student = _load_student()


def _read(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _source(cell):
    return "".join(cell["source"])


CHAPTERS = sorted(p.stem for p in BOOK.glob("*.ipynb")
                  if any(student.exercise_title(c) is not None for c in _read(p)["cells"]))


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    student.write_edition(out)
    return out


def _grade(path):
    # One BLAS thread per kernel, as `make test` runs the notebooks (threads oversubscribe a busy machine).
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-m", "nnbook.grade", str(path), "--json"],
                          capture_output=True, text=True, timeout=900, env=env)
    return proc.returncode, json.loads(proc.stdout)


def test_the_chapters_of_parts_one_and_two_have_exercises():
    assert {"01_neuron", "02_layers", "03_activations", "04_losses", "05_backprop", "06_initialization",
            "07_batching", "08_optimizers", "09_regularization"} <= set(CHAPTERS)


def test_every_notebook_is_written_with_its_cell_ids_and_no_output(edition):
    for path in sorted(BOOK.glob("*.ipynb")):
        book, mine = _read(path), _read(edition / path.name)
        assert [c.get("id") for c in mine["cells"]] == [c.get("id") for c in book["cells"]]
        assert [c["cell_type"] for c in mine["cells"]] == [c["cell_type"] for c in book["cells"]]
        for cell in mine["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None
            else:
                assert "{solution}" not in _source(cell), f"{path.name}: a markdown solution survived"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_solution_line_survives(chapter, edition):
    book = _read(BOOK / f"{chapter}.ipynb")
    mine = {c["id"]: c for c in _read(edition / f"{chapter}.ipynb")["cells"]}
    for cell in book["cells"]:
        title = student.exercise_title(cell)
        if title is None:
            continue
        source, lines = _source(cell), _source(cell).split("\n")
        found = student.to_write(source)
        assert found, f"{chapter} {cell['id']}: an exercise cell without a function to write"
        theirs = _source(mine[cell["id"]])
        their_lines = {line.strip() for line in theirs.split("\n")}
        assert theirs.split("\n", 1)[0] == source.split("\n", 1)[0]      # the directive is kept
        for name, start, end, _ in found:
            assert f"raise NotImplementedError(\"Exercise '{title}': write {name}\")" in theirs
            for line in (line.strip() for line in lines[start - 1:end]):
                if line:  # no line of the solution, and no longer fragment of one even inside another line
                    assert line not in their_lines, f"{chapter} {cell['id']}: {line!r} survived"
                    assert len(line) < 20 or line not in theirs, f"{chapter} {cell['id']}: {line!r} survived"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_student_edition_grades_all_todo(chapter, edition):
    status, report = _grade(edition / f"{chapter}.ipynb")
    assert status == 1
    assert report["exercises"], chapter
    assert {r["status"] for r in report["exercises"]} == {"todo"}, report


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_solutions_pasted_back_grade_all_pass(chapter, edition, tmp_path):
    for name in student.SUPPORT:  # what the chapter reads, beside it
        if (edition / name).is_dir():
            shutil.copytree(edition / name, tmp_path / name)
        elif (edition / name).exists():
            shutil.copy2(edition / name, tmp_path / name)
    book = {c["id"]: c for c in _read(BOOK / f"{chapter}.ipynb")["cells"]}
    nb = _read(edition / f"{chapter}.ipynb")
    for cell in nb["cells"]:
        if student.exercise_title(cell) is not None:
            cell["source"] = book[cell["id"]]["source"]
    path = tmp_path / f"{chapter}.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    status, report = _grade(path)
    assert {r["status"] for r in report["exercises"]} == {"pass"}, report
    assert status == 0
    ids = [c["id"] for c in nb["cells"] if student.exercise_title(c) is not None]
    assert [r["id"] for r in report["exercises"]] == ids


def test_markdown_solutions_become_a_note():
    text = ("```{exercise} Q\n:label: ex-a-1\n\nWhy?\n```\n\n````{solution} ex-a-1\n:class: dropdown\n\n"
            "Because.\n\n```python\nprint(1)\n```\n````\n\nAfter.")
    out = student.strip_markdown_solutions(text)
    assert "Because" not in out and "print(1)" not in out and student.SOLUTION_NOTE in out
    assert out.startswith("```{exercise} Q") and out.endswith("After.")


def test_a_body_with_comments_and_helpers_is_cut_by_the_syntax_tree():
    source = ('#| exercise T\nimport numpy as np\n\n\ndef helper(x):\n    return x\n\n\n'
              'def f(x):\n    """Doc.\n\n    Hint: h.\n    """\n    y = x + 1  # secret\n    # more secret\n'
              '    return y\n    # trailing secret\n\n\ndef g(x):\n    """One."""\n    return 2 * x\n')
    out = student.strip_solution(source, "T")
    assert "secret" not in out and "return 2 * x" not in out
    assert "def helper(x):\n    return x" in out
    assert out.count("raise NotImplementedError") == 2
    compile(out, "student", "exec")
