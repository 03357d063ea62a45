# Generated from book/16_autograd.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""The checks of the exercises of chapter 16, *Automatic differentiation* (appendix *How the exercises check themselves*).

Like :mod:`nnbook.exercises_more`, they register with :func:`nnbook.exercises.exercise`,
so :func:`nnbook.exercises.check` finds them, and they share the helpers of
:mod:`nnbook.exercises`.
"""

__all__ = []


# %% book/16_autograd.ipynb cell-063
import numpy as np

from nnbook.exercises import Mistake, _call, _case, _compare, _finite_differences, _passed, exercise


# Chapter 16, automatic differentiation.
def _exp_backward(x, grad):
    return grad * np.exp(x)


@exercise("exp_backward", "The backward pass of exp", _exp_backward)
def _check_exp_backward(f):
    rng = np.random.default_rng(1601)
    cases = [_case(x=rng.normal(size=s), grad=rng.normal(size=s)) for s in [(4, 3), (5,), (2, 3, 2)]]
    for inputs, where in cases:
        x, grad = inputs.values()
        got = _call(f, inputs)
        _compare(got, grad * np.exp(x), "the gradient", where, shape_hint="it has the shape of x", mistakes=[
            (np.exp(x), "grad is missing: the local derivative e^x multiplies the incoming gradient"),
            (grad * x, "this is grad * x: the derivative of e^x is e^x, not x"),
            (grad * np.exp(x - 1), "this is grad * e^(x - 1): the derivative of e^x is e^x itself"),
            (grad * np.log(np.abs(x)), "this is grad * log x: that is the inverse function, not the derivative")])
        x = x.copy()
        _finite_differences(got, lambda: float(np.sum(grad * np.exp(x))), x, "the gradient", where)
    return _passed(cases)


def _max_backward(x, axis, grad):
    winners = x == x.max(axis=axis, keepdims=True)
    return np.expand_dims(grad, axis) * winners


@exercise("max_backward", "The backward pass of a maximum over an axis", _max_backward)
def _check_max_backward(f):
    rng = np.random.default_rng(1602)
    cases = [_case(x=rng.normal(size=s), axis=a, grad=rng.normal(size=tuple(k for i, k in enumerate(s) if i != a)))
             for s, a in [((4, 3), 1), ((4, 3), 0), ((2, 3, 5), 2), ((3, 4, 2), 1), ((1, 5), 1)]]
    for inputs, where in cases:
        x, axis, grad = inputs.values()
        want = _max_backward(x, axis, grad)
        winners = x == x.max(axis=axis, keepdims=True)
        spread = np.broadcast_to(np.expand_dims(grad, axis), x.shape)
        _compare(_call(f, inputs), want, "the gradient", where,
                 shape_hint="it has the shape of x: put the reduced axis back with np.expand_dims(grad, axis)",
                 mistakes=[(spread, "every entry got the gradient, as for a sum: only the maximum, the entry "
                                    "that won, gets it"),
                           (winners.astype(np.float64), "grad is missing: the winner gets the incoming gradient, "
                                                        "not 1"),
                           (spread / x.shape[axis], "this is the backward of the mean: only the entry that won "
                                                    "gets the gradient")])
    return _passed(cases, "only the largest entry of each slice gets the gradient")


def _topological_order(root, parents):
    order, visited, stack = [], set(), [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))
            stack.extend((p, False) for p in parents.get(node, ()) if p not in visited)
    return order


def _graphs():
    """``(name, root, parents)``: a diamond, a node used three times (its uses in both orders), unrelated
    nodes, a wide graph, a deep chain."""
    chain = {f"v{i}": [f"v{i - 1}"] for i in range(1, 5000)}
    return [("a diamond", "L", {"L": ["b", "c"], "b": ["a"], "c": ["a"], "a": ["x"]}),
            ("y = x * x + x, x used three times", "y", {"y": ["m", "x"], "m": ["x", "x"]}),
            ("y = x + x * x, paths of two lengths", "y", {"y": ["x", "m"], "m": ["x", "x"]}),
            ("a graph with nodes the root does not depend on", "L",
             {"L": ["h", "w2"], "h": ["z"], "z": ["x", "w1"], "u": ["x"], "v": ["u", "L"]}),
            ("a wide, shallow graph", "s", {"s": [f"t{i}" for i in range(8)],
                                           **{f"t{i}": [f"t{i + 1}"] for i in range(7)}}),
            ("a chain of 5,000 operations", "v4999", chain)]


def _reachable(root, parents):
    seen, stack = {root}, [root]
    while stack:
        for p in parents.get(stack.pop(), ()):
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return seen


@exercise("topological_order", "A topological order without recursion", _topological_order)
def _check_topological_order(f):
    cases = []
    for name, root, parents in _graphs():
        where = name
        cases.append((None, where))
        try:
            order = f(root, {k: list(v) for k, v in parents.items()})
        except NotImplementedError:
            raise
        except RecursionError:
            raise Mistake(f"it hit Python's recursion limit on {where}: a recursive depth-first search "
                          "fails on deep graphs; keep the nodes to visit in a list used as a stack") from None
        except Exception as exc:
            raise Mistake(f"on {where} it raised {type(exc).__name__}: {exc}") from None
        if order is None:
            raise Mistake(f"it returned None on {where}: did you forget `return`?")
        order = list(order)
        wanted = _reachable(root, parents)
        if len(order) != len(set(order)):
            twice = sorted({n for n in order if order.count(n) > 1})[:3] if len(order) < 100 else "some nodes"
            raise Mistake(f"on {where} some nodes appear more than once ({twice}): mark a node as visited the "
                          "first time you reach it, or its backward would run twice")
        if set(order) != wanted:
            missing, extra = sorted(wanted - set(order))[:3], sorted(set(order) - wanted)[:3]
            raise Mistake(f"on {where} the order should hold exactly the nodes the root depends on, and itself"
                          + (f"; missing {missing}" if missing else "") + (f"; not wanted {extra}" if extra else ""))
        position = {n: i for i, n in enumerate(order)}
        for node in order:
            for p in parents.get(node, ()):
                if position[p] > position[node]:
                    raise Mistake(f"on {where} {node!r} comes before its parent {p!r}: append a node only after "
                                  "all its parents (a post-order), so that reversed, every node comes before "
                                  "the nodes it was computed from")
    return f"tested on {len(cases)} graphs ({'; '.join(w for _, w in cases)}): every node once, after its parents"
