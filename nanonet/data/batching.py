"""Data for training: mini-batches, one-hot labels and a train/test split.

These functions see numpy arrays only, never layers.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .._checks import as_count, as_generator


def batches(
    x: object, y: object, batch_size: int, *, shuffle: bool = False, rng: object = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(x_batch, y_batch)`` pairs that cover every sample exactly once.

    One loop over ``batches(...)`` is one pass over the data (an *epoch*).
    The samples are the rows of ``x`` and ``y``, taken ``batch_size`` at a
    time; the last batch is smaller when the sizes do not divide.

    Args:
        x: The inputs, an array whose first axis runs over the samples.
        y: The targets, with as many samples as ``x``.
        batch_size: How many samples per batch, at least 1.
        shuffle: Take the samples in a random order (a new one each pass if
            ``rng`` is a Generator you keep; see below).
        rng: Where the order comes from when shuffling: a
            ``numpy.random.Generator`` (create it once, before the passes,
            so each pass gets a new order) or an int seed (each pass then
            gets the same order).

    Raises:
        TypeError: If ``batch_size`` is not an int, or ``rng`` is neither
            a Generator nor an int.
        ValueError: If ``x`` and ``y`` differ in length, are empty or are
            single numbers, or ``batch_size`` is below 1.

    Examples:
        >>> x, y = np.arange(10.0).reshape(5, 2), np.array([0, 1, 0, 1, 1])
        >>> for x_batch, y_batch in batches(x, y, batch_size=2):
        ...     print(x_batch.tolist(), y_batch.tolist())
        [[0.0, 1.0], [2.0, 3.0]] [0, 1]
        [[4.0, 5.0], [6.0, 7.0]] [0, 1]
        [[8.0, 9.0]] [1]
        >>> rng = np.random.default_rng(0)
        >>> sorted(y for _, ys in batches(x, y, 2, shuffle=True, rng=rng) for y in ys.tolist())
        [0, 0, 1, 1, 1]
    """
    x, y = np.asarray(x), np.asarray(y)
    batch_size = as_count(batch_size, "batch_size")
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError("x and y must be arrays of samples (one per row), not single numbers")
    if len(x) != len(y):
        raise ValueError(f"x and y must hold the same number of samples, got {len(x)} and {len(y)}")
    if len(x) == 0:
        raise ValueError("x and y hold no samples")
    order = as_generator(rng).permutation(len(x)) if shuffle else None
    for start in range(0, len(x), batch_size):
        if order is None:
            yield x[start : start + batch_size], y[start : start + batch_size]
        else:
            chosen = order[start : start + batch_size]
            yield x[chosen], y[chosen]


def one_hot(labels: object, num_classes: int) -> np.ndarray:
    """Turn integer class labels into rows of zeros with a 1 at the label.

    Args:
        labels: Integer labels from 0 to ``num_classes - 1``.
        num_classes: How many classes there are.

    Returns:
        A float64 array of shape ``(*labels.shape, num_classes)``.

    Raises:
        TypeError: If the labels are not integers.
        ValueError: If a label is negative or not below ``num_classes``.

    Examples:
        >>> one_hot([0, 2], num_classes=3)
        array([[1., 0., 0.],
               [0., 0., 1.]])
    """
    num_classes = as_count(num_classes, "num_classes")
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"labels must be integers, got an array of dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"labels must be from 0 to {num_classes - 1}, got values from "
            f"{labels.min()} to {labels.max()}"
        )
    return np.eye(num_classes)[labels]


def train_test_split(
    x: object, y: object, test_fraction: float = 0.25, *, rng: object = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split the samples at random into a training set and a test set.

    A network is judged on samples it never trained on: the test set.

    Args:
        x: The inputs, one sample per row.
        y: The targets, with as many samples as ``x``.
        test_fraction: The share of samples for the test set, between 0 and 1
            (rounded to a whole number of samples, at least one in each set).
        rng: A ``numpy.random.Generator`` or an int seed for the shuffle.

    Returns:
        ``(x_train, x_test, y_train, y_test)``, in scikit-learn's order.

    Raises:
        TypeError: If ``test_fraction`` is not a number.
        ValueError: If ``x`` and ``y`` differ in length, there are fewer
            than 2 samples, or ``test_fraction`` is not between 0 and 1.

    Examples:
        >>> x, y = np.arange(20.0).reshape(10, 2), np.arange(10)
        >>> x_train, x_test, y_train, y_test = train_test_split(x, y, 0.3, rng=0)
        >>> x_train.shape, x_test.shape
        ((7, 2), (3, 2))
        >>> sorted(y_train.tolist() + y_test.tolist()) == list(range(10))  # each sample once
        True
    """
    x, y = np.asarray(x), np.asarray(y)
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, (int, float, np.floating)):
        raise TypeError(f"test_fraction must be a number, got {type(test_fraction).__name__}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    if x.ndim == 0 or y.ndim == 0 or len(x) != len(y):
        raise ValueError("x and y must be arrays with the same number of samples (rows)")
    if len(x) < 2:
        raise ValueError(f"a split needs at least 2 samples, got {len(x)}")
    n_test = min(max(round(len(x) * test_fraction), 1), len(x) - 1)
    order = as_generator(rng).permutation(len(x))
    test, train = order[:n_test], order[n_test:]
    return x[train], x[test], y[train], y[test]
