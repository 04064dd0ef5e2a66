"""nanonet.datasets: shapes, determinism, the curves, argument errors, and the digits."""

import ast
import hashlib
import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest

from nanonet import datasets
from nanonet.datasets import circles, load_digits, moons, spirals, xor

ROOT = Path(__file__).resolve().parent.parent
GENERATORS = {"moons": moons, "circles": circles, "spirals": spirals, "xor": xor}

# What tools/make_digits.py printed when it made nanonet/_data/digits.npz, after
# checking that its arrays equal sklearn.datasets.load_digits() (scikit-learn 1.9.1).
DIGITS_SHA256 = "87ff0c9e40dc7e2c0e34e7257799c2e3f3aec1a016363bb11cad869ec428a826"
DIGITS_PER_CLASS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


@pytest.fixture(params=sorted(GENERATORS))
def generate(request):
    return GENERATORS[request.param]


# --- shapes, dtypes and class sizes -------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 3, 7, 100])
def test_generators_return_n_points_in_two_columns_and_int_labels(generate, n):
    X, y = generate(n, noise=0.1, rng=0)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert np.isfinite(X).all()


@pytest.mark.parametrize(
    ("call", "counts"),
    [
        (lambda: moons(100, rng=0), [50, 50]),
        (lambda: moons(7, rng=0), [4, 3]),
        (lambda: moons(1, rng=0), [1, 0]),
        (lambda: circles(9, rng=0), [5, 4]),
        (lambda: xor(9, rng=0), [5, 4]),
        (lambda: spirals(300, rng=0), [100, 100, 100]),
        (lambda: spirals(10, classes=4, rng=0), [3, 3, 2, 2]),
        (lambda: spirals(11, classes=2, rng=0), [6, 5]),
        (lambda: spirals(2, classes=3, rng=0), [1, 1, 0]),
    ],
)
def test_classes_are_balanced_and_the_first_ones_take_the_remainder(call, counts):
    X, y = call()
    assert np.bincount(y, minlength=len(counts)).tolist() == counts


def test_spirals_labels_run_from_0_to_classes_minus_1():
    X, y = spirals(50, classes=5, rng=0)
    assert sorted(set(y.tolist())) == [0, 1, 2, 3, 4]


# --- randomness ---------------------------------------------------------------


def test_the_same_seed_gives_the_same_data(generate):
    X1, y1 = generate(50, noise=0.2, rng=7)
    X2, y2 = generate(50, noise=0.2, rng=7)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    X3, y3 = generate(50, noise=0.2, rng=np.random.default_rng(7))
    assert np.array_equal(X1, X3) and np.array_equal(y1, y3)


def test_different_seeds_give_different_data(generate):
    X1, y1 = generate(50, noise=0.2, rng=1)
    X2, y2 = generate(50, noise=0.2, rng=2)
    assert not np.array_equal(X1, X2)
    assert not np.array_equal(y1, y2)  # a different order, too


def test_a_generator_is_used_and_advanced(generate):
    rng = np.random.default_rng(0)
    X1, _ = generate(50, noise=0.2, rng=rng)
    X2, _ = generate(50, noise=0.2, rng=rng)
    assert not np.array_equal(X1, X2)


def test_no_rng_means_fresh_randomness(generate):
    X1, _ = generate(50, noise=0.2)
    X2, _ = generate(50, noise=0.2)
    assert not np.array_equal(X1, X2)


def test_samples_come_shuffled_not_in_class_order(generate):
    X, y = generate(60, rng=0)
    assert not np.array_equal(y, np.sort(y))
    assert len(set(y[:10].tolist())) > 1  # the first mini-batch mixes classes


def test_for_one_seed_noise_moves_the_points_and_keeps_their_order(generate):
    clean_X, clean_y = generate(20_000, rng=3)
    noisy_X, noisy_y = generate(20_000, noise=0.2, rng=3)
    assert np.array_equal(noisy_y, clean_y)
    moved = noisy_X - clean_X
    assert abs(moved.mean()) < 0.01
    assert moved.std(axis=0) == pytest.approx([0.2, 0.2], abs=0.005)  # noise is a std


def test_numpy_numbers_are_accepted():
    X, y = spirals(np.int64(12), np.int32(4), noise=np.float32(0.1), rng=np.int64(5))
    assert X.shape == (12, 2) and np.bincount(y).tolist() == [3, 3, 3, 3]
    X, y = circles(np.uint8(10), factor=np.float64(0.25), rng=0)
    assert np.unique(np.hypot(X[:, 0], X[:, 1]).round(12)).tolist() == [0.25, 1.0]


# --- without noise, the points are on their curves ----------------------------


def test_moons_lie_on_two_unit_half_circles():
    X, y = moons(102, rng=0)  # 51 points each: the middle ones are the top and the bottom
    upper, lower = X[y == 0], X[y == 1]
    assert np.hypot(upper[:, 0], upper[:, 1]) == pytest.approx(np.ones(51), abs=1e-12)
    assert np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5) == pytest.approx(np.ones(51), abs=1e-12)
    assert upper[:, 1].min() >= 0.0 and lower[:, 1].max() <= 0.5
    # each half circle runs end to end: from x = 1 to -1, and from x = 0 to 2
    assert (upper[:, 0].min(), upper[:, 0].max()) == pytest.approx((-1.0, 1.0), abs=1e-12)
    assert (lower[:, 0].min(), lower[:, 0].max()) == pytest.approx((0.0, 2.0), abs=1e-12)
    assert (upper[:, 1].max(), lower[:, 1].min()) == pytest.approx((1.0, -0.5), abs=1e-12)


def test_moons_points_are_evenly_spaced_along_each_half_circle():
    X, y = moons(10, rng=0)
    angles = np.sort(np.arctan2(X[y == 0, 1], X[y == 0, 0]))
    assert angles == pytest.approx(np.linspace(0.0, np.pi, 5), abs=1e-12)


@pytest.mark.parametrize("factor", [0.5, 0.1, 0.9])
def test_circles_lie_on_radii_1_and_factor_evenly_spaced(factor):
    X, y = circles(40, factor=factor, rng=0)
    outer, inner = X[y == 0], X[y == 1]
    assert np.hypot(outer[:, 0], outer[:, 1]) == pytest.approx(np.ones(20), abs=1e-12)
    assert np.hypot(inner[:, 0], inner[:, 1]) == pytest.approx(np.full(20, factor), abs=1e-12)
    for points in (outer, inner):
        angles = np.sort(np.arctan2(points[:, 1], points[:, 0]) % (2 * np.pi))
        # the first point is at angle 0, so arctan2 gives it exactly: no wrap-around
        assert angles == pytest.approx(np.arange(20) * 2 * np.pi / 20, abs=1e-12)


def test_circles_default_factor_is_one_half():
    X, y = circles(10, rng=0)
    assert np.hypot(X[y == 1, 0], X[y == 1, 1]) == pytest.approx(np.full(5, 0.5))


@pytest.mark.parametrize("classes", [2, 3, 5])
def test_spirals_lie_on_their_arms(classes):
    X, y = spirals(30 * classes, classes, rng=0)
    for k in range(classes):
        arm = X[y == k]
        radius = np.hypot(arm[:, 0], arm[:, 1])
        order = np.argsort(radius)
        radius, arm = radius[order], arm[order]
        assert radius == pytest.approx(np.linspace(0.0, 1.0, 30), abs=1e-12)
        angle = 4.0 * (k + radius)  # arm k starts at angle 4k and turns 4 radians
        expected = radius[:, None] * np.column_stack([np.sin(angle), np.cos(angle)])
        assert arm == pytest.approx(expected, abs=1e-12)


def test_classic_spirals_end_where_cs231n_says():
    X, y = spirals(6, classes=3, rng=0)  # two points per arm: its start and its end
    ends = {k: X[(y == k) & (np.hypot(X[:, 0], X[:, 1]) > 0.5)][0] for k in range(3)}
    for k in range(3):  # CS231n: r = 1, t = 4 (k + 1); the point is (r sin t, r cos t)
        assert ends[k] == pytest.approx([np.sin(4 * (k + 1)), np.cos(4 * (k + 1))], abs=1e-12)
    assert (X[np.hypot(X[:, 0], X[:, 1]) < 0.5] == 0.0).all()  # every arm starts at (0, 0)


def test_xor_lies_on_the_corners_of_its_truth_table():
    X, y = xor(11, rng=0)  # 6 of class 0, 5 of class 1
    for point, label in zip(X.tolist(), y.tolist(), strict=True):
        assert point in ([0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0])
        assert label == int(point[0]) ^ int(point[1])  # the exclusive or
    # each class alternates between its two corners, the first taking the odd one
    points, counts = np.unique(X, axis=0, return_counts=True)
    assert points.tolist() == [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    assert counts.tolist() == [3, 3, 2, 3]


def test_xor_noise_spreads_each_corner_into_a_cloud():
    X, y = xor(4000, noise=0.1, rng=0)
    corners = np.round(X)  # noise of 0.1 leaves (almost) every point nearest its corner
    assert np.mean((corners[:, 0] != corners[:, 1]) == (y == 1)) > 0.999
    assert (X - corners).std(axis=0) == pytest.approx([0.1, 0.1], abs=0.005)


# --- argument errors, in the user's terms -------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: moons(0), ValueError, "n must be at least 1, got 0"),
        (lambda: circles(-5), ValueError, "n must be at least 1, got -5"),
        (lambda: moons(10.0), TypeError, "n must be an int, got float"),
        (lambda: spirals("10"), TypeError, "n must be an int, got str"),
        (lambda: moons(True), TypeError, "n must be an int, got bool"),
        (lambda: moons(None), TypeError, "n must be an int, got NoneType"),
        (lambda: spirals(10, 1), ValueError, "classes must be at least 2, got 1"),
        (lambda: spirals(10, 0), ValueError, "classes must be at least 2, got 0"),
        (lambda: spirals(10, 2.5), TypeError, "classes must be an int, got float"),
        (lambda: moons(10, noise=-0.1), ValueError, "at least 0, got -0.1"),
        (lambda: circles(10, noise=float("nan")), ValueError, "finite number .* got nan"),
        (lambda: spirals(10, noise=float("inf")), ValueError, "finite number .* got inf"),
        (lambda: moons(10, noise="0.1"), TypeError, "noise must be a number, got str"),
        (lambda: moons(10, noise=None), TypeError, "noise must be a number, got NoneType"),
        (lambda: moons(10, noise=False), TypeError, "noise must be a number, got bool"),
        (lambda: circles(10, factor=0.0), ValueError, "between 0 and 1 .* got 0.0"),
        (lambda: circles(10, factor=1), ValueError, "between 0 and 1 .* got 1.0"),
        (lambda: circles(10, factor=-0.5), ValueError, "between 0 and 1 .* got -0.5"),
        (lambda: circles(10, factor=float("nan")), ValueError, "between 0 and 1 .* got nan"),
        (lambda: circles(10, factor="0.5"), TypeError, "factor must be a number, got str"),
        (lambda: moons(10, rng=-1), ValueError, "rng, a seed, must be at least 0, got -1"),
        (lambda: moons(10, rng=1.5), TypeError, "rng must be None, an int seed or a nump"),
        (lambda: circles(10, rng="0"), TypeError, "got str"),
        (lambda: spirals(10, rng=True), TypeError, "got bool"),
        (lambda: moons(10, rng=np.random.RandomState(0)), TypeError, "got RandomState"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        moons(10, 0.1)
    with pytest.raises(TypeError):
        circles(10, 0.1)
    with pytest.raises(TypeError):
        spirals(10, 3, 0.1)
    with pytest.raises(TypeError):
        xor(10, 0.1)


# --- load_digits --------------------------------------------------------------


def test_load_digits_shapes_dtypes_and_values():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 16.0
    assert np.array_equal(X, np.round(X))  # pixel counts: whole numbers
    assert np.bincount(y).tolist() == DIGITS_PER_CLASS
    assert y[:12].tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]


def test_load_digits_is_scikit_learns_data_bit_for_bit():
    X, y = load_digits()
    assert ((0 <= X) & (X <= 16)).all()  # so one byte per value holds it exactly
    digest = hashlib.sha256(X.astype(np.uint8).tobytes())
    digest.update(y.astype(np.uint8).tobytes())
    assert digest.hexdigest() == DIGITS_SHA256


def test_load_digits_returns_new_arrays_each_call():
    X1, y1 = load_digits()
    X1[:] = -1.0
    y1[:] = -1
    X2, y2 = load_digits()
    assert X2.min() == 0.0 and y2.min() == 0
    assert not np.shares_memory(X1, X2) and not np.shares_memory(y1, y2)


def test_the_data_and_its_licence_ship_inside_the_package():
    data = files("nanonet") / "_data"
    assert (data / "digits.npz").is_file()
    licence = (data / "DIGITS-LICENSE.txt").read_text()
    for fact in ["CC BY 4.0", "creativecommons.org/licenses/by/4.0", "10.24432/C50P49"]:
        assert fact in licence
    assert "Alpaydin" in licence and "Kaynak" in licence and "1998" in licence
    with np.load(datasets._DIGITS_FILE, allow_pickle=False) as archive:
        assert sorted(archive.files) == ["labels", "pixels"]
        assert archive["pixels"].dtype == np.uint8 and archive["labels"].dtype == np.uint8


def test_gitignore_lets_the_digits_into_the_wheel():
    # hatchling builds the wheel without the files .gitignore ignores, and it ignores *.npz.
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout")
    command = ["git", "check-ignore", "--no-index", "-q", "nanonet/_data/digits.npz"]
    assert subprocess.run(command, cwd=ROOT).returncode == 1  # 1: not ignored; 0: ignored


def test_source_and_licence_are_stated_in_the_docstring_and_the_docs():
    page = (ROOT / "docs" / "api" / "datasets.md").read_text()
    for text in (datasets.__doc__, load_digits.__doc__, page):
        assert "CC BY 4.0" in text and "10.24432/C50P49" in text and "Alpaydin" in text


# --- kept apart from the rest of nanonet --------------------------------------


def test_import_nanonet_neither_imports_datasets_nor_reads_the_digits():
    script = """
import sys
opened = []
sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == "open" else None)

import nanonet
assert "nanonet.datasets" not in sys.modules, "import nanonet imported nanonet.datasets"
assert not [path for path in opened if path.endswith("digits.npz")], "digits.npz was read"

from nanonet.datasets import load_digits
assert not [path for path in opened if path.endswith("digits.npz")], "read on import"
load_digits()
assert [path for path in opened if path.endswith("digits.npz")], "the hook saw no read"
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"


def test_datasets_import_nothing_from_nanonet():
    tree = ast.parse((ROOT / "nanonet" / "datasets.py").read_text())
    imported = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):  # "from . import x" has level 1, module None
            imported.append("." * node.level + (node.module or ""))
    assert sorted(imported) == ["__future__", "math", "numbers", "numpy", "pathlib"]
