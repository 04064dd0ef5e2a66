"""The tutorial's two-node network, checked against the tutorial's own numbers."""

import subprocess
import sys

import numpy as np
import pytest
import two_node
from conftest import EXAMPLES

from nanonet import SGD, MSELoss

# The tutorial's numbers (Case-Studies-Python, "Backpropagation").
INITIAL_OUT = 0.3637538067518208
INITIAL_COST = 0.056530751236945946
FIRST_GRADIENTS = {  # dC/dw at the initial weights
    "0.weight": -0.0011773525714957249,
    "2.weight": -0.03272931245596375,
    "4.weight": -0.24462166559966714,
}
FINAL_WEIGHTS = {  # after 1000 steps of gradient descent
    "0.weight": 2.0030616267423027,
    "2.weight": 1.0820743827324726,
    "4.weight": 0.9418582194136942,
}


def tutorial_loop(steps=1000):
    """The tutorial's own loop, with its sequential updates, on plain floats."""
    s0, target, w0, w1, w2, alpha = 2.0, 0.7, 2.0, 1.0, 0.5, 0.1

    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    for _ in range(steps):
        s1 = sigmoid(w0 * s0)
        s2 = sigmoid(w1 * s1)
        out = w2 * s2
        w2 = w2 - alpha * (out - target) * s2
        w1 = w1 - alpha * (out - target) * (w2 * s2 * (1 - s2) * s1)
        w0 = w0 - alpha * (out - target) * (w2 * s2 * (1 - s2) * w1) * (s1 * (1 - s1) * s0)
    return w0, w1, w2, w2 * sigmoid(w1 * sigmoid(w0 * s0))


def test_initial_output_and_cost():
    model = two_node.build_model()
    out = model(2.0)
    assert type(out) is float
    assert out == pytest.approx(INITIAL_OUT, abs=1e-15, rel=0)
    assert MSELoss()(out, 0.7) == pytest.approx(INITIAL_COST, abs=1e-15, rel=0)


def test_first_step_gradients():
    model = two_node.build_model()
    loss_fn = MSELoss()
    loss_fn(model(2.0), 0.7)
    model.backward(loss_fn.backward())
    gradients = {name: p.grad for name, p in model.named_parameters()}
    assert gradients == pytest.approx(FIRST_GRADIENTS, abs=1e-15, rel=0)


def test_first_step_gradients_match_the_chain_rule_by_hand():
    """dC/dw for each weight, written out as the tutorial derives it."""
    s0, target, w0, w1, w2 = 2.0, 0.7, 2.0, 1.0, 0.5
    s1 = 1 / (1 + np.exp(-w0 * s0))
    s2 = 1 / (1 + np.exp(-w1 * s1))
    out = w2 * s2
    by_hand = {
        "4.weight": (out - target) * s2,
        "2.weight": (out - target) * w2 * s2 * (1 - s2) * s1,
        "0.weight": (out - target) * w2 * s2 * (1 - s2) * w1 * s1 * (1 - s1) * s0,
    }
    assert by_hand == pytest.approx(FIRST_GRADIENTS, abs=1e-15, rel=0)


def test_training_reaches_the_tutorials_weights_and_target():
    model = two_node.build_model()
    history = two_node.train(model)
    weights = {name: p.value for name, p in model.named_parameters()}
    assert weights == pytest.approx(FINAL_WEIGHTS, abs=1e-12, rel=0)
    assert model(2.0) == pytest.approx(0.7, abs=1e-12)
    assert len(history) == 1000
    assert history.output[0] == pytest.approx(INITIAL_OUT, abs=1e-15)  # out before step 1
    assert history.loss[0] == pytest.approx(INITIAL_COST, abs=1e-15)
    final = {name: history[name][-1] for name in history.names}
    assert final == pytest.approx(FINAL_WEIGHTS, abs=1e-12)


def test_the_tutorials_sequential_updates_end_elsewhere_but_also_at_the_target():
    w0, w1, w2, out = tutorial_loop()
    assert (w0, w1, w2) == pytest.approx(
        (2.0031198590477275, 1.0834236223083622, 0.9415374060237287), abs=1e-12
    )
    assert out == pytest.approx(0.7, abs=1e-12)
    assert abs(w1 - FINAL_WEIGHTS["2.weight"]) > 1e-3  # a real difference


def test_training_is_the_same_with_named_parameters():
    model = two_node.build_model()
    optimizer = SGD(model.named_parameters(), lr=0.1)
    loss_fn = MSELoss()
    for _ in range(1000):
        loss_fn(model(2.0), 0.7)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
    assert model[0].weight.value == FINAL_WEIGHTS["0.weight"]


def test_example_script_prints_the_numbers_and_saves_the_figure(tmp_path):
    pytest.importorskip("matplotlib")
    figure = tmp_path / "figure.png"
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "two_node.py"), "--plot", str(figure)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "initial output: 0.3637538067518207" in result.stdout
    assert "w0 = 2.00306162674230" in result.stdout
    assert "w2 = 0.94185821941369" in result.stdout
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert figure.stat().st_size > 10_000
