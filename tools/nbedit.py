#!/usr/bin/env python3
"""Small helpers for editing the book's notebooks from scripts (used by the authors, not the build).

    from tools.nbedit import load, save, md, code
    nb = load("book/02_layers.ipynb"); nb["cells"][3:5] = [md("..."), code("...")]; save(nb, path)

Cells are stored unexecuted by ``code``; run ``make execute NOTEBOOKS=...`` afterwards.
"""
from __future__ import annotations

import json
from pathlib import Path


def load(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def save(nb, path):
    Path(path).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _lines(text):
    text = text.strip("\n")
    lines = text.splitlines(keepends=True)
    return lines


def md(text):
    return {"cell_type": "markdown", "id": "new", "metadata": {}, "source": _lines(text)}


def code(text):
    return {"cell_type": "code", "execution_count": None, "id": "new", "metadata": {},
            "outputs": [], "source": _lines(text)}


def new_notebook(cells):
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
            "name": "python3"}, "language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}
