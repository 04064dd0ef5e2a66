"""History: one call per step, arrays per name, and the chapter's figure."""

import sys
import warnings

import numpy as np
import pytest

from nanonet import (
    SGD,
    Dense,
    History,
    Layer,
    MSELoss,
    Parameter,
    Sequential,
    Tanh,
    TrainingWarning,
)


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


def test_arrays_match_a_hand_recorded_loop(two_node):
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


def test_output_is_optional_but_all_or_nothing(two_node):
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
def test_record_checks_the_loss(two_node, bad, error):
    history = History(two_node())
    with pytest.raises(error, match="loss"):
        history.record(bad)
    assert len(history) == 0


def test_unknown_name_and_non_layer(two_node):
    with pytest.raises(KeyError, match="no parameter named 'w0'; recorded: 0.weight"):
        History(two_node())["w0"]
    with pytest.raises(TypeError, match="History needs a Layer"):
        History([Parameter(1.0)])


def test_plot_writes_the_chapters_figure(two_node, tmp_path):
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


def test_plot_draws_array_parameters_element_by_element_with_one_legend_entry():
    pytest.importorskip("matplotlib").use("Agg")

    class Bias(Layer):
        def __init__(self):
            self.b = Parameter([0.0, 1.0, 2.0])

    history = History(Bias())
    history.record(1.0)
    ax = history.plot(labels={"b": "bias"})
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["bias (3 elements)", "_bias[1]", "_bias[2]"]
    assert len({line.get_color() for line in lines}) == 1  # one parameter, one colour
    assert [line.get_ydata()[0] for line in lines] == [0.0, 1.0, 2.0]
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["bias (3 elements)"]


@pytest.mark.parametrize("hidden_layers", [1, 12])
def test_plot_of_a_dense_network_keeps_its_legend_on_the_figure(hidden_layers):
    """The 2-4-1 XOR network drew 17 entries over the plot; a deep one, many more."""
    pytest.importorskip("matplotlib").use("Agg")
    import matplotlib.pyplot as plt

    layers = [Dense(2, 4, rng=0), Tanh()]
    for k in range(1, hidden_layers):
        layers += [Dense(4, 4, rng=k), Tanh()]
    model = Sequential(*layers, Dense(4, 1, rng=99))
    history = History(model)
    history.record(0.5, output=0.3)  # (a scalar output is drawn too)
    ax = history.plot(target=1.0)
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend[:2] == ["0.weight (8 elements)", "0.bias (4 elements)"]
    assert len(legend) == 2 * (hidden_layers + 1) + 2  # one per parameter, out, target
    figure = ax.figure
    figure.canvas.draw()
    box, frame = ax.get_legend().get_window_extent(), figure.bbox
    assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
    beside = box.x0 >= ax.get_window_extent().x1  # many entries: beside the plot, not on it
    assert beside == (len(legend) > 5)
    plt.close(figure)


def test_plot_without_matplotlib_says_which_extra_to_install(two_node, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r'pip install "nanonet\[plot\]"'):
        History(two_node()).plot()


def test_chosen_parameters_only_and_the_loss_alone(two_node):
    model = two_node()
    only = History(model, names=["4.weight"])
    loss_only = History(model, names=[])
    train(model, only, steps=5)
    loss_only.record(0.5)
    assert only.names == ["4.weight"] and only["4.weight"].shape == (5,)
    assert loss_only.names == [] and len(loss_only) == 1
    with pytest.raises(KeyError, match="no parameter named '9.weight'; it has: 0.weight, 2.weight"):
        History(model, names=["9.weight"])
    with pytest.raises(TypeError, match="names must be a list of parameter names"):
        History(model, names="4.weight")


def test_plot_loss_draws_the_loss_on_a_log_scale(two_node):
    pytest.importorskip("matplotlib").use("Agg")
    import matplotlib.pyplot as plt

    model = two_node()
    history = History(model)
    train(model, history, steps=20)
    ax = history.plot_loss()
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "loss (log scale)"
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), history.loss)
    plt.close(ax.figure)


def test_a_loss_that_keeps_growing_is_warned_about_with_the_numbers(two_node):
    history = History(two_node(), names=[])
    losses = [1.0, 0.5] + [0.5 * 1.2**k for k in range(1, 12)]
    with pytest.warns(TrainingWarning) as record:
        for loss in losses:
            history.record(loss)
    (warning,) = record
    assert "the loss has grown for 10 steps in a row, from 0.5 to 3.096" in str(warning.message)
    assert "the training is diverging. Lower the learning rate first" in str(warning.message)


def test_a_noisy_or_slowly_rising_loss_is_not_warned_about(two_node):
    history = History(two_node(), names=[])
    rng = np.random.default_rng(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for loss in np.abs(rng.normal(1.0, 0.1, 500)):
            history.record(loss)
        for k in range(20):
            history.record(1.0 + 0.01 * k)  # grows 20 steps in a row, but by less than 2x
    assert caught == []


def test_a_missing_zero_grad_is_named_with_the_numbers(two_node):
    model = two_node()
    loss_fn, optimizer, history = MSELoss(), SGD(model.parameters(), lr=0.1), History(model)
    loss_fn(model(2.0), 0.7)
    model.backward(loss_fn.backward())
    optimizer.step()
    history.record(0.5)
    loss_fn(model(2.0), 0.7)
    model.backward(loss_fn.backward())  # no zero_grad: the gradients add up
    optimizer.step()
    with pytest.warns(TrainingWarning) as record:
        history.record(0.4)
    (warning,) = record
    message = str(warning.message)
    assert "the gradient of '0.weight' was not reset since the last step" in message
    assert "adds up the gradients of several steps (it is -0.00" in message
    assert "Call optimizer.zero_grad() before each backward pass" in message
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loss_fn(model(2.0), 0.7)
        model.backward(loss_fn.backward())  # still no zero_grad
        history.record(0.3)
    assert caught == []  # once per History


def test_zero_grad_before_each_backward_gives_no_warning(two_node):
    model = two_node()
    loss_fn, optimizer, history = MSELoss(), SGD(model.parameters(), lr=0.1), History(model)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            loss_fn(model(2.0), 0.7)
            model.zero_grad()  # the model's zero_grad counts too
            model.backward(loss_fn.backward())
            optimizer.step()
            history.record(0.5)
    assert caught == []
