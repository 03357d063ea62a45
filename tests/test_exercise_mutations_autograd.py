"""Mutation tests of the exercise checks of chapter 16 (automatic differentiation).

As tests/test_exercise_mutations.py does for the other chapters: each realistic wrong solution
must grade "fail" with the promised diagnosis, and the book's own solution, executed from the
chapter's cell, must grade "pass". The checks are called directly, not through the notebook.
"""
import json
from pathlib import Path

import numpy as np
from helpers import mutation_table

import nnbook.exercises_part4a  # noqa: F401  (registers the checks)
from nnbook import exercises

CHAPTER = Path(__file__).resolve().parents[1] / "book" / "16_autograd.ipynb"
NAMES = ("exp_backward", "max_backward", "topological_order")


def _book_solutions():
    """``{name: function}``: the chapter's exercise cells, run as the chapter runs them."""
    found, namespace = {}, {"np": np}
    cells = json.loads(CHAPTER.read_text(encoding="utf-8"))["cells"]
    for i, cell in enumerate(cells):
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and source.startswith("#| exercise"):
            exec(compile(source, f"{CHAPTER.name} {cell['id']}", "exec"), namespace)
            name = "".join(cells[i + 1]["source"]).split('check("', 1)[1].split('"', 1)[0]
            found[name] = namespace[name]
    return found


MUTATIONS, mutation = mutation_table()


# -- exp_backward -------------------------------------------------------------------------
@mutation("exp_backward", "grad is missing")
def exp_without_grad(x, grad):
    return np.exp(x)


@mutation("exp_backward", "this is grad * x")
def exp_times_x(x, grad):
    return grad * x


@mutation("exp_backward", "sign is flipped")
def exp_negative(x, grad):
    return -grad * np.exp(x)


@mutation("exp_backward", "changed its input")
def exp_in_place(x, grad):
    grad *= np.exp(x)
    return grad


@mutation("exp_backward", "the derivative of e^x is e^x itself")
def exp_shifted(x, grad):
    return grad * np.exp(x - 1)


@mutation("exp_backward", "shape")
def exp_summed(x, grad):
    return (grad * np.exp(x)).sum(axis=0)


# -- max_backward -------------------------------------------------------------------------
@mutation("max_backward", "as for a sum")
def max_to_everyone(x, axis, grad):
    return np.broadcast_to(np.expand_dims(grad, axis), x.shape).copy()


@mutation("max_backward", "grad is missing")
def max_mask_only(x, axis, grad):
    return (x == x.max(axis=axis, keepdims=True)).astype(float)


@mutation("max_backward", "backward of the mean")
def max_as_mean(x, axis, grad):
    return np.broadcast_to(np.expand_dims(grad, axis), x.shape) / x.shape[axis]


@mutation("max_backward", None)
def max_to_the_minimum(x, axis, grad):
    return np.expand_dims(grad, axis) * (x == x.min(axis=axis, keepdims=True))


@mutation("max_backward", None)
def max_wrong_axis_for_argmax(x, axis, grad):
    out = np.zeros_like(x)
    winners = x == x.max(axis=0, keepdims=True)
    return out + winners * np.broadcast_to(np.expand_dims(grad, axis), x.shape)


@mutation("max_backward", "shape")
def max_without_expand(x, axis, grad):
    return grad * (x == x.max(axis=axis, keepdims=True)).sum(axis=axis)


# -- topological_order --------------------------------------------------------------------
@mutation("topological_order", "recursion limit")
def recursive(root, parents):
    order, visited = [], set()

    def visit(node):
        if node not in visited:
            visited.add(node)
            for p in parents.get(node, ()):
                visit(p)
            order.append(node)
    visit(root)
    return order


@mutation("topological_order", "more than once")
def no_visited_set(root, parents):
    order, stack = [], [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        else:
            stack.append((node, True))
            stack.extend((p, False) for p in parents.get(node, ()))
    return order


@mutation("topological_order", "comes before its parent")
def pre_order(root, parents):
    order, visited, stack = [], set(), [root]
    while stack:
        node = stack.pop()
        if node not in visited:
            visited.add(node)
            order.append(node)
            stack.extend(parents.get(node, ()))
    return order


@mutation("topological_order", "comes before its parent")
def breadth_first_reversed(root, parents):
    order, visited, queue = [], set(), [root]
    while queue:
        node = queue.pop(0)
        if node not in visited:
            visited.add(node)
            order.append(node)
            queue.extend(parents.get(node, ()))
    return order[::-1]


@mutation("topological_order", "exactly the nodes")
def every_node_of_the_dictionary(root, parents):
    nodes = set(parents) | {p for ps in parents.values() for p in ps}
    done, order = set(), []
    while len(order) < len(nodes):
        for n in sorted(nodes):
            if n not in done and all(p in done for p in parents.get(n, ())):
                done.add(n)
                order.append(n)
    return order


@mutation("topological_order", "exactly the nodes")
def root_left_out(root, parents):
    order = _solution_topological_order(root, parents)
    return order[:-1]


@mutation("topological_order", "forget `return`")
def no_return(root, parents):
    _solution_topological_order(root, parents)


def _solution_topological_order(root, parents):
    return BOOK["topological_order"](root, parents)


BOOK = _book_solutions()


def test_the_chapter_has_these_exercises_and_each_has_a_table():
    assert sorted(BOOK) == sorted(NAMES)
    assert set(NAMES) <= set(exercises._CHECKS)
    for name in NAMES:
        assert len(MUTATIONS[name]) >= 4, name


# The chapter's solutions passing, every wrong solution of MUTATIONS failing and the reference
# being refused are checked, for every chapter at once, by tests/test_exercise_mutations.py.
