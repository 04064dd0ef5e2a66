"""examples/stateful_layers.py: a user's layer with a buffer, a training mode and a Generator."""

import numpy as np
import pytest

from nanonet import Dense, Sequential


@pytest.fixture
def stateful(example):
    return example("stateful_layers")


def test_both_pass_gradcheck(stateful):
    stateful.check_all()


def test_a_users_buffer_is_state_and_follows_to(stateful):
    model = Sequential(Dense(2, 3, rng=0), stateful.Center(3))
    assert list(model.state_dict())[-1] == "1.running_mean"
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    model(np.random.default_rng(1).normal(size=(4, 2)))
    state = model.state_dict()
    fresh = Sequential(Dense(2, 3, rng=5), stateful.Center(3))
    fresh.load_state_dict(state)
    np.testing.assert_array_equal(fresh[1].running_mean, state["1.running_mean"])
    assert model.to(np.float32)[1].running_mean.dtype == np.float32


def test_a_users_generator_repeats_with_its_seed_and_rests_in_eval(stateful):
    a, b = stateful.GaussianNoise(0.1, rng=3), stateful.GaussianNoise(0.1, rng=3)
    np.testing.assert_array_equal(a(np.zeros(4)), b(np.zeros(4)))
    state = a.rng.bit_generator.state
    np.testing.assert_array_equal(a.eval()(np.ones(4)), np.ones(4))
    assert a.rng.bit_generator.state == state  # evaluation draws nothing
