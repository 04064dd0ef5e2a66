"""save and load: a model's weights, or a whole training checkpoint, in one ``.npz`` file.

A checkpoint holds everything a training run needs to go on exactly where it
stopped: the model's weights and buffers, the random state of its layers
that draw numbers (as `nanonet.Dropout`), and, if given, the optimizer's
state, the schedule's, a Generator's (the one that shuffles the batches) and
any numbers (the epoch, say). Resuming from it gives, bit for bit, the
weights of the run that never stopped.

The file is a standard numpy ``.npz`` archive: one array per weight, buffer
and array of optimizer state, and a record (JSON text) of the rest. It is
written atomically and read without unpickling, with memory bounded by the
model's size (see `load`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from ._checks import as_path
from .layer import Layer
from .optim import LRScheduler, Optimizer

#: The version of the file layout that `save` writes and `load` reads (1: weights only).
FORMAT_VERSION = 2
#: How many arrays of state an optimizer may keep per parameter, at most, in a file.
STATES_PER_PARAMETER = 4


def save(
    model: Layer,
    path: str | os.PathLike,
    *,
    optimizer: Any = None,
    scheduler: Any = None,
    rng: np.random.Generator | None = None,
    **numbers: float,
) -> None:
    """Save ``model``'s weights, and what else is given, to ``path``, atomically.

    The archive is written to a temporary file in the same folder (named
    ``.<name>.<random>.tmp``), flushed to disk, and only then renamed over
    ``path``: a crash, a full disk or an exception at any moment leaves either
    the previous file or the new one, never a truncated mix. Everything
    round-trips bit for bit.

    Args:
        model: The layer (usually a Sequential) whose weights and buffers to
            save, with the random state of the Generators its layers hold.
        path: Where to write. The name is used as given; ``.npz`` is the
            convention.
        optimizer: An optimizer whose state to save too (its `state_dict`).
        scheduler: A learning-rate schedule whose state to save too.
        rng: A ``numpy.random.Generator`` whose state to save too: the one
            that shuffles the batches, so a resumed run draws the same ones.
        **numbers: Numbers to keep with it, such as ``epoch=5``; `load`
            returns them.

    Raises:
        TypeError: If ``model`` is not a Layer, ``path`` is not a path,
            ``optimizer`` is not an Optimizer, ``scheduler`` not an
            LRScheduler, ``rng`` not a Generator, or a number is not a
            number.
        FileNotFoundError: If the folder ``path`` names does not exist.
        OSError: If the file cannot be written; ``path`` is then unchanged.

    Examples:
        >>> import tempfile, pathlib
        >>> from nanonet import Linear, Sequential, Sigmoid
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "weights.npz"
        >>> save(Sequential(Linear(2.0), Sigmoid(), Linear(0.5)), path, epoch=3)
        >>> model = Sequential(Linear(0.0), Sigmoid(), Linear(0.0))
        >>> load(model, path)
        {'epoch': 3}
        >>> model.state_dict()
        {'0.weight': 2.0, '2.weight': 0.5}
    """
    import json  # (these load only when a file is written or read)

    from . import _npz

    if not isinstance(model, Layer):
        raise TypeError(f"save needs a Layer, got {type(model).__name__}")
    _check_kinds(optimizer, scheduler)
    path = as_path(path)
    arrays = {name: np.asarray(value) for name, value in model.state_dict().items()}
    record: dict[str, Any] = {"numbers": _numbers(numbers)}
    generators = {name: g.bit_generator.state for name, g in model.named_generators()}
    if generators:
        record["generators"] = generators
    if optimizer is not None:
        state = optimizer.state_dict()
        record["optimizer"] = {"class": type(optimizer).__name__, "param_groups": [
            {key: _plain(value) for key, value in group.items()} for group in state["param_groups"]
        ], "state": {}}  # fmt: skip
        for index, entries in state["state"].items():
            for key, value in entries.items():
                if isinstance(value, np.ndarray):
                    arrays[f"optimizer/{index}/{key}"] = value
                else:
                    record["optimizer"]["state"].setdefault(str(index), {})[key] = _plain(value)
    if scheduler is not None:
        record["scheduler"] = {"class": type(scheduler).__name__, "state": _plain(
            scheduler.state_dict())}  # fmt: skip
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        record["rng"] = rng.bit_generator.state
    arrays[_npz.FORMAT_KEY] = np.array(FORMAT_VERSION)
    arrays[_npz.RECORD_KEY] = np.frombuffer(json.dumps(record).encode(), dtype=np.uint8)
    _npz.write(path, arrays, "weights")


def load(
    model: Layer,
    path: str | os.PathLike,
    *,
    optimizer: Any = None,
    scheduler: Any = None,
    rng: np.random.Generator | None = None,
) -> dict[str, float]:
    """Load what `save` wrote to ``path`` into ``model`` (and the optimizer, schedule, rng).

    Everything is checked before anything is set: if the file is missing, is
    not an ``.npz`` archive, is truncated or corrupt, holds pickled objects,
    was written by a newer nanonet, holds weights for another architecture,
    or lacks what is asked of it (an optimizer's state, say), the error
    names the file and the problem, and the model, the optimizer, the
    schedule and the Generator are left exactly as they were.

    Loading is safe against hostile files, not only broken ones. It never
    runs code from the file: pickled objects are refused, never unpickled,
    and the record is JSON. And it decides from the small parts of the file,
    before reading any data: the file's size, the archive's list of entries,
    and each array's ``.npy`` header (its name, dtype and shape) are checked
    against the model first. Only then are the arrays read, each exactly to
    the size its header declares. So a file that claims gigabytes takes
    about as much memory as the model's own weights (and their optimizer
    state), plus a small constant, to load or to refuse.

    Weights files of nanonet 0.2 (weights only) load too.

    Args:
        model: A layer of the same architecture as the one saved.
        path: The file `save` wrote.
        optimizer: An optimizer over the model's parameters, of the kind
            saved, to restore its state.
        scheduler: A schedule of the kind saved, to restore its state.
        rng: A ``numpy.random.Generator`` to restore the saved one's state.

    Returns:
        The numbers saved with it, such as ``{"epoch": 5}`` (``{}`` for a
            weights-only file).

    Raises:
        TypeError: If ``model`` is not a Layer, ``path`` is not a path,
            ``optimizer`` is not an Optimizer, or ``scheduler`` not an
            LRScheduler.
        FileNotFoundError: If there is no file at ``path``.
        ValueError: If the file cannot be used, for any reason above.
        OSError: If the file cannot be read.

    Examples:
        >>> import tempfile, pathlib
        >>> from nanonet import Linear
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "weights.npz"
        >>> save(Linear(0.25), path)
        >>> layer = Linear(1.0)
        >>> load(layer, path)
        {}
        >>> layer
        Linear(weight=0.25)
        >>> load(layer, path.with_name("nothing.npz"))
        Traceback (most recent call last):
            ...
        FileNotFoundError: cannot load weights: no file at '...nothing.npz'
    """
    import json  # (these load only when a file is written or read)

    from . import _npz

    if not isinstance(model, Layer):
        raise TypeError(f"load needs a Layer, got {type(model).__name__}")
    _check_kinds(optimizer, scheduler)
    path = as_path(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"cannot load weights: no file at {path!r}")
    shapes = [p.shape for p in model.parameters()]
    expected = _npz.Expected(
        arrays={
            **{name: p.shape for name, p in model.named_parameters()},
            **{name: np.shape(array) for name, array in model.named_buffers()},
        },
        extra=lambda name: _state_shape(name, shapes),
        most_extra=STATES_PER_PARAMETER * len(shapes),
        numbers=STATES_PER_PARAMETER * sum(int(np.prod(shape)) for shape in shapes),
        record_size=8192 + 512 * len(shapes) + 1024 * len(list(model.named_generators())),
        owner=type(model).__name__,
    )
    try:
        with open(path, "rb") as file:  # I/O errors stay OSErrors
            version, arrays = _npz.read(file, expected, FORMAT_VERSION)
        record = json.loads(bytes(arrays.pop(_npz.RECORD_KEY, b"{}")))
        if not isinstance(record, dict):
            raise _npz.Refusal("its record is not a JSON object")
        return _restore(model, arrays, record, optimizer, scheduler, rng)
    except _npz.Misfit as err:
        raise ValueError(f"the weights in {path!r} do not fit this model: {err}") from None
    except (_npz.Refusal, json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"cannot load weights from {path!r}: {err}") from None
    except _npz.DAMAGED as err:
        raise ValueError(
            f"cannot load weights from {path!r}: it is truncated or corrupt "
            f"({type(err).__name__}: {err})"
        ) from None


def _restore(
    model: Layer,
    arrays: dict[str, np.ndarray],
    record: Mapping[str, Any],
    optimizer: Any,
    scheduler: Any,
    rng: Any,
) -> dict[str, float]:
    """Set everything from the file, all or nothing: the model's weights, which are checked
    with the rest before they are set, come last; what was set before them is put back if
    they do not fit."""
    from . import _npz

    if rng is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    numbers = dict(_mapping(record.get("numbers", {}), "numbers"))
    generators = _mapping(record.get("generators", {}), "generators")
    states = {
        name: _checked_state(g, generators.get(name), name) for name, g in model.named_generators()
    }
    if rng is not None:
        if "rng" not in record:
            raise _npz.Refusal("it holds no Generator's state (save it with rng=)")
        states["rng"] = _checked_state(rng, record["rng"], "rng")
    undo = [(x, x.state_dict()) for x in (optimizer, scheduler) if x is not None]
    try:
        for what, thing in (("optimizer", optimizer), ("scheduler", scheduler)):
            if thing is not None:
                _load_into(what, thing, record, arrays)  # (each checks all before it sets)
        try:
            names = [name for name, _ in [*model.named_parameters(), *model.named_buffers()]]
            model.load_state_dict({name: arrays[name] for name in names})
        except ValueError as err:
            raise _npz.Misfit(str(err)) from None
    except BaseException:
        for thing, state in undo:
            thing.load_state_dict(state)
        raise
    for name, generator in [
        *model.named_generators(),
        *([("rng", rng)] if rng is not None else []),
    ]:
        generator.bit_generator.state = states[name]
    return numbers


def _check_kinds(optimizer: object, scheduler: object) -> None:
    """Refuse an ``optimizer`` that is not an Optimizer, a ``scheduler`` not an LRScheduler."""
    for name, value, kind in (("optimizer", optimizer, Optimizer),
                              ("scheduler", scheduler, LRScheduler)):  # fmt: skip
        if value is not None and not isinstance(value, kind):
            raise TypeError(f"{name} must be a nanonet {kind.__name__}, got {type(value).__name__}")


def _load_into(what: str, thing: Any, record: Mapping[str, Any], arrays: dict) -> None:
    """Load the optimizer's or the schedule's saved state into ``thing``, which checks it."""
    from . import _npz

    saved = _mapping(record.get(what), what) if what in record else None
    if saved is None:
        raise _npz.Refusal(f"it holds no {what} state (save it with {what}=)")
    if saved.get("class") != type(thing).__name__:
        raise _npz.Misfit(
            f"it holds the state of a {saved.get('class')}, not of a {type(thing).__name__}"
        )
    try:
        if what == "scheduler":
            thing.load_state_dict(saved["state"])
            return
        state: dict[int, dict[str, Any]] = {}
        for index, entries in _mapping(saved.get("state", {}), "optimizer state").items():
            state.setdefault(int(index), {}).update(_mapping(entries, "optimizer state"))
        for name, array in arrays.items():
            if name.startswith("optimizer/"):
                _, index, key = name.split("/", 2)
                state.setdefault(int(index), {})[key] = np.array(array)
        thing.load_state_dict({"state": state, "param_groups": saved["param_groups"]})
    except (KeyError, TypeError, ValueError) as err:
        raise _npz.Misfit(f"its {what} state does not fit: {err}") from None


def _state_shape(name: str, shapes: list[tuple[int, ...]]) -> tuple[int, ...] | None:
    """The shape an array of optimizer state named ``name`` has: its parameter's; or None."""
    parts = name.split("/")
    if len(parts) != 3 or parts[0] != "optimizer" or not parts[1].isdigit() or not parts[2]:
        return None
    index = int(parts[1])
    return shapes[index] if index < len(shapes) else None


def _checked_state(generator: np.random.Generator, state: Any, name: str) -> Any:
    """``state`` if it is one ``generator`` can take (tried on a copy); else a refusal."""
    from . import _npz

    if state is None:
        raise _npz.Misfit(f"it holds no random state for {name!r}")
    trial = type(generator.bit_generator)()
    try:
        trial.state = state
    except (TypeError, ValueError, KeyError) as err:
        raise _npz.Misfit(f"its random state for {name!r} does not fit: {err}") from None
    return trial.state


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    """``value`` if it is a JSON object; else a refusal."""
    from . import _npz

    if not isinstance(value, Mapping):
        raise _npz.Refusal(f"its record's {what} is not a JSON object")
    return value


def _numbers(numbers: Mapping[str, Any]) -> dict[str, float]:
    """The numbers to save, checked: ints and floats (not bools)."""
    for name, number in numbers.items():
        if isinstance(number, bool) or not isinstance(
            number, (int, float, np.integer, np.floating)
        ):
            raise TypeError(f"{name} must be a number to be saved, got {type(number).__name__}")
    return {name: number.item() if isinstance(number, np.generic) else number
            for name, number in numbers.items()}  # fmt: skip


def _plain(value: Any) -> Any:
    """``value`` with numpy numbers and tuples made JSON's numbers and lists."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    return value
