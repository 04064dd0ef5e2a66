"""History: what training did, step by step, and the tutorial's figure of it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from ._checks import Value, as_value, copy_value
from .layer import Layer


class History:
    """Record the loss, every parameter and (optionally) the output at each step.

    One call per training step, `record`, is all the loop needs. The
    records come back as numpy arrays, one value per step, and
    `plot` draws the tutorial's figure: each weight, the output and
    the target against the iteration number.

    Call `record` after ``optimizer.step()``: it stores the weights
    after the update and the output of the forward pass that led to it,
    the same columns the tutorial keeps in its ``results`` array.

    Args:
        model: The model whose parameters to record (found by name, as in
            ``model.named_parameters()``).

    Raises:
        TypeError: If ``model`` is not a Layer.

    Examples:
        >>> from nanonet import Linear, Sigmoid, Sequential, MSELoss, SGD
        >>> model = Sequential(Linear(2.0), Sigmoid(), Linear(1.0), Sigmoid(), Linear(0.5))
        >>> loss_fn, optimizer = MSELoss(), SGD(model.parameters(), lr=0.1)
        >>> history = History(model)
        >>> for step in range(1000):
        ...     out = model(2.0)
        ...     loss = loss_fn(out, 0.7)
        ...     optimizer.zero_grad()
        ...     grad_input = model.backward(loss_fn.backward())
        ...     optimizer.step()
        ...     history.record(loss, output=out)
        >>> len(history), history.names
        (1000, ['0.weight', '2.weight', '4.weight'])
        >>> print(history["4.weight"][-1], history.output[-1])
        0.9418582194136942 0.6999999999999993
    """

    def __init__(self, model: Layer) -> None:
        if not isinstance(model, Layer):
            raise TypeError(f"History needs a Layer, got {type(model).__name__}")
        self._parameters = list(model.named_parameters())
        self._values: dict[str, list[Value]] = {name: [] for name, _ in self._parameters}
        self._loss: list[float] = []
        self._output: list[Value] = []

    def record(self, loss: float, output: object = None) -> None:
        """Record one step: ``loss``, every parameter's current value, and ``output``.

        Args:
            loss: The step's loss, a number.
            output: The step's output, a number or an array; record it at
                every step or never.

        Raises:
            TypeError: If ``loss`` or ``output`` is not numeric.
            ValueError: If ``output`` is given at some steps and not others.
        """
        loss = as_value(loss, "loss")
        if type(loss) is not float:
            raise TypeError(f"loss must be a single number, got an array of shape {loss.shape}")
        if output is not None:
            output = as_value(output, "output")
        if self._loss and (output is not None) != bool(self._output):
            raise ValueError("output must be recorded at every step or at none")
        self._loss.append(loss)
        if output is not None:
            self._output.append(copy_value(output))
        for name, parameter in self._parameters:
            self._values[name].append(copy_value(parameter.value))

    def __len__(self) -> int:
        """The number of steps recorded."""
        return len(self._loss)

    @property
    def names(self) -> list[str]:
        """The names of the recorded parameters."""
        return list(self._values)

    @property
    def loss(self) -> np.ndarray:
        """The loss at each step, an array of shape (steps,)."""
        return np.array(self._loss)

    @property
    def output(self) -> np.ndarray:
        """The output at each step, an array of shape (steps, *output shape)."""
        if not self._output:
            raise ValueError("no output was recorded: pass output= to record()")
        return np.array(self._output)

    def __getitem__(self, name: str) -> np.ndarray:
        """The values of parameter ``name`` at each step, shape (steps, *parameter shape)."""
        if name not in self._values:
            raise KeyError(f"no parameter named {name!r}; recorded: {', '.join(self._values)}")
        return np.array(self._values[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def plot(
        self,
        target: float | None = None,
        *,
        names: list[str] | None = None,
        labels: dict[str, str] | None = None,
        ax: Any = None,
    ) -> Any:
        """Draw the tutorial's figure: each weight, the output and the target per iteration.

        Needs matplotlib (``pip install "nanonet[plot]"``).

        Args:
            target: If given, drawn as a black horizontal line.
            names: The parameters to draw, in this order (default: all).
                An array parameter is drawn one line per element.
            labels: Legend labels instead of parameter names, such as
                ``{"0.weight": "w0"}``; ``"output"`` relabels the output.
            ax: A matplotlib Axes to draw on; by default a new 12 x 3 inch
                figure, the tutorial's size.

        Returns:
            The matplotlib Axes.

        Raises:
            ImportError: If matplotlib is not installed.
            KeyError: If a name in ``names`` was not recorded.
        """
        try:
            import matplotlib.pyplot as plt
        except ImportError as err:
            raise ImportError(
                'History.plot needs matplotlib: install it with pip install "nanonet[plot]"'
            ) from err
        labels = labels or {}
        if ax is None:
            _, ax = plt.subplots(figsize=(12, 3), layout="constrained")
        for name in self.names if names is None else names:
            values = self[name].reshape(len(self), -1)
            for column in range(values.shape[1]):
                suffix = f"[{column}]" if values.shape[1] > 1 else ""
                ax.plot(values[:, column], label=labels.get(name, name) + suffix)
        if self._output and np.ndim(self._output[0]) == 0:
            ax.plot(self.output, label=labels.get("output", "out"))
        if target is not None:
            ax.plot(np.full(len(self), float(target)), "k", label="target")
        ax.set_xlabel("Iteration number")
        ax.legend(loc="upper right")
        return ax

    def __repr__(self) -> str:
        return f"History(steps={len(self)}, parameters={self.names})"
