"""The shape of the book itself: what the redesign (issue 11) and the errata (issue 12) promise.

* The teaching chapters that used to carry the library's engineering show at least a third
  fewer lines of code than before the redesign (the engineering lives in the ``eng_*``
  appendices now); a chapter that grows back past that line fails here. The self-checking
  exercises added later (issue 18) are not counted: they are the reader's cells.
* Every ``{ref}`` label a page uses is defined by a MyST target somewhere in the book, so that a
  cross-reference to a lesson's single home cannot dangle.
"""
import json
import re
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"

# Lines of code cells (blank lines included) before the redesign, at commit 542d854.
BEFORE_REDESIGN = {"02_layers": 873, "04_losses": 570, "07_batching": 1160, "08_optimizers": 1306,
                   "10_training": 1646}


def code_lines(notebook):
    """Lines of the code cells that teach the chapter (blank lines included).

    The self-checking exercises (cells opening with ``#| exercise`` or ``#| check``, issue 18)
    are the reader's work space, not code the chapter shows, and are not counted.
    """
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    return sum(len(s.splitlines()) for s in sources if not s.startswith(("#| exercise", "#| check")))


@pytest.mark.parametrize("chapter", sorted(BEFORE_REDESIGN))
def test_teaching_chapters_show_a_third_less_code_than_before_the_redesign(chapter):
    now = code_lines(BOOK / f"{chapter}.ipynb")
    limit = BEFORE_REDESIGN[chapter] * 2 // 3
    assert now <= limit, (f"{chapter} has {now} lines of code, more than two thirds of the "
                          f"{BEFORE_REDESIGN[chapter]} it had before the redesign ({limit}); move "
                          "engineering to an eng_* appendix or cut a repeated demonstration")


def _pages():
    for path in sorted(BOOK.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        yield path.name, "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    for path in sorted(BOOK.glob("*.md")):
        yield path.name, path.read_text(encoding="utf-8")


def test_every_ref_names_a_label_the_book_defines():
    texts = dict(_pages())
    defined = set()
    for text in texts.values():
        defined |= set(re.findall(r"^\((\S+?)\)=\s*$", text, flags=re.M))
        defined |= set(re.findall(r"^:(?:name|label):\s*(\S+)", text, flags=re.M))
    # figures named in cell metadata (mystnb figure name) and exercise labels
    for path in sorted(BOOK.glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            name = cell.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("name")
            if name:
                defined.add(name)
    missing = sorted({(page, label) for page, text in texts.items()
                      for label in re.findall(r"\{(?:ref|numref)\}`(?:[^`<]*<)?([^`>]+)>?`", text)
                      if label not in defined})
    assert not missing, f"{{ref}} labels used but defined nowhere: {missing}"
