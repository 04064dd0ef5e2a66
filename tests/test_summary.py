"""summary: each layer's output shape and parameters, as text and HTML; the model left as it was."""

import copy

import numpy as np
import pytest

from nanonet import (
    BatchNorm2d,
    Conv2d,
    Dense,
    Dropout,
    Flatten,
    Linear,
    MaxPool2d,
    ReLU,
    Sequential,
    Summary,
    summary,
)


def cnn():
    return Sequential(
        Conv2d(1, 4, 3, padding=1, rng=0),
        BatchNorm2d(4),
        ReLU(),
        MaxPool2d(2),
        Flatten(),
        Dropout(0.5, rng=1),
        Dense(64, 10, rng=2),
    )


def test_the_table_lists_each_layer_its_output_shape_and_parameters():
    result = summary(cnn(), (32, 1, 8, 8))
    assert isinstance(result, Summary)
    assert (
        str(result)
        == repr(result)
        == "\n".join(
            [
                "layer           output shape   parameters",
                "--------------  -------------  ----------",
                "input           (32, 1, 8, 8)",
                "0: Conv2d       (32, 4, 8, 8)          40",
                "1: BatchNorm2d  (32, 4, 8, 8)           8",
                "2: ReLU         (32, 4, 8, 8)           0",
                "3: MaxPool2d    (32, 4, 4, 4)           0",
                "4: Flatten      (32, 64)                0",
                "5: Dropout      (32, 64)                0",
                "6: Dense        (32, 10)              650",
                "parameters: 698 (5.5 KiB in float64)",
                "buffers (state that is not trained): 8 numbers",
            ]
        )
    )
    assert result.parameters == 698 and result.buffers == 8 and result.input_shape == (32, 1, 8, 8)


def test_in_jupyter_it_is_an_html_table():
    html = summary(cnn(), (1, 1, 8, 8))._repr_html_()
    assert html.startswith("<table><thead><tr>") and html.count("<tr>") == 9
    assert '<td style="text-align: right">650</td>' in html
    assert "<p>parameters: 698 (5.5 KiB in float64)</p>" in html


def test_the_model_is_left_exactly_as_it_was():
    model = cnn()
    model(np.random.default_rng(0).normal(size=(4, 1, 8, 8)))  # in training mode
    before = copy.deepcopy(model.state_dict())
    rng_state = copy.deepcopy(model[5].rng.bit_generator.state)
    cache = model[0].columns
    summary(model, (1, 1, 8, 8))  # one image: BatchNorm in training mode would refuse it
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name])  # running statistics too
    assert model[5].rng.bit_generator.state == rng_state
    assert model[0].columns is cache and all(layer.training for layer in model)


def test_a_single_layer_is_one_row_and_large_counts_get_commas():
    result = summary(Dense(1000, 300), (2, 1000))
    assert result.rows == [("Dense", (2, 300), 300_300)]
    assert "Dense  (2, 300)         300,300\nparameters: 300,300 (2.3 MiB in float64)" in str(
        result
    )
    assert summary(Linear(2.0), (3,)).rows == [("Linear", (3,), 1)]


def test_float32_models_say_so():
    result = summary(Sequential(Dense(4, 2, dtype=np.float32)), (1, 4))
    assert "in float32" in str(result) and result.dtype == np.float32


def test_a_shape_that_does_not_fit_gets_the_layers_own_error():
    with pytest.raises(ValueError, match=r"Dense\(in_features=64.* takes samples of 64"):
        summary(cnn(), (1, 1, 6, 6))
