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
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    Dense,
    MSELoss,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
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
