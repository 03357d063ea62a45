"""The PDF edition (make pdf) and the version shown everywhere.

The pieces are tested on their own (how code is trimmed for print, the chapter numbers
expected, the links the site gets once the PDF exists, the version's one source); the
built PDF itself is checked by tools/check_pdf.py, which the last test runs when
``_build/pdf/nnbook.pdf`` exists and is newer than the sources (``make pdf`` runs the same
check, and CI runs ``make pdf``).
"""

import ast
import importlib.util
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))


def load(name):
    spec = importlib.util.spec_from_file_location(f"nnbook_tools_{name}", ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pdf_latex = load("pdf_latex")
sphinx_nnbook = load("sphinx_nnbook")
check_pdf = load("check_pdf")
build_pdf = load("build_pdf")

LONG = '''#| export
class Layer:
    """A layer: the one-line summary
    that goes on for a second line.

    Parameters
    ----------
    n : int
        Its size.
    rng : Generator
        Random numbers.

    Examples
    --------
    >>> Layer(3)
    """

    def forward(self, x):
        """Short docstring, kept."""
        return x  # """not a docstring"""
'''


def test_a_long_docstring_is_cut_to_its_first_paragraph_and_says_where_the_rest_is():
    out = pdf_latex.trim_docstrings(LONG)
    assert '"""A layer: the one-line summary\n    that goes on for a second line.\n' in out
    assert "[10 more lines: see the API reference]" in out
    assert "Parameters" not in out and "Examples" not in out


def test_trimming_keeps_short_docstrings_and_the_code_and_stays_valid_python():
    out = pdf_latex.trim_docstrings(LONG)
    assert '"""Short docstring, kept."""' in out
    assert 'return x  # """not a docstring"""' in out
    before, after = ast.parse(LONG), ast.parse(out)
    names = lambda tree: [n.name for n in ast.walk(tree) if isinstance(n, (ast.ClassDef, ast.FunctionDef))]
    assert names(before) == names(after)


def test_code_that_does_not_parse_is_left_as_it_is():
    assert pdf_latex.trim_docstrings("def f(:\n") == "def f(:\n"


def test_a_long_output_keeps_its_head_and_tail():
    text = "\n".join(f"line {i}" for i in range(100))
    out = pdf_latex.trim_output(text).split("\n")
    assert out[:pdf_latex.OUTPUT_HEAD] == [f"line {i}" for i in range(pdf_latex.OUTPUT_HEAD)]
    assert out[-pdf_latex.OUTPUT_TAIL:] == [f"line {i}" for i in range(100 - pdf_latex.OUTPUT_TAIL, 100)]
    assert "50 more lines" in out[pdf_latex.OUTPUT_HEAD]
    short = "\n".join(["x"] * pdf_latex.OUTPUT_LINES)
    assert pdf_latex.trim_output(short) == short


def test_parts_print_without_their_numbers_which_latex_adds():
    assert pdf_latex._part_title("Part II: making it train well") == "Making it train well"
    assert pdf_latex._part_title("Appendix") == "Appendix"


def test_chapters_of_the_numbered_parts_count_on_across_parts_and_the_rest_are_unnumbered():
    contents = check_pdf.expected_contents()
    numbers = [n for _, part, entries in contents if part for _, n, _ in entries]
    assert numbers == list(range(1, len(numbers) + 1))
    assert contents[0][2][0][:2] == ("book/01_neuron", 1)
    for caption, part, entries in contents:
        if part is None:
            assert all(n is None for _, n, _ in entries), caption
    appendix = [d for caption, _, entries in contents if caption == "Appendix" for d, _, _ in entries]
    assert appendix[-1] == "book/changelog"


def test_the_version_has_one_source_read_the_same_by_the_site_the_pdf_and_the_package():
    import nnbook

    version = sphinx_nnbook.project_version(ROOT)
    assert version == check_pdf.version() == nnbook.__version__


def test_every_page_of_the_site_gets_the_version_in_its_footer():
    config = SimpleNamespace(html_theme_options={"extra_footer": ""}, version="", release="")
    app = SimpleNamespace(confdir=str(ROOT))
    sphinx_nnbook._set_version(app, config)
    version = sphinx_nnbook.project_version(ROOT)
    assert config.version == config.release == version
    assert f"nnbook {version}" in config.html_theme_options["extra_footer"]
    builder = SimpleNamespace(get_relative_uri=lambda page, target: "changelog.html")
    context = {"theme_extra_footer": config.html_theme_options["extra_footer"]}
    sphinx_nnbook._version_footer(SimpleNamespace(builder=builder), "book/01_neuron", "page.html",
                                  context, None)
    assert 'href="changelog.html"' in context["theme_extra_footer"]


def test_the_site_links_to_the_pdf_only_once_it_is_published(tmp_path):
    site = tmp_path / "html"
    (site / "book").mkdir(parents=True)
    (site / "lite").mkdir()
    page = site / "book" / "intro.html"
    page.write_text("<p>Print it: " + sphinx_nnbook.pdf_slot("../nnbook.pdf") + "</p>"
                    + sphinx_nnbook.pdf_slot("../nnbook.pdf", nav=True))
    (site / "search.html").write_text("<p>no slot</p>")
    (site / "lite" / "index.html").write_text(sphinx_nnbook.pdf_slot("x"))
    assert ' href=' not in page.read_text()         # before: no link to a missing file
    pdf = tmp_path / "nnbook.pdf"
    pdf.write_bytes(b"%PDF-1.5\n")
    assert sphinx_nnbook.publish_pdf(pdf, site) == 1
    html = page.read_text()
    assert html.count('href="../nnbook.pdf"') == 2 and "nnbook-pdf-slot" not in html
    assert 'class="nnbook-pdf-link nnbook-pdf-nav"' in html
    assert (site / "nnbook.pdf").read_bytes() == b"%PDF-1.5\n"
    assert "nnbook-pdf-slot" in (site / "lite" / "index.html").read_text()


def test_make_pdf_without_xelatex_says_which_debian_packages_to_install(monkeypatch, capsys):
    monkeypatch.setattr(build_pdf.shutil, "which", lambda name: None)
    assert build_pdf.main([]) == 2
    err = capsys.readouterr().err
    assert "xelatex" in err and "apt-get install" in err and "texlive-xetex" in err


def _pdf_is_current(pdf):
    if not pdf.exists():
        return False
    sources = [ROOT / "_toc.yml", ROOT / "pyproject.toml", *(ROOT / "book").glob("*.*"),
               *(ROOT / "tools" / "latex").glob("*"), ROOT / "tools" / "pdf_latex.py"]
    return pdf.stat().st_mtime >= max(p.stat().st_mtime for p in sources if p.is_file())


@pytest.mark.skipif(not _pdf_is_current(check_pdf.PDF), reason="no current _build/pdf/nnbook.pdf (make pdf)")
@pytest.mark.skipif(any(shutil.which(t) is None for t in check_pdf.TOOLS), reason="poppler-utils/qpdf missing")
def test_the_built_pdf_has_every_chapter_numbered_figures_bookmarks_and_its_version():
    problems, stats = check_pdf.check(check_pdf.PDF)
    assert problems == [], "\n".join(problems)
    assert stats["pages"] > 100


def test_long_tokens_of_inline_code_in_tables_may_break_and_are_escaped():
    tex = pdf_latex.breakable_literal("sha 70e969fad520d3146763765a2c41f275 a_b")
    assert tex.startswith(r"\sphinxcode{\sphinxupquote{sha ")
    assert r"70e969fa\allowbreak{}d520d314\allowbreak{}" in tex
    assert tex.endswith(r" a\_b}}")
