import numpy as np
import pytest

from nanonet import Linear, Sequential, Sigmoid, gradcheck


def two_node():
    return Sequential(Linear(2.0), Sigmoid(), Linear(1.0), Sigmoid(), Linear(0.5))


def test_forward_runs_layers_in_order():
    model = Sequential(Linear(2.0), Linear(-1.0), Sigmoid())
    assert model(0.0) == 0.5
    assert model(1.0) == pytest.approx(1 / (1 + np.exp(2.0)), rel=1e-15)


def test_backward_runs_layers_in_reverse_and_returns_input_gradient():
    model = Sequential(Linear(2.0), Linear(3.0))
    model(1.0)
    assert model.backward(1.0) == 6.0  # d(3 * 2 * x)/dx
    assert [p.grad for p in model.parameters()] == [3.0, 2.0]


def test_container_protocol():
    model = two_node()
    assert len(model) == 5
    assert isinstance(model[1], Sigmoid)
    assert model[-1].weight.value == 0.5
    assert [type(layer).__name__ for layer in model] == ["Linear", "Sigmoid"] * 2 + ["Linear"]
    head = model[:2]
    assert isinstance(head, Sequential) and len(head) == 2 and head[0] is model[0]


def test_parameter_names_follow_pytorch():
    names = [name for name, _ in two_node().named_parameters()]
    assert names == ["0.weight", "2.weight", "4.weight"]
    nested = Sequential(Sequential(Linear(1.0), Sigmoid()), Linear(2.0))
    assert [name for name, _ in nested.named_parameters()] == ["0.0.weight", "1.weight"]


def test_repr_shows_numbered_children():
    assert repr(two_node()) == (
        "Sequential(\n"
        "  (0): Linear(weight=2.0)\n"
        "  (1): Sigmoid()\n"
        "  (2): Linear(weight=1.0)\n"
        "  (3): Sigmoid()\n"
        "  (4): Linear(weight=0.5)\n"
        ")"
    )
    nested = Sequential(Sequential(Linear(1.0)), Sigmoid())
    assert repr(nested) == (
        "Sequential(\n  (0): Sequential(\n    (0): Linear(weight=1.0)\n  )\n  (1): Sigmoid()\n)"
    )


@pytest.mark.parametrize("x", [2.0, -0.5, [2.0, -1.0, 0.3], [[0.1, 0.2], [-3.0, 4.0]]])
def test_gradcheck_of_the_two_node_network(x):
    assert gradcheck(two_node(), x)


def test_gradcheck_of_a_deep_nested_network():
    model = Sequential(
        Sequential(Linear(1.5), Sigmoid()), Linear(-2.0), Sigmoid(), Sequential(Linear(3.0))
    )
    assert gradcheck(model, [-1.0, 0.0, 0.7])


def test_batch_is_the_same_as_samples_one_by_one():
    x = np.array([2.0, -1.0, 0.5])
    model = two_node()
    out = model(x)
    assert list(out) == [model(float(v)) for v in x]
    model(x)
    model.zero_grad()
    grad_in = model.backward(np.ones(3))
    batch_grads = [p.grad for p in model.parameters()]
    singles = np.zeros(3)
    for i, v in enumerate(x):
        model(float(v))
        assert model.backward(1.0) == pytest.approx(grad_in[i], rel=1e-14)
    model.zero_grad()
    for v in x:
        model(float(v))
        model.backward(1.0)
    singles = [p.grad for p in model.parameters()]
    assert batch_grads == pytest.approx(singles, rel=1e-14)


def test_empty_sequential_is_the_identity():
    model = Sequential()
    assert model(3.0) == 3.0 and model.backward(2.0) == 2.0
    assert list(model.parameters()) == []
