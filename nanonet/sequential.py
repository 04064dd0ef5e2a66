"""Sequential: layers chained one after another."""

from __future__ import annotations

from collections.abc import Iterator
from typing import overload

import numpy as np

from ._checks import FLOAT64, Value, as_value, is_value, quietly, shape_of
from .layer import Layer


class Sequential(Layer):
    """Chain layers: the output of each is the input of the next.

    Forward runs the layers in order. Backward runs them in reverse, handing
    each layer's dC/d(input) to the layer before it as its dC/d(output):
    that hand-over is the chain rule, and it is all backpropagation is.

    Sequential is also where values are checked, so that no layer has to:
    what each layer returns is converted to a float or a float64 array (or
    refused with an error that names the layer), the gradient given to
    `backward` must be shaped like the output, and each forward pass
    allows one backward pass (a second one would add every gradient twice).

    Parameters are named by position, as in PyTorch: the weight of the
    first layer is ``"0.weight"``.

    Args:
        *layers: The layers, first to last. Any `Layer` works,
            including another Sequential or a layer you wrote.

    Raises:
        TypeError: If one of ``layers`` is not a Layer.
        ValueError: If the same layer object comes twice in the chain, or
            in a Sequential inside it (``act = Sigmoid()`` used at two
            places): a layer keeps what its forward saw for its backward, so
            each place in the chain needs a layer of its own.

    Examples:
        The chapter's two-node network:

        >>> from nanonet import Linear, Sigmoid
        >>> model = Sequential(Linear(2.0), Sigmoid(), Linear(1.0), Sigmoid(), Linear(0.5))
        >>> model(2.0)
        0.36375380675182073
        >>> len(model), model[0]
        (5, Linear(weight=2.0))
        >>> [name for name, _ in model.named_parameters()]
        ['0.weight', '2.weight', '4.weight']
    """

    __slots__ = ("_layers", "_reversed", "_output_shape")

    def __init__(self, *layers: Layer) -> None:
        for index, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(
                    f"Sequential takes Layers, but argument {index} is a "
                    f"{type(layer).__name__}: {layer!r}"
                )
        _refuse_repeated_layers(layers)
        self._layers = layers
        self._reversed = layers[::-1]  # the order of the backward pass
        self._output_shape: tuple[int, ...] | None = None  # None: no forward to go back through

    def forward(self, x: Value) -> Value:
        """Run every layer's forward, first to last, checking what each returns."""
        self._output_shape = None
        for layer in self._layers:
            x = layer.forward(x)
            if type(x) is not float and (type(x) is not np.ndarray or x.dtype is not FLOAT64):
                x = self._checked(x, layer, "forward")
        self._output_shape = () if type(x) is float else shape_of(x)
        return x

    def backward(self, grad: Value) -> Value:
        """Run every layer's backward, last to first, and return dC/d(input).

        Raises:
            RuntimeError: If no forward pass came before, or this forward
                pass has already been gone back through.
            TypeError: If ``grad`` (or what a layer's backward returns) is
                not a number or an array of numbers.
            ValueError: If ``grad`` is not shaped like the last output.
        """
        shape = self._output_shape
        if shape is None:
            raise RuntimeError(
                "Sequential.backward() needs a forward pass first: call model(x) before "
                "model.backward(grad). Each forward pass allows one backward pass, since a "
                "second one would add every gradient again (as PyTorch, nanonet refuses it)"
            )
        self._output_shape = None
        if type(grad) is not float or shape != ():  # (one number needs no more checks)
            return self._backward_array(grad, shape)
        for layer in self._reversed:
            grad = layer.backward(grad)
            if type(grad) is not float:
                grad = self._checked(grad, layer, "backward")
        return grad

    def _backward_array(self, grad: Value, shape: tuple[int, ...]) -> Value:
        """Backward for an array: check ``grad`` against the output's shape, then run."""
        if not is_value(grad):
            grad = as_value(grad, "grad given to Sequential.backward()")
        if shape_of(grad) != shape:
            raise ValueError(
                f"grad given to Sequential.backward() must have the shape of the model's "
                f"output {shape}, got shape {shape_of(grad)}"
            )
        return quietly(self._backward, grad)  # inf and NaN are reported where they enter a loss

    def _backward(self, grad: Value) -> Value:
        for layer in self._reversed:
            grad = layer.backward(grad)
            if type(grad) is not float and (
                type(grad) is not np.ndarray or grad.dtype is not FLOAT64
            ):
                grad = self._checked(grad, layer, "backward")
        return grad

    def _checked(self, value: object, layer: Layer, method: str) -> Value:
        """What ``layer.<method>`` returned, as a float or a float64 array, or a clear error."""
        index = next(i for i, each in enumerate(self._layers) if each is layer)
        name = f"what layer {index} ({type(layer).__name__}) returned from {method}()"
        if value is None:
            raise TypeError(
                f"{name} is None: {method}() must return "
                + ("its output" if method == "forward" else "dC/d(input)")
                + "; did you forget `return`?"
            )
        return as_value(value, name)

    def named_children(self) -> Iterator[tuple[str, Layer]]:
        for index, layer in enumerate(self._layers):
            yield str(index), layer

    def __len__(self) -> int:
        return len(self._layers)

    def __iter__(self) -> Iterator[Layer]:
        return iter(self._layers)

    @overload
    def __getitem__(self, index: int) -> Layer: ...
    @overload
    def __getitem__(self, index: slice) -> Sequential: ...

    def __getitem__(self, index: int | slice) -> Layer | Sequential:
        """Return one layer, or a new Sequential of a slice of the layers.

        Raises:
            TypeError: If ``index`` is not an int or a slice.
            IndexError: If there is no layer at ``index``.
        """
        if isinstance(index, slice):
            return Sequential(*self._layers[index])
        if isinstance(index, str):
            hint = f"model[{index}]" if index.lstrip("-").isdigit() else "model[0]"
            raise TypeError(
                f"Sequential's layers are numbered by position: use {hint}, not "
                f"model[{index!r}] (the number before the dot in a parameter name such as "
                "'0.weight' is that position)"
            )
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(
                f"Sequential's layers are numbered by position: index it with an int or a "
                f"slice, got {type(index).__name__}"
            )
        try:
            return self._layers[index]
        except IndexError:
            raise IndexError(
                f"this Sequential has {len(self._layers)} layers (0 to "
                f"{len(self._layers) - 1}), so there is no layer {index}"
            ) from None


def _refuse_repeated_layers(layers: tuple[Layer, ...]) -> None:
    """Raise if one layer object sits at two places of the chain (nested chains included)."""
    places: dict[int, str] = {}
    for place, layer in _places(layers):
        if id(layer) in places:
            name = type(layer).__name__
            raise ValueError(
                f"Sequential got the same {name} object at two places, layer "
                f"{places[id(layer)]} and layer {place}: a layer keeps what its forward saw "
                "for its backward, so the second use would overwrite the first and the "
                f"gradients would be wrong. Create one layer for each place (two {name} layers)"
            )
        places[id(layer)] = place


def _places(layers: tuple[Layer, ...], prefix: str = "") -> Iterator[tuple[str, Layer]]:
    """Each place of the chain, in reading order, and the layer there: "0", "1", "1.0", ...

    A Sequential inside the chain is a chain too, and is looked into. What another layer
    holds, and where it uses it, is that layer's own business.
    """
    for index, layer in enumerate(layers):
        place = f"{prefix}{index}"
        yield place, layer
        if isinstance(layer, Sequential):
            yield from _places(layer._layers, f"{place}.")
