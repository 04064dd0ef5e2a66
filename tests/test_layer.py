"""The Layer contract: calling, parameter discovery, zero_grad and repr."""

import numpy as np
import pytest

from nanonet import Layer, Linear, Parameter, Sequential, Sigmoid


class Scale(Layer):
    """A user layer with a scalar parameter and no __slots__ or registration."""

    def __init__(self, factor):
        self.factor = Parameter(factor)
        self.x = None

    def forward(self, x):
        self.x = x
        return self.factor.value * x

    def backward(self, grad):
        self.factor.grad += float(np.sum(grad * self.x))
        return self.factor.value * grad


class Block(Layer):
    """A user layer holding sub-layers, a list of layers and a parameter."""

    def __init__(self):
        self.first = Linear(1.0)
        self.stack = [Scale(2.0), Sigmoid()]
        self.bias = Parameter([0.0, 0.0])


def test_call_converts_input_and_runs_forward():
    layer = Scale(3.0)
    assert layer(2) == 6.0 and type(layer(2)) is float
    assert type(layer(np.float32(2.0))) is float
    out = layer([1, 2])
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    np.testing.assert_array_equal(out, [3.0, 6.0])


def test_float64_input_array_is_not_copied():
    layer = Linear(2.0)
    x = np.array([1.0, 2.0])
    layer(x)
    assert layer.x is x


def test_parameters_are_discovered_in_user_layers_without_registration():
    block = Block()
    names = [name for name, _ in block.named_parameters()]
    assert names == ["bias", "first.weight", "stack.0.factor"]
    assert [p.shape for p in block.parameters()] == [(2,), (), ()]
    assert [name for name, _ in block.named_children()] == ["first", "stack.0", "stack.1"]


def test_shared_parameters_are_yielded_once():
    a = Linear(1.0)
    b = Linear(2.0)
    b.weight = a.weight
    assert len(list(Sequential(a, b).parameters())) == 1


def test_zero_grad_resets_all_gradients():
    block = Block()
    for p in block.parameters():
        p.grad = p.grad + 1.0
    block.zero_grad()
    assert all(np.all(p.grad == 0.0) for p in block.parameters())


def test_forward_and_backward_must_be_implemented():
    class Empty(Layer):
        pass

    with pytest.raises(NotImplementedError, match="Empty must implement forward"):
        Empty()(1.0)
    with pytest.raises(NotImplementedError, match="Empty must implement backward"):
        Empty().backward(1.0)


def test_repr_of_layers():
    assert repr(Linear(2.0)) == "Linear(weight=2.0)"
    assert repr(Sigmoid()) == "Sigmoid()"
    assert repr(Block()) == (
        "Block(\n  (first): Linear(weight=1.0)\n  (stack.0): Scale()\n  (stack.1): Sigmoid()\n)"
    )


def test_builtin_layers_keep_their_busiest_attributes_in_slots_and_are_found_alike():
    layer = Linear(1.0)
    layer.note = Parameter(2.0)  # any layer may be given more attributes
    assert "weight" in type(layer).__slots__ and "weight" not in vars(layer)
    assert [name for name, _ in layer.named_parameters()] == ["weight", "note"]


class Blocks(Layer):
    """A user layer that keeps its sub-layers and a parameter in dicts, nested in a list."""

    def __init__(self):
        self.blocks = {"first": Linear(1.0), "second": Sequential(Linear(2.0), Sigmoid())}
        self.extra = [{"scale": Parameter(3.0)}]


def test_layers_and_parameters_in_dicts_are_found_trained_and_saved():
    block = Blocks()
    names = [name for name, _ in block.named_parameters()]
    assert names == ["extra.0.scale", "blocks.first.weight", "blocks.second.0.weight"]
    assert [name for name, _ in block.named_children()] == ["blocks.first", "blocks.second"]
    assert block.state_dict() == {
        "extra.0.scale": 3.0,
        "blocks.first.weight": 1.0,
        "blocks.second.0.weight": 2.0,
    }
    block.load_state_dict({"extra.0.scale": 4.0, "blocks.first.weight": 5.0,
                           "blocks.second.0.weight": 6.0})  # fmt: skip
    assert block.blocks["second"][0].weight.value == 6.0
    assert "(blocks.first): Linear(weight=5.0)" in repr(block)


def test_a_set_of_layers_or_a_dict_with_other_keys_is_refused_not_ignored():
    class InASet(Layer):
        def __init__(self):
            self.layers = {Linear(1.0)}

    class IntKeys(Layer):
        def __init__(self):
            self.layers = {0: Linear(1.0)}

    with pytest.raises(TypeError, match=r"InASet.layers is a set holding layers .* use a list"):
        list(InASet().parameters())
    with pytest.raises(
        TypeError, match=r"IntKeys.layers is a dict .* must be strings; got the key 0"
    ):
        list(IntKeys().parameters())


def test_dicts_and_sets_of_other_things_are_left_alone():
    class Settings(Layer):
        def __init__(self):
            self.options = {1: "a", "b": [2.0]}
            self.tags = {"x", "y"}
            self.w = Parameter(1.0)

    assert [name for name, _ in Settings().named_parameters()] == ["w"]


def test_a_layer_that_checks_its_own_forward_keeps_its_backward_as_written():
    """checks_forward=True: no wrapper (Sequential's own check says more, and holds nothing)."""

    class Checked(Layer, checks_forward=True):
        def forward(self, x):
            self.x = x
            return x

        def backward(self, grad):
            return grad * self.x

    class Wrapped(Checked):
        def backward(self, grad):
            return grad * self.x

    assert Checked.backward is Checked.__dict__["backward"]
    with pytest.raises(AttributeError):
        Checked().backward(1.0)
    with pytest.raises(RuntimeError, match=r"Wrapped.backward\(\) needs a forward pass first"):
        Wrapped().backward(1.0)
    assert not hasattr(Sequential.backward, "__wrapped__")  # (functools.wraps sets it)
    assert hasattr(Wrapped.backward, "__wrapped__")
