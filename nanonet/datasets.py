"""Toy data sets: four pictures in the plane to classify, and 1,797 handwritten digits.

Import them from this module; ``import nanonet`` does not load it:

    from nanonet.datasets import moons, circles, spirals, xor, load_digits

`moons`, `circles`, `spirals` and `xor` draw points in the plane, in classes
that no straight line separates, so a classifier has to learn a curved
boundary. They draw the familiar pictures: scikit-learn's ``make_moons`` and
``make_circles``, the spirals of Stanford's CS231n course, and the truth
table of the exclusive or. Each returns
``(X, y)``: the points, ``X``, a float64 array of shape (n, 2), and their
classes, ``y``, an int64 array of shape (n,) holding 0, 1, ... The three
share their conventions:

* ``n`` is the total number of samples. They are split between the classes
  as evenly as possible; when they do not divide evenly, the first classes
  get one sample more (``n % classes`` of them).
* ``noise`` is the standard deviation of the Gaussian noise added to each
  coordinate of each point. With ``noise=0`` every point lies exactly on its
  curve (for `xor`, on its corner).
* ``rng`` is where the randomness comes from: None for fresh randomness
  each call, an int seed (the same seed gives the same data, with the same
  numpy version), or a ``numpy.random.Generator``, which is used and so
  advanced.
* The samples come shuffled, in an order drawn from ``rng``, so that any
  slice of them (a mini-batch) mixes the classes. The order and the noise are
  drawn the same way whatever ``noise`` is: for one seed, changing ``noise``
  moves the points but keeps their order.

`load_digits` returns the 8x8 handwritten digits of the UCI "Optical
Recognition of Handwritten Digits" data set (E. Alpaydin and C. Kaynak,
1998, UCI Machine Learning Repository, https://doi.org/10.24432/C50P49),
licensed CC BY 4.0. They ship inside nanonet, in ``nanonet/_data/``, with
their licence: nothing is ever downloaded.

The data sets see nothing of the rest of nanonet: they are plain numpy.

Examples:
    >>> import numpy as np
    >>> from nanonet.datasets import moons
    >>> X, y = moons(200, noise=0.1, rng=0)
    >>> X.shape, X.dtype, y.shape, y.dtype
    ((200, 2), dtype('float64'), (200,), dtype('int64'))
    >>> np.bincount(y)
    array([100, 100])
    >>> X_again, y_again = moons(200, noise=0.1, rng=0)
    >>> bool(np.array_equal(X, X_again) and np.array_equal(y, y_again))
    True
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from pathlib import Path

import numpy as np

__all__ = ["circles", "load_digits", "moons", "spirals", "xor"]

# The digits file ships inside the package, next to its licence.
_DIGITS_FILE = Path(__file__).parent / "_data" / "digits.npz"


def moons(
    n: int, *, noise: float = 0.0, rng: np.random.Generator | int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: class 0 above, class 1 below.

    Class 0 lies on the upper half of the unit circle, from (1, 0) to
    (-1, 0). Class 1 lies on the same half circle turned upside down and
    moved to the right and down, from (0, 0.5) to (2, 0.5): its centre is
    (1, 0.5). Points are evenly spaced along each half circle, as in
    scikit-learn's ``make_moons``.

    Args:
        n: The total number of samples, at least 1. With an odd ``n``
            class 0 has one sample more.
        noise: The standard deviation of the Gaussian noise added to each
            coordinate; 0 keeps the points on their half circles.
        rng: None for fresh randomness, an int seed, or a
            ``numpy.random.Generator``.

    Returns:
        X: The points, float64 of shape (n, 2), in shuffled order.
        y: Their classes, 0 or 1, int64 of shape (n,), in the same order.

    Raises:
        TypeError: If ``n`` is not an int, ``noise`` is not a number or
            ``rng`` is none of None, an int and a Generator.
        ValueError: If ``n`` is below 1, ``noise`` is negative, inf or NaN,
            or the seed is negative.

    Examples:
        >>> import numpy as np
        >>> from nanonet.datasets import moons
        >>> X, y = moons(101, rng=0)
        >>> X.shape, np.bincount(y)
        ((101, 2), array([51, 50]))

        Without noise, class 0 is on the unit circle, class 1 on the circle
        of radius 1 around (1, 0.5):

        >>> np.unique(np.hypot(X[y == 0, 0], X[y == 0, 1]).round(6))
        array([1.])
        >>> np.unique(np.hypot(X[y == 1, 0] - 1, X[y == 1, 1] - 0.5).round(6))
        array([1.])
    """
    n, noise, rng = _check_count(n, "n", minimum=1), _check_noise(noise), _as_generator(rng)
    above, below = (np.linspace(0.0, np.pi, size) for size in _class_sizes(n, 2))
    return _finish(
        [
            np.column_stack([np.cos(above), np.sin(above)]),
            np.column_stack([1.0 - np.cos(below), 0.5 - np.sin(below)]),
        ],
        noise,
        rng,
    )


def circles(
    n: int,
    *,
    noise: float = 0.0,
    factor: float = 0.5,
    rng: np.random.Generator | int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """A circle inside another: class 0 on the outer circle, class 1 on the inner one.

    Both circles are centred on (0, 0). The outer one has radius 1, the inner
    one radius ``factor``. Points are evenly spaced around each circle,
    starting at angle 0, as in scikit-learn's ``make_circles``.

    Args:
        n: The total number of samples, at least 1. With an odd ``n``
            class 0 has one sample more.
        noise: The standard deviation of the Gaussian noise added to each
            coordinate; 0 keeps the points on their circles.
        factor: The inner circle's radius, between 0 and 1 (both excluded).
        rng: None for fresh randomness, an int seed, or a
            ``numpy.random.Generator``.

    Returns:
        X: The points, float64 of shape (n, 2), in shuffled order.
        y: Their classes, 0 or 1, int64 of shape (n,), in the same order.

    Raises:
        TypeError: If ``n`` is not an int, ``noise`` or ``factor`` is not a
            number, or ``rng`` is none of None, an int and a Generator.
        ValueError: If ``n`` is below 1, ``noise`` is negative, inf or NaN,
            ``factor`` is not strictly between 0 and 1, or the seed is
            negative.

    Examples:
        >>> import numpy as np
        >>> from nanonet.datasets import circles
        >>> X, y = circles(100, factor=0.3, rng=0)
        >>> X.shape, np.bincount(y)
        ((100, 2), array([50, 50]))

        Without noise, every point is at distance 1 or ``factor`` from (0, 0):

        >>> np.unique(np.hypot(X[:, 0], X[:, 1]).round(6))
        array([0.3, 1. ])
    """
    n, noise, rng = _check_count(n, "n", minimum=1), _check_noise(noise), _as_generator(rng)
    factor = _check_factor(factor)
    outer, inner = (
        np.linspace(0.0, 2.0 * np.pi, size, endpoint=False) for size in _class_sizes(n, 2)
    )
    return _finish(
        [
            np.column_stack([np.cos(outer), np.sin(outer)]),
            factor * np.column_stack([np.cos(inner), np.sin(inner)]),
        ],
        noise,
        rng,
    )


def spirals(
    n: int,
    classes: int = 3,
    *,
    noise: float = 0.0,
    rng: np.random.Generator | int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Spiral arms winding out of (0, 0), one arm per class.

    The classic spiral data of Stanford's CS231n course (and of the book
    *Neural Networks from Scratch*). Along arm ``k`` the radius ``r`` grows
    evenly from 0 to 1 while the angle ``t = 4 * (k + r)`` turns 4 radians
    (about 229 degrees); a point is ``(r sin t, r cos t)``. Every arm starts
    at (0, 0), so without noise all classes share that one point.

    Unlike the original, which adds its noise to the angle, ``noise`` here
    is added to the points, as for `moons` and `circles`.

    Args:
        n: The total number of samples, at least 1. When ``n`` is not a
            multiple of ``classes``, the remainder, ``n % classes``, goes
            one sample each to the first classes.
        classes: The number of classes (arms), at least 2.
        noise: The standard deviation of the Gaussian noise added to each
            coordinate; 0 keeps the points on their arms.
        rng: None for fresh randomness, an int seed, or a
            ``numpy.random.Generator``.

    Returns:
        X: The points, float64 of shape (n, 2), in shuffled order.
        y: Their classes, 0 to ``classes - 1``, int64 of shape (n,), in the
            same order.

    Raises:
        TypeError: If ``n`` or ``classes`` is not an int, ``noise`` is not a
            number, or ``rng`` is none of None, an int and a Generator.
        ValueError: If ``n`` is below 1, ``classes`` below 2, ``noise`` is
            negative, inf or NaN, or the seed is negative.

    Examples:
        >>> import numpy as np
        >>> from nanonet.datasets import spirals
        >>> X, y = spirals(300, noise=0.05, rng=0)
        >>> X.shape, np.bincount(y)
        ((300, 2), array([100, 100, 100]))
        >>> X, y = spirals(10, classes=4, rng=0)
        >>> np.bincount(y)
        array([3, 3, 2, 2])
    """
    n, noise, rng = _check_count(n, "n", minimum=1), _check_noise(noise), _as_generator(rng)
    classes = _check_count(classes, "classes", minimum=2)
    arms = []
    for k, size in enumerate(_class_sizes(n, classes)):
        radius = np.linspace(0.0, 1.0, size)
        angle = 4.0 * (k + radius)
        arms.append(radius[:, None] * np.column_stack([np.sin(angle), np.cos(angle)]))
    return _finish(arms, noise, rng)


def xor(
    n: int, *, noise: float = 0.0, rng: np.random.Generator | int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The truth table of the exclusive or: class 1 where exactly one coordinate is 1.

    Class 0 lies on the corners (0, 0) and (1, 1) of the unit square, class
    1 on the corners (0, 1) and (1, 0): the four inputs and answers of XOR,
    the smallest problem that no straight line solves, so a network needs a
    hidden layer for it. Each class's points alternate between its two
    corners, the first one (0, 0) or (0, 1) taking one point more when they
    do not divide evenly. Without noise there are only four distinct points;
    noise spreads each corner into a cloud.

    Args:
        n: The total number of samples, at least 1. With an odd ``n``
            class 0 has one sample more.
        noise: The standard deviation of the Gaussian noise added to each
            coordinate; 0 keeps the points on their corners.
        rng: None for fresh randomness, an int seed, or a
            ``numpy.random.Generator``.

    Returns:
        X: The points, float64 of shape (n, 2), in shuffled order.
        y: Their classes, 0 or 1, int64 of shape (n,), in the same order.

    Raises:
        TypeError: If ``n`` is not an int, ``noise`` is not a number or
            ``rng`` is none of None, an int and a Generator.
        ValueError: If ``n`` is below 1, ``noise`` is negative, inf or NaN,
            or the seed is negative.

    Examples:
        >>> import numpy as np
        >>> from nanonet.datasets import xor
        >>> X, y = xor(8, rng=0)
        >>> np.bincount(y)
        array([4, 4])

        Without noise, the points are the truth table's four inputs, and the
        class is the exclusive or of the two coordinates:

        >>> np.unique(X, axis=0)
        array([[0., 0.],
               [0., 1.],
               [1., 0.],
               [1., 1.]])
        >>> bool(np.array_equal(y, X[:, 0].astype(int) ^ X[:, 1].astype(int)))
        True
        >>> X, y = xor(200, noise=0.1, rng=0)   # four clouds of 50 points
        >>> X.shape, np.bincount(y)
        ((200, 2), array([100, 100]))
    """
    n, noise, rng = _check_count(n, "n", minimum=1), _check_noise(noise), _as_generator(rng)
    zeros, ones = _class_sizes(n, 2)
    class_0 = np.array([[0.0, 0.0], [1.0, 1.0]])[np.arange(zeros) % 2]  # alternating corners
    class_1 = np.array([[0.0, 1.0], [1.0, 0.0]])[np.arange(ones) % 2]
    return _finish([class_0, class_1], noise, rng)


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 8x8 handwritten digits of the UCI "Optical Recognition of Handwritten Digits".

    Each row of ``X`` is one digit: an 8x8 image, row by row, whose pixels
    count the "on" pixels of a 4x4 block of the original 32x32 bitmap, so
    they are integers from 0 to 16 (stored as floats: scale them, say
    ``X / 16``, before training). ``y`` holds the digit shown, 0 to 9, about
    180 of each. These are the same arrays, in the same order, as
    scikit-learn's ``load_digits``: the test set (``optdigits.tes``) of the
    UCI data set, written by 13 people.

    Source and licence: E. Alpaydin and C. Kaynak, "Optical Recognition of
    Handwritten Digits", UCI Machine Learning Repository, 1998,
    https://doi.org/10.24432/C50P49, licensed under Creative Commons
    Attribution 4.0 (CC BY 4.0, https://creativecommons.org/licenses/by/4.0/).
    nanonet ships them as ``nanonet/_data/digits.npz`` (about 45 kB), values
    unchanged, next to ``DIGITS-LICENSE.txt``; nothing is downloaded.

    Returns:
        X: The images, float64 of shape (1797, 64), one row per digit.
        y: The digits they show, int64 of shape (1797,).

    Every call reads the file and returns new arrays: changing them changes
    nothing for the next call.

    Examples:
        >>> import numpy as np
        >>> from nanonet.datasets import load_digits
        >>> X, y = load_digits()
        >>> X.shape, X.dtype, y.shape, y.dtype
        ((1797, 64), dtype('float64'), (1797,), dtype('int64'))
        >>> y[:10]
        array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
        >>> np.bincount(y)
        array([178, 182, 177, 183, 181, 182, 181, 179, 174, 180])

        The first image is a zero:

        >>> print(X[0].reshape(8, 8).astype(int))
        [[ 0  0  5 13  9  1  0  0]
         [ 0  0 13 15 10 15  5  0]
         [ 0  3 15  2  0 11  8  0]
         [ 0  4 12  0  0  8  8  0]
         [ 0  5  8  0  0  9  8  0]
         [ 0  4 11  0  1 12  7  0]
         [ 0  2 14  5 10 12  0  0]
         [ 0  0  6 13 10  0  0  0]]
    """
    with np.load(_DIGITS_FILE, allow_pickle=False) as archive:
        pixels, labels = archive["pixels"], archive["labels"]
    return pixels.astype(np.float64), labels.astype(np.int64)


def _class_sizes(n: int, classes: int) -> list[int]:
    """Split ``n`` samples as evenly as possible; the first ``n % classes`` get one more."""
    return [n // classes + (1 if k < n % classes else 0) for k in range(classes)]


def _finish(
    parts: list[np.ndarray], noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Stack the classes' points, label them, add the noise and shuffle."""
    X = np.concatenate(parts)
    y = np.repeat(np.arange(len(parts), dtype=np.int64), [len(part) for part in parts])
    X = X + rng.normal(0.0, noise, size=X.shape)  # drawn even for noise 0: same order
    order = rng.permutation(len(y))
    return X[order], y[order]


def _check_count(value: object, name: str, *, minimum: int) -> int:
    """Check that ``value`` is an int (not a bool) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    count = int(value)
    if count < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {count}")
    return count


def _check_noise(noise: object) -> float:
    """Check that ``noise`` is a finite number of at least 0."""
    if isinstance(noise, bool) or not isinstance(noise, Real):
        raise TypeError(f"noise must be a number, got {type(noise).__name__}")
    deviation = float(noise)
    if not (math.isfinite(deviation) and deviation >= 0.0):
        raise ValueError(
            "noise is a standard deviation: it must be a finite number of at least 0, "
            f"got {deviation}"
        )
    return deviation


def _check_factor(factor: object) -> float:
    """Check that ``factor`` is a number strictly between 0 and 1."""
    if isinstance(factor, bool) or not isinstance(factor, Real):
        raise TypeError(f"factor must be a number, got {type(factor).__name__}")
    radius = float(factor)
    if not 0.0 < radius < 1.0:  # False for NaN too
        raise ValueError(
            "factor is the inner circle's radius, the outer one's being 1: "
            f"it must be between 0 and 1 (both excluded), got {radius}"
        )
    return radius


def _as_generator(rng: object) -> np.random.Generator:
    """Turn None, an int seed or a Generator into a Generator."""
    if rng is None or isinstance(rng, np.random.Generator):
        return np.random.default_rng(rng)  # a Generator comes back as it is
    if isinstance(rng, bool) or not isinstance(rng, Integral):
        raise TypeError(
            f"rng must be None, an int seed or a numpy.random.Generator, got {type(rng).__name__}"
        )
    seed = int(rng)
    if seed < 0:
        raise ValueError(f"rng, a seed, must be at least 0, got {seed}")
    return np.random.default_rng(seed)
