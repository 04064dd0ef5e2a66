"""Initialisation: fill a Parameter with starting values, in place, as ``torch.nn.init`` does.

Each function takes a `nanonet.Parameter` (and, where it draws random
numbers, ``rng=``: a ``numpy.random.Generator`` or an int seed), writes the
new values into it and returns it. Names, arguments and defaults are
PyTorch's (``rng`` where PyTorch has ``generator``). The module sees
Parameters only, never layers.

The starting values matter because each layer multiplies the size of what
passes through it: weights of the right size keep the signal, forward and
backward, about as large in the last layer as in the first. That size
depends on how many numbers each unit adds up, its *fan-in*
(``in_features`` for `nanonet.Dense`, ``in_channels * kh * kw`` for
`nanonet.Conv2d`), or how many it feeds, its *fan-out*.

Examples:
    >>> from nanonet import Dense, init
    >>> layer = Dense(64, 32)
    >>> init.kaiming_uniform_(layer.weight, nonlinearity="relu", rng=0).shape
    (32, 64)
    >>> print(init.zeros_(layer.bias).value[:3])
    [0. 0. 0.]
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import as_generator, as_positive_number, as_real_number
from .parameter import Parameter

_GAINS = {"linear": 1.0, "conv1d": 1.0, "conv2d": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3}
_GAINS.update(relu=math.sqrt(2.0), selu=3.0 / 4)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor that keeps the signal's size through ``nonlinearity``, as PyTorch's.

    Args:
        nonlinearity: ``"linear"``, ``"conv1d"``, ``"conv2d"``,
            ``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"leaky_relu"`` or
            ``"selu"``.
        param: The negative slope, for ``"leaky_relu"`` (0.01 if None).

    Raises:
        ValueError: If ``nonlinearity`` is none of these.

    Examples:
        >>> calculate_gain("tanh"), calculate_gain("relu")
        (1.6666666666666667, 1.4142135623730951)
    """
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else as_real_number(param, "param")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity not in _GAINS:
        raise ValueError(
            f"unsupported nonlinearity {nonlinearity!r}: use one of {', '.join(_GAINS)}, "
            "or 'leaky_relu'"
        )
    return _GAINS[nonlinearity]


def fans(parameter: Parameter) -> tuple[int, int]:
    """(fan-in, fan-out) of a weight laid out as PyTorch's: ``(out, in, *kernel)``.

    Raises:
        ValueError: If the parameter has fewer than 2 dimensions.

    Examples:
        >>> fans(Parameter(np.zeros((8, 3, 5, 5))))      # a Conv2d weight: 8 filters of 3x5x5
        (75, 200)
    """
    shape = _checked(parameter).shape
    if len(shape) < 2:
        raise ValueError(
            f"fan-in and fan-out need a weight of 2 dimensions or more, (out, in, ...); "
            f"got a parameter of shape {shape}"
        )
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def uniform_(
    parameter: Parameter, a: float = 0.0, b: float = 1.0, *, rng: object = None
) -> Parameter:
    """Fill ``parameter`` with numbers drawn uniformly from [a, b).

    Examples:
        >>> w = uniform_(Parameter(np.zeros(3)), -1.0, 1.0, rng=0)
        >>> bool(np.all((-1.0 <= w.value) & (w.value < 1.0)))
        True
    """
    a, b = as_real_number(a, "a"), as_real_number(b, "b")
    if not a <= b:
        raise ValueError(f"uniform_ needs a <= b, got a={a} and b={b}")
    return _fill(parameter, as_generator(rng).uniform(a, b, _checked(parameter).shape))


def normal_(
    parameter: Parameter, mean: float = 0.0, std: float = 1.0, *, rng: object = None
) -> Parameter:
    """Fill ``parameter`` with numbers drawn from the normal distribution N(mean, std²).

    Examples:
        >>> w = normal_(Parameter(np.zeros(10_000)), 2.0, 0.5, rng=0)
        >>> round(float(w.value.mean()), 1), round(float(w.value.std()), 1)
        (2.0, 0.5)
    """
    mean = as_real_number(mean, "mean")
    std = as_positive_number(std, "std", allow_zero=True)
    return _fill(parameter, as_generator(rng).normal(mean, std, _checked(parameter).shape))


def zeros_(parameter: Parameter) -> Parameter:
    """Fill ``parameter`` with zeros (a bias usually starts so).

    Examples:
        >>> zeros_(Parameter([1.0, 2.0]))
        Parameter([0., 0.])
    """
    return _fill(parameter, np.zeros(_checked(parameter).shape))


def ones_(parameter: Parameter) -> Parameter:
    """Fill ``parameter`` with ones.

    Examples:
        >>> ones_(Parameter([1.0, 2.0]))
        Parameter([1., 1.])
    """
    return _fill(parameter, np.ones(_checked(parameter).shape))


def xavier_uniform_(parameter: Parameter, gain: float = 1.0, *, rng: object = None) -> Parameter:
    """Glorot and Bengio's (2010): uniform on ``±gain * sqrt(6 / (fan_in + fan_out))``.

    It keeps the variance of the signal about the same forward and
    backward, for activations like tanh (pass ``gain=calculate_gain("tanh")``).

    Examples:
        >>> w = xavier_uniform_(Parameter(np.zeros((20, 30))), rng=0)
        >>> bool(np.abs(w.value).max() <= np.sqrt(6 / 50))
        True
    """
    fan_in, fan_out = fans(parameter)
    bound = as_real_number(gain, "gain") * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(parameter, -abs(bound), abs(bound), rng=rng)


def kaiming_uniform_(
    parameter: Parameter,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    *,
    rng: object = None,
) -> Parameter:
    """He et al.'s (2015) initialisation: uniform on ``±gain * sqrt(3 / fan)``, for ReLU networks.

    ``fan`` is the fan-in (``mode="fan_in"``, which keeps the forward
    signal's size) or the fan-out (``"fan_out"``, the backward one's), and
    ``gain = calculate_gain(nonlinearity, a)``. PyTorch's ``nn.Linear`` and
    ``nn.Conv2d`` (and nanonet's `nanonet.Dense` and `nanonet.Conv2d`)
    start with ``a=sqrt(5)``, which makes the bound ``1 / sqrt(fan_in)``.

    Examples:
        >>> w = kaiming_uniform_(Parameter(np.zeros((8, 1, 3, 3))), a=np.sqrt(5), rng=0)
        >>> bool(np.abs(w.value).max() <= 1 / 3)      # 1 / sqrt(fan_in), fan_in = 9
        True
    """
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = fans(parameter)
    gain = calculate_gain(nonlinearity, a)
    bound = gain * math.sqrt(3.0 / (fan_in if mode == "fan_in" else fan_out))
    return uniform_(parameter, -bound, bound, rng=rng)


def _checked(parameter: object) -> Parameter:
    if not isinstance(parameter, Parameter):
        raise TypeError(
            f"nanonet.init fills a Parameter (such as layer.weight), got {type(parameter).__name__}"
        )
    return parameter


def _fill(parameter: Parameter, values: np.ndarray) -> Parameter:
    """Write ``values`` into ``parameter`` (a number, for a single-number parameter); return it."""
    parameter.value = values if parameter.shape else float(values)
    return parameter
