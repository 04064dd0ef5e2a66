"""Optimizers: SGD (with momentum), Adam, the Optimizer base, state_dict and resuming."""

import numpy as np
import pytest

from nanonet import (
    SGD,
    Adam,
    CrossEntropyLoss,
    Dense,
    Linear,
    Optimizer,
    Parameter,
    Sequential,
    Tanh,
    load,
    save,
)


def test_step_moves_every_parameter_against_its_gradient():
    a, b = Parameter(1.0), Parameter([1.0, 2.0])
    a.grad, b.grad = 2.0, np.array([10.0, -10.0])
    SGD([a, b], lr=0.1).step()
    assert a.value == 0.8
    np.testing.assert_allclose(b.value, [0.0, 3.0])
    assert type(a.value) is float


def test_step_updates_the_parameters_own_array_in_place():
    p = Parameter([1.0, 2.0])
    held = p.value
    p.grad = np.array([1.0, 1.0])
    SGD([p], lr=0.5).step()
    assert p.value is held  # in place, as PyTorch: the parameter keeps its array
    np.testing.assert_array_equal(p.value, [0.5, 1.5])


def test_zero_grad_resets_gradients():
    a, b = Parameter(1.0), Parameter([1.0, 2.0])
    a.grad, b.grad = 3.0, np.array([1.0, 1.0])
    SGD([a, b], lr=0.1).zero_grad()
    assert a.grad == 0.0
    np.testing.assert_array_equal(b.grad, [0.0, 0.0])


def test_accepts_named_parameters_and_generators():
    model = Sequential(Linear(1.0), Linear(2.0))
    named = SGD(model.named_parameters(), lr=0.1)
    assert repr(named) == (
        "SGD(lr=0.1, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, parameters=2)"
    )
    model[1].weight.grad = float("nan")  # errors name the parameters as they were given
    with pytest.raises(FloatingPointError, match="gradient of parameter '1.weight' is not"):
        named.step()
    with pytest.raises(FloatingPointError, match=r"gradient of parameter 1 \(shape \(\)\) is not"):
        SGD((p for p in model.parameters()), lr=0.1).step()


def test_the_learning_rate_is_checked_where_it_enters_and_can_be_changed():
    with pytest.raises(ValueError, match="lr must be a finite non-negative number"):
        SGD([Parameter(1.0)], lr=-1.0)
    w = Parameter(1.0)
    optimizer = SGD([w], lr=0.1)
    optimizer.lr = 0.0  # as a schedule may: a step that moves nothing
    w.grad = 5.0
    optimizer.step()
    assert w.value == 1.0


def test_a_scalar_grad_numpy_float_keeps_the_value_a_float():
    p = Parameter(1.0)
    p.grad = np.float64(1.0)
    SGD([p], lr=0.5).step()
    assert type(p.value) is float and p.value == 0.5


# -- momentum, Adam, state_dict, and the missing zero_grad ---------------------------


def test_momentum_by_hand():
    w = Parameter(1.0)
    optimizer = SGD([w], lr=0.1, momentum=0.5)
    for grad, expected_buffer in [(1.0, 1.0), (1.0, 1.5), (-2.0, -1.25)]:
        optimizer.zero_grad()
        w.grad = grad
        before = w.value
        optimizer.step()
        assert optimizer.state[0]["momentum_buffer"] == expected_buffer
        assert w.value == pytest.approx(before - 0.1 * expected_buffer, rel=1e-15)


def test_adam_first_step_is_lr_against_the_gradients_sign():
    w = Parameter([1.0, 1.0, 1.0])
    optimizer = Adam([w], lr=0.01)
    w.grad = np.array([3.0, -1e-3, 0.0])
    optimizer.step()
    np.testing.assert_allclose(w.value, [0.99, 1.01, 1.0], rtol=1e-7)
    assert optimizer.state[0]["step"] == 1


def training_run(make_optimizer, steps, model=None, optimizer=None):
    """A small digits-like classifier trained on fixed random data; returns model, optimizer."""
    rng = np.random.default_rng(0)
    x, labels = rng.normal(size=(20, 4)), rng.integers(0, 3, 20)
    if model is None:
        model = Sequential(Dense(4, 6, rng=1), Tanh(), Dense(6, 3, rng=2))
        optimizer = make_optimizer(model.parameters())
    loss_fn = CrossEntropyLoss()
    for _ in range(steps):
        loss_fn(model(x), labels)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
    return model, optimizer


MAKERS = {
    "SGD": lambda params: SGD(params, lr=0.2),
    "SGD with momentum": lambda params: SGD(params, lr=0.1, momentum=0.9),
    "Adam": lambda params: Adam(params, lr=0.01),
}


@pytest.mark.parametrize("name", MAKERS)
def test_saving_and_resuming_gives_the_same_trajectory_bit_for_bit(name, tmp_path):
    make = MAKERS[name]
    straight, _ = training_run(make, 50)
    half, optimizer = training_run(make, 25)
    save(half, tmp_path / "model.npz")
    state = optimizer.state_dict()
    resumed = Sequential(Dense(4, 6, rng=7), Tanh(), Dense(6, 3, rng=8))  # other weights ...
    load(resumed, tmp_path / "model.npz")  # ... until loaded
    resumed_optimizer = make(resumed.parameters())
    resumed_optimizer.load_state_dict(state)
    training_run(make, 25, resumed, resumed_optimizer)
    for a, b in zip(straight.parameters(), resumed.parameters(), strict=True):
        assert a.value.tobytes() == b.value.tobytes()  # exactly: resuming is a promise


def test_state_dict_is_a_copy_and_load_state_dict_checks_everything_first():
    _, optimizer = training_run(MAKERS["Adam"], 3)
    state = optimizer.state_dict()
    state["state"][0]["exp_avg"][:] = 99.0  # changing the copy changes nothing
    assert not np.any(optimizer.state[0]["exp_avg"] == 99.0)
    bad = optimizer.state_dict()
    bad["state"][1]["exp_avg"] = np.zeros(5)
    bad["param_groups"][0]["lr"] = -1.0
    before = optimizer.state_dict()
    with pytest.raises(ValueError) as info:
        optimizer.load_state_dict(bad)
    assert "expected shape (6,), got (5,)" in str(info.value)
    assert optimizer.lr == 0.01
    np.testing.assert_array_equal(optimizer.state[1]["exp_avg"], before["state"][1]["exp_avg"])
    with pytest.raises(ValueError, match="lists 4 parameters; this optimizer has 1"):
        Adam([Parameter(1.0)]).load_state_dict(optimizer.state_dict())


@pytest.mark.parametrize("position", [1.0, "1", -1, 4])
def test_a_state_entry_must_be_keyed_by_a_parameters_position(position):
    _, optimizer = training_run(MAKERS["Adam"], 3)
    bad = optimizer.state_dict()
    bad["state"][position] = bad["state"].pop(1)
    before = optimizer.state_dict()
    with pytest.raises(ValueError, match=f"'state' has an entry {position!r}, not a parameter's"):
        optimizer.load_state_dict(bad)
    np.testing.assert_array_equal(optimizer.state[1]["exp_avg"], before["state"][1]["exp_avg"])


@pytest.mark.parametrize(
    "make, error, message",
    [
        (
            lambda p: SGD(p, lr=0.1, momentum=-0.5),
            ValueError,
            "momentum must be a finite non-negative",
        ),
        (lambda p: Adam(p, betas=(0.9, 1.0)), ValueError, r"each of betas must be in \[0, 1\)"),
        (lambda p: Adam(p, betas=0.9), TypeError, "betas must be a pair"),
        (lambda p: Adam(p, eps=0.0), ValueError, "eps must be a finite positive"),
        (lambda p: Adam(p, lr="fast"), TypeError, "lr must be a real number"),
    ],
)
def test_bad_settings(make, error, message):
    with pytest.raises(error, match=message):
        make([Parameter(1.0)])


def test_a_new_optimizer_is_a_short_class():
    class SignSGD(Optimizer):
        def update(self, value, grad, state):
            return value - self.lr * np.sign(grad)

    w = Parameter([1.0, -1.0])
    optimizer = SignSGD([w], lr=0.25)
    w.grad = np.array([10.0, 0.0])
    optimizer.step()
    np.testing.assert_array_equal(w.value, [0.75, -1.0])
    optimizer.zero_grad()
    w.grad = np.array([np.nan, 0.0])
    with pytest.raises(FloatingPointError, match=r"parameter 0 \(shape \(2,\)\) is not finite"):
        optimizer.step()  # the base class's finite-step guarantee holds for it too
    np.testing.assert_array_equal(w.value, [0.75, -1.0])


def test_the_list_of_parameters_is_params_and_the_old_name_still_works_with_a_warning():
    w = Parameter(1.0)
    optimizer = SGD([w], lr=0.1)
    assert optimizer.params == [w]
    with pytest.warns(DeprecationWarning, match="optimizer.parameters is now optimizer.params"):
        assert optimizer.parameters == [w]


class OneByOne(Adam):
    """Adam's math, one parameter at a time: the reference for the flat group."""

    elementwise = False


def test_the_array_parameters_updated_together_are_adams_one_by_one():
    """Adam's array parameters share one flat buffer (elementwise); the numbers are the same."""
    together, _ = training_run(lambda p: Adam(p, lr=0.01), 30)
    alone, _ = training_run(lambda p: OneByOne(p, lr=0.01), 30)
    for a, b in zip(together.parameters(), alone.parameters(), strict=True):
        np.testing.assert_allclose(a.value, b.value, rtol=1e-14, atol=1e-15)


def test_the_flat_group_survives_a_second_optimizer_on_the_same_model():
    """Two optimizers, steps taken in turn: each sees the other's updates, as with one by one."""
    model, first = training_run(lambda p: Adam(p, lr=0.01), 5)
    reference, reference_first = training_run(lambda p: OneByOne(p, lr=0.01), 5)
    second, reference_second = SGD(model.parameters(), lr=0.1), SGD(reference.parameters(), lr=0.1)
    for _ in range(3):
        training_run(None, 2, model, second)
        training_run(None, 2, model, first)
        training_run(None, 2, reference, reference_second)
        training_run(None, 2, reference, reference_first)
    for a, b in zip(model.parameters(), reference.parameters(), strict=True):
        np.testing.assert_allclose(a.value, b.value, rtol=1e-13, atol=1e-15)
        assert a.value.shape == b.value.shape and a.grad.shape == a.value.shape


def test_the_flat_group_survives_model_to_float32_between_steps():
    """After model.to(float32) the parameters are new float32 arrays: the next step uses them."""
    model, optimizer = training_run(lambda p: Adam(p, lr=0.01), 5)
    reference, reference_optimizer = training_run(lambda p: OneByOne(p, lr=0.01), 5)
    model.to(np.float32)
    reference.to(np.float32)
    training_run(None, 5, model, optimizer)
    training_run(None, 5, reference, reference_optimizer)
    for a, b in zip(model.parameters(), reference.parameters(), strict=True):
        assert a.value.dtype == a.grad.dtype == np.float32
        np.testing.assert_allclose(a.value, b.value, rtol=1e-5, atol=1e-6)


def test_adam_updates_each_parameters_own_array_which_a_user_may_hold():
    """The flat group is the optimizer's: a weight array held before training is trained."""
    model = Sequential(Dense(4, 6, rng=1), Tanh(), Dense(6, 3, rng=2))
    held = [p.value for p in model.parameters()]
    before = [array.copy() for array in held]
    training_run(None, 3, model, Adam(model.parameters(), lr=0.01))
    for p, array, old in zip(model.parameters(), held, before, strict=True):
        assert p.value is array and not np.array_equal(array, old)
