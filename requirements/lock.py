"""Write the lock files from pyproject.toml (`make lock`), or list newer releases (`make outdated`).

Every lock is resolved with uv (`uv pip compile --universal --generate-hashes`) under one joint resolution of
all extras, so a package has the same version in every file. Pins already in the locks are kept unless they
must move (a range changed, a package joined) or an upgrade is asked for; nothing is written unless every
lock resolved.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

from lockfiles import LOCKS, PROJECT, REQUIREMENTS, ROOT, TOOL_LOCKS, Pin, has_conflict_markers, lock_path, parse_pins

PYTHON_VERSION = "3.11"  # the oldest Python pyproject.toml allows: the locks hold for it and every newer one
COMPILE_COMMAND = "make lock"
_CONSTRAINT_NOTE = re.compile(r"^\s+#\s+(via\s+)?-c\s.*\n", re.MULTILINE)


class LockError(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uv", default=str(ROOT / ".venv" / "lock-tool" / "bin" / "uv"), help="the uv to run")
    parser.add_argument("--upgrade", default="", metavar="NAMES",
                        help="'all', or packages separated by commas or spaces, to move to their newest allowed release")
    parser.add_argument("--outdated", action="store_true", help="list newer releases instead of writing the locks")
    args = parser.parse_args(argv)
    uv = Uv(args.uv)
    try:
        if args.outdated:
            outdated(uv)
        else:
            write_locks(uv, upgrade=args.upgrade)
    except LockError as error:
        print(f"make lock: {error}", file=sys.stderr)
        return 1
    return 0


class Uv:
    """uv pip compile, online when the index answers, otherwise from uv's cache (`--offline`)."""

    def __init__(self, path: str) -> None:
        if not Path(path).exists():
            raise SystemExit(f"{path} is missing: `make lock` installs it (requirements/lock-tool.txt)")
        self.path = path
        self.index = os.environ.get("UV_DEFAULT_INDEX") or os.environ.get("UV_INDEX_URL") or "https://pypi.org/simple/"
        self.offline = not index_answers(self.index)
        if self.offline:
            print(f"note: {self.index} cannot be reached; resolving from uv's cache only (--offline)", file=sys.stderr)

    def compile(self, source: str, output: Path, *options: str) -> None:
        command = [self.path, "pip", "compile", source, "--universal", "--python-version", PYTHON_VERSION,
                   "--quiet", "-o", str(output), *options]
        if self.offline:
            command.append("--offline")
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            hint = ""
            if self.offline:
                hint = (f"\n{self.index} could not be reached and uv's cache does not hold everything needed. Run "
                        "`make lock` where PyPI answers (or set UV_DEFAULT_INDEX to a mirror).")
            raise LockError(f"resolving {source} failed; the lock files are unchanged.\n{done.stderr.strip()}{hint}")


def index_answers(url: str, timeout: float = 5.0) -> bool:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout):
            return True
    except urllib.error.HTTPError:
        return True  # it answered
    except (OSError, ValueError):
        return False


def existing_pins(names) -> list[Pin]:
    pins = []
    for name in names:
        path = lock_path(name)
        if path.exists():
            text = path.read_text(encoding="utf-8")
            if has_conflict_markers(text):
                print(f"note: {path.relative_to(ROOT)} has merge-conflict markers: both sides' pins are kept as "
                      "preferences, the newer where they differ", file=sys.stderr)
            pins.extend(parse_pins(text))
    return pins


def _version_key(version: str) -> tuple:
    return tuple(int(part) if part.isdigit() else -1 for part in re.split(r"[.+!-]|(?<=\d)(?=[a-z])", version))


def write_preferences(pins: list[Pin], path: Path) -> None:
    """A requirements file of the pins to keep (the newest where merged locks disagree), read by uv as its
    previous output: uv keeps those versions unless they must move."""
    newest: dict[tuple[str, str], Pin] = {}
    for pin in pins:
        key = (pin.name, pin.marker)
        if key not in newest or _version_key(pin.version) > _version_key(newest[key].version):
            newest[key] = pin
    lines = [f"{p.name}=={p.version}" + (f" ; {p.marker}" if p.marker else "") for p in newest.values()]
    path.write_text("\n".join(sorted(lines)) + "\n", encoding="utf-8")


def upgrade_options(upgrade: str) -> list[str]:
    names = [n for n in re.split(r"[,\s]+", upgrade.strip()) if n]
    if names == ["all"]:
        return ["--upgrade"]
    return [option for name in names for option in ("--upgrade-package", name)]


def all_extras() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = sorted(project.get("optional-dependencies", {}))
    unlocked = set(extras) - {e for held in LOCKS.values() for e in held}
    if unlocked:
        raise LockError(f"pyproject.toml's extra(s) {', '.join(sorted(unlocked))} are in no lock: add them to "
                        "LOCKS in requirements/lockfiles.py (and to the Makefile target that installs them)")
    return extras


def resolve(uv: Uv, work: Path, upgrade: str) -> dict[str, Path]:
    """Resolve every lock into `work`; returns lock name -> file written there."""
    joint = work / "joint.txt"
    write_preferences(existing_pins(LOCKS), joint)
    uv.compile("pyproject.toml", joint, "--no-header", "--no-annotate",
               *[o for e in all_extras() for o in ("--extra", e)], *upgrade_options(upgrade))
    written = {}
    for name, extras in LOCKS.items():
        out = work / f"{name}.txt"
        uv.compile("pyproject.toml", out, "--generate-hashes", "--custom-compile-command", COMPILE_COMMAND,
                   "-c", str(joint), *[o for e in extras for o in ("--extra", e)])
        # The joint resolution is a scratch file: its `-c` notes would name a temporary path.
        out.write_text(_CONSTRAINT_NOTE.sub("", out.read_text(encoding="utf-8")), encoding="utf-8")
        written[name] = out
    for name in TOOL_LOCKS:
        out = work / f"{name}.txt"
        write_preferences(existing_pins([name]), out)
        uv.compile(f"requirements/{name}.in", out, "--generate-hashes", "--custom-compile-command", COMPILE_COMMAND,
                   *upgrade_options(upgrade))
        written[name] = out
    check_agreement(written)
    return written


def check_agreement(files: dict[str, Path]) -> None:
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for lock, path in files.items():
        for pin in parse_pins(path.read_text(encoding="utf-8")):
            first = seen.setdefault((pin.name, pin.marker), (pin.version, lock))
            if first[0] != pin.version:
                raise LockError(f"{pin.name} resolved to {first[0]} in {first[1]}.txt but {pin.version} in {lock}.txt")


def describe_changes(old: dict[str, str], new: dict[str, str]) -> list[str]:
    changes = []
    for name in sorted(old.keys() | new.keys()):
        if name not in old:
            changes.append(f"  + {name} {new[name]}")
        elif name not in new:
            changes.append(f"  - {name} {old[name]}")
        elif old[name] != new[name]:
            changes.append(f"  {name} {old[name]} -> {new[name]}")
    return changes


def versions(pins: list[Pin]) -> dict[str, str]:
    found: dict[str, set[str]] = {}
    for pin in pins:
        found.setdefault(pin.name, set()).add(pin.version)
    return {name: " / ".join(sorted(v, key=_version_key)) for name, v in found.items()}


def write_locks(uv: Uv, *, upgrade: str) -> None:
    names = [*LOCKS, *TOOL_LOCKS]
    before = versions(existing_pins(names))
    with tempfile.TemporaryDirectory(prefix="lock-") as tmp:
        written = resolve(uv, Path(tmp), upgrade)
        changed = []
        for name, path in written.items():
            target = lock_path(name)
            text = path.read_text(encoding="utf-8")
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                shutil.copyfile(path, target)
                changed.append(target.relative_to(ROOT).as_posix())
    after = versions([p for name in names for p in parse_pins(lock_path(name).read_text(encoding="utf-8"))])
    if not changed:
        print("make lock: the lock files already match pyproject.toml")
        return
    print(f"make lock: wrote {', '.join(changed)}")
    for line in describe_changes(before, after):
        print(line)
    print("Next: `make test`, then commit pyproject.toml and requirements/ together.")


def direct_requirements() -> list[str]:
    """pyproject.toml's dependencies and extras without their version ranges (markers kept)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [*project["dependencies"], *[r for extra in project.get("optional-dependencies", {}).values()
                                               for r in extra]]
    unranged = []
    for requirement in requirements:
        head, _, marker = requirement.partition(";")
        name = re.match(r"\s*[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?", head).group(0).strip()
        unranged.append(name + (f" ; {marker.strip()}" if marker.strip() else ""))
    return sorted(set(unranged))


def outdated(uv: Uv) -> None:
    """Print the packages with a newer release: within pyproject's ranges (what `make lock UPGRADE=all`
    would take) and, for direct dependencies, without them (what a range change would allow)."""
    locked = versions(existing_pins(LOCKS))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    ranges = {}
    for requirement in [*project["dependencies"], *[r for e in project.get("optional-dependencies", {}).values() for r in e]]:
        head = requirement.partition(";")[0]
        name = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", head).group(1)
        ranges[re.sub(r"[-_.]+", "-", name).lower()] = re.sub(r"^\s*[A-Za-z0-9._-]+(\[[^\]]*\])?", "", head).strip()
    with tempfile.TemporaryDirectory(prefix="outdated-") as tmp:
        work = Path(tmp)
        newest = work / "newest.txt"
        uv.compile("pyproject.toml", newest, "--no-header", "--no-annotate", "--upgrade",
                   *[o for e in all_extras() for o in ("--extra", e)])
        free_in = work / "unranged.in"
        free_in.write_text("\n".join(direct_requirements()) + "\n", encoding="utf-8")
        free = work / "unranged.txt"
        uv.compile(str(free_in), free, "--no-header", "--no-annotate")
        in_range = versions(parse_pins(newest.read_text(encoding="utf-8")))
        unranged = versions(parse_pins(free.read_text(encoding="utf-8")))
    rows = []
    for name in sorted(locked.keys() | in_range.keys()):
        now, allowed = locked.get(name, "-"), in_range.get(name, "-")
        latest = unranged.get(name, "") if name in ranges else ""
        if now != allowed or (latest and latest != now):
            rows.append((name, now, allowed, latest or "", ranges.get(name, "(indirect)") or "any"))
    if not rows:
        print("Every locked package is at its newest release.")
        return
    header = ("package", "locked", "in range", "newest", "pyproject")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())
    print("\n'in range': `make lock UPGRADE=all` (or UPGRADE=name) takes it. 'newest': the release pyproject.toml's "
          "range would have to allow (direct dependencies; resolved together, so it can be below the very newest).")


if __name__ == "__main__":
    sys.exit(main())
