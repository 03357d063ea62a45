"""The library as a release: a wheel and an sdist that install and train on their own.

``python -m build`` (what ``make dist`` runs) makes both from the checkout; the wheel is
then installed into a fresh virtual environment that has nothing but pip, so the only
thing the install can pull in is nnbook's one runtime dependency, NumPy; a short
training through the public API must work there. The version must be the one in
``pyproject.toml`` everywhere (the package metadata and ``nnbook.__version__``).

These tests need the ``build`` package (in the ``test`` extra, so ``make test`` and CI
have it) and, for the fresh environment, pip's access to NumPy (an index or a cache).
"""

import re
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("build")

ROOT = Path(__file__).resolve().parent.parent

# A training run through the public API only, as a user of the installed wheel writes it.
TRAIN = r"""
import sys
import numpy as np
import nnbook
from nnbook.datasets import make_spirals
from nnbook.optim import Adam
from nnbook.train import evaluate, fit

assert "site-packages" in nnbook.__file__, nnbook.__file__
print("version", nnbook.__version__)
X, y = make_spirals(n_per_class=60, n_classes=3, rng=np.random.default_rng(0))
rng = np.random.default_rng(1)
model = nnbook.Sequential(nnbook.Linear(2, 32, rng=rng), nnbook.ReLU(), nnbook.Linear(32, 3, rng=rng))
loss = nnbook.CrossEntropyLoss()
history = fit(model, loss, Adam(model.parameters(), lr=0.02), X, y, epochs=60, batch_size=32,
              rng=np.random.default_rng(2))
first, last = history["loss"][0], history["loss"][-1]
accuracy = float(np.mean(model(X).argmax(axis=1) == y))
print(f"loss {first:.3f} -> {last:.3f}, training accuracy {accuracy:.3f}")
sys.exit(0 if last < 0.5 * first and accuracy > 0.8 else 1)
"""


def pyproject_version():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return re.search(r'^version\s*=\s*"([^"]+)"', text, flags=re.MULTILINE).group(1)


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """The sdist and the wheel built from this checkout, as ``make dist`` builds them.

    Without isolation: the build backend (setuptools>=77) is already in the project's
    environment, so the tests need no network for the build itself.
    """
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    wheels = list(out.glob("nnbook-*.whl"))
    sdists = list(out.glob("nnbook-*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(p.name for p in out.iterdir())
    return wheels[0], sdists[0]


def test_the_wheel_and_sdist_carry_the_version_of_pyproject(dist):
    wheel, sdist = dist
    version = pyproject_version()
    assert wheel.name.startswith(f"nnbook-{version}-py3-none-any")
    assert sdist.name == f"nnbook-{version}.tar.gz"


def test_the_wheel_holds_every_module_of_the_package_and_nothing_else(dist):
    wheel, _ = dist
    names = zipfile.ZipFile(wheel).namelist()
    modules = sorted(n for n in names if n.startswith("nnbook/"))
    expected = sorted(f"nnbook/{p.name}" for p in (ROOT / "nnbook").glob("*.py"))
    assert modules == expected
    top = {n.split("/")[0] for n in names}
    assert top == {"nnbook", f"nnbook-{pyproject_version()}.dist-info"}


def test_the_wheel_requires_numpy_alone(dist):
    wheel, _ = dist
    with zipfile.ZipFile(wheel) as zf:
        metadata = zf.read(f"nnbook-{pyproject_version()}.dist-info/METADATA").decode()
    assert f"\nVersion: {pyproject_version()}\n" in metadata
    requires = [line.split(":", 1)[1].strip() for line in metadata.splitlines()
                if line.startswith("Requires-Dist:")]
    runtime = [r for r in requires if "extra ==" not in r]
    assert runtime == ["numpy>=1.24"]


def test_the_sdist_holds_the_package_its_metadata_and_readme(dist):
    _, sdist = dist
    prefix = f"nnbook-{pyproject_version()}/"
    names = set(tarfile.open(sdist).getnames())
    for name in ("pyproject.toml", "README.md", "PKG-INFO", "nnbook/__init__.py", "nnbook/layers.py"):
        assert prefix + name in names, name


def test_the_wheel_installs_into_a_fresh_environment_and_trains(dist, tmp_path):
    wheel, _ = dist
    env = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False, clear=True).create(env)
    python = env / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)],
                             capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stdout[-2000:] + install.stderr[-2000:]
    listed = subprocess.run([str(python), "-m", "pip", "list", "--format=freeze"],
                            capture_output=True, text=True, check=True).stdout
    packages = {line.split("==")[0].lower() for line in listed.split()}
    assert packages - {"pip", "setuptools", "wheel"} == {"nnbook", "numpy"}
    # Run from the temporary directory, so the checkout's nnbook/ cannot be imported.
    run = subprocess.run([str(python), "-c", TRAIN], capture_output=True, text=True, cwd=tmp_path,
                         timeout=600, env={"PATH": str(env / "bin"), "OPENBLAS_NUM_THREADS": "1"})
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"version {pyproject_version()}" in run.stdout
