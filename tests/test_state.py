"""state_dict and load_state_dict: copies out, checked copies in."""

import math

import numpy as np
import pytest

from nanonet import Layer, Linear, Parameter, Sequential, Sigmoid


class Affine(Layer):
    """A user layer with an array parameter and a scalar one."""

    def __init__(self):
        self.weight = Parameter([[1.0, 2.0], [3.0, 4.0]])
        self.bias = Parameter(0.5)


def model():
    return Sequential(Linear(2.0), Sigmoid(), Affine())


def test_state_dict_holds_copies_by_name():
    m = model()
    state = m.state_dict()
    assert list(state) == ["0.weight", "2.weight", "2.bias"]
    assert state["0.weight"] == 2.0 and type(state["0.weight"]) is float
    state["2.weight"][0, 0] = 99.0
    state["0.weight"] = -1.0
    assert m[2].weight.value[0, 0] == 1.0 and m[0].weight.value == 2.0


def test_load_state_dict_sets_copies_and_reports_nothing_missing():
    m = model()
    new = {"0.weight": 3, "2.weight": np.array([[0.0, 1.0], [2.0, 3.0]]), "2.bias": np.array(-1.0)}
    result = m.load_state_dict(new)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert m[0].weight.value == 3.0 and type(m[0].weight.value) is float
    assert type(m[2].bias.value) is float and m[2].bias.value == -1.0
    new["2.weight"][0, 0] = 42.0
    assert m[2].weight.value[0, 0] == 0.0


def test_round_trip_is_bit_exact():
    m = model()
    m[0].weight.value = 0.1 + 0.2  # 0.30000000000000004
    m[2].weight.value = np.array([[math.pi, -math.e], [5e-324, 1.7976931348623157e308]])
    other = model()
    other.load_state_dict(m.state_dict())
    assert other[0].weight.value == 0.30000000000000004
    assert other[2].weight.value.tobytes() == m[2].weight.value.tobytes()


def test_every_problem_is_listed_and_nothing_is_assigned():
    m = model()
    before = m.state_dict()
    bad = {
        "0.weight": "two",  # not numeric
        "2.weight": np.zeros(3),  # wrong shape
        "2.bias": math.nan,  # not finite
        "9.weight": 1.0,  # unexpected
    }
    with pytest.raises(ValueError) as err:
        m.load_state_dict(bad)
    message = str(err.value)
    assert "4 problem(s)" in message
    for text in (
        "'0.weight': Parameter value must be a real number",
        "'2.weight': expected shape (2, 2), got (3,)",
        "'2.bias': Parameter value must be finite",
        "'9.weight': unexpected",
    ):
        assert text in message
    after = m.state_dict()
    assert after["0.weight"] == before["0.weight"] and after["2.bias"] == before["2.bias"]
    np.testing.assert_array_equal(after["2.weight"], before["2.weight"])


def test_missing_names_are_errors_when_strict():
    m = model()
    with pytest.raises(
        ValueError, match=r"2 problem\(s\):\n  '2.weight': missing\n  '2.bias': missing"
    ):
        m.load_state_dict({"0.weight": 1.0})
    assert m[0].weight.value == 2.0


def test_non_strict_loads_what_matches_and_reports_the_rest():
    m = model()
    result = m.load_state_dict({"0.weight": 1.5, "extra": 3.0}, strict=False)
    assert m[0].weight.value == 1.5
    assert result.missing_keys == ["2.weight", "2.bias"] and result.unexpected_keys == ["extra"]
    with pytest.raises(ValueError, match="expected shape"):  # shapes are checked all the same
        m.load_state_dict({"0.weight": [1.0, 2.0]}, strict=False)


@pytest.mark.parametrize("bad", [None, [("0.weight", 1.0)], "0.weight", 1.0])
def test_state_must_be_a_mapping(bad):
    with pytest.raises(TypeError, match="state must be a mapping"):
        model().load_state_dict(bad)
