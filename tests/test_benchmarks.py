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


def _block(threads, arch, nnbook_torch, floor_nnbook, fit_torch=None, floor_fit=None):
    ratios = {"floor/nnbook": {"median": floor_nnbook}}
    if nnbook_torch is not None:
        ratios["nnbook/torch"] = {"median": nnbook_torch}
    if floor_fit is not None:
        ratios["floor/fit"] = {"median": floor_fit}
    if fit_torch is not None:
        ratios["fit/torch"] = {"median": fit_torch}
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


def test_fit_targets_are_those_of_issue_11(bench, capsys):
    blocks = [_block(1, "784-256-10", 0.9, 0.85, fit_torch=1.00, floor_fit=0.75),
              _block(1, "784-512-256-10", 0.9, 0.85, fit_torch=1.20, floor_fit=0.74),
              _block(1, "784-1-10", None, 0.85, fit_torch=None, floor_fit=0.9),
              _block(1, "old-result", 0.9, 0.85)]  # a result file from before fit was timed
    bench.print_targets(blocks, 1)
    lines = capsys.readouterr().out.splitlines()
    small = [line for line in lines if "784-256-10" in line]
    large = [line for line in lines if "784-512-256-10" in line]
    assert "fit / PyTorch    = 1.00  (target <= 1.00: met)" in small[2]
    assert "floor / fit      = 0.75  (target >= 0.75: met)" in small[3]
    assert "fit / PyTorch    = 1.20  (target <= 1.00: NOT met)" in large[2]
    assert "floor / fit      = 0.74  (target >= 0.75: NOT met)" in large[3]
    assert any("784-1-10" in line and "fit / PyTorch: PyTorch is not installed" in line
               for line in lines)
    old = [line for line in lines if "old-result" in line]
    assert len(old) == 2 and not any("fit" in line for line in old)


def _summary(median):
    return {"median": median, "min": median, "max": median}


def test_table_shows_fit_and_its_ratios(bench, capsys):
    block = {"threads": 1, "dtype": "float32", "arch": "784-256-10", "clock": "cpu",
             "flops_per_epoch": 1e9, "loadavg_before": (0.5, 0.5, 0.5),
             "summary": {"nnbook": _summary(1.0), "fit": _summary(1.25), "floor": _summary(0.8)},
             "ratios": {"floor/nnbook": _summary(0.8), "floor/fit": _summary(0.64),
                        "fit/nnbook": _summary(1.25)}}
    bench.print_table([block])
    head, _, row = capsys.readouterr().out.splitlines()[:3]
    cells = dict(zip(head.split("|")[0].split(), row.split("|")[0].replace(" s", "").split()))
    assert cells["nnbook"] == "1.000" and cells["fit"] == "1.250" and cells["floor"] == "0.800"
    columns = head.split("|")[1].split()
    assert {"fit/torch", "floor/fit", "fit/nnbook"} <= set(columns)
    ratios = row.split("|")[1]
    assert "0.64 [0.64-0.64]" in ratios and "1.25 [1.25-1.25]" in ratios


def test_fit_trains_what_the_loop_trains(bench):
    """The fit row runs the nnbook row's training: same model, batches, order and updates."""
    import numpy as np

    rng = np.random.default_rng(1)
    X = rng.standard_normal((300, 784), dtype=np.float32)  # 2 full batches and one of 44
    y = rng.integers(0, 10, 300)
    loop = bench.nnbook_epoch((784, 16, 10), X, y)
    through_fit = bench.fit_epoch((784, 16, 10), X, y)
    for _ in range(2):  # the second epoch must shuffle anew in both
        loop()
        through_fit()
    for a, b in zip(loop.model.parameters(), through_fit.model.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


def test_the_bare_numpy_row_trains_what_the_loop_trains(bench):
    """The numpy yardstick does the loop's work (same batches, order and updates), no less."""
    import numpy as np

    rng = np.random.default_rng(2)
    X = rng.standard_normal((300, 784)).astype(np.float64)
    y = rng.integers(0, 10, 300)
    for sizes in ((784, 16, 10), (784, 16, 8, 10)):
        loop = bench.nnbook_epoch(sizes, X, y)
        bare = bench.numpy_epoch(sizes, X, y)
        for _ in range(2):  # the second epoch shuffles anew in both
            loop()
            bare()
        layers = [m for m in loop.model if hasattr(m, "weight")]
        for layer, (W, b) in zip(layers, bare.params, strict=True):
            np.testing.assert_allclose(W, layer.weight.data, rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(b, layer.bias.data, rtol=1e-12, atol=1e-14)
