#!/usr/bin/env python3
"""Run every chapter of the built book in its JupyterLite app, in headless Chromium.

``make check-lite`` serves ``_build/html`` on 127.0.0.1 and, for each page that has a
"Run in your browser" link (the chapters, the engineering appendices, the appendix
of errors), opens the page, clicks the link, waits for the notebook and its Pyodide
kernel in the app, runs all cells and waits for the kernel to go idle. It fails on:

* an error output, or a traceback on stderr, in any cell; a cell that did not run;
* fewer figures than the stored notebook has;
* any request that left loopback: every such request is blocked and logged
  (Playwright routes; Chromium also resolves no host name but localhost).

It prints the time per chapter. ``--chapters 01,05,11`` checks a subset (a name
matches a notebook whose name starts with it). ``--student 03`` also runs the student
edition of the matching chapters through their "Try it yourself" link: every cell must run
and every exercise's check cell must report "todo" (the reader has written nothing yet),
which shows that the self-checking exercises work in the browser. It saves a screenshot of the first
chapter it runs to ``_build/screenshots/lite.png``; ``--update-readme`` also copies it
to ``docs/lite-screenshot.png``, which the README shows. Browser and server helpers
come from ``check_site.py``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_site import (  # noqa: E402  (tools/ is not a package)
    CHROMIUM_ARGS, ROOT, SCREENSHOTS, SITE, expected_figures, find_chromium, serve,
)

RUN_LINK = "a.nnbook-run-lite-link"
TRY_LINK = "a.nnbook-try-lite-link"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
README_SCREENSHOT = ROOT / "docs" / "lite-screenshot.png"
# No host name resolves but localhost: a request that escaped the routes still fails.
OFFLINE_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1"]

# The notebook the app shows, once its kernel is idle (window.jupyterapp is exposed
# by the app's jupyter-lite.json: exposeAppInBrowser).
KERNEL_IDLE_JS = """() => {
    const app = window.jupyterapp, panel = app && app.shell.currentWidget;
    const kernel = panel && panel.sessionContext && panel.sessionContext.session
        && panel.sessionContext.session.kernel;
    return kernel ? kernel.status : null;
}"""
RUN_ALL_JS = "() => window.jupyterapp.commands.execute('notebook:run-all-cells')"
# The kernel's status and, per code cell, whether it ran and what it printed
# (images reduced to their MIME type).
STATE_JS = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    const model = panel.content.model, cells = [];
    for (let i = 0; i < model.cells.length; i++) {
        const cell = model.cells.get(i);
        if (cell.type !== 'code') continue;
        const outputs = cell.outputs.toJSON().map(o => ({
            type: o.output_type, name: o.name || '',
            text: Array.isArray(o.text) ? o.text.join('') : (o.text || ''),
            ename: o.ename || '', evalue: o.evalue || '',
            traceback: (o.traceback || []).join('\\n'),
            mimes: Object.keys(o.data || {}),
            grade: (o.data && o.data['application/vnd.nnbook.grade+json']) || null,
        }));
        cells.push({index: i, count: cell.executionCount, state: cell.executionState,
                    first: cell.sharedModel.getSource().split('\\n')[0], outputs});
    }
    return {status: kernel ? kernel.status : 'none', cells};
}"""
# Hide the file browser and bring the notebook's first figure into view.
SCROLL_TO_FIGURE_JS = """async () => {
    const app = window.jupyterapp, notebook = app.shell.currentWidget.content;
    app.shell.collapseLeft();
    for (let i = 0; i < notebook.model.cells.length; i++) {
        const outputs = notebook.model.cells.get(i).outputs;
        if (outputs && outputs.toJSON().some(o => o.data && o.data['image/png'])) {
            notebook.activeCellIndex = i;
            await notebook.scrollToItem(i, 'center');
            break;
        }
    }
}"""


def is_loopback(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("data", "blob", "about") or parsed.hostname in LOOPBACK


def block_network(context, escaped: list[str]) -> None:
    """Abort and log every request that is not to loopback, from pages, workers and
    the app's service worker alike."""
    def abort(route):
        escaped.append(route.request.url)
        route.abort()
    context.route(lambda url: not is_loopback(url), abort)
    context.on("request", lambda r: None if is_loopback(r.url) else escaped.append(r.url))


def chapters(site: Path, selected: list[str] | None) -> list[str]:
    """The pages with a "Run in your browser" link (book/NAME.html), in name order."""
    found = [p.relative_to(site).as_posix() for p in sorted((site / "book").glob("*.html"))
             if 'class="btn btn-sm btn-outline-primary nnbook-run-lite-link"' in p.read_text(encoding="utf-8")]
    if selected:
        found = [p for p in found if any(Path(p).stem.startswith(s) for s in selected)]
        if not found:
            raise SystemExit(f"check-lite: no chapter matches {selected}")
    return found


def last_frame(traceback: str) -> str:
    """The innermost frame of a traceback (file and lines), without colour codes."""
    lines = [l for l in ANSI.sub("", traceback).splitlines() if l.strip()]
    frames = [i for i, l in enumerate(lines) if l.startswith(("File ", "Cell In", "  File "))]
    tail = lines[frames[-1]:-1] if frames else lines[-3:-1]
    return "\n".join("        " + l for l in tail[:8])


def problems_in(state: dict, rel: str, student: bool = False) -> tuple[list[str], int, int]:
    """(problems, code cells run, figures) from the notebook's final state; for the student
    edition, also every check cell must have graded its (unwritten) exercise "todo"."""
    problems, ran, figures = [], 0, 0
    notebook = Path(rel).stem + ".ipynb"
    for cell in state["cells"]:
        where = f"{notebook} cell {cell['index']} ({cell['first'][:60]!r})"
        if cell["count"] is None:
            problems.append(f"{where}: did not run")
            continue
        ran += 1
        for out in cell["outputs"]:
            if out["type"] == "error":
                problems.append(f"{where}: {out['ename']}: {out['evalue']}\n{last_frame(out['traceback'])}")
            elif out["type"] == "stream" and out["name"] == "stderr" and "Traceback" in out["text"]:
                problems.append(f"{where}: traceback on stderr: {out['text'][-300:]!r}")
            figures += "image/png" in out["mimes"]
        if student and cell["first"].startswith("#| check"):
            grades = [out["grade"] for out in cell["outputs"] if out.get("grade")]
            if not any(g.get("status") == "todo" for g in grades):
                problems.append(f"{where}: the check did not grade the unwritten exercise 'todo' "
                                f"(got {[g.get('status') for g in grades]})")
    want = expected_figures(rel)
    if figures < want:
        problems.append(f"{notebook}: {figures} figures, the stored notebook has {want}")
    return problems, ran, figures


def run_all(lite, deadline: float) -> dict | None:
    """Run all cells; the notebook's state once the kernel is idle with no cell
    running (three polls in a row), or None at the deadline."""
    lite.evaluate(RUN_ALL_JS)
    stable = 0
    while stable < 3:
        if time.monotonic() > deadline:
            return None
        lite.wait_for_timeout(1000)
        state = lite.evaluate(STATE_JS)
        busy = state["status"] != "idle" or any(c["state"] == "running" for c in state["cells"])
        stable = 0 if busy else stable + 1
    return state


def run_chapter(browser, base: str, rel: str, timeout: float, screenshot: Path | None,
                student: bool = False) -> tuple[list[str], list[str]]:
    """Open the chapter through its link ("Try it yourself" for the student edition), run all
    cells; print a line and return (problems, requests that left loopback)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    escaped: list[str] = []
    block_network(context, escaped)
    start = time.monotonic()
    summary = ""
    try:
        page = context.new_page()
        page.goto(base + rel, wait_until="load")
        with context.expect_page() as popup:
            page.locator(TRY_LINK if student else RUN_LINK).first.click()
        lite = popup.value
        lite.wait_for_function(f"() => ({KERNEL_IDLE_JS})() === 'idle'",
                               timeout=timeout * 1000, polling=1000)
        ready = time.monotonic() - start
        state = run_all(lite, start + timeout)
        if state is None:
            problems = [f"{rel}: not finished after {timeout:.0f} s"]
        else:
            problems, ran, figures = problems_in(state, rel, student)
            summary = (f"{ran:3d}/{len(state['cells'])} cells, {figures:2d} figures, "
                       f"kernel ready after {ready:4.0f} s, ")
            if screenshot is not None:
                lite.evaluate(SCROLL_TO_FIGURE_JS)
                lite.wait_for_timeout(1500)
                lite.screenshot(path=str(screenshot))
    except Exception as exc:  # a timeout or a page that broke: report it, go on
        problems = [f"{rel}: {type(exc).__name__}: {str(exc).splitlines()[0]}"]
    finally:
        context.close()
    escaped = sorted(set(escaped))   # a request is seen by both the route and the listener
    status = "ok" if not problems and not escaped else f"{len(problems) + len(escaped)} problem(s)"
    name = ("student/" if student else "") + Path(rel).stem
    print(f"  {name:28s} {status:12s} {summary}{time.monotonic() - start:6.1f} s", flush=True)
    for line in problems + [f"request left loopback (blocked): {u}" for u in escaped]:
        print(f"      {line}", flush=True)
    return problems, escaped


def check(site: Path, selected: list[str] | None, timeout: float, update_readme: bool,
          install_chromium: bool = False, student: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    if not (site / "lite" / "lab" / "index.html").exists():
        raise SystemExit(f"check-lite: {site}/lite not found; run `make book` first")
    todo = [(rel, False) for rel in chapters(site, selected)]
    if student:
        todo += [(rel, True) for rel in chapters(site, student)
                 if "nnbook-try-lite-link" in (site / rel).read_text(encoding="utf-8")]
    chromium = find_chromium(install=install_chromium)
    server, base = serve(site)
    problems: list[str] = []
    escaped: list[str] = []
    started = time.monotonic()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "lite.png"
    shot.unlink(missing_ok=True)
    print(f"check-lite: {len(todo)} chapters, all cells of each in JupyterLite (Pyodide), "
          "no network but loopback", flush=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS + OFFLINE_ARGS)
            for i, (rel, as_student) in enumerate(todo):
                found, left = run_chapter(browser, base, rel, timeout, shot if i == 0 else None, as_student)
                problems += found
                escaped += left
            browser.close()
    finally:
        server.shutdown()
    print(f"check-lite: {len(todo)} chapters in {time.monotonic() - started:.0f} s, "
          f"{len(escaped)} requests left loopback (blocked)")
    if update_readme and shot.exists():
        shutil.copyfile(shot, README_SCREENSHOT)
    if problems or escaped:
        print("check-lite: FAILED")
        for line in problems + [f"request left loopback (blocked): {u}" for u in sorted(set(escaped))]:
            print("  " + line)
        return 1
    print("check-lite: all chapters ran")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=SITE)
    parser.add_argument("--chapters", type=lambda s: [c for c in s.split(",") if c],
                        help="comma-separated name prefixes (01,05,eng_errors); default: all")
    parser.add_argument("--student", type=lambda s: [c for c in s.split(",") if c],
                        help="also run the student edition of these chapters (name prefixes)")
    parser.add_argument("--timeout", type=float, default=1200,
                        help="seconds allowed per chapter, kernel start included (default 1200)")
    parser.add_argument("--update-readme", action="store_true",
                        help="also copy the screenshot to docs/lite-screenshot.png")
    parser.add_argument("--install-chromium", action="store_true",
                        help="apt-get Debian's chromium when missing (needs root)")
    args = parser.parse_args(argv)
    return check(args.site, args.chapters, args.timeout, args.update_readme, args.install_chromium,
                 args.student)


if __name__ == "__main__":
    sys.exit(main())
