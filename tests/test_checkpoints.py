"""Checkpoints: a training run saved midway and resumed ends bit for bit where the uninterrupted
run ends, whatever it keeps: momentum, Adam's averages, a shuffling Generator, a layer that draws
random numbers, numbers of its own. And a file that does not fit changes nothing."""

import json
import zipfile

import numpy as np
import pytest

from nanonet import (
    SGD,
    Adam,
    AdamW,
    BatchNorm1d,
    CosineAnnealingLR,
    CrossEntropyLoss,
    Dense,
    Dropout,
    Layer,
    Linear,
    MSELoss,
    ReLU,
    Sequential,
    Sigmoid,
    StepLR,
    Tanh,
    batches,
    draw,
    gradcheck,
    load,
    save,
    summary,
    trace,
)


class Noise(Layer):
    """Adds Gaussian noise in training: a layer that draws from a Generator of its own."""

    def __init__(self, scale, rng):
        self.scale, self.rng = scale, np.random.default_rng(rng)

    def forward(self, x):
        return x + self.scale * self.rng.standard_normal(np.shape(x))

    def backward(self, grad):
        return grad


X = np.random.default_rng(0).normal(size=(40, 4))
LABELS = np.random.default_rng(1).integers(0, 3, 40)
OPTIMIZERS = {
    "SGD with momentum": lambda params: SGD(params, lr=0.1, momentum=0.9, nesterov=True),
    "Adam": lambda params: Adam(params, lr=0.01, weight_decay=1e-3),
}


def new_run():
    model = Sequential(Dense(4, 6, rng=7), Noise(0.1, rng=3), Tanh(), Dense(6, 3, rng=8))
    return model, np.random.default_rng(5)


def train(model, optimizer, shuffle, epochs):
    loss_fn = CrossEntropyLoss()
    for _ in range(epochs):
        for x, y in batches(X, LABELS, 8, shuffle=True, rng=shuffle):
            loss_fn(model(x), y)
            optimizer.zero_grad()
            model.backward(loss_fn.backward())
            optimizer.step()


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_a_resumed_run_ends_bit_for_bit_where_the_uninterrupted_one_ends(name, tmp_path):
    make = OPTIMIZERS[name]
    straight, shuffle = new_run()
    train(straight, make(straight.parameters()), shuffle, 6)

    half, shuffle = new_run()
    optimizer = make(half.parameters())
    train(half, optimizer, shuffle, 3)
    save(half, tmp_path / "c.npz", optimizer=optimizer, rng=shuffle, epoch=3)

    resumed = Sequential(Dense(4, 6, rng=1), Noise(0.1, rng=99), Tanh(), Dense(6, 3, rng=2))
    resumed_optimizer, resumed_shuffle = make(resumed.parameters()), np.random.default_rng(0)
    numbers = load(resumed, tmp_path / "c.npz", optimizer=resumed_optimizer, rng=resumed_shuffle)
    assert numbers == {"epoch": 3}
    train(resumed, resumed_optimizer, resumed_shuffle, 3)
    for a, b in zip(straight.parameters(), resumed.parameters(), strict=True):
        assert a.value.tobytes() == b.value.tobytes()  # exactly: resuming is a promise


SCHEDULED = {
    "SGD with momentum, StepLR": (
        lambda params: SGD(params, lr=0.1, momentum=0.9, weight_decay=1e-3),
        lambda optimizer: StepLR(optimizer, step_size=2, gamma=0.5),
    ),
    "Adam, CosineAnnealingLR to 0": (
        lambda params: Adam(params, lr=0.01),
        lambda optimizer: CosineAnnealingLR(optimizer, T_max=6),
    ),
    "AdamW, StepLR": (
        lambda params: AdamW(params, lr=0.01),
        lambda optimizer: StepLR(optimizer, step_size=4),
    ),
}


def regularised(seed):
    """Dropout (a Generator of its own) and BatchNorm (buffers): the issue's whole promise."""
    return Sequential(Dense(4, 6, rng=seed), BatchNorm1d(6), ReLU(), Dropout(0.3, rng=seed + 1),
                      Dense(6, 3, rng=seed + 2))  # fmt: skip


def train_by_epochs(model, optimizer, scheduler, shuffle, epochs):
    """Each epoch: training mode, the batches, an evaluation pass, the schedule's step."""
    loss_fn = CrossEntropyLoss()
    for _ in range(epochs):
        model.train()
        for x, y in batches(X, LABELS, 8, shuffle=True, rng=shuffle):
            loss_fn(model(x), y)
            optimizer.zero_grad()
            model.backward(loss_fn.backward())
            optimizer.step()
        model.eval()(X)  # (evaluating moves no running statistic and draws no mask)
        scheduler.step()


@pytest.mark.parametrize("name", SCHEDULED)
def test_a_run_with_dropout_batchnorm_and_a_schedule_resumes_bit_for_bit(name, tmp_path):
    make_optimizer, make_scheduler = SCHEDULED[name]
    straight = regularised(7)
    straight_scheduler = make_scheduler(make_optimizer(straight.parameters()))
    train_by_epochs(straight, straight_scheduler.optimizer, straight_scheduler,
                    np.random.default_rng(5), 6)  # fmt: skip

    half, shuffle = regularised(7), np.random.default_rng(5)
    optimizer = make_optimizer(half.parameters())
    scheduler = make_scheduler(optimizer)
    train_by_epochs(half, optimizer, scheduler, shuffle, 3)
    save(half, tmp_path / "c.npz", optimizer=optimizer, scheduler=scheduler, rng=shuffle, epoch=3)

    resumed, resumed_shuffle = regularised(20), np.random.default_rng(0)
    resumed_optimizer = make_optimizer(resumed.parameters())
    resumed_scheduler = make_scheduler(resumed_optimizer)
    assert load(resumed, tmp_path / "c.npz", optimizer=resumed_optimizer,
                scheduler=resumed_scheduler, rng=resumed_shuffle) == {"epoch": 3}  # fmt: skip
    assert resumed_optimizer.lr == optimizer.lr and resumed_scheduler.last_epoch == 3
    train_by_epochs(resumed, resumed_optimizer, resumed_scheduler, resumed_shuffle, 3)
    ours, theirs = straight.state_dict(), resumed.state_dict()
    assert list(ours) == list(theirs) and "1.running_var" in ours
    for key in ours:  # weights and buffers, exactly: resuming is a promise
        assert ours[key].tobytes() == theirs[key].tobytes(), key
    assert straight[3].rng.bit_generator.state == resumed[3].rng.bit_generator.state
    assert resumed_scheduler.get_last_lr() == straight_scheduler.get_last_lr()


def everything_of(model):
    """What a tool must leave as it found it: weights, buffers, Generators, training modes."""
    return (
        {name: np.asarray(value).tobytes() for name, value in model.state_dict().items()},
        [g.bit_generator.state for _, g in model.named_generators()],
        [layer.training for _, layer in model._members(Layer)],
    )


TOOLS = {
    "summary": lambda model: repr(summary(model, (8, 4))) + summary(model, (8, 4))._repr_html_(),
    "trace": lambda model: str(trace(model, X[:8], LABELS[:8], CrossEntropyLoss())),
    "draw": lambda model: draw(model)._repr_svg_(),
    "draw with values": lambda model: draw(
        model, X[:2], LABELS[:2], CrossEntropyLoss()
    )._repr_svg_(),
    "gradcheck": lambda model: gradcheck(model, X[:8]),
}


@pytest.mark.parametrize("training", [True, False], ids=["training", "eval"])
@pytest.mark.parametrize("tool", TOOLS)
def test_the_tools_leave_the_model_as_they_found_it(tool, training):
    """Their forward passes move no running statistic and draw no mask: a checkpointed run
    that calls them stays bit-exact."""
    model = regularised(3)
    optimizer = Adam(model.parameters())
    train_by_epochs(model, optimizer, StepLR(optimizer, 1), np.random.default_rng(0), 1)
    model.train(training)
    before = everything_of(model)
    TOOLS[tool](model)
    assert everything_of(model) == before


def test_the_chapters_network_with_momentum_resumes_exactly(two_node, tmp_path):
    def steps(model, optimizer, n):
        loss_fn = MSELoss()
        for _ in range(n):
            loss_fn(model(2.0), 0.7)
            optimizer.zero_grad()
            model.backward(loss_fn.backward())
            optimizer.step()

    straight = two_node()
    steps(straight, SGD(straight.parameters(), lr=0.1, momentum=0.9), 40)
    half = two_node()
    optimizer = SGD(half.parameters(), lr=0.1, momentum=0.9)
    steps(half, optimizer, 20)
    save(half, tmp_path / "c.npz", optimizer=optimizer)
    resumed = two_node(0.0, 0.0, 0.0)
    resumed_optimizer = SGD(resumed.parameters(), lr=0.1, momentum=0.9)
    load(resumed, tmp_path / "c.npz", optimizer=resumed_optimizer)
    steps(resumed, resumed_optimizer, 20)
    assert [p.value for p in resumed.parameters()] == [p.value for p in straight.parameters()]
    assert all(type(p.value) is float for p in resumed.parameters())  # the chapter's floats


def test_a_weights_only_load_of_a_checkpoint_sets_the_weights_and_the_random_state(tmp_path):
    model, shuffle = new_run()
    optimizer = Adam(model.parameters())
    train(model, optimizer, shuffle, 1)
    save(model, tmp_path / "c.npz", optimizer=optimizer, rng=shuffle)
    other = Sequential(Dense(4, 6, rng=1), Noise(0.1, rng=99), Tanh(), Dense(6, 3, rng=2))
    assert load(other, tmp_path / "c.npz") == {}
    assert other[1].rng.bit_generator.state == model[1].rng.bit_generator.state
    for a, b in zip(model.parameters(), other.parameters(), strict=True):
        assert a.value.tobytes() == b.value.tobytes()


def state_of(model, optimizer, shuffle):
    return (
        [p.value.tobytes() for p in model.parameters()],
        repr(optimizer.state_dict()),
        model[1].rng.bit_generator.state,
        shuffle.bit_generator.state,
    )


@pytest.fixture
def saved(tmp_path):
    model, shuffle = new_run()
    optimizer = Adam(model.parameters())
    train(model, optimizer, shuffle, 1)
    save(model, tmp_path / "c.npz", optimizer=optimizer, rng=shuffle)
    return tmp_path / "c.npz"


def fresh():
    model = Sequential(Dense(4, 6, rng=1), Noise(0.1, rng=99), Tanh(), Dense(6, 3, rng=2))
    optimizer, shuffle = Adam(model.parameters()), np.random.default_rng(0)
    train(model, optimizer, shuffle, 1)
    return model, optimizer, shuffle


@pytest.mark.parametrize(
    "ask, message",
    [
        (
            lambda m, o, s: {"optimizer": SGD(m.parameters(), lr=0.1)},
            "state of a Adam, not of a SGD",
        ),
        (lambda m, o, s: {"scheduler": StepLR(o, 2)}, "it holds no scheduler state"),
        (lambda m, o, s: {"rng": s, "optimizer": o, "model": Sequential(Dense(4, 6))}, "not fit"),
    ],
    ids=["another optimizer", "no schedule saved", "another model"],
)
def test_a_checkpoint_that_does_not_fit_changes_nothing(saved, ask, message):
    model, optimizer, shuffle = fresh()
    before = state_of(model, optimizer, shuffle)
    asked = ask(model, optimizer, shuffle)
    target = asked.pop("model", model)
    with pytest.raises(ValueError, match=message):
        load(target, saved, **asked)
    assert state_of(model, optimizer, shuffle) == before


def test_a_weights_file_has_no_optimizer_state_to_give(two_node, tmp_path):
    save(two_node(), tmp_path / "w.npz")
    model = two_node(0.0, 0.0, 0.0)
    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    with pytest.raises(
        ValueError, match=r"it holds no optimizer state \(save it with optimizer=\)"
    ):
        load(model, tmp_path / "w.npz", optimizer=optimizer)
    with pytest.raises(ValueError, match=r"it holds no Generator's state \(save it with rng=\)"):
        load(model, tmp_path / "w.npz", rng=np.random.default_rng())
    assert [p.value for p in model.parameters()] == [0.0, 0.0, 0.0]


def rewrite_record(path, change):
    """Rewrite the checkpoint at ``path`` with its record changed by ``change(record)``."""
    with np.load(path) as archive:
        arrays = {name: archive[name] for name in archive.files}
    record = change(json.loads(arrays["__nanonet_checkpoint__"].tobytes()))
    text = record if isinstance(record, bytes) else json.dumps(record).encode()
    arrays["__nanonet_checkpoint__"] = np.frombuffer(text, np.uint8)
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in arrays.items():
            with archive.open(f"{name}.npy", "w") as entry:
                np.lib.format.write_array(entry, array)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda r: b"{not json", "cannot load weights from"),
        (lambda r: [1, 2], "its record is not a JSON object"),
        (lambda r: {**r, "generators": {"1.rng": {"bit_generator": "MT19937"}}}, "does not fit"),
        (lambda r: {**r, "generators": {}}, "it holds no random state for '1.rng'"),
        (lambda r: {**r, "rng": "a string"}, "random state for 'rng' does not fit"),
        (lambda r: {**r, "optimizer": {**r["optimizer"], "param_groups": []}}, "param_groups"),
        (lambda r: b" " * 20000, "more than a record holds"),
    ],
    ids=[
        "not json",
        "not an object",
        "another generator",
        "no generator",
        "bad rng",
        "groups",
        "huge record",
    ],  # fmt: skip
)
def test_a_hostile_record_is_refused_and_changes_nothing(saved, change, message):
    rewrite_record(saved, change)
    model, optimizer, shuffle = fresh()
    before = state_of(model, optimizer, shuffle)
    with pytest.raises(ValueError, match=message):
        load(model, saved, optimizer=optimizer, rng=shuffle)
    assert state_of(model, optimizer, shuffle) == before


def test_numbers_must_be_numbers(two_node, tmp_path):
    with pytest.raises(TypeError, match="epoch must be a number to be saved, got str"):
        save(two_node(), tmp_path / "w.npz", epoch="3")
    save(two_node(), tmp_path / "w.npz", epoch=np.int64(3), best=np.float64(0.5))
    assert load(two_node(), tmp_path / "w.npz") == {"epoch": 3, "best": 0.5}


def test_a_model_without_generators_saved_and_a_model_with_one_loaded(two_node, tmp_path):
    save(Sequential(Linear(1.0), Sigmoid()), tmp_path / "w.npz")
    model = Sequential(Linear(2.0), Noise(0.0, rng=1))  # has '1.rng'
    with pytest.raises(ValueError, match="it holds no random state for '1.rng'"):
        load(model, tmp_path / "w.npz")


def test_a_weights_file_of_format_1_still_loads(tmp_path):
    """What 0.1's save wrote: the weights by name and the format entry, 1."""
    path = tmp_path / "old.npz"
    np.savez(path, **{"0.weight": np.array(2.5), "2.weight": np.array(-1.0)},
             __nanonet_format__=np.array(1))  # fmt: skip
    model = Sequential(Linear(0.0), Sigmoid(), Linear(0.0))
    assert load(model, path) == {}
    assert [p.value for p in model.parameters()] == [2.5, -1.0]
