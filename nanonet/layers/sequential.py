"""Sequential: layers chained one after another."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, overload

import numpy as np

from .._checks import Value, as_value, shape_of
from ..layer import Layer


class Sequential(Layer, checks_forward=True):
    """Chain layers: the output of each is the input of the next.

    Forward runs the layers in order. Backward runs them in reverse, handing
    each layer's dC/d(input) to the layer before it as its dC/d(output):
    that hand-over is the chain rule, and it is all backpropagation is.

    Where the checks happen: ``model(x)`` checks the input once, where it
    enters (`Layer.check_input`); then each layer's ``forward`` is handed
    what the layer before it returned. Only if a layer's forward raises is
    what it was handed checked, so that the error names the layer whose
    output did not fit (or that forgot to ``return``). Backward checks what each
    layer's ``backward`` returns: dC/d(input) must be shaped like the input
    the layer's forward got, or the error names the layer. The gradient
    given to `backward` must be shaped like the output, and each forward
    pass allows one backward pass (a second one would add every gradient
    twice).

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

    __slots__ = ("layers", "_shapes")

    def __init__(self, *layers: Layer) -> None:
        for index, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(
                    f"Sequential takes Layers, but argument {index} is a "
                    f"{type(layer).__name__}: {layer!r}"
                )
        _refuse_repeated_layers(layers)
        self.layers = layers
        self.dtype = next((p.dtype for p in self.parameters() if p.shape), self.dtype)
        self._shapes: list[tuple[int, ...]] | None = None  # each layer's input, then the output

    def forward(self, x: Value) -> Any:
        """Run every layer's forward, first to last; keep the shapes that backward checks."""
        self._shapes = None
        shapes = []  # each layer's input shape, then the output's (a float's shape is ())
        for layer in self.layers:
            shapes.append(getattr(x, "shape", ()))
            try:
                x = layer.forward(x)
            except Exception:
                self._check_handed(len(shapes) - 1, x)  # the input as the cause, if it is one
                raise
        if x is None:  # (the last layer's: no layer after it would fail on it)
            self._check_handed(len(self.layers), x)
        shapes.append(getattr(x, "shape", ()))
        self._shapes = shapes
        return x

    def backward(self, grad: Value) -> Any:
        """Run every layer's backward, last to first, and return dC/d(input).

        Raises:
            RuntimeError: If no forward pass came before, or this forward
                pass has already been gone back through.
            TypeError: If ``grad``, or what a layer's backward returns, is
                not a number or an array of numbers.
            ValueError: If ``grad`` is not shaped like the last output, or a
                layer's dC/d(input) is not shaped like its input.
        """
        shapes, self._shapes = self._shapes, None
        if shapes is None:
            raise RuntimeError(
                "Sequential.backward() needs a forward pass first: call model(x) before "
                "model.backward(grad). Each forward pass allows one backward pass, since a "
                "second one would add every gradient again"
            )
        if type(grad) is not float:
            grad = as_value(grad, "grad given to Sequential.backward()", None)
        if getattr(grad, "shape", ()) != shapes[-1]:
            raise ValueError(
                "grad given to Sequential.backward() must have the shape of the model's "
                f"output {shapes[-1]}, got shape {shape_of(grad)}"
            )
        index = len(self.layers)
        for layer in reversed(self.layers):
            index -= 1
            try:
                grad = layer.backward(grad)
            except Exception:
                self._checked_gradient(index + 1, grad, shapes[index + 1])  # what it was handed
                raise
            if getattr(grad, "shape", ()) != shapes[index]:  # dC/d(input): shaped as the input
                grad = self._checked_gradient(index, grad, shapes[index])
        if grad is None:  # (layer 0's: no layer before it would fail on it)
            self._checked_gradient(0, grad, shapes[0])
        return grad

    def _check_handed(self, index: int, x: object) -> None:
        """Raise if ``x``, which the layer before ``index`` handed on, is what failed."""
        if index and not isinstance(x, (float, np.ndarray)):
            name = f"what layer {index - 1} ({type(self.layers[index - 1]).__name__}) returned"
            hint = ": forward() must return its output; did you forget `return`?"
            got = "None" + hint if x is None else f"a {type(x).__name__}, not a float or an array"
            raise TypeError(f"{name} from forward() is {got}")
        if index < len(self.layers):
            self.layers[index].check_input(x)  # a precise error, if the input does not fit

    def _checked_gradient(self, index: int, grad: object, shape: tuple[int, ...] = ()) -> Value:
        """Layer ``index``'s dC/d(input), if it is a value shaped like its input; else an error."""
        if index == len(self.layers):  # the gradient given to backward: checked already
            return grad  # type: ignore[return-value]
        if getattr(grad, "shape", ()) == shape and isinstance(grad, (float, np.ndarray)):
            return grad
        name = f"what layer {index} ({type(self.layers[index]).__name__}) returned from backward()"
        if grad is None:
            raise TypeError(
                f"{name} is None: backward() must return dC/d(input); did you forget `return`?"
            )
        grad = as_value(grad, name, None)
        if shape_of(grad) != shape:
            raise ValueError(
                f"{name} has shape {shape_of(grad)}, but the layer's input had shape {shape}: "
                "dC/d(input) must have the shape of the input (a sum over the batch, or a "
                "transposed product, changes it)"
            )
        return grad

    def named_children(self) -> Iterator[tuple[str, Layer]]:
        for index, layer in enumerate(self.layers):
            yield str(index), layer

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Layer]:
        return iter(self.layers)

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
            return Sequential(*self.layers[index])
        if isinstance(index, str):
            hint = f"model[{index}]" if index.lstrip("-").isdigit() else "model[0]"
            raise TypeError(
                f"Sequential's layers are numbered by position: use {hint}, not model[{index!r}] "
                "(the number before the dot in a parameter name such as '0.weight' is that "
                "position)"
            )
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(
                "Sequential's layers are numbered by position: index it with an int or a slice, "
                f"got {type(index).__name__}"
            )
        if not -len(self.layers) <= index < len(self.layers):
            raise IndexError(
                f"this Sequential has {len(self.layers)} layers (0 to "
                f"{len(self.layers) - 1}), so there is no layer {index}"
            )
        return self.layers[index]


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
            yield from _places(layer.layers, f"{place}.")
