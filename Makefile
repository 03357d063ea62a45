# nnbook: every target bootstraps the virtual environment it needs, so each
# works on a fresh clone with nothing but python3 and pip.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export JUPYTER_PLATFORM_DIRS := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

# The chapters run many small matrix products, for which BLAS threads cost more
# than they bring (and oversubscribe a busy machine); benchmarks set their own.
unit test execute book: export OPENBLAS_NUM_THREADS := 1
unit test execute book: export OMP_NUM_THREADS := 1

.PHONY: help venv export execute test unit book pdf dist student check-site check-lite bench clean lab

help:
	@echo "make test        unit tests + doctests + nbval over every notebook + export check + strict book build"
	@echo "make unit        the unit tests only (tests/; no notebooks, no book)"
	@echo "make book        build the website (warnings are errors); prints where index.html is"
	@echo "make pdf         the whole book as one PDF: _build/pdf/nnbook.pdf (needs XeLaTeX; checked)"
	@echo "make dist        the library as a release: wheel and sdist in dist/ (python -m build)"
	@echo "make export      regenerate nnbook/ from the notebooks' #| export cells"
	@echo "make execute     re-run every notebook in place (byte-stable), then export"
	@echo "make student     write the student edition (exercises to write, no solutions) to _build/student/"
	@echo "make bench       benchmarks (nnbook vs the GEMM floor, PyTorch and scikit-learn when installed)"
	@echo "make check-site  open every page of the built site in headless Chromium"
	@echo "make check-lite  run every chapter in the site's JupyterLite app, offline, in headless Chromium"
	@echo "make lab         open the chapters in JupyterLab (installs it into .venv on first use)"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,book]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3" >/dev/null
	touch $(STAMP)

venv: $(STAMP)

export: $(STAMP)
	$(BIN)/python tools/export.py

execute: $(STAMP)
	$(BIN)/python tools/run_notebooks.py --time $(NOTEBOOKS)
	$(BIN)/python tools/export.py

# The student edition: the same notebooks with every output cleared, each exercise's body
# replaced by `raise NotImplementedError` and the markdown solutions removed (tools/student.py).
# Grade one with `python -m nnbook.grade _build/student/02_layers.ipynb`.
student: $(STAMP)
	$(BIN)/python tools/student.py

# Tests run in parallel (pytest-xdist), one worker per CPU by default: every worker is a
# single-threaded process (one BLAS thread) and each notebook runs in one worker from
# its first cell to its last (--dist loadscope), so the cells keep their order.
# `make test JOBS=0` runs everything in this process, one test after another.
# `make unit` runs tests/ only; `make test` adds the docstring examples of nnbook/
# (--doctest-modules; nbval only collects .ipynb files, so it leaves them alone),
# every notebook under nbval (the --nbval options are in pyproject's addopts) and
# the strict book build.
JOBS ?= auto
PYTEST_JOBS = $(if $(filter 0,$(JOBS)),,-n $(JOBS) --dist loadscope)

unit: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_JOBS) tests

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_JOBS) --doctest-modules tests nnbook book
	$(MAKE) --no-print-directory book

# The book's JupyterLite app serves Pyodide from the site when PYODIDE_DIR holds the
# Pyodide 0.27.7 files (default: ../shared/pyodide-0.27.7), else loads it from the
# network at run time; tools/build_lite.py says which.
PYODIDE_DIR ?= $(abspath ../shared/pyodide-0.27.7)
book: export PYODIDE_DIR := $(PYODIDE_DIR)
book: $(STAMP)
	rm -rf _build/html _build/.doctrees
	$(BIN)/jupyter-book build . --all -W -n --keep-going
	@echo "The book is at $(CURDIR)/_build/html/index.html"

# The PDF edition, from the same sources as the website: Sphinx's LaTeX builder, then
# XeLaTeX (tools/build_pdf.py; its own build folders under _build/pdf, so the website in
# _build/html is left alone), then tools/check_pdf.py checks the result (every chapter
# with its number, figures, no unresolved reference, bookmarks, the version on page 1).
# Without XeLaTeX and latexmk it stops and names the Debian packages to install. When the
# website was built before, the PDF is copied into it and the site's links to it appear.
pdf: $(STAMP)
	$(BIN)/python tools/build_pdf.py
	$(BIN)/python tools/check_pdf.py

# The library as a release: a wheel and a source archive in dist/, the version from
# pyproject.toml (tests/test_release.py installs the wheel into a fresh environment).
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	@ls -l dist

lab: $(STAMP)
	$(BIN)/python -m pip install --quiet jupyterlab
	$(BIN)/jupyter lab book/

# A missing Chromium is an error; CI, on a fresh machine, passes
# CHECK_SITE_FLAGS=--install-chromium to apt-get it (as root).
CHECK_SITE_FLAGS ?=

check-site: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[site]"
	@test -f _build/html/index.html || $(MAKE) --no-print-directory book
	$(BIN)/python tools/check_site.py $(CHECK_SITE_FLAGS)

# Every chapter runs in the book's JupyterLite app with no network but loopback;
# CHECK_LITE_FLAGS="--chapters 01,05" runs a subset (tools/check_lite.py --help).
CHECK_LITE_FLAGS ?=

check-lite: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[site]"
	@test -f _build/html/lite/lab/index.html || $(MAKE) --no-print-directory book
	$(BIN)/python tools/check_lite.py $(CHECK_LITE_FLAGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf _build dist .pytest_cache .hypothesis
