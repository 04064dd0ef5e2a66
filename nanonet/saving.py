"""save and load: a model's weights in a ``.npz`` file, written atomically, read safely."""

from __future__ import annotations

import io
import math
import os
import stat
import zipfile
import zlib
from typing import BinaryIO, NamedTuple

import numpy as np

from ._checks import as_path
from .layer import Layer
from .parameter import Parameter

#: The version of the file layout that `save` writes and `load` reads.
FORMAT_VERSION = 1
_FORMAT_KEY = "__nanonet_format__"
_ZIP_START = b"PK\x03\x04"  # how every .npz archive (a zip file) begins
_NPY_START = b"\x93NUMPY"  # how a single-array .npy file begins

# What `load` accepts. Files that `save` writes stay far inside these limits.
_FLOAT64 = (np.dtype("<f8"), np.dtype(">f8"))  # weights, in either byte order
_MAX_HEADER_SIZE = 10_000  # numpy's own safe maximum for a .npy header
_ROOM_PER_ENTRY = 4096  # bytes of zip and .npy headers around an array; save writes ~230
_ROOM_PER_FILE = 4096  # bytes of the zip's closing records; save writes 22
_ZIP_ENCRYPTED = 0x1  # the zip flag bit of an encrypted entry
# What zipfile raises on a damaged archive, from its directory to a bad checksum.
_DAMAGED_ZIP = (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError, UnicodeDecodeError)


def save(model: Layer, path: str | os.PathLike) -> None:
    """Save ``model``'s weights to ``path`` as a ``.npz`` file, atomically.

    The file is a standard numpy ``.npz`` archive: one array per parameter,
    under its name from `Layer.state_dict` (a scalar weight is a 0-d
    array), plus ``__nanonet_format__``, the format version.

    The write is atomic: the archive is written to a temporary file in the
    same folder (named ``.<name>.<random>.tmp``), flushed to disk, and only
    then renamed over ``path``. A crash, a full disk or an exception at any
    moment leaves either the previous file or the new one at ``path``, never
    a truncated mix, and removes the temporary file when it can. Weights
    round-trip bit for bit.

    Args:
        model: The layer (usually a Sequential) whose weights to save.
        path: Where to write. The name is used as given (no suffix is
            added); ``.npz`` is the convention.

    Raises:
        TypeError: If ``model`` is not a Layer, or ``path`` is not a path.
        FileNotFoundError: If the folder ``path`` names does not exist.
        OSError: If the file cannot be written; ``path`` is then unchanged.

    Examples:
        >>> import tempfile, pathlib
        >>> from nanonet import Linear, Sequential, Sigmoid
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "weights.npz"
        >>> save(Sequential(Linear(2.0), Sigmoid(), Linear(0.5)), path)
        >>> model = Sequential(Linear(0.0), Sigmoid(), Linear(0.0))
        >>> load(model, path)
        >>> model.state_dict()
        {'0.weight': 2.0, '2.weight': 0.5}
    """
    if not isinstance(model, Layer):
        raise TypeError(f"save needs a Layer, got {type(model).__name__}")
    arrays = {name: np.asarray(value) for name, value in model.state_dict().items()}
    arrays[_FORMAT_KEY] = np.array(FORMAT_VERSION)
    path = as_path(path)
    folder, name = os.path.split(os.path.abspath(path))
    try:
        temporary, descriptor = _create_temporary_file(folder, name)
    except FileNotFoundError:  # os.open names the temporary file: say what went wrong
        raise FileNotFoundError(
            f"cannot save weights to {path!r}: "
            f"the folder {os.path.dirname(path) or os.curdir!r} does not exist"
        ) from None
    try:
        with os.fdopen(descriptor, "wb") as file:
            _write_archive(file, arrays)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        _remove_quietly(temporary)
        raise
    _sync_folder(folder)


def load(model: Layer, path: str | os.PathLike) -> None:
    """Load weights saved by `save` from ``path`` into ``model``.

    Everything is checked before any weight is set. If the file is missing,
    is not an ``.npz`` archive, is truncated or corrupt, holds pickled
    objects, was written by a newer nanonet, or holds weights for a
    different architecture, the error names the file and the problem, and
    ``model`` is left exactly as it was.

    Loading is safe against hostile files, not only broken ones. It never
    runs code from the file: pickled objects are refused, never unpickled.
    And it decides from the small parts of the file, before reading any
    weights: the file's size, the archive's list of entries, and each
    array's ``.npy`` header (its name, dtype and shape) are checked against
    the model first. Only then are the weights read, each exactly to the
    size its header declares. So a file that claims gigabytes (a zip file
    compresses zeros a thousand to one) takes about as much memory as the
    model's own weights, plus a small constant, to load or to refuse.

    Weights must be float64, in either byte order (big-endian ones are
    converted) and in C or Fortran order; archives may be deflated, as
    ``np.savez_compressed`` writes them. What no weights file for the model
    holds is refused: a file larger than its weights need (with ample room
    for the archive's own headers), more arrays than the model has
    parameters (plus the format entry), a name twice, entries that are not
    plain files (folders, links, encrypted entries, or compression other
    than deflate), and ``.npy`` headers longer than numpy's own safe
    maximum of 10,000 bytes.

    Args:
        model: A layer of the same architecture as the one saved.
        path: The file `save` wrote.

    Raises:
        TypeError: If ``model`` is not a Layer, or ``path`` is not a path.
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
        >>> layer
        Linear(weight=0.25)
        >>> load(layer, path.with_name("nothing.npz"))
        Traceback (most recent call last):
            ...
        FileNotFoundError: cannot load weights: no file at '...nothing.npz'
    """
    if not isinstance(model, Layer):
        raise TypeError(f"load needs a Layer, got {type(model).__name__}")
    path = as_path(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"cannot load weights: no file at {path!r}")
    state = _read_state(path, model)
    try:
        model.load_state_dict(state)  # checks the values: finite numbers
    except ValueError as err:
        raise ValueError(f"the weights in {path!r} do not fit this model: {err}") from None


# -- reading: decide from the directory and the headers, then read what passed ---


class _Refusal(Exception):
    """Why a file cannot be loaded, in the user's terms; `load` adds the file's name."""


class _Misfit(_Refusal):
    """The file is sound, but holds weights for another architecture."""


class _Header(NamedTuple):
    """What the ``.npy`` header at the start of an entry declares."""

    dtype: np.dtype
    shape: tuple[int, ...]
    fortran_order: bool
    size: int  # the header's own length in bytes: the array's data starts there


def _read_state(path: str, model: Layer) -> dict[str, np.ndarray]:
    """Read the weights for ``model`` from the archive at ``path``, or raise ValueError."""
    try:
        with open(path, "rb") as file:  # I/O errors stay OSErrors
            return _read_weights(file, model)
    except _Misfit as err:
        raise ValueError(f"the weights in {path!r} do not fit this model: {err}") from None
    except _Refusal as err:
        raise ValueError(f"cannot load weights from {path!r}: {err}") from None
    except _DAMAGED_ZIP as err:
        raise ValueError(
            f"cannot load weights from {path!r}: it is truncated or corrupt "
            f"({type(err).__name__}: {err})"
        ) from None


def _read_weights(file: BinaryIO, model: Layer) -> dict[str, np.ndarray]:
    """Check the file, then read its weights for ``model``: the steps of `load`.

    Each step reads a little more of the file, and only if the steps before
    it passed, so a refused file costs little, whatever it claims.
    """
    parameters = dict(model.named_parameters())
    _check_start(file)
    file_size = os.fstat(file.fileno()).st_size
    _check_file_size(file_size, parameters)
    with zipfile.ZipFile(file) as archive:  # reads the list of entries, nothing else
        entries = _check_entries(archive, parameters, file_size)
        headers = {name: _read_header(archive, info, name) for name, info in entries.items()}
        _check_format(archive, entries, headers)
        _check_fit(headers, parameters, model)
        return {name: _read_array(archive, entries[name], headers[name]) for name in parameters}


def _check_start(file: BinaryIO) -> None:
    """Refuse a file that does not begin like an ``.npz`` archive."""
    start = file.read(len(_NPY_START))
    file.seek(0)
    if start.startswith(_NPY_START):
        raise _Refusal("it is a single .npy array, not an .npz archive")
    if not start.startswith(_ZIP_START):
        raise _Refusal("it is not an .npz archive (it does not start like a zip file)")


def _check_file_size(file_size: int, parameters: dict[str, Parameter]) -> None:
    """Refuse a file larger than any weights file for these parameters can be.

    Such a file holds 8 bytes per number, and around each array its name
    (twice, in at most 4 bytes a character) and a few headers. Everything
    read later lies inside the file, so this bounds it all: the list of
    entries, and any amount of compressed data.
    """
    names = [*parameters, _FORMAT_KEY]
    numbers = sum(np.size(parameter.value) for parameter in parameters.values()) + 1
    largest = 8 * numbers + sum(_ROOM_PER_ENTRY + 2 * 4 * len(name) for name in names)
    largest += _ROOM_PER_FILE
    if file_size > largest:
        raise _Misfit(
            f"the file is {file_size:,} bytes, more than a weights file for this model "
            f"can be ({largest:,} bytes at most)"
        )


def _check_entries(
    archive: zipfile.ZipFile, parameters: dict[str, Parameter], file_size: int
) -> dict[str, zipfile.ZipInfo]:
    """Check the archive's list of entries; return them by array name (without ``.npy``).

    Nothing of the entries themselves is read yet.
    """
    infos = archive.infolist()
    if len(infos) > len(parameters) + 1:
        raise _Misfit(
            f"the file holds {len(infos)} arrays; a weights file for this model holds "
            f"{len(parameters) + 1} (its {len(parameters)} parameters and the format version)"
        )
    entries = {}
    for info in infos:
        name = info.filename.removesuffix(".npy")  # as np.load names them
        if name in entries:
            raise _Refusal(f"its entry {name!r} appears twice")
        folder = info.filename.endswith("/")  # (ZipInfo.is_dir fails on an empty name)
        if folder or stat.S_IFMT(info.external_attr >> 16) not in (0, stat.S_IFREG):
            raise _Refusal(f"its entry {info.filename!r} is not a plain file (a folder or a link)")
        if info.flag_bits & _ZIP_ENCRYPTED:
            raise _Refusal(f"its entry {info.filename!r} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # zipfile can stop deflate at any size; other methods it expands without limit
            raise _Refusal(
                f"its entry {info.filename!r} is compressed with zip method "
                f"{info.compress_type}; only stored and deflated entries are read"
            )
        if info.header_offset < 0 or info.header_offset + info.compress_size > file_size:
            raise _Refusal(f"it is truncated or corrupt (its entry {name!r} lies outside the file)")
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
            raise _Refusal(f"its entry {name!r} is not a numpy array") from None
        if version not in ((1, 0), (2, 0)):
            raise _Refusal(
                f"its entry {name!r} is a .npy array of format {version[0]}.{version[1]}, "
                "which nanonet does not read"
            )
        length_field = entry.read(2 if version == (1, 0) else 4)
        length = int.from_bytes(length_field, "little")
        if length > _MAX_HEADER_SIZE:
            raise _Refusal(
                f"its entry {name!r} declares a .npy header of {length:,} bytes, "
                f"more than numpy's safe maximum of {_MAX_HEADER_SIZE:,}"
            )
        header = io.BytesIO(length_field + entry.read(length))
    if version == (1, 0):
        read = np.lib.format.read_array_header_1_0
    else:
        read = np.lib.format.read_array_header_2_0
    try:
        shape, fortran_order, dtype = read(header, max_header_size=_MAX_HEADER_SIZE)
    except Exception:  # numpy parses the header with ast.literal_eval: it fails in many ways
        raise _Refusal(f"its entry {name!r} has a corrupt .npy header") from None
    if dtype.hasobject:
        raise _Refusal("it holds pickled Python objects, which are never loaded")
    if not all(type(n) is int and n >= 0 for n in shape):
        raise _Refusal(f"its entry {name!r} declares an impossible shape {shape}")
    size = np.lib.format.MAGIC_LEN + len(length_field) + length
    data_size = math.prod(shape) * dtype.itemsize
    if info.file_size != size + data_size:
        raise _Refusal(
            f"its entry {name!r} is corrupt: its .npy header declares {data_size:,} bytes "
            f"of data, its zip entry {info.file_size - size:,}"
        )
    return _Header(dtype, shape, fortran_order, size)


def _check_format(
    archive: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo], headers: dict[str, _Header]
) -> None:
    """Check the format entry: present, a single integer, and a version this nanonet reads."""
    header = headers.get(_FORMAT_KEY)
    if header is None or header.shape != () or header.dtype.kind not in "iu":
        raise _Refusal(f"it is not a nanonet weights file (no valid {_FORMAT_KEY} entry)")
    version = int(_read_array(archive, entries[_FORMAT_KEY], header))
    if version > FORMAT_VERSION:
        raise _Refusal(
            f"it was written in format {version} by a newer nanonet; "
            f"this version reads format {FORMAT_VERSION}"
        )


def _check_fit(headers: dict[str, _Header], parameters: dict[str, Parameter], model: Layer) -> None:
    """Check the arrays' names, dtypes and shapes against the model's parameters.

    The message reads like `Layer.load_state_dict`'s, which checks the values
    once they are read.
    """
    problems = [f"{name!r}: missing" for name in parameters if name not in headers]
    problems += [
        f"{name!r}: unexpected (no such parameter)"
        for name in headers
        if name not in parameters and name != _FORMAT_KEY
    ]
    for name, parameter in parameters.items():
        header = headers.get(name)
        if header is None:
            continue
        if header.dtype not in _FLOAT64:
            problems.append(f"{name!r}: expected real numbers as float64, got {header.dtype}")
        elif header.shape != parameter.shape:
            problems.append(f"{name!r}: expected shape {parameter.shape}, got {header.shape}")
    if problems:
        raise _Misfit(
            f"cannot load the state dict into {type(model).__name__}; "
            f"{len(problems)} problem(s):\n  " + "\n  ".join(problems)
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
        raise _Refusal(
            f"its entry {name!r} is truncated: it holds {len(data):,} of its "
            f"{data_size:,} bytes of data"
        )
    array = np.frombuffer(data, dtype=header.dtype)
    return array.reshape(header.shape, order="F" if header.fortran_order else "C")


# -- writing ---------------------------------------------------------------------


def _write_archive(file: BinaryIO, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` to ``file`` as an ``.npz`` archive, exactly as ``np.savez`` does.

    Each array is a ``<name>.npy`` entry, stored uncompressed. Written here
    rather than by ``np.savez(file, **arrays)`` so that a parameter may be
    called ``file`` or ``allow_pickle`` (names ``np.savez`` keeps for itself).
    """
    with zipfile.ZipFile(file, "w", zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as entry:
                np.lib.format.write_array(entry, array, allow_pickle=False)


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
