# Generated from book/15_performance.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Profile: timing a training step honestly (chapter 15, *Making it fast*).

:func:`time_rounds` times several functions interleaved in rounds, warm-up
excluded; :func:`summarize` and :func:`ratio` turn the times into medians and
spreads, ratios taken round by round; :func:`mlp_flops` counts the
floating-point operations of the matrix products of a training step;
:func:`matmul_floor` builds a function that performs those products and
nothing else, the floor against which a real training step is compared; and
:func:`profile_step` times each phase (data, forward and backward of every
kind of layer, loss, optimizer) of real training steps.

The benchmark of the repository (``make bench``, ``benchmarks/run.py``) uses
the same functions.
"""

__all__ = ['time_rounds', 'summarize', 'ratio', 'mlp_flops', 'matmul_floor', 'profile_step']


# %% book/15_performance.ipynb cell-003
import time

import numpy as np

from nnbook.checks import positive_int
from nnbook.layers import Sequential


# %% book/15_performance.ipynb cell-004
def time_rounds(candidates, rounds=5, warmup=1, timer=time.perf_counter):
    """Time several functions interleaved in rounds; return every measured time.

    Each round calls every candidate once, in an order rotated by one
    position per round, so that no candidate always runs first, or always
    right after the same neighbour, while the load of the machine drifts.
    The first ``warmup`` rounds run but are not recorded: they pay one-off
    costs (allocation, caches, starting the BLAS threads).

    Parameters
    ----------
    candidates : dict of str to callable
        What to time: ``name -> f``, where ``f()`` takes no arguments.
    rounds : int, default 5
        Recorded rounds.
    warmup : int, default 1
        Rounds run first and not recorded.
    timer : callable, default time.perf_counter
        The clock, in seconds. ``time.process_time`` measures the CPU time of
        the process instead, which a busy machine disturbs less, but which
        adds up the time of every thread: use it for single-threaded code.

    Returns
    -------
    dict of str to ndarray of shape (rounds,)
        Seconds of each call, in round order: ``times[name][r]`` was measured
        in round ``r``, so ratios can be taken round by round (:func:`ratio`).

    Examples
    --------
    >>> times = time_rounds({"sum": lambda: sum(range(100)), "nothing": lambda: None},
    ...                     rounds=3)
    >>> sorted(times), times["sum"].shape
    (['nothing', 'sum'], (3,))
    """
    names = list(candidates)
    if not names:
        raise ValueError("time_rounds: candidates is empty; pass a dict name -> function")
    for name, f in candidates.items():
        if not callable(f):
            raise ValueError(
                f"time_rounds: candidate {name!r} is a {type(f).__name__}, not a function; "
                "wrap the code in a function (or a lambda) taking no arguments"
            )
    rounds = positive_int(rounds, "rounds", "time_rounds")
    warmup = positive_int(warmup, "warmup", "time_rounds", minimum=0)
    times = {name: [] for name in names}
    for r in range(warmup + rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            start = timer()
            candidates[name]()
            elapsed = timer() - start
            if r >= warmup:
                times[name].append(elapsed)
    return {name: np.array(t) for name, t in times.items()}


# %% book/15_performance.ipynb cell-005
def summarize(times):
    """Median and spread of repeated measurements.

    Parameters
    ----------
    times : array_like of float
        Repeated measurements of the same quantity, e.g. one entry of the
        result of :func:`time_rounds`.

    Returns
    -------
    dict
        ``median``, the quartiles ``q1`` and ``q3``, ``min``, ``max`` (floats)
        and the number of measurements ``n``. The median and not the mean: a
        timing is the true cost plus a disturbance that is never negative,
        and one disturbed measurement moves the mean but barely the median.
    """
    t = np.asarray(times, dtype=np.float64)
    if t.ndim != 1 or t.size == 0:
        raise ValueError(
            f"summarize: expected a non-empty 1-d array of measurements, got shape {t.shape}"
        )
    q1, median, q3 = np.percentile(t, [25, 50, 75])
    return {"median": float(median), "q1": float(q1), "q3": float(q3),
            "min": float(t.min()), "max": float(t.max()), "n": int(t.size)}


def ratio(times, numerator, denominator):
    """Round-by-round ratio of two candidates timed by :func:`time_rounds`, summarized.

    Both were measured in the same rounds, under the same load, so each
    round's ratio compares like with like; the median of the ratios is
    steadier than the ratio of the two medians when the load drifts.

    Parameters
    ----------
    times : dict of str to array
        The result of :func:`time_rounds`.
    numerator, denominator : str
        Names of two candidates.

    Returns
    -------
    dict
        :func:`summarize` of ``times[numerator] / times[denominator]``.
    """
    for name in (numerator, denominator):
        if name not in times:
            raise ValueError(f"ratio: no timings for {name!r}; the candidates are {sorted(times)}")
    return summarize(np.asarray(times[numerator]) / np.asarray(times[denominator]))


# %% book/15_performance.ipynb cell-011
def _check_sizes(sizes, who):
    """The layer widths ``(d, h_1, ..., C)`` as a list of ints, or a ValueError."""
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(
            f"{who}: sizes must be two or more positive integers (d, ..., C), got {sizes!r}"
        )
    return [positive_int(s, f"sizes[{i}]", who) for i, s in enumerate(sizes)]


def mlp_flops(sizes, n, input_grad=False):
    """Floating-point operations in the matrix products of one training step of an MLP.

    A layer from :math:`d` to :math:`m` features on a batch of :math:`n`
    samples costs :math:`2ndm` for :math:`XW`, as much for :math:`X^\\top G`,
    and as much again for :math:`G W^\\top` unless it is the first layer and
    ``input_grad`` is False:

    .. math::

        F = 2n \\sum_{l=1}^{L} c_l\\, d_l m_l, \\qquad
        c_1 = 2 + [\\text{input\\_grad}], \\quad c_l = 3 \\ (l \\ge 2).

    Parameters
    ----------
    sizes : sequence of int
        Layer widths ``(d, h_1, ..., h_k, C)``.
    n : int
        Batch size.
    input_grad : bool, default False
        Count the gradient with respect to the input of the first layer.

    Returns
    -------
    int

    Examples
    --------
    >>> mlp_flops([784, 256, 10], 128)
    104726528
    """
    sizes = _check_sizes(sizes, "mlp_flops")
    n = positive_int(n, "the batch size n", "mlp_flops")
    total = 0
    for layer, (d, m) in enumerate(zip(sizes[:-1], sizes[1:])):
        products = 3 if (layer > 0 or input_grad) else 2
        total += products * 2 * n * d * m
    return total


# %% book/15_performance.ipynb cell-014
def matmul_floor(sizes, batch_sizes, dtype=np.float64, input_grad=False):
    """A function that performs only the matrix products of training an MLP.

    For each batch size in ``batch_sizes`` the returned function computes,
    with ``np.matmul`` into arrays allocated once, the forward products
    :math:`A_{l-1} W_l`, the weight gradients :math:`A_{l-1}^\\top G_l` and
    the input gradients :math:`G_l W_l^\\top` of a training step (the first
    layer's only if ``input_grad``), and nothing else: no bias, activation,
    loss, update, allocation or data. No implementation calling the same BLAS
    can beat it: it is the floor a real training step is compared to.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths ``(d, h_1, ..., C)``.
    batch_sizes : sequence of int
        One entry per batch, e.g. ``[128] * 468 + [96]`` for an epoch of
        60000 samples.
    dtype : numpy dtype, default float64
    input_grad : bool, default False
        Also compute the first layer's input gradient.

    Returns
    -------
    callable
        ``f()`` runs the products of every batch once and returns None.
    """
    sizes = _check_sizes(sizes, "matmul_floor")
    batch_sizes = list(batch_sizes)
    if not batch_sizes:
        raise ValueError("matmul_floor: batch_sizes is empty; pass one batch size per batch")
    batch_sizes = [positive_int(n, f"batch_sizes[{i}]", "matmul_floor") for i, n in enumerate(batch_sizes)]
    rng = np.random.default_rng(0)  # the values do not matter, only that they are ordinary
    dtype = np.dtype(dtype)
    weights = [(rng.standard_normal((d, m)) / np.sqrt(d)).astype(dtype)
               for d, m in zip(sizes[:-1], sizes[1:])]
    weight_grads = [np.empty_like(w) for w in weights]
    arrays = {}  # batch size -> (activations, gradients), one array per layer boundary
    for n in sorted(set(batch_sizes)):
        arrays[n] = ([rng.standard_normal((n, s)).astype(dtype) for s in sizes],
                     [rng.standard_normal((n, s)).astype(dtype) for s in sizes])

    def run():
        for n in batch_sizes:
            acts, grads = arrays[n]
            for l, w in enumerate(weights):
                np.matmul(acts[l], w, out=acts[l + 1])                  # forward
            for l in reversed(range(len(weights))):
                np.matmul(acts[l].T, grads[l + 1], out=weight_grads[l])  # dL/dW
                if l > 0 or input_grad:
                    np.matmul(grads[l + 1], weights[l].T, out=grads[l])  # dL/dX

    return run


# %% book/15_performance.ipynb cell-018
def profile_step(model, loss_fn, optimizer, batches, input_grad=False, timer=time.perf_counter):
    """Train on ``batches`` and time each phase of every step.

    The loop is the usual one (``zero_grad``, forward, loss, backward,
    ``step``), with the model's modules called one by one so that each gets
    its own timer. The parameters are updated: this is real training.

    Parameters
    ----------
    model : Sequential
        The network; its modules are timed by class.
    loss_fn : Loss
        E.g. ``CrossEntropyLoss()``.
    optimizer : Optimizer
        Built on ``model.parameters()``.
    batches : iterable of (X, y)
        A ``DataLoader``, or part of one (``itertools.islice(loader, 50)``).
        Getting each batch is timed as ``"data"``.
    input_grad : bool, default False
        Passed on as in ``model.backward(grad, input_grad=input_grad)``.
    timer : callable, default time.perf_counter
        The clock (see :func:`time_rounds`).

    Returns
    -------
    dict of str to float
        Mean seconds per step of each phase, in the order the phases first
        ran: ``"data"``, ``"optimizer"`` (``zero_grad`` and ``step``),
        ``"<Class> forward"`` and ``"<Class> backward"`` summed over the
        modules of each class (``"Linear forward"``...), and ``"loss"``
        (forward and backward).
    """
    if not isinstance(model, Sequential) or len(model) == 0:
        raise ValueError(
            f"profile_step: model must be a non-empty Sequential, got {type(model).__name__}"
        )
    layers = list(model)
    first = model[:1]  # a Sequential of the first module: its backward knows input_grad
    totals = {}

    def add(phase, seconds):
        totals[phase] = totals.get(phase, 0.0) + seconds

    steps = 0
    batch_iterator = iter(batches)
    while True:
        start = timer()
        try:
            xb, yb = next(batch_iterator)
        except StopIteration:
            break
        add("data", timer() - start)
        start = timer()
        optimizer.zero_grad()
        add("optimizer", timer() - start)
        out = xb
        for layer in layers:
            start = timer()
            out = layer(out)
            add(f"{type(layer).__name__} forward", timer() - start)
        start = timer()
        loss_fn(out, yb)
        grad = loss_fn.backward()
        add("loss", timer() - start)
        for i in range(len(layers) - 1, -1, -1):
            start = timer()
            if i > 0:
                grad = layers[i].backward(grad)
            else:
                first.backward(grad, input_grad=input_grad)
            add(f"{type(layers[i]).__name__} backward", timer() - start)
        start = timer()
        optimizer.step()
        add("optimizer", timer() - start)
        steps += 1
    if steps == 0:
        raise ValueError("profile_step: batches is empty; pass a DataLoader or a list of (X, y)")
    return {phase: seconds / steps for phase, seconds in totals.items()}
