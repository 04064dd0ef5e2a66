"""save and load: a model's weights in a ``.npz`` file, written atomically, read safely."""

from __future__ import annotations

import io
import os
import zipfile
from typing import BinaryIO

import numpy as np

from .layer import Layer

#: The version of the file layout that `save` writes and `load` reads.
FORMAT_VERSION = 1
_FORMAT_KEY = "__nanonet_format__"
_ZIP_START = b"PK\x03\x04"  # how every .npz archive (a zip file) begins
_NPY_START = b"\x93NUMPY"  # how a single-array .npy file begins


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
    path = _as_path(path)
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

    The file is read with numpy's pickle support off, so loading never runs
    code from the file. Everything is checked before any weight is set: if
    the file is missing, is not an ``.npz`` archive, is truncated or
    corrupt, holds pickled objects, was written by a newer nanonet, or holds
    weights for a different architecture, the error names the file and the
    problem, and ``model`` is left exactly as it was.

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
    path = _as_path(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"cannot load weights: no file at {path!r}")
    state = _read_state(path)
    try:
        model.load_state_dict(state)
    except ValueError as err:
        raise ValueError(f"the weights in {path!r} do not fit this model: {err}") from None


def _read_state(path: str) -> dict[str, np.ndarray]:
    """Read every array of the archive at ``path`` (never a pickle) and check the format."""

    def problem(text: str) -> ValueError:
        return ValueError(f"cannot load weights from {path!r}: {text}")

    with open(path, "rb") as file:  # all reading happens here: I/O errors stay OSErrors
        data = file.read()
    if data.startswith(_NPY_START):
        raise problem("it is a single .npy array, not an .npz archive")
    if not data.startswith(_ZIP_START):
        raise problem("it is not an .npz archive (it does not start like a zip file)")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            state = {key: archive[key] for key in archive.files}
    except ValueError as err:
        if "allow_pickle" in str(err):
            raise problem("it holds pickled Python objects, which are never loaded") from None
        raise problem(f"it is corrupt ({err})") from None
    except Exception as err:  # zipfile.BadZipFile, EOFError, zlib.error, OSError, ...
        raise problem(f"it is truncated or corrupt ({type(err).__name__}: {err})") from None
    for key, value in state.items():
        if not isinstance(value, np.ndarray):
            raise problem(f"its entry {key!r} is not a numpy array")
    version = state.pop(_FORMAT_KEY, None)
    if version is None or version.shape != () or version.dtype.kind not in "iu":
        raise problem(f"it is not a nanonet weights file (no valid {_FORMAT_KEY} entry)")
    if int(version) > FORMAT_VERSION:
        raise problem(
            f"it was written in format {int(version)} by a newer nanonet; "
            f"this version reads format {FORMAT_VERSION}"
        )
    return state


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


def _as_path(path: object) -> str:
    """Return ``path`` (a str or an os.PathLike) as a str, or raise TypeError."""
    if isinstance(path, (str, os.PathLike)):
        path = os.fspath(path)
        if isinstance(path, str):
            return path
    raise TypeError(
        f"path must be a str or an os.PathLike such as pathlib.Path, got {type(path).__name__}"
    )


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
