"""The benchmark script's own logic (not its timings): clock choice and the targets report."""

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("threadpoolctl")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("nnbook_bench", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_auto_clock_is_cpu_time_only_for_one_thread(bench):
    assert bench.pick_clock("auto", 1) == "cpu"
    assert bench.pick_clock("auto", 2) == "wall"
    assert bench.pick_clock("wall", 1) == "wall"
    assert bench.pick_clock("cpu", 1) == "cpu"
    with pytest.raises(SystemExit, match="adds up threads"):
        bench.pick_clock("cpu", 2)


def _block(threads, arch, nnbook_torch, floor_nnbook):
    ratios = {"floor/nnbook": {"median": floor_nnbook}}
    if nnbook_torch is not None:
        ratios["nnbook/torch"] = {"median": nnbook_torch}
    return {"dtype": "float32", "threads": threads, "arch": arch, "ratios": ratios}


def test_targets_are_judged_per_thread_count(bench, capsys):
    blocks = [_block(2, "784-256-10", 0.95, 0.79), _block(1, "784-256-10", 1.01, 0.80),
              _block(1, "784-512-256-10", None, 0.5)]
    bench.print_targets(blocks, 2)
    bench.print_targets(blocks, 1)
    out = capsys.readouterr().out
    two, one = out.split("1 BLAS thread")
    assert "nnbook / PyTorch = 0.95  (target <= 1.00: met)" in two
    assert "floor / nnbook   = 0.79  (target >= 0.80: NOT met)" in two
    assert "nnbook / PyTorch = 1.01  (target <= 1.00: NOT met)" in one
    assert "floor / nnbook   = 0.80  (target >= 0.80: met)" in one
    assert "PyTorch is not installed" in one
