"""A small Sphinx extension for the nnbook site (loaded from _config.yml).

Math is rendered by MathJax served from the site itself, not from a CDN, so
the book works offline and the browser check (``make check-site``) needs no
network. The MathJax used is the copy that the ``jupyter-server-mathjax``
package ships (MathJax 2.7); it is copied to ``_static/mathjax`` when the
build finishes.

It also builds the JupyterLite app (``tools/build_lite.py``) into ``lite/`` when the
HTML build finishes, and puts a "Run in your browser" link under the title of every
chapter, engineering appendix and the errors appendix: it opens that page's notebook
in the app (JupyterLab with the Pyodide kernel), one kernel per page. A chapter with
exercises that check themselves also gets "Try it yourself", which opens its student
edition (``student/<notebook>``, written by ``tools/student.py``).

It puts the version (read from ``pyproject.toml``, its one source) into Sphinx's
``version``/``release`` and at the foot of every page, with a link to the changelog;
it gives every page an empty slot for the link to the PDF edition, which becomes a link
once ``make pdf`` has built it (``publish_pdf``, under the navigation and in the
introduction); and it loads ``tools/pdf_latex.py``, which shapes the LaTeX document of
the PDF (only when the builder is LaTeX).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

MATHJAX_DIR = "mathjax"
# The one combined configuration jupyter-server-mathjax ships.
MATHJAX_PATH = f"{MATHJAX_DIR}/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"


def _mathjax_source() -> Path:
    import jupyter_server_mathjax

    return Path(jupyter_server_mathjax.__file__).parent / "static"


def _configure_mathjax(app) -> None:
    # myst-parser writes a MathJax 3 configuration; translate it to MathJax 2's
    # tex2jax settings (only elements with these classes are processed).
    v3 = app.config.mathjax3_config or {}
    options = v3.get("options", {}) if isinstance(v3, dict) else {}
    process = options.get("processHtmlClass", "tex2jax_process|mathjax_process|math|output_area")
    app.config.mathjax3_config = None
    app.config.mathjax_path = MATHJAX_PATH
    app.config.mathjax2_config = {
        "tex2jax": {
            "inlineMath": [["\\(", "\\)"]],
            "displayMath": [["\\[", "\\]"]],
            "processEscapes": True,
            "processClass": process,
            "ignoreClass": "tex2jax_ignore|mathjax_ignore|document",
        },
        "TeX": {"equationNumbers": {"autoNumber": "none"}},
        # jupyter-server-mathjax ships only the STIX-Web web fonts.
        "HTML-CSS": {"availableFonts": [], "webFont": "STIX-Web", "imageFont": None, "preferredFont": None},
        "SVG": {"font": "STIX-Web"},
        # The quick preview pass renders with the TeX web fonts, which are not
        # shipped either; render once, with HTML-CSS and STIX-Web.
        "fast-preview": {"disabled": True},
        "menuSettings": {"CHTMLpreview": False, "assistiveMML": False},
        "showMathMenu": False,
        "messageStyle": "none",
    }


def _copy_mathjax(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / MATHJAX_DIR
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(_mathjax_source(), target)


def _dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    # sphinx-thebe (loaded by Jupyter Book) registers its inline configuration
    # twice, which declares ``const THEBE_JS_URL`` twice: a console error on
    # every page. Keep the first copy of each identical script.
    scripts = context.get("script_files")
    if not scripts:
        return
    seen = set()
    unique = []
    for script in scripts:
        key = (str(getattr(script, "filename", script) or ""),
               repr(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


# The pages that get a "Run in your browser" link: the chapters (book/NN_*), the
# engineering appendices (book/eng_*) and the appendix of errors.
RUNNABLE = re.compile(r"book/(\d\d_\w+|eng_\w+|appendix_errors)")
RUN_LINK = (
    '<p class="nnbook-run-lite">'
    '<a class="btn btn-sm btn-outline-primary nnbook-run-lite-link" href="{href}" '
    'target="_blank" rel="noopener">&#9654; Run in your browser</a> '
    '<span class="nnbook-run-lite-note">this notebook in JupyterLite: Python runs in '
    'your browser, nothing to install (the first start takes a minute)</span></p>'
)


# Chapters with exercises that check themselves also get a link to their student edition
# (tools/student.py; the app holds it under student/): the same notebook, solutions removed.
TRY_LINK = (
    '<p class="nnbook-run-lite">'
    '<a class="btn btn-sm btn-outline-secondary nnbook-try-lite-link" href="{href}" '
    'target="_blank" rel="noopener">&#9998; Try it yourself</a> '
    '<span class="nnbook-run-lite-note">the student edition: write the exercises of this '
    'chapter, and their check cells grade your code</span></p>'
)


def _has_exercises(notebook: Path) -> bool:
    import json

    try:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return False
    return any(c.get("cell_type") == "code" and "".join(c.get("source", "")).startswith("#| exercise")
               for c in cells)


def _add_run_link(app, pagename, templatename, context, doctree) -> None:
    """Put the "Run in your browser" link (and "Try it yourself") right under the page's title."""
    if not RUNNABLE.fullmatch(pagename) or "body" not in context:
        return
    notebook = pagename.rsplit("/", 1)[-1] + ".ipynb"
    base = "../" * pagename.count("/") + "lite/lab/index.html?path="
    links = RUN_LINK.format(href=base + notebook)
    if _has_exercises(Path(app.srcdir) / (pagename + ".ipynb")):
        links += TRY_LINK.format(href=base + "student/" + notebook)
    body = context["body"]
    end = body.find("</h1>")
    if end < 0:
        return
    end += len("</h1>")
    context["body"] = body[:end] + links + body[end:]


def _build_lite(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    import build_lite  # tools/build_lite.py, beside this file

    build_lite.build(Path(app.outdir))


# --- the version (one source: pyproject.toml) ----------------------------------------

def project_version(root: Path) -> str:
    """The version in ``pyproject.toml``, the one source (``tools/export.py`` reads it the same way)."""
    text = (Path(root) / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version\s*=\s*"([^"]+)"', text, flags=re.MULTILINE)
    if not match:
        raise RuntimeError("pyproject.toml has no version = \"...\" line")
    return match.group(1)


VERSION_FOOTER = ('<p class="nnbook-version">nnbook {version} &middot; '
                  '<a href="{changelog}">what changed</a></p>')


def _set_version(app, config) -> None:
    """Put pyproject's version into Sphinx (``version``, ``release``) and into every page's footer."""
    version = project_version(Path(app.confdir))
    config.version = config.release = version
    options = dict(config.html_theme_options or {})
    # The theme renders extra_footer raw on every page; the link to the changelog is made
    # relative per page in _version_footer below.
    options["extra_footer"] = (options.get("extra_footer") or "") + VERSION_FOOTER.format(
        version=version, changelog="@CHANGELOG@")
    config.html_theme_options = options


def _version_footer(app, pagename, templatename, context, doctree) -> None:
    footer = context.get("theme_extra_footer")
    if footer and "@CHANGELOG@" in footer:
        context["theme_extra_footer"] = footer.replace("@CHANGELOG@", app.builder.get_relative_uri(
            pagename, "book/changelog"))


# --- links to the PDF edition ----------------------------------------------------------
#
# ``make pdf`` writes _build/pdf/nnbook.pdf. The site links to it only when it exists:
# every page carries an empty slot (under the navigation in the sidebar, and one in the
# introduction's sentence about the PDF), ``<span class="nnbook-pdf-slot" data-href="...">``
# with no link in it, and publish_pdf() copies the PDF to the site's root and turns each
# slot into a link. It runs at the end of the HTML build when the PDF was built before,
# and at the end of ``make pdf`` when the site was built before, so either order works.

PDF_NAME = "nnbook.pdf"
PDF_SLOT = re.compile(r'<span class="nnbook-pdf-slot( nnbook-pdf-nav)?" data-href="([^"]*)"></span>')
PDF_LINK = ('<a class="nnbook-pdf-link{nav}" href="{href}" download>'
            '&#128196; The whole book as a PDF</a>')
PDF_SLOT_HTML = '<span class="nnbook-pdf-slot{nav}" data-href="{href}"></span>'


def pdf_slot(href: str, nav: bool = False) -> str:
    return PDF_SLOT_HTML.format(href=href, nav=" nnbook-pdf-nav" if nav else "")


def publish_pdf(pdf: Path, site: Path) -> int:
    """Copy ``pdf`` to the site's root and turn every PDF slot into a link; return the pages changed."""
    shutil.copyfile(pdf, Path(site) / PDF_NAME)
    changed = 0
    for page in Path(site).rglob("*.html"):
        if "lite" in page.relative_to(site).parts[:1]:
            continue
        html = page.read_text(encoding="utf-8")
        new = PDF_SLOT.sub(lambda m: PDF_LINK.format(nav=" nnbook-pdf-nav" if m.group(1) else "",
                                                      href=m.group(2)), html)
        if new != html:
            page.write_text(new, encoding="utf-8")
            changed += 1
    return changed


def _pdf_nav_slot(app, pagename, templatename, context, doctree) -> None:
    """Give the sidebar template (nnbook-pdf-link.html) this page's slot."""
    href = "../" * pagename.count("/") + PDF_NAME
    context["nnbook_pdf_slot"] = pdf_slot(href, nav=True)


def _pdf_intro_slot(app, pagename, templatename, context, doctree) -> None:
    """The introduction's sentence about the PDF ends with ``<span class="nnbook-pdf-slot">``."""
    body = context.get("body")
    if body and '<span class="nnbook-pdf-slot"></span>' in body:
        href = "../" * pagename.count("/") + PDF_NAME
        context["body"] = body.replace('<span class="nnbook-pdf-slot"></span>', pdf_slot(href))


def _publish_built_pdf(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    pdf = Path(app.confdir) / "_build" / "pdf" / PDF_NAME
    stamp = pdf.with_name("nnbook.version")  # written by tools/build_pdf.py
    if pdf.exists() and stamp.exists() and stamp.read_text(encoding="utf-8").strip() == app.config.version:
        publish_pdf(pdf, Path(app.outdir))


def _add_sidebar_template(app, config) -> None:
    # The sidebar: the theme's own items, then the slot for the PDF link.
    config.templates_path = list(config.templates_path or []) + [str(Path(__file__).parent / "templates")]
    if not config.html_sidebars:
        config.html_sidebars = {"**": ["navbar-logo.html", "icon-links.html", "search-button-field.html",
                                       "sbt-sidebar-nav.html", "nnbook-pdf-link.html"]}


def setup(app):
    app.connect("html-page-context", _dedupe_scripts, priority=100)
    app.connect("html-page-context", _add_run_link)
    app.connect("build-finished", _build_lite)
    # After myst-parser's own builder-inited handler (priority 500).
    app.connect("builder-inited", _configure_mathjax, priority=900)
    app.connect("build-finished", _copy_mathjax)
    app.connect("config-inited", _set_version)
    app.connect("config-inited", _add_sidebar_template)
    app.connect("html-page-context", _version_footer)
    app.connect("html-page-context", _pdf_nav_slot)
    app.connect("html-page-context", _pdf_intro_slot)
    app.connect("build-finished", _publish_built_pdf)
    import pdf_latex  # tools/pdf_latex.py, beside this file: the shape of the PDF
    pdf_latex.setup(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
