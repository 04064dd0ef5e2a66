"""Layer: the contract every building block of a network follows."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from . import _display, _state
from ._checks import Value, as_value, is_value, quietly
from ._state import IncompatibleKeys
from .parameter import Parameter


class Layer:
    """The base class of every layer, built-in or your own.

    A layer is one step of the chain rule. Subclasses implement two methods:

    * ``forward(x)`` computes the output from the input ``x`` and remembers
      (caches) whatever ``backward`` will need.
    * ``backward(grad)`` receives ``grad`` = dC/d(output), the gradient of the
      cost with respect to this layer's output. It *adds* dC/d(parameter) to
      the ``.grad`` of each of its parameters and returns dC/d(input), which
      becomes the ``grad`` of the layer before it.

    Both contain only the math. Call a layer like a function, ``layer(x)``:
    that checks ``x`` once and runs ``forward``. Inputs arrive in ``forward``
    as one of two kinds: a Python float (one sample) or a float64 numpy array
    (a batch of samples). A `nanonet.Sequential` checks what its layers
    hand each other, both ways, so a layer's own code needs no checks.

    Parameters and sub-layers are discovered automatically: any attribute
    that is a `Parameter` or a Layer, or a list, tuple or dict of them
    (nested as deep as you like), is found by `parameters`,
    `named_parameters` and `zero_grad`, with no registration code.
    A dict's keys become part of the names (``"blocks.first.weight"``) and
    must be strings.

    Optionally, a ``symbol`` attribute (a str) labels the layer in
    `nanonet.draw`'s pictures: ``Sigmoid.symbol`` is ``"σ"``, ``Linear``'s
    is ``"×"``. A layer without one is drawn as a box with its class name.

    Examples:
        A layer that doubles its input and has no parameters:

        >>> class Double(Layer):
        ...     def forward(self, x):
        ...         return 2.0 * x
        ...     def backward(self, grad):
        ...         return 2.0 * grad          # d(2x)/dx = 2
        >>> layer = Double()
        >>> layer(1.5)
        3.0
        >>> layer.backward(1.0)
        2.0
    """

    # Built-in layers list their attributes in __slots__: it makes attribute
    # access in forward and backward faster and catches misspelled names.
    # Your own layers need not; discovery below handles both kinds.
    __slots__ = ()

    def __call__(self, x: object) -> Value:
        """Check the input ``x`` and run `forward` on it.

        Args:
            x: A real number, or an array (or nested list) of real numbers.

        Returns:
            The layer's output: a float for a number, an array for an array
                (a numpy scalar that ``forward`` returns becomes a float).

        Raises:
            TypeError: If ``x`` is not a real number or an array of them.
        """
        if type(x) is float:  # one number: the fast path
            y = self.forward(x)
        else:
            if not is_value(x):
                x = as_value(x, f"input of {type(self).__name__}")
            y = quietly(self.forward, x)  # inf and NaN are reported where they enter a loss
        if type(y) is not float and not is_value(y):
            y = as_value(y, f"what {type(self).__name__}.forward() returned")
        return y

    def forward(self, x: Value) -> Value:
        """Compute the output from the input and cache what backward needs.

        Args:
            x: The input, a float or a float64 numpy array.

        Returns:
            The output.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement forward(x)")

    def backward(self, grad: Value) -> Value:
        """Propagate the gradient from the output back to the input.

        Args:
            grad: dC/d(output), shaped like the last forward's output.

        Returns:
            dC/d(input), shaped like the last forward's input. As a side
                effect, dC/d(parameter) is added to each parameter's ``.grad``.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement backward(grad)")

    # -- finding parameters and sub-layers ---------------------------------

    def _members(self) -> Iterator[tuple[str, object]]:
        """Yield (name, attribute) for every attribute, looking inside lists, tuples and dicts.

        Attributes live in ``__slots__`` (built-in layers) or in the instance
        ``__dict__`` (layers without ``__slots__``); both are searched.
        """
        attributes = {}
        for cls in reversed(type(self).__mro__):
            slots = cls.__dict__.get("__slots__", ())
            for name in [slots] if isinstance(slots, str) else slots:
                if name not in ("__dict__", "__weakref__") and hasattr(self, name):
                    attributes[name] = getattr(self, name)
        attributes.update(getattr(self, "__dict__", {}))
        for name, attribute in attributes.items():
            yield from _flatten(name, attribute, type(self).__name__)

    def named_children(self) -> Iterator[tuple[str, Layer]]:
        """Yield (name, layer) for each direct sub-layer.

        Examples:
            >>> from nanonet import Linear, Sigmoid, Sequential
            >>> [name for name, _ in Sequential(Linear(1.0), Sigmoid()).named_children()]
            ['0', '1']
        """
        for name, member in self._members():
            if isinstance(member, Layer):
                yield name, member

    def children(self) -> Iterator[Layer]:
        """Yield each direct sub-layer."""
        for _, child in self.named_children():
            yield child

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """Yield (name, parameter) for this layer's parameters and its sub-layers'.

        Names follow PyTorch: a sub-layer's parameters are prefixed with the
        sub-layer's name and a dot, as in ``"0.weight"``. A parameter shared
        by several layers is yielded once. Each parameter remembers the name
        it was yielded under (``Parameter.name``), so that an optimizer given
        only ``parameters()`` can still name it in an error.

        Examples:
            >>> from nanonet import Linear, Sigmoid, Sequential
            >>> model = Sequential(Linear(2.0), Sigmoid(), Linear(1.0))
            >>> [name for name, _ in model.named_parameters()]
            ['0.weight', '2.weight']
        """
        seen = set()
        for name, parameter in self._all_named_parameters(""):
            if id(parameter) not in seen:
                seen.add(id(parameter))
                parameter.name = name
                yield name, parameter

    def _all_named_parameters(self, prefix: str) -> Iterator[tuple[str, Parameter]]:
        for name, member in self._members():
            if isinstance(member, Parameter):
                yield prefix + name, member
        for name, child in self.named_children():
            yield from child._all_named_parameters(f"{prefix}{name}.")

    def parameters(self) -> Iterator[Parameter]:
        """Yield this layer's parameters and its sub-layers', each once.

        Examples:
            >>> from nanonet import Linear
            >>> list(Linear(2.0).parameters())
            [Parameter(2.0)]
        """
        for _, parameter in self.named_parameters():
            yield parameter

    def zero_grad(self) -> None:
        """Reset the gradient of every parameter to zero."""
        for parameter in self.parameters():
            parameter.zero_grad()

    # -- the weights, out and in (see nanonet._state) -------------------------

    def state_dict(self) -> dict[str, Value]:
        """Return the weights: a new dict from parameter name to a copy of its value.

        A scalar parameter gives a float, an array parameter a new array, so
        changing the dict never changes the layer. Names are those of
        `named_parameters`.

        Examples:
            >>> from nanonet import Linear, Sigmoid, Sequential
            >>> Sequential(Linear(2.0), Sigmoid(), Linear(0.5)).state_dict()
            {'0.weight': 2.0, '2.weight': 0.5}
        """
        return _state.state_dict(self.named_parameters())

    def load_state_dict(self, state: Mapping[str, object], strict: bool = True) -> IncompatibleKeys:
        """Set the weights from ``state``, a dict like the one `state_dict` returns.

        Everything is checked before anything is assigned: if any entry is
        wrong, one error lists every offending name and the layer stays
        exactly as it was. The layer keeps its own copies of the values.

        Args:
            state: Parameter name to value (a number or an array).
            strict: If True, the names in ``state`` must be exactly the
                layer's parameter names. If False, names that match are
                loaded and the others are reported in the return value.

        Returns:
            The pair ``(missing_keys, unexpected_keys)``, the layer's parameter
                names absent from ``state`` and the names in ``state`` the layer
                does not have.

        Raises:
            TypeError: If ``state`` is not a mapping.
            ValueError: If (with ``strict``) names are missing or unexpected,
                or any value is not numeric, not finite, or shaped unlike
                its parameter.

        Examples:
            >>> from nanonet import Linear, Sequential
            >>> model = Sequential(Linear(1.0), Linear(1.0))
            >>> model.load_state_dict({"0.weight": 2.0, "1.weight": 3.0})
            IncompatibleKeys(missing_keys=[], unexpected_keys=[])
            >>> model
            Sequential(
              (0): Linear(weight=2.0)
              (1): Linear(weight=3.0)
            )
        """
        return _state.load_state_dict(
            dict(self.named_parameters()), state, strict, type(self).__name__
        )

    # -- how a layer looks ---------------------------------------------------

    def extra_repr(self) -> str:
        """Return the text shown inside the parentheses of ``repr(layer)``.

        Override it to show a layer's settings, as ``Linear`` shows its weight.
        """
        return ""

    def _repr_html_(self) -> str:
        """How Jupyter shows a layer: a table of its layers and their parameters.

        ``print(layer)`` and ``repr(layer)`` keep the PyTorch-style text.
        """
        return _display.layer_table(self)

    def __repr__(self) -> str:
        name = type(self).__name__
        children = list(self.named_children())
        if not children:
            return f"{name}({self.extra_repr()})"
        lines = [self.extra_repr()] if self.extra_repr() else []
        for child_name, child in children:
            lines.append(f"({child_name}): " + repr(child).replace("\n", "\n  "))
        return f"{name}(\n  " + "\n  ".join(lines) + "\n)"


def _flatten(name: str, attribute: object, owner: str) -> Iterator[tuple[str, object]]:
    """Yield (name, item) for ``attribute`` and, inside lists, tuples and dicts, for each item."""
    if isinstance(attribute, (list, tuple)):
        for index, item in enumerate(attribute):
            yield from _flatten(f"{name}.{index}", item, owner)
    elif isinstance(attribute, dict):
        for key, item in attribute.items():
            if not isinstance(key, str) and _holds_trainables(item):
                raise TypeError(
                    f"{owner}.{name} is a dict holding layers or parameters, so its keys "
                    f"name them and must be strings; got the key {key!r}"
                )
            yield from _flatten(f"{name}.{key}", item, owner)
    elif isinstance(attribute, (set, frozenset)) and _holds_trainables(attribute):
        raise TypeError(
            f"{owner}.{name} is a set holding layers or parameters; a set has no order, "
            "so they could not be named or saved: use a list or a dict instead"
        )
    else:
        yield name, attribute


def _holds_trainables(attribute: object) -> bool:
    """True if ``attribute`` is, or contains, a Layer or a Parameter."""
    if isinstance(attribute, (Layer, Parameter)):
        return True
    if isinstance(attribute, dict):
        attribute = attribute.values()
    if isinstance(attribute, (list, tuple, set, frozenset, type({}.values()))):
        return any(_holds_trainables(item) for item in attribute)
    return False
