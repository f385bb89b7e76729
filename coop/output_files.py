"""Files that coop writes: checked before the work starts, and written whole or not at all.

Every file a command writes (``coop export -o``, ``coop plot -o``, ``coop sweep -o`` and the
thresholds beside it, ``coop sweep --plot``) is checked by :func:`check_target` before any work is
done, and written through :func:`replacing`: the content goes to a temporary file in the target's
folder, which is renamed over the target (:func:`os.replace`) only once it is complete. A failed
write (a full disk, an interrupted run) leaves an existing file as it was and no partial file
behind. A target that exists but is not a regular file (a device such as ``/dev/full``, a pipe, a
folder) is refused, never renamed over; a symbolic link to a file is followed (the link stays, the
file it names is replaced). Problems are raised as :class:`coop.errors.InputError`, one line naming
the file, which the command line prints with exit status 2.

Examples
--------
>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with replacing(folder / "notes.txt") as tmp:
...     _ = tmp.write_text("complete")
>>> (folder / "notes.txt").read_text(), sorted(p.name for p in folder.iterdir())
('complete', ['notes.txt'])
>>> check_target(folder / "notes.txt")
Traceback (most recent call last):
...
coop.errors.InputError: .../notes.txt: file exists; use --force to overwrite it
>>> figure_format("phase.svg"), figure_format("phase.PDF")
('svg', 'pdf')
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

from coop.errors import InputError

#: Figure formats, by file suffix (what matplotlib writes for each).
FIGURE_FORMATS: dict[str, str] = {".png": "png", ".svg": "svg", ".pdf": "pdf"}


def figure_format(path: str | Path) -> str:
    """The figure format named by ``path``'s suffix (``png``, ``svg`` or ``pdf``, in any case).

    Raises
    ------
    coop.errors.InputError
        Any other suffix, or none.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FIGURE_FORMATS:
        *others, last = FIGURE_FORMATS
        raise InputError(f"unknown figure format {Path(path).suffix or '(no suffix)'!r}; name the file "
                         f"{', '.join(others)} or {last}", source=str(path))
    return FIGURE_FORMATS[suffix]


def _followed(path: Path) -> Path:
    """The file a symbolic link names (so that the link stays), else ``path`` itself."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _not_regular(path: Path, shown: Path) -> InputError | None:
    """An error if ``path`` exists and is not a regular file (a device, a pipe, a folder, a socket)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None  # not there (or not reachable): creating it will tell
    if stat.S_ISREG(mode):
        return None
    kind = "a folder" if stat.S_ISDIR(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) \
        else "a pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "not a regular file"
    return InputError(f"this is {kind}, not a regular file; coop writes its output only to regular files "
                      "(choose another name)", source=str(shown))


def _new_temp(target: Path) -> Path:
    """A new empty file beside ``target``, with the permissions a new file gets (0666 less the umask)."""
    base = target.name[:180]  # the temporary name stays within the file system's limit
    for _ in range(100):
        tmp = target.with_name(f".{base}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp
    raise FileExistsError(f"no free temporary name beside {target}")  # pragma: no cover


def _cannot_create(err: OSError, target: Path, shown: Path) -> InputError:
    folder = target.parent if str(target.parent) else Path(".")
    return InputError(f"cannot create a file in the folder {str(folder)!r} ({err.strerror or err})", source=str(shown))


def check_target(path: str | Path, force: bool = False) -> Path:
    """Check, before any work, that ``path`` can be written: nothing is lost and the folder takes new files.

    Parameters
    ----------
    path : str or Path
        The file to write.
    force : bool
        Replace an existing file.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    coop.errors.InputError
        The target exists and is not a regular file (a device, a pipe, a folder); it exists and
        ``force`` is not given; its folder does not exist; or no file can be created in the folder
        (permission denied, a read-only file system).
    """
    shown = Path(path)
    target = _followed(shown)
    problem = _not_regular(target, shown)
    if problem is not None:
        raise problem
    if os.path.lexists(shown) and not force:
        raise InputError("file exists; use --force to overwrite it", source=str(shown))
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"the folder {str(folder)!r} does not exist", source=str(shown))
    try:
        probe = _new_temp(target)
    except OSError as err:
        raise _cannot_create(err, target, shown) from err
    probe.unlink()
    return shown


@contextlib.contextmanager
def replacing(path: str | Path, *, force: bool = False) -> Iterator[Path]:
    """Write ``path`` whole or not at all: yield a temporary file beside it, renamed over it at the end.

    The caller writes the temporary file (by its name; it exists, empty); when the block ends
    without an error it takes the place of ``path`` (keeping an existing file's permissions). On
    any error, or Ctrl-C, the temporary file is removed and ``path`` is left as it was.

    Raises
    ------
    coop.errors.InputError
        As :func:`check_target`; or the file could not be written (an ``OSError`` while writing,
        such as a full disk), with the system's reason.
    """
    shown = Path(path)
    check_target(shown, force)
    target = _followed(shown)
    existed = target.exists()
    try:
        tmp = _new_temp(target)
    except OSError as err:
        raise _cannot_create(err, target, shown) from err
    try:
        yield tmp
        problem = _not_regular(target, shown)  # it may have changed while the content was made
        if problem is not None:
            raise problem
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(tmp, target)
    except OSError as err:
        kept = "; the existing file is unchanged" if existed else ""
        raise InputError(f"cannot write the file ({err.strerror or err}){kept}", source=str(shown)) from err
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def write_text(path: str | Path, text: str, *, force: bool = False) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through :func:`replacing`; the path."""
    with replacing(path, force=force) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    return Path(path)
