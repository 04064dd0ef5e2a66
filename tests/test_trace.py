"""trace: the numbers of one forward and backward pass, and the chain rule for every weight."""

import math

import numpy as np
import pytest

from nanonet import Dense, Layer, Linear, MSELoss, Parameter, Sequential, Sigmoid, Tanh, trace

CHAPTER_NAMES = ["s0", "x1", "s1", "x2", "s2", "out"]


def test_forward_rows_are_the_chapters_feedforward_values(two_node, chapter):
    c = chapter
    rows = [r for r in trace(two_node(), c.s0, c.target).rows if r["pass"] == "forward"]
    assert [r["index"] for r in rows] == [0, 1, 2, 3, 4, "C"]
    assert [r["input"] for r in rows[:5]] == pytest.approx(
        [c.s0, c.w0 * c.s0, c.s1, c.w1 * c.s1, c.s2], abs=1e-15
    )
    assert [r["output"] for r in rows] == pytest.approx(
        [c.w0 * c.s0, c.s1, c.w1 * c.s1, c.s2, c.initial_out, c.initial_cost], abs=1e-15
    )
    assert rows[0]["layer"] == "Linear(weight=2.0)" and rows[-1]["target"] == c.target


def test_backward_rows_show_gradients_and_local_derivatives(two_node, chapter):
    c = chapter
    rows = {
        r["index"]: r for r in trace(two_node(), c.s0, c.target).rows if r["pass"] == "backward"
    }
    assert rows["C"]["grad_input"] == pytest.approx(c.out - c.target, abs=1e-15)
    expected_local = {4: c.w2, 3: c.s2 * (1 - c.s2), 2: c.w1, 1: c.s1 * (1 - c.s1), 0: c.w0}
    for index, local in expected_local.items():
        row = rows[index]
        assert row["local_derivative"] == pytest.approx(local, abs=1e-15)
        assert row["grad_input"] == pytest.approx(row["grad_output"] * local, abs=1e-18)
    assert rows[4]["parameter_grads"] == pytest.approx(
        {"weight": c.first_gradients["4.weight"]}, abs=1e-15
    )
    assert rows[3]["parameter_grads"] == {}


def test_chain_rule_factors_are_the_chapters_expressions(two_node, chapter):
    c = chapter
    chains = {ch.parameter: ch for ch in trace(two_node(), c.s0, c.target).chains}
    expected = {
        "4.weight": [c.out - c.target, c.s2],
        "2.weight": [c.out - c.target, c.w2, c.s2 * (1 - c.s2), c.s1],
        # the exercise: dC/dw0 = (out - target) * w2 * s2(1 - s2) * w1 * s1(1 - s1) * s0
        "0.weight": [c.out - c.target, c.w2, c.s2 * (1 - c.s2), c.w1, c.s1 * (1 - c.s1), c.s0],
    }
    for name, factors in expected.items():
        chain = chains[name]
        assert [value for _, value in chain.factors] == pytest.approx(factors, abs=1e-15)
        assert chain.gradient == pytest.approx(c.first_gradients[name], abs=1e-15)
        assert chain.product == pytest.approx(c.first_gradients[name], abs=1e-15)
        assert chain.matches is True
    labels = [label for label, _ in chains["2.weight"].factors]
    assert labels == ["dC/dy4", "dy4/dy3", "dy3/dy2", "dy2/d(2.weight)"]
    assert chains["2.weight"].layers == [None, (4, "Linear"), (3, "Sigmoid"), (2, "Linear")]


def test_the_chapters_names_give_the_chapters_chain(two_node, chapter):
    t = trace(two_node(), chapter.s0, chapter.target, value_names=CHAPTER_NAMES)
    labels = [label for label, _ in t.chains[0].factors]
    assert labels == ["dC/dout", "dout/ds2", "ds2/dx2", "dx2/ds1", "ds1/dx1", "dx1/d(0.weight)"]
    assert t.value_names == CHAPTER_NAMES
    with pytest.raises(ValueError, match="value_names must hold 6 names"):
        trace(two_node(), 2.0, 0.7, value_names=["x", "y"])


CHAPTER_LABELS = {"0.weight": "w0", "2.weight": "w1", "4.weight": "w2"}


def test_labels_name_the_weights_in_the_chain_the_tables_and_check(two_node, chapter):
    t = trace(
        two_node(), chapter.s0, chapter.target, value_names=CHAPTER_NAMES, labels=CHAPTER_LABELS
    )
    chains = {chain.parameter: chain for chain in t.chains}  # data keeps the parameters' names
    assert [chain.label for chain in t.chains] == ["w0", "w1", "w2"]
    assert t.labels == CHAPTER_LABELS
    labels = [label for label, _ in chains["0.weight"].factors]
    assert labels == ["dC/dout", "dout/ds2", "ds2/dx2", "dx2/ds1", "ds1/dx1", "dx1/dw0"]
    assert str(chains["4.weight"]).splitlines() == [
        "dC/dw2 = dC/dout * dout/dw2",
        "    = (-0.3362) * (0.7275)",
        "    = -0.2446, which equals backward's -0.2446",
    ]
    text = str(t)
    assert "weight: -0.2446" not in text and "w2: -0.2446" in text  # the backward table
    assert "d(0.weight)" not in text and "d(" not in text.split("chain rule")[1]
    assert "<td>dC/dw0</td>" in t._repr_html_()
    # check takes a label or a name, and answers in the labels
    assert str(t.check("w0", W0_FACTORS)).startswith("right: dC/dw0 = ")
    assert t.check("0.weight", W0_FACTORS).label == "w0"
    wrong = str(t.check("w0", [-0.3362, 0.5, 0.1982, 1, 0.25, 2])).splitlines()
    assert wrong[0] == "0.25 is not a factor of dC/dw0"
    with pytest.raises(ValueError, match=r"its parameters are: 0\.weight \(w0\), 2\.weight"):
        t.check("w3", [1.0])


def test_a_label_that_is_not_a_plain_name_keeps_its_brackets_and_arrays_use_labels():
    model = Sequential(Dense(2, 1, rng=0))
    t = trace(model, [[0.5, 2.0]], [[1.0]], labels={"0.weight": "W", "0.bias": "bias b"})
    weight, bias = t.chains
    assert str(weight).splitlines()[0].startswith("dC/dW = ")
    assert "dy0[0, 0]/dW[0, 0]" in str(weight)
    assert str(bias).startswith("dC/d(bias b) = ")
    assert trace(model, [[0.5, 2.0]], [[1.0]]).chains[0].label == "0.weight"  # default: name


@pytest.mark.parametrize(
    "labels, error, message",
    [
        (["w0"], TypeError, "labels must be a dict from parameter names to labels"),
        ({"0.weight": 1}, TypeError, "labels must be a dict"),
        ({"1.weight": "w"}, ValueError, "labels names '1.weight', which the model does not have"),
        ({"0.weight": "w", "2.weight": "w"}, ValueError, "'0.weight' and '2.weight' are both 'w'"),
        ({"0.weight": "2.weight"}, ValueError, "'0.weight' and '2.weight' are both '2.weight'"),
    ],
)
def test_bad_labels_are_refused(two_node, labels, error, message):
    with pytest.raises(error, match=message):
        trace(two_node(), 2.0, 0.7, labels=labels)


def test_names_is_the_old_spelling_of_value_names_and_warns(two_node):
    with pytest.warns(DeprecationWarning, match="names= is now value_names="):
        t = trace(two_node(), 2.0, 0.7, names=CHAPTER_NAMES)
    assert t.value_names == CHAPTER_NAMES
    with pytest.warns(DeprecationWarning, match="Trace.names is now Trace.value_names"):
        assert t.names == CHAPTER_NAMES
    with pytest.raises(TypeError, match="give value_names only"):
        trace(two_node(), 2.0, 0.7, names=CHAPTER_NAMES, value_names=CHAPTER_NAMES)


def test_model_weights_gradients_and_caches_are_untouched(two_node):
    model = two_node()
    model(1.0)  # a forward pass whose backward is still to come
    for p in model.parameters():
        p.grad = 0.125
    before = [(p.value, p.grad) for p in model.parameters()]
    trace(model, 2.0, 0.7)
    assert [(p.value, p.grad) for p in model.parameters()] == before  # exactly: untouched
    model.zero_grad()
    model.backward(1.0)  # still differentiates the forward pass at x = 1.0
    reference = two_node()
    reference(1.0)
    reference.backward(1.0)
    assert [p.grad for p in model.parameters()] == [p.grad for p in reference.parameters()]


def test_loss_state_is_untouched(two_node):
    loss_fn = MSELoss()
    loss_fn(0.5, 0.75)
    trace(two_node(), 2.0, 0.7, loss_fn=loss_fn)
    assert loss_fn.backward() == -0.25


def test_a_batch_trace_sums_the_products_over_the_samples(two_node):
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


class Reverse(Layer):
    """A user layer that mixes elements: no single local factor exists."""

    def forward(self, x):
        return x[::-1].copy()

    def backward(self, grad):
        return grad[::-1].copy()


def test_user_layers_are_traced_with_nothing_extra(Scale):
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
    assert chains["0.weight"].product is None and "layer 1 (Reverse)" in chains["0.weight"].note
    assert chains["2.weight"].matches  # above the mixing layer all is well
    assert "layer 1 (Reverse)'s local derivative is not a single factor" in str(t)


def test_a_dense_gradient_is_shown_as_the_sum_of_products_it_is():
    layer = Dense(2, 1, rng=0)
    layer.weight.value = [[2.0, -1.0]]
    layer.bias.value = [0.5]
    x = np.array([[1.0, 3.0], [4.0, 1.0]])
    t = trace(Sequential(layer), x, np.array([[0.0], [1.0]]))
    weight, bias = t.chains
    # dC/dy = (y - target) / 2 = ([-0.5, 7.5] - [0, 1]) / 2; dy[n, 0]/dW[0, 0] = x[n, 0]
    assert weight.product is None and weight.terms is not None
    index, terms = weight.terms
    assert index == (0, 0)
    assert [(incoming, local) for _, incoming, local in terms] == [(-0.25, 1.0), (3.25, 4.0)]
    assert weight.gradient[0, 0] == pytest.approx(-0.25 * 1.0 + 3.25 * 4.0)
    text = str(weight)
    assert "dC/dy0[0, 0] * dy0[0, 0]/d(0.weight)[0, 0] = (-0.25) * (1)" in text
    assert "+ dC/dy0[1, 0] * dy0[1, 0]/d(0.weight)[0, 0] = (3.25) * (4)" in text
    assert "= 12.75, which equals backward's 12.75" in text
    assert [local for _, _, local in bias.terms[1]] == [1.0, 1.0]


def test_a_sum_of_three_or_more_products_shows_every_plus():
    layer = Dense(1, 1, rng=0)
    x = np.array([[1.0], [2.0], [3.0], [4.0]])
    (weight, bias) = trace(Sequential(layer), x, np.zeros((4, 1))).chains
    lines = str(weight).splitlines()
    products = [line for line in lines if "dC/dy0[" in line]
    assert len(products) == 4
    assert [line.lstrip()[:1] for line in products] == ["d", "+", "+", "+"]  # each one joined
    assert "(a matrix product)" in lines[1]
    assert "matrix" not in str(bias)  # a bias is no matrix: its gradient is a sum over the batch


def test_a_single_layer_is_one_row():
    t = trace(Linear(3.0), 2.0, 1.0)
    assert [r["index"] for r in t.rows] == [0, "C", "C", 0]
    (chain,) = t.chains
    assert chain.parameter == "weight" and chain.factors == [
        ("dC/dy0", 5.0),
        ("dy0/d(weight)", 2.0),
    ]
    assert chain.matches


def test_printed_trace_fits_the_page_and_shows_every_digit_on_request(two_node, chapter):
    t = trace(two_node(), chapter.s0, chapter.target)
    text = str(t)
    assert text.startswith("forward pass\n#  layer")
    lines = text.splitlines()
    assert lines[3][lines[1].index("input") :].startswith("2 ")  # the input column lines up
    assert max(len(line) for line in lines) <= 80  # fits a page, and wraps where it must
    assert (
        "dC/d(0.weight) = dC/dy4 * dy4/dy3 * dy3/dy2 * dy2/dy1 * dy1/dy0\n    * dy0/d(0.weight)"
        in text
    )
    assert "    = (-0.3362) * (0.5) * (0.1982) * (1) * (0.01766) * (2)" in text
    assert "which equals backward's -0.001177" in text
    full = t.to_text(digits=None)
    assert "(-0.3362461932481792) * (0.5)" in full
    assert t.rows[-1]["grad_input"] == pytest.approx(
        -0.0011773525714957249, abs=1e-15
    )  # rows keep all
    html = t._repr_html_()
    assert html.count("<table>") == 3 and "<caption>chain rule</caption>" in html


def test_batch_cells_show_small_arrays_in_full_and_large_ones_as_summaries(two_node):
    text = str(trace(two_node(), [1.0, 2.0, 3.0], 0.7))
    assert "[1, 2, 3]" in text and "sum over the batch of" in text
    text = str(trace(two_node(), np.linspace(0.0, 1.0, 20), 0.7))
    assert "shape (20,): mean 0.5, min 0, max 1" in text


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


def test_nested_sequentials_are_traced(two_node):
    model = Sequential(two_node()[:2], two_node()[2:])
    t = trace(model, 2.0, 0.7)
    assert [r["index"] for r in t.rows if r["pass"] == "forward"] == [0, 1, "C"]
    assert all(c.matches for c in t.chains if c.product is not None)
    assert {c.parameter for c in t.chains} == {"0.0.weight", "1.0.weight", "1.2.weight"}


def test_array_parameter_of_a_user_layer():
    class Bias(Layer):
        def __init__(self):
            self.b = Parameter([0.5, -0.5])

        def forward(self, x):
            return x + self.b.value

        def backward(self, grad):
            self.b.grad += grad
            return grad

    (chain,) = trace(Sequential(Bias(), Sigmoid()), [0.0, 1.0], [0.0, 0.0]).chains
    assert chain.terms is not None and len(chain.terms[1]) == 1  # b[0] affects one output


# -- checking a hand calculation ------------------------------------------------------

W0_FACTORS = [-0.3362, 0.5, 0.1982, 1, 0.01766, 2]  # the exercise's answer, as the trace prints it


@pytest.fixture
def chapter_trace(two_node, chapter):
    return trace(two_node(), chapter.s0, chapter.target, value_names=CHAPTER_NAMES)


def test_a_right_answer_in_any_order_is_right(chapter_trace):
    for factors in (W0_FACTORS, W0_FACTORS[::-1], [-0.336, 0.5, 0.198, 1, 0.0177, 2]):
        result = chapter_trace.check("0.weight", factors)
        assert result and result.correct
        assert str(result).startswith("right: dC/d(0.weight) = ")
        assert str(result).endswith("= -0.001177")
    assert chapter_trace.check("4.weight", [0.7275, -0.3362])


def test_a_wrong_factor_is_named_with_the_missing_one():
    # the student used the sigmoid's largest slope, 1/4, instead of s1(1 - s1)
    result = CHAPTER.check("0.weight", [-0.3362, 0.5, 0.1982, 1, 0.25, 2])
    assert not result
    assert result.unknown == [0.25]
    assert str(result).splitlines() == [
        "0.25 is not a factor of dC/d(0.weight)",
        "missing: ds1/dx1 = 0.01766 (layer 1, Sigmoid)",
        "so your product -0.01666 is not the gradient -0.001177",
    ]


def test_a_missing_factor_is_named_even_when_it_does_not_change_the_product():
    result = CHAPTER.check("0.weight", [-0.3362, 0.5, 0.1982, 0.01766, 2])  # no w1 = 1
    assert not result and str(result) == "missing: dx2/ds1 = 1 (layer 2, Linear)"
    result = CHAPTER.check("0.weight", [-0.3362, 0.5, 0.1982, 1, 2])
    assert str(result).startswith("missing: ds1/dx1 = 0.01766 (layer 1, Sigmoid)\nso your product")


def test_a_right_set_with_a_wrong_product():
    result = CHAPTER.check("0.weight", [-0.3362, 0.5, 0.1982, 0.5, 0.01766, 2])  # 0.5 twice
    assert not result
    assert result.repeated == [(0.5, "dout/ds2")]
    assert "0.5 is there once too often: dout/ds2 appears once in dC/d(0.weight)" in str(result)
    assert "so your product -0.0005884 is not the gradient -0.001177" in str(result)


def test_a_wrong_sign_is_pointed_out():
    result = CHAPTER.check("0.weight", [0.3362, 0.5, 0.1982, 1, 0.01766, 2])
    assert "0.3362 is not a factor of dC/d(0.weight) (-0.3362 is, dC/dout: check the sign)" in str(
        result
    )


def test_the_tolerance_can_be_set():
    rough = [-0.34, 0.5, 0.2, 1, 0.018, 2]  # rounded to 2 significant digits
    assert CHAPTER.check("0.weight", rough)  # each within half a unit of its last digit
    assert not CHAPTER.check("0.weight", [-0.35, 0.5, 0.2, 1, 0.018, 2])
    assert CHAPTER.check("0.weight", [-0.35, 0.5, 0.2, 1, 0.018, 2], rtol=0.05)


def test_check_refuses_what_it_cannot_judge(two_node):
    with pytest.raises(
        ValueError, match="no parameter 'w0'; its parameters are: 0.weight, 2.weight, 4.weight"
    ):
        CHAPTER.check("w0", [1.0])
    with pytest.raises(ValueError, match="trace of one sample"):
        trace(two_node(), [1.0, 2.0], 0.7).check("0.weight", [1.0])
    with pytest.raises(ValueError, match="not one product of factors"):
        trace(Sequential(Dense(2, 1, rng=0)), [1.0, 2.0], 0.0).check("0.weight", [1.0])
    with pytest.raises(TypeError, match="each factor must be a real number"):
        CHAPTER.check("0.weight", ["0.5"])
    assert "<strong>✘</strong>" in CHAPTER.check("0.weight", [1.0])._repr_html_()


CHAPTER = trace(
    Sequential(Linear(2.0), Sigmoid(), Linear(1.0), Sigmoid(), Linear(0.5)),
    2.0,
    0.7,
    value_names=CHAPTER_NAMES,
)
