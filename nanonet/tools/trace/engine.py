"""trace: run one forward and one backward pass, layer by layer, and record every number."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..._checks import Value, as_value, shape_of
from ..._format import format_number
from ...layer import Layer
from ...loss import MSELoss
from ...parameter import Parameter
from .._names import parameter_labels
from .._names import value_names as pick_value_names
from .._steps import copy_value, run_copy, steps_of
from .chain import MAX_PROBES, chain_rule
from .record import Trace


def trace(
    model: Layer,
    x: object,
    target: object,
    loss_fn: Any = None,
    *,
    value_names: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    digits: int | None = 4,
    names: Sequence[str] | None = None,
) -> Trace:
    """Run one forward and one backward pass and record every number on the way.

    The pass runs on a copy of ``model``: the model, its weights, its
    gradients and what its layers cached are exactly as they were before.
    A model that can be iterated (a `nanonet.Sequential`) is
    traced one layer per row; any other layer is one row.

    For each layer the trace shows its input and output on the way forward,
    and on the way back the gradient arriving from above (dC/d(output)), the
    layer's local derivative (d(output)/d(input)), the gradient it sends
    below (dC/d(input)) and its parameters' gradients. The local derivative
    comes from the layer's own backward, probed with a gradient of ones; for
    a batch it is kept only if backward is elementwise (checked with a
    random gradient), and otherwise the trace says it is not a single factor.

    For each parameter, `Trace.chains` writes its gradient as the
    chain-rule product of those factors and checks that the product equals
    what backward computed.

    Works for any layer that follows the `Layer` contract, including
    your own, with nothing extra in the layer.

    Args:
        model: The network (or a single layer).
        x: The input: a number or an array.
        target: The desired output.
        loss_fn: The loss; `nanonet.MSELoss` by default.
        value_names: Names for the values the chain rule is written in: the
            input first, then each layer's output (one more name than
            layers). By default ``x`` and ``y0``, ``y1``, ...: ``yk`` is the
            output of layer ``k``. The chapter's names for its network are
            ``["s0", "x1", "s1", "x2", "s2", "out"]``.
        labels: Names for the parameters, as `History.plot` takes them: a
            dict such as ``{"0.weight": "w0"}``. The chain rule, the tables
            and `Trace.check` use them; a parameter without a label keeps
            its name from ``named_parameters()``.
        digits: Significant digits when the trace is printed (None: all).
            ``rows`` and ``chains`` keep every digit.
        names: The old spelling of ``value_names`` (deprecated: it warns).

    Returns:
        A `Trace`. ``print`` it for aligned tables, read ``rows`` and
            ``chains`` as data; Jupyter shows it as HTML tables.

    Raises:
        TypeError: If ``model`` is not a Layer, ``labels`` is not a dict of
            str to str, or both ``value_names`` and ``names`` are given (and
            errors of the forward pass and the loss for bad ``x`` or
            ``target``).
        ValueError: If ``value_names`` does not hold one name per value, or
            ``labels`` names a parameter the model does not have or gives
            two parameters the same label.

    Examples:
        >>> from nanonet import Linear, Sigmoid, Sequential
        >>> model = Sequential(Linear(2.0), Sigmoid(), Linear(1.0), Sigmoid(), Linear(0.5))
        >>> t = trace(model, 2.0, 0.7)
        >>> print(t.chains[1])
        dC/d(2.weight) = dC/dy4 * dy4/dy3 * dy3/dy2 * dy2/d(2.weight)
            = (-0.3362) * (0.5) * (0.1982) * (0.982)
            = -0.03273, which equals backward's -0.03273

        In the chapter's words, values and weights:

        >>> t = trace(model, 2.0, 0.7, value_names=["s0", "x1", "s1", "x2", "s2", "out"],
        ...           labels={"0.weight": "w0", "2.weight": "w1", "4.weight": "w2"})
        >>> print(t.chains[1])
        dC/dw1 = dC/dout * dout/ds2 * ds2/dx2 * dx2/dw1
            = (-0.3362) * (0.5) * (0.1982) * (0.982)
            = -0.03273, which equals backward's -0.03273
    """
    if not isinstance(model, Layer):
        raise TypeError(f"trace needs a Layer, got {type(model).__name__}")
    names = pick_value_names(value_names, len(steps_of(model)), names)
    full_labels = parameter_labels(model, labels)
    work, steps, values = run_copy(model, x)  # values[k]: the input of step k
    loss_fn = MSELoss() if loss_fn is None else copy.deepcopy(loss_fn)
    loss = loss_fn(values[-1], target)

    full_names = {id(parameter): name for name, parameter in work.named_parameters()}
    with np.errstate(all="ignore"):
        work.zero_grad()
        grads: list[Value] = [0.0] * len(steps) + [loss_fn.backward()]  # grads[k] = dC/d(values[k])
        parameter_grads: list[dict[str, Value]] = [{} for _ in steps]
        for k in reversed(range(len(steps))):
            before = {name: copy_value(p.grad) for name, p in steps[k].named_parameters()}
            grads[k] = as_value(_backward(steps[k], values[k], grads[k + 1]), "dC/d(input)")
            for name, p in steps[k].named_parameters():  # (a shared weight gets two shares)
                parameter_grads[k][name] = copy_value(p.grad - before[name])
        local = [_local_derivative(steps[k], values[k], values[k + 1]) for k in range(len(steps))]

    rows: list[dict[str, Any]] = [
        {
            "pass": "forward",
            "index": k,
            "layer": repr(step),
            "input": values[k],
            "output": values[k + 1],
        }
        for k, step in enumerate(steps)
    ]
    rows.append(
        {
            "pass": "forward",
            "index": "C",
            "layer": f"{loss_fn!r}, target {format_number(target, digits)}",
            "input": values[-1],
            "target": target,
            "output": loss,
        }
    )
    rows.append(
        {
            "pass": "backward",
            "index": "C",
            "layer": repr(loss_fn),
            "grad_output": 1.0,
            "local_derivative": grads[-1],
            "local_note": "",
            "grad_input": grads[-1],
            "parameter_grads": {},
        }
    )
    for k in reversed(range(len(steps))):
        derivative, note = local[k]
        rows.append(
            {
                "pass": "backward",
                "index": k,
                "layer": repr(steps[k]),
                "grad_output": grads[k + 1],
                "local_derivative": derivative,
                "local_note": note,
                "grad_input": grads[k],
                "parameter_grads": parameter_grads[k],
                "parameter_labels": {
                    own: own if full_labels[name] == name else full_labels[name]
                    for own, name in _full_names(steps[k], full_names).items()
                },
            }
        )

    chains = []
    with np.errstate(all="ignore"):
        for k, step in enumerate(steps):
            for name, parameter in step.named_parameters():
                jacobian = _output_jacobian(step, parameter, values[k], values[k + 1])
                full = full_names[id(parameter)]
                chain = chain_rule(
                    full, k, steps, parameter, parameter_grads[k][name],
                    jacobian, grads, local, names, full_labels[full],
                )  # fmt: skip
                chain.digits = digits
                chains.append(chain)
    return Trace(
        rows=rows, chains=chains, loss=loss, value_names=names, labels=full_labels, digits=digits
    )


def _full_names(step: Layer, full_names: dict[int, str]) -> dict[str, str]:
    """Each of ``step``'s parameters: its own name, and its name in the whole model."""
    return {own: full_names[id(p)] for own, p in step.named_parameters()}


def _backward(step: Layer, x: Value, grad: Value) -> Value:
    """``step``'s backward at input ``x``: a fresh forward pass first, so any layer allows it."""
    step.forward(x)
    return step.backward(grad)


def _ones_like(value: Value) -> Value:
    return np.ones_like(value) if isinstance(value, np.ndarray) else 1.0


def _local_derivative(step: Layer, x: Value, y: Value) -> tuple[Value | None, str]:
    """d(output)/d(input) as one factor per element, if the layer's backward is elementwise.

    Backward with a gradient of ones gives the candidate factors. The layer
    is elementwise if backward with random gradients ``r`` gives exactly
    ``factors * r``; a layer that mixes elements fails that test.
    """
    if shape_of(x) != shape_of(y):
        return None, "not a single factor: output and input shapes differ"
    saved = [(p, copy_value(p.grad)) for p in step.parameters()]
    derivative = copy_value(as_value(_backward(step, x, _ones_like(y)), "dy/dx"))
    result: tuple[Value | None, str] = (derivative, "")
    if isinstance(y, np.ndarray):
        probe = np.random.default_rng(0).uniform(0.5, 1.5, y.shape)
        probed = np.asarray(_backward(step, x, probe))
        if shape_of(derivative) != shape_of(x) or not np.allclose(
            probed, derivative * probe, rtol=1e-12, atol=0.0
        ):
            result = (None, "not a single factor: the layer mixes elements")
    for parameter, grad in saved:  # probing added to the grads: put them back
        parameter.grad = grad
    return result


def _output_jacobian(step: Layer, parameter: Parameter, x: Value, y: Value) -> np.ndarray | None:
    """d(output element)/d(parameter element) for every pair, shape (*y.shape, *p.shape).

    Found with the layer's own backward: a unit gradient on one output
    element gives that element's derivative with respect to every
    parameter element. None when the output has too many elements.
    """
    if np.size(y) > MAX_PROBES:
        return None
    saved = copy_value(parameter.grad)
    jacobian = np.empty(shape_of(y) + parameter.shape)
    for index in np.ndindex(shape_of(y)):
        unit: Value = 1.0
        if isinstance(y, np.ndarray):
            unit = np.zeros_like(y)
            unit[index] = 1.0
        parameter.zero_grad()
        _backward(step, x, unit)
        jacobian[index] = parameter.grad
    parameter.grad = saved
    return jacobian
