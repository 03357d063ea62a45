"""The scripts behind the book's heavier numbers (``experiments/*.py``) still run.

A chapter that shows a sweep too slow for the chapter itself (chapter 8's learning-rate sweep,
chapter 9's regularization sweep, chapter 12's cross-validation) reads a cached result,
``book/data/<name>.json``, written by ``python experiments/<name>.py``. Here each script runs in
its ``--quick`` configuration into a temporary file, and must produce a result with the same
structure as the cached one the chapter reads, so that the command the chapter names keeps
working and regenerates what the chapter expects.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted(p for p in (ROOT / "experiments").glob("*.py") if not p.name.startswith("_"))


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_each_experiment_script_runs_quickly_and_writes_what_the_chapter_reads(script, tmp_path):
    out = tmp_path / f"{script.stem}.json"
    done = subprocess.run([sys.executable, str(script), "--quick", "--out", str(out)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    quick = json.loads(out.read_text(encoding="utf-8"))
    cached_path = ROOT / "book" / "data" / f"{script.stem}.json"
    assert cached_path.exists(), f"{script.name} has no cached result in book/data/ for its chapter"
    cached = json.loads(cached_path.read_text(encoding="utf-8"))
    assert set(quick) == set(cached), (f"{script.name}: the --quick result has keys {sorted(quick)}, "
                                       f"the cached one {sorted(cached)}")


def test_every_cached_result_has_the_script_that_writes_it():
    for cached in sorted((ROOT / "book" / "data").glob("*.json")):
        assert (ROOT / "experiments" / f"{cached.stem}.py").exists(), (
            f"book/data/{cached.name} has no experiments/{cached.stem}.py to regenerate it")
