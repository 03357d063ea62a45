# Generated from book/eng_modules.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Modes, buffers and state dicts: what a module carries besides forward and backward (appendix *Inside Module*).

:class:`~nnbook.layers.Module` (chapter 2) inherits them from :class:`ModuleState`, so that
the chapter shows a module as its idea, forward, backward, the cache and the discovery of
parameters, and this appendix the rest; ``torch.nn.Module`` holds both in one class.
"""

__all__ = ['ModuleState']


# %% book/eng_modules.ipynb cell-003
import numpy as np

from nnbook.checks import check_state_dict


class ModuleState:
    """The training mode, the buffers and the state dict of a :class:`~nnbook.layers.Module`.

    A base class of ``Module`` and never used alone: its methods walk the module tree
    with ``Module``'s discovery methods (``children``, ``named_children``,
    ``named_parameters``, ``named_modules``), and it keeps no data of its own but the
    ``training`` flag (set by ``Module.__init__``) and the names of the buffers.
    """

    def train(self, mode=True):
        """Switch this module and its sub-modules to training mode; returns self."""
        self.training = mode
        for child in self.children():
            child.train(mode)
        return self

    def eval(self):
        """Switch to evaluation mode (``train(False)``); returns self."""
        return self.train(False)

    def register_buffer(self, name, array):
        """Store a non-trainable array (e.g. a running mean) that belongs in the state dict."""
        buffers = vars(self).setdefault("_buffers", [])
        if name not in buffers:
            buffers.append(name)
        setattr(self, name, array)

    def named_buffers(self, prefix=""):
        """Yield ``(dotted name, ndarray)`` for the buffers of this module and its sub-modules."""
        for name in vars(self).get("_buffers", []):
            yield prefix + name, getattr(self, name)
        for name, child in self.named_children():
            yield from child.named_buffers(prefix + name + ".")

    def state_dict(self):
        """Dotted name (``"0.weight"``...) to a *copy* of every parameter, then of every buffer."""
        state = {name: p.data.copy() for name, p in self.named_parameters()}
        state.update({name: np.array(b, copy=True) for name, b in self.named_buffers()})
        return state

    def load_state_dict(self, state):
        """Copy the arrays of ``state``, as :meth:`state_dict` returns them, back in place.

        A missing or unexpected key, or a shape or dtype that differs, raises a
        ValueError before anything is written
        (:func:`nnbook.checks.check_state_dict`).
        """
        params = dict(self.named_parameters())
        current = {name: p.data for name, p in params.items()}
        current.update(self.named_buffers())
        check_state_dict(state, current, f"{type(self).__name__}.load_state_dict")
        for name, p in params.items():
            p.data[...] = state[name]
        for prefix, module in self.named_modules():
            for name in vars(module).get("_buffers", []):
                value, buffer = state[f"{prefix}.{name}" if prefix else name], getattr(module, name)
                if isinstance(buffer, np.ndarray) and buffer.flags.writeable:
                    buffer[...] = value  # in place, like a parameter
                else:  # a scalar buffer is replaced
                    setattr(module, name, np.array(value, copy=True))
