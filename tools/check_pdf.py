#!/usr/bin/env python3
"""Check the PDF edition that ``make pdf`` wrote (``_build/pdf/nnbook.pdf``).

Fails (exit 1, naming each problem) unless:

* every chapter and appendix of ``_toc.yml`` whose page exists is in the PDF, in the
  order of the table of contents, with the number the website gives it: chapters of the
  numbered parts count 1, 2, ... across the parts, the others have no number. Each one
  is looked for twice: as a heading in the text (``Chapter 5`` then ``Backpropagation``)
  and as a bookmark (``5 Backpropagation``); each part is a bookmark too;
* the text has no unresolved reference (``??``) and no raw TeX outside code (checked in
  the generated ``.tex``: an escaped backslash or dollar sign in running text means math
  or a macro that was not typeset);
* the PDF holds at least as many images as the notebooks have figure outputs;
* page 1 shows the version of ``pyproject.toml``.

Tools: ``pdftotext``, ``pdfimages`` and ``pdfinfo`` (Debian's poppler-utils) and ``qpdf``
(for the bookmarks); ``make pdf`` installs none of them, CI's apt step does.
Usage: ``python tools/check_pdf.py [PDF]``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PDF = ROOT / "_build" / "pdf" / "nnbook.pdf"
TEX = ROOT / "_build" / "pdf" / "latex" / "nnbook.tex"
TOOLS = ("pdftotext", "pdfimages", "pdfinfo", "qpdf")


def version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return re.search(r'^version\s*=\s*"([^"]+)"', text, flags=re.MULTILINE).group(1)


def page_title(docname: str) -> str | None:
    """The title (first ``# `` heading) of a page of the book, or None if the page does not exist."""
    md, nb = ROOT / f"{docname}.md", ROOT / f"{docname}.ipynb"
    if md.exists():
        text = md.read_text(encoding="utf-8")
    elif nb.exists():
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        return None
    match = re.search(r"^# (.+)$", text, flags=re.MULTILINE)
    return match.group(1).strip() if match else None


def expected_contents() -> list[tuple[str, str | None, list[tuple[str, int | None, str]]]]:
    """[(part caption, part number or None, [(docname, chapter number or None, title)])].

    The website numbers the chapters of the numbered parts 1, 2, ... across parts, skipping
    pages that do not exist; the LaTeX part number is I, II, ... over the numbered parts.
    """
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    parts, chapter, part_number = [], 0, 0
    for part in toc["parts"]:
        numbered = bool(part.get("numbered"))
        if numbered:
            part_number += 1
        entries = []
        for item in part["chapters"]:
            title = page_title(item["file"])
            if title is None:
                continue
            if numbered:
                chapter += 1
            entries.append((item["file"], chapter if numbered else None, title))
        parts.append((part["caption"], part_number if numbered else None, entries))
    return parts


def roman(n: int) -> str:
    return ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"][n]


def part_title(caption: str) -> str:
    match = re.match(r"Part\s+[IVXLC]+\s*:\s*(.*)", caption)
    title = match.group(1) if match else caption
    return title[:1].upper() + title[1:]


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", "-")
    text = re.sub(r"-\n", "-", text)       # a title broken after a hyphen
    return re.sub(r"\s+", " ", text)


def pdf_text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    cmd = ["pdftotext", "-enc", "UTF-8"]
    if first:
        cmd += ["-f", str(first), "-l", str(last or first)]
    return subprocess.run(cmd + [str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def bookmarks(pdf: Path) -> list[tuple[int, str]]:
    out = subprocess.run(["qpdf", "--json", "--json-key=outlines", str(pdf)],
                         capture_output=True, text=True, check=True).stdout

    def walk(items, depth):
        for item in items:
            yield depth, normalise(item["title"]).strip()
            yield from walk(item.get("kids", []), depth + 1)

    return list(walk(json.loads(out)["outlines"], 0))


def image_count(pdf: Path) -> int:
    out = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    return sum(1 for line in out.splitlines()[2:] if line.split()[2:3] == ["image"])


def page_count(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, flags=re.MULTILINE).group(1))


def expected_figures(docnames: list[str]) -> int:
    """Image outputs of the notebooks' code cells (what the site shows as figures)."""
    count = 0
    for docname in docnames:
        nb = ROOT / f"{docname}.ipynb"
        if not nb.exists():
            continue
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code" or "remove-cell" in cell.get("metadata", {}).get("tags", []):
                continue
            count += sum(1 for o in cell.get("outputs", []) if "image/png" in o.get("data", {}))
    return count


def raw_tex_outside_code(tex: str) -> list[str]:
    """Escaped backslashes or dollar signs in running text: math or macros left untypeset."""
    body = tex[tex.find(r"\begin{document}"):]
    body = re.sub(r"\\begin\{sphinxVerbatim\}.*?\\end\{sphinxVerbatim\}", "", body, flags=re.S)
    body = re.sub(r"\\begin\{sphinxalltt\}.*?\\end\{sphinxalltt\}", "", body, flags=re.S)
    # Inline code, literal strings of the API reference, and links keep their characters.
    for macro in ("sphinxcode", "sphinxupquote", "sphinxstyleliteralintitle", "sphinxbfcode",
                  "sphinxstyleliteralstrong", "sphinxstyleliteralemphasis", "sphinxurl", "sphinxhref",
                  "sphinxnolinkurl"):
        body = re.sub(r"\\%s\{(?:[^{}]|\{[^{}]*\})*\}" % macro, "", body)
    found = []
    for match in re.finditer(r"\\textbackslash\{\}|\\\$", body):
        context = body[max(0, match.start() - 60):match.end() + 60].replace("\n", " ")
        found.append(context)
    return found


def check(pdf: Path = PDF, tex: Path = TEX) -> tuple[list[str], dict]:
    problems: list[str] = []
    text = normalise(pdf_text(pdf))
    marks = bookmarks(pdf)
    titles = [t for _, t in marks]
    contents = expected_contents()
    position = 0
    chapters = 0
    for caption, number, entries in contents:
        name = normalise(part_title(caption))
        mark = f"{roman(number)} {name}" if number else name
        if mark not in titles:
            problems.append(f"no bookmark for the part {mark!r}")
        for docname, chapter, title in entries:
            chapters += 1
            title = normalise(title)
            mark = f"{chapter} {title}" if chapter else title
            if mark not in titles:
                problems.append(f"{docname}: no bookmark {mark!r}")
            heading = f"Chapter {chapter} {title}" if chapter else title
            found = text.find(heading, position)
            if found < 0:
                where = "at all" if text.find(heading) < 0 else "in the order of the table of contents"
                problems.append(f"{docname}: heading {heading!r} not found {where}")
            else:
                position = found + len(heading)
    if "??" in text:
        at = text.find("??")
        problems.append(f"unresolved reference '??': ...{text[max(0, at - 80):at + 20]}...")
    if tex.exists():
        for context in raw_tex_outside_code(tex.read_text(encoding="utf-8")):
            problems.append(f"raw TeX outside code: ...{context}...")
    else:
        problems.append(f"{tex} is missing (run make pdf)")
    docnames = [d for _, _, entries in contents for d, _, _ in entries]
    figures, images = expected_figures(docnames), image_count(pdf)
    if images < figures:
        problems.append(f"{images} images in the PDF, fewer than the {figures} figure outputs of the notebooks")
    first_page = normalise(pdf_text(pdf, 1))
    if f"Version {version()}" not in first_page:
        problems.append(f"page 1 does not say 'Version {version()}': {first_page[:200]!r}")
    stats = {"pages": page_count(pdf), "chapters": chapters, "bookmarks": len(marks),
             "images": images, "figure outputs": figures, "version": version()}
    return problems, stats


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    pdf = Path(args[0]) if args else PDF
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        print(f"check_pdf: {', '.join(missing)} not found; on Debian: "
              "apt-get install -y --no-install-recommends poppler-utils qpdf", file=sys.stderr)
        return 2
    if not pdf.exists():
        print(f"check_pdf: {pdf} does not exist; run make pdf", file=sys.stderr)
        return 1
    problems, stats = check(pdf)
    summary = ", ".join(f"{k} {v}" for k, v in stats.items())
    if problems:
        print(f"check_pdf: FAILED ({summary})")
        for problem in problems:
            print("  -", problem)
        return 1
    print(f"check_pdf: {pdf.relative_to(ROOT) if pdf.is_relative_to(ROOT) else pdf} passed: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
