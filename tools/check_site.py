#!/usr/bin/env python3
"""Open every page of the built book in headless Chromium, as a reader would.

``make check-site`` serves ``_build/html`` on 127.0.0.1, opens each page and
fails if any page has:

* a console error, an uncaught exception or a failed request;
* a broken local link (missing file, or a ``#fragment`` with no such id);
* an image that does not load, or fewer figures than its notebook has;
* math that MathJax did not render, or rendered as an error;

and it fails if the site has no ``/favicon.ico`` (browsers request it for the
root redirect page, which declares no icon).

It saves a screenshot of one chapter to ``_build/screenshots/``; with
``--update-readme`` it also copies it to ``docs/chapter-screenshot.png``, the
picture the README shows. Chromium comes from Debian's ``chromium`` package,
driven by Playwright's Python client (no browser download). A missing Chromium
is an error, unless ``--install-chromium`` is given: then, as root, it is
installed with apt-get (what CI does: ``make check-site
CHECK_SITE_FLAGS=--install-chromium``).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
SCREENSHOT_PAGE = "book/05_backprop.html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
README_SCREENSHOT = ROOT / "docs" / "chapter-screenshot.png"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# MathJax 2's HTML-CSS output declares a placeholder web font whose source is
# about:blank; Chromium reports the (harmless) refusal to fetch it as a console
# error. Nothing else is ignored.
BENIGN = ("Access to font at 'about:blank'",)

# --- what the browser runs in each page ------------------------------------------------

# Wait for MathJax to finish, then count the math nodes, the rendered ones,
# the MathJax errors and the nodes still showing raw \( or \[ delimiters.
MATH_JS = r"""() => new Promise(resolve => {
    const nodes = document.querySelectorAll('.math');
    if (!nodes.length) { resolve({math: 0}); return; }
    if (!window.MathJax || !window.MathJax.Hub) {
        resolve({math: nodes.length, error: 'MathJax did not load'}); return; }
    MathJax.Hub.Queue(() => resolve({
        math: nodes.length,
        rendered: document.querySelectorAll('.MathJax, .MathJax_Display, .MathJax_CHTML, .MathJax_SVG').length,
        errors: Array.from(document.querySelectorAll('.MathJax_Error, merror, [data-mjx-error]')).map(n => n.textContent).slice(0, 3),
        raw: Array.from(document.querySelectorAll('.math')).filter(n => /\\\(|\\\[/.test(n.textContent) && !n.querySelector('.MathJax, .MathJax_Display, script')).length,
    }));
})"""

# [source, loaded?] for every <img> of the page.
IMAGES_JS = "() => Array.from(document.images).map(i => [i.currentSrc || i.src, i.complete && i.naturalWidth > 0])"

# The absolute URL of every link of the page.
LINKS_JS = "() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"

# Scroll the chapter's first figure (the second <img>: the first is the logo) to the middle.
SCROLL_TO_FIGURE_JS = (
    "() => { const img = document.querySelectorAll('main img')[1]"
    " || document.querySelector('main img');"
    " if (img) img.scrollIntoView({block: 'center'}); }"
)

ID_ATTRIBUTE = re.compile(r'\bid="([^"]+)"')


# --- Chromium ---------------------------------------------------------------------------

def find_chromium(install: bool = False) -> str:
    """The path of a Chromium binary; with ``install``, apt-get it first when missing (root only)."""
    path = _which_chromium()
    if path:
        return path
    if not install:
        raise SystemExit(
            "check-site: Chromium not found. Install Debian's package (as root: "
            "apt-get install chromium), put a chromium binary on PATH, or run with "
            "--install-chromium (make check-site CHECK_SITE_FLAGS=--install-chromium)."
        )
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit(
            "check-site: --install-chromium needs root and apt-get; install Chromium "
            "yourself (apt-get install chromium) or put a chromium binary on PATH."
        )
    install_chromium()
    path = _which_chromium()
    if not path:
        raise SystemExit("check-site: apt-get installed chromium, but no chromium is on PATH.")
    return path


def _which_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def install_chromium() -> None:
    """Install Debian's ``chromium`` package with apt-get (needs root)."""
    print("check-site: installing Debian's chromium package ...", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env,
                   stdout=subprocess.DEVNULL)


# --- the site ---------------------------------------------------------------------------

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the output readable
        pass


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def pages(site: Path) -> list[str]:
    # lite/ is the JupyterLite app, not a page of the book: `make check-lite` checks it.
    skip = ("_static/", "_sources/", "_images/", "_sphinx_design_static/", "lite/")
    found = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel.startswith(skip):
            continue
        found.append(rel)
    return found


def expected_figures(page: str) -> int:
    """Number of PNG outputs in the notebook a page was rendered from (0 if none)."""
    if not page.startswith("book/") or not page.endswith(".html"):
        return 0
    notebook = ROOT / (page[: -len(".html")] + ".ipynb")
    if not notebook.exists():
        return 0
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    count = 0
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                count += 1
    return count


# --- the checks -------------------------------------------------------------------------

def check_favicon(site: Path) -> list[str]:
    """The site root has a favicon.ico.

    The root index.html is a bare redirect with no <link rel="icon">; a browser
    may then ask for /favicon.ico (whether it does before the redirect is a
    race), so require the file rather than hope the request is not made.
    """
    if (site / "favicon.ico").is_file():
        return []
    return ["favicon.ico: missing at the site root (browsers request it; "
            "see html_extra_path in _config.yml)"]


def _console(message, errors: list[str]) -> None:
    if message.type != "error":
        return
    url = message.location.get("url", "")
    if any(b in message.text for b in BENIGN) or (url == "about:blank" and "ERR_FAILED" in message.text):
        return
    errors.append(f"console error: {message.text} ({url})")


def _failed(request, base: str, errors: list[str], aborted: list[str]) -> None:
    """Record a failed request to the site; ``aborted`` keeps those cut off by a navigation."""
    if not request.url.startswith(base):
        return
    (aborted if request.failure == "net::ERR_ABORTED" else errors).append(
        f"request failed: {request.url}")


def _http_error(response, base: str, errors: list[str]) -> None:
    if response.url.startswith(base) and response.status >= 400:
        errors.append(f"HTTP {response.status}: {response.url}")


def watch_console_and_requests(page, base: str, errors: list[str]) -> list[str]:
    """Record into ``errors`` the page's console errors, uncaught exceptions, failed
    requests and HTTP errors as they happen; return the list that collects the
    requests aborted by a navigation (a failure only if the page stayed put)."""
    aborted: list[str] = []
    page.on("console", lambda m: _console(m, errors))
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    page.on("requestfailed", lambda r: _failed(r, base, errors, aborted))
    page.on("response", lambda r: _http_error(r, base, errors))
    return aborted


def aborted_requests(page, url: str, aborted: list[str]) -> list[str]:
    """A request cut short because the page navigated away (the root index.html
    redirects at once) is not a failure a reader sees; an aborted request on a
    page that stayed put is."""
    return list(aborted) if page.url == url else []


def check_math(page) -> tuple[int, list[str]]:
    """(number of math nodes, problems): MathJax loaded and rendered every formula without error."""
    math = page.evaluate(MATH_JS)
    errors = []
    if math.get("error"):
        errors.append(math["error"])
    elif math["math"]:
        if math["rendered"] == 0 or math["raw"]:
            errors.append(f"math not rendered: {math}")
        if math["errors"]:
            errors.append(f"math errors: {math['errors']}")
    return math["math"], errors


def check_images(page, rel: str) -> tuple[int, list[str]]:
    """(number of images, problems): every <img> loaded; a chapter shows all its notebook's figures."""
    images = page.evaluate(IMAGES_JS)
    errors = [f"image did not load: {src}" for src, ok in images if not ok]
    want = expected_figures(rel)
    have = sum(1 for src, _ in images if "/_images/" in src)
    if have < want:
        errors.append(f"shows {have} figures, its notebook has {want}")
    return len(images), errors


def check_links(page, base: str, site: Path, ids_cache: dict[str, set[str]]) -> tuple[int, list[str]]:
    """(number of local links, problems): each local link's file exists and its
    #fragment is an id on that page. ``ids_cache`` maps a page to its ids, across pages."""
    hrefs = page.evaluate(LINKS_JS)
    checked, errors = 0, []
    for href in sorted(set(hrefs)):
        if not href.startswith(base):
            continue
        url, fragment = urldefrag(href)
        path = unquote(urlparse(url).path.lstrip("/"))
        target = site / path
        if target.is_dir():
            target = target / "index.html"
            path = (Path(path) / "index.html").as_posix()
        checked += 1
        if not target.exists():
            errors.append(f"broken link: {href}")
            continue
        if fragment and target.suffix == ".html":
            if path not in ids_cache:
                text = target.read_text(encoding="utf-8", errors="replace")
                ids_cache[path] = set(ID_ATTRIBUTE.findall(text))
            if unquote(fragment) not in ids_cache[path]:
                errors.append(f"broken anchor: {href}")
    return checked, errors


def take_screenshot(page, update_readme: bool) -> None:
    """Save the chapter's first figure with the text around it (and copy it for the README)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "chapter.png"
    page.evaluate(SCROLL_TO_FIGURE_JS)
    page.wait_for_timeout(300)
    page.screenshot(path=str(shot), full_page=False)
    if update_readme:
        README_SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, README_SCREENSHOT)


def check_page(context, base: str, site: Path, rel: str, ids_cache: dict[str, set[str]],
               update_readme: bool) -> tuple[list[str], int]:
    """Open one page, run every check on it; return (problems, number of local links checked)."""
    page = context.new_page()
    errors: list[str] = []
    aborted = watch_console_and_requests(page, base, errors)
    page.goto(base + rel, wait_until="load")
    page.wait_for_load_state("networkidle")
    errors.extend(aborted_requests(page, base + rel, aborted))
    n_math, math_errors = check_math(page)
    errors.extend(math_errors)
    n_images, image_errors = check_images(page, rel)
    errors.extend(image_errors)
    n_links, link_errors = check_links(page, base, site, ids_cache)
    errors.extend(link_errors)
    if rel == SCREENSHOT_PAGE:
        take_screenshot(page, update_readme)
    page.close()
    status = "ok" if not errors else f"{len(errors)} problem(s)"
    print(f"  {rel:45s} {status}  ({n_images} images, {n_math} math)")
    return errors, n_links


def check(site: Path, update_readme: bool, install_chromium: bool = False) -> int:
    from playwright.sync_api import sync_playwright

    if not (site / "index.html").exists():
        raise SystemExit(f"check-site: {site}/index.html not found; run `make book` first")
    chromium = find_chromium(install=install_chromium)
    server, base = serve(site)
    all_pages = pages(site)
    ids_cache: dict[str, set[str]] = {}
    problems = check_favicon(site)
    checked_links = 0
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            for rel in all_pages:
                errors, n_links = check_page(context, base, site, rel, ids_cache, update_readme)
                checked_links += n_links
                problems.extend(f"{rel}: {e}" for e in errors)
            browser.close()
    finally:
        server.shutdown()
    print(f"check-site: {len(all_pages)} pages, {checked_links} local links checked")
    if problems:
        print("check-site: FAILED")
        for line in problems:
            print("  " + line)
        return 1
    print("check-site: all pages passed")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=SITE)
    parser.add_argument("--update-readme", action="store_true",
                        help="also copy the screenshot to docs/chapter-screenshot.png")
    parser.add_argument("--install-chromium", action="store_true",
                        help="when Chromium is missing, install Debian's chromium package "
                             "with apt-get (needs root); without it a missing Chromium is an error")
    args = parser.parse_args(argv)
    return check(args.site, args.update_readme, args.install_chromium)


if __name__ == "__main__":
    sys.exit(main())
