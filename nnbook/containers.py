# Generated from book/eng_modules.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Containers: ``ModuleList``, a list of modules the model machinery sees (appendix *Inside Module*)."""

__all__ = ['ModuleList']


# %% book/eng_modules.ipynb cell-033
from nnbook.checks import describe
from nnbook.layers import Module, Sequential


class ModuleList(Module):
    """A list of modules that ``parameters()``, ``state_dict()`` and ``train()`` see, as ``torch.nn.ModuleList``.

    A plain Python list of layers kept as an attribute is invisible to the
    machinery that walks a model (and is refused there with a TypeError);
    a ``ModuleList`` is a :class:`Module` whose children are its items, named
    ``"0"``, ``"1"``..., so a parameter's dotted name is ``"layers.0.weight"``.
    It has no ``forward``: the module that holds it decides how the items are
    called, and backward runs them in reverse order.

    Parameters
    ----------
    modules : iterable of Module, optional
        The initial items.

    Examples
    --------
    >>> from nnbook import Linear
    >>> class Tower(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.layers = ModuleList([Linear(2, 2, rng=i) for i in range(3)])
    >>> [name for name, _ in Tower().named_parameters()][:3]
    ['layers.0.weight', 'layers.0.bias', 'layers.1.weight']
    """

    def __init__(self, modules=None):
        super().__init__()
        self._items = []
        if modules is not None:
            self.extend(modules)

    def _checked(self, module, index):
        if not isinstance(module, Module):
            what = f"the class {module.__name__}; call it" if isinstance(module, type) else describe(module)
            raise TypeError(f"ModuleList: item {index} must be a Module instance, got {what}")
        return module

    def named_children(self):
        for i, module in enumerate(self._items):
            yield str(i), module

    def append(self, module):
        """Add a module at the end; returns self."""
        self._items.append(self._checked(module, len(self._items)))
        return self

    def extend(self, modules):
        """Append every module of an iterable; returns self."""
        if isinstance(modules, Module) and not isinstance(modules, (ModuleList, Sequential)):
            raise TypeError("ModuleList.extend: expected an iterable of modules, got a single "
                            f"{type(modules).__name__}; use append()")
        for module in modules:
            self.append(module)
        return self

    def insert(self, index, module):
        """Insert a module before position ``index``."""
        self._items.insert(index, self._checked(module, index))

    def __getitem__(self, index):
        if isinstance(index, slice):
            return ModuleList(self._items[index])
        return self._items[index]

    def __setitem__(self, index, module):
        self._items[index] = self._checked(module, index)

    def __delitem__(self, index):
        del self._items[index]

    def __len__(self):
        return len(self._items)

    def __iter__(self):
        return iter(self._items)

    def __iadd__(self, modules):
        return self.extend(modules)

    def forward(self, x):
        raise NotImplementedError("ModuleList has no forward(): it only holds modules; call them from "
                                  "the forward of the module that holds it (or use Sequential)")

    def backward(self, grad_out, input_grad=True):
        raise NotImplementedError("ModuleList has no backward(): call the items' backward in reverse "
                                  "order from the module that holds it (or use Sequential)")
