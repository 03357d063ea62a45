#!/usr/bin/env python3
"""Build the book's JupyterLite app (Python in the reader's browser) into ``<site>/lite``.

Called by ``tools/sphinx_nnbook.py`` when ``make book`` has written the site; it can
also be run alone (``python tools/build_lite.py [--site DIR]``) after a book build.

The app is JupyterLab running the Pyodide kernel (jupyterlite-core and
jupyterlite-pyodide-kernel, pinned in pyproject's ``lite`` extra). Its files are the
book's notebooks and ``matplotlibrc``; the page of each chapter links to its notebook.
Where Pyodide comes from:

* **local** (self-contained): ``PYODIDE_DIR`` (environment or make variable; by
  default ``../shared/pyodide-0.27.7`` beside the checkout, if it exists) holds the
  Pyodide 0.27.7 runtime and package files. The lock ``pyodide-lock.json`` and the
  runtime files must match the sha256 pinned below (those of npm's
  ``pyodide@0.27.7``), and every package file the sha256 the lock gives it; each is
  checked before it is copied, and a mismatch fails the build. The site serves them
  with a lock trimmed to the packages present (and their dependencies) plus an
  ``nnbook`` entry for the wheel built from this checkout, so ``import nnbook`` loads
  it as ``import numpy`` loads numpy. The ``comm`` wheel that the kernel installs at
  start-up is served too (fetched once from PyPI with pip, checked by sha256, kept in
  ``_build/lite-cache``), and PyPI fallback is off: the app makes no request beyond
  the site.
* **network**: without that directory the app loads Pyodide and its packages from
  the kernel's default public location when a reader starts a kernel; nnbook's wheel
  is then only in the app's own package index (``%pip install nnbook``).

The build prints which of the two it did.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
WORK = ROOT / "_build" / "lite-src"      # the --lite-dir handed to `jupyter lite build`
CACHE = ROOT / "_build" / "lite-cache"   # the comm wheel, kept across builds
DEFAULT_PYODIDE_DIR = ROOT.parent / "shared" / "pyodide-0.27.7"

# npm's pyodide@0.27.7: the runtime files and the official lock, by sha256.
RUNTIME = {
    "pyodide-lock.json": "9c45b916001a750f4102fc287494f3eab215909c7535c626a20db80fd6333e2c",
    "pyodide.js": "b4cb23a53aba19c221659b9fb40a2f18281d685691dc06647fb0afd0681baf98",
    "pyodide.mjs": "04c052c815abb0bf2981fa38c2dfa58e3120ee5288c956df2b2a15e301782c5f",
    "pyodide.asm.js": "6b4c90de5b7172873f04f21884d0e9d2274e305fe32116558fe3e4fbe3618d51",
    "pyodide.asm.wasm": "a50dd1843f805a0b7c45b61037ee0d7b26dfe85efe0e18ef95a34ad24e401f5f",
    "python_stdlib.zip": "16611534726e5d8ac2bd8f926410b2dcb8d6f49aa24913463533b457a2115c16",
}
# jupyterlite-pyodide-kernel 0.5.2 installs comm when a kernel starts.
COMM = ("comm==0.2.2", "comm-0.2.2-py3-none-any.whl",
        "e6fb86cb70ff661ee8c9c14e7d36d6de3b4066f1441be4063df9c5009f0a64d3")
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"


def log(message: str) -> None:
    print(f"[nnbook lite] {message}", flush=True)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pyodide_dir() -> Path | None:
    """The Pyodide distribution to serve, or None (then the app uses the network)."""
    configured = os.environ.get("PYODIDE_DIR")
    path = Path(configured) if configured else DEFAULT_PYODIDE_DIR
    if (path / "pyodide-lock.json").is_file():
        return path.resolve()
    log(f"no Pyodide distribution at {path}" + ("" if configured else " (set PYODIDE_DIR)"))
    return None


def verified_copy(source: Path, target: Path, expected: str) -> None:
    data = source.read_bytes()
    if sha256(data) != expected:
        raise SystemExit(f"build_lite: {source} does not match its sha256 {expected}; refusing to serve it")
    target.write_bytes(data)


def copy_pyodide(source: Path, target: Path, nnbook_wheel: Path) -> int:
    """Copy the verified runtime and package files to ``target`` with a trimmed lock
    (plus nnbook); return the number of packages the lock keeps."""
    target.mkdir(parents=True)
    for name, expected in RUNTIME.items():
        verified_copy(source / name, target / name, expected)
    lock = json.loads((target / "pyodide-lock.json").read_text(encoding="utf-8"))
    packages = {name: entry for name, entry in lock["packages"].items()
                if (source / entry["file_name"]).is_file()}
    # Drop any package whose dependencies are not all served, until none is left
    # (the lock's keys are normalized names; its "depends" lists are not).
    def served(name: str) -> bool:
        return re.sub(r"[-_.]+", "-", name).lower() in packages

    while missing := [n for n, e in packages.items() if not all(map(served, e["depends"]))]:
        for name in missing:
            log(f"not serving {name}: it depends on a package not in {source}")
            del packages[name]
    for entry in packages.values():
        verified_copy(source / entry["file_name"], target / entry["file_name"], entry["sha256"])
    data = nnbook_wheel.read_bytes()
    (target / nnbook_wheel.name).write_bytes(data)
    version = nnbook_wheel.name.split("-")[1]
    packages["nnbook"] = {
        "name": "nnbook", "version": version, "file_name": nnbook_wheel.name,
        "install_dir": "site", "sha256": sha256(data), "package_type": "package",
        "imports": ["nnbook"], "depends": ["numpy"], "unvendored_tests": False,
    }
    lock["packages"] = dict(sorted(packages.items()))
    (target / "pyodide-lock.json").write_text(json.dumps(lock, indent=1), encoding="utf-8")
    return len(packages)


def build_nnbook_wheel(out: Path) -> Path:
    """nnbook's wheel, built from a copy of the checkout (so no build/ is left in it)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in ("pyproject.toml", "README.md", "LICENSE"):
            if (ROOT / name).exists():
                shutil.copy(ROOT / name, src / name)
        shutil.copytree(ROOT / "nnbook", src / "nnbook",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                        "--no-build-isolation", "--wheel-dir", str(out), str(src)],
                       check=True, stdout=subprocess.DEVNULL)
    (wheel,) = out.glob("nnbook-*.whl")
    return wheel


def comm_wheel() -> Path:
    """The comm wheel, from the cache or fetched from PyPI with pip, checked by sha256."""
    requirement, name, expected = COMM
    wheel = CACHE / name
    if not (wheel.is_file() and sha256(wheel.read_bytes()) == expected):
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--only-binary=:all:", "--dest", str(CACHE), requirement],
                       check=True)
        if sha256(wheel.read_bytes()) != expected:
            raise SystemExit(f"build_lite: {wheel} does not match its sha256 {expected}")
    return wheel


def build(site: Path = SITE) -> None:
    pyodide = pyodide_dir()
    if WORK.exists():
        shutil.rmtree(WORK)
    pypi = WORK / "pypi"   # the app's own package index (piplite)
    pypi.mkdir(parents=True)
    nnbook_wheel = build_nnbook_wheel(pypi)
    kernel_settings: dict = {}
    if pyodide:
        n = copy_pyodide(pyodide, WORK / "static" / "pyodide", nnbook_wheel)
        shutil.copy(comm_wheel(), pypi)
        kernel_settings["disablePyPIFallback"] = True
        how = (f"serves Pyodide from the site: verified {pyodide} by sha256, "
               f"lock trimmed to {n} packages including nnbook")
    else:
        how = ("will load Pyodide from the network (its default public location) when a "
               "reader starts a kernel, and nnbook only with `%pip install nnbook` (from the "
               "app's own index); set PYODIDE_DIR to serve Pyodide from the site")
    (WORK / "jupyter-lite.json").write_text(json.dumps({
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "litePluginSettings": {KERNEL_PLUGIN: kernel_settings},
            # window.jupyterapp, through which `make check-lite` runs the notebooks.
            "exposeAppInBrowser": "true",
        },
    }, indent=1), encoding="utf-8")
    (WORK / "jupyter_lite_config.json").write_text(json.dumps({
        "LiteBuildConfig": {"apps": ["lab"], "no_sourcemaps": True,
                            "no_unused_shared_packages": True},
    }, indent=1), encoding="utf-8")
    # The reader's files, laid out as in book/: the chapters, their matplotlibrc, and the cached
    # results some chapters read (book/data/*.json, written by the scripts in experiments/).
    files = WORK / "files"
    for path in sorted((ROOT / "book").glob("*.ipynb")) + [ROOT / "book" / "matplotlibrc"]:
        (files / path.name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, files / path.name)
    data = ROOT / "book" / "data"
    if data.is_dir():
        shutil.copytree(data, files / "data")
    # The student edition (exercise bodies removed), beside the chapters, for "Try it yourself".
    student = subprocess.run([sys.executable, str(ROOT / "tools" / "student.py"), "--out",
                              str(files / "student")], capture_output=True, text=True)
    if student.returncode:
        sys.stdout.write(student.stdout + student.stderr)
        raise SystemExit(f"build_lite: tools/student.py failed ({student.returncode})")
    output = site / "lite"
    if output.exists():
        shutil.rmtree(output)
    command = [sys.executable, "-m", "jupyter", "lite", "build", "--lite-dir", str(WORK),
               "--output-dir", str(output)]
    done = subprocess.run(command, cwd=WORK, capture_output=True, text=True)
    if done.returncode:
        sys.stdout.write(done.stdout + done.stderr)
        raise SystemExit(f"build_lite: `jupyter lite build` failed ({done.returncode})")
    log(f"JupyterLite app built in {output}: it {how}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=SITE)
    build(parser.parse_args(argv).site)
    return 0


if __name__ == "__main__":
    sys.exit(main())
