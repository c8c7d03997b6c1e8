"""Output folders and files replaced in one step, and cleaned up if the writer is killed.

An output is written to a new folder (or file) beside its target, in the same parent and so
on the same filesystem, then renamed into place: a reader finds the whole old run or the
whole new one, never a mix. A folder's old entries that this output does not own (another
command's files) are carried over as hard links. SIGTERM while writing raises, so the new
folder is removed rather than left hidden.
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


@contextmanager
def atomic_folder(target: Path, owned: Iterable[str] = ()) -> Iterator[Path]:
    """Yield a new folder beside ``target``; if the body succeeds, swap it in as ``target``.

    Entries of the old folder named in ``owned`` belong to this output and go with the old
    run; the others are carried over, so outputs of several commands can share a folder.
    """
    target = Path(target).resolve()
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
