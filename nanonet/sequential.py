"""Sequential: layers chained one after another."""

from __future__ import annotations

from collections.abc import Iterator
from typing import overload

from ._checks import Value
from .layer import Layer


class Sequential(Layer):
    """Chain layers: the output of each is the input of the next.

    Forward runs the layers in order. Backward runs them in reverse, handing
    each layer's dC/d(input) to the layer before it as its dC/d(output):
    that hand-over is the chain rule, and it is all backpropagation is.

    Parameters are named by position, as in PyTorch: the weight of the
    first layer is ``"0.weight"``.

    Args:
        *layers: The layers, first to last. Any `Layer` works,
            including another Sequential or a layer you wrote.

    Raises:
        TypeError: If one of ``layers`` is not a Layer.

    Examples:
        The tutorial's two-node network:

        >>> from nanonet import Linear, Sigmoid
        >>> model = Sequential(Linear(2.0), Sigmoid(), Linear(1.0), Sigmoid(), Linear(0.5))
        >>> model(2.0)
        0.36375380675182073
        >>> len(model), model[0]
        (5, Linear(weight=2.0))
        >>> [name for name, _ in model.named_parameters()]
        ['0.weight', '2.weight', '4.weight']
    """

    __slots__ = ("_layers", "_ran_forward")

    def __init__(self, *layers: Layer) -> None:
        for index, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(
                    f"Sequential takes Layers, but argument {index} is a "
                    f"{type(layer).__name__}: {layer!r}"
                )
        self._layers = layers
        self._ran_forward = False

    def forward(self, x: Value) -> Value:
        """Run every layer's forward, first to last."""
        for layer in self._layers:
            x = layer.forward(x)
        self._ran_forward = True
        return x

    def backward(self, grad: Value) -> Value:
        """Run every layer's backward, last to first, and return dC/d(input)."""
        if not self._ran_forward:
            raise RuntimeError(
                "Sequential.backward() was called before forward(): "
                "run a forward pass first, so the layers have values to differentiate"
            )
        for layer in reversed(self._layers):
            grad = layer.backward(grad)
        return grad

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
        """Return one layer, or a new Sequential of a slice of the layers."""
        if isinstance(index, slice):
            return Sequential(*self._layers[index])
        return self._layers[index]
