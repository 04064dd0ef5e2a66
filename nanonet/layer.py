"""Layer: the contract every building block of a network follows."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import NamedTuple

from ._checks import Value, as_value, copy_value, shape_of
from ._tables import format_cell, html_table
from .parameter import Parameter


class IncompatibleKeys(NamedTuple):
    """What `Layer.load_state_dict` did not load, as in PyTorch."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Layer:
    """The base class of every layer, built-in or your own.

    A layer is one step of the chain rule. Subclasses implement two methods:

    * ``forward(x)`` computes the output from the input ``x`` and remembers
      (caches) whatever ``backward`` will need.
    * ``backward(grad)`` receives ``grad`` = dC/d(output), the gradient of the
      cost with respect to this layer's output. It *adds* dC/d(parameter) to
      the ``.grad`` of each of its parameters and returns dC/d(input), which
      becomes the ``grad`` of the layer before it.

    Call a layer like a function, ``layer(x)``: that checks ``x`` and runs
    ``forward``. Inputs arrive in ``forward`` as one of two kinds: a Python
    float (one sample) or a float64 numpy array (a batch of samples).

    Parameters and sub-layers are discovered automatically: any attribute
    that is a `Parameter` or a Layer (or a list or tuple of them) is
    found by `parameters`, `named_parameters` and
    `zero_grad`, with no registration code.

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
            The layer's output: a float for a number, an array for an array.

        Raises:
            TypeError: If ``x`` is not a real number or an array of them.
        """
        if type(x) is not float:  # floats need no conversion: the fast path
            x = as_value(x, f"input of {type(self).__name__}")
        return self.forward(x)

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
        """Yield (name, attribute) for every attribute, flattening lists and tuples.

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
            if isinstance(attribute, (list, tuple)):
                for index, item in enumerate(attribute):
                    yield f"{name}.{index}", item
            else:
                yield name, attribute

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
        by several layers is yielded once.

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

    # -- state: the weights, out and in ---------------------------------------

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
        return {name: copy_value(p.value) for name, p in self.named_parameters()}

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
            ``(missing_keys, unexpected_keys)``: the layer's parameter names
            absent from ``state``, and the names in ``state`` the layer does
            not have.

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
        if not isinstance(state, Mapping):
            raise TypeError(
                f"state must be a mapping of names to values, got {type(state).__name__}"
            )
        parameters = dict(self.named_parameters())
        missing = [name for name in parameters if name not in state]
        unexpected = [key for key in state if key not in parameters]
        problems = []
        if strict:
            problems += [f"{name!r}: missing" for name in missing]
            problems += [f"{key!r}: unexpected (no such parameter)" for key in unexpected]
        new_values = {}
        for name, parameter in parameters.items():
            if name not in state:
                continue
            try:
                new = Parameter(state[name])  # checks it is numeric and finite, and copies
            except (TypeError, ValueError) as err:
                problems.append(f"{name!r}: {err}")
                continue
            if new.shape != parameter.shape:
                problems.append(f"{name!r}: expected shape {parameter.shape}, got {new.shape}")
                continue
            new_values[name] = new.value
        if problems:
            raise ValueError(
                f"cannot load the state dict into {type(self).__name__}; "
                f"{len(problems)} problem(s):\n  " + "\n  ".join(problems)
            )
        for name, value in new_values.items():
            parameters[name].value = value
        return IncompatibleKeys(missing, unexpected)

    # -- checks shared by layers --------------------------------------------

    def _check_grad(self, grad: object, cached: Value | None) -> Value:
        """Check the ``grad`` given to ``backward`` against what forward cached.

        Built-in layers call this on their slow path, that is unless both
        ``grad`` and the cached value are floats. It raises before anything
        is changed, so a failed backward leaves every gradient as it was.

        Args:
            grad: The gradient passed to ``backward``.
            cached: A value forward cached that has the shape of the output
                (or None if forward has not run).

        Returns:
            ``grad`` as a float or a float64 array.

        Raises:
            RuntimeError: If forward has not run yet.
            TypeError: If ``grad`` is not a real number or array of them.
            ValueError: If ``grad`` is not shaped like the forward output.
        """
        name = type(self).__name__
        if cached is None:
            raise RuntimeError(
                f"{name}.backward() was called before forward(): "
                "run a forward pass first, so the layer has values to differentiate"
            )
        grad = as_value(grad, f"grad given to {name}.backward()")
        if shape_of(grad) != shape_of(cached):
            raise ValueError(
                f"grad given to {name}.backward() must have the shape of the "
                f"layer's output {shape_of(cached)}, got shape {shape_of(grad)}"
            )
        return grad

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
        rows = []
        for index, layer in self._leaves(""):
            own = [(name, p) for name, p in layer._members() if isinstance(p, Parameter)]
            values = "; ".join(f"{name} = {format_cell(p.value)}" for name, p in own)
            rows.append([index, type(layer).__name__, values])
        return html_table(["#", "layer", "parameters"], rows, caption=type(self).__name__)

    def _leaves(self, prefix: str) -> Iterator[tuple[str, Layer]]:
        """Yield (name, layer) for the layers without sub-layers, depth first."""
        children = list(self.named_children())
        if not children:
            yield prefix, self
        for name, child in children:
            yield from child._leaves(f"{prefix}.{name}" if prefix else name)

    def __repr__(self) -> str:
        name = type(self).__name__
        children = list(self.named_children())
        if not children:
            return f"{name}({self.extra_repr()})"
        lines = [self.extra_repr()] if self.extra_repr() else []
        for child_name, child in children:
            lines.append(f"({child_name}): " + repr(child).replace("\n", "\n  "))
        return f"{name}(\n  " + "\n  ".join(lines) + "\n)"
