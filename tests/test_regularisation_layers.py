"""Dropout and BatchNorm: training mode, random masks, buffers, and what they do to a model.

(Their values and gradients against PyTorch are in test_against_pytorch.py.)
"""

import copy

import numpy as np
import pytest

from nanonet import (
    BatchNorm1d,
    BatchNorm2d,
    Dense,
    Dropout,
    Layer,
    ReLU,
    Sequential,
    gradcheck,
)


class SameMask(Dropout):
    """Dropout that draws the same mask at every forward pass, so gradcheck can nudge it."""

    def forward(self, x):
        self.rng = np.random.default_rng(7)
        return super().forward(x)


def test_dropout_zeroes_about_p_and_scales_the_rest():
    layer = Dropout(0.25, rng=0)
    y = layer(np.ones((200, 100)))
    assert set(np.unique(y)) == {0.0, 1 / 0.75}
    assert np.mean(y == 0) == pytest.approx(0.25, abs=0.01)
    assert np.mean(y) == pytest.approx(1.0, abs=0.02)  # the expected sum is kept
    grad = layer.backward(np.ones((200, 100)))
    np.testing.assert_array_equal(grad, y)  # the same mask and factor


def test_dropout_gradients_pass_gradcheck_with_a_fixed_mask():
    x = np.random.default_rng(1).normal(size=(4, 6))
    assert gradcheck(SameMask(0.4), x)
    assert gradcheck(Sequential(Dense(6, 5, rng=0), SameMask(0.5), Dense(5, 2, rng=1)), x)


def test_dropout_in_eval_mode_is_the_identity_and_draws_nothing():
    layer = Dropout(0.5, rng=3)
    state = copy.deepcopy(layer.rng.bit_generator.state)
    x = np.arange(6.0).reshape(2, 3)
    assert layer.eval() is layer and layer.training is False
    np.testing.assert_array_equal(layer(x), x)
    np.testing.assert_array_equal(layer.backward(np.ones((2, 3))), np.ones((2, 3)))
    assert layer.rng.bit_generator.state == state
    assert layer.train().training is True
    assert not np.array_equal(layer(np.ones((4, 4))), np.ones((4, 4)))


def test_dropout_keeps_its_generator_as_an_attribute_and_the_same_seed_repeats():
    a, b = Dropout(0.5, rng=11), Dropout(0.5, rng=11)
    assert isinstance(a.rng, np.random.Generator)
    np.testing.assert_array_equal(a(np.ones(50)), b(np.ones(50)))
    generator = np.random.default_rng(0)
    assert Dropout(rng=generator).rng is generator
    assert Dropout(0.0)(np.ones(5)).tolist() == [1.0] * 5
    assert repr(Dropout()) == "Dropout(p=0.5)"


def test_train_and_eval_reach_every_layer_of_a_model():
    model = Sequential(Dense(3, 4), Dropout(0.5), Sequential(ReLU(), BatchNorm1d(4)))
    assert model.eval() is model
    assert [layer.training for _, layer in model._members(Layer)] == [False] * 6
    model.train()
    assert all(layer.training for _, layer in model._members(Layer))


def test_batchnorm_normalises_each_feature_then_scales_and_shifts():
    bn = BatchNorm1d(3)
    bn.weight.value, bn.bias.value = [1.0, 2.0, 0.5], [0.0, -1.0, 3.0]
    x = np.random.default_rng(2).normal([1.0, -5.0, 10.0], [1.0, 3.0, 0.1], size=(50, 3))
    y = bn(x)
    np.testing.assert_allclose(y.mean(axis=0), [0.0, -1.0, 3.0], atol=1e-12)
    np.testing.assert_allclose(y.std(axis=0), [1.0, 2.0, 0.5], rtol=1e-3)  # (eps)


def test_batchnorm_running_statistics_move_in_training_and_are_used_in_eval():
    bn = BatchNorm1d(2, momentum=0.5)
    x = np.array([[1.0, 10.0], [3.0, 20.0], [5.0, 60.0]])
    bn(x)
    np.testing.assert_allclose(bn.running_mean, 0.5 * np.zeros(2) + 0.5 * x.mean(axis=0))
    np.testing.assert_allclose(bn.running_var, 0.5 * np.ones(2) + 0.5 * x.var(axis=0, ddof=1))
    bn.eval()
    before = bn.running_mean.copy()
    y = bn(np.array([[3.0, 15.0]]))  # one sample: fine in eval mode
    np.testing.assert_allclose(
        y, (np.array([[3.0, 15.0]]) - before) / np.sqrt(bn.running_var + 1e-5)
    )
    np.testing.assert_array_equal(bn.running_mean, before)  # eval: nothing moves
    np.testing.assert_allclose(
        bn.backward(np.ones((1, 2))), 1 / np.sqrt(bn.running_var + 1e-5)[None]
    )


def test_batchnorm_buffers_are_state_not_parameters():
    model = Sequential(Dense(2, 3, rng=0), BatchNorm1d(3))
    assert [name for name, _ in model.named_parameters()] == [
        "0.weight", "0.bias", "1.weight", "1.bias"
    ]  # fmt: skip
    state = model.state_dict()
    assert list(state)[-2:] == ["1.running_mean", "1.running_var"]
    model(np.random.default_rng(0).normal(size=(8, 2)))
    assert not np.array_equal(model.state_dict()["1.running_mean"], state["1.running_mean"])
    model.load_state_dict(state)  # back, in place
    np.testing.assert_array_equal(model[1].running_mean, state["1.running_mean"])
    with pytest.raises(ValueError, match="'1.running_var': expected shape"):
        model.load_state_dict({**state, "1.running_var": np.ones(4)})


def test_batchnorm2d_normalises_each_channel_over_the_batch_and_the_pixels():
    bn = BatchNorm2d(2)
    x = np.random.default_rng(3).normal([[[[2.0]], [[-4.0]]]], 3.0, size=(4, 2, 3, 5))
    y = bn(x)
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0.0, atol=1e-12)
    np.testing.assert_allclose(bn.running_mean, 0.1 * x.mean(axis=(0, 2, 3)))
    assert bn.weight.shape == (2,) and y.shape == x.shape
    assert repr(bn) == "BatchNorm2d(2, eps=1e-05, momentum=0.1)"
    assert gradcheck(BatchNorm2d(2), x) and gradcheck(BatchNorm2d(2).eval(), x)


def test_batchnorm_to_float32_converts_the_buffers():
    bn = BatchNorm2d(4, dtype=np.float32)
    assert bn.running_mean.dtype == bn.weight.dtype == np.float32
    bn = BatchNorm1d(4).to(np.float32)
    assert bn.running_var.dtype == np.float32 and bn.bias.dtype == np.float32
    y = bn(np.ones((3, 4)))
    assert y.dtype == np.float32 and bn.running_mean.dtype == np.float32


def test_a_refused_batch_moves_no_running_statistic():
    model = Sequential(Dense(2, 3, rng=0), BatchNorm1d(3))
    with pytest.raises(ValueError, match="more than one number per feature"):
        model(np.ones((1, 2)))  # one sample, in training mode
    np.testing.assert_array_equal(model[1].running_mean, np.zeros(3))
    np.testing.assert_array_equal(model[1].running_var, np.ones(3))
    assert model.eval()(np.ones((1, 2))).shape == (1, 3)  # in eval mode, one sample is fine
