"""The lock files in requirements/ hold what pyproject.toml asks for: a dependency added to or dropped from one
and not the other fails here (`make lock` rewrites the locks from pyproject.toml)."""
from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("requirements_lockfiles", ROOT / "requirements" / "lockfiles.py")
lockfiles = sys.modules.setdefault(_spec.name, importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(lockfiles)

FIX = "run `make lock` (then `make test`, and commit pyproject.toml and requirements/ together)"


def pyproject_requirements(extras: tuple[str, ...]) -> list[tuple[Requirement, str]]:
    """(requirement, where pyproject.toml names it) for the base dependencies and the given extras."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = [(Requirement(r), "[project] dependencies") for r in project["dependencies"]]
    for extra in extras:
        found += [(Requirement(r), f"optional-dependencies.{extra}") for r in project["optional-dependencies"][extra]]
    return found


def tool_requirements(name: str) -> list[tuple[Requirement, str]]:
    lines = (ROOT / "requirements" / f"{name}.in").read_text(encoding="utf-8").splitlines()
    return [(Requirement(line.split("#")[0]), f"requirements/{name}.in") for line in lines if line.split("#")[0].strip()]


def wanted(lock: str) -> list[tuple[Requirement, str]]:
    if lock in lockfiles.LOCKS:
        return pyproject_requirements(lockfiles.LOCKS[lock])
    return tool_requirements(lock)


ALL_LOCKS = [*lockfiles.LOCKS, *lockfiles.TOOL_LOCKS]


def pins(lock: str) -> list:
    path = lockfiles.lock_path(lock)
    assert path.exists(), f"requirements/{lock}.txt is missing: {FIX}"
    text = path.read_text(encoding="utf-8")
    assert not lockfiles.has_conflict_markers(text), f"requirements/{lock}.txt has merge-conflict markers: {FIX}"
    return lockfiles.parse_pins(text)


@pytest.mark.parametrize("lock", ALL_LOCKS)
def test_every_dependency_is_locked_within_its_range(lock):
    locked: dict[str, set[str]] = {}
    for pin in pins(lock):
        locked.setdefault(pin.name, set()).add(pin.version)
    problems = []
    for requirement, where in wanted(lock):
        name = lockfiles.normalize(requirement.name)
        if name not in locked:
            if requirement.marker is None or requirement.marker.evaluate():
                problems.append(f"{requirement} ({where}) is missing from requirements/{lock}.txt")
            continue
        outside = [v for v in sorted(locked[name]) if not requirement.specifier.contains(v, prereleases=True)]
        problems += [f"requirements/{lock}.txt pins {name}=={v}, outside pyproject.toml's {requirement} ({where})" for v in outside]
    assert not problems, "\n".join(problems) + f"\n{FIX}"


@pytest.mark.parametrize("lock", ALL_LOCKS)
def test_nothing_is_locked_as_a_dependency_that_is_no_longer_asked_for(lock):
    names = {lockfiles.normalize(requirement.name) for requirement, _ in wanted(lock)}
    stale = [f"requirements/{lock}.txt:{p.line}: {p.name}=={p.version} is locked as asked for by {', '.join(p.via)}, "
             "which no longer names it" for p in pins(lock) if p.direct and p.name not in names]
    assert not stale, "\n".join(stale) + f"\n{FIX}"


def test_every_extra_has_a_lock():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    held = {extra for extras in lockfiles.LOCKS.values() for extra in extras}
    assert set(project["optional-dependencies"]) == held, (
        "every extra of pyproject.toml belongs in a lock: edit LOCKS in requirements/lockfiles.py (and the Makefile "
        f"target installing it), then {FIX}")


def test_a_package_has_the_same_version_in_every_lock():
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    problems = []
    for lock in ALL_LOCKS:
        for pin in pins(lock):
            version, first = seen.setdefault((pin.name, pin.marker), (pin.version, lock))
            if version != pin.version:
                problems.append(f"{pin.name}: {version} in requirements/{first}.txt, {pin.version} in requirements/{lock}.txt")
    assert not problems, "\n".join(problems) + f"\n{FIX}"


@pytest.mark.parametrize("lock", ALL_LOCKS)
def test_every_pin_carries_hashes(lock):
    unhashed = [f"{p.name}=={p.version}" for p in pins(lock) if not p.hashes]
    assert not unhashed, f"requirements/{lock}.txt pins without hashes: {', '.join(unhashed)}\n{FIX}"


def test_the_lock_file_reader_sees_markers_notes_and_conflicts():
    text = (
        "# header\n"
        "colorama==0.4.6 ; sys_platform == 'win32' \\\n"
        "    --hash=sha256:aa \\\n"
        "    --hash=sha256:bb\n"
        "    # via\n"
        "    #   click\n"
        "    #   fire-safety-portal (pyproject.toml)\n"
        "Flask_Login==0.6.3 \\\n"
        "    --hash=sha256:cc\n"
        "    # via fire-safety-portal (pyproject.toml)\n"
        "<<<<<<< HEAD\n"
        "werkzeug==3.1.9\n"
        "=======\n"
        "werkzeug==3.1.8\n"
        ">>>>>>> other\n"
    )
    colorama, login, *werkzeug = lockfiles.parse_pins(text)
    assert (colorama.name, colorama.version, colorama.marker) == ("colorama", "0.4.6", "sys_platform == 'win32'")
    assert colorama.hashes == ("sha256:aa", "sha256:bb") and colorama.direct
    assert colorama.via == ("click", "fire-safety-portal (pyproject.toml)")
    assert (login.name, login.direct, login.hashes) == ("flask-login", True, ("sha256:cc",))
    assert [w.version for w in werkzeug] == ["3.1.9", "3.1.8"]
    assert lockfiles.has_conflict_markers(text)
