"""batches, one_hot, train_test_split and accuracy."""

import numpy as np
import pytest

from nanonet import accuracy, batches, one_hot, train_test_split


@pytest.mark.parametrize("n, size", [(10, 3), (10, 5), (10, 10), (10, 64), (1, 1)])
@pytest.mark.parametrize("shuffle", [False, True])
def test_every_sample_exactly_once_per_pass_last_batch_smaller(n, size, shuffle):
    x = np.arange(2.0 * n).reshape(n, 2)
    y = np.arange(n)
    pairs = list(batches(x, y, size, shuffle=shuffle, rng=0))
    sizes = [len(yb) for _, yb in pairs]
    assert sizes == [size] * (n // size) + ([n % size] if n % size else [])
    seen = np.concatenate([yb for _, yb in pairs])
    assert sorted(seen.tolist()) == list(range(n))
    for xb, yb in pairs:  # inputs stay with their targets
        np.testing.assert_array_equal(xb[:, 0], 2.0 * yb)


def test_shuffling_is_seeded_and_a_kept_generator_gives_a_new_order_each_pass():
    x, y = np.zeros((50, 1)), np.arange(50)

    def order(rng):
        return np.concatenate([yb for _, yb in batches(x, y, 8, shuffle=True, rng=rng)]).tolist()

    assert order(3) == order(3) != list(range(50))
    generator = np.random.default_rng(3)
    first, second = order(generator), order(generator)
    assert first == order(3) and second != first
    assert [yb.tolist() for _, yb in batches(x, y, 8)][0] == list(range(8))  # no shuffle: in order


BAD_BATCHES = [
    (np.zeros(3), np.zeros(4), 2, ValueError, "same number of samples, got 3 and 4"),
    (np.zeros(3), np.zeros(3), 0, ValueError, "batch_size must be at least 1"),
    (np.zeros(3), np.zeros(3), 2.0, TypeError, "batch_size must be an int"),
    (1.0, 2.0, 1, ValueError, "not single numbers"),
    (np.zeros(0), np.zeros(0), 1, ValueError, "no samples"),
]


@pytest.mark.parametrize("x, y, size, error, message", BAD_BATCHES)
def test_batches_refuses_bad_arguments(x, y, size, error, message):
    with pytest.raises(error, match=message):
        next(batches(x, y, size))


def test_one_hot():
    np.testing.assert_array_equal(one_hot([2, 0], 3), [[0, 0, 1], [1, 0, 0]])
    assert one_hot(np.array([1]), 2).dtype == np.float64
    with pytest.raises(ValueError, match="labels must be from 0 to 2"):
        one_hot([3], 3)
    with pytest.raises(TypeError, match="labels must be integers"):
        one_hot([0.0, 1.0], 2)


def test_train_test_split_partitions_the_samples():
    x, y = np.arange(40.0).reshape(20, 2), np.arange(20)
    x_train, x_test, y_train, y_test = train_test_split(x, y, 0.25, rng=0)
    assert len(y_test) == 5 and len(y_train) == 15
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(20))
    np.testing.assert_array_equal(x_test[:, 0], 2.0 * y_test)
    again = train_test_split(x, y, 0.25, rng=0)
    np.testing.assert_array_equal(again[3], y_test)  # exactly: the same seed, the same split
    with pytest.raises(ValueError, match="test_fraction must be between 0 and 1"):
        train_test_split(x, y, 1.0)


def test_accuracy():
    scores = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    assert accuracy(scores, [1, 0, 0, 0]) == 0.75
    with pytest.raises(ValueError, match=r"labels must have shape \(4,\)"):
        accuracy(scores, [1, 0])
    with pytest.raises(TypeError, match="labels must be integers"):
        accuracy(scores, [1.0, 0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match=r"scores must have shape \(N, C\)"):
        accuracy([0.5, 0.2], [0, 1])
