"""History: one call per step, arrays per name, and the tutorial's figure."""

import sys

import numpy as np
import pytest

from nanonet import SGD, History, Layer, Linear, MSELoss, Parameter, Sequential, Sigmoid


def two_node():
    return Sequential(Linear(2.0), Sigmoid(), Linear(1.0), Sigmoid(), Linear(0.5))


def train(model, history, steps=50, record_output=True):
    loss_fn, optimizer = MSELoss(), SGD(model.parameters(), lr=0.1)
    by_hand = {"loss": [], "out": [], "w": []}
    for _ in range(steps):
        out = model(2.0)
        loss = loss_fn(out, 0.7)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
        history.record(loss, output=out if record_output else None)
        by_hand["loss"].append(loss)
        by_hand["out"].append(out)
        by_hand["w"].append([p.value for p in model.parameters()])
    return by_hand


def test_arrays_match_a_hand_recorded_loop():
    model = two_node()
    history = History(model)
    by_hand = train(model, history)
    assert len(history) == 50 and history.names == ["0.weight", "2.weight", "4.weight"]
    assert list(history) == history.names
    np.testing.assert_array_equal(history.loss, by_hand["loss"])
    np.testing.assert_array_equal(history.output, by_hand["out"])
    for i, name in enumerate(history.names):
        np.testing.assert_array_equal(history[name], np.array(by_hand["w"])[:, i])
    assert history["0.weight"].shape == (50,)
    assert repr(history) == "History(steps=50, parameters=['0.weight', '2.weight', '4.weight'])"


def test_array_parameters_and_batch_outputs_are_copied():
    class Bias(Layer):
        def __init__(self):
            self.b = Parameter([0.0, 0.0])

    layer = Bias()
    history = History(layer)
    output = np.array([1.0, 2.0])
    history.record(1.0, output=output)
    layer.b.value[0] = 5.0  # changed in place after recording
    output[0] = 9.0
    history.record(0.5, output=output)
    np.testing.assert_array_equal(history["b"], [[0.0, 0.0], [5.0, 0.0]])
    np.testing.assert_array_equal(history.output, [[1.0, 2.0], [9.0, 2.0]])


def test_output_is_optional_but_all_or_nothing():
    history = History(two_node())
    history.record(0.5)
    with pytest.raises(ValueError, match="no output was recorded"):
        history.output
    with pytest.raises(ValueError, match="every step or at none"):
        history.record(0.5, output=1.0)
    other = History(two_node())
    other.record(0.5, output=1.0)
    with pytest.raises(ValueError, match="every step or at none"):
        other.record(0.5)
    assert len(other) == 1


@pytest.mark.parametrize(
    "bad, error", [("0.5", TypeError), (None, TypeError), (np.ones(2), TypeError)]
)
def test_record_checks_the_loss(bad, error):
    history = History(two_node())
    with pytest.raises(error, match="loss"):
        history.record(bad)
    assert len(history) == 0


def test_unknown_name_and_non_layer():
    with pytest.raises(KeyError, match="no parameter named 'w0'; recorded: 0.weight"):
        History(two_node())["w0"]
    with pytest.raises(TypeError, match="History needs a Layer"):
        History([Parameter(1.0)])


def test_plot_writes_the_tutorials_figure(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    model = two_node()
    history = History(model)
    train(model, history)
    ax = history.plot(
        target=0.7,
        names=["4.weight", "2.weight", "0.weight"],
        labels={"4.weight": "w2", "2.weight": "w1", "0.weight": "w0"},
    )
    assert [line.get_label() for line in ax.get_lines()] == ["w2", "w1", "w0", "out", "target"]
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), history["4.weight"])
    assert ax.get_xlabel() == "Iteration number"
    path = tmp_path / "figure.png"
    ax.figure.savefig(path)
    plt.close(ax.figure)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_draws_array_parameters_element_by_element():
    pytest.importorskip("matplotlib").use("Agg")

    class Bias(Layer):
        def __init__(self):
            self.b = Parameter([0.0, 1.0])

    history = History(Bias())
    history.record(1.0)
    ax = history.plot()
    assert [line.get_label() for line in ax.get_lines()] == ["b[0]", "b[1]"]


def test_plot_without_matplotlib_says_which_extra_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r'pip install "nanonet\[plot\]"'):
        History(two_node()).plot()
