"""Notebook displays: HTML tables in Jupyter, PyTorch-style text for print."""

import numpy as np

from nanonet import Layer, Linear, Parameter, Sequential, Sigmoid


def test_sequential_shows_an_html_table_of_layers_and_parameters():
    model = Sequential(Linear(2.0), Sigmoid(), Sequential(Linear(1.0), Sigmoid()), Linear(0.5))
    html = model._repr_html_()
    assert html.startswith("<table><caption>Sequential</caption>")
    assert "<th>#</th><th>layer</th><th>parameters</th>" in html
    assert "<tr><td>0</td><td>Linear</td><td>weight = 2</td></tr>" in html
    assert "<tr><td>1</td><td>Sigmoid</td><td></td></tr>" in html
    assert "<tr><td>2.0</td><td>Linear</td><td>weight = 1</td></tr>" in html
    assert str(model).startswith("Sequential(\n  (0): Linear(weight=2.0)")


def test_a_single_layer_and_array_parameters():
    class Dense(Layer):
        def __init__(self):
            self.weight = Parameter(np.array([[1.0, 3.0]]))
            self.bias = Parameter(0.5)

    html = Dense()._repr_html_()
    assert "weight = [[1, 3]]; bias = 0.5" in html
    assert "<caption>Dense</caption>" in Dense()._repr_html_()


def test_html_is_escaped():
    class Odd(Layer):
        def extra_repr(self):
            return "<script>"

    assert "<script>" not in Sequential(Odd())._repr_html_()
