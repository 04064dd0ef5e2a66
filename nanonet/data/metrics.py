"""Metrics: how good a trained network is, in numbers people read."""

from __future__ import annotations

import numpy as np


def accuracy(scores: object, labels: object) -> float:
    """The fraction of samples whose highest score is at their label.

    Args:
        scores: The network's outputs, shape (N, C): one score per class
            (logits or probabilities: only which is largest matters).
        labels: The true classes, integers of shape (N,).

    Returns:
        A float from 0 to 1.

    Raises:
        ValueError: If the shapes do not fit or there are no samples.
        TypeError: If the labels are not integers.

    Examples:
        >>> accuracy([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]], [1, 0, 0])
        0.6666666666666666
    """
    scores, labels = np.asarray(scores), np.asarray(labels)
    if scores.ndim != 2:
        raise ValueError(f"scores must have shape (N, C), one row per sample, got {scores.shape}")
    if labels.dtype.kind not in "iu":
        raise TypeError(f"labels must be integers, got an array of dtype {labels.dtype}")
    if labels.shape != scores.shape[:1]:
        raise ValueError(
            f"labels must have shape ({scores.shape[0]},), one per row of scores, "
            f"got {labels.shape}"
        )
    if len(labels) == 0:
        raise ValueError("there are no samples to score")
    return float(np.mean(np.argmax(scores, axis=1) == labels))
