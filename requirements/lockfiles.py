"""The lock files in requirements/: what each one holds and how to read their pins (stdlib only).

Each lock is resolved from pyproject.toml by `make lock` (requirements/lock.py); the Makefile installs
them with `pip install --require-hashes`, tests/test_requirements_lock.py holds them to pyproject.toml and
requirements/check_installed.py holds a venv to them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

REQUIREMENTS = Path(__file__).resolve().parent
ROOT = REQUIREMENTS.parent
PROJECT = "fire-safety-portal"

# Lock file name -> pyproject extras it holds besides the base dependencies, as the Makefile installs them:
# run: `make run` (venv); dev: `make test` (dev), bench, lighthouse, backup-check; e2e: `make test`'s browser
# tests (e2e-tools); load: `make load`, `make kill-test`.
LOCKS: dict[str, tuple[str, ...]] = {
    "run": (),
    "dev": ("dev",),
    "e2e": ("dev", "e2e"),
    "load": ("dev", "load"),
}
# Locks of the tools themselves, from a hand-written .in file each: the venv's pip and the build backend
# (bootstrap, installed first into .venv), and uv, which writes the locks (lock-tool, into .venv/lock-tool).
TOOL_LOCKS = ("bootstrap", "lock-tool")

_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)\s*(?:;\s*(?P<marker>[^\\]*?))?\s*\\?$")
_HASH = re.compile(r"--hash=(\S+)")
_CONFLICT = re.compile(r"^(<<<<<<<|=======$|>>>>>>>|\|\|\|\|\|\|\|)", re.MULTILINE)


@dataclass(frozen=True)
class Pin:
    """One `name==version` line of a lock file, with its environment marker, hashes and `# via` notes."""

    name: str  # normalized (PEP 503)
    version: str
    marker: str  # "" when it applies everywhere
    hashes: tuple[str, ...]
    via: tuple[str, ...]
    line: int

    @property
    def direct(self) -> bool:
        """Whether the lock says its input (pyproject.toml, or a tool lock's .in file) asks for it by name."""
        return any(v.startswith((PROJECT, "-r ")) for v in self.via)


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_path(name: str) -> Path:
    return REQUIREMENTS / f"{name}.txt"


def has_conflict_markers(text: str) -> bool:
    return bool(_CONFLICT.search(text))


def parse_pins(text: str) -> list[Pin]:
    """The pins of a lock file's text; lines of merge-conflict markers are skipped, not refused."""
    pins: list[Pin] = []
    current: dict | None = None

    def close() -> None:
        if current is not None:
            pins.append(Pin(current["name"], current["version"], current["marker"], tuple(current["hashes"]),
                            tuple(current["via"]), current["line"]))

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line or _CONFLICT.match(line):
            continue
        if not line[0].isspace() and not line.startswith("#"):
            close()
            match = _PIN.match(line)
            current = None
            if match:
                current = {"name": normalize(match["name"]), "version": match["version"],
                           "marker": (match["marker"] or "").strip(), "hashes": [], "via": [], "line": number}
            continue
        if current is None:
            continue
        stripped = line.strip()
        current["hashes"].extend(_HASH.findall(stripped))
        if stripped.startswith("#"):
            note = stripped.lstrip("#").strip()
            if note.startswith("via"):
                note = note[3:].strip()
            if note:
                current["via"].extend(part.strip() for part in note.split(",") if part.strip())
    close()
    return pins


def read_pins(path: Path) -> list[Pin]:
    return parse_pins(path.read_text(encoding="utf-8"))
