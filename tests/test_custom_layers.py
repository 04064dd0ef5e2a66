"""The layers of the "Write your own layer" page, and XOR."""

import numpy as np
import pytest

from nanonet import GradcheckError, Sequential, gradcheck


@pytest.fixture
def custom_layers(example):
    return example("custom_layers")


def test_layers_pass_gradcheck(custom_layers):
    custom_layers.check_layers()


def test_parameters_are_found_without_registration(custom_layers):
    Dense, Tanh, Bias = custom_layers.Dense, custom_layers.Tanh, custom_layers.Bias
    model = Sequential(Dense(2, 3, rng=0), Tanh(), Bias(0.5))
    assert [(name, p.shape) for name, p in model.named_parameters()] == [
        ("0.weight", (3, 2)),
        ("0.bias", (3,)),
        ("2.b", ()),
    ]
    assert repr(model[0]) == "Dense(in_features=2, out_features=3)"


def test_dense_computes_the_matrix_product_and_its_gradients(custom_layers):
    layer = custom_layers.Dense(2, 1, rng=0)
    layer.weight.value = np.array([[2.0, -1.0]])
    layer.bias.value = np.array([0.5])
    x = np.array([[1.0, 3.0], [0.0, 1.0]])
    np.testing.assert_array_equal(layer(x), [[-0.5], [-0.5]])
    grad_x = layer.backward(np.array([[1.0], [2.0]]))
    np.testing.assert_array_equal(grad_x, [[2.0, -1.0], [4.0, -2.0]])
    np.testing.assert_array_equal(layer.weight.grad, [[1.0, 5.0]])
    np.testing.assert_array_equal(layer.bias.grad, [3.0])


def test_dense_rejects_inputs_of_the_wrong_shape(custom_layers):
    with pytest.raises(
        ValueError, match=r"Dense expects inputs of shape \(samples, 2\), got \(3,\)"
    ):
        custom_layers.Dense(2, 1)([1.0, 2.0, 3.0])


def test_gradcheck_catches_a_bug_in_a_user_layer(custom_layers):
    class BrokenTanh(custom_layers.Tanh):
        def backward(self, grad):
            return grad * (1.0 - self.y)  # forgot the square

    with pytest.raises(GradcheckError, match="input x"):
        gradcheck(BrokenTanh(), [0.5, -1.0])


def test_xor_is_learned(custom_layers):
    model, losses = custom_layers.train_xor()
    assert losses[-1] < 1e-3 < losses[0]
    predictions = model(custom_layers.XOR_INPUTS)
    np.testing.assert_array_equal(predictions.round(), custom_layers.XOR_TARGETS)


def test_example_script_runs(custom_layers, capsys):
    custom_layers.main()
    out = capsys.readouterr().out
    assert "gradcheck passed" in out and "[1. 1.] -> 0.0" in out
