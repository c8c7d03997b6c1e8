"""Output folders and files replaced in one step, checked before the run, cleaned up if killed.

An output is written to a new folder (or file) beside its target, in the same parent and so
on the same filesystem, then renamed into place: a reader finds the whole old run or the
whole new one, never a mix. A folder's old entries that this output does not own (another
command's files) are carried over as hard links. SIGTERM while writing raises, so the new
folder is removed rather than left hidden; and the target is checked before simulating,
so a folder that could not be swapped fails in one line instead of after the run.
"""

from __future__ import annotations

import csv
import io
import os
import secrets
import shutil
import signal
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from sgsim.scenario.errors import ScenarioError

INSIDE_IT = "give a new folder inside it"


def check_replaceable(path: Path, option: str) -> Path:
    """Refuse now, in one line, a folder an output could not be swapped into later.

    Returns the folder with symbolic links resolved: the one that will be replaced.
    """
    target = path.resolve()
    if not target.exists():
        _check_creatable(path, target, option)
        return target
    _check_folder(path, target, option)
    _check_access(path, target.parent, option)
    _check_access(path, target, option, os.R_OK)
    refusal = _why_not_replaceable(target)
    if refusal is not None:
        raise ScenarioError(str(path), option, "a folder sgsim can replace", *refusal)
    return target


def check_writable(path: Path, option: str) -> None:
    """Refuse now, in one line, a folder sgsim could not create or write files in."""
    target = path.resolve()
    if target.exists():
        _check_folder(path, target, option)
        _check_access(path, target, option)
    else:
        _check_creatable(path, target, option)


def _check_creatable(path: Path, target: Path, option: str) -> None:
    ancestor = next(p for p in target.parents if p.exists())
    if not ancestor.is_dir():
        raise ScenarioError(str(path), option, "a folder", f"<a path inside the file {ancestor}>")
    _check_access(path, ancestor, option)


def _check_folder(path: Path, target: Path, option: str) -> None:
    if not target.is_dir():
        raise ScenarioError(str(path), option, "a folder", "<an existing file>")


def _check_access(path: Path, folder: Path, option: str, also: int = 0) -> None:
    if not os.access(folder, os.W_OK | os.X_OK | also):
        why = "read-only" if os.statvfs(folder).f_flag & os.ST_RDONLY else "not open to this user"
        raise ScenarioError(str(path), option, "a folder sgsim can write in", f"<{folder}, {why}>")


def _why_not_replaceable(folder: Path) -> tuple[str, str] | None:
    """What stops renaming ``folder`` aside and hard-linking its entries, and what to do."""
    cwd = Path.cwd()
    if folder == cwd:
        return "<the current folder>", INSIDE_IT
    if folder in cwd.parents:
        return "<a folder holding the current folder>", INSIDE_IT
    if os.path.ismount(folder):
        return "<a mount point>", INSIDE_IT
    device = folder.stat().st_dev
    for parent, subfolders, _ in os.walk(folder):
        for name in subfolders:
            inner = os.path.join(parent, name)
            if os.lstat(inner).st_dev != device:
                return f"<a folder holding the mount point {inner}>", "give a new folder"
    return None


@contextmanager
def atomic_folder(target: Path, owned: Iterable[str] = ()) -> Iterator[Path]:
    """Yield a new folder beside ``target``; if the body succeeds, swap it in as ``target``.

    Entries of the old folder named in ``owned`` belong to this output and go with the old
    run; the others are carried over, so outputs of several commands can share a folder.
    """
    target = check_replaceable(Path(target), "")
    target.parent.mkdir(parents=True, exist_ok=True)
    new, aside = _beside(target, "new"), _beside(target, "old")
    with _sigterm_raises():
        try:
            new.mkdir()
            yield new
            if target.exists():
                _carry_over(target, new, set(owned))
                shutil.copymode(target, new)
                target.rename(aside)
            new.rename(target)
        finally:
            if aside.exists() and not target.exists():
                aside.rename(target)  # stopped between the two renames: the old run stays
            shutil.rmtree(new, ignore_errors=True)
            shutil.rmtree(aside, ignore_errors=True)


def write_atomically(path: Path, text: str) -> None:
    """Write a whole file or nothing: a new file beside it, renamed over it."""
    new = _beside(path, "new")
    with _sigterm_raises():
        try:
            with new.open("x", encoding="utf-8", newline="") as f:
                f.write(text)
            new.replace(path)
        finally:
            new.unlink(missing_ok=True)


def write_csv_atomically(path: Path, header: list[str], rows: Iterable[Iterable[object]]) -> None:
    """A CSV file written whole or not at all."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    write_atomically(path, text.getvalue())


def _beside(target: Path, tag: str) -> Path:
    """A hidden name in the target's folder, unique to this write."""
    return target.parent / f".{target.name}.sgsim-{tag}-{secrets.token_hex(4)}"


def _carry_over(old: Path, new: Path, owned: set[str]) -> None:
    """Hard-link into ``new`` what ``old`` holds besides this output."""
    with os.scandir(old) as entries:
        for entry in entries:
            if entry.name in owned or os.path.lexists(new / entry.name):
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.copytree(entry.path, new / entry.name, symlinks=True, copy_function=os.link)
            else:
                os.link(entry.path, new / entry.name, follow_symlinks=False)


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While inside, SIGTERM raises SystemExit, so ``finally`` clean-ups run; restored after.

    Left alone off the main thread (no handler can be set there) and when a handler other
    than the default is already set (by the caller, or an outer write).
    """
    main = threading.current_thread() is threading.main_thread()
    if not main or signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
        yield
        return
    signal.signal(signal.SIGTERM, _exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)
