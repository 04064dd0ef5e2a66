"""Sigmoid: exact, stable and warning-free for every float, on floats and arrays."""

from decimal import Decimal, localcontext

import numpy as np
import pytest

from nanonet import Sigmoid, gradcheck, sigmoid

INF = float("inf")


def exact_sigmoid(x: float) -> float:
    """sigmoid(x) computed with 60 significant digits, then rounded to a float."""
    with localcontext() as ctx:
        ctx.prec = 60
        return float(1 / (1 + (-Decimal(x)).exp()))


def ulp_error(computed: float, exact: float) -> float:
    """How many units in the last place ``computed`` is from ``exact``."""
    return abs(computed - exact) / np.spacing(exact)


GRID = np.concatenate(
    [
        np.linspace(-745.0, -700.0, 91),  # subnormal results and the overflow edge
        -np.geomspace(700.0, 1e-300, 300),  # the negative tail, where tanh tricks fail
        [0.0],
        np.geomspace(1e-300, 40.0, 300),
    ]
)


@pytest.mark.parametrize("as_array", [False, True], ids=["float", "array"])
def test_error_is_within_two_ulp_everywhere(as_array):
    values = sigmoid(GRID) if as_array else [sigmoid(float(x)) for x in GRID]
    worst = max(
        ulp_error(float(s), exact_sigmoid(float(x))) for x, s in zip(GRID, values, strict=True)
    )
    assert worst <= 2.0


def test_negative_tail_keeps_relative_precision():
    # 1/2 (1 + tanh(x/2)) would give 0.0 or garbage here
    for x in (-40.0, -300.0, -708.0, -720.0):
        assert sigmoid(x) == pytest.approx(exact_sigmoid(x), rel=1e-15, abs=5e-324)
    assert sigmoid(-40.0) == pytest.approx(4.248354255291589e-18, rel=1e-15)


@pytest.mark.parametrize("as_array", [False, True], ids=["float", "array"])
def test_extremes_are_exact_and_warning_free(as_array):
    # pytest is configured to turn every warning into an error
    xs = [1000.0, -1000.0, INF, -INF, 0.0, -745.2, 800.0]
    expected = [1.0, 0.0, 1.0, 0.0, 0.5, 0.0, 1.0]
    got = sigmoid(np.array(xs)) if as_array else [sigmoid(x) for x in xs]
    assert list(got) == expected


def test_nan_stays_nan():
    assert np.isnan(sigmoid(float("nan")))
    out = sigmoid(np.array([np.nan, 0.0, -1000.0]))
    assert np.isnan(out[0]) and out[1] == 0.5 and out[2] == 0.0


def test_each_sample_of_a_batch_gets_the_value_it_gets_alone():
    x = np.linspace(-50, 50, 101)
    with_tail = np.append(x, -1000.0)  # exp(-x) overflows for this one
    np.testing.assert_array_equal(sigmoid(with_tail)[:-1], sigmoid(x))
    # floats use the C library's exp, arrays numpy's: both within 2 ulp of exact (above)
    np.testing.assert_array_max_ulp(np.array([sigmoid(float(v)) for v in x]), sigmoid(x), maxulp=2)


def test_value_at_one_half():
    assert Sigmoid()(0.5) == pytest.approx(0.6224593312018546, rel=1e-15)  # sigmoid(0.5)


def test_backward_uses_the_cached_output():
    layer = Sigmoid()
    s = layer(0.3)
    assert layer.backward(2.0) == pytest.approx(2.0 * s * (1 - s), rel=1e-15)
    x = np.array([-1.0, 0.0, 2.0])
    s = layer(x)
    np.testing.assert_allclose(layer.backward(np.ones(3)), s * (1 - s), rtol=1e-15)


def test_backward_at_saturation_is_zero_without_warnings():
    layer = Sigmoid()
    layer(np.array([-1000.0, 1000.0]))
    np.testing.assert_array_equal(layer.backward(np.array([1.0, 1.0])), [0.0, 0.0])


@pytest.mark.parametrize("x", [0.3, -2.0, 5.0, [-3.0, 0.0, 0.5, 3.0], [[-1.0], [2.0]]])
def test_gradcheck(x):
    assert gradcheck(Sigmoid(), x)


def test_forward_does_not_modify_its_input():
    x = np.array([-800.0, 1.0])
    sigmoid(x)
    np.testing.assert_array_equal(x, [-800.0, 1.0])


@pytest.mark.parametrize(
    "x, expected",
    [(4, 0.9820137900379085), (np.float64(0.0), 0.5), (np.int8(-2), 0.11920292202211755),
     (True, 0.7310585786300049), ([0, 4], [0.5, 0.9820137900379085])],
    ids=["int", "numpy float", "numpy int", "bool", "list"],
)  # fmt: skip
def test_the_sigmoid_function_takes_any_real_number_or_array(x, expected):
    result = sigmoid(x)
    assert type(result) is (float if np.ndim(x) == 0 else np.ndarray)
    np.testing.assert_allclose(result, expected, rtol=1e-15)


@pytest.mark.parametrize("bad", ["1", None, 1j, [1.0, "a"]], ids=repr)
def test_the_sigmoid_function_refuses_what_is_not_a_real_number(bad):
    with pytest.raises(TypeError, match="x must"):
        sigmoid(bad)
