import numpy as np
import pytest
from support import Returns

from nanonet import Linear, Sequential, Sigmoid, gradcheck


def test_forward_runs_layers_in_order():
    model = Sequential(Linear(2.0), Linear(-1.0), Sigmoid())
    assert model(0.0) == 0.5
    assert model(1.0) == pytest.approx(1 / (1 + np.exp(2.0)), rel=1e-15)


def test_backward_runs_layers_in_reverse_and_returns_input_gradient():
    model = Sequential(Linear(2.0), Linear(3.0))
    model(1.0)
    assert model.backward(1.0) == 6.0  # d(3 * 2 * x)/dx
    assert [p.grad for p in model.parameters()] == [3.0, 2.0]


def test_container_protocol(two_node):
    model = two_node()
    assert len(model) == 5
    assert isinstance(model[1], Sigmoid)
    assert model[-1].weight.value == 0.5
    assert [type(layer).__name__ for layer in model] == ["Linear", "Sigmoid"] * 2 + ["Linear"]
    head = model[:2]
    assert isinstance(head, Sequential) and len(head) == 2 and head[0] is model[0]


def test_parameter_names_follow_pytorch(two_node):
    names = [name for name, _ in two_node().named_parameters()]
    assert names == ["0.weight", "2.weight", "4.weight"]
    nested = Sequential(Sequential(Linear(1.0), Sigmoid()), Linear(2.0))
    assert [name for name, _ in nested.named_parameters()] == ["0.0.weight", "1.weight"]


def test_repr_shows_numbered_children(two_node):
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
def test_gradcheck_of_the_two_node_network(two_node, x):
    assert gradcheck(two_node(), x)


def test_gradcheck_of_a_deep_nested_network():
    model = Sequential(
        Sequential(Linear(1.5), Sigmoid()), Linear(-2.0), Sigmoid(), Sequential(Linear(3.0))
    )
    assert gradcheck(model, [-1.0, 0.0, 0.7])


def test_batch_is_the_same_as_samples_one_by_one(two_node):
    x = np.array([2.0, -1.0, 0.5])
    model = two_node()
    out = model(x)
    # to the last bits of exp: floats use the C library's, arrays numpy's (per-CPU SIMD)
    assert list(out) == pytest.approx([model(float(v)) for v in x], rel=1e-15)
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


@pytest.mark.parametrize(
    "returned, expected",
    [(3, 3.0), (np.float64(0.25), 0.25), (np.int32(2), 2.0), (np.array([1, 2]), [1.0, 2.0])],
    ids=["int", "numpy float", "numpy int", "int array"],
)
def test_a_number_or_array_a_layer_returns_works_in_the_next_layer(returned, expected):
    model = Sequential(Returns(returned), Sigmoid(), Linear(2.0))
    out = model(0.0)
    np.testing.assert_allclose(out, 2.0 / (1.0 + np.exp(-np.asarray(expected))), rtol=1e-15)
    assert type(out) is (float if np.ndim(expected) == 0 else np.ndarray)
    assert model.backward(np.ones_like(out) if np.ndim(out) else 1.0) == 1.0


@pytest.mark.parametrize("method", ["forward", "backward"])
def test_a_layer_that_returns_nothing_is_named_with_a_hint(method):
    layer = Returns(None if method == "forward" else 1.0, grad=None)
    model = Sequential(Linear(1.0), layer)
    message = rf"what layer 1 \(Returns\) returned from {method}\(\) is None: .* forget `return`"
    with pytest.raises(TypeError, match=message):
        model(1.0)
        model.backward(1.0)


def test_a_layer_that_returns_text_or_a_list_is_named():
    with pytest.raises(TypeError, match=r"what layer 0 \(Returns\) returned from forward\(\)"):
        Sequential(Returns("0.5"), Sigmoid())(1.0)
    with pytest.raises(TypeError, match=r"layer 0 \(Returns\) returned .* a list, not a float or"):
        Sequential(Returns([0.5]), Linear(2.0))(1.0)


def test_one_backward_per_forward(two_node):
    model = two_node()
    model(2.0)
    model.backward(1.0)
    first = [p.grad for p in model.parameters()]
    with pytest.raises(RuntimeError, match="Each forward pass allows one backward pass"):
        model.backward(1.0)
    assert [p.grad for p in model.parameters()] == first  # not added twice
    model(2.0)
    model.backward(1.0)  # a new forward allows a new backward
    assert [p.grad for p in model.parameters()] == pytest.approx([2 * g for g in first])


@pytest.mark.parametrize(
    "index, error, message",
    [
        ("0", TypeError, r"use model\[0\], not model\['0'\]"),
        ("weight", TypeError, r"numbered by position: use model\[0\]"),
        (1.0, TypeError, "index it with an int or a slice, got float"),
        (5, IndexError, r"has 5 layers \(0 to 4\), so there is no layer 5"),
    ],
)
def test_indexing_errors_say_what_to_do(two_node, index, error, message):
    with pytest.raises(error, match=message):
        two_node()[index]
