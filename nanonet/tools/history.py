"""History: what training did, step by step, and the chapter's figure of it."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from .._checks import Value, as_value
from .._format import format_number
from ..layer import Layer
from ._steps import copy_value


class TrainingWarning(UserWarning):
    """A warning about how training goes: a loss that keeps growing, gradients never reset.

    Examples:
        >>> import warnings
        >>> issubclass(TrainingWarning, UserWarning)
        True
    """


#: History.plot's legend sits on the plot up to this many entries, beside it beyond.
LEGEND_INSIDE = 5
#: A loss that grew this many steps in a row, by at least GROWTH_FACTOR overall, gets a warning.
GROWING_STEPS = 10
GROWTH_FACTOR = 2.0


class History:
    """Record the loss, the parameters and (optionally) the output at each step.

    One call per training step, `record`, is all the loop needs. The
    records come back as numpy arrays, one value per step, and `plot` draws
    the chapter's figure: each weight, the output and the target against
    the iteration number; `plot_loss` draws the loss.

    Call `record` after ``optimizer.step()``: it stores the weights
    after the update and the output of the forward pass that led to it,
    the same columns the chapter keeps in its ``results`` array.

    Recording copies every chosen parameter at every step, so for a large
    network choose a few by name (or none: the loss alone costs nothing).

    `record` warns (a `TrainingWarning`) when the loss has grown for 10
    steps in a row, to at least twice what it was: the training is
    diverging; and when a gradient was not reset since the last step:
    ``zero_grad()`` is missing, and the gradients of every step add up.

    Args:
        model: The model whose parameters to record.
        names: The names of the parameters to record (as in
            ``model.named_parameters()``); by default all of them.

    Raises:
        TypeError: If ``model`` is not a Layer, or ``names`` is not a list
            of names.
        KeyError: If the model has no parameter of a name in ``names``.

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

    def __init__(self, model: Layer, names: Iterable[str] | None = None) -> None:
        if not isinstance(model, Layer):
            raise TypeError(f"History needs a Layer, got {type(model).__name__}")
        parameters = dict(model.named_parameters())
        if names is None:
            chosen = list(parameters)
        elif isinstance(names, str) or not all(isinstance(name, str) for name in names):
            raise TypeError(f"names must be a list of parameter names, got {names!r}")
        else:
            chosen = list(names)
        for name in chosen:
            if name not in parameters:
                raise KeyError(
                    f"the model has no parameter named {name!r}; it has: {', '.join(parameters)}"
                )
        self._parameters = [(name, parameters[name]) for name in chosen]
        self._everyone = list(parameters.items())  # all, to see whose gradient is never reset
        self._resets: list[int] | None = None  # each parameter's grad_resets at the last record
        self._values: dict[str, list[Value]] = {name: [] for name in chosen}
        self._loss: list[float] = []
        self._output: list[Value] = []
        self._warned = False  # (each warning is given once)
        self._warned_grad = False

    def record(self, loss: float, output: object = None) -> None:
        """Record one step: ``loss``, the chosen parameters' current values, and ``output``.

        Args:
            loss: The step's loss, a number.
            output: The step's output, a number or an array; record it at
                every step or never.

        Raises:
            TypeError: If ``loss`` or ``output`` is not numeric.
            ValueError: If ``output`` is given at some steps and not others.

        Warns:
            TrainingWarning: When the loss has grown for 10 steps in a row
                to at least twice what it was, or a parameter's gradient was
                not reset since the last step (each once per History).
        """
        number = as_value(loss, "loss")
        if not isinstance(number, float):
            raise TypeError(f"loss must be a single number, got an array of shape {number.shape}")
        recorded_output = None if output is None else as_value(output, "output")
        if self._loss and (recorded_output is not None) != bool(self._output):
            raise ValueError("output must be recorded at every step or at none")
        self._loss.append(number)
        if recorded_output is not None:
            self._output.append(copy_value(recorded_output))
        for name, parameter in self._parameters:
            self._values[name].append(copy_value(parameter.value))
        if not self._warned:
            self._warn_if_diverging()
        if not self._warned_grad:
            self._warn_if_never_reset()

    def _warn_if_never_reset(self) -> None:
        """Warn once if a non-zero gradient was not reset since the last record."""
        resets = [parameter.grad_resets for _, parameter in self._everyone]
        if self._resets is not None:
            for (name, parameter), now, before in zip(
                self._everyone, resets, self._resets, strict=True
            ):
                if now == before and np.any(parameter.grad):
                    self._warned_grad = True
                    warnings.warn(
                        f"the gradient of {name!r} was not reset since the last step, so it adds "
                        f"up the gradients of several steps (it is {format_number(parameter.grad)} "
                        "now): backward adds to .grad, and only zero_grad() resets it. Call "
                        "optimizer.zero_grad() before each backward pass",
                        TrainingWarning,
                        stacklevel=3,
                    )
                    break
        self._resets = resets

    def _warn_if_diverging(self) -> None:
        """Warn once if the last GROWING_STEPS losses each grew, by GROWTH_FACTOR in all."""
        recent = self._loss[-GROWING_STEPS - 1 :]
        if len(recent) <= GROWING_STEPS or not all(
            a < b for a, b in zip(recent, recent[1:], strict=False)
        ):
            return
        if recent[-1] >= GROWTH_FACTOR * recent[0]:
            self._warned = True
            warnings.warn(
                f"the loss has grown for {GROWING_STEPS} steps in a row, from {recent[0]:.4g} "
                f"to {recent[-1]:.4g} (step {len(self._loss) - GROWING_STEPS} to "
                f"{len(self._loss)}): the training is diverging. Lower the learning rate first",
                TrainingWarning,
                stacklevel=3,
            )

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
        """Draw the chapter's figure: each weight, the output and the target per iteration.

        Needs matplotlib (``pip install "nanonet[plot]"``).

        An array parameter (a `nanonet.Dense` weight, say) is drawn one thin
        line per element, all in one colour, with one entry in the legend:
        ``0.weight (8 elements)``. So the legend has one entry per
        parameter, and it moves out of the way, to the right of the plot,
        when there are more than a few; above 10 entries it takes more
        columns. Any network's figure stays readable.

        Args:
            target: If given, drawn as a black horizontal line.
            names: The parameters to draw, in this order (default: all
                recorded).
            labels: Legend labels instead of parameter names, such as
                ``{"0.weight": "w0"}``; ``"output"`` relabels the output.
            ax: A matplotlib Axes to draw on; by default a new 12 x 3 inch
                figure, the chapter's size.

        Returns:
            The matplotlib Axes. Each line is labelled by its parameter; an
                array's first element carries the legend's entry, and each
                other element is labelled with its index, ``_0.weight[3]``
                (the leading ``_`` keeps it out of the legend).

        Raises:
            ImportError: If matplotlib is not installed.
            KeyError: If a name in ``names`` was not recorded.
        """
        ax = _new_axes(ax)
        labels = labels or {}
        for name in self.names if names is None else names:
            values = self[name].reshape(len(self), -1)
            label = labels.get(name, name)
            if values.shape[1] == 1:
                ax.plot(values[:, 0], label=label)
                continue
            (first,) = ax.plot(
                values[:, 0], linewidth=1.0, label=f"{label} ({values.shape[1]} elements)"
            )
            for column in range(1, values.shape[1]):
                ax.plot(values[:, column], color=first.get_color(), linewidth=1.0,
                        label=f"_{label}[{column}]")  # fmt: skip
        if self._output and np.ndim(self._output[0]) == 0:
            ax.plot(self.output, label=labels.get("output", "out"))
        if target is not None:
            ax.plot(np.full(len(self), float(target)), "k", label="target")
        ax.set_xlabel("Iteration number")
        entries = len(ax.get_legend_handles_labels()[1])
        if entries <= LEGEND_INSIDE:
            ax.legend(loc="upper right")
        else:  # beside the plot, in columns of at most 10 entries
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), ncols=-(-entries // 10))
        return ax

    def plot_loss(self, *, ax: Any = None) -> Any:
        """Draw the loss against the iteration number, on a log scale.

        Needs matplotlib (``pip install "nanonet[plot]"``).

        Returns:
            The matplotlib Axes.
        """
        ax = _new_axes(ax)
        ax.semilogy(self.loss, label="loss")
        ax.set_xlabel("Iteration number")
        ax.set_ylabel("loss (log scale)")
        return ax

    def __repr__(self) -> str:
        return f"History(steps={len(self)}, parameters={self.names})"


def _new_axes(ax: Any) -> Any:
    """``ax``, or the axes of a new 12 x 3 inch figure (matplotlib is imported only here)."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise ImportError(
            'History.plot needs matplotlib: install it with pip install "nanonet[plot]"'
        ) from err
    if ax is None:
        _, ax = plt.subplots(figsize=(12, 3), layout="constrained")
    return ax
