"""Layer: the contract every building block of a network follows."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from ._checks import FLOAT64, Value, as_float_dtype, as_value, missing_forward, refuse
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

    Both contain only the math. Call a layer like a function, ``layer(x)``:
    that checks ``x`` once, where it enters (`check_input`), and runs
    ``forward`` on a Python float (one sample) or a numpy array of the
    layer's ``dtype`` (a batch). A `nanonet.Sequential` calls each of its
    layers so, and checks what their ``backward`` return, so a layer's own
    code needs no checks. A ``backward`` run before any forward pass raises
    a RuntimeError that says so: the base class wraps each subclass's
    ``backward`` and turns the missing attribute into that message.

    What the base class finds by itself, with no registration code, in the
    layer's attributes (also inside lists, tuples and dicts, nested as deep
    as you like; a dict's keys become part of the names and must be
    strings):

    * a `Parameter` is a weight: `parameters`, `named_parameters`,
      `zero_grad`, `state_dict` and the optimizers find it;
    * a Layer is a sub-layer: its parameters are found too, named
      ``"<attribute>.<its name>"`` (``"blocks.first.weight"``);
    * a ``numpy.random.Generator`` is where the layer draws random numbers
      (`nanonet.Dropout`'s mask): `nanonet.save` keeps its state, so that a
      resumed run draws what the uninterrupted run would have.

    Three class attributes complete the contract, each optional:

    * ``buffers``: names of attributes holding arrays that belong to the
      layer's state but are not trained, such as `nanonet.BatchNorm1d`'s
      ``running_mean``; `state_dict`, `load_state_dict`, `to` and
      `nanonet.save` include them.
    * ``symbol``: a str that labels the layer in `nanonet.draw`'s pictures
      (``Sigmoid.symbol`` is ``"σ"``); without one the layer is drawn as a
      box with its class name.
    * ``training`` (True unless `eval` was called) says whether the layer is
      training; a layer that behaves differently in evaluation (Dropout,
      BatchNorm) reads it in ``forward``.

    Attributes:
        training (bool): True in training mode (the default), False after
            `eval`.
        dtype (numpy.dtype): What inputs are cast to when the layer is
            called: float64, or float32 after ``to(np.float32)``.

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

    # Attributes live in the instance's dict; nanonet's own layers also list their
    # busiest ones in __slots__, which Python reads faster (yours need not).
    __slots__ = ("__dict__", "__weakref__")
    training: bool = True
    dtype: np.dtype = FLOAT64
    buffers: tuple[str, ...] = ()

    def __call__(self, x: object) -> Any:
        """Check the input ``x`` with `check_input` and run `forward` on it.

        Args:
            x: A real number, or an array (or nested list) of real numbers.

        Returns:
            The layer's output.

        Raises:
            TypeError: If ``x`` is not a real number or an array of them.
            ValueError: If ``x`` does not fit the layer (see `check_input`).
        """
        return self.forward(self.check_input(x))

    def check_input(self, x: object) -> Value:
        """Return ``x`` as a float or an array of the layer's ``dtype``, or raise, naming the layer.

        Override it (calling this one first) when the layer takes inputs of
        a certain shape, as `nanonet.Dense` does.

        Raises:
            TypeError: If ``x`` is not a real number or an array of them.
        """
        if type(x) is float:  # (one of nanonet's two kinds already: nothing to name or convert)
            return x
        return as_value(x, f"input of {type(self).__name__}", self.dtype)

    def forward(self, x: Value) -> Any:
        """Compute the output from the input and cache what backward needs."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward(x)")

    def backward(self, grad: Value) -> Any:
        """Take dC/d(output); add dC/d(parameter) to each ``.grad``; return dC/d(input).

        Args:
            grad: dC/d(output), shaped like the last forward's output.

        Returns:
            dC/d(input), shaped like the last forward's input.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement backward(grad)")

    def __init_subclass__(cls, checks_forward: bool = False, **kwargs: Any) -> None:
        """Wrap a subclass's ``backward`` so that running it before any forward pass says so.

        Args:
            checks_forward: True for a layer whose backward says so itself, as
                `Sequential`'s does (``class Mine(Layer, checks_forward=True)``):
                its backward is left as written, and no wrapper holds on to
                the gradient it is given while it runs.
        """
        super().__init_subclass__(**kwargs)
        backward = cls.__dict__.get("backward")
        if backward is None or checks_forward:
            return

        @functools.wraps(backward)
        def backward_after_forward(self: Layer, grad: Value) -> Any:
            try:
                return backward(self, grad)
            except AttributeError as error:  # (try costs nothing while nothing is raised)
                raise missing_forward(self, error, "layer(x)", "layer.backward(grad)") from None

        cls.backward = backward_after_forward  # type: ignore[method-assign]

    # -- what the layer holds --------------------------------------------------

    def _members(self, kind: type, prefix: str = "") -> Iterator[tuple[str, Any]]:
        """(name, member) for every ``kind`` in this layer and its sub-layers, each once."""
        seen: set[int] = set()
        for name, member in _walk(self, prefix):
            if isinstance(member, kind) and id(member) not in seen:
                seen.add(id(member))
                yield name, member

    def named_children(self) -> Iterator[tuple[str, Layer]]:
        """Yield (name, layer) for each direct sub-layer.

        Examples:
            >>> from nanonet import Linear, Sigmoid, Sequential
            >>> [name for name, _ in Sequential(Linear(1.0), Sigmoid()).named_children()]
            ['0', '1']
        """
        for name, member in _own_members(self):
            if isinstance(member, Layer):
                yield name, member

    def children(self) -> Iterator[Layer]:
        """Yield each direct sub-layer."""
        return (child for _, child in self.named_children())

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """Yield (name, parameter) for this layer's parameters and its sub-layers', each once.

        Names follow PyTorch: a sub-layer's parameters are prefixed with the
        sub-layer's name and a dot, as in ``"0.weight"``.

        Examples:
            >>> from nanonet import Linear, Sigmoid, Sequential
            >>> model = Sequential(Linear(2.0), Sigmoid(), Linear(1.0))
            >>> [name for name, _ in model.named_parameters()]
            ['0.weight', '2.weight']
        """
        return self._members(Parameter)

    def parameters(self) -> Iterator[Parameter]:
        """Yield this layer's parameters and its sub-layers', each once.

        Examples:
            >>> from nanonet import Linear
            >>> list(Linear(2.0).parameters())
            [Parameter(2.0)]
        """
        return (parameter for _, parameter in self.named_parameters())

    def named_buffers(self) -> Iterator[tuple[str, np.ndarray]]:
        """Yield (name, array) for the ``buffers`` of this layer and its sub-layers."""
        for prefix, layer in self._members(Layer):
            for name in type(layer).buffers:
                yield f"{prefix}.{name}" if prefix else name, getattr(layer, name)

    def named_generators(self) -> Iterator[tuple[str, np.random.Generator]]:
        """Yield (name, generator) for each ``numpy.random.Generator`` the layers draw from.

        A layer that draws random numbers (`nanonet.Dropout`'s mask) keeps its
        Generator as an attribute; `nanonet.save` keeps its state, so that a
        resumed run draws what the uninterrupted one would have.
        """
        return self._members(np.random.Generator)

    def zero_grad(self) -> None:
        """Reset the gradient of every parameter to zero."""
        for parameter in self.parameters():
            parameter.zero_grad()

    def train(self, mode: bool = True) -> Layer:
        """Set training mode (``mode=False``: evaluation) on this layer and every sub-layer.

        Returns:
            The layer itself, so that ``model = Sequential(...).train()`` reads.

        Raises:
            TypeError: If ``mode`` is not True or False.
        """
        if not isinstance(mode, bool):  # (PyTorch refuses it too: "train" is not a mode)
            raise TypeError(f"train(mode): mode must be True or False, got {type(mode).__name__}")
        for _, layer in self._members(Layer):
            layer.training = mode
        return self

    def eval(self) -> Layer:
        """Set evaluation mode: ``train(False)``. Returns the layer."""
        return self.train(False)

    def to(self, dtype: Any) -> Layer:
        """Compute in ``dtype`` (float32 or float64) from now on: weights, buffers and inputs.

        Array parameters (and their gradients) and buffers become arrays of
        ``dtype``; single-number parameters stay Python floats. Returns the
        layer itself.

        Raises:
            TypeError: If ``dtype`` is not float32 or float64.

        Examples:
            >>> from nanonet import Dense
            >>> Dense(2, 3).to(np.float32).weight.dtype
            dtype('float32')
        """
        dtype = as_float_dtype(dtype)
        for parameter in self.parameters():
            parameter.to(dtype)
        for _, layer in self._members(Layer):
            layer.dtype = dtype
            for name in type(layer).buffers:
                setattr(layer, name, getattr(layer, name).astype(dtype))
        return self

    # -- the state, out and in ---------------------------------------------------

    def state_dict(self) -> dict[str, Value]:
        """Return the weights and buffers: a new dict from name to a copy of the value.

        A scalar parameter gives a float, an array parameter or a buffer a
        new array, so changing the dict never changes the layer.

        Examples:
            >>> from nanonet import Linear, Sigmoid, Sequential
            >>> Sequential(Linear(2.0), Sigmoid(), Linear(0.5)).state_dict()
            {'0.weight': 2.0, '2.weight': 0.5}
        """
        state = {name: p.value for name, p in self.named_parameters()}
        state.update(self.named_buffers())
        return {name: np.array(v) if isinstance(v, np.ndarray) else v for name, v in state.items()}

    def load_state_dict(self, state: Mapping[str, object], strict: bool = True) -> IncompatibleKeys:
        """Set the weights and buffers from ``state``, a dict like the one `state_dict` returns.

        Everything is checked before anything is assigned: if any entry is
        wrong, one error lists every offending name and the layer stays
        exactly as it was. The layer keeps its own copies of the values.

        Args:
            state: Name to value (a number or an array).
            strict: If True, the names in ``state`` must be exactly the
                layer's. If False, names that match are loaded and the
                others are reported in the return value.

        Returns:
            The pair ``(missing_keys, unexpected_keys)``.

        Raises:
            TypeError: If ``state`` is not a mapping.
            ValueError: If (with ``strict``) names are missing or unexpected,
                or any value is not numeric, not finite, or shaped unlike
                the layer's.

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
        own: dict[str, Any] = dict(self.named_parameters())
        own.update(self.named_buffers())
        missing = [name for name in own if name not in state]
        unexpected = [name for name in state if name not in own]
        problems = [f"{name!r}: missing" for name in missing if strict]
        problems += [f"{name!r}: unexpected (no such parameter)" for name in unexpected if strict]
        checked = {}
        for name, target in own.items():
            if name not in state:
                continue
            try:
                new = Parameter(state[name], target.dtype)  # checks it: numeric and finite
            except (TypeError, ValueError) as err:
                problems.append(f"{name!r}: {err}")
                continue
            if new.shape != target.shape:  # (a Parameter and an array both have a shape)
                problems.append(f"{name!r}: expected shape {target.shape}, got {new.shape}")
            checked[name] = new.value
        refuse(problems, f"cannot load the state dict into {type(self).__name__}")
        for name, value in checked.items():  # in place: whoever holds an array sees the change
            if isinstance(own[name], Parameter):
                own[name].value = value
            else:
                np.copyto(own[name], value)
        return IncompatibleKeys(missing, unexpected)

    # -- how a layer looks -------------------------------------------------------

    def extra_repr(self) -> str:
        """Return the text shown inside the parentheses of ``repr(layer)``.

        Override it to show a layer's settings, as ``Linear`` shows its weight.
        """
        return ""

    def __repr__(self) -> str:
        lines = [
            f"({name}): " + repr(child).replace("\n", "\n  ")
            for name, child in self.named_children()
        ]
        if not lines:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [self.extra_repr(), *lines] if self.extra_repr() else lines
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


def _own_members(layer: Layer) -> Iterator[tuple[str, object]]:
    """(name, item) for each attribute of ``layer``, looking inside lists, tuples and dicts."""
    for name, attribute in _attributes(layer):
        yield from _flatten(name, attribute, type(layer).__name__)


def _attributes(layer: Layer) -> Iterator[tuple[str, object]]:
    """(name, value) for each attribute: those in ``__slots__`` (set ones), then the dict's."""
    for cls in reversed(type(layer).__mro__):
        for name in cls.__dict__.get("__slots__", ()):
            if name not in ("__dict__", "__weakref__") and hasattr(layer, name):
                yield name, getattr(layer, name)
    yield from vars(layer).items()


def _walk(layer: Layer, prefix: str) -> Iterator[tuple[str, object]]:
    """The layer itself (named ``prefix``), its members, then its sub-layers', with full names."""
    yield prefix, layer
    for name, member in _own_members(layer):
        if not isinstance(member, Layer):
            yield f"{prefix}.{name}" if prefix else name, member
    for name, child in layer.named_children():
        yield from _walk(child, f"{prefix}.{name}" if prefix else name)


def _flatten(name: str, attribute: object, owner: str) -> Iterator[tuple[str, object]]:
    """(name, item) for ``attribute`` and, inside lists, tuples and dicts, for each item."""
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
    if isinstance(attribute, dict):
        attribute = list(attribute.values())
    if isinstance(attribute, (list, tuple, set, frozenset)):
        return any(_holds_trainables(item) for item in attribute)
    return isinstance(attribute, (Layer, Parameter))
