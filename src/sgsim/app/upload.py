"""An uploaded scenario file, read as safely as the room it is used in needs.

A workshop app listens to many laptops, so an upload is held to three rules: it is at most
``MAX_BYTES`` long; it is valid UTF-8 TOML; and it may ``extends`` only a shipped scenario,
by name (``library.parent_of``), never a path on the server. It is then loaded by the same
loader as any file, with the same one-line errors, from a private temporary folder that
holds copies of the shipped scenarios and the upload and nothing else, so the loader cannot
reach any other file.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import tomllib
from pathlib import Path

from sgsim.app.library import Shipped, Source, open_source, parent_of
from sgsim.scenario.errors import ScenarioError

MAX_BYTES = 64 * 1024  # the largest shipped scenario is about 12 KB
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def safe_name(name: str) -> str:
    """The upload's file name as shown and stored: letters, digits, ``_.-``, no folders and
    no leading dot (so never ``..``)."""
    base = _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).lstrip(".")[:80]
    return base or "upload.toml"


def load_upload(name: str, data: bytes, library: list[Shipped]) -> Source:
    """Check and load an uploaded scenario; a ScenarioError names the upload and the key."""
    file = safe_name(name)
    if len(data) > MAX_BYTES:
        raise ScenarioError(
            file, "", f"a file of at most {MAX_BYTES // 1024} KB", f"<{len(data) / 1024:.0f} KB>"
        )
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ScenarioError(file, "", "a UTF-8 text file", "<undecodable bytes>") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(file, "", "valid TOML", f"<{exc}>") from None
    folder: tuple[str, ...] = ()  # where the upload sits, for its ``extends`` to resolve
    if "extends" in raw:
        parent, depth = parent_of(raw["extends"], library, file)
        folder = parent.parts[:depth]
    with tempfile.TemporaryDirectory(prefix="sgsim-upload-") as tmp:
        root = Path(tmp)
        for entry in library:
            (root / entry.name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(entry.path, root / entry.name)
        here = root.joinpath(*folder)
        stored = here / file
        if stored.exists():  # named like the shipped file it extends: keep both
            stored = here / f"uploaded_{file}"
        stored.write_bytes(data)
        try:
            return open_source(stored, file)
        except ScenarioError as exc:  # reading names the stored file, building the upload
            shown = file if exc.file in (str(stored), file) else Path(exc.file).name
            raise ScenarioError(shown, exc.key, exc.expected, exc.got, exc.hint) from None
