"""experiments/cnn_vs_mlp.py (chapter 17's comparison over seeds) runs and writes what the chapter reads.

Like tests/test_experiments.py, the script runs in its ``--quick`` configuration into a
temporary file; the result must have the keys of the cached ``book/data/cnn_vs_mlp.json``
and the structure the chapter's cells use (test accuracies paired by seed, the chosen MLP
among the validation scores, 10 x 10 confusion matrices that count every test image). The
script's ``make_cnn`` and ``make_mlp`` must build the chapter's networks.
"""
import ast
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

import nnbook
from nnbook.init import he_normal

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "experiments" / "cnn_vs_mlp.py"
CACHED = ROOT / "book" / "data" / "cnn_vs_mlp.json"


def check_structure(result):
    seeds = result["seeds"]
    assert len(result["test"]["cnn"]) == len(result["test"]["mlp"]) == len(seeds) >= 2
    assert str(result["chosen_hidden"]) in result["mlp_validation"]
    assert all(len(v) == len(seeds) for v in result["mlp_validation"].values())
    for name in ("cnn", "mlp"):
        matrix = result["confusion"][name]
        assert len(matrix) == 10 and all(len(row) == 10 for row in matrix)
        assert sum(map(sum, matrix)) == len(seeds) * result["split"]["test"]
        correct = sum(matrix[k][k] for k in range(10))
        assert abs(correct / (len(seeds) * result["split"]["test"])
                   - sum(result["test"][name]) / len(seeds)) < 1e-9
    assert all(0 <= a <= 1 for a in result["test"]["cnn"] + result["test"]["mlp"])


def test_the_cnn_experiment_runs_quickly_and_writes_what_the_chapter_reads(tmp_path):
    out = tmp_path / "cnn_vs_mlp.json"
    done = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--out", str(out)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    quick = json.loads(out.read_text(encoding="utf-8"))
    cached = json.loads(CACHED.read_text(encoding="utf-8"))
    assert set(quick) == set(cached)
    check_structure(quick)


def test_the_cached_result_is_a_full_run():
    cached = json.loads(CACHED.read_text(encoding="utf-8"))
    assert not cached["quick"] and len(cached["seeds"]) >= 5
    assert cached["split"] == {"train": 3000, "validation": 1000, "test": 1000}
    check_structure(cached)


def test_the_script_builds_the_same_networks_as_the_chapter():
    sys.path.insert(0, str(SCRIPT.parent))               # the script imports experiments/_cli.py
    try:
        spec = importlib.util.spec_from_file_location("cnn_vs_mlp_script", SCRIPT)
        script = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(script)
    finally:
        sys.path.remove(str(SCRIPT.parent))
    chapter = {"np": np, "he_normal": he_normal, "Sequential": nnbook.Sequential, "Linear": nnbook.Linear,
               "ReLU": nnbook.ReLU, "Conv2d": nnbook.Conv2d, "MaxPool2d": nnbook.MaxPool2d,
               "Flatten": nnbook.Flatten}
    cells = json.loads((ROOT / "book" / "17_convolutions.ipynb").read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        tree = ast.parse("".join(cell["source"])) if cell["cell_type"] == "code" else None
        for node in (tree.body if tree else []):
            if isinstance(node, ast.FunctionDef) and node.name in ("make_cnn", "make_mlp"):
                exec(compile(ast.Module([node], []), "chapter", "exec"), chapter)
    for name, args in (("make_cnn", ()), ("make_mlp", (512,))):
        ours = getattr(script, name)(np.random.default_rng(3), *args)
        theirs = chapter[name](np.random.default_rng(3), *args)
        assert repr(ours) == repr(theirs)
        assert all(np.array_equal(a.data, b.data) and a.data.dtype == b.data.dtype
                   for a, b in zip(ours.parameters(), theirs.parameters()))
