"""The grader's fixed interface: ``python -m nnbook.grade NOTEBOOK [--json] [--timeout S]`` (issue 18).

It executes a notebook and reports every exercise (a ``#| exercise`` cell followed by its
``#| check`` cell) as "pass", "fail" or "todo"; the exit status is 0 if and only if every
exercise passes. It must never crash on a reader's code.
"""
import json
import subprocess
import sys

import numpy as np
import pytest

from nnbook import exercises, grade

GOOD = "def linear_backward(X, W, G):\n    \"\"\"Doc.\"\"\"\n    return G @ W.T, X.T @ G, G.sum(axis=0)"


def code(source, outputs=(), count=None):
    return {"cell_type": "code", "execution_count": count, "id": f"c{abs(hash(source)) % 10**8}",
            "metadata": {}, "outputs": list(outputs), "source": source}


def exercise_pair(title, body, name="linear_backward", check=None):
    check = check if check is not None else (
        f"#| check\nfrom nnbook.exercises import check\n{name} = check({name!r}, {name})")
    return [code(f"#| exercise {title}\nimport numpy as np\n{body}"), code(check)]


def notebook(path, cells):
    ids = [f"cell-{i:03d}" for i in range(len(cells))]
    for cell, cell_id in zip(cells, ids):
        cell["id"] = cell_id
    nb = {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                      "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def run(path, *args):
    proc = subprocess.run([sys.executable, "-m", "nnbook.grade", str(path), *args],
                          capture_output=True, text=True, timeout=300)
    return proc


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """One notebook with every kind of exercise outcome, graded once with --json."""
    cells = [code("import numpy as np\nprint('a first cell')")]
    cells += exercise_pair("passes", GOOD)
    cells += exercise_pair("todo", "def linear_backward(X, W, G):\n    \"\"\"Doc.\"\"\"\n"
                                   "    raise NotImplementedError(\"Exercise 'todo': write linear_backward\")")
    cells += exercise_pair("transposed", "def linear_backward(X, W, G):\n    \"\"\"Doc.\"\"\"\n"
                                         "    return G @ W.T, G.T @ X, G.sum(axis=0)")
    cells += exercise_pair("syntax error", "def linear_backward(X, W, G) return 1")
    cells += exercise_pair("raises", "def linear_backward(X, W, G):\n    \"\"\"Doc.\"\"\"\n"
                                     "    raise ValueError('my own bug')")
    cells += exercise_pair("exits", "import sys\ndef linear_backward(X, W, G):\n    \"\"\"Doc.\"\"\"\n"
                                    "    sys.exit(3)")
    cells += exercise_pair("prints", "def linear_backward(X, W, G):\n    \"\"\"Doc.\"\"\"\n"
                                     "    print('debugging')\n    return None")
    cells += exercise_pair("no verdict", GOOD, check="#| check\nprint('nothing graded')")
    cells += [code(f"#| exercise no check cell\n{GOOD}"), code("x = 1")]
    cells += exercise_pair("a cell after raises", GOOD)
    cells.append(code("raise RuntimeError('a later cell of the chapter fails')"))
    path = notebook(tmp_path_factory.mktemp("grade") / "mixed.ipynb", cells)
    proc = run(path, "--json")
    return path, proc


def test_json_output_is_exactly_the_promised_object(mixed):
    path, proc = mixed
    report = json.loads(proc.stdout)          # only JSON on stdout
    assert set(report) == {"notebook", "exercises"}
    assert report["notebook"] == str(path)
    for row in report["exercises"]:
        assert set(row) == {"id", "title", "status", "message"}
        assert row["status"] in ("pass", "fail", "todo")
        assert isinstance(row["message"], str) and row["message"]
    assert [r["id"] for r in report["exercises"]] == [f"cell-{i:03d}" for i in range(1, 20, 2)]


def test_each_outcome_gets_its_status_and_message(mixed):
    _, proc = mixed
    rows = {r["title"]: r for r in json.loads(proc.stdout)["exercises"]}
    assert proc.returncode == 1
    assert rows["passes"]["status"] == "pass"
    assert rows["a cell after raises"]["status"] == "pass"
    assert rows["todo"]["status"] == "todo"
    assert rows["transposed"]["status"] == "fail"
    assert "dW has shape (4, 3), expected (3, 4): X.T @ G, not G.T @ X" in rows["transposed"]["message"]
    assert rows["syntax error"]["status"] == "fail"
    assert "SyntaxError" in rows["syntax error"]["message"]
    assert rows["raises"]["status"] == "fail"
    assert "ValueError: my own bug" in rows["raises"]["message"]
    assert rows["exits"]["status"] == "fail" and "SystemExit" in rows["exits"]["message"]
    assert rows["prints"]["status"] == "fail" and "None" in rows["prints"]["message"]
    assert rows["no verdict"]["status"] == "fail" and "no verdict" in rows["no verdict"]["message"]
    assert rows["no check cell"]["status"] == "fail"
    assert "no #| check cell" in rows["no check cell"]["message"]


def test_all_pass_is_exit_status_0_and_the_table_without_json(tmp_path):
    path = notebook(tmp_path / "ok.ipynb", exercise_pair("passes", GOOD) + exercise_pair("again", GOOD))
    proc = run(path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 exercises (2 pass, 0 fail, 0 todo)" in proc.stdout
    assert "pass  cell-000  passes" in proc.stdout


def test_a_notebook_without_exercises_passes(tmp_path):
    proc = run(notebook(tmp_path / "none.ipynb", [code("print(1)")]), "--json")
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["exercises"] == []


def test_a_missing_notebook_is_an_error_not_a_traceback(tmp_path):
    proc = run(tmp_path / "nowhere.ipynb", "--json")
    assert proc.returncode == 2
    assert "no such notebook" in proc.stderr and "Traceback" not in proc.stderr


def test_read_verdicts_needs_no_kernel():
    verdict = {"output_type": "display_data", "metadata": {},
               "data": {"text/plain": "[todo] t: m", grade.MIME: {"title": "t", "status": "todo", "message": "m"}}}
    cells = [code("#| exercise t\ndef f(x):\n    pass"), code("#| check\nf = check('f', f)", [verdict], 2),
             code("#| exercise u\ndef g(x):\n    pass"),
             code("#| check\ng = check('g', g)", [{"output_type": "error", "ename": "NotImplementedError",
                                                   "evalue": "write g", "traceback": []}], 3),
             code("#| exercise v\ndef h(x):\n    pass"), code("#| check\nh = check('h', h)")]
    rows = grade.read_verdicts({"cells": cells}, problem="DeadKernelError: the kernel died")
    assert [r["status"] for r in rows] == ["todo", "todo", "fail"]
    assert "did not run (DeadKernelError" in rows[2]["message"]


def test_check_returns_the_reference_until_the_function_passes(capsys):
    def wrong(X, W, G):
        return G @ W.T, X.T @ G, G.sum(axis=1)

    chosen = exercises.check("linear_backward", wrong)
    out = capsys.readouterr().out
    assert "[fail] A linear layer's backward pass" in out
    assert exercises.REFERENCE_NOTE in out
    rng = np.random.default_rng(0)
    X, W, G = rng.normal(size=(3, 2)), rng.normal(size=(2, 4)), rng.normal(size=(3, 4))
    assert np.allclose(chosen(X, W, G)[1], X.T @ G)

    def right(X, W, G):
        return G @ W.T, X.T @ G, G.sum(axis=0)

    assert exercises.check("linear_backward", right) is right
    assert exercises.REFERENCE_NOTE not in capsys.readouterr().out


def test_a_check_never_raises():
    for candidate in (None, 3, lambda: 1, lambda *a: 1 / 0, lambda *a: (_ for _ in ()).throw(SystemExit(1)),
                      lambda *a: "text", lambda *a: (np.ones(2),) * 3):
        status, message = exercises.grade("linear_backward", candidate)
        assert status == "fail" and message
    assert exercises.grade("no such exercise", lambda: 1)[0] == "fail"
    assert exercises.check("no such exercise", print) is print


def test_the_module_needs_no_jupyter_at_import():
    code_ = ("import sys; sys.modules['nbclient'] = None; sys.modules['nbformat'] = None; "
             "import nnbook.grade, nnbook.exercises; print('ok')")
    assert subprocess.run([sys.executable, "-c", code_], capture_output=True, text=True).stdout.strip() == "ok"
