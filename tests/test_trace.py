"""trace: the numbers of one forward and backward pass, and the chain rule for every weight."""

import math

import numpy as np
import pytest
from custom_layers import Tanh  # a user layer with no parameters, from the docs
from test_two_node import FIRST_GRADIENTS, INITIAL_COST, INITIAL_OUT

from nanonet import Layer, Linear, MSELoss, Parameter, Sequential, Sigmoid, trace


def two_node():
    return Sequential(Linear(2.0), Sigmoid(), Linear(1.0), Sigmoid(), Linear(0.5))


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


# The chapter's quantities at the first step, by hand.
S0, W0, W1, W2, TARGET = 2.0, 2.0, 1.0, 0.5, 0.7
S1 = sigmoid(W0 * S0)
S2 = sigmoid(W1 * S1)
OUT = W2 * S2


def test_forward_rows_are_the_chapters_feedforward_values():
    rows = [r for r in trace(two_node(), S0, TARGET).rows if r["pass"] == "forward"]
    assert [r["index"] for r in rows] == [0, 1, 2, 3, 4, "C"]
    assert [r["input"] for r in rows[:5]] == pytest.approx(
        [S0, W0 * S0, S1, W1 * S1, S2], abs=1e-15
    )
    assert [r["output"] for r in rows] == pytest.approx(
        [W0 * S0, S1, W1 * S1, S2, INITIAL_OUT, INITIAL_COST], abs=1e-15
    )
    assert rows[0]["layer"] == "Linear(weight=2.0)" and rows[-1]["target"] == TARGET


def test_backward_rows_show_gradients_and_local_derivatives():
    rows = {r["index"]: r for r in trace(two_node(), S0, TARGET).rows if r["pass"] == "backward"}
    assert rows["C"]["grad_input"] == pytest.approx(OUT - TARGET, abs=1e-15)
    expected_local = {4: W2, 3: S2 * (1 - S2), 2: W1, 1: S1 * (1 - S1), 0: W0}
    for index, local in expected_local.items():
        row = rows[index]
        assert row["local_derivative"] == pytest.approx(local, abs=1e-15)
        assert row["grad_input"] == pytest.approx(row["grad_output"] * local, abs=1e-18)
    assert rows[0]["grad_input"] == pytest.approx(
        (OUT - TARGET) * W2 * S2 * (1 - S2) * W1 * S1 * (1 - S1) * W0
    )
    assert rows[4]["parameter_grads"] == pytest.approx(
        {"weight": FIRST_GRADIENTS["4.weight"]}, abs=1e-15
    )
    assert rows[3]["parameter_grads"] == {}


def test_chain_rule_factors_are_the_chapters_expressions():
    chains = {c.parameter: c for c in trace(two_node(), S0, TARGET).chains}
    expected = {
        "4.weight": [OUT - TARGET, S2],
        "2.weight": [OUT - TARGET, W2, S2 * (1 - S2), S1],
        # the chapter's exercise: dC/dw0 = (out - target) * w2 * s2(1 - s2) * w1 * s1(1 - s1) * s0
        "0.weight": [OUT - TARGET, W2, S2 * (1 - S2), W1, S1 * (1 - S1), S0],
    }
    for name, factors in expected.items():
        chain = chains[name]
        assert [value for _, value in chain.factors] == pytest.approx(factors, abs=1e-15)
        assert chain.gradient == pytest.approx(FIRST_GRADIENTS[name], abs=1e-15)
        assert chain.product == pytest.approx(FIRST_GRADIENTS[name], abs=1e-15)
        assert chain.matches is True
    assert [label for label, _ in chains["2.weight"].factors] == [
        "dC/dy4",
        "dy4/dx4",
        "dy3/dx3",
        "dy2/d(2.weight)",
    ]


def test_model_weights_gradients_and_caches_are_untouched():
    model = two_node()
    model(1.0)  # a forward pass whose backward is still to come
    for p in model.parameters():
        p.grad = 0.125
    before = [(p.value, p.grad) for p in model.parameters()]
    trace(model, 2.0, 0.7)
    assert [(p.value, p.grad) for p in model.parameters()] == before
    model.zero_grad()
    model.backward(1.0)  # still differentiates the forward pass at x = 1.0
    reference = two_node()
    reference(1.0)
    reference.backward(1.0)
    assert [p.grad for p in model.parameters()] == [p.grad for p in reference.parameters()]


def test_loss_state_is_untouched():
    loss_fn = MSELoss()
    loss_fn(0.5, 0.75)
    trace(two_node(), 2.0, 0.7, loss_fn=loss_fn)
    assert loss_fn.backward() == -0.25


def test_a_batch_trace_sums_the_products_over_the_samples():
    x = np.array([2.0, -1.0, 0.5])
    t = trace(two_node(), x, np.array([0.7, 0.2, 0.4]))
    model = two_node()
    loss_fn = MSELoss()
    loss_fn(model(x), np.array([0.7, 0.2, 0.4]))
    model.backward(loss_fn.backward())
    for chain, (name, p) in zip(t.chains, model.named_parameters(), strict=True):
        assert chain.parameter == name
        assert chain.product == pytest.approx(p.grad, rel=1e-12)
        assert chain.matches
        assert all(np.shape(value) == (3,) for _, value in chain.factors)
    forward = [r for r in t.rows if r["pass"] == "forward"]
    np.testing.assert_array_equal(forward[0]["input"], x)


class Scale(Layer):
    """A user layer with a scalar parameter."""

    def __init__(self, a):
        self.a = Parameter(a)

    def forward(self, x):
        self.x = x
        return self.a.value * x

    def backward(self, grad):
        self.a.grad += float(np.sum(grad * self.x))
        return grad * self.a.value


class Reverse(Layer):
    """A user layer that mixes elements: no single local factor exists."""

    def forward(self, x):
        return x[::-1].copy()

    def backward(self, grad):
        return grad[::-1].copy()


def test_user_layers_are_traced_with_nothing_extra():
    model = Sequential(Scale(1.5), Tanh(), Linear(0.5))
    t = trace(model, 0.3, 0.2)
    chain = {c.parameter: c for c in t.chains}["0.a"]
    y = math.tanh(1.5 * 0.3)
    assert [v for _, v in chain.factors] == pytest.approx(
        [0.5 * y - 0.2, 0.5, 1 - y**2, 0.3], rel=1e-14
    )
    assert chain.matches


def test_a_layer_that_mixes_elements_is_reported_not_guessed():
    model = Sequential(Linear(2.0), Reverse(), Linear(0.5))
    t = trace(model, np.array([1.0, 2.0, 3.0]), 0.0)
    row = [r for r in t.rows if r["pass"] == "backward" and r["index"] == 1][0]
    assert row["local_derivative"] is None
    assert "not a single factor" in row["local_note"]
    chains = {c.parameter: c for c in t.chains}
    assert chains["0.weight"].product is None and "layer 1" in chains["0.weight"].note
    assert chains["2.weight"].matches  # above the mixing layer all is well
    assert "layer 1's local derivative is not a single factor" in str(t)


def test_array_parameters_are_reported_as_not_one_product():
    class Dense(Layer):
        def __init__(self):
            self.weight = Parameter([[1.0, 2.0], [3.0, 4.0]])

        def forward(self, x):
            self.x = x
            return x @ self.weight.value.T

        def backward(self, grad):
            self.weight.grad += grad.T @ self.x
            return grad @ self.weight.value

    t = trace(Sequential(Dense(), Sigmoid()), [[1.0, -1.0]], [[0.5, 0.5]])
    (chain,) = t.chains
    assert chain.product is None and "array parameter" in chain.note
    row = [r for r in t.rows if r["pass"] == "backward" and r["index"] == 0][0]
    assert row["local_derivative"] is None  # (1, 2) -> (1, 2), but a matrix mixes elements


def test_a_single_layer_is_one_row():
    t = trace(Linear(3.0), 2.0, 1.0)
    assert [r["index"] for r in t.rows] == [0, "C", "C", 0]
    (chain,) = t.chains
    assert chain.parameter == "weight" and chain.factors == [
        ("dC/dy0", 5.0),
        ("dy0/d(weight)", 2.0),
    ]
    assert chain.matches


def test_printed_trace_is_an_aligned_table_and_html_in_notebooks():
    t = trace(two_node(), S0, TARGET)
    text = str(t)
    assert text.startswith("forward pass\n#  layer")
    lines = text.splitlines()
    header = lines[1]
    assert lines[3][header.index("input") :].startswith("2.0 ")  # the input column lines up
    assert (
        "dC/d(0.weight) = dC/dy4 * dy4/dx4 * dy3/dx3 * dy2/dx2 * dy1/dx1 * dy0/d(0.weight)" in text
    )
    assert "which equals backward's -0.0011773525714957247" in text
    html = t._repr_html_()
    assert html.count("<table>") == 3 and "<caption>chain rule</caption>" in html


def test_batch_cells_are_summaries():
    text = str(trace(two_node(), [1.0, 2.0, 3.0], 0.7))
    assert "shape (3,): mean 2, min 1, max 3" in text


def test_trace_needs_a_layer():
    with pytest.raises(TypeError, match="trace needs a Layer"):
        trace(lambda x: x, 1.0, 1.0)


def test_a_weight_shared_by_two_layers_gets_one_chain_per_use():
    first = Linear(1.5)
    second = Linear(1.0)
    second.weight = first.weight  # weight tying: y = w * sigmoid(w * x)
    t = trace(Sequential(first, Sigmoid(), second), 0.4, 0.2)
    assert [c.parameter for c in t.chains] == ["0.weight", "0.weight"]
    assert all(c.matches for c in t.chains)
    model = Sequential(first, Sigmoid(), second)
    loss_fn = MSELoss()
    loss_fn(model(0.4), 0.2)
    model.backward(loss_fn.backward())
    assert sum(c.gradient for c in t.chains) == pytest.approx(first.weight.grad, rel=1e-14)
