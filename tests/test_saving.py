"""save and load: atomic writes, safe reads, exact round trips, and faults."""

import io
import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import nanonet
from nanonet import SGD, MSELoss, load, save, saving


def train(model, steps):
    loss_fn, optimizer = MSELoss(), SGD(model.parameters(), lr=0.1)
    for _ in range(steps):
        loss_fn(model(2.0), 0.7)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
    return model


def weights(model):
    return [p.value for p in model.parameters()]


def test_round_trip_is_bit_exact(two_node, tmp_path):
    model = two_node(0.1 + 0.2, -1e-300, 1.7976931348623157e308)
    save(model, tmp_path / "w.npz")
    other = two_node(0.0, 0.0, 0.0)
    load(other, tmp_path / "w.npz")
    assert weights(other) == weights(model)
    assert all(type(w) is float for w in weights(other))


def test_training_continues_exactly_as_if_it_never_stopped(two_node, tmp_path):
    uninterrupted = train(two_node(), 1000)
    first_half = train(two_node(), 500)
    save(first_half, str(tmp_path / "half.npz"))  # a str path works too
    resumed = two_node(0.0, 0.0, 0.0)
    load(resumed, str(tmp_path / "half.npz"))
    train(resumed, 500)
    assert weights(resumed) == weights(uninterrupted)


def test_file_is_a_plain_npz_with_one_array_per_parameter_a_version_and_a_record(
    two_node, tmp_path
):
    save(two_node(), tmp_path / "w.npz", epoch=3)
    with np.load(tmp_path / "w.npz", allow_pickle=False) as archive:
        assert sorted(archive.files) == [
            *["0.weight", "2.weight", "4.weight", "__nanonet_checkpoint__", "__nanonet_format__"]
        ]
        assert archive["0.weight"].shape == () and archive["0.weight"] == 2.0
        assert archive["__nanonet_format__"] == saving.FORMAT_VERSION == 2
        record = json.loads(archive["__nanonet_checkpoint__"].tobytes())
        assert record == {"numbers": {"epoch": 3}}  # plain JSON: nothing to unpickle


def test_a_weights_file_of_nanonet_0_2_still_loads(two_node, tmp_path):
    path = tmp_path / "old.npz"
    np.savez(path, __nanonet_format__=np.array(1), **two_node(3.0, 4.0, 5.0).state_dict())
    model = two_node()
    assert load(model, path) == {}
    assert weights(model) == [3.0, 4.0, 5.0]


def test_array_parameters_round_trip(tmp_path):
    class Dense(nanonet.Layer):
        def __init__(self):
            self.weight = nanonet.Parameter(np.arange(6.0).reshape(2, 3) / 7)

    save(Dense(), tmp_path / "d.npz")
    other = Dense()
    other.weight.value = np.zeros((2, 3))
    load(other, tmp_path / "d.npz")
    np.testing.assert_array_equal(other.weight.value, np.arange(6.0).reshape(2, 3) / 7)


def test_parameters_may_have_the_names_np_savez_keeps_for_itself(tmp_path):
    class Odd(nanonet.Layer):
        def __init__(self, value):
            self.file = nanonet.Parameter(value)
            self.allow_pickle = nanonet.Parameter(value + 1.0)

    save(Odd(2.0), tmp_path / "odd.npz")
    other = Odd(0.0)
    load(other, tmp_path / "odd.npz")
    assert other.state_dict() == {"file": 2.0, "allow_pickle": 3.0}


def test_save_leaves_no_temporary_file_and_keeps_the_given_name(two_node, tmp_path):
    save(two_node(), tmp_path / "weights")  # no suffix is added
    assert os.listdir(tmp_path) == ["weights"]


@pytest.mark.posix
@pytest.mark.skipif(os.name != "posix", reason="file modes and the umask are POSIX")
def test_new_file_gets_the_usual_permissions(two_node, tmp_path):
    save(two_node(), tmp_path / "w.npz")
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(tmp_path / "w.npz").st_mode & 0o777 == 0o666 & ~umask


# -- faults while writing --------------------------------------------------------


class FailingFile(io.FileIO):
    """A file whose writes fail, like a full disk, after ``limit`` bytes."""

    limit = 100

    def write(self, data):
        if self.tell() + len(data) > self.limit:
            raise OSError(28, "No space left on device")
        return super().write(data)


@pytest.mark.parametrize("limit", [0, 1, 50, 100, 300, 600])
def test_a_write_that_fails_midway_keeps_the_old_file(two_node, tmp_path, monkeypatch, limit):
    path = tmp_path / "w.npz"
    save(two_node(), path)
    old_bytes = path.read_bytes()
    FailingFile.limit = limit
    monkeypatch.setattr(saving.os, "fdopen", lambda fd, mode: FailingFile(fd, "wb"))
    with pytest.raises(OSError, match="No space left"):
        save(two_node(9.0, 9.0, 9.0), path)
    monkeypatch.undo()
    assert path.read_bytes() == old_bytes
    assert os.listdir(tmp_path) == ["w.npz"]  # the temporary file was removed
    model = two_node(0.0, 0.0, 0.0)
    load(model, path)
    assert weights(model) == [2.0, 1.0, 0.5]


@pytest.mark.parametrize("step", ["fsync", "replace"])
def test_a_failure_before_the_rename_keeps_the_old_file(two_node, tmp_path, monkeypatch, step):
    path = tmp_path / "w.npz"
    save(two_node(), path)

    def fail(*args):
        raise OSError(5, f"{step} failed")

    monkeypatch.setattr(saving.os, step, fail)
    with pytest.raises(OSError, match=f"{step} failed"):
        save(two_node(9.0, 9.0, 9.0), path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["w.npz"]
    model = two_node(0.0, 0.0, 0.0)
    load(model, path)
    assert weights(model) == [2.0, 1.0, 0.5]


def test_a_crash_midway_leaves_the_old_file_and_a_temporary_that_is_never_read(two_node, tmp_path):
    path = tmp_path / "w.npz"
    save(two_node(), path)
    crash = f"""
import io, os
import nanonet
from nanonet import saving

class Crash(io.FileIO):
    def write(self, data):
        super().write(data[:len(data) // 2])
        self.flush()
        os._exit(3)  # the process dies halfway through the write

saving.os.fdopen = lambda fd, mode: Crash(fd, "wb")
nanonet.save(nanonet.Sequential(nanonet.Linear(9.0)), {str(path)!r})
"""
    result = subprocess.run([sys.executable, "-c", crash])
    assert result.returncode == 3
    leftovers = [name for name in os.listdir(tmp_path) if name != "w.npz"]
    assert (
        len(leftovers) == 1 and leftovers[0].startswith(".w.npz.") and leftovers[0].endswith(".tmp")
    )
    model = two_node(0.0, 0.0, 0.0)
    load(model, path)
    assert weights(model) == [2.0, 1.0, 0.5]
    with pytest.raises(ValueError, match="cannot load weights from"):
        load(model, tmp_path / leftovers[0])
    assert weights(model) == [2.0, 1.0, 0.5]


def test_save_into_a_missing_folder_names_the_target_and_the_folder(two_node, tmp_path):
    path = tmp_path / "missing-folder" / "w.npz"
    with pytest.raises(FileNotFoundError) as info:
        save(two_node(), path)
    assert str(info.value) == (
        f"cannot save weights to {str(path)!r}: "
        f"the folder {str(tmp_path / 'missing-folder')!r} does not exist"
    )
    assert os.listdir(tmp_path) == []


# -- files that must be refused --------------------------------------------------


def npz_bytes(**arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def good_bytes():
    buffer = io.BytesIO()
    arrays = {"0.weight": np.array(5.0), "2.weight": np.array(5.0), "4.weight": np.array(5.0)}
    np.savez(buffer, __nanonet_format__=np.array(1), **arrays)
    return buffer.getvalue()


def junk_files():
    """(name, content, what the error says): every kind of file load must refuse."""
    good = good_bytes()
    files = [
        ("empty", b"", "not an .npz archive"),
        ("text", b"these are not weights\n", "not an .npz archive"),
        ("random", np.random.default_rng(0).bytes(2000), "not an .npz archive"),
        ("npy", b"\x93NUMPY\x01\x00" + b"\x00" * 100, "single .npy array"),
        (
            "pickle",
            npz_bytes(
                __nanonet_format__=np.array(1), **{"0.weight": np.array([{"x": 1}], dtype=object)}
            ),
            "pickled Python objects",
        ),
        ("plain pickle", b"\x80\x04\x95" + b"\x00" * 50, "not an .npz archive"),
        ("no version", npz_bytes(**{"0.weight": np.array(1.0)}), "not a nanonet weights file"),
        (
            "bad version",
            npz_bytes(__nanonet_format__=np.array("1"), **{"0.weight": np.array(1.0)}),
            "not a nanonet weights file",
        ),
        (
            "future",
            npz_bytes(__nanonet_format__=np.array(3), **{"0.weight": np.array(1.0)}),
            "format 3 by a newer",
        ),
        (
            "other model",
            npz_bytes(__nanonet_format__=np.array(1), **{"0.weight": np.array(1.0)}),
            "do not fit",
        ),
        (
            "wrong shape",
            npz_bytes(
                __nanonet_format__=np.array(1),
                **{"0.weight": np.ones(2), "2.weight": np.array(1.0), "4.weight": np.array(1.0)},
            ),
            "expected shape",
        ),
        (
            "nan",
            npz_bytes(
                __nanonet_format__=np.array(1),
                **{
                    "0.weight": np.array(np.nan),
                    "2.weight": np.array(1.0),
                    "4.weight": np.array(1.0),
                },
            ),
            "must be finite",
        ),
        (
            "strings",
            npz_bytes(
                __nanonet_format__=np.array(1),
                **{"0.weight": np.array("a"), "2.weight": np.array(1.0), "4.weight": np.array(1.0)},
            ),
            "real number",
        ),
    ]
    zip_with_text = io.BytesIO()
    with zipfile.ZipFile(zip_with_text, "w") as archive:
        archive.writestr("0.weight", "not an array")
    files.append(("zip of text", zip_with_text.getvalue(), "not a numpy array"))
    for n in range(0, len(good), 7):
        # a zip file keeps its directory at its end, so any cut loses it; a cut
        # inside the 4 bytes every zip file starts with leaves no zip at all
        expected = "it is truncated or corrupt" if n >= 4 else "it is not an .npz archive"
        files.append((f"truncated at {n}", good[:n], expected))
    for position in range(0, len(good), 5):
        flipped = bytearray(good)
        flipped[position] ^= 0xFF
        files.append((f"byte {position} flipped", bytes(flipped), None))
    return files


JUNK = junk_files()


@pytest.mark.parametrize("name, content, expected", JUNK, ids=[name for name, _, _ in JUNK])
def test_load_refuses_junk_cleanly_and_keeps_the_model(two_node, tmp_path, name, content, expected):
    path = tmp_path / "weights.npz"  # the same name as a real weights file
    path.write_bytes(content)
    model = two_node()
    try:
        load(model, path)
    except ValueError as err:
        assert str(path) in str(err)
        if expected:
            assert expected in str(err)
        assert weights(model) == [2.0, 1.0, 0.5]
    else:  # only a byte flip in unused metadata may load, and then it loads the truth
        assert expected is None, f"{name} was loaded"
        assert weights(model) == [5.0, 5.0, 5.0]


def test_junk_temporaries_beside_the_file_are_ignored(two_node, tmp_path):
    path = tmp_path / "weights.npz"
    save(two_node(0.25, 0.5, 0.75), path)
    for i, (_, content, _) in enumerate(JUNK[:20]):
        (tmp_path / f".weights.npz.{i:08x}.tmp").write_bytes(content)
    model = two_node()
    load(model, path)
    assert weights(model) == [0.25, 0.5, 0.75]


def test_missing_file(two_node, tmp_path):
    model = two_node()
    with pytest.raises(FileNotFoundError, match="no file at"):
        load(model, tmp_path / "nothing.npz")
    assert weights(model) == [2.0, 1.0, 0.5]


@pytest.mark.posix
@pytest.mark.skipif(os.name != "posix", reason="Windows raises PermissionError for a folder")
def test_a_folder_instead_of_a_file(two_node, tmp_path):
    model = two_node()
    with pytest.raises(IsADirectoryError):
        load(model, tmp_path)
    assert weights(model) == [2.0, 1.0, 0.5]


def test_loading_never_unpickles(two_node, tmp_path, monkeypatch):
    import pickle

    def no_pickles(*args, **kwargs):
        raise AssertionError("pickle.load was called")

    monkeypatch.setattr(pickle, "load", no_pickles)
    monkeypatch.setattr(pickle, "loads", no_pickles)
    path = tmp_path / "weights.npz"
    path.write_bytes(JUNK[4][1])  # an object array inside
    with pytest.raises(ValueError, match="pickled"):
        load(two_node(), path)
    save(two_node(), path)
    load(two_node(), path)


@pytest.mark.parametrize("function", [save, load])
def test_save_and_load_need_a_layer(tmp_path, function):
    with pytest.raises(TypeError, match="needs a Layer"):
        function({"0.weight": 1.0}, tmp_path / "w.npz")
