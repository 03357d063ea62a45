# Generated from book/eng_files.ipynb by tools/export.py. Do not edit: edit the notebook, then run `make export`.
"""Checkpoint: save and load a model's weights safely (appendix, *Saving, loading and downloading safely*).

:func:`save` writes ``model.state_dict()`` to an ``.npz`` archive and
:func:`load` reads it back without ever unpickling, checking every key, shape
and dtype before a weight changes. Both rest on :func:`atomic_write`, which the
downloads of :mod:`nnbook.datasets` use too: the bytes go to a temporary file
in the destination's directory, are flushed to the disk and only then renamed
into place, so that a reader finds the old file or the complete new one, never
half a file.
"""

__all__ = ['atomic_write', 'save', 'load']


# %% book/eng_files.ipynb cell-001
import math
import os
import secrets
import zipfile
import zlib
from pathlib import Path

import numpy as np


# %% book/eng_files.ipynb cell-003
def _sync_directory(directory):
    """Flush a directory's entries to the disk, so that a rename in it survives a power cut.

    POSIX only: where a directory cannot be opened (Windows) this does nothing.
    """
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path, write, *, suffix=".tmp"):
    """Create or replace the file ``path`` with what ``write(file)`` writes, atomically.

    ``write`` receives a binary file object open on a new temporary file in
    the directory of ``path``, named ``.<name>.<random><suffix>``. When it
    returns, the bytes are flushed to the disk (``os.fsync``), the temporary
    file is renamed over ``path`` with ``os.replace`` (atomic), and the
    directory is synced so that the rename itself is durable. A reader
    therefore sees either the old file or the complete new one. If ``write``
    raises, or anything else fails, the temporary file is removed, ``path``
    is untouched and the exception propagates; a process killed outright
    leaves at most the temporary file, never a partial ``path``.

    Parameters
    ----------
    path : str or path-like
        The destination. Its directory must exist.
    write : callable
        ``write(file)`` writes the content into the binary file ``file``;
        it may raise to abandon the write (e.g. on a wrong checksum).
    suffix : str, default ".tmp"
        The end of the temporary file's name.

    Returns
    -------
    pathlib.Path
        ``path``.

    Notes
    -----
    Permissions: a file that is replaced keeps its mode, and a new file gets
    the mode ``open(path, "wb")`` would give it, ``0o666`` minus the umask.
    That is why the temporary file is created with ``os.open(tmp, O_CREAT |
    O_EXCL, 0o666)``, which lets the kernel apply the umask, rather than
    ``tempfile.mkstemp``, which creates it ``0o600``: the only way to read
    the umask, ``os.umask``, sets it too, for every thread of the process.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = atomic_write(Path(tmp) / "hello.txt", lambda file: file.write(b"hello"))
    ...     path.read_bytes(), [p.name for p in Path(tmp).iterdir()]
    (b'hello', ['hello.txt'])
    """
    path = Path(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}{suffix}"
        try:
            fd = os.open(tmp, flags, 0o666)       # O_EXCL: a new file; the kernel applies the umask
            break
        except FileExistsError:                   # another writer's name: draw again
            continue
    try:
        with os.fdopen(fd, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())               # the bytes are on the disk...
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)   # a replaced file keeps its mode
        os.replace(tmp, path)                     # ...before the name points to them
    except BaseException:                         # including KeyboardInterrupt
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _sync_directory(path.parent)
    return path


# %% book/eng_files.ipynb cell-011
def save(model, path):
    """Write ``model.state_dict()`` to an ``.npz`` file, atomically.

    The arrays are written, uncompressed and without pickling, with
    :func:`atomic_write`: to a temporary file in the same directory, flushed
    to disk (``fsync``), and only then renamed over ``path`` with
    ``os.replace``. A reader therefore sees either the old file or the
    complete new one, never a half-written file, even if the program is
    killed; and if writing fails the temporary file is removed and ``path``
    is untouched. A file that is replaced keeps its permissions.

    Parameters
    ----------
    model : Module
        Anything with a ``state_dict()`` returning ``{name: array}``.
    path : str or path-like
        The destination, used exactly as given (no suffix is added; ``.npz``
        is the convention). Its directory must exist.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        If a value of the state dict is not a numeric array (an object
        array would need pickle).
    FileNotFoundError
        If the directory does not exist.
    IsADirectoryError
        If ``path`` is a directory.
    OSError
        If the file cannot be written (``PermissionError`` for a read-only
        directory); the message names ``path``, not the temporary file.

    Notes
    -----
    The file is an ordinary NumPy archive, ``np.load(path)["0.weight"]``
    reads one array; its members are the keys of the state dict.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"save: the directory {str(path.parent)!r} of {str(path)!r} does not exist")
    if path.is_dir():
        raise IsADirectoryError(f"save: {str(path)!r} is a directory; give a file name such as "
                                f"{str(path / 'model.npz')!r}")
    arrays = {}
    for key, value in model.state_dict().items():
        array = np.asarray(value)
        if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
            raise ValueError(
                f"save: state_dict entry {key!r} has dtype {array.dtype}; only numeric arrays "
                "can be saved (no pickled objects)"
            )
        arrays[key] = array

    def write(file):
        with zipfile.ZipFile(file, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
            for key, array in arrays.items():          # what np.savez does, minus pickle
                with archive.open(key + ".npy", mode="w", force_zip64=True) as member:
                    np.lib.format.write_array(member, array, allow_pickle=False)

    try:
        return atomic_write(path, write)
    except OSError as exc:   # read-only directory or disk, full disk: name the checkpoint, not the temp file
        message = (f"save: cannot write {str(path)!r}: {exc.strerror or exc}; check that the "
                   f"directory {str(path.parent)!r} is writable and has space")
        raise (type(exc)(exc.errno, message) if exc.errno else type(exc)(message)) from None


# %% book/eng_files.ipynb cell-013
def _declared_size_error(archive, key, name):
    """A ValueError if the header of ``key`` declares more bytes than its member holds, else None.

    A damaged header can declare an absurd shape; NumPy would try to allocate
    it (a ``MemoryError``) before finding that the data is missing.
    """
    try:
        member_name = f"{key}.npy" if f"{key}.npy" in archive.zip.namelist() else key
        info = archive.zip.getinfo(member_name)
        with archive.zip.open(info) as member:
            fmt = np.lib.format
            version = fmt.read_magic(member)
            read_header = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
            shape, _, dtype = read_header(member)
            available = info.file_size - member.tell()
    except Exception:        # an unreadable header: reading the array reports it
        return None
    needed = math.prod(shape) * dtype.itemsize
    if dtype.hasobject or needed <= available:
        return None
    return ValueError(
        f"load: {name} is damaged: the header of the array {key!r} declares shape {shape} and "
        f"dtype {dtype} ({needed:,} bytes), but the file holds {available:,} bytes for it"
    )


def load(model, path):
    """Load weights saved by :func:`save` into ``model``, in place.

    The file is read with ``np.load(path, allow_pickle=False)``: a checkpoint
    holds arrays, and an array stored as a pickle is refused, because
    unpickling can run arbitrary code. The keys, shapes and dtypes are then
    checked by ``model.load_state_dict``, which changes nothing unless all of
    them match.

    Parameters
    ----------
    model : Module
        A model with the same architecture and dtype as the saved one.
    path : str or path-like
        An ``.npz`` file written by :func:`save` (or ``np.savez``).

    Returns
    -------
    Module
        ``model``, so that ``model = load(make_model(), path)`` works.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    IsADirectoryError
        If ``path`` is a directory.
    ValueError
        Naming the file: if it is not an ``.npz`` archive, is truncated or
        damaged, holds pickled objects, or does not fit the model (a missing
        or unexpected key, a different shape or dtype; the message names the key).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"load: no checkpoint at {str(path)!r}")
    if path.is_dir():
        raise IsADirectoryError(
            f"load: {str(path)!r} is a directory; pass the .npz file that save() wrote"
        )
    name = repr(str(path))
    with open(path, "rb") as file:           # our own handle: closed whatever happens
        try:
            archive = np.load(file, allow_pickle=False)
        except ValueError:
            # Neither a zip archive nor a .npy file: NumPy's last resort would be pickle.
            raise ValueError(
                f"load: {name} is not an .npz checkpoint; reading it would need pickle, which "
                "load refuses (unpickling can execute arbitrary code)"
            ) from None
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
            # (zipfile reads some damaged headers as an unknown zip version or compression
            # method, NotImplementedError, or as encrypted, RuntimeError)
            raise ValueError(
                f"load: {name} is not a valid .npz checkpoint (empty, truncated or damaged: {exc})"
            ) from None
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ValueError(
                f"load: {name} holds a single .npy array of shape {np.shape(archive)}, not an "
                ".npz archive of named arrays"
            )
        state = {}
        with archive:
            for key in archive.files:
                error = _declared_size_error(archive, key, name)   # before NumPy allocates it
                if error is not None:
                    raise error
                try:
                    state[key] = archive[key]
                except ValueError as exc:
                    if "allow_pickle" not in str(exc):
                        raise ValueError(
                            f"load: {name} is damaged: the array {key!r} cannot be read ({exc})"
                        ) from None
                    raise ValueError(
                        f"load: {name}: the array {key!r} holds pickled Python objects, which "
                        "load refuses to unpickle (unpickling can execute arbitrary code)"
                    ) from None
                except (zipfile.BadZipFile, EOFError, OSError, zlib.error, MemoryError,
                        NotImplementedError, RuntimeError) as exc:
                    raise ValueError(
                        f"load: {name} is damaged: the array {key!r} cannot be read ({exc})"
                    ) from None
    try:
        model.load_state_dict(state)
    except ValueError as exc:
        raise ValueError(f"load: {str(path)!r} does not fit the model: {exc}") from None
    return model
