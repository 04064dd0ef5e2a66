"""Data for training: mini-batches, one-hot labels, a train/test split, and accuracy.

These functions see numpy arrays only, never layers. The toy data sets are
in `nanonet.datasets`, imported on its own.
"""

from .batching import batches, one_hot, train_test_split
from .metrics import accuracy

__all__ = ["accuracy", "batches", "one_hot", "train_test_split"]
