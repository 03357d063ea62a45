"""Mutation tests of chapter 17's exercise checks: each must fail realistic wrong solutions.

As in test_exercise_mutations.py: the book's own solution, executed from its notebook cell,
grades "pass"; every wrong solution a learner writes grades "fail", with the promised
diagnosis where there is one. ``MUTATIONS`` is importable, so a book-wide test can check
that every registered exercise has a table.
"""
import json
from pathlib import Path

import numpy as np
from helpers import mutation_table

from nnbook import exercises

CHAPTER = Path(__file__).resolve().parents[1] / "book" / "17_convolutions.ipynb"
NAMES = ("output_size", "im2col_one", "maxpool_backward")


def _solutions():
    """``{name: function}``: the chapter's exercise cells, executed in order."""
    namespace, found = {"np": np}, {}
    for cell in json.loads(CHAPTER.read_text(encoding="utf-8"))["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and source.startswith("#| exercise"):
            before = set(namespace)
            exec(compile(source, f"{CHAPTER.name} {cell['id']}", "exec"), namespace)
            found.update({k: namespace[k] for k in set(namespace) - before if callable(namespace[k])})
    return found


SOLUTIONS = _solutions()
MUTATIONS, mutation = mutation_table()


# --- output_size
@mutation("output_size", "the + 1 is missing")
def no_plus_one(size, kernel, stride, padding):
    return (size + 2 * padding - kernel) // stride


@mutation("output_size", "2 * padding")
def padding_once(size, kernel, stride, padding):
    return (size + padding - kernel) // stride + 1


@mutation("output_size", "the padding is missing")
def no_padding(size, kernel, stride, padding):
    return (size - kernel) // stride + 1


@mutation("output_size", "not a whole number")
def true_division(size, kernel, stride, padding):
    return (size + 2 * padding - kernel) / stride + 1


@mutation("output_size", "rounds up")
def ceiling(size, kernel, stride, padding):
    return -(-(size + 2 * padding - kernel) // stride) + 1


@mutation("output_size", "inside the division")
def plus_one_inside(size, kernel, stride, padding):
    return (size + 2 * padding - kernel + 1) // stride


# --- im2col_one
def _windows(image, k):
    return np.lib.stride_tricks.sliding_window_view(image, (k, k))


@mutation("im2col_one", "column-major order")
def positions_column_major(image, k):
    return _windows(image, k).transpose(1, 0, 2, 3).reshape(-1, k * k)


@mutation("im2col_one", "flattened column by column")
def windows_column_major(image, k):
    return _windows(image, k).transpose(0, 1, 3, 2).reshape(-1, k * k)


@mutation("im2col_one", "one row per position")
def transposed(image, k):
    return _windows(image, k).reshape(-1, k * k).T


@mutation("im2col_one", "one row per position")
def last_position_missing(image, k):
    h, w = image.shape
    return np.array([image[i:i + k, j:j + k].ravel() for i in range(h - k) for j in range(w - k)]).reshape(-1, k * k)


@mutation("im2col_one")
def strided_by_k(image, k):
    return _windows(image, k)[::k, ::k].reshape(-1, k * k)


# --- maxpool_backward
def _pool_windows(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2)


def _up(grad):
    return np.repeat(np.repeat(grad, 2, axis=2), 2, axis=3)


@mutation("maxpool_backward", "every entry of the window got the gradient")
def spread(x, grad):
    return _up(grad)


@mutation("maxpool_backward", "average pooling")
def average(x, grad):
    return _up(grad) / 4


@mutation("maxpool_backward", "on a tie every maximum")
def all_ties(x, grad):
    maxima = _up(_pool_windows(x).max(axis=(3, 5)))
    return (x == maxima) * _up(grad)


@mutation("maxpool_backward", "grad is missing")
def mask_only(x, grad):
    return (SOLUTIONS["maxpool_backward"](x, np.ones_like(grad)) != 0).astype(np.float64)


@mutation("maxpool_backward")
def last_maximum_on_ties(x, grad):
    flipped = SOLUTIONS["maxpool_backward"](x[:, :, ::-1, ::-1], grad[:, :, ::-1, ::-1])
    return flipped[:, :, ::-1, ::-1]


@mutation("maxpool_backward", "changed its input")
def in_place(x, grad):
    out = SOLUTIONS["maxpool_backward"](x, grad)
    x[...] = 0
    return out


def test_the_chapter_defines_every_exercise_and_each_has_a_table():
    assert set(NAMES) <= set(SOLUTIONS)
    assert set(NAMES) <= set(exercises._CHECKS)
    assert sorted(MUTATIONS) == sorted(NAMES)
    for name, table in MUTATIONS.items():
        assert len(table) >= 4, f"{name}: only {len(table)} mutations"


# The chapter's solutions passing, every wrong solution of MUTATIONS failing and the reference
# being refused are checked, for every chapter at once, by tests/test_exercise_mutations.py.
