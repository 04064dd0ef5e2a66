"""Property-based tests: random chains of Linear and Sigmoid, random weights and inputs.

Hypothesis draws chains of depth 1 to 8, scalar and batch inputs, and, where
the property allows it, extreme but finite values (anything up to +-1.8e308,
subnormals included).
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nanonet import SGD, Linear, MSELoss, Sequential, Sigmoid, gradcheck, load, save

MODERATE = st.floats(-4.0, 4.0)
EXTREME = st.floats(allow_nan=False, allow_infinity=False)  # +-1.8e308 and subnormals


def chains(weights):
    """Sequentials of 1 to 8 layers, each Linear (weight drawn from ``weights``) or Sigmoid."""
    layer = st.one_of(weights.map(Linear), st.just(None).map(lambda _: Sigmoid()))
    return st.lists(layer, min_size=1, max_size=8).map(lambda layers: Sequential(*layers))


def inputs(values, max_side=4):
    """A float, or an array of 1 to 2 dimensions."""
    arrays = hnp.arrays(
        np.float64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=max_side), elements=values
    )
    return st.one_of(values, arrays)


def weights_of(model):
    return [p.value for p in model.parameters()]


@settings(max_examples=150, deadline=None)
@given(model=chains(MODERATE), x=inputs(MODERATE, max_side=3))
def test_gradcheck_passes(model, x):
    assert gradcheck(model, x)


@settings(max_examples=200, deadline=None)
@given(model=chains(EXTREME), x=inputs(EXTREME))
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's words for inf and NaN
def test_forward_and_backward_never_fail_and_keep_the_shapes(model, x):
    out = model(x)
    assert np.shape(out) == np.shape(x)
    model.backward(np.ones_like(out) if np.ndim(out) else 1.0)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(model=chains(EXTREME))
def test_save_load_round_trips_bit_exactly(tmp_path, model):
    path = tmp_path / "w.npz"
    save(model, path)
    copy = Sequential(*[Linear(0.0) if isinstance(layer, Linear) else Sigmoid() for layer in model])
    load(copy, path)
    assert [np.float64(w).tobytes() for w in weights_of(copy)] == [
        np.float64(w).tobytes() for w in weights_of(model)
    ]


@settings(max_examples=300, deadline=None)
@given(
    model=chains(EXTREME).filter(lambda model: any(isinstance(layer, Linear) for layer in model)),
    x=inputs(EXTREME),
    target=EXTREME,
    lr=st.floats(1e-300, 1e300),
)
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's words for inf and NaN
def test_a_training_step_never_leaves_a_non_finite_weight(model, x, target, lr):
    before = weights_of(model)
    loss_fn, optimizer = MSELoss(), SGD(model.parameters(), lr=lr)
    try:
        loss_fn(model(x), target)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
    except (ValueError, FloatingPointError):
        assert weights_of(model) == before  # it raised, and nothing changed
    assert all(np.isfinite(w) for w in weights_of(model))
