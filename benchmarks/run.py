#!/usr/bin/env python3
"""Benchmarks: one epoch of MLP training through nnbook's public API.

``make bench`` (or ``python benchmarks/run.py``) trains two multilayer
perceptrons, 784-256-10 and 784-512-256-10, for one epoch of SGD (batch 128,
shuffled) on 60000 random 784-feature inputs with 10 classes, and compares:

* ``nnbook``: ``Sequential`` of ``Linear``/``ReLU``, ``CrossEntropyLoss``,
  ``optim.SGD``, ``data.DataLoader``: the loop the book teaches, with
  ``model.backward(grad, input_grad=False)`` (chapter 15);
* ``fit``: the same model, loss, optimizer, batches and shuffling trained by
  ``nnbook.train.fit(..., epochs=1, batch_size=128)``: what a user who calls
  ``fit`` gets, checks of the data, divergence checks and history included;
* ``nnbook dX``: the same loop as ``nnbook`` with ``model.backward(grad)``, which
  also computes the gradient with respect to the data;
* ``numpy``: the same training written out in bare NumPy, with no library
  and no checks (:func:`numpy_epoch`): the yardstick for what a NumPy
  library of layer objects can reach;
* ``floor``: the same matrix products as bare ``np.matmul`` calls into
  preallocated arrays (:func:`nnbook.profile.matmul_floor`), nothing else;
* ``torch``: PyTorch on the CPU (if installed; never required), the same model,
  loss and optimizer, batches gathered with ``index_select`` from a
  ``randperm`` (the fast way: ``torch.utils.data.DataLoader`` would be slower);
  and ``torch floor``, the same products as bare ``torch.mm`` calls (PyTorch's
  BLAS, usually MKL, where NumPy's is usually OpenBLAS);
* ``sklearn``: scikit-learn's ``MLPClassifier.partial_fit`` (one epoch of
  plain SGD), if installed.

``nnbook dX`` and ``sklearn`` run in float32 with the first thread count only
(they are informative, and slow); float64 runs with the last thread count
(one by default) unless ``--float64-threads`` says otherwise. ``--quick`` runs a short version (three
rounds, float32, two threads, no book) for trying changes.

The implementations are interleaved in rounds (one warm-up round excluded),
BLAS threads are fixed with threadpoolctl (and ``torch.set_num_threads``),
and every ratio is taken round by round within this run. The table goes to
the screen, everything measured to ``benchmarks/results/*.json``.

Then (unless ``--no-book`` or ``NNBOOK_BENCH_BOOK=0``) it executes every
chapter notebook, copied to a temporary folder, and prints the time of each
and of the whole book.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the nnbook of this checkout, whatever is installed

import numpy as np  # noqa: E402

try:
    from threadpoolctl import threadpool_info, threadpool_limits
except ImportError:  # pragma: no cover - the test extra installs it
    raise SystemExit("benchmarks/run.py needs threadpoolctl: pip install threadpoolctl "
                     "(or pip install -e '.[test]'; `make bench` does it for you)")

from nnbook.activations import ReLU  # noqa: E402
from nnbook.data import DataLoader  # noqa: E402
from nnbook.layers import Linear, Sequential  # noqa: E402
from nnbook.losses import CrossEntropyLoss  # noqa: E402
from nnbook.optim import SGD  # noqa: E402
from nnbook.profile import matmul_floor, mlp_flops, ratio, summarize, time_rounds  # noqa: E402
from nnbook.train import fit  # noqa: E402

ARCHS = {"784-256-10": (784, 256, 10), "784-512-256-10": (784, 512, 256, 10)}
N_SAMPLES, N_CLASSES, BATCH, LR = 60000, 10, 128, 0.01
TARGET_TORCH, TARGET_FLOOR = 1.00, 0.80          # nnbook / torch, floor / nnbook
TARGET_FIT_TORCH, TARGET_FIT_FLOOR = 1.00, 0.75  # fit / torch, floor / fit (issue 11)


# -- the implementations: each builder returns a function running one epoch ----------

def nnbook_mlp(sizes, dtype, seed=0):
    """The model, loss and optimizer that ``nnbook`` and ``fit`` train."""
    layers = []
    for i, (d, m) in enumerate(zip(sizes[:-1], sizes[1:])):
        if i:
            layers.append(ReLU())
        layers.append(Linear(d, m, rng=seed + i, dtype=dtype))
    model = Sequential(*layers)
    return model, CrossEntropyLoss(), SGD(model.parameters(), lr=LR)


def nnbook_epoch(sizes, X, y, input_grad=False, seed=0):
    """One epoch through nnbook's public API, exactly as chapter 15 writes it."""
    model, loss_fn, optimizer = nnbook_mlp(sizes, X.dtype, seed)
    loader = DataLoader(X, y, batch_size=BATCH, shuffle=True, rng=seed)

    def epoch():
        for xb, yb in loader:
            optimizer.zero_grad()
            loss_fn(model(xb), yb)
            model.backward(loss_fn.backward(), input_grad=input_grad)
            optimizer.step()

    epoch.model = model  # for the tests: what was trained
    return epoch


def fit_epoch(sizes, X, y, seed=0):
    """One epoch of the same training through ``nnbook.train.fit``, as a user calls it."""
    model, loss_fn, optimizer = nnbook_mlp(sizes, X.dtype, seed)
    rng = np.random.default_rng(seed)  # one generator: a new order every epoch, as the loader's

    def epoch():
        fit(model, loss_fn, optimizer, X, y, epochs=1, batch_size=BATCH, shuffle=True, rng=rng,
            verbose=0, progress=False)

    epoch.model = model
    return epoch


def numpy_epoch(sizes, X, y, seed=0):
    """The same training written out in bare NumPy: no library, no checks, no bookkeeping.

    Same initial weights (those of :func:`nnbook_mlp`), the same batches in the same order
    (one ``permutation`` per epoch from a generator seeded like the loader's), the same
    operations (bias added in place, the ReLU's mask, the stable softmax, the loss value,
    SGD): the best a NumPy library of layer objects could do, and so the yardstick for
    what ``nnbook``'s modules, checks and caches cost.
    """
    model, _, _ = nnbook_mlp(sizes, X.dtype, seed)
    params = [(layer.weight.data, layer.bias.data) for layer in model if isinstance(layer, Linear)]
    rng, n_layers = np.random.default_rng(seed), len(params)

    def epoch():
        order = rng.permutation(X.shape[0])
        for start in range(0, X.shape[0], BATCH):
            index = order[start:start + BATCH]
            a, yb, n = X.take(index, axis=0), y.take(index), len(index)
            inputs, masks = [], []
            for l, (W, b) in enumerate(params):
                inputs.append(a)
                a = a @ W
                a += b
                if l < n_layers - 1:
                    masks.append(a > 0)
                    a = np.maximum(a, 0)
            a -= a.max(axis=1, keepdims=True)                        # stable softmax cross-entropy
            p = np.exp(a)
            total = p.sum(axis=1, keepdims=True)
            float(-(a[np.arange(n), yb] - np.log(total[:, 0])).sum() / n)  # the loss value, as fit reads it
            p /= total
            p[np.arange(n), yb] -= 1
            g = p / n
            for l in reversed(range(n_layers)):
                W, b = params[l]
                gW, gb = inputs[l].T @ g, g.sum(axis=0)
                if l > 0:
                    g = g @ W.T                                      # propagate, then update
                    g *= masks[l - 1]
                W -= LR * gW
                b -= LR * gb

    epoch.params = params
    return epoch


def batch_sizes(n):
    """The sizes of the batches of one epoch over ``n`` samples: full ones, then the rest."""
    return [BATCH] * (n // BATCH) + ([n % BATCH] if n % BATCH else [])


def floor_epoch(sizes, X, input_grad=False):
    return matmul_floor(sizes, batch_sizes(X.shape[0]), dtype=X.dtype, input_grad=input_grad)


def torch_epoch(torch, sizes, X, y, seed=0):
    """The same training in PyTorch, written the fast way."""
    torch.manual_seed(seed)
    layers = []
    for i, (d, m) in enumerate(zip(sizes[:-1], sizes[1:])):
        if i:
            layers.append(torch.nn.ReLU())
        layers.append(torch.nn.Linear(d, m))
    dtype = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}[X.dtype]
    model = torch.nn.Sequential(*layers).to(dtype)
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)  # shared memory, no copy
    generator = torch.Generator().manual_seed(seed)
    n = Xt.shape[0]

    def epoch():
        order = torch.randperm(n, generator=generator)
        for start in range(0, n, BATCH):
            index = order[start:start + BATCH]
            xb, yb = Xt.index_select(0, index), yt.index_select(0, index)
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()

    return epoch


def torch_floor_epoch(torch, sizes, X):
    """PyTorch's matrix products of the same epoch (its BLAS, usually MKL), nothing else."""
    batches = batch_sizes(X.shape[0])
    dtype = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}[X.dtype]
    g = torch.Generator().manual_seed(0)
    weights = [torch.randn(m, d, generator=g, dtype=dtype) / d**0.5  # PyTorch's (out, in) layout
               for d, m in zip(sizes[:-1], sizes[1:])]
    weight_grads = [torch.empty_like(w) for w in weights]
    arrays = {b: ([torch.randn(b, s, generator=g, dtype=dtype) for s in sizes],
                  [torch.randn(b, s, generator=g, dtype=dtype) for s in sizes])
              for b in set(batches)}

    def epoch():
        for b in batches:
            acts, grads = arrays[b]
            for l, w in enumerate(weights):
                torch.mm(acts[l], w.T, out=acts[l + 1])
            for l in reversed(range(len(weights))):
                torch.mm(grads[l + 1].T, acts[l], out=weight_grads[l])
                if l > 0:
                    torch.mm(grads[l + 1], weights[l], out=grads[l])

    return epoch


def sklearn_epoch(sizes, X, y, seed=0):
    """scikit-learn's MLPClassifier, one partial_fit (one epoch of plain SGD) per call."""
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=tuple(sizes[1:-1]), activation="relu", solver="sgd",
                        alpha=0.0, batch_size=BATCH, learning_rate="constant",
                        learning_rate_init=LR, momentum=0.0, nesterovs_momentum=False,
                        shuffle=True, random_state=seed)
    classes = np.arange(sizes[-1])

    def epoch():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.partial_fit(X, y, classes=classes)

    return epoch


# -- running ---------------------------------------------------------------------------

def optional(name):
    try:
        return __import__(name)
    except ImportError:
        return None


def machine():
    info = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cpu_count": os.cpu_count(),
        "processor": platform.processor(),
        "blas": [{k: d.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
                 for d in threadpool_info() if d.get("user_api") == "blas"],
    }
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        if names:
            info["processor"] = names[0]
    except OSError:
        pass
    for name in ("torch", "sklearn"):
        module = optional(name)
        if module is not None:
            info[name] = module.__version__
    return info


#: The clocks a block can be timed with. CPU time is what the process itself used: on a
#: busy machine it leaves out the time other programs took (and, on a virtual machine
#: whose kernel accounts it, the time the host took away: ``st`` in ``vmstat``), so it is
#: steadier than the wall clock. But it adds up every thread, busy-waiting ones included,
#: so it is only right for one thread; with several, the wall clock is the honest measure.
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def pick_clock(clock, threads):
    """The clock of a block: ``"auto"`` is CPU time for one thread, wall clock for more."""
    if clock == "auto":
        return "cpu" if threads == 1 else "wall"
    if clock == "cpu" and threads != 1:
        raise SystemExit(f"--clock cpu needs one thread (got {threads}): CPU time adds up threads")
    return clock


def run_block(threads, dtype, arch, X, y, rounds, torch, sklearn, extras, clock="auto"):
    """Time one epoch of every implementation for one (threads, dtype, network)."""
    sizes = ARCHS[arch]
    Xd = X if X.dtype == dtype else X.astype(dtype)
    candidates = {"nnbook": nnbook_epoch(sizes, Xd, y), "fit": fit_epoch(sizes, Xd, y),
                  "numpy": numpy_epoch(sizes, Xd, y), "floor": floor_epoch(sizes, Xd)}
    if extras:
        candidates["nnbook dX"] = nnbook_epoch(sizes, Xd, y, input_grad=True)
    if torch is not None:
        candidates["torch"] = torch_epoch(torch, sizes, Xd, y)
        candidates["torch floor"] = torch_floor_epoch(torch, sizes, Xd)
    if sklearn is not None and extras:
        candidates["sklearn"] = sklearn_epoch(sizes, Xd, y)
    clock_name = pick_clock(clock, threads)
    load_before = os.getloadavg()
    with threadpool_limits(limits=threads):
        if torch is not None:
            torch.set_num_threads(threads)
        times = time_rounds(candidates, rounds=rounds, warmup=1, timer=CLOCKS[clock_name])
    load_after = os.getloadavg()
    result = {
        "threads": threads, "dtype": np.dtype(dtype).name, "arch": arch, "rounds": rounds,
        "clock": clock_name,
        "flops_per_epoch": sum(mlp_flops(sizes, b) for b in batch_sizes(X.shape[0])),
        "loadavg_before": load_before, "loadavg_after": load_after,
        "times": {name: t.tolist() for name, t in times.items()},
        "summary": {name: summarize(t) for name, t in times.items()},
        "ratios": {"floor/nnbook": ratio(times, "floor", "nnbook"),
                   "floor/fit": ratio(times, "floor", "fit"),
                   "fit/nnbook": ratio(times, "fit", "nnbook"),
                   "floor/numpy": ratio(times, "floor", "numpy"),
                   "fit/numpy": ratio(times, "fit", "numpy")},
    }
    if "nnbook dX" in times:
        result["ratios"]["nnbook dX/nnbook"] = ratio(times, "nnbook dX", "nnbook")
    if "torch" in times:
        result["ratios"]["nnbook/torch"] = ratio(times, "nnbook", "torch")
        result["ratios"]["fit/torch"] = ratio(times, "fit", "torch")
        result["ratios"]["floor/torch floor"] = ratio(times, "floor", "torch floor")
    if "sklearn" in times:
        result["ratios"]["nnbook/sklearn"] = ratio(times, "nnbook", "sklearn")
    return result


def fmt_time(summary):
    return f"{summary['median']:6.3f} s" if summary else "       -"


def fmt_ratio(r):
    return f"{r['median']:5.2f} [{r['min']:.2f}-{r['max']:.2f}]" if r else "         -      "


RATIO_COLUMNS = ["nnbook/torch", "floor/nnbook", "fit/torch", "floor/fit", "fit/nnbook",
                 "floor/numpy", "fit/numpy",
                 "floor/torch floor", "nnbook dX/nnbook", "nnbook/sklearn"]


def print_table(blocks):
    head = (f"{'thr':>3} {'dtype':7} {'MLP':15} {'nnbook':>8} {'fit':>8} {'floor':>8} {'torch':>8} "
            f"{'sklearn':>8} | " + " ".join(f"{c:>17}" for c in RATIO_COLUMNS)
            + f" {'GFLOP/s':>7} {'load':>5}")
    print(head)
    print("-" * len(head))
    for b in blocks:
        s, r = b["summary"], b["ratios"]
        gflops = b["flops_per_epoch"] / s["nnbook"]["median"] / 1e9
        print(f"{b['threads']:>3} {b['dtype']:7} {b['arch']:15} {fmt_time(s['nnbook'])} "
              f"{fmt_time(s.get('fit'))} {fmt_time(s['floor'])} {fmt_time(s.get('torch'))} "
              f"{fmt_time(s.get('sklearn'))} | "
              + " ".join(f"{fmt_ratio(r.get(c)):>17}" for c in RATIO_COLUMNS)
              + f" {gflops:7.1f} {b['loadavg_before'][0]:5.1f}")
    threads_by_clock = {}
    for b in blocks:
        threads_by_clock.setdefault(b.get("clock", "wall"), set()).add(b["threads"])
    clocks = "; ".join(f"{clock} clock for {'/'.join(map(str, sorted(t)))} thread(s)"
                       for clock, t in sorted(threads_by_clock.items()))
    print(f"Per-epoch times are medians over the rounds, in seconds ({clocks}; 'cpu' = CPU time "
          "of the process, which other programs do not inflate);\n"
          "ratios are medians of the per-round ratios [min-max]. 'floor' = the same matrix products as bare "
          "np.matmul calls; 'torch floor' = the same products as torch.mm calls (PyTorch's BLAS);\n"
          "'fit' = the same training through nnbook.train.fit(epochs=1); "
          "'numpy' = the same training written out in bare NumPy (no library: the best a NumPy library can do);\n"
          "'nnbook dX' = model.backward(grad), also computing the data's gradient; GFLOP/s = "
          "nnbook's rate on the products; 'load' = 1-minute load average at the start of the row.")


def _target_line(arch, label, value, bound, at_most):
    met = value <= bound if at_most else value >= bound
    return (f"  {arch:15} {label:16} = {value:.2f}  (target {'<=' if at_most else '>='} "
            f"{bound:.2f}: {'met' if met else 'NOT met'})")


def print_targets(blocks, threads):
    """Judge the float32 blocks of one thread count against the targets.

    The loop of chapter 15 (``nnbook``): nnbook / PyTorch <= 1.00 and floor /
    nnbook >= 0.80; ``fit`` (issue 11): fit / PyTorch <= 1.00 and floor / fit
    >= 0.75. A PyTorch ratio is reported as missing where PyTorch is not installed.
    """
    print(f"\nTargets (float32, {threads} BLAS thread{'s' if threads > 1 else ''}, this run):")
    lines = []
    for b in blocks:
        if b["dtype"] != "float32" or b["threads"] != threads:
            continue
        r, arch = b["ratios"], b["arch"]
        for name, label, target_torch, target_floor in (
                ("nnbook", "nnbook", TARGET_TORCH, TARGET_FLOOR),
                ("fit", "fit", TARGET_FIT_TORCH, TARGET_FIT_FLOOR)):
            if f"floor/{name}" not in r:  # a result file from before fit was timed
                continue
            if f"{name}/torch" in r:
                lines.append(_target_line(arch, f"{label} / PyTorch", r[f"{name}/torch"]["median"],
                                          target_torch, at_most=True))
            else:
                lines.append(f"  {arch:15} {label} / PyTorch: PyTorch is not installed")
            lines.append(_target_line(arch, f"floor / {label}", r[f"floor/{name}"]["median"],
                                      target_floor, at_most=False))
    print("\n".join(lines) if lines else "  (no float32 block at this thread count)")


def time_book(timeout):
    """Execute every chapter (copied to a temporary folder) and time each one."""
    book = ROOT / "book"
    notebooks = sorted(book.glob("*.ipynb"))
    results, failures = [], []
    # As `make execute` and `make test` run them: one BLAS thread (many small products).
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with tempfile.TemporaryDirectory(prefix="nnbook-book-") as tmp:
        for path in book.iterdir():  # matplotlibrc, references.bib, data files ...
            if path.is_file():
                shutil.copy2(path, tmp)
        start_all = time.perf_counter()
        for nb in notebooks:
            copy = Path(tmp) / nb.name
            proc = subprocess.run(
                [sys.executable, str(ROOT / "tools" / "run_notebooks.py"), "--time",
                 "--timeout", str(timeout), str(copy)],
                cwd=ROOT, env=env, capture_output=True, text=True)
            match = re.search(r"\(([\d.]+) s\)", proc.stdout)
            if proc.returncode != 0 or match is None:
                failures.append((nb.name, (proc.stderr or proc.stdout).strip()[-500:]))
                print(f"  {nb.name:32} FAILED")
                continue
            seconds = float(match.group(1))
            results.append((nb.name, seconds))
            print(f"  {nb.name:32} {seconds:6.1f} s")
        wall = time.perf_counter() - start_all
    total = sum(s for _, s in results)
    print(f"  {'whole book (sum of notebooks)':32} {total:6.1f} s   "
          f"(wall clock with kernel start-ups: {wall:.1f} s)")
    for name, message in failures:
        print(f"  {name} failed:\n    " + message.replace("\n", "\n    "))
    return {"notebooks": dict(results), "total": total, "wall": wall,
            "failures": [name for name, _ in failures]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="recorded rounds (default 5)")
    parser.add_argument("--threads", type=int, nargs="+", default=[2, 1],
                        help="BLAS thread counts (default: 2 1)")
    parser.add_argument("--dtypes", nargs="+", default=["float32", "float64"],
                        choices=["float32", "float64"])
    parser.add_argument("--float64-threads", type=int, nargs="*", default=None,
                        help="thread counts that also run float64 (default: the last of "
                             "--threads, i.e. one thread: float64 with two threads on a busy "
                             "machine takes long and says little)")
    parser.add_argument("--arch", nargs="+", default=list(ARCHS), choices=list(ARCHS))
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch even if installed")
    parser.add_argument("--no-sklearn", action="store_true", help="skip scikit-learn")
    parser.add_argument("--no-book", action="store_true",
                        help="skip timing the notebooks (also: NNBOOK_BENCH_BOOK=0)")
    parser.add_argument("--book-only", action="store_true", help="only time the notebooks")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--clock", choices=["auto", "wall", "cpu"], default="auto",
                        help="auto (default): CPU time of the process for one thread, which "
                             "other programs do not inflate; wall clock for more threads")
    parser.add_argument("--quick", action="store_true",
                        help="3 rounds, float32, 2 threads, no scikit-learn, no book")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.threads, args.dtypes = 3, [2], ["float32"]
        args.no_sklearn = args.no_book = True
    if args.rounds < 1:
        parser.error("--rounds must be >= 1")
    f64_threads = args.threads[-1:] if args.float64_threads is None else args.float64_threads
    do_book = not args.no_book and os.environ.get("NNBOOK_BENCH_BOOK", "1") != "0"

    report = {"date": _dt.datetime.now().isoformat(timespec="seconds"), "machine": machine(),
              "config": {"n_samples": N_SAMPLES, "n_features": 784, "n_classes": N_CLASSES,
                         "batch_size": BATCH, "lr": LR, "rounds": args.rounds, "warmup": 1}}
    print(f"nnbook benchmarks, {report['date']}: {report['machine']['processor']}, "
          f"{os.cpu_count()} CPUs, numpy {np.__version__}"
          + (f", torch {report['machine']['torch']}" if "torch" in report["machine"] else "")
          + (f", scikit-learn {report['machine']['sklearn']}" if "sklearn" in report["machine"] else ""))
    print(f"load average {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} CPUs: "
          "other processes share the CPU; the ratios are taken round by round.\n")

    if not args.book_only:
        torch = None if args.no_torch else optional("torch")
        sklearn = None if args.no_sklearn else optional("sklearn")
        rng = np.random.default_rng(0)
        X = rng.standard_normal((N_SAMPLES, 784), dtype=np.float32)
        y = rng.integers(0, N_CLASSES, N_SAMPLES)
        blocks = []
        print(f"One epoch: {N_SAMPLES} samples x 784 features, {N_CLASSES} classes, batch {BATCH}, "
              f"SGD lr={LR}; {args.rounds} rounds after 1 warm-up round.")
        for threads in args.threads:
            for dtype in args.dtypes:
                if dtype == "float64" and threads not in f64_threads:
                    continue
                for arch in args.arch:
                    t0 = time.perf_counter()
                    extras = dtype == "float32" and threads == args.threads[0]
                    blocks.append(run_block(threads, np.dtype(dtype), arch, X, y,
                                            args.rounds, torch, sklearn, extras, args.clock))
                    print(f"  measured {threads} thread(s), {dtype}, {arch} "
                          f"in {time.perf_counter() - t0:.0f} s", flush=True)
        print()
        print_table(blocks)
        for threads in args.threads:
            print_targets(blocks, threads)
        report["blocks"] = blocks

    if do_book:
        print("\nExecuting the chapters (a copy of book/*.ipynb in a temporary folder, "
              "one BLAS thread as in `make execute`):")
        report["book"] = time_book(timeout=600)

    args.out.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = args.out / f"bench-{stamp}.json"
    text = json.dumps(report, indent=1)
    path.write_text(text)
    (args.out / "latest.json").write_text(text)
    print(f"\nResults written to {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
