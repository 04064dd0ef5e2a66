"""Benchmark nanonet against the loops a student writes by hand.

Every implementation runs in this one process, in interleaved rounds (each
round runs each implementation once, in turn), after a warm-up round. The
tables show medians over the rounds and ratios to a reference measured in
the same rounds, which is what stays meaningful on a shared, noisy machine.

(a) The chapter's two-node network, 1000 training steps, time per step:
    nanonet's five-line loop against the chapter's own loop (verbatim,
    numpy's exp on scalars) and the same loop on plain floats with
    math.exp. Ratios are to the chapter's loop. Every loop runs inside a
    function, so each uses fast local variables.
(b) The same five-stage chain on a batch of N inputs, one full-batch
    training step: nanonet against straightforward numpy (a new array for
    every operation) and numpy with in-place operations and reused buffers.
    Ratios are to straightforward numpy.

Optional rows, when the packages are installed (they are not nanonet
dependencies): micrograd (with a sigmoid op added the micrograd way) and
PyTorch (autograd on scalar tensors; torch.nn with torch.optim.SGD; float64
on 2 threads for batches). PyTorch runs after everything else, in rounds of
its own interleaved with the reference: its worker threads and its large
allocations would otherwise disturb the implementations measured after it.

Also measured: the peak memory of building a model and taking one batched
step (tracemalloc), in arrays of N float64, and the time of
``import nanonet`` against ``import numpy``, each in a fresh interpreter.

Run:  python examples/benchmark.py            (about two minutes)
      python examples/benchmark.py --quick    (a few seconds; a smoke test)
"""

from __future__ import annotations

import argparse
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
        "the chapter's loop, verbatim (numpy exp on scalars)": as_function(
            CHAPTER_CELL, steps, exp=np.exp, zeros=np.zeros
        ),
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
        loss = 0.5 * np.dot(d, d) / d.size
        np.divide(d, d.size, out=d)  # dC/d(out)
        d_w2 = np.dot(d, s2)
        np.subtract(1.0, s2, out=t)
        np.multiply(t, s2, out=t)
        np.multiply(t, d, out=t)
        np.multiply(t, w2, out=t)  # dC/d(x2)
        d_w1 = np.dot(t, s1)
        np.subtract(1.0, s1, out=d)
        np.multiply(d, s1, out=d)
        np.multiply(d, t, out=d)
        np.multiply(d, w1, out=d)  # dC/d(x1)
        d_w0 = np.dot(d, x)
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
# Measuring
# ---------------------------------------------------------------------------


def interleaved_medians(impls: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Median seconds per call of each implementation, run in interleaved rounds."""
    for run in impls.values():  # warm up
        run()
    times: dict[str, list[float]] = {name: [] for name in impls}
    for _ in range(rounds):
        for name, run in impls.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


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


def measure(
    impls: dict[str, Callable[[], object]], reference: str, rounds: int
) -> dict[str, tuple[float, float]]:
    """Median seconds and ratio to ``impls[reference]`` of each implementation, interleaved."""
    medians = interleaved_medians(impls, rounds)
    return {name: (t, t / medians[reference]) for name, t in medians.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark nanonet against hand-written loops.")
    parser.add_argument(
        "--quick", action="store_true", help="a few seconds: a smoke test, not a measurement"
    )
    args = parser.parse_args(argv)
    steps, rounds = (20, 3) if args.quick else (1000, 21)
    sizes = (1_000, 10_000) if args.quick else (1_000, 100_000, 1_000_000)
    batch_rounds = (lambda n: 3) if args.quick else (lambda n: 41 if n < 1_000_000 else 21)
    chapter, numpy_ref = (
        "the chapter's loop, verbatim (numpy exp on scalars)",
        "straightforward numpy",
    )
    inputs = {n: np.random.default_rng(0).uniform(-2.0, 2.0, n) for n in sizes}

    # nanonet and the references first; PyTorch afterwards, in sets of its own with the
    # reference, as its threads and allocations would disturb the measurements that follow.
    scalar = measure(scalar_implementations(steps), chapter, rounds)
    batch = {
        n: measure(batch_implementations(x), numpy_ref, batch_rounds(n)) for n, x in inputs.items()
    }
    reference_loop = scalar_implementations(steps)[chapter]
    for name, loop in torch_loops(steps).items():
        scalar[name] = measure({chapter: reference_loop, name: loop}, chapter, rounds)[name]
    for n, x in inputs.items():
        torch_step = torch_batch(x)
        if torch_step is not None:
            name = "PyTorch torch.nn, float64, 2 threads"
            impls = {numpy_ref: straightforward_numpy_batch(x), name: torch_step}
            batch[n][name] = measure(impls, numpy_ref, batch_rounds(n))[name]

    print(f"nanonet {nanonet.__version__}, numpy {np.__version__}, Python {sys.version.split()[0]}")
    print(f"\n(a) The two-node network, {steps} steps: time per training step\n")
    rows = [[name, f"{t / steps * 1e6:.2f}", f"{ratio:.2f}"] for name, (t, ratio) in scalar.items()]
    print(table(["implementation", "us per step", "x the chapter's loop"], rows))

    print("\n(b) The same chain on a batch of N inputs: time per full-batch training step\n")
    rows = [
        [f"{n:,}", name, f"{t * 1e3:.3f}", f"{ratio:.2f}"]
        for n, results in batch.items()
        for name, (t, ratio) in results.items()
    ]
    print(table(["N", "implementation", "ms per step", "x straightforward numpy"], rows))

    n = sizes[-1]
    print(
        f"\nPeak memory of one batched step, N = {n:,}, in arrays of N float64 beyond the input\n"
    )
    makers = {
        numpy_ref: straightforward_numpy_batch,
        "in-place numpy": inplace_numpy_batch,
        "nanonet": nanonet_batch,
    }
    rows = [
        [name, f"{peak_memory_in_arrays(make, inputs[n]):.1f}"] for name, make in makers.items()
    ]
    print(table(["implementation", "peak memory (arrays)"], rows))

    times = import_times(3 if args.quick else 21)
    print("\nImport time, each in a fresh interpreter (median)\n")
    rows = [
        [f"import {module}", f"{t * 1e3:.1f}", f"{t / times['numpy']:.2f}"]
        for module, t in times.items()
    ]
    print(table(["statement", "ms", "x import numpy"], rows))


if __name__ == "__main__":
    main()
