"""load against hostile files: refused cleanly, and cheaply, whatever the file claims.

Each file is built here as an attacker would build it, with zipfile and
numpy's own ``.npy`` header writer. For each one, `load` must raise a
ValueError that names the file and the problem, leave the model exactly as
it was, and allocate little while doing so. tracemalloc counts what Python
and numpy allocate; the limits are far below what the files claim to hold,
and well above what loading an honest file of the same model costs.
"""

import io
import os
import stat
import tracemalloc
import zipfile

import numpy as np
import pytest

import nanonet
from nanonet import Dense, Linear, Sequential, Sigmoid, load, save

MiB = 1 << 20
ZEROS = bytes(MiB)
# What a refusal may allocate: far below what the files claim, and well above
# what loading an honest file costs (about 25 KB for `small`, 1.2 MB for `wide`).
SMALL_LIMIT = 512 * 1024
WIDE_LIMIT = 4 * MiB


# -- models ----------------------------------------------------------------------


def small():
    """The model of the issue: two weights, 16 bytes of state."""
    return Sequential(Linear(1.0), Sigmoid(), Linear(0.5))


def wide():
    """1000 weights: big enough that a file of a few MB may be honest for it."""
    return Sequential(*[Linear(float(i)) for i in range(1000)])


def same_state(a, b):
    """Whether two state dicts hold the same names and exactly the same values."""
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


# -- building files --------------------------------------------------------------


def npy_header(shape, descr="<f8", fortran_order=False, version=(1, 0)):
    """The bytes of a .npy header, written by numpy's own header writer."""
    buffer = io.BytesIO()
    header = {"descr": descr, "fortran_order": fortran_order, "shape": shape}
    if version == (1, 0):
        np.lib.format.write_array_header_1_0(buffer, header)
    else:
        np.lib.format.write_array_header_2_0(buffer, header)
    return buffer.getvalue()


def npy(array):
    """The bytes of a whole .npy file holding ``array``."""
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=False)
    return buffer.getvalue()


def zeros(nbytes):
    """``nbytes`` zero bytes, in chunks of at most 1 MiB (never all in memory)."""
    for start in range(0, nbytes, MiB):
        yield ZEROS[: min(MiB, nbytes - start)]


def honest_entries(model, skip=()):
    """The entries `save` would write for ``model``, minus the names in ``skip``."""
    entries = [("__nanonet_format__.npy", [npy(1)])]
    for name, value in model.state_dict().items():
        if name not in skip:
            entries.append((f"{name}.npy", [npy(value)]))
    return entries


def write_zip(path, entries, compression=zipfile.ZIP_DEFLATED):
    """Write ``entries``, (name in the zip, chunks of bytes) pairs, as a zip file at ``path``."""
    with zipfile.ZipFile(path, "w", compression, compresslevel=1) as archive:
        for name, chunks in entries:
            with archive.open(name, "w", force_zip64=True) as entry:
                for chunk in chunks:
                    entry.write(chunk)
    return path


def claimed_size(path):
    """What the entries of the zip file at ``path`` claim to hold, uncompressed, in bytes."""
    with zipfile.ZipFile(path) as archive:
        return sum(info.file_size for info in archive.infolist())


def refuse(model, path):
    """Load ``path`` into ``model``, which must refuse; return the error and the peak allocation.

    Also checks the promises every refusal keeps: a ValueError naming the
    file, and the model exactly as it was.
    """
    before = model.state_dict()
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as info:
            load(model, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(path) in str(info.value)
    assert same_state(model.state_dict(), before)
    return str(info.value), peak


# -- compression bombs and other files that claim far more than they hold -----------


def test_a_deflated_bomb_under_a_real_name_is_refused_from_its_header(tmp_path):
    bomb = 256 * MiB  # of zeros, about 1.2 MB deflated: a file size honest for the wide model
    path = write_zip(
        tmp_path / "w.npz",
        honest_entries(wide(), skip={"0.weight"})
        + [("0.weight.npy", [npy_header((bomb // 8,)), *zeros(bomb)])],
    )
    message, peak = refuse(wide(), path)
    assert message == (
        f"the weights in {str(path)!r} do not fit this model: cannot load the state dict "
        "into Sequential; 1 problem(s):\n  '0.weight': expected shape (), got (33554432,)"
    )
    assert claimed_size(path) > 64 * WIDE_LIMIT
    assert peak < WIDE_LIMIT


def test_a_deflated_bomb_under_an_unexpected_name_is_never_read(tmp_path):
    bomb = 256 * MiB
    path = write_zip(
        tmp_path / "w.npz",
        honest_entries(wide(), skip={"999.weight"})
        + [("extra.npy", [npy_header((bomb // 8,)), *zeros(bomb)])],
    )
    message, peak = refuse(wide(), path)
    assert message.endswith(
        "2 problem(s):\n  '999.weight': missing\n  'extra': unexpected (no such parameter)"
    )
    assert claimed_size(path) > 64 * WIDE_LIMIT
    assert peak < WIDE_LIMIT


def test_thousands_of_members_are_refused_from_the_directory(tmp_path):
    entries = honest_entries(wide()) + [
        (f"extra{i}.npy", [npy_header((8192,)), *zeros(64 * 1024)]) for i in range(5100)
    ]
    path = write_zip(tmp_path / "w.npz", entries)
    message, peak = refuse(wide(), path)
    assert message == (
        f"the weights in {str(path)!r} do not fit this model: the file holds 6101 arrays; "
        "a file for this model holds at most 5002 (its 1000 weights and buffers, the format "
        "version, a record, and 4000 arrays of optimizer state)"
    )
    assert claimed_size(path) > 30 * WIDE_LIMIT
    assert peak < WIDE_LIMIT


def test_a_file_too_large_for_the_model_is_refused_from_its_size(tmp_path):
    bomb = 256 * MiB
    path = write_zip(
        tmp_path / "w.npz", [("0.weight.npy", [npy_header((bomb // 8,)), *zeros(bomb)])]
    )
    size = os.path.getsize(path)
    message, peak = refuse(small(), path)
    assert message == (
        f"the weights in {str(path)!r} do not fit this model: the file is {size:,} bytes, "
        "more than a file for this model can be (75,624 bytes at most)"
    )
    assert peak < SMALL_LIMIT


def test_a_huge_file_is_never_read_whole(tmp_path):
    path = tmp_path / "w.npz"
    save(small(), path)
    with open(path, "r+b") as file:  # 256 MiB appended (sparse, where the disk allows)
        file.truncate(os.path.getsize(path) + 256 * MiB)
    size = os.path.getsize(path)
    message, peak = refuse(small(), path)
    assert message.endswith(
        f"the file is {size:,} bytes, more than a file for this model can be (75,624 bytes at most)"
    )
    assert peak < SMALL_LIMIT


def test_a_header_claiming_a_huge_shape_with_a_tiny_body(tmp_path):
    path = write_zip(
        tmp_path / "w.npz",
        honest_entries(small(), skip={"0.weight"})
        + [("0.weight.npy", [npy_header((2**40,)), ZEROS[:8]])],
    )
    message, peak = refuse(small(), path)
    assert message == (
        f"cannot load weights from {str(path)!r}: its entry '0.weight' is corrupt: its .npy "
        "header declares 8,796,093,022,208 bytes of data, its zip entry 8"
    )
    assert peak < SMALL_LIMIT


def test_a_member_whose_zip_size_disagrees_with_its_header(tmp_path):
    path = write_zip(
        tmp_path / "w.npz",
        honest_entries(small(), skip={"0.weight"})
        + [("0.weight.npy", [npy_header(()), ZEROS[:16]])],
    )
    message, peak = refuse(small(), path)
    assert message.endswith(
        "its entry '0.weight' is corrupt: "
        "its .npy header declares 8 bytes of data, its zip entry 16"
    )
    assert peak < SMALL_LIMIT


def test_a_truncated_member(tmp_path):
    path = tmp_path / "w.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, chunks in honest_entries(small(), skip={"0.weight"}):
            archive.writestr(name, b"".join(chunks))
        archive.writestr("0.weight.npy", npy_header(()) + ZEROS[:4])  # 4 of its 8 bytes
        archive.getinfo("0.weight.npy").file_size += 4  # the directory claims all 8
    message, peak = refuse(small(), path)
    assert message.endswith("its entry '0.weight' is truncated: it holds 4 of its 8 bytes of data")
    assert peak < SMALL_LIMIT


@pytest.mark.parametrize(
    "version, length", [((1, 0), 10_001), ((1, 0), 65_535), ((2, 0), 2**32 - 1)]
)
def test_a_header_longer_than_numpy_allows_is_never_read(tmp_path, version, length):
    magic = b"\x93NUMPY" + bytes(version)
    field = length.to_bytes(2 if version == (1, 0) else 4, "little")
    body = min(length, 256 * MiB)  # spaces, as numpy pads a header; they deflate as well as zeros
    spaces = (b" " * MiB for _ in range(body // MiB))
    path = write_zip(
        tmp_path / "w.npz",
        honest_entries(wide(), skip={"0.weight"})
        + [("0.weight.npy", [magic + field, b" " * (body % MiB), *spaces])],
    )
    message, peak = refuse(wide(), path)
    assert message.endswith(
        f"its entry '0.weight' declares a .npy header of {length:,} bytes, "
        "more than numpy's safe maximum of 10,000"
    )
    assert peak < WIDE_LIMIT


# -- limits no honest file reaches -------------------------------------------------


def entry_with(name, content, **settings):
    """An entry ``name`` holding ``content``, its directory record then given ``settings``."""
    return name, content, settings


def write_raw_zip(path, entries):
    """Write (name, bytes) or (name, bytes, settings) entries as a zip file, uncompressed.

    A ``compress_type`` setting compresses the entry so; the other settings
    are written into its record in the zip directory as they are.
    """
    with zipfile.ZipFile(path, "w") as archive:
        for name, content, *rest in entries:
            settings = dict(rest[0]) if rest else {}
            archive.writestr(name, content, compress_type=settings.pop("compress_type", None))
            for key, value in settings.items():
                setattr(archive.getinfo(name), key, value)
    return path


def honest_raw(model, skip=()):
    return [(name, b"".join(chunks)) for name, chunks in honest_entries(model, skip)]


def with_weight(entry):
    """The small model's honest entries, with ``entry`` in place of '0.weight'."""
    return honest_raw(small(), skip={"0.weight"}) + [entry]


LIMITS = {
    "more members than parameters": (
        honest_raw(small()) + [("extra.npy", npy(1.0))],
        "do not fit this model: cannot load the state dict into Sequential; 1 problem(s):\n"
        "  'extra': unexpected (no such parameter)",
    ),
    "a name twice": (
        honest_raw(small(), skip={"2.weight"}) + [("0.weight", npy(1.0))],
        "cannot load weights from {path}: its entry '0.weight' appears twice",
    ),
    "a folder": (
        with_weight(("0.weight/", b"")),
        "its entry '0.weight/' is not a plain file (a folder or a link)",
    ),
    "a symbolic link": (
        with_weight(
            entry_with("0.weight.npy", b"/etc/passwd", external_attr=(stat.S_IFLNK | 0o777) << 16)
        ),
        "its entry '0.weight.npy' is not a plain file (a folder or a link)",
    ),
    "encrypted": (
        with_weight(entry_with("0.weight.npy", npy(1.0), flag_bits=0x1)),
        "its entry '0.weight.npy' is encrypted",
    ),
    "bzip2": (
        with_weight(entry_with("0.weight.npy", npy(1.0), compress_type=zipfile.ZIP_BZIP2)),
        "its entry '0.weight.npy' is compressed with zip method 12; "
        "only stored and deflated entries are read",
    ),
    "npy format 3.0": (
        with_weight(("0.weight.npy", b"\x93NUMPY\x03\x00" + npy(1.0)[8:])),
        "its entry '0.weight' is a .npy array of format 3.0, which nanonet does not read",
    ),
    "corrupt header": (
        with_weight(("0.weight.npy", b"\x93NUMPY\x01\x00\x10\x00{'descr': <f8}  \n" + bytes(8))),
        "its entry '0.weight' has a corrupt .npy header",
    ),
    "negative shape": (
        with_weight(("0.weight.npy", npy_header((-1,)))),
        "its entry '0.weight' declares an impossible shape (-1,)",
    ),
    "object dtype": (
        with_weight(("0.weight.npy", npy_header((), descr="|O") + bytes(8))),
        "it holds pickled Python objects, which are never loaded",
    ),
    "int64 weights": (
        with_weight(("0.weight.npy", npy(np.int64(1)))),
        "'0.weight': expected real numbers (float64 or 32), got int64",
    ),
    "complex weights": (
        with_weight(("0.weight.npy", npy(np.complex128(1.0)))),
        "'0.weight': expected real numbers (float64 or 32), got complex128",
    ),
    "format entry not an integer": (
        [("__nanonet_format__.npy", npy(1.0))] + honest_raw(small())[1:],
        "it is not a nanonet weights file (no valid __nanonet_format__ entry)",
    ),
}


@pytest.mark.parametrize("name", LIMITS)
def test_limits_no_honest_file_reaches(tmp_path, name):
    entries, expected = LIMITS[name]
    if "bzip2" in name:
        pytest.importorskip("bz2")
    path = write_raw_zip(tmp_path / "w.npz", entries)
    message, peak = refuse(small(), path)
    assert expected.format(path=repr(str(path))) in message
    assert peak < SMALL_LIMIT


# -- what honest files may hold ------------------------------------------------------


def test_big_endian_weights_are_read_and_converted(tmp_path):
    weight = np.arange(6.0).reshape(2, 3) / 7
    bias = np.array([0.1, -0.2])
    path = write_raw_zip(
        tmp_path / "w.npz",
        [
            ("__nanonet_format__.npy", npy(np.array(1, dtype=">i8"))),
            ("weight.npy", npy(weight.astype(">f8"))),
            ("bias.npy", npy(bias.astype(">f8"))),
        ],
    )
    layer = Dense(3, 2, rng=0)
    load(layer, path)
    assert layer.weight.value.dtype == np.float64  # native byte order, as nanonet computes
    assert layer.weight.value.tobytes() == weight.tobytes()
    assert layer.bias.value.tobytes() == bias.tobytes()


def test_fortran_order_weights_are_read_into_the_parameters_c_ordered_array(tmp_path):
    weight = np.asfortranarray(np.arange(12.0).reshape(3, 4) / 7)  # as another program may write
    path = write_raw_zip(
        tmp_path / "w.npz",
        [
            ("__nanonet_format__.npy", npy(np.array(1, dtype="<i8"))),
            ("weight.npy", npy(weight)),
            ("bias.npy", npy(np.zeros(3))),
        ],
    )
    with zipfile.ZipFile(path) as archive:
        assert b"'fortran_order': True" in archive.read("weight.npy")
    layer = Dense(4, 3, rng=0)
    held = layer.weight.value
    load(layer, path)
    assert layer.weight.value is held and held.flags.c_contiguous  # loaded into its own array
    np.testing.assert_array_equal(held, weight)


def test_compressed_archives_load(tmp_path):
    model = Sequential(Dense(3, 4, rng=0), Sigmoid(), Dense(4, 2, rng=1))
    arrays = {name: np.asarray(value) for name, value in model.state_dict().items()}
    np.savez_compressed(tmp_path / "w.npz", __nanonet_format__=np.array(1), **arrays)
    other = Sequential(Dense(3, 4, rng=2), Sigmoid(), Dense(4, 2, rng=3))
    load(other, tmp_path / "w.npz")
    assert same_state(other.state_dict(), model.state_dict())


def test_models_with_thousands_of_parameters_round_trip_bit_exactly(tmp_path):
    rng = np.random.default_rng(0)
    layers = [Linear(float(w)) for w in rng.normal(size=2000)]  # 2000 parameters
    layers += [Dense(64, 64, rng=1), Sigmoid(), Dense(64, 8, rng=2)]  # 64x64 weights
    model = Sequential(*layers)
    save(model, tmp_path / "w.npz")
    other = Sequential(
        *[Linear(0.0) for _ in range(2000)], Dense(64, 64, rng=0), Sigmoid(), Dense(64, 8, rng=0)
    )
    load(other, tmp_path / "w.npz")
    before, after = model.state_dict(), other.state_dict()
    assert len(after) == 2004
    assert all(np.asarray(after[k]).tobytes() == np.asarray(before[k]).tobytes() for k in before)


def test_unusual_but_honest_models_round_trip(tmp_path):
    class Odd(nanonet.Layer):
        def __init__(self, value):
            self.a_parameter_with_a_rather_long_name_that_still_fits_in_the_limits = (
                nanonet.Parameter(value)
            )
            self.many_dimensions = nanonet.Parameter(np.full((1,) * 32, value))
            self.empty = nanonet.Parameter(np.zeros((0, 3)))

    save(Odd(0.25), tmp_path / "w.npz")
    other = Odd(1.0)
    load(other, tmp_path / "w.npz")
    assert same_state(other.state_dict(), Odd(0.25).state_dict())


def test_an_honest_file_costs_about_its_weights(tmp_path):
    layer = Dense(256, 256, rng=0)  # 512 KiB of weights
    save(layer, tmp_path / "w.npz")
    other = Dense(256, 256, rng=1)
    tracemalloc.start()
    try:
        load(other, tmp_path / "w.npz")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert other.weight.value.tobytes() == layer.weight.value.tobytes()
    assert peak < 3 * 512 * 1024 + 256 * 1024  # the bytes read, and the Parameter's own copy
