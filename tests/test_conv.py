"""Conv2d, MaxPool2d and Flatten: shapes, the im2col arithmetic, gradients, reprs.

(Their values and gradients against PyTorch are in test_against_pytorch.py.)
"""

import numpy as np
import pytest

from nanonet import Conv2d, Dense, Flatten, MaxPool2d, Sequential, Tanh, gradcheck
from nanonet.layers.conv import add_windows, image_windows


def test_a_filter_is_a_weighted_sum_of_its_window_plus_the_bias():
    conv = Conv2d(1, 1, 2, rng=0)
    conv.weight.value = [[[[1.0, 2.0], [3.0, 4.0]]]]
    conv.bias.value = [0.5]
    x = np.arange(9.0).reshape(1, 1, 3, 3)  # [[0 1 2] [3 4 5] [6 7 8]]
    y = conv(x)
    top_left = 0 * 1 + 1 * 2 + 3 * 3 + 4 * 4 + 0.5
    np.testing.assert_array_equal(
        y, [[[[top_left, top_left + 10], [top_left + 30, top_left + 40]]]]
    )


def test_output_sizes_follow_stride_and_padding():
    x = np.zeros((2, 3, 9, 7))
    assert Conv2d(3, 5, 3, rng=0)(x).shape == (2, 5, 7, 5)
    assert Conv2d(3, 5, 3, padding=1, rng=0)(x).shape == (2, 5, 9, 7)  # padding 1 keeps the size
    assert Conv2d(3, 5, 3, stride=2, rng=0)(x).shape == (2, 5, 4, 3)
    assert Conv2d(3, 5, (3, 1), stride=(1, 3), padding=(0, 1), rng=0)(x).shape == (2, 5, 7, 3)


def test_padding_adds_zeros_around_the_image():
    conv = Conv2d(1, 1, 3, padding=1, bias=False, rng=0)
    conv.weight.value = np.ones((1, 1, 3, 3))  # the sum of each 3x3 neighbourhood
    y = conv(np.ones((1, 1, 3, 3)))
    np.testing.assert_array_equal(y[0, 0], [[4, 6, 4], [6, 9, 6], [4, 6, 4]])
    assert conv.bias is None and [name for name, _ in conv.named_parameters()] == ["weight"]


def test_backward_adds_to_the_gradients_and_returns_the_inputs():
    conv = Conv2d(2, 3, 3, stride=2, padding=1, rng=1)
    x = np.random.default_rng(0).normal(size=(4, 2, 6, 5))
    y = conv(x)
    grad = np.ones_like(y)
    grad_x = conv.backward(grad)
    once = conv.weight.grad.copy()
    conv(x)
    conv.backward(grad)
    np.testing.assert_allclose(conv.weight.grad, 2 * once)  # added, not assigned
    assert grad_x.shape == x.shape
    np.testing.assert_allclose(conv.bias.grad, 2 * np.full(3, y[:, 0].size))  # one per pixel


@pytest.mark.parametrize(
    "settings, features",
    [
        (dict(kernel_size=3), 2 * 2 * 2),
        (dict(kernel_size=(2, 3), stride=(2, 1), padding=(1, 2)), 2 * 2 * 4),
    ],
)
def test_gradcheck_passes_inside_a_small_cnn(settings, features):
    model = Sequential(
        Conv2d(1, 2, rng=0, **settings), MaxPool2d(2), Tanh(), Flatten(), Dense(features, 3, rng=1)
    )  # (ReLU before the pooling would give windows of tied zeros: kinks)
    assert gradcheck(model, np.random.default_rng(3).normal(size=(2, 1, 6, 6)))


def test_image_windows_and_add_windows_are_each_others_reverse():
    x = np.arange(2 * 3 * 5 * 6, dtype=float).reshape(2, 3, 5, 6)
    windows = image_windows(x, (2, 3), (1, 2))
    assert windows.shape == (2, 3, 2, 3, 4, 2)  # (kh, kw, N, C, OH, OW), a view
    assert np.shares_memory(windows, x)
    np.testing.assert_array_equal(windows[:, :, 1, 2, 3, 1], x[1, 2, 3:5, 2:5])
    # each pixel gets one 1 per window it belongs to
    counts = add_windows(np.ones(windows.shape), x.shape, (1, 2))
    assert counts[0, 0, 0, 0] == 1 and counts[0, 0, 1, 1] == 2 and counts[0, 0, 1, 2] == 4
    assert counts[0, 0, 0, 5] == 0  # no whole window reaches the last column
    assert counts.sum() == windows.size


def test_conv2d_reprs_and_initialisation_follow_pytorch():
    assert repr(Conv2d(1, 8, 3, rng=0)) == (
        "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(0, 0), bias=True)"
    )
    assert repr(Conv2d(3, 4, (1, 2), stride=2, padding=(0, 1), bias=False, rng=0)) == (
        "Conv2d(3, 4, kernel_size=(1, 2), stride=(2, 2), padding=(0, 1), bias=False)"
    )
    conv = Conv2d(3, 8, 5, rng=0)
    assert conv.weight.shape == (8, 3, 5, 5) and conv.bias.shape == (8,)
    assert np.abs(conv.weight.value).max() <= 1 / np.sqrt(75)
    np.testing.assert_array_equal(conv.weight.value, Conv2d(3, 8, 5, rng=0).weight.value)


def test_maxpool2d_takes_each_windows_largest_number():
    x = np.array([[[[1.0, 5.0, 2.0, 0.0, 7.0], [3.0, 4.0, 8.0, 1.0, 9.0]]]])
    pool = MaxPool2d(2)
    np.testing.assert_array_equal(pool(x), [[[[5.0, 8.0]]]])  # the 5th column: no whole window
    np.testing.assert_array_equal(
        pool.backward(np.array([[[[1.0, 2.0]]]])), [[[[0, 1, 0, 0, 0], [0, 0, 2, 0, 0]]]]
    )
    assert repr(pool) == "MaxPool2d(kernel_size=(2, 2), stride=(2, 2))"
    assert repr(MaxPool2d((2, 3), 1)) == "MaxPool2d(kernel_size=(2, 3), stride=(1, 1))"


def test_overlapping_windows_add_their_gradients_at_a_shared_maximum():
    x = np.array([[[[0.0, 9.0, 0.0]]]])
    pool = MaxPool2d((1, 2), stride=1)  # two windows, both with the 9
    np.testing.assert_array_equal(pool(x), [[[[9.0, 9.0]]]])
    np.testing.assert_array_equal(pool.backward(np.array([[[[1.0, 10.0]]]])), [[[[0, 11, 0]]]])


def test_flatten_makes_rows_and_backward_gives_the_shape_back():
    layer = Flatten()
    x = np.arange(24.0).reshape(2, 3, 2, 2)
    y = layer(x)
    np.testing.assert_array_equal(y, x.reshape(2, 12))
    np.testing.assert_array_equal(layer.backward(y), x)
    assert repr(layer) == "Flatten()" and gradcheck(Flatten(), x)


def test_the_new_layers_keep_their_busiest_attributes_in_slots():
    for layer in (Conv2d(1, 1, 1), MaxPool2d(2), Flatten()):
        assert type(layer).__slots__
        assert not {"weight", "stride", "kernel_size"} & set(vars(layer))
