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
picture the README shows. Chromium comes from Debian's ``chromium`` package
(installed here with apt-get when missing and running as root), driven by
Playwright's Python client (no browser download).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
SCREENSHOT_PAGE = "book/05_backprop.html"
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


def find_chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("check-site: installing Debian's chromium package ...", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        path = shutil.which("chromium")
        if path:
            return path
    raise SystemExit(
        "check-site: Chromium not found. Install Debian's package (apt-get install chromium) "
        "or put a chromium binary on PATH."
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the output readable
        pass


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


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


def pages(site: Path) -> list[str]:
    skip = ("_static/", "_sources/", "_images/", "_sphinx_design_static/")
    found = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel.startswith(skip):
            continue
        found.append(rel)
    return found


def check(site: Path, update_readme: bool) -> int:
    from playwright.sync_api import sync_playwright

    if not (site / "index.html").exists():
        raise SystemExit(f"check-site: {site}/index.html not found; run `make book` first")
    chromium = find_chromium()
    server, base = serve(site)
    all_pages = pages(site)
    ids_cache: dict[str, set[str]] = {}
    problems: list[str] = []
    # The root index.html is a bare redirect with no <link rel="icon">; a browser
    # may then ask for /favicon.ico (whether it does before the redirect is a
    # race), so require the file rather than hope the request is not made.
    if not (site / "favicon.ico").is_file():
        problems.append("favicon.ico: missing at the site root (browsers request it; "
                        "see html_extra_path in _config.yml)")
    checked_links = 0
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            for rel in all_pages:
                page = context.new_page()
                errors: list[str] = []
                page.on("console", lambda m, e=errors: _console(m, e))
                page.on("pageerror", lambda exc, e=errors: e.append(f"uncaught: {exc}"))
                aborted: list[str] = []
                page.on("requestfailed", lambda r, e=errors, a=aborted: _failed(r, base, e, a))
                page.on("response", lambda r, e=errors: e.append(f"HTTP {r.status}: {r.url}")
                        if r.url.startswith(base) and r.status >= 400 else None)
                page.goto(base + rel, wait_until="load")
                page.wait_for_load_state("networkidle")
                # A request cut short because the page navigated away (the root
                # index.html redirects at once) is not a failure a reader sees;
                # an aborted request on a page that stayed put is.
                if page.url == base + rel:
                    errors.extend(aborted)
                # Math: wait for MathJax to finish, then look for unrendered or broken math.
                math = page.evaluate(
                    """() => new Promise(resolve => {
                        const nodes = document.querySelectorAll('.math');
                        if (!nodes.length) { resolve({math: 0}); return; }
                        if (!window.MathJax || !window.MathJax.Hub) {
                            resolve({math: nodes.length, error: 'MathJax did not load'}); return; }
                        MathJax.Hub.Queue(() => resolve({
                            math: nodes.length,
                            rendered: document.querySelectorAll('.MathJax, .MathJax_Display, .MathJax_CHTML, .MathJax_SVG').length,
                            errors: Array.from(document.querySelectorAll('.MathJax_Error, merror, [data-mjx-error]')).map(n => n.textContent).slice(0, 3),
                            raw: Array.from(document.querySelectorAll('.math')).filter(n => /\\\\\\(|\\\\\\[/.test(n.textContent) && !n.querySelector('.MathJax, .MathJax_Display, script')).length,
                        }));
                    })"""
                )
                if math.get("error"):
                    errors.append(math["error"])
                elif math["math"]:
                    if math["rendered"] == 0 or math["raw"]:
                        errors.append(f"math not rendered: {math}")
                    if math["errors"]:
                        errors.append(f"math errors: {math['errors']}")
                # Images: every <img> loaded; chapters show all their figures.
                images = page.evaluate(
                    "() => Array.from(document.images).map(i => [i.currentSrc || i.src, i.complete && i.naturalWidth > 0])"
                )
                for src, ok in images:
                    if not ok:
                        errors.append(f"image did not load: {src}")
                want = expected_figures(rel)
                have = sum(1 for src, _ in images if "/_images/" in src)
                if have < want:
                    errors.append(f"shows {have} figures, its notebook has {want}")
                # Local links: the file exists and the #fragment is an id on that page.
                hrefs = page.evaluate("() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
                for href in sorted(set(hrefs)):
                    if not href.startswith(base):
                        continue
                    url, fragment = urldefrag(href)
                    path = unquote(urlparse(url).path.lstrip("/"))
                    target = site / path
                    if target.is_dir():
                        target = target / "index.html"
                        path = (Path(path) / "index.html").as_posix()
                    checked_links += 1
                    if not target.exists():
                        errors.append(f"broken link: {href}")
                        continue
                    if fragment and target.suffix == ".html":
                        if path not in ids_cache:
                            import re

                            text = target.read_text(encoding="utf-8", errors="replace")
                            ids_cache[path] = set(re.findall(r'\bid="([^"]+)"', text))
                        if unquote(fragment) not in ids_cache[path]:
                            errors.append(f"broken anchor: {href}")
                if rel == SCREENSHOT_PAGE:
                    shots = ROOT / "_build" / "screenshots"
                    shots.mkdir(parents=True, exist_ok=True)
                    shot = shots / "chapter.png"
                    # Show the chapter's first figure with the text around it.
                    page.evaluate(
                        "() => { const img = document.querySelectorAll('main img')[1]"
                        " || document.querySelector('main img');"
                        " if (img) img.scrollIntoView({block: 'center'}); }"
                    )
                    page.wait_for_timeout(300)
                    page.screenshot(path=str(shot), full_page=False)
                    if update_readme:
                        (ROOT / "docs").mkdir(exist_ok=True)
                        shutil.copyfile(shot, ROOT / "docs" / "chapter-screenshot.png")
                page.close()
                status = "ok" if not errors else f"{len(errors)} problem(s)"
                print(f"  {rel:45s} {status}  ({len(images)} images, {math['math']} math)")
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
    args = parser.parse_args(argv)
    return check(args.site, args.update_readme)


if __name__ == "__main__":
    sys.exit(main())
