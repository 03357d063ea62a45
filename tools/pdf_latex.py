"""The shape of the PDF edition: what ``make pdf`` changes in Sphinx's LaTeX document.

Loaded by ``tools/sphinx_nnbook.py``; every handler returns at once unless the builder is
LaTeX, so the website never sees any of this. Sphinx's LaTeX builder pastes every page of
the table of contents into the root page (``book/intro``) and hands the whole tree to the
``doctree-resolved`` event once; ``shape_book`` then rewrites that tree:

* **Front matter.** The introduction's own text becomes one unnumbered chapter,
  *Introduction*, with its sections under it (Sphinx would otherwise print each of its
  sections as a numbered chapter), on roman-numbered pages after the contents.
* **Parts and numbers as on the site.** Each part of ``_toc.yml`` becomes a ``\\part``
  (numbered I-IV for the numbered parts; the engineering part and the appendix are
  unnumbered parts). Each chapter gets the number Sphinx gave its page on the site
  (``env.toc_secnumbers``), written into LaTeX's chapter counter, so chapter, section,
  figure, equation and exercise numbers are the site's. Pages the site leaves unnumbered
  are unnumbered chapters here, with their figures and equations numbered 1, 2, ...
  within the chapter.
* **Solutions where a reader of print looks.** The site folds each solution under its
  exercise; on paper a solution printed under the exercise gives it away. So each
  chapter's solutions move to a section *Solutions to the exercises* at the end of the
  chapter, and each exercise ends with the page of its solution.
* **Code as on the site.** Cells whose input the site hides (``hide-input``: the code that
  draws figures) show only their output. In exported cells (``#| export``), a docstring
  longer than ``DOCSTRING_LINES`` lines is cut to its first paragraph and a line saying
  where the rest is (the API reference prints every docstring in full). Outputs longer
  than ``OUTPUT_LINES`` lines keep their head and tail.
* **Tables.** Long tokens of inline code in tables (hashes, paths) may break; the tables of
  the appendix of errors and the introduction's maps get column widths that fit their
  content, ragged right, in a smaller font.
* **Math in the bibliography.** ``$...$`` in an entry's title is typeset.
"""

from __future__ import annotations

import ast
import re

from docutils import nodes
from sphinx import addnodes

DOCSTRING_LINES = 8     # a docstring up to this many lines is printed whole
OUTPUT_LINES = 60       # an output up to this many lines is printed whole ...
OUTPUT_HEAD, OUTPUT_TAIL = 40, 10   # ... a longer one keeps these many lines at each end


def _is_latex(app) -> bool:
    return app.builder is not None and app.builder.name == "latex"


def raw(tex: str) -> nodes.raw:
    return nodes.raw("", tex + "\n", format="latex")


# --- code cells --------------------------------------------------------------------------

def _cells(tree):
    return [n for n in tree.findall(nodes.container) if n.get("nb_element") == "cell_code"]


def _tags(cell) -> list[str]:
    return list((cell.get("cell_metadata") or {}).get("tags", []))


def trim_docstrings(source: str, where: str = "the API reference") -> str:
    """Cut every docstring longer than DOCSTRING_LINES lines to its first paragraph.

    >>> src = 'def f():\\n    \"\"\"One line.\\n\\n' + '    more\\n' * 10 + '    \"\"\"\\n    return 1\\n'
    >>> print(trim_docstrings(src))
    def f():
        \"\"\"One line.
    <BLANKLINE>
        [10 more lines: see the API reference]
        \"\"\"
        return 1
    <BLANKLINE>
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    lines = source.splitlines(keepends=True)
    spans = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        body = node.body
        if not (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            continue
        first, last = body[0].lineno - 1, body[0].end_lineno - 1
        if last - first + 1 > DOCSTRING_LINES:
            spans.append((first, last))
    for first, last in sorted(spans, reverse=True):
        block = lines[first:last + 1]
        keep = 1
        while keep < len(block) - 1 and block[keep].strip():
            keep += 1          # the first paragraph: up to the first blank line
        indent = re.match(r"\s*", block[0]).group(0)
        closing = block[-1].rstrip("\n").strip()
        if closing != '"""' and closing != "'''":
            continue           # a docstring closed on a text line: leave it alone
        hidden = len(block) - keep - 2   # the lines cut, besides the blank line kept
        if hidden <= 2:
            continue
        new = block[:keep] + ["\n", f"{indent}[{hidden} more lines: see {where}]\n", block[-1]]
        lines[first:last + 1] = new
    return "".join(lines)


def trim_output(text: str) -> str:
    lines = text.split("\n")
    if len(lines) <= OUTPUT_LINES:
        return text
    hidden = len(lines) - OUTPUT_HEAD - OUTPUT_TAIL
    return "\n".join(lines[:OUTPUT_HEAD] + [f"... [{hidden} more lines; the website shows them all] ..."]
                     + lines[-OUTPUT_TAIL:])


def _set_literal(block: nodes.literal_block, text: str) -> None:
    block.rawsource = text
    block.children = []
    block += nodes.Text(text)


def shape_cells(tree) -> dict[str, int]:
    counts = {"hidden inputs": 0, "docstrings cut": 0, "outputs trimmed": 0}
    for cell in _cells(tree):
        source = next((c for c in cell.children if c.get("nb_element") == "cell_code_source"), None)
        if "hide-input" in _tags(cell) and source is not None:
            cell.remove(source)
            counts["hidden inputs"] += 1
            source = None
        if source is not None:
            for block in source.findall(nodes.literal_block):
                text = block.astext()
                if text.lstrip().startswith("#| export"):
                    new = trim_docstrings(text)
                    if new != text:
                        _set_literal(block, new)
                        counts["docstrings cut"] += 1
        for output in (c for c in cell.children if c.get("nb_element") == "cell_code_output"):
            for block in output.findall(nodes.literal_block):
                text = block.astext()
                new = trim_output(text)
                if new != text:
                    _set_literal(block, new)
                    counts["outputs trimmed"] += 1
    return counts


# --- exercises and their solutions -----------------------------------------------------------

def _is_solution(node) -> bool:
    return type(node).__name__ == "solution_node"


def _is_exercise(node) -> bool:
    return type(node).__name__ in ("exercise_node", "exercise_enumerable_node")


def label_exercises(env, chapter: nodes.section, docname: str) -> int:
    """Give each numbered exercise the label that Sphinx's cross-page references use.

    sphinx-exercise labels an exercise ``exercise:<label>`` in LaTeX, and resolves references
    within its own page to it; a reference from another page is written by Sphinx as
    ``\\ref{<docname>:<label>}``, which nothing defines. This defines it, with the
    exercise's number from the site (``env.toc_fignumbers``) as the text of the reference.
    """
    numbers = env.toc_fignumbers.get(docname, {}).get("exercise", {})
    count = 0
    for node in chapter.findall(_is_exercise):
        number = next((numbers[i] for i in node.get("ids", []) if i in numbers), None)
        if number is None or not node.get("label"):
            continue
        text = ".".join(str(n) for n in number)
        # After the title: the admonition takes the title as its argument.
        node.insert(1, raw(r"\nnbookexerciselabel{%s}{%s:%s}" % (text, docname, node["label"])))
        count += 1
    return count


def move_solutions(chapter: nodes.section, docname: str) -> int:
    """Move the chapter's solutions to a last section; each exercise points to its solution's page."""
    solutions = list(chapter.findall(_is_solution))
    if not solutions:
        return 0
    exercises = {node.get("label"): node for node in chapter.findall(_is_exercise)}
    for solution in solutions:
        exercise = exercises.get(solution.get("target_label"))
        if exercise is not None:
            # sphinx-exercise labels them "exercise:<label>" and "<docname>:<label>" in LaTeX.
            exercise += raw(r"\nnbooksolutionpage{%s:%s}" % (docname, solution["label"]))
            solution += raw(r"\nnbookexercisepage{exercise:%s}" % exercise.get("label"))
        solution.parent.remove(solution)
    section = nodes.section(ids=[f"nnbook-solutions-{docname.replace('/', '-')}"], names=[])
    section["docname"] = docname
    section += nodes.title("", "Solutions to the exercises")
    for solution in solutions:
        section += solution
    chapter += section
    return len(solutions)


# --- tables ---------------------------------------------------------------------------------

# Tables whose columns LaTeX's automatic widths (tabulary) get wrong, squeezing a column
# until every word in it is hyphenated: fixed widths (percent), ragged right, small type.
# By header: the tables of the appendix of errors (one row per mistake) and the
# introduction's maps of chapters and modules.
TABLE_WIDTHS = {
    ("mistake", "call", "exception", "message"): [17, 30, 13, 40],
    ("Chapter", "Subject", "Modules it writes to"): [9, 50, 41],
    ("Engineering appendix", "Subject", "Modules it writes to"): [27, 36, 37],
}
LONG_TOKEN = 16     # inline code tokens longer than this may break every BREAK_EVERY characters
BREAK_EVERY = 8


def _header(table) -> list[str]:
    head = next(table.findall(nodes.thead), None)
    row = next(head.findall(nodes.row), None) if head is not None else None
    return [entry.astext().strip() for entry in row.children] if row is not None else []


def breakable_literal(text: str) -> str:
    """LaTeX for inline code that may break inside long tokens (hashes, paths, dotted names)."""
    from sphinx.util import texescape

    texescape.init()  # idempotent; Sphinx's LaTeX builder has done it already
    escape = texescape.escape

    def token(word: str) -> str:
        if len(word) <= LONG_TOKEN:
            return escape(word, "xelatex")
        pieces = [word[i:i + BREAK_EVERY] for i in range(0, len(word), BREAK_EVERY)]
        return r"\allowbreak{}".join(escape(p, "xelatex") for p in pieces)

    return r"\sphinxcode{\sphinxupquote{%s}}" % " ".join(token(w) for w in text.split(" "))


def shape_tables(tree) -> int:
    count = 0
    for table in list(tree.findall(nodes.table)):
        columns = _header(table)
        literals = [n for n in table.findall(nodes.literal) if len(n.astext()) > LONG_TOKEN]
        for literal in literals:
            if any(len(w) > LONG_TOKEN for w in literal.astext().split(" ")):
                literal.replace_self(nodes.raw("", breakable_literal(literal.astext()), format="latex"))
        widths = TABLE_WIDTHS.get(tuple(columns))
        if widths:
            for colspec, width in zip(table.findall(nodes.colspec), widths):
                colspec["colwidth"] = width
            table["classes"] = list(table.get("classes", [])) + ["colwidths-given", "longtable"]
            parent = table.parent
            index = parent.index(table)
            parent.insert(index + 1, raw(r"\endgroup"))
            parent.insert(index, raw(r"\begingroup\nnbooktables"))
            count += 1
    return count


# --- the bibliography --------------------------------------------------------------------

INLINE_MATH = re.compile(r"\$([^$]+)\$")


def bibliography_math(tree) -> int:
    """Typeset ``$...$`` in the bibliography's entries (titles such as "rate $O(1/k^2)$").

    pybtex passes a BibTeX title's math through as text; the website shows it as written,
    but in print it would be raw TeX.
    """
    count = 0
    for citation in tree.findall(nodes.citation):
        for text in list(citation.findall(nodes.Text)):
            if "$" not in text or isinstance(text.parent, (nodes.literal, nodes.math)):
                continue
            parts, last = [], 0
            for match in INLINE_MATH.finditer(str(text)):
                parts.append(nodes.Text(str(text)[last:match.start()]))
                parts.append(nodes.math(match.group(1), match.group(1)))
                last = match.end()
            if not parts:
                continue
            parts.append(nodes.Text(str(text)[last:]))
            parent = text.parent
            index = parent.index(text)
            parent.remove(text)
            for offset, part in enumerate(parts):
                parent.insert(index + offset, part)
            count += 1
    return count


# --- parts, chapters and their numbers ---------------------------------------------------------

def _part_title(caption: str) -> str:
    # "Part I: one network, by hand" -> "One network, by hand" (LaTeX prints "Part I").
    match = re.match(r"Part\s+[IVXLC]+\s*:\s*(.*)", caption)
    title = match.group(1) if match else caption
    return title[:1].upper() + title[1:]


def _tex_escape(text: str) -> str:
    return re.sub(r"([&%$#_{}])", r"\\\1", text)


def _parts(app) -> list[tuple[str, bool, list[str]]]:
    """(caption, numbered, docnames) for each part of _toc.yml, in order."""
    site_map = app.config.external_site_map
    root = site_map[site_map.root.docname]
    parts = []
    for toctree in root.subtrees:
        docs = [str(item) for item in toctree.items if isinstance(item, str)]
        parts.append((toctree.caption or "", bool(toctree.numbered), docs))
    return parts


def shape_book(app, tree, root_docname) -> dict:
    env = app.builder.env
    top = next(n for n in tree.children if isinstance(n, nodes.section))
    sofs = {}
    for sof in list(top.findall(addnodes.start_of_file)):
        if not any(isinstance(a, addnodes.start_of_file) for a in _ancestors(sof)):
            sofs[sof["docname"]] = sof
    # Everything in the root section that is not a pasted page is the introduction.
    wrappers = [n for n in top.children if any(isinstance(s, addnodes.start_of_file) for s in n.findall())]
    title = top.children[0]
    intro_body = [n for n in top.children[1:] if n not in wrappers]
    for node in intro_body + wrappers:
        top.remove(node)
    for wrapper in wrappers:
        for sof in list(wrapper.findall(addnodes.start_of_file)):
            sof.parent.remove(sof) if sof.parent is not None else None

    intro = nodes.section(ids=["nnbook-introduction"], names=[])
    intro["docname"] = root_docname
    intro += nodes.title("", "Introduction")
    intro.extend(intro_body)
    top += raw(r"\nnbookfrontmatter")
    top += intro

    report = {"chapters": [], "solutions": 0}
    first_numbered = True
    for caption, numbered, docs in _parts(app):
        if numbered and first_numbered:
            top += raw(r"\nnbookmainmatter")
            first_numbered = False
        name = _tex_escape(_part_title(caption))
        top += raw(r"\nnbookpart{%s}" % name if numbered else r"\nnbookunnumberedpart{%s}" % name)
        for docname in docs:
            sof = sofs.get(docname)
            if sof is None:
                continue
            number = env.toc_secnumbers.get(docname, {}).get("")
            chapter = next((n for n in sof.children if isinstance(n, nodes.section)), None)
            if chapter is not None:
                label_exercises(env, chapter, docname)
                report["solutions"] += move_solutions(chapter, docname)
            if number:
                top += raw(r"\nnbooknumberedchapter{%d}" % number[0])
            else:
                top += raw(r"\nnbookunnumberedchapter")
            top += sof
            report["chapters"].append((docname, number[0] if number else None))
    top += raw(r"\nnbookbackmatter")
    del title
    return report


def _ancestors(node):
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _on_doctree_resolved(app, doctree, docname) -> None:
    if not _is_latex(app) or docname != app.config.root_doc:
        return
    if not any(isinstance(n, addnodes.start_of_file) for n in doctree.findall(addnodes.start_of_file)):
        return  # not the assembled book
    cells = shape_cells(doctree)
    cells["bibliography entries with math"] = bibliography_math(doctree)
    cells["tables given widths"] = shape_tables(doctree)
    report = shape_book(app, doctree, docname)
    numbered = [d for d, n in report["chapters"] if n]
    app.nnbook_pdf_report = {**cells, **report}
    from sphinx.util import logging
    logging.getLogger(__name__).info(
        f"nnbook PDF: {len(report['chapters'])} chapters ({len(numbered)} numbered), "
        f"{report['solutions']} solutions moved to chapter ends, "
        + ", ".join(f"{v} {k}" for k, v in cells.items()))


def setup(app):
    app.connect("doctree-resolved", _on_doctree_resolved)
