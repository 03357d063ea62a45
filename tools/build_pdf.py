"""Build the book as one PDF: ``make pdf`` writes ``_build/pdf/nnbook.pdf``.

Route: Sphinx's LaTeX builder over the same sources as the website (Jupyter Book's
configuration, ``_config.yml`` and ``_toc.yml``), then XeLaTeX through latexmk. The
LaTeX build has its own output and doctree folders (
``_build/pdf/latex``, ``_build/pdf/.doctrees``), so it never disturbs the website in
``_build/html``.

What makes the LaTeX read as a book is in two places:

* ``tools/sphinx_nnbook.py`` (only when the builder is LaTeX) gives the document its
  shape: the introduction as front matter, the table of contents' parts as
  ``\\part``, chapters numbered 1-17 as on the site, the engineering part and the
  appendices unnumbered; code cells hidden on the site are hidden here, long
  docstrings of exported code are cut to their summary, long outputs are trimmed;
* ``tools/latex/preamble.tex``: fonts, margins, code style, title page.

When ``_build/html`` exists, the PDF is copied into it and the site's links to it
are switched on (``tools/sphinx_nnbook.py`` explains the mechanism).

Usage: ``python tools/build_pdf.py`` (``make pdf``); ``--latex-only`` stops before
XeLaTeX (to inspect ``_build/latex/nnbook.tex``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PDF_DIR = ROOT / "_build" / "pdf"
# Inside _build/pdf, so that myst-nb's images (written beside the output folder, in
# jupyter_execute/) and the doctrees are the PDF's own, never the website's.
LATEX_DIR = PDF_DIR / "latex"
DOCTREES = PDF_DIR / ".doctrees"
PREAMBLE = ROOT / "tools" / "latex" / "preamble.tex"

# The Debian packages that hold every program and LaTeX package the build uses.
# (.ci/run installs them: python3 tools/build_pdf.py --debian-packages.) TeX Live's
# recommended sets and XeLaTeX, latexmk, the fonts of tools/latex/preamble.tex (Latin
# Modern comes with TeX Live; FreeSerif and DejaVu Sans Mono), and what tools/check_pdf.py
# reads the PDF with (poppler-utils, qpdf).
DEBIAN_PACKAGES = ("texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended "
                   "texlive-xetex latexmk fonts-freefont-otf fonts-dejavu-core poppler-utils qpdf")
PROGRAMS = ("xelatex", "latexmk")

sys.path.insert(0, str(ROOT / "tools"))
import sphinx_nnbook  # noqa: E402  (the version and the link helpers)


def missing_programs() -> list[str]:
    return [p for p in PROGRAMS if shutil.which(p) is None]


def sphinx_overrides() -> dict:
    """Sphinx settings for the PDF only (the website never sees them)."""
    version = sphinx_nnbook.project_version(ROOT)
    preamble = PREAMBLE.read_text(encoding="utf-8")
    return {
        "external_toc_path": "_toc.yml",
        "latex_individualpages": False,
        "latex_engine": "xelatex",
        # xindy stops on a missing language module with Debian's packages; makeindex is
        # enough (the book has no index entries of its own).
        "latex_use_xindy": False,
        "latex_show_urls": "no",
        "latex_show_pagerefs": False,
        "latex_domain_indices": False,
        "version": version,
        "release": version,
        "latex_elements": {
            "papersize": "a4paper",
            "pointsize": "10pt",
            "fontpkg": "",  # fonts are chosen in the preamble
            "fncychap": "",
            "preamble": preamble.replace("@VERSION@", version),
            "maketitle": r"\nnbooktitlepage",
            "tableofcontents": r"\nnbooktableofcontents",
            "printindex": "",
            "sphinxsetup": ("verbatimwithframe=false, VerbatimColor={rgb}{0.96,0.96,0.96}, "
                            "verbatimsep=3pt, TitleColor={rgb}{0,0,0}, "
                            "InnerLinkColor={rgb}{0.1,0.2,0.5}, OuterLinkColor={rgb}{0.1,0.2,0.5}, "
                            "hmargin={2.6cm,2.6cm}, vmargin={2.4cm,2.6cm}"),
            "extraclassoptions": "openany,oneside",
        },
    }


def build_latex(jobs: int = 1) -> None:
    from jupyter_book.sphinx import build_sphinx

    LATEX_DIR.mkdir(parents=True, exist_ok=True)
    result = build_sphinx(
        ROOT, LATEX_DIR, noconfig=True, path_config=ROOT / "_config.yml",
        confoverrides=sphinx_overrides(), doctreedir=DOCTREES, builder="latex",
        freshenv=True, force_all=True, keep_going=True, warningiserror=False, jobs=jobs,
    )
    if result != 0:
        raise SystemExit(f"build_pdf: the Sphinx LaTeX build failed ({result})")


def build_pdf() -> Path:
    # Sphinx writes a latexmkrc and Makefile that run XeLaTeX (latex_engine above).
    cmd = ["latexmk", "-pdfxe", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error",
           "nnbook.tex"]
    with open(LATEX_DIR / "latexmk.log", "w", encoding="utf-8") as log:
        proc = subprocess.run(cmd, cwd=LATEX_DIR, stdout=log, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        tail = (LATEX_DIR / "latexmk.log").read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(f"build_pdf: XeLaTeX failed (see {LATEX_DIR}/nnbook.log):\n{tail}")
    PDF_DIR.mkdir(parents=True, exist_ok=True)
    target = PDF_DIR / "nnbook.pdf"
    shutil.copyfile(LATEX_DIR / "nnbook.pdf", target)
    # The version it was built at: the website publishes only a PDF of its own version.
    (PDF_DIR / "nnbook.version").write_text(sphinx_nnbook.project_version(ROOT) + "\n", encoding="utf-8")
    return target


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latex-only", action="store_true", help="stop after writing the .tex")
    parser.add_argument("--debian-packages", action="store_true",
                        help="print the Debian packages the PDF needs, and exit")
    args = parser.parse_args(argv)
    if args.debian_packages:
        print(DEBIAN_PACKAGES)
        return 0
    missing = missing_programs()
    if missing and not args.latex_only:
        print(f"build_pdf: {', '.join(missing)} not found. The PDF needs XeLaTeX and latexmk; on "
              f"Debian or Ubuntu:\n  sudo apt-get install -y --no-install-recommends {DEBIAN_PACKAGES}",
              file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    build_latex()
    t1 = time.perf_counter()
    print(f"build_pdf: LaTeX written in {t1 - t0:.0f} s: {LATEX_DIR / 'nnbook.tex'}")
    if args.latex_only:
        return 0
    pdf = build_pdf()
    t2 = time.perf_counter()
    print(f"build_pdf: XeLaTeX in {t2 - t1:.0f} s: {pdf}")
    html = ROOT / "_build" / "html"
    if (html / "index.html").exists():
        n = sphinx_nnbook.publish_pdf(pdf, html)
        print(f"build_pdf: copied into {html} and switched on the link on {n} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
