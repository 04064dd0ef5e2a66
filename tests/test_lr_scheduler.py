"""Learning-rate schedules: the rate epoch by epoch, a schedule of your own, saving and resuming.

(The rates against PyTorch's schedulers are in test_against_pytorch.py.)
"""

import math

import pytest

from nanonet import (
    SGD,
    Adam,
    CosineAnnealingLR,
    ExponentialLR,
    LRScheduler,
    Parameter,
    StepLR,
)


def rates(scheduler, epochs):
    out = []
    for epoch in range(epochs):
        scheduler.step()
        out.append(scheduler.get_last_lr()[0])
    return out


def test_each_schedule_computes_its_formula_from_base_lr_and_last_epoch():
    step = StepLR(SGD([Parameter(1.0)], lr=0.8), step_size=3, gamma=0.5)
    assert step.get_last_lr() == [0.8] and step.last_epoch == 0 and step.base_lr == 0.8
    assert rates(step, 7) == pytest.approx([0.8, 0.8, 0.4, 0.4, 0.4, 0.2, 0.2])
    assert rates(ExponentialLR(Adam([Parameter(1.0)], lr=2.0), 0.5), 3) == [1.0, 0.5, 0.25]
    cosine = CosineAnnealingLR(SGD([Parameter(1.0)], lr=1.0), T_max=4, eta_min=0.2)
    expected = [0.2 + 0.8 * (1 + math.cos(math.pi * e / 4)) / 2 for e in range(1, 9)]
    assert rates(cosine, 8) == pytest.approx(expected, rel=1e-15)  # past T_max: up again


def test_a_schedule_sets_the_optimizers_lr_and_may_bring_it_to_zero():
    optimizer = SGD([Parameter(1.0)], lr=0.1)
    scheduler = CosineAnnealingLR(optimizer, T_max=2)
    rates(scheduler, 2)
    assert optimizer.lr == 0.0 and scheduler.get_last_lr() == [0.0]
    weight = optimizer.params[0]
    weight.grad = 5.0
    optimizer.step()  # a step of size 0
    assert weight.value == 1.0


def test_a_schedule_of_your_own_is_get_lr_only():
    class Warmup(LRScheduler):
        def get_lr(self):
            return self.base_lr * min(1.0, (self.last_epoch + 1) / 4)

    scheduler = Warmup(SGD([Parameter(1.0)], lr=0.4))
    assert rates(scheduler, 5) == pytest.approx([0.2, 0.3, 0.4, 0.4, 0.4])
    with pytest.raises(NotImplementedError, match="LRScheduler must implement get_lr"):
        LRScheduler(SGD([Parameter(1.0)], lr=0.4)).step()


def test_state_dict_resumes_the_schedule_exactly():
    scheduler = StepLR(SGD([Parameter(1.0)], lr=0.3), step_size=2, gamma=0.7)
    rates(scheduler, 5)
    state = scheduler.state_dict()
    assert state == {"base_lr": 0.3, "last_epoch": 5, "step_size": 2, "gamma": 0.7}
    resumed = StepLR(SGD([Parameter(1.0)], lr=123.0), step_size=9)
    resumed.load_state_dict(state)
    assert rates(resumed, 6) == rates(scheduler, 6)  # exactly
    state["last_epoch"] = 99  # a copy: the schedule is not changed
    assert scheduler.last_epoch == 11


def test_a_state_of_another_schedule_is_refused_and_nothing_changes():
    scheduler = ExponentialLR(SGD([Parameter(1.0)], lr=0.3), gamma=0.9)
    other = StepLR(SGD([Parameter(1.0)], lr=0.3), step_size=2).state_dict()
    with pytest.raises(ValueError, match="cannot load this state into ExponentialLR"):
        scheduler.load_state_dict(other)
    with pytest.raises(TypeError, match="'gamma' must be a real number"):
        scheduler.load_state_dict({**scheduler.state_dict(), "gamma": "0.5"})
    assert scheduler.state_dict() == {"base_lr": 0.3, "last_epoch": 0, "gamma": 0.9}
