# Generated from book/eng_modules.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Grad mode: ``no_grad`` and the bookkeeping of forward passes (appendix *Inside Module*).

``with no_grad():`` runs forward passes that leave every module's training cache
as it was, as ``torch.no_grad``; the rest records which modules ran, so that a
cache overwritten before its backward is detected.
"""

__all__ = ['is_grad_enabled', 'no_grad']


# %% book/eng_modules.ipynb cell-025
import contextlib

from nnbook.checks import describe, module_name


class _GradMode:
    """The state of forward passes, for the whole process (not per thread)."""
    enabled = True   # False inside ``with no_grad():``
    seen = None      # during an outermost forward: {id: module} of the modules that cached something
    caller = None    # the module whose forward is running (None at the top level)


def is_grad_enabled():
    """False inside ``with no_grad():``, True otherwise (as ``torch.is_grad_enabled``)."""
    return _GradMode.enabled


class no_grad(contextlib.ContextDecorator):
    """Inference mode: forward passes leave every module's training cache as it was.

    Inside ``with no_grad():`` (or in a function decorated with ``@no_grad()``
    or ``@no_grad``), calling a module runs its ``forward`` and then puts back
    the ``_cache`` it had before, so a training forward pass can still be
    followed by its backward pass after any number of inference passes, as
    with ``torch.no_grad()``. Each module restores its own cache, so a
    ``Sequential`` restores every child. It changes nothing else: the mode
    (``train``/``eval``), and so dropout and batch-normalization statistics,
    is set separately, as in PyTorch. The flag is process-wide, not per thread.

    Examples
    --------
    >>> import numpy as np
    >>> from nnbook import Linear, Sequential
    >>> model = Sequential(Linear(2, 1, rng=0))
    >>> with no_grad():
    ...     _ = model(np.ones((3, 2)))
    >>> model[0]._cache is None
    True
    """

    def __new__(cls, func=None):
        self = super().__new__(cls)
        self._previous = []  # the modes to restore, innermost last
        return self if func is None else self(func)  # ``@no_grad`` without parentheses

    def __enter__(self):
        self._previous.append(_GradMode.enabled)
        _GradMode.enabled = False
        return self

    def __exit__(self, *exc_info):
        _GradMode.enabled = self._previous.pop()
        return False


def _call_forward(module, x):
    """``module(x)`` (``Module.__call__``): run ``module.forward(x)`` with the bookkeeping of the cache.

    Under :class:`no_grad` the module's ``_cache`` is put back afterwards. In
    grad mode each call increases ``module._version``, the caller (the module
    whose forward is running) records ``(module, version)`` in its ``_calls``
    for :func:`_check_calls`, and a module that caches something and is called
    a second time within one outermost forward pass is refused.
    """
    if not _GradMode.enabled:
        cache = getattr(module, "_cache", None)
        try:
            return module.forward(x)
        finally:
            module._cache = cache
    caller, seen = _GradMode.caller, _GradMode.seen
    if seen is None:
        _GradMode.seen = {}
    _GradMode.caller, module._calls = module, []
    try:
        out = module.forward(x)
        version = module._version = getattr(module, "_version", 0) + 1
        if caller is not None:
            caller._calls.append((module, version))
        if getattr(module, "_cache", None) is not None:
            if id(module) in _GradMode.seen:
                raise _called_twice_error(module, caller)
            _GradMode.seen[id(module)] = module
        return out
    finally:
        _GradMode.caller = caller
        if seen is None:
            _GradMode.seen = None


def _call_loss(loss, pred, target):
    """``loss(pred, target)`` (``Loss.__call__``): under ``no_grad`` the loss's cache is left as it was."""
    if _GradMode.enabled:
        return loss.forward(pred, target)
    saved = loss._cache
    try:
        return loss.forward(pred, target)
    finally:
        loss._cache = saved


def _called_twice_error(module, caller):
    where = f" (this time from {type(caller).__name__})" if caller is not None else ""
    return RuntimeError(
        f"{module_name(module)} was called twice in one forward pass{where}: it appears twice in the "
        "model (e.g. Sequential(a, Sequential(a))) or a forward() calls it twice. A module keeps "
        "one cache, so its backward pass would use the second input for both calls. Use a separate "
        "instance for each place (to share weights, assign the Parameter: second.weight = "
        "first.weight), or run the forward under `with nnbook.no_grad():` if no backward follows")


def _check_calls(container):
    """Refuse the backward pass of ``container`` if a module its forward called has run again since.

    Called by ``Sequential.backward``; costs one integer comparison per child.
    """
    for child, version in getattr(container, "_calls", ()):
        if child._version != version:
            position = next((name for name, c in container.named_children() if c is child), "?")
            raise RuntimeError(
                f"{type(container).__name__}.backward: child {position} ({module_name(child)}) ran "
                "another forward pass after this model's forward, so its cache holds another input "
                "and the gradient would be wrong. Likely causes: the module is shared with another "
                "model, it was called on its own, or a model containing it ran a forward between "
                "this forward and its backward. Run forward passes that need no backward under "
                "`with nnbook.no_grad():` (as predict and evaluate do), or give each model its own "
                "instance (to share weights, assign the Parameter: b.weight = a.weight)")
