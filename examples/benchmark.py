"""Benchmark nanonet against the loops a student writes by hand, and against PyTorch.

Every implementation runs in this one process, in interleaved rounds (each
round runs each implementation once, in turn), after a warm-up round. Each
row reports the median time per step over the rounds and, in brackets, the
spread (the 25th to the 75th percentile); each ratio is computed round by
round, against the reference measured in the same round, and reported the
same way. That is what stays meaningful on a shared, noisy machine; run the
script a few times to see how the medians themselves move.

(a) The chapter's two-node network, 1000 training steps, time per step:
    nanonet's five-line loop against the chapter's own loop (verbatim,
    numpy's exp on scalars) and the same loop on plain floats with
    math.exp. Ratios are to the chapter's loop.
(b) The same five-stage chain on a batch of N inputs, one full-batch
    training step: nanonet against straightforward numpy (a new array for
    every operation) and numpy with in-place operations and reused buffers.
    Ratios are to straightforward numpy. Large temporary arrays cost page
    faults when the allocator returns their memory to the system after each
    step (glibc's default for arrays above its mmap threshold), so this
    comparison depends on the allocator: (b) is run twice, in the default
    environment and in a child process whose allocator keeps freed memory
    (MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ set high).
(c) A digits-sized network, 64-64-10 with ReLU, CrossEntropyLoss and Adam,
    one training step on a batch of 32 (float64): nanonet against the same
    step written by hand in numpy (Adam updating in place) and against
    PyTorch (float64, one thread).

(d) A small convolutional network for the digits, conv 8@3x3 - ReLU -
    maxpool 2 - Dense - 10, CrossEntropyLoss and Adam, one training step on
    a batch of 32 8x8 images (float64): nanonet against PyTorch (float64).
(e) A 784-256-10 network with ReLU, CrossEntropyLoss and Adam, one training
    step on a batch of 64 (random MNIST-sized inputs) in float32: nanonet
    (``model.to(np.float32)``) against PyTorch (float32), and against the
    same network in float64, in the same rounds: what float32 saves.
    (d) and (e) run in a child process on one core: BLAS (numpy's and
    PyTorch's) limited to one thread, so that both sides do the same work
    the same way; BLAS's threads, on a machine with other work, stall.
    Adam's arrays in (e) are large (800 KB each), so its temporaries cost
    page faults under glibc's default allocator, as in (b): (e) is run in
    a second child process with the warm allocator too, as (e').

Optional rows, when the packages are installed (they are not nanonet
dependencies; python -m pip install -e ".[bench]" installs both): micrograd
(with a sigmoid op added the micrograd way) and PyTorch (autograd on scalar
tensors; torch.nn with torch.optim.SGD; float64 on 2 threads for batches,
1 thread for the network of (c)). PyTorch's rows
in (a) and (b) run after everything else, in rounds of their own with the
reference: its worker threads and large allocations would otherwise disturb
the implementations measured after it.

Also measured: the peak memory of one batched step (tracemalloc), in arrays
of N float64; the peak memory of one Adam step of (c), in multiples of the
parameters' size; and the time of ``import nanonet`` against
``import numpy``, each in a fresh interpreter. Reductions use einsum rather
than BLAS (np.dot), whose threads stall when the other core is busy.

Run:  python examples/benchmark.py            (about 40 seconds)
      python examples/benchmark.py --quick    (a few seconds; a smoke test)
"""

from __future__ import annotations

import argparse
import copy
import math
import os
import statistics
import subprocess
import sys
import textwrap
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

import nanonet
from nanonet import SGD, Linear, MSELoss, Sequential, Sigmoid

# ---------------------------------------------------------------------------
# (a) The two-node network, one sample
# ---------------------------------------------------------------------------

# The chapter's Step 4 cell, verbatim except for the plotting after the loop.
# In the notebook, `exp` and `zeros` come from `from pylab import *` (numpy's).
CHAPTER_CELL = """
s0 = 2                          # Define the input,
target = 0.7                    # ... and the target output.

w0 = 2                          # Choose initial values for the weights.
w1 = 1
w2 = 0.5

alpha = 0.1                     # Set the learning constant.

def sigmoid(x):
    return 1/(1+exp(-x))     # Define the sigmoid anonymous function.

results = zeros([1000,4])    # Define a variable to hold the results of each iteration.
for k in range(1000):           # For 1000 iteractions,

    #Step 2. Calculate feedforward solution to get output.
    x1 = w0*s0                  # ... activity of first neuron,
    s1 = sigmoid(x1)            # ... output of first neuron,
    x2 = w1*s1                  # ... activity of second neuron,
    s2 = sigmoid(x2)            # ... output of second neuron,
    out= w2*s2                  # Output of neural network.

    #Step 3. Update the weights.
    w2 = w2 - alpha*(out-target)*s2
    w1 = w1 - alpha*(out-target)*(w2*s2*(1-s2)*s1)
    w0 = w0 - alpha*(out-target)*(w2*s2*(1-s2)*w1)*(s1*(1-s1)*s0)

    # Save the results of this step! --------------------------------------
    results[k,:] = [w2,w1,w0,  out]
    # Here we save the 3 weights, the neural network output.
"""

# The same cell on plain Python floats with math.exp: the pure-Python floor.
PLAIN_FLOAT_CELL = (
    CHAPTER_CELL.replace("s0 = 2 ", "s0 = 2.0")
    .replace("w0 = 2 ", "w0 = 2.0")
    .replace("w1 = 1\n", "w1 = 1.0\n")
    .replace("exp(-x)", "math.exp(-x)")
)

# The training loop from nanonet's README and core issue, verbatim.
NANONET_CELL = """
model = Sequential(Linear(2.0), Sigmoid(), Linear(1.0), Sigmoid(), Linear(0.5))
loss_fn = MSELoss()
optimizer = SGD(model.parameters(), lr=0.1)

for step in range(1000):
    out = model(2.0)                     # forward pass
    loss = loss_fn(out, 0.7)             # C = 1/2 * mean((out - target)**2)
    optimizer.zero_grad()
    model.backward(loss_fn.backward())   # gradients flow back through every layer
    optimizer.step()                     # w <- w - lr * dC/dw, all weights at once
"""


def as_function(cell: str, steps: int, **names: object) -> Callable[[], object]:
    """Wrap a notebook cell's code in a function, so its variables are locals."""
    source = cell.replace("1000", str(steps))
    code = "def run():\n" + textwrap.indent(source, "    ") + "\n    return locals()\n"
    namespace = dict(names)
    exec(compile(code, "<benchmark cell>", "exec"), namespace)
    return namespace["run"]


def micrograd_loop(steps: int) -> Callable[[], object] | None:
    try:
        from micrograd.engine import Value
    except ImportError:
        return None

    def sigmoid(v):  # micrograd has no exp: a new op, written the micrograd way
        s = 1.0 / (1.0 + math.exp(-v.data))
        out = Value(s, (v,), "sigmoid")

        def _backward():
            v.grad += s * (1.0 - s) * out.grad

        out._backward = _backward
        return out

    def run():
        w0, w1, w2 = Value(2.0), Value(1.0), Value(0.5)
        for _ in range(steps):
            out = w2 * sigmoid(w1 * sigmoid(w0 * 2.0))
            loss = 0.5 * (out - 0.7) ** 2
            for w in (w0, w1, w2):
                w.grad = 0.0
            loss.backward()
            for w in (w0, w1, w2):
                w.data -= 0.1 * w.grad
        return w0.data

    return run


def torch_loops(steps: int) -> dict[str, Callable[[], object]]:
    try:
        import torch
    except ImportError:
        return {}
    torch.set_num_threads(2)

    def autograd():
        w = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (2.0, 1.0, 0.5)]
        s0 = torch.tensor(2.0, dtype=torch.float64)
        for _ in range(steps):
            out = w[2] * torch.sigmoid(w[1] * torch.sigmoid(w[0] * s0))
            loss = 0.5 * (out - 0.7) ** 2
            for p in w:
                p.grad = None
            loss.backward()
            with torch.no_grad():
                for p in w:
                    p -= 0.1 * p.grad
        return w

    def nn_optim():
        model = torch_two_node(torch)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        x = torch.tensor([[2.0]], dtype=torch.float64)
        target = torch.tensor([[0.7]], dtype=torch.float64)
        mse = torch.nn.MSELoss()
        for _ in range(steps):
            loss = 0.5 * mse(model(x), target)  # nanonet's cost has the 1/2
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return model

    return {"PyTorch autograd, scalar tensors": autograd, "PyTorch torch.nn + optim.SGD": nn_optim}


def torch_two_node(torch):
    layers = [torch.nn.Linear(1, 1, bias=False, dtype=torch.float64) for _ in range(3)]
    with torch.no_grad():
        for layer, w in zip(layers, (2.0, 1.0, 0.5), strict=True):
            layer.weight.fill_(w)
    return torch.nn.Sequential(
        layers[0], torch.nn.Sigmoid(), layers[1], torch.nn.Sigmoid(), layers[2]
    )


def scalar_implementations(steps: int) -> dict[str, Callable[[], object]]:
    impls = {
        CHAPTER: as_function(CHAPTER_CELL, steps, exp=np.exp, zeros=np.zeros),
        "the same loop on plain floats with math.exp": as_function(
            PLAIN_FLOAT_CELL, steps, math=math, zeros=np.zeros
        ),
        "nanonet": as_function(
            NANONET_CELL,
            steps,
            Sequential=Sequential,
            Linear=Linear,
            Sigmoid=Sigmoid,
            MSELoss=MSELoss,
            SGD=SGD,
        ),
    }
    micrograd = micrograd_loop(steps)
    if micrograd is not None:
        impls["micrograd 0.1.0 (+ a sigmoid op)"] = micrograd
    return impls


# ---------------------------------------------------------------------------
# (b) The same chain on a batch of N inputs, one full-batch step
# ---------------------------------------------------------------------------

TARGET, LR = 0.7, 0.1


def nanonet_batch(x: np.ndarray) -> Callable[[], float]:
    model = Sequential(Linear(2.0), Sigmoid(), Linear(1.0), Sigmoid(), Linear(0.5))
    loss_fn = MSELoss()
    optimizer = SGD(model.parameters(), lr=LR)

    def step():
        loss = loss_fn(model(x), TARGET)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
        return loss

    return step


def straightforward_numpy_batch(x: np.ndarray) -> Callable[[], float]:
    """What a student writes: the chapter's formulas on arrays, a new array per operation."""
    w = [2.0, 1.0, 0.5]

    def step():
        w0, w1, w2 = w
        x1 = w0 * x
        s1 = 1 / (1 + np.exp(-x1))
        x2 = w1 * s1
        s2 = 1 / (1 + np.exp(-x2))
        out = w2 * s2
        loss = 0.5 * np.mean((out - TARGET) ** 2)
        d_out = (out - TARGET) / out.size
        d_w2 = np.sum(d_out * s2)
        d_x2 = d_out * w2 * s2 * (1 - s2)
        d_w1 = np.sum(d_x2 * s1)
        d_x1 = d_x2 * w1 * s1 * (1 - s1)
        d_w0 = np.sum(d_x1 * x)
        w[:] = [w0 - LR * d_w0, w1 - LR * d_w1, w2 - LR * d_w2]
        return loss

    return step


def inplace_numpy_batch(x: np.ndarray) -> Callable[[], float]:
    """numpy at its leanest: buffers allocated once, every operation in place."""
    w = [2.0, 1.0, 0.5]
    s1, s2, d, t = (np.empty_like(x) for _ in range(4))

    def step():
        w0, w1, w2 = w
        np.multiply(x, -w0, out=s1)
        np.exp(s1, out=s1)
        np.add(s1, 1.0, out=s1)
        np.reciprocal(s1, out=s1)  # s1
        np.multiply(s1, -w1, out=s2)
        np.exp(s2, out=s2)
        np.add(s2, 1.0, out=s2)
        np.reciprocal(s2, out=s2)  # s2
        np.multiply(s2, w2, out=d)  # out
        np.subtract(d, TARGET, out=d)  # out - target
        loss = 0.5 * np.einsum("i,i->", d, d) / d.size
        np.divide(d, d.size, out=d)  # dC/d(out)
        d_w2 = np.einsum("i,i->", d, s2)
        np.subtract(1.0, s2, out=t)
        np.multiply(t, s2, out=t)
        np.multiply(t, d, out=t)
        np.multiply(t, w2, out=t)  # dC/d(x2)
        d_w1 = np.einsum("i,i->", t, s1)
        np.subtract(1.0, s1, out=d)
        np.multiply(d, s1, out=d)
        np.multiply(d, t, out=d)
        np.multiply(d, w1, out=d)  # dC/d(x1)
        d_w0 = np.einsum("i,i->", d, x)
        w[:] = [w0 - LR * d_w0, w1 - LR * d_w1, w2 - LR * d_w2]
        return loss

    return step


def torch_batch(x: np.ndarray) -> Callable[[], float] | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(2)
    model = torch_two_node(torch)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    inputs = torch.from_numpy(x).reshape(-1, 1)
    mse = torch.nn.MSELoss()
    target = torch.full_like(inputs, TARGET)

    def step():
        loss = 0.5 * mse(model(inputs), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def batch_implementations(x: np.ndarray) -> dict[str, Callable[[], float]]:
    return {
        "straightforward numpy": straightforward_numpy_batch(x),
        "in-place numpy": inplace_numpy_batch(x),
        "nanonet": nanonet_batch(x),
    }


# ---------------------------------------------------------------------------
# (c) A digits-sized network: 64-64-10, ReLU, CrossEntropyLoss, Adam, batch 32
# ---------------------------------------------------------------------------

SIZES, BATCH, ADAM_LR, BETAS, EPS = (64, 64, 10), 32, 1e-3, (0.9, 0.999), 1e-8


def mlp_data() -> list[tuple[np.ndarray, np.ndarray]]:
    """The digits in batches of 32, pixels scaled to [0, 1]: each step takes the next batch."""
    from nanonet.datasets import load_digits

    x, y = load_digits()
    x = x / 16.0
    return [(x[i : i + BATCH], y[i : i + BATCH]) for i in range(0, len(x) - BATCH + 1, BATCH)]


def initial_weights() -> list[np.ndarray]:
    """The same starting weights for every implementation (nanonet's Dense initialisation)."""
    from nanonet import Dense

    layers = [Dense(SIZES[0], SIZES[1], rng=1), Dense(SIZES[1], SIZES[2], rng=2)]
    return [p.value.copy() for layer in layers for p in layer.parameters()]


def nanonet_mlp(data: list) -> Callable[[], float]:
    from nanonet import Dense, ReLU

    model = Sequential(Dense(SIZES[0], SIZES[1]), ReLU(), Dense(SIZES[1], SIZES[2]))
    for parameter, value in zip(model.parameters(), initial_weights(), strict=True):
        parameter.value = value
    return nanonet_step(model, data)


def numpy_mlp(data: list) -> Callable[[], float]:
    """The same step written by hand in numpy, as an expert would: Adam updates in place."""
    w1, b1, w2, b2 = params = initial_weights()
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    count = [0]

    def step():
        x, y = data[count[0] % len(data)]
        count[0] += 1
        n, rows = len(y), np.arange(len(y))
        h = x @ w1.T + b1  # forward
        a = np.maximum(h, 0.0)
        z = a @ w2.T + b2
        z = z - z.max(axis=1, keepdims=True)  # cross-entropy, stably
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        loss = -log_p[rows, y].mean()
        dz = np.exp(log_p)  # backward
        dz[rows, y] -= 1.0
        dz /= n
        da = dz @ w2
        dh = da * (h > 0.0)
        grads = [dh.T @ x, dh.sum(axis=0), dz.T @ a, dz.sum(axis=0)]
        t = count[0]  # Adam, in place
        step_size = ADAM_LR / (1 - BETAS[0] ** t)
        correction = (1 - BETAS[1] ** t) ** 0.5
        for p, g, m_, v_ in zip(params, grads, m, v, strict=True):
            m_ += (1 - BETAS[0]) * (g - m_)
            v_ *= BETAS[1]
            v_ += (1 - BETAS[1]) * g * g
            p -= step_size * m_ / (np.sqrt(v_) / correction + EPS)
        return float(loss)

    return step


def torch_mlp(data: list) -> Callable[[], float] | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    model = torch.nn.Sequential(
        torch.nn.Linear(SIZES[0], SIZES[1], dtype=torch.float64),
        torch.nn.ReLU(),
        torch.nn.Linear(SIZES[1], SIZES[2], dtype=torch.float64),
    )
    with torch.no_grad():
        for parameter, value in zip(model.parameters(), initial_weights(), strict=True):
            parameter.copy_(torch.from_numpy(value))
    return torch_step(torch, model, data)


def mlp_implementations(data: list) -> dict[str, Callable[[], float]]:
    impls = {"hand-written numpy": numpy_mlp(data), "nanonet": nanonet_mlp(data)}
    torch_step = torch_mlp(data)
    if torch_step is not None:
        impls["PyTorch, float64, 1 thread"] = torch_step
    return impls


def adam_peak_memory(data: list) -> float:
    """Peak memory of one Adam step of the network of (c), in multiples of the parameters' size."""
    from nanonet import Adam, CrossEntropyLoss, Dense, ReLU

    model = Sequential(Dense(SIZES[0], SIZES[1], rng=1), ReLU(), Dense(SIZES[1], SIZES[2], rng=2))
    optimizer, loss_fn = Adam(model.parameters()), CrossEntropyLoss()
    size = sum(p.value.nbytes for p in model.parameters())
    for x, y in data[:2]:  # two steps first: the optimizer's state exists from then on
        loss_fn(model(x), y)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        optimizer.step()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return (peak - start) / size


# ---------------------------------------------------------------------------
# (d) A small CNN for the digits, float64; (e) a 784-256-10 network, float32
# ---------------------------------------------------------------------------

TORCH_REF = "PyTorch, 1 thread"
MLP32_SIZES, MLP32_BATCH = (784, 256, 10), 64


def cnn_data() -> list[tuple[np.ndarray, np.ndarray]]:
    """The digits as images (N, 1, 8, 8) in batches of 32: each step takes the next batch."""
    return [(x.reshape(-1, 1, 8, 8), y) for x, y in mlp_data()]


def mlp32_data() -> list[tuple[np.ndarray, np.ndarray]]:
    """Ten batches of 64 random MNIST-sized inputs in [0, 1), float32, and random labels."""
    rng = np.random.default_rng(0)
    return [
        (rng.random((MLP32_BATCH, MLP32_SIZES[0]), dtype=np.float32), rng.integers(0, 10, 64))
        for _ in range(10)
    ]


def cnn_models(torch) -> tuple[Sequential, object]:
    """The CNN of (d) in nanonet and, if ``torch`` is given, in PyTorch, with the same weights."""
    from nanonet import Conv2d, Dense, Flatten, MaxPool2d, ReLU

    model = Sequential(
        Conv2d(1, 8, 3, rng=1), ReLU(), MaxPool2d(2), Flatten(), Dense(72, 10, rng=2)
    )
    if torch is None:
        return model, None
    nn = torch.nn
    reference = nn.Sequential(
        nn.Conv2d(1, 8, 3, dtype=torch.float64),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(72, 10, dtype=torch.float64),
    )
    return model, same_weights(torch, model, reference)


def mlp32_models(torch) -> tuple[Sequential, object]:
    """The network of (e) in nanonet (float32) and, if ``torch`` is given, in PyTorch."""
    from nanonet import Dense, ReLU

    first, second = Dense(*MLP32_SIZES[:2], rng=1), Dense(*MLP32_SIZES[1:], rng=2)
    model = Sequential(first, ReLU(), second).to(np.float32)
    if torch is None:
        return model, None
    nn = torch.nn  # float32 is PyTorch's default
    reference = nn.Sequential(nn.Linear(*MLP32_SIZES[:2]), nn.ReLU(), nn.Linear(*MLP32_SIZES[1:]))
    return model, same_weights(torch, model, reference)


def same_weights(torch, model: Sequential, reference):
    """``reference`` (a torch model) with ``model``'s weights, layer by layer."""
    with torch.no_grad():
        for ours, theirs in zip(model.parameters(), reference.parameters(), strict=True):
            theirs.copy_(torch.from_numpy(ours.value))
    return reference


def nanonet_step(model: Sequential, data: list) -> Callable[[], float]:
    """One training step with Adam and CrossEntropyLoss, on the next batch of ``data``."""
    from nanonet import Adam, CrossEntropyLoss

    loss_fn = CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=ADAM_LR, betas=BETAS, eps=EPS)
    count = [0]

    def step():
        x, y = data[count[0] % len(data)]
        count[0] += 1
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
        return loss

    return step


def torch_step(torch, model, data: list) -> Callable[[], float]:
    """The same step in PyTorch."""
    optimizer = torch.optim.Adam(model.parameters(), lr=ADAM_LR, betas=BETAS, eps=EPS)
    loss_fn = torch.nn.CrossEntropyLoss()
    batches = [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in data]
    count = [0]

    def step():
        x, y = batches[count[0] % len(batches)]
        count[0] += 1
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def one_core_implementations(models: Callable, data: list) -> dict[str, Callable[[], float]]:
    """nanonet's step and, where PyTorch is installed, PyTorch's on one thread."""
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        torch = None
    model, reference = models(torch)
    impls = {"nanonet": nanonet_step(model, data)}
    if model.dtype == np.float32:  # what float32 saves: the same network in float64
        float64 = copy.deepcopy(model).to(np.float64)
        impls["nanonet, float64"] = nanonet_step(float64, [(x.astype(np.float64), y)
                                                           for x, y in data])  # fmt: skip
    if reference is not None:
        impls[TORCH_REF] = torch_step(torch, reference, data)
    return impls


def one_core_sections(quick: bool, warm: bool) -> None:
    """(d) and (e), or (e') with the warm allocator: the child processes on one core."""
    sections = [
        ("(d) A small CNN, conv 8@3x3 - ReLU - maxpool 2 - Dense - 10, CrossEntropyLoss, Adam: "
         "one step on a batch of 32 8x8 images, float64", cnn_models, cnn_data()),
        ("(e) A 784-256-10 network, ReLU, CrossEntropyLoss, Adam: one step on a batch of 64, "
         "float32", mlp32_models, mlp32_data()),
    ]  # fmt: skip
    if warm:
        sections = [("(e') The same, with a warm allocator", mlp32_models, mlp32_data())]
    for title, models, data in sections:
        steps = 3 if quick else 20
        impls = one_core_implementations(models, data)
        reference = TORCH_REF if TORCH_REF in impls else "nanonet"
        results = measure({n: repeated(s, steps) for n, s in impls.items()}, reference,
                          3 if quick else 21)  # fmt: skip
        print(f"\n{title}, one core\n")
        rows = [[name, r.time(1e6 / steps, 1), r.ratio()] for name, r in results.items()]
        print(table(["implementation", "µs per step", f"× {reference}"], rows))
        if "nanonet, float64" in results:
            speedup = Result(results["nanonet, float64"].times, [
                a / b for a, b in zip(results["nanonet, float64"].times,
                                      results["nanonet"].times, strict=True)
            ])  # fmt: skip
            print(f"\nnanonet's float64 step × its float32 step, same rounds: {speedup.ratio()}")


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------


class Result:
    """Times per call of one implementation over the rounds, and its ratios to the reference."""

    def __init__(self, times: list[float], ratios: list[float]) -> None:
        self.times, self.ratios = times, ratios

    @staticmethod
    def spread(values: list[float]) -> tuple[float, float, float]:
        """The median and the 25th and 75th percentiles."""
        low, median, high = np.percentile(values, [25, 50, 75])
        return float(median), float(low), float(high)

    def time(self, scale: float, digits: int) -> str:
        median, low, high = self.spread(self.times)
        return f"{median * scale:.{digits}f} [{low * scale:.{digits}f}–{high * scale:.{digits}f}]"

    def ratio(self) -> str:
        median, low, high = self.spread(self.ratios)
        return f"{median:.2f} [{low:.2f}–{high:.2f}]"


def measure(
    impls: dict[str, Callable[[], object]], reference: str, rounds: int
) -> dict[str, Result]:
    """Interleaved rounds after a warm-up; each ratio against the reference of its own round."""
    for run in impls.values():  # warm up
        run()
    times: dict[str, list[float]] = {name: [] for name in impls}
    for _ in range(rounds):
        for name, run in impls.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    base = times[reference]
    return {
        name: Result(values, [t / b for t, b in zip(values, base, strict=True)])
        for name, values in times.items()
    }


def repeated(step: Callable[[], object], count: int) -> Callable[[], object]:
    """``step`` run ``count`` times in a row: one round, for steps too short to time alone."""

    def run():
        for _ in range(count):
            step()

    return run


def peak_memory_in_arrays(make_step: Callable, x: np.ndarray) -> float:
    """Peak memory of building a model and one training step, in arrays of N float64."""
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        make_step(x)()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return (peak - start) / x.nbytes


def import_times(rounds: int) -> dict[str, float]:
    """Median time of `import numpy` and of `import nanonet` (numpy included), in new interpreters.

    Each interpreter times ``import numpy`` and then the rest of ``import
    nanonet``, so both are measured in the same process. Bytecode caching
    is on, as in a normal installation (pip compiles numpy's at install
    time; nanonet's is cached by the first import, a warm-up here), even
    where PYTHONDONTWRITEBYTECODE is set.
    """
    probe = (
        "import time; t0 = time.perf_counter(); import numpy; t1 = time.perf_counter(); "
        "import nanonet; t2 = time.perf_counter(); print(t1 - t0, t2 - t0)"
    )
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    times: dict[str, list[float]] = {"numpy": [], "nanonet": []}
    for round_ in range(rounds + 1):
        output = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
        ).stdout.split()
        if round_:  # round 0 is the warm-up
            times["numpy"].append(float(output[0]))
            times["nanonet"].append(float(output[1]))
    return {module: statistics.median(values) for module, values in times.items()}


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


# Keep freed memory in the process: no page faults for large temporaries (glibc).
WARM_ALLOCATOR = {"MALLOC_MMAP_THRESHOLD_": "33554432", "MALLOC_TRIM_THRESHOLD_": "1073741824"}
# BLAS on one thread, numpy's (OpenBLAS) and PyTorch's (MKL, OpenMP): one core for both.
ONE_CORE = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def cpu_model() -> str:
    """The CPU, as lscpu names it (or platform's name for it, where there is no lscpu)."""
    try:
        output = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        import platform

        return platform.processor() or "unknown CPU"
    names = [line.split(":", 1)[1].strip() for line in output.splitlines() if "Model name" in line]
    return f"{names[0] if names else 'unknown CPU'}, {os.cpu_count()} cores"


CHAPTER, NUMPY_REF, MLP_REF = (
    "the chapter's loop, verbatim (numpy exp on scalars)",
    "straightforward numpy",
    "hand-written numpy",
)


def batch_section(sizes: tuple[int, ...], quick: bool) -> dict[int, dict[str, Result]]:
    """(b): every size, nanonet and the numpy references, interleaved; PyTorch after."""
    rounds = 3 if quick else 31
    inputs = {n: np.random.default_rng(0).uniform(-2.0, 2.0, n) for n in sizes}
    batch = {n: measure(batch_implementations(x), NUMPY_REF, rounds) for n, x in inputs.items()}
    for n, x in inputs.items():
        torch_step = torch_batch(x)
        if torch_step is not None:
            name = "PyTorch torch.nn, float64, 2 threads"
            impls = {NUMPY_REF: straightforward_numpy_batch(x), name: torch_step}
            batch[n][name] = measure(impls, NUMPY_REF, rounds)[name]
    return batch


def print_batch(batch: dict[int, dict[str, Result]], title: str) -> None:
    print(f"\n{title}\n")
    rows = [
        [f"{n:,}", name, result.time(1e3, 3), result.ratio()]
        for n, results in batch.items()
        for name, result in results.items()
    ]
    print(table(["N", "implementation", "ms per step", "× straightforward numpy"], rows))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark nanonet against hand-written loops.")
    parser.add_argument(
        "--quick", action="store_true", help="a few seconds: a smoke test, not a measurement"
    )
    parser.add_argument("--batch-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--one-core", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--warm", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one_core:  # the child processes of (d), (e) and (e')
        one_core_sections(args.quick, args.warm)
        return
    sizes = (1_000, 10_000) if args.quick else (1_000, 100_000, 1_000_000)
    if args.batch_only:  # the child process of (b) with the warm allocator
        print_batch(batch_section(sizes, args.quick), "(b') The same, with a warm allocator")
        return
    steps, rounds = (20, 3) if args.quick else (1000, 31)

    # nanonet and the references first; PyTorch afterwards, in sets of its own with the
    # reference, as its threads and allocations would disturb the measurements that follow.
    scalar = measure(scalar_implementations(steps), CHAPTER, rounds)
    reference_loop = scalar_implementations(steps)[CHAPTER]
    for name, loop in torch_loops(steps).items():
        scalar[name] = measure({CHAPTER: reference_loop, name: loop}, CHAPTER, rounds)[name]
    batch = batch_section(sizes, args.quick)
    data = mlp_data()
    mlp_steps = 5 if args.quick else 50
    mlp_impls = {
        name: repeated(step, mlp_steps) for name, step in mlp_implementations(data).items()
    }
    mlp = measure(mlp_impls, MLP_REF, 3 if args.quick else 41)

    print(f"nanonet {nanonet.__version__}, numpy {np.__version__}, Python {sys.version.split()[0]}")
    print("Medians over the rounds, [25th–75th percentile] in brackets.")
    print(f"\n(a) The two-node network, {steps} steps: time per training step\n")
    rows = [[name, result.time(1e6 / steps, 2), result.ratio()] for name, result in scalar.items()]
    print(table(["implementation", "µs per step", "× the chapter's loop"], rows))

    print_batch(batch, "(b) The same chain on a batch of N inputs: time per full-batch step")
    child = subprocess.run(
        [sys.executable, __file__, "--batch-only", *(["--quick"] if args.quick else [])],
        capture_output=True, text=True, check=True, env={**os.environ, **WARM_ALLOCATOR},
    )  # fmt: skip
    print(child.stdout, end="")

    print("\n(c) A 64-64-10 network, ReLU, CrossEntropyLoss, Adam: one step on a batch of 32\n")
    rows = [[name, r.time(1e6 / mlp_steps, 1), r.ratio()] for name, r in mlp.items()]
    print(table(["implementation", "µs per step", "× hand-written numpy"], rows))
    if "PyTorch, float64, 1 thread" in mlp:
        to_torch = Result(mlp["nanonet"].times, [
            a / b for a, b in zip(mlp["nanonet"].times, mlp["PyTorch, float64, 1 thread"].times,
                                  strict=True)
        ])  # fmt: skip
        print(f"\nnanonet × PyTorch, same rounds: {to_torch.ratio()}")

    print(f"\n(d) and (e) on one core (BLAS limited to one thread): {cpu_model()}")
    for env in ({}, WARM_ALLOCATOR):  # (d) and (e); then (e') with the warm allocator
        child = subprocess.run(
            [sys.executable, __file__, "--one-core", *(["--warm"] if env else []),
             *(["--quick"] if args.quick else [])],
            capture_output=True, text=True, check=True, env={**os.environ, **ONE_CORE, **env},
        )  # fmt: skip
        print(child.stdout, end="")

    n = sizes[-1]
    print(
        f"\nPeak memory of one batched step, N = {n:,}, in arrays of N float64 beyond the input\n"
    )
    makers = {
        NUMPY_REF: straightforward_numpy_batch,
        "in-place numpy": inplace_numpy_batch,
        "nanonet": nanonet_batch,
    }
    x = np.random.default_rng(0).uniform(-2.0, 2.0, n)
    rows = [[name, f"{peak_memory_in_arrays(make, x):.1f}"] for name, make in makers.items()]
    print(table(["implementation", "peak memory (arrays)"], rows))
    adam = adam_peak_memory(data)
    print(f"\nPeak memory of one Adam step of (c): {adam:.2f} × the parameters' size")

    times = import_times(3 if args.quick else 21)
    print("\nImport time, each in a fresh interpreter (median)\n")
    rows = [
        [f"import {module}", f"{t * 1e3:.1f}", f"{t / times['numpy']:.2f}"]
        for module, t in times.items()
    ]
    print(table(["statement", "ms", "× import numpy"], rows))


if __name__ == "__main__":
    main()
