"""The benchmark runs (a smoke test: timings are measured, never asserted)."""

import numpy as np
import pytest


@pytest.fixture
def benchmark(example):
    return example("benchmark")


def test_quick_benchmark_runs_and_prints_every_table(benchmark, capsys):
    benchmark.main(["--quick"])
    output = capsys.readouterr().out
    headings = ["(a) The two-node network", "(b) The same chain", "(b') The same, with a warm"]
    headings += ["(c) A 64-64-10 network", "Peak memory of one Adam step", "Import time"]
    headings += ["(d) A small CNN", "(e) A 784-256-10 network", "(e') The same, with a warm"]
    for heading in headings:
        assert heading in output
    assert "| nanonet |" in output
    assert "| import nanonet |" in output


@pytest.mark.parametrize("steps", [1, 7])
def test_the_three_scalar_loops_compute_the_same_training(benchmark, steps):
    impls = benchmark.scalar_implementations(steps)
    chapter = impls[benchmark.CHAPTER]()
    plain = impls["the same loop on plain floats with math.exp"]()
    nano = impls["nanonet"]()
    assert chapter["w0"] == pytest.approx(plain["w0"], rel=1e-15)
    assert chapter["results"][-1] == pytest.approx(plain["results"][-1], rel=1e-15)
    # the chapter updates w2 first and reuses it; nanonet updates all at once
    assert nano["model"][0].weight.value == pytest.approx(chapter["w0"], rel=1e-4)


def test_the_batch_references_compute_what_nanonet_computes(benchmark):
    x = np.random.default_rng(1).uniform(-2.0, 2.0, 257)
    impls = benchmark.batch_implementations(x)
    for _ in range(3):
        losses = {name: step() for name, step in impls.items()}
    reference = losses["nanonet"]
    for name, loss in losses.items():
        assert loss == pytest.approx(reference, rel=1e-12), name


def test_the_network_steps_compute_what_nanonet_computes(benchmark):
    data = benchmark.mlp_data()
    impls = benchmark.mlp_implementations(data)
    losses = {name: [step() for _ in range(6)] for name, step in impls.items()}
    reference = losses["nanonet"]
    assert reference[-1] < reference[0]  # it learns
    for name, values in losses.items():  # the same batches, the same weights, the same Adam
        assert values == pytest.approx(reference, rel=1e-10), name


def test_a_batched_step_keeps_at_most_five_arrays_of_the_batch_alive(benchmark):
    """Measured, not timed: tracemalloc counts bytes, the same on every machine.

    The chain keeps s1 and s2 for backward, the loss its difference; while a
    sigmoid goes back, the gradient it is given and the one it returns.
    numpy at its leanest, every buffer reused, needs 4.
    """
    x = np.random.default_rng(0).uniform(-2.0, 2.0, 200_000)
    peak = benchmark.peak_memory_in_arrays
    assert peak(benchmark.nanonet_batch, x) <= 5.1
    assert peak(benchmark.inplace_numpy_batch, x) == pytest.approx(4.0, abs=0.1)
    assert peak(benchmark.straightforward_numpy_batch, x) > 5.1


@pytest.mark.parametrize("section, rtol", [("cnn", 1e-10), ("mlp32", 1e-5)])
def test_the_one_core_steps_compute_what_pytorch_computes(benchmark, section, rtol):
    pytest.importorskip("torch")
    models, data = getattr(benchmark, f"{section}_models"), getattr(benchmark, f"{section}_data")()
    impls = benchmark.one_core_implementations(models, data)
    losses = {name: [step() for _ in range(len(data) + 1)] for name, step in impls.items()}
    assert losses["nanonet"][-1] < losses["nanonet"][0]  # it learns: the first batch again
    assert losses["nanonet"] == pytest.approx(losses[benchmark.TORCH_REF], rel=rtol)
