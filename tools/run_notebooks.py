#!/usr/bin/env python3
"""Execute the book's notebooks in place, deterministically.

``python tools/run_notebooks.py book/03_activations.ipynb`` (or ``make execute``
for all of them) runs each notebook top to bottom in a fresh kernel of the
current Python environment, with ``book/`` as the working directory (so
``book/matplotlibrc`` styles every figure), and writes it back so that running
it again gives the same bytes:

* no execution timestamps, no kernel or Python version in the metadata;
* PNG figures without their text chunks (matplotlib writes its version there);
* cell ids derived from the cell's position.

It fails (exit 1, the notebook is not written) when a cell raises, or when a
cell writes to stderr: a warning in a stored output is a bug in the chapter.
With ``--time`` it prints how long each notebook took.
"""

from __future__ import annotations

import argparse
import base64
import os
import struct
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent

# Ancillary PNG chunks that carry text or time (software version, creation time).
_DROP_CHUNKS = {b"tEXt", b"iTXt", b"zTXt", b"tIME"}


def strip_png(data: str) -> str:
    """Return a base64 PNG without its text and time chunks."""
    raw = base64.b64decode(data)
    sig, rest = raw[:8], raw[8:]
    if sig != b"\x89PNG\r\n\x1a\n":
        return data
    out = [sig]
    pos = 0
    while pos < len(rest):
        (length,) = struct.unpack(">I", rest[pos : pos + 4])
        kind = rest[pos + 4 : pos + 8]
        chunk = rest[pos : pos + 12 + length]
        if kind not in _DROP_CHUNKS:
            out.append(chunk)
        pos += 12 + length
    return base64.b64encode(b"".join(out)).decode("ascii")


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb.metadata = nbformat.from_dict(
        {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        }
    )
    nb.nbformat, nb.nbformat_minor = 4, 5
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index:03d}"
        meta = cell.get("metadata", {})
        for key in ("execution", "collapsed", "scrolled", "ExecuteTime"):
            meta.pop(key, None)
        if cell.cell_type != "code":
            continue
        cell["outputs"] = coalesce_streams(cell.get("outputs", []))
        for output in cell["outputs"]:
            data = output.get("data", {})
            if "image/png" in data:
                data["image/png"] = strip_png(data["image/png"])
    return nb


def coalesce_streams(outputs: list) -> list:
    """Merge consecutive stream outputs of the same stream into one.

    How a cell's printed text is cut into stream messages depends on when the
    kernel flushes, i.e. on timing; merging makes the stored notebook the same
    bytes on every run (what the reader sees does not change).
    """
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.get("output_type") == "stream" and previous is not None
                and previous.get("output_type") == "stream"
                and previous.get("name") == output.get("name")):
            previous["text"] = "".join(previous["text"]) + "".join(output["text"])
        else:
            merged.append(output)
    return merged


def problems(nb: nbformat.NotebookNode) -> list[str]:
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.append(f"cell {index}: {output.get('ename')}: {output.get('evalue')}")
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                text = "".join(output.get("text", ""))
                found.append(f"cell {index} wrote to stderr: {text.strip()[:300]}")
    return found


def run(path: Path, timeout: int) -> float:
    nb = nbformat.read(path, as_version=4)
    env_before = os.environ.get("PYTHONHASHSEED")
    os.environ["PYTHONHASHSEED"] = "0"
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
    )
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as exc:
        raise SystemExit(f"{path}: a cell raised:\n{exc}")
    finally:
        if env_before is None:
            os.environ.pop("PYTHONHASHSEED", None)
        else:
            os.environ["PYTHONHASHSEED"] = env_before
    elapsed = time.perf_counter() - start
    bad = problems(nb)
    if bad:
        raise SystemExit(f"{path}: not written, fix these first:\n  " + "\n  ".join(bad))
    nb = normalise(nb)
    text = nbformat.writes(nb)
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text, encoding="utf-8")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every book/*.ipynb")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    parser.add_argument("--time", action="store_true", help="print the time each notebook took")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "book").glob("*.ipynb"))
    total = 0.0
    for path in paths:
        elapsed = run(path.resolve(), args.timeout)
        total += elapsed
        print(f"executed {path} ({elapsed:.1f} s)" if args.time else f"executed {path}")
    if args.time:
        print(f"total {total:.1f} s for {len(paths)} notebooks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
