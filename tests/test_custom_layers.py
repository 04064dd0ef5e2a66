"""The layers, loss and optimizer of the "Write your own layer" page."""

import numpy as np
import pytest

from nanonet import GradcheckError, Sequential, Tanh, gradcheck


@pytest.fixture
def custom(example):
    return example("custom_layers")


def test_everything_passes_gradcheck(custom):
    custom.check_all()


def test_parameters_are_found_without_registration(custom):
    model = Sequential(custom.Scale(3), custom.Softplus(), custom.Bias(0.5))
    assert [(name, p.shape) for name, p in model.named_parameters()] == [
        ("0.a", (3,)),
        ("2.b", ()),
    ]
    assert repr(model[0]) == "Scale(features=3)"


def test_softplus_is_log_one_plus_exp_with_the_sigmoid_as_derivative(custom):
    layer = custom.Softplus()
    x = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_allclose(layer(x), np.log1p(np.exp(x)), rtol=1e-15)
    np.testing.assert_allclose(layer.backward(np.ones(3)), 1 / (1 + np.exp(-x)), rtol=1e-15)
    np.testing.assert_array_equal(layer(np.array([-800.0, 800.0])), [0.0, 800.0])  # no overflow


def test_scale_multiplies_each_feature_and_sums_its_gradient_over_the_batch(custom):
    layer = custom.Scale(2)
    layer.a.value = [2.0, -1.0]
    x = np.array([[1.0, 3.0], [4.0, 1.0]])
    np.testing.assert_array_equal(layer(x), [[2.0, -3.0], [8.0, -1.0]])
    grad_x = layer.backward(np.array([[1.0, 1.0], [0.5, 2.0]]))
    np.testing.assert_array_equal(grad_x, [[2.0, -1.0], [1.0, -2.0]])
    np.testing.assert_array_equal(layer.a.grad, [1.0 + 2.0, 3.0 + 2.0])


def test_huber_loss_is_quadratic_then_linear(custom):
    loss_fn = custom.HuberLoss(delta=1.0)
    assert loss_fn([0.5, -3.0], [0.0, 0.0]) == pytest.approx((0.125 + 2.5) / 2, rel=1e-15)
    np.testing.assert_allclose(loss_fn.backward(), [0.25, -0.5], rtol=1e-15)


def test_rmsprop_follows_its_formula_and_saves_its_state(custom):
    from nanonet import Parameter

    w = Parameter([1.0, 1.0])
    optimizer = custom.RMSprop([w], lr=0.1, alpha=0.9)
    w.grad = np.array([2.0, -0.5])
    optimizer.step()
    v = 0.1 * np.array([4.0, 0.25])
    np.testing.assert_allclose(w.value, 1.0 - 0.1 * w.grad / (np.sqrt(v) + 1e-8), rtol=1e-14)
    state = optimizer.state_dict()
    assert state["param_groups"][0]["alpha"] == 0.9
    np.testing.assert_allclose(state["state"][0]["square_avg"], v, rtol=1e-15)


def test_gradcheck_catches_a_bug_in_a_user_layer():
    class BrokenTanh(Tanh):
        def backward(self, grad):
            return grad * (1.0 - self.y)  # forgot the square

    with pytest.raises(GradcheckError, match="input x"):
        gradcheck(BrokenTanh(), [0.5, -1.0])


def test_a_loss_for_class_labels_overrides_check_target(custom):
    loss_fn = custom.LabelHuberLoss()
    scores = np.array([[2.0, -1.0], [0.5, 0.5], [0.0, 3.0]])
    labels = np.array([0, 1, 1])
    assert loss_fn(scores, labels) == custom.HuberLoss()(scores, np.eye(2)[labels])
    with pytest.raises(ValueError, match="overrides check_target"):
        custom.HuberLoss()(scores, labels)
    with pytest.raises(ValueError, match=r"one class label per sample.* shape \(2,\)"):
        loss_fn(scores, labels[:2])
    with pytest.raises(ValueError, match="labels must be from 0 to 1"):
        loss_fn(scores, np.array([0, 1, 2]))
    with pytest.raises(TypeError, match="labels must be integers"):
        loss_fn(scores, np.array([0.0, 1.0, 1.0]))


def test_the_example_trains_a_network_with_the_three_layers(custom):
    model, optimizer, loss, score = custom.train_moons(steps=1000)
    kinds = [type(layer).__name__ for layer in model]
    assert kinds == ["Scale", "Dense", "Softplus", "Dense", "Bias"]
    assert isinstance(optimizer, custom.RMSprop)
    assert loss < 0.02 and score == 0.995  # 199 of the 200 points
    untrained, _, first_loss, _ = custom.train_moons(steps=1)
    assert first_loss > 10 * loss


def test_example_script_runs(custom, capsys):
    custom.main()
    assert capsys.readouterr().out.splitlines() == [
        "gradcheck passed for Softplus, Bias, Scale and HuberLoss",
        "two moons, Scale, Dense, Softplus, Dense and Bias, LabelHuberLoss and RMSprop:",
        "loss 0.017, accuracy 99.5% after 1000 steps",
    ]
    assert (
        custom.__doc__.split("it prints::")[1].split()
        == " ".join(
            [
                "gradcheck passed for Softplus, Bias, Scale and HuberLoss",
                "two moons, Scale, Dense, Softplus, Dense and Bias, LabelHuberLoss and RMSprop:",
                "loss 0.017, accuracy 99.5% after 1000 steps",
            ]
        ).split()
    )
