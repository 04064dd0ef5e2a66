"""The chapter's two-node network, checked against the chapter's own numbers.

The numbers (in the ``chapter`` fixture) are checked to 1e-15 for one step
and to 1e-12 after 1000 steps: tight enough to catch any real error, loose
enough for the last bit of ``exp`` to differ between CPUs.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nanonet import SGD, MSELoss

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def two_node_example(example):
    return example("two_node")


def chapter_loop(steps=1000):
    """The chapter's own loop, with its sequential updates, on plain floats."""
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


def test_initial_output_and_cost(two_node_example, chapter):
    model = two_node_example.build_model()
    out = model(2.0)
    assert type(out) is float
    assert out == pytest.approx(chapter.initial_out, abs=1e-15, rel=0)
    assert MSELoss()(out, 0.7) == pytest.approx(chapter.initial_cost, abs=1e-15, rel=0)


def test_first_step_gradients(two_node_example, chapter):
    model = two_node_example.build_model()
    loss_fn = MSELoss()
    loss_fn(model(2.0), 0.7)
    model.backward(loss_fn.backward())
    gradients = {name: p.grad for name, p in model.named_parameters()}
    assert gradients == pytest.approx(chapter.first_gradients, abs=1e-15, rel=0)


def test_first_step_gradients_match_the_chain_rule_by_hand(chapter):
    """dC/dw for each weight, written out as the chapter derives it."""
    c = chapter
    by_hand = {
        "4.weight": (c.out - c.target) * c.s2,
        "2.weight": (c.out - c.target) * c.w2 * c.s2 * (1 - c.s2) * c.s1,
        "0.weight": (c.out - c.target) * c.w2 * c.s2 * (1 - c.s2) * c.w1 * c.s1 * (1 - c.s1) * c.s0,
    }
    assert by_hand == pytest.approx(c.first_gradients, abs=1e-15, rel=0)


def test_training_reaches_the_chapters_weights_and_target(two_node_example, chapter):
    model = two_node_example.build_model()
    history = two_node_example.train(model)
    weights = {name: p.value for name, p in model.named_parameters()}
    assert weights == pytest.approx(chapter.final_weights, abs=1e-12, rel=0)
    assert model(2.0) == pytest.approx(0.7, abs=1e-12)
    assert len(history) == 1000
    assert history.output[0] == pytest.approx(chapter.initial_out, abs=1e-15)  # before step 1
    assert history.loss[0] == pytest.approx(chapter.initial_cost, abs=1e-15)
    final = {name: history[name][-1] for name in history.names}
    assert final == pytest.approx(chapter.final_weights, abs=1e-12)


def test_the_chapters_sequential_updates_end_elsewhere_but_also_at_the_target(chapter):
    w0, w1, w2, out = chapter_loop()
    assert (w0, w1, w2) == pytest.approx(chapter.sequential_update_weights, abs=1e-12)
    assert out == pytest.approx(0.7, abs=1e-12)
    assert abs(w1 - chapter.final_weights["2.weight"]) > 1e-3  # a real difference


def test_training_is_the_same_with_named_parameters(two_node_example, chapter):
    model = two_node_example.build_model()
    optimizer = SGD(model.named_parameters(), lr=0.1)
    loss_fn = MSELoss()
    for _ in range(1000):
        loss_fn(model(2.0), 0.7)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
    assert model[0].weight.value == pytest.approx(chapter.final_weights["0.weight"], abs=1e-12)


def test_example_script_prints_the_numbers_and_saves_the_figure(tmp_path):
    pytest.importorskip("matplotlib")
    figure = tmp_path / "figure.png"
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "two_node.py"), "--plot", str(figure)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "initial output: 0.363753806751820" in result.stdout
    assert "w0 = 2.0030616267423" in result.stdout
    assert "w2 = 0.9418582194136" in result.stdout
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert figure.stat().st_size > 10_000
