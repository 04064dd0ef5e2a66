"""Make ``nanonet/_data/digits.npz`` from scikit-learn's copy of the UCI digits. Run once.

nanonet ships the 1,797 8x8 handwritten digits of the UCI "Optical
Recognition of Handwritten Digits" data set (E. Alpaydin and C. Kaynak,
1998, DOI 10.24432/C50P49, CC BY 4.0) so that `nanonet.datasets.load_digits`
never downloads anything. scikit-learn ships the same 1,797 digits (the UCI
test set, ``optdigits.tes``) as ``sklearn/datasets/data/digits.csv.gz``: one
row per digit, 64 pixel counts (0..16, row by row) and then the label (0..9).
This script turns that CSV into a compressed ``.npz`` of two uint8 arrays,
``pixels`` (1797, 64) and ``labels`` (1797,), in the same order, values
unchanged.

Usage, from the repository's root::

    python tools/make_digits.py [path/to/digits.csv.gz]

Without a path, the CSV is taken from an installed scikit-learn. Install it
in a scratch virtual environment, never in nanonet's: nanonet does not
depend on it. When scikit-learn is installed, the script also checks that the
arrays equal ``sklearn.datasets.load_digits()`` exactly. It prints the file's
size and the SHA-256 that ``tests/test_datasets.py`` checks.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np

OUTPUT = Path(__file__).resolve().parent.parent / "nanonet" / "_data" / "digits.npz"


def sklearn_csv() -> Path:
    """The path of scikit-learn's ``digits.csv.gz``."""
    try:
        import sklearn.datasets
    except ImportError:
        sys.exit("scikit-learn is not installed: pass the path of digits.csv.gz")
    return Path(sklearn.datasets.__file__).parent / "data" / "digits.csv.gz"


def read_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read and check the CSV: (pixels uint8 (1797, 64), labels uint8 (1797,))."""
    table = np.loadtxt(path, delimiter=",", dtype=np.int64)  # reads .gz files too
    assert table.shape == (1797, 65), table.shape
    pixels, labels = table[:, :64], table[:, 64]
    assert pixels.min() == 0 and pixels.max() == 16, (pixels.min(), pixels.max())
    assert sorted(set(labels.tolist())) == list(range(10))
    return pixels.astype(np.uint8), labels.astype(np.uint8)


def checksum(pixels: np.ndarray, labels: np.ndarray) -> str:
    """SHA-256 of the pixels then the labels, one byte per value (as the tests compute it)."""
    digest = hashlib.sha256(pixels.astype(np.uint8).tobytes())
    digest.update(labels.astype(np.uint8).tobytes())
    return digest.hexdigest()


def compare_with_sklearn(pixels: np.ndarray, labels: np.ndarray) -> None:
    """Check the arrays against ``sklearn.datasets.load_digits()``, if scikit-learn is here."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        print("scikit-learn is not installed: not compared with its load_digits()")
        return
    data, target = load_digits(return_X_y=True)
    assert np.array_equal(pixels, data) and np.array_equal(labels, target)
    print("equal to sklearn.datasets.load_digits(), value for value")


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else sklearn_csv()
    pixels, labels = read_csv(source)
    compare_with_sklearn(pixels, labels)
    OUTPUT.parent.mkdir(exist_ok=True)
    np.savez_compressed(OUTPUT, pixels=pixels, labels=labels)
    with np.load(OUTPUT, allow_pickle=False) as archive:  # read back what was written
        assert np.array_equal(archive["pixels"], pixels)
        assert np.array_equal(archive["labels"], labels)
    print(f"read  {source} ({source.stat().st_size:,} bytes)")
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size:,} bytes)")
    print(f"sha256 of pixels and labels: {checksum(pixels, labels)}")
    print(f"digits per class 0..9: {np.bincount(labels).tolist()}")


if __name__ == "__main__":
    main()
