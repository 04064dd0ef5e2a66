"""nanonet computes what PyTorch computes: gradients, losses and optimizer steps.

Runs where PyTorch is installed (the ``compare`` extra); CI sets
NANONET_REQUIRE_TORCH=1 so that a missing PyTorch fails instead of skipping.
Everything is float64 on both sides. Values agree to a relative 1e-10 (the
order of floating-point operations differs, not the math).
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from nanonet import (
    SGD,
    Adam,
    AdamW,
    BatchNorm1d,
    BatchNorm2d,
    BCEWithLogitsLoss,
    Conv2d,
    CosineAnnealingLR,
    CrossEntropyLoss,
    Dense,
    Dropout,
    ExponentialLR,
    Flatten,
    MaxPool2d,
    MSELoss,
    Parameter,
    ReLU,
    Sequential,
    Sigmoid,
    StepLR,
    Tanh,
    gradcheck,
)

if os.environ.get("NANONET_REQUIRE_TORCH"):
    import torch
else:
    torch = pytest.importorskip("torch")

RTOL = 1e-10
ACTIVATIONS = {"Tanh": (Tanh, "Tanh"), "ReLU": (ReLU, "ReLU"), "Sigmoid": (Sigmoid, "Sigmoid")}


def stack(rng: np.random.Generator, sizes: list[int], activation: str):
    """The same random network in nanonet and in PyTorch: Dense/Linear with activations between."""
    nano_layers, torch_layers = [], []
    for index, (n_in, n_out) in enumerate(zip(sizes, sizes[1:], strict=False)):
        dense = Dense(n_in, n_out, rng=rng)
        linear = torch.nn.Linear(n_in, n_out, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(dense.weight.value))
            linear.bias.copy_(torch.from_numpy(dense.bias.value))
        nano_layers.append(dense)
        torch_layers.append(linear)
        if index < len(sizes) - 2:
            nano_class, torch_name = ACTIVATIONS[activation]
            nano_layers.append(nano_class())
            torch_layers.append(getattr(torch.nn, torch_name)())
    return Sequential(*nano_layers), torch.nn.Sequential(*torch_layers)


def targets_for(loss: str, rng: np.random.Generator, n: int, classes: int):
    if loss == "CrossEntropyLoss":
        labels = rng.integers(0, classes, n)
        return labels, torch.from_numpy(labels)
    values = rng.uniform(0.0, 1.0, (n, classes))  # BCE: probabilities; MSE: any numbers
    return values, torch.from_numpy(values)


NANO_LOSSES = {
    "MSELoss": MSELoss,
    "CrossEntropyLoss": CrossEntropyLoss,
    "BCEWithLogitsLoss": BCEWithLogitsLoss,
}
TORCH_LOSSES = {
    "MSELoss": torch.nn.functional.mse_loss,
    "CrossEntropyLoss": torch.nn.functional.cross_entropy,
    "BCEWithLogitsLoss": torch.nn.functional.binary_cross_entropy_with_logits,
}
# nanonet's MSELoss keeps the chapter's 1/2: PyTorch's is twice as large, with twice the gradient.
SCALE = {"MSELoss": 2.0, "CrossEntropyLoss": 1.0, "BCEWithLogitsLoss": 1.0}


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss", NANO_LOSSES)
def test_gradients_of_random_stacks_under_each_loss(loss, activation, seed):
    rng = np.random.default_rng(seed)
    sizes = [int(n) for n in rng.integers(1, 6, size=rng.integers(2, 5))]
    sizes[-1] = max(sizes[-1], 2)  # cross-entropy needs two classes at least
    model, reference = stack(rng, sizes, activation)
    n = int(rng.integers(1, 7))
    x = rng.normal(size=(n, sizes[0]))
    target, torch_target = targets_for(loss, rng, n, sizes[-1])

    loss_fn = NANO_LOSSES[loss]()
    value = loss_fn(model(x), target)
    model.backward(loss_fn.backward())

    torch_x = torch.from_numpy(x).requires_grad_(True)
    torch_value = TORCH_LOSSES[loss](reference(torch_x), torch_target)
    torch_value.backward()

    assert value * SCALE[loss] == pytest.approx(torch_value.item(), rel=RTOL)
    nano_grads = [p.grad * SCALE[loss] for p in model.parameters()]
    torch_grads = [p.grad.numpy() for p in reference.parameters()]
    for ours, theirs in zip(nano_grads, torch_grads, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=1e-14)


def test_input_gradient_matches(two_node):
    rng = np.random.default_rng(7)
    model, reference = stack(rng, [3, 4, 2], "Tanh")
    x = rng.normal(size=(5, 3))
    loss_fn = CrossEntropyLoss()
    loss_fn(model(x), np.array([0, 1, 1, 0, 1]))
    grad_x = model.backward(loss_fn.backward())
    torch_x = torch.from_numpy(x).requires_grad_(True)
    torch.nn.functional.cross_entropy(reference(torch_x), torch.tensor([0, 1, 1, 0, 1])).backward()
    np.testing.assert_allclose(grad_x, torch_x.grad.numpy(), rtol=RTOL, atol=1e-15)


@pytest.mark.parametrize("scale", [1e3, 1e100, 1e300])
def test_cross_entropy_on_extreme_logits(scale):
    logits = np.array([[1.0, -1.0, 0.5], [0.0, 0.0, 0.0], [-1.0, 1.0, 1.0]]) * scale
    labels = np.array([1, 2, 0])
    loss_fn = CrossEntropyLoss()
    value = loss_fn(logits, labels)
    grad = loss_fn.backward()
    torch_logits = torch.from_numpy(logits).requires_grad_(True)
    torch_value = torch.nn.functional.cross_entropy(torch_logits, torch.from_numpy(labels))
    torch_value.backward()
    assert np.isfinite(value) and value == pytest.approx(torch_value.item(), rel=RTOL)
    np.testing.assert_allclose(grad, torch_logits.grad.numpy(), rtol=RTOL, atol=1e-300)


@pytest.mark.parametrize("scale", [1e3, 1e100, 1e300])
def test_bce_with_logits_on_extreme_logits(scale):
    logits = np.array([1.0, -1.0, 0.5, -0.25]) * scale
    targets = np.array([0.0, 0.0, 1.0, 0.5])
    loss_fn = BCEWithLogitsLoss()
    value = loss_fn(logits, targets)
    grad = loss_fn.backward()
    torch_logits = torch.from_numpy(logits).requires_grad_(True)
    torch_value = torch.nn.functional.binary_cross_entropy_with_logits(
        torch_logits, torch.from_numpy(targets)
    )
    torch_value.backward()
    assert np.isfinite(value) and value == pytest.approx(torch_value.item(), rel=RTOL)
    np.testing.assert_allclose(grad, torch_logits.grad.numpy(), rtol=RTOL, atol=1e-300)


OPTIMIZERS = {
    "SGD": (lambda params: SGD(params, lr=0.1), lambda params: torch.optim.SGD(params, lr=0.1)),
    "SGD with momentum": (
        lambda params: SGD(params, lr=0.05, momentum=0.9),
        lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
    ),
    "Adam": (
        lambda params: Adam(params, lr=0.01),
        lambda params: torch.optim.Adam(params, lr=0.01),
    ),
    "Adam with other betas": (
        lambda params: Adam(params, lr=0.003, betas=(0.8, 0.99), eps=1e-6),
        lambda params: torch.optim.Adam(params, lr=0.003, betas=(0.8, 0.99), eps=1e-6),
    ),
}


def train_side_by_side(name: str, steps: int):
    """Train the same small classifier in both for ``steps`` steps; return both weight histories."""
    rng = np.random.default_rng(3)
    model, reference = stack(rng, [2, 8, 3], "Tanh")
    x, labels = rng.normal(size=(16, 2)), rng.integers(0, 3, 16)
    make_nano, make_torch = OPTIMIZERS[name]
    optimizer, torch_optimizer = make_nano(model.parameters()), make_torch(reference.parameters())
    loss_fn = CrossEntropyLoss()
    ours, theirs = [], []
    for _ in range(steps):
        loss_fn(model(x), labels)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
        ours.append([p.value.copy() for p in model.parameters()])

        torch_optimizer.zero_grad()
        torch.nn.functional.cross_entropy(
            reference(torch.from_numpy(x)), torch.from_numpy(labels)
        ).backward()
        torch_optimizer.step()
        theirs.append([p.detach().numpy().copy() for p in reference.parameters()])
    return ours, theirs


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizers_follow_torch_optim_step_for_step(name):
    ours, theirs = train_side_by_side(name, steps=60)
    for step, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        for mine, reference in zip(a, b, strict=True):
            np.testing.assert_allclose(
                mine, reference, rtol=1e-9, atol=1e-12, err_msg=f"step {step}"
            )
    assert not np.allclose(ours[0][0], ours[-1][0])  # they did move


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_resuming_from_state_dicts_matches_torch_too(name):
    rng = np.random.default_rng(5)
    model, reference = stack(rng, [2, 4, 2], "ReLU")
    x, labels = rng.normal(size=(8, 2)), rng.integers(0, 2, 8)
    make_nano, make_torch = OPTIMIZERS[name]
    optimizer, torch_optimizer = make_nano(model.parameters()), make_torch(reference.parameters())
    loss_fn = CrossEntropyLoss()

    def step_both(model, optimizer):
        loss_fn(model(x), labels)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
        torch_optimizer.zero_grad()
        torch.nn.functional.cross_entropy(
            reference(torch.from_numpy(x)), torch.from_numpy(labels)
        ).backward()
        torch_optimizer.step()

    for _ in range(30):
        step_both(model, optimizer)
    weights, state = model.state_dict(), optimizer.state_dict()
    resumed, _ = stack(np.random.default_rng(99), [2, 4, 2], "ReLU")
    resumed.load_state_dict(weights)
    resumed_optimizer = make_nano(resumed.parameters())
    resumed_optimizer.load_state_dict(state)
    for _ in range(30):
        step_both(resumed, resumed_optimizer)
    for mine, theirs in zip(resumed.parameters(), reference.parameters(), strict=True):
        np.testing.assert_allclose(mine.value, theirs.detach().numpy(), rtol=1e-9, atol=1e-12)


# -- the layers of a convolutional network ---------------------------------------------------


def close(ours, theirs):
    """Arrays equal to a relative 1e-10 (of the largest number: sums of products may cancel)."""
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=RTOL * np.max(np.abs(theirs)))


def run_both(layer, torch_layer, x, rng):
    """Forward and backward through both, with the same random dC/dy; (ours, theirs) pairs."""
    y = layer(x)
    grad = rng.normal(size=y.shape)
    grad_x = layer.backward(grad)
    torch_x = torch.from_numpy(x).requires_grad_(True)
    torch_y = torch_layer(torch_x)
    torch_y.backward(torch.from_numpy(grad))
    return [(y, torch_y), (grad_x, torch_x.grad)]


CONVOLUTIONS = {
    "3x3": dict(kernel_size=3),
    "stride 2, padding 1": dict(kernel_size=3, stride=2, padding=1),
    "pairs": dict(kernel_size=(3, 2), stride=(1, 2), padding=(2, 0)),
    "other pairs": dict(kernel_size=(2, 4), stride=(3, 1), padding=(1, 2)),
    "1x1, no bias": dict(kernel_size=1, bias=False),
}


@pytest.mark.parametrize("settings", CONVOLUTIONS.values(), ids=CONVOLUTIONS)
def test_conv2d_output_and_gradients_are_pytorchs(settings):
    rng = np.random.default_rng(0)
    conv = Conv2d(3, 4, rng=rng, **settings)
    reference = torch.nn.Conv2d(3, 4, dtype=torch.float64, **settings)
    with torch.no_grad():
        reference.weight.copy_(torch.from_numpy(conv.weight.value))
        if conv.bias is not None:
            reference.bias.copy_(torch.from_numpy(conv.bias.value))
    x = rng.normal(size=(2, 3, 7, 9))
    pairs = run_both(conv, reference, x, rng)
    pairs += [
        (p.grad, q.grad) for p, q in zip(conv.parameters(), reference.parameters(), strict=True)
    ]
    for ours, theirs in pairs:
        close(ours, theirs)
    assert gradcheck(Conv2d(2, 3, rng=1, **settings), rng.normal(size=(2, 2, 5, 6)))


def test_conv2d_initialisation_is_pytorchs_distribution():
    fan_in = 3 * 5 * 5  # kaiming_uniform with a=sqrt(5): bound 1/sqrt(fan_in), bias too
    weights = np.concatenate([Conv2d(3, 8, 5, rng=seed).weight.value.ravel() for seed in range(50)])
    biases = np.concatenate([Conv2d(3, 8, 5, rng=seed).bias.value for seed in range(50)])
    torch.manual_seed(0)
    reference = torch.cat([torch.nn.Conv2d(3, 8, 5).weight.detach().ravel() for _ in range(50)])
    bound = 1 / np.sqrt(fan_in)
    assert torch.all(reference.abs() <= bound)
    assert -bound <= weights.min() < -0.99 * bound and 0.99 * bound < weights.max() <= bound
    assert np.all(np.abs(biases) <= bound) and np.std(biases) > 0.5 * bound / np.sqrt(3)
    assert np.std(weights) == pytest.approx(float(reference.std()), rel=0.03)  # bound / sqrt(3)


POOLS = {"2": (2, None), "3, stride 1": (3, 1), "pairs": ((2, 3), (1, 2)), "ragged": (2, 3)}


@pytest.mark.parametrize("kernel_size, stride", POOLS.values(), ids=POOLS)
def test_maxpool2d_output_and_gradients_are_pytorchs(kernel_size, stride):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 3, 7, 8))
    reference = torch.nn.MaxPool2d(kernel_size, stride)
    for ours, theirs in run_both(MaxPool2d(kernel_size, stride), reference, x, rng):
        close(ours, theirs)
    assert gradcheck(MaxPool2d(kernel_size, stride), x)


def test_maxpool2d_sends_a_tied_windows_gradient_to_its_first_maximum_as_pytorch():
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 2:, 2:] = [[1.0, 3.0], [3.0, 3.0]]
    grad = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    pool = MaxPool2d(2)
    pool(x)
    torch_x = torch.from_numpy(x).requires_grad_(True)
    torch.nn.functional.max_pool2d(torch_x, 2).backward(torch.from_numpy(grad))
    np.testing.assert_array_equal(pool.backward(grad), torch_x.grad.numpy())
    assert pool.backward(grad)[0, 0, 2, 3] == 4.0 and pool.backward(grad)[0, 0, 0, 0] == 1.0


def test_flatten_is_pytorchs():
    rng = np.random.default_rng(2)
    for ours, theirs in run_both(Flatten(), torch.nn.Flatten(), rng.normal(size=(3, 2, 4, 5)), rng):
        close(ours, theirs)


BATCH_NORMS = {
    "1d": (BatchNorm1d, torch.nn.BatchNorm1d, (6, 4)),
    "2d": (BatchNorm2d, torch.nn.BatchNorm2d, (3, 4, 5, 6)),
}


@pytest.mark.parametrize("ours, theirs, shape", BATCH_NORMS.values(), ids=BATCH_NORMS)
def test_batchnorm_trains_and_evaluates_as_pytorch(ours, theirs, shape):
    rng = np.random.default_rng(3)
    bn, reference = ours(4, eps=1e-3, momentum=0.2), theirs(4, eps=1e-3, momentum=0.2,
                                                            dtype=torch.float64)  # fmt: skip
    bn.weight.value, bn.bias.value = rng.normal(size=4), rng.normal(size=4)
    with torch.no_grad():
        reference.weight.copy_(torch.from_numpy(bn.weight.value))
        reference.bias.copy_(torch.from_numpy(bn.bias.value))
    for step in range(3):  # training: the batch's statistics, and the running ones move
        bn.zero_grad()
        reference.zero_grad()
        x = rng.normal(2.0, 3.0, size=shape)
        for mine, theirs_ in run_both(bn, reference, x, rng):
            close(mine, theirs_)
        close(bn.weight.grad, reference.weight.grad)
        close(bn.bias.grad, reference.bias.grad)
        close(bn.running_mean, reference.running_mean)
        close(bn.running_var, reference.running_var)  # unbiased, as PyTorch's
    bn.eval()
    reference.eval()
    for mine, theirs_ in run_both(bn, reference, rng.normal(size=shape), rng):
        close(mine, theirs_)
    assert gradcheck(ours(4).train(), rng.normal(1.0, 2.0, size=shape))
    assert gradcheck(bn, rng.normal(size=shape))  # eval mode


def test_dropout_with_pytorchs_mask_gives_pytorchs_output_and_gradient():
    torch.manual_seed(0)
    x = np.random.default_rng(4).uniform(0.5, 1.5, (8, 16))  # no zeros: the mask shows
    torch_x = torch.from_numpy(x).requires_grad_(True)
    torch_y = torch.nn.functional.dropout(torch_x, p=0.3, training=True)
    grad = np.random.default_rng(5).normal(size=x.shape)
    torch_y.backward(torch.from_numpy(grad))
    kept = torch_y.detach().numpy() != 0

    class TheMask:
        """A generator whose numbers keep exactly PyTorch's inputs (>= p: kept)."""

        def random(self, shape):
            return np.where(kept, 1.0, 0.0)

    layer = Dropout(0.3)
    layer.rng = TheMask()
    close(layer(x), torch_y)
    close(layer.backward(grad), torch_x.grad)
    assert 0 < kept.sum() < kept.size


# -- optimizers' settings, and schedules --------------------------------------------------------

SETTINGS = {
    "SGD, momentum, dampening, weight decay": (
        lambda p: SGD(p, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01),
    ),
    "SGD, nesterov, weight decay": (
        lambda p: SGD(p, lr=0.05, momentum=0.9, weight_decay=0.02, nesterov=True),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.02, nesterov=True),
    ),
    "Adam, weight decay": (
        lambda p: Adam(p, lr=0.01, weight_decay=0.05),
        lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.05),
    ),
    "AdamW": (lambda p: AdamW(p, lr=0.01), lambda p: torch.optim.AdamW(p, lr=0.01)),
    "AdamW, settings": (
        lambda p: AdamW(p, lr=0.003, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.1),
        lambda p: torch.optim.AdamW(p, lr=0.003, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.1),
    ),
}


@pytest.mark.parametrize("name", SETTINGS)
def test_optimizer_settings_follow_torch_for_20_steps(name):
    OPTIMIZERS[name] = SETTINGS[name]  # train_side_by_side reads the table
    try:
        ours, theirs = train_side_by_side(name, steps=20)
    finally:
        del OPTIMIZERS[name]
    for step, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        for mine, reference in zip(a, b, strict=True):
            np.testing.assert_allclose(
                mine, reference, rtol=RTOL, atol=1e-13, err_msg=f"step {step}"
            )
    assert not np.allclose(ours[0][0], ours[-1][0])


SCHEDULES = {
    "StepLR": (StepLR, torch.optim.lr_scheduler.StepLR, dict(step_size=4, gamma=0.5)),
    "StepLR, default gamma": (StepLR, torch.optim.lr_scheduler.StepLR, dict(step_size=7)),
    "ExponentialLR": (ExponentialLR, torch.optim.lr_scheduler.ExponentialLR, dict(gamma=0.9)),
    "CosineAnnealingLR": (
        CosineAnnealingLR,
        torch.optim.lr_scheduler.CosineAnnealingLR,
        dict(T_max=30),
    ),
    "CosineAnnealingLR past T_max": (
        CosineAnnealingLR,
        torch.optim.lr_scheduler.CosineAnnealingLR,
        dict(T_max=8, eta_min=0.01),
    ),
}


@pytest.mark.parametrize("ours, theirs, settings", SCHEDULES.values(), ids=SCHEDULES)
def test_schedules_give_pytorchs_rates_epoch_by_epoch(ours, theirs, settings):
    scheduler = ours(SGD([Parameter(1.0)], lr=0.3), **settings)
    weight = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([weight], lr=0.3)
    reference = theirs(optimizer, **settings)
    rates, torch_rates = [scheduler.get_last_lr()], [reference.get_last_lr()]
    for epoch in range(30):
        optimizer.step()  # (PyTorch wants a step before the schedule's)
        reference.step()
        scheduler.step()
        rates.append(scheduler.get_last_lr())
        torch_rates.append(reference.get_last_lr())
    np.testing.assert_allclose(rates, torch_rates, rtol=RTOL, atol=1e-15)
    assert scheduler.optimizer.lr == rates[-1][0] and len(set(np.ravel(rates))) > 3


@pytest.mark.parametrize("nano, name", [(SGD, "SGD"), (Adam, "Adam")])
def test_the_optimizers_arguments_are_pytorchs_with_its_defaults(nano, name):
    """What the PyTorch page says: the same names and defaults, but SGD's lr, and fewer."""
    import inspect

    ours = inspect.signature(nano.__init__).parameters
    theirs = inspect.signature(getattr(torch.optim, name).__init__).parameters
    ours_names = [n for n in ours if n not in ("self", "parameters")]
    assert ours_names == [n for n in theirs if n not in ("self", "params")][: len(ours_names)]
    for argument in ours_names:
        if (name, argument) == ("SGD", "lr"):  # nanonet asks for it; PyTorch's default is 0.001
            assert ours[argument].default is inspect.Parameter.empty
            assert theirs[argument].default == 0.001
        else:
            assert ours[argument].default == theirs[argument].default, argument
    extras = {"SGD": {"maximize", "fused"}, "Adam": {"amsgrad", "maximize", "fused"}}
    assert extras[name] <= set(theirs) - set(ours)  # what the page names as PyTorch's extras
