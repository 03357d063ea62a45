# Generated from book/17_convolutions.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""The checks of the exercises of chapter 17, *Convolutional networks* (appendix *How the exercises check themselves*).

Like :mod:`nnbook.exercises_more`, they register with :func:`nnbook.exercises.exercise`,
so :func:`nnbook.exercises.check` finds them, and they share the helpers of
:mod:`nnbook.exercises`.
"""

__all__ = []


# %% book/17_convolutions.ipynb cell-059
import numpy as np

from nnbook.exercises import Mistake, _call, _case, _compare, _passed, exercise


# Chapter 17, convolutional networks.
def _output_size(size, kernel, stride, padding):
    return (size + 2 * padding - kernel) // stride + 1


_SIZE_CASES = [(28, 3, 1, 0), (28, 3, 1, 1), (26, 2, 2, 0), (7, 2, 2, 0), (28, 5, 2, 2), (11, 3, 2, 0),
               (5, 5, 1, 0), (6, 4, 3, 1), (13, 3, 2, 1), (32, 7, 3, 3)]


_SIZE_MISTAKES = [
    (lambda n, k, s, p: (n + 2 * p - k) // s, "the + 1 is missing: the first position counts too"),
    (lambda n, k, s, p: (n + p - k) // s + 1, "the padding is added on both sides: 2 * padding"),
    (lambda n, k, s, p: (n - k) // s + 1, "the padding is missing: the kernel moves over size + 2 * padding"),
    (lambda n, k, s, p: -(-(n + 2 * p - k) // s) + 1, "this rounds up: the last, incomplete position does "
                                                      "not count (floor, //)"),
    (lambda n, k, s, p: (n + 2 * p - k + 1) // s, "the + 1 is inside the division: (size + 2p - k) // s + 1"),
]


@exercise("output_size", "The output size of a convolution", _output_size)
def _check_output_size(f):
    got = []
    for size, kernel, stride, padding in _SIZE_CASES:
        inputs, where = _case(size=size, kernel=kernel, stride=stride, padding=padding)
        value = _call(f, inputs)
        if value is None:
            raise Mistake(f"it returned None on {where}: did you forget `return`?")
        if isinstance(value, (float, np.floating)) and value != int(value):
            raise Mistake(f"it returned {value} on {where}, not a whole number: use integer division //, "
                          "a kernel cannot stand at a fraction of a position")
        got.append((value, where, _output_size(size, kernel, stride, padding)))
    wrong = [(value, where, want) for value, where, want in got if value != want]
    if not wrong:
        return f"tested on {len(_SIZE_CASES)} cases of size, kernel, stride and padding: all right"
    value, where, want = wrong[0]
    for formula, diagnosis in _SIZE_MISTAKES:   # the mistake that explains every answer
        if all(v == formula(*case) for (v, _, _), case in zip(got, _SIZE_CASES)):
            raise Mistake(f"it returned {value} on {where}, expected {want}; {diagnosis}")
    raise Mistake(f"it returned {value} on {where}, expected {want}")


def _im2col_one(image, k):
    windows = np.lib.stride_tricks.sliding_window_view(image, (k, k))
    return windows.reshape(-1, k * k)


@exercise("im2col_one", "im2col for one image", _im2col_one)
def _check_im2col_one(f):
    rng = np.random.default_rng(1701)
    cases = [_case(image=np.arange(9.0).reshape(3, 3), k=2), _case(image=rng.normal(size=(5, 4)), k=3),
             _case(image=rng.normal(size=(4, 6)), k=2), _case(image=rng.normal(size=(3, 3)), k=3),
             _case(image=rng.normal(size=(6, 5)), k=1)]
    for inputs, where in cases:
        image, k = inputs.values()
        want = _im2col_one(image, k)
        windows = np.lib.stride_tricks.sliding_window_view(image, (k, k))
        _compare(_call(f, inputs), want, "the matrix", where,
                 shape_hint="one row per position, (H - k + 1) * (W - k + 1) rows of k * k values",
                 mistakes=[(windows.transpose(1, 0, 2, 3).reshape(-1, k * k),
                            "the positions are in column-major order: go along a row first (j), then down (i)"),
                           (windows.transpose(0, 1, 3, 2).reshape(-1, k * k),
                            "each window is flattened column by column: flatten it row by row (.ravel())")])
    return _passed(cases)


def _maxpool_backward(x, grad):
    n, c, h, w = x.shape
    windows = x.reshape(n, c, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h // 2, w // 2, 4)
    winner = windows.argmax(axis=-1)
    dwin = np.zeros_like(windows)
    np.put_along_axis(dwin, winner[..., None], grad[..., None], axis=-1)
    return dwin.reshape(n, c, h // 2, w // 2, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h, w)


@exercise("maxpool_backward", "The backward pass of 2x2 max pooling", _maxpool_backward)
def _check_maxpool_backward(f):
    rng = np.random.default_rng(1702)
    cases = []
    for k, shape in enumerate([(1, 1, 4, 4), (2, 3, 4, 6), (3, 2, 6, 2), (2, 2, 4, 4)]):
        x = rng.normal(size=shape)
        if k == 3:
            x = np.round(x)                                   # many ties
        cases.append(_case(x=x, grad=rng.normal(size=shape[:2] + (shape[2] // 2, shape[3] // 2))))
    for inputs, where in cases:
        x, grad = inputs.values()
        n, c, h, w = x.shape
        want = _maxpool_backward(x, grad)
        up = np.repeat(np.repeat(grad, 2, axis=2), 2, axis=3)
        maxima = np.repeat(np.repeat(x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5)), 2, axis=2), 2, axis=3)
        _compare(_call(f, inputs), want, "dL/dx", where, shape_hint="it has the shape of x",
                 mistakes=[(up, "every entry of the window got the gradient: only the maximum gets it"),
                           (up / 4, "this is the backward pass of average pooling: the maximum gets all the "
                                    "gradient, the others nothing"),
                           ((x == maxima) * up, "on a tie every maximum got the gradient: only the first in "
                                                "row-major order does (argmax)"),
                           ((want != 0).astype(np.float64), "grad is missing: the maximum receives the incoming "
                                                            "gradient, not 1")])
    return _passed(cases, "matches the reference to rounding, ties included")
