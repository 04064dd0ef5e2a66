"""The ``.npz`` archive under `nanonet.save` and `nanonet.load`: written atomically, read safely.

`read` decides from the small parts of a file before it reads any data: the
file's size, the archive's list of entries, and each array's ``.npy``
header (its name, dtype and shape) are checked against what the caller
expects, and only then are the arrays read, each exactly to the size its
header declares. A file that claims gigabytes (a zip file compresses zeros a
thousand to one) costs about as much memory as the arrays expected, to load
or to refuse. It never unpickles: object arrays are refused, never read.
"""

from __future__ import annotations

import io
import math
import os
import stat
import zipfile
import zlib
from collections.abc import Callable
from typing import BinaryIO, NamedTuple

import numpy as np

FORMAT_KEY = "__nanonet_format__"
RECORD_KEY = "__nanonet_checkpoint__"  # the checkpoint's record: JSON text, as bytes
_ZIP_START = b"PK\x03\x04"  # how every .npz archive (a zip file) begins
_NPY_START = b"\x93NUMPY"  # how a single-array .npy file begins
_FLOAT64 = (np.dtype("<f8"), np.dtype(">f8"))  # arrays, in either byte order
_FLOAT32 = (np.dtype("<f4"), np.dtype(">f4"))  # a float32 model's
_MAX_HEADER_SIZE = 10_000  # numpy's own safe maximum for a .npy header
_ROOM_PER_ENTRY = 4096  # bytes of zip and .npy headers around an array; save writes ~230
_ROOM_PER_FILE = 4096  # bytes of the zip's closing records; save writes 22
_ZIP_ENCRYPTED = 0x1  # the zip flag bit of an encrypted entry
# What zipfile raises on a damaged archive, from its directory to a bad checksum.
DAMAGED = (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError, UnicodeDecodeError)


class Refusal(Exception):
    """Why a file cannot be loaded, in the user's terms; `load` adds the file's name."""


class Misfit(Refusal):
    """The file is sound, but holds arrays for another model."""


class Expected(NamedTuple):
    """What a file may hold, for `read`: decided before any data is read.

    Attributes:
        arrays: The arrays it must hold, by name: their shapes.
        extra: For any other name, the shape an array of that name may have
            (an optimizer's state), or None: no such array.
        most_extra: How many such other arrays it may hold at most.
        numbers: How many numbers the extra arrays may hold in all, at most.
        record_size: How many bytes the record (JSON) may have, at most.
        owner: The model's class name, for messages.
    """

    arrays: dict[str, tuple[int, ...]]
    extra: Callable[[str], tuple[int, ...] | None]
    most_extra: int
    numbers: int
    record_size: int
    owner: str


class _Header(NamedTuple):
    """What the ``.npy`` header at the start of an entry declares."""

    dtype: np.dtype
    shape: tuple[int, ...]
    fortran_order: bool
    size: int  # the header's own length in bytes: the array's data starts there


def read(file: BinaryIO, expected: Expected, newest: int) -> tuple[int, dict[str, np.ndarray]]:
    """Check the archive in ``file`` against ``expected``, then read its arrays.

    Each step reads a little more of the file, and only if the steps before
    it passed, so a refused file costs little, whatever it claims.

    Returns:
        The format version and the arrays by name (the record, if any, as
            an array of bytes).

    Raises:
        Refusal: Misfit when the file holds arrays for another model.
        zipfile.BadZipFile: And the other errors of `DAMAGED`.
    """
    _check_start(file)
    file_size = os.fstat(file.fileno()).st_size
    _check_file_size(file_size, expected)
    with zipfile.ZipFile(file) as archive:  # reads the list of entries, nothing else
        entries = _check_entries(archive, expected, file_size)
        headers = {name: _read_header(archive, info, name) for name, info in entries.items()}
        version = _check_format(archive, entries, headers, newest)
        _check_fit(headers, expected)
        names = [name for name in headers if name != FORMAT_KEY]
        return version, {name: _read_array(archive, entries[name], headers[name]) for name in names}


def write(path: str, arrays: dict[str, np.ndarray], what: str) -> None:
    """Write ``arrays`` to ``path`` as an ``.npz`` archive, atomically.

    The archive is written to ``.<name>.<random>.tmp`` in the same folder,
    flushed to disk, and only then renamed over ``path``: a crash, a full disk
    or an exception at any moment leaves either the previous file or the new
    one at ``path``, never a truncated mix, and removes the temporary file
    when it can. Each array is a ``<name>.npy`` entry, stored, written here
    rather than by ``np.savez`` so that a parameter may be called ``file``
    or ``allow_pickle`` (names ``np.savez`` keeps for itself).
    """
    folder, name = os.path.split(os.path.abspath(path))
    try:
        temporary, descriptor = _create_temporary_file(folder, name)
    except FileNotFoundError:  # os.open names the temporary file: say what went wrong
        raise FileNotFoundError(
            f"cannot save {what} to {path!r}: "
            f"the folder {os.path.dirname(path) or os.curdir!r} does not exist"
        ) from None
    try:
        with os.fdopen(descriptor, "wb") as file:
            with zipfile.ZipFile(file, "w", zipfile.ZIP_STORED) as archive:
                for entry_name, array in arrays.items():
                    with archive.open(f"{entry_name}.npy", "w", force_zip64=True) as entry:
                        np.lib.format.write_array(entry, array, allow_pickle=False)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        _remove_quietly(temporary)
        raise
    _sync_folder(folder)


# -- reading, step by step ---------------------------------------------------------


def _check_start(file: BinaryIO) -> None:
    """Refuse a file that does not begin like an ``.npz`` archive."""
    start = file.read(len(_NPY_START))
    file.seek(0)
    if start.startswith(_NPY_START):
        raise Refusal("it is a single .npy array, not an .npz archive")
    if not start.startswith(_ZIP_START):
        raise Refusal("it is not an .npz archive (it does not start like a zip file)")


def _check_file_size(file_size: int, expected: Expected) -> None:
    """Refuse a file larger than any file of what is expected can be.

    Such a file holds 8 bytes per number, and around each array its name
    (twice, in at most 4 bytes a character) and a few headers. Everything
    read later lies inside the file, so this bounds it all: the list of
    entries, and any amount of compressed data.
    """
    names = [*expected.arrays, FORMAT_KEY]
    numbers = sum(math.prod(shape) for shape in expected.arrays.values()) + expected.numbers + 1
    largest = 8 * numbers + sum(_ROOM_PER_ENTRY + 2 * 4 * len(name) for name in names)
    largest += expected.most_extra * (_ROOM_PER_ENTRY + 2 * 4 * 200)  # names of up to 200
    largest += _ROOM_PER_ENTRY + expected.record_size + _ROOM_PER_FILE
    if file_size > largest:
        raise Misfit(
            f"the file is {file_size:,} bytes, more than a file for this model can be "
            f"({largest:,} bytes at most)"
        )


def _check_entries(
    archive: zipfile.ZipFile, expected: Expected, file_size: int
) -> dict[str, zipfile.ZipInfo]:
    """Check the archive's list of entries; return them by array name (without ``.npy``).

    Nothing of the entries themselves is read yet.
    """
    infos = archive.infolist()
    most = len(expected.arrays) + 2 + expected.most_extra
    if len(infos) > most:
        raise Misfit(
            f"the file holds {len(infos)} arrays; a file for this model holds at most {most} "
            f"(its {len(expected.arrays)} weights and buffers, the format version, a record, "
            f"and {expected.most_extra} arrays of optimizer state)"
        )
    entries = {}
    for info in infos:
        name = info.filename.removesuffix(".npy")  # as np.load names them
        if name in entries:
            raise Refusal(f"its entry {name!r} appears twice")
        folder = info.filename.endswith("/")  # (ZipInfo.is_dir fails on an empty name)
        if folder or stat.S_IFMT(info.external_attr >> 16) not in (0, stat.S_IFREG):
            raise Refusal(f"its entry {info.filename!r} is not a plain file (a folder or a link)")
        if info.flag_bits & _ZIP_ENCRYPTED:
            raise Refusal(f"its entry {info.filename!r} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # zipfile can stop deflate at any size; other methods it expands without limit
            raise Refusal(
                f"its entry {info.filename!r} is compressed with zip method "
                f"{info.compress_type}; only stored and deflated entries are read"
            )
        if info.header_offset < 0 or info.header_offset + info.compress_size > file_size:
            raise Refusal(f"it is truncated or corrupt (its entry {name!r} lies outside the file)")
        entries[name] = info
    return entries


def _read_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> _Header:
    """Read and check the ``.npy`` header at the start of an entry, and nothing after it.

    numpy reads a header of whatever length the file declares before it
    checks that length, so the length is checked here first.
    """
    with archive.open(info) as entry:
        try:
            version = np.lib.format.read_magic(entry)
        except ValueError:  # shorter than the magic string, or another one
            raise Refusal(f"its entry {name!r} is not a numpy array") from None
        if version not in ((1, 0), (2, 0)):
            raise Refusal(
                f"its entry {name!r} is a .npy array of format {version[0]}.{version[1]}, "
                "which nanonet does not read"
            )
        length_field = entry.read(2 if version == (1, 0) else 4)
        length = int.from_bytes(length_field, "little")
        if length > _MAX_HEADER_SIZE:
            raise Refusal(
                f"its entry {name!r} declares a .npy header of {length:,} bytes, "
                f"more than numpy's safe maximum of {_MAX_HEADER_SIZE:,}"
            )
        header = io.BytesIO(length_field + entry.read(length))
    if version == (1, 0):
        read_header = np.lib.format.read_array_header_1_0
    else:
        read_header = np.lib.format.read_array_header_2_0
    try:
        shape, fortran_order, dtype = read_header(header, max_header_size=_MAX_HEADER_SIZE)
    except Exception:  # numpy parses the header with ast.literal_eval: it fails in many ways
        raise Refusal(f"its entry {name!r} has a corrupt .npy header") from None
    if dtype.hasobject:
        raise Refusal("it holds pickled Python objects, which are never loaded")
    if not all(type(n) is int and n >= 0 for n in shape):
        raise Refusal(f"its entry {name!r} declares an impossible shape {shape}")
    size = np.lib.format.MAGIC_LEN + len(length_field) + length
    data_size = math.prod(shape) * dtype.itemsize
    if info.file_size != size + data_size:
        raise Refusal(
            f"its entry {name!r} is corrupt: its .npy header declares {data_size:,} bytes "
            f"of data, its zip entry {info.file_size - size:,}"
        )
    return _Header(dtype, shape, fortran_order, size)


def _check_format(
    archive: zipfile.ZipFile,
    entries: dict[str, zipfile.ZipInfo],
    headers: dict[str, _Header],
    newest: int,
) -> int:
    """Check the format entry: present, a single integer, a version this nanonet reads."""
    header = headers.get(FORMAT_KEY)
    if header is None or header.shape != () or header.dtype.kind not in "iu":
        raise Refusal(f"it is not a nanonet weights file (no valid {FORMAT_KEY} entry)")
    version = int(_read_array(archive, entries[FORMAT_KEY], header))
    if version > newest:
        raise Refusal(
            f"it was written in format {version} by a newer nanonet; "
            f"this version reads format {newest}"
        )
    return version


def _check_fit(headers: dict[str, _Header], expected: Expected) -> None:
    """Check the arrays' names, dtypes and shapes against what is expected.

    The message reads like `Layer.load_state_dict`'s, which checks the values
    once they are read.
    """
    problems = [f"{name!r}: missing" for name in expected.arrays if name not in headers]
    for name, header in headers.items():
        if name == FORMAT_KEY:
            continue
        if name == RECORD_KEY:
            if header.dtype != np.uint8 or len(header.shape) != 1:
                problems.append(f"{name!r}: expected the record's bytes, got {header.dtype}")
            elif header.shape[0] > expected.record_size:
                problems.append(f"{name!r}: {header.shape[0]:,} bytes, more than a record holds")
            continue
        shape = expected.arrays.get(name, expected.extra(name))
        if shape is None:
            problems.append(f"{name!r}: unexpected (no such parameter)")
        elif header.dtype not in _FLOAT64 + _FLOAT32:
            problems.append(f"{name!r}: expected real numbers (float64 or 32), got {header.dtype}")
        elif header.shape != shape:
            problems.append(f"{name!r}: expected shape {shape}, got {header.shape}")
    if problems:
        shown = problems[:10] + ([f"... and {len(problems) - 10} more"] if problems[10:] else [])
        raise Misfit(
            f"cannot load the state dict into {expected.owner}; "
            f"{len(problems)} problem(s):\n  " + "\n  ".join(shown)
        )


def _read_array(archive: zipfile.ZipFile, info: zipfile.ZipInfo, header: _Header) -> np.ndarray:
    """Read the array of an entry whose header passed: exactly the bytes it declares.

    zipfile never returns more than the entry's size in the directory, which
    `_read_header` checked is the header's size plus the data it declares.
    """
    data_size = info.file_size - header.size
    with archive.open(info) as entry:
        entry.read(header.size)  # the header, already checked
        data = entry.read(data_size)
    if len(data) != data_size:
        name = info.filename.removesuffix(".npy")
        raise Refusal(
            f"its entry {name!r} is truncated: it holds {len(data):,} of its "
            f"{data_size:,} bytes of data"
        )
    array = np.frombuffer(data, dtype=header.dtype)
    return array.reshape(header.shape, order="F" if header.fortran_order else "C")


# -- writing -------------------------------------------------------------------------


def _create_temporary_file(folder: str, name: str) -> tuple[str, int]:
    """Create ``.<name>.<random>.tmp`` in ``folder``, exclusively; return its path and descriptor.

    Opened with mode 0o666, so the usual umask applies, as for any new file.
    """
    while True:
        temporary = os.path.join(folder, f".{name}.{os.urandom(4).hex()}.tmp")
        try:
            return temporary, os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:  # a one-in-four-billion clash: pick another name
            continue


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def _sync_folder(folder: str) -> None:
    """Flush the rename to disk (POSIX); where folders cannot be opened, skip it."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
