"""Check that the running venv holds exactly the locked versions (`make check-installed`, run by .ci/run).

Usage: .venv/bin/python requirements/check_installed.py LOCK_FILE...

Compares `pip freeze --all --exclude-editable` with the pins of the given lock files that apply to this
interpreter (their environment markers); exits 1 with the differences.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lockfiles import ROOT, normalize, read_pins

try:
    from packaging.markers import Marker
except ImportError:  # a venv with nothing but pip yet
    from pip._vendor.packaging.markers import Marker


def locked(paths: list[Path]) -> dict[str, str]:
    expected: dict[str, str] = {}
    for path in paths:
        for pin in read_pins(path):
            if not pin.marker or Marker(pin.marker).evaluate():
                expected[pin.name] = pin.version
    return expected


def installed() -> tuple[dict[str, str], list[str]]:
    """Installed name -> version, and the lines of packages not installed from an index (URLs, paths)."""
    freeze = subprocess.run([sys.executable, "-m", "pip", "freeze", "--all", "--exclude-editable"],
                            check=True, capture_output=True, text=True).stdout
    versions, other = {}, []
    for line in freeze.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, version = line.partition("==")
        if sep:
            versions[normalize(name)] = version
        else:
            other.append(line)
    return versions, other


def differences(expected: dict[str, str], actual: dict[str, str], other: list[str]) -> list[str]:
    lines = []
    for name in sorted(expected.keys() | actual.keys()):
        want, have = expected.get(name), actual.get(name)
        if want == have:
            continue
        if have is None:
            lines.append(f"- {name}=={want}    (locked, not installed)")
        elif want is None:
            lines.append(f"+ {name}=={have}    (installed, in no lock file given)")
        else:
            lines.append(f"~ {name}: installed {have}, locked {want}")
    lines.extend(f"+ {line}    (installed from outside an index)" for line in other)
    return lines


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    paths = [Path(arg) for arg in argv]
    names = ", ".join(str(p.resolve().relative_to(ROOT)) if p.resolve().is_relative_to(ROOT) else str(p) for p in paths)
    expected = locked(paths)
    actual, other = installed()
    lines = differences(expected, actual, other)
    if lines:
        print(f"{sys.prefix} does not hold exactly the locked versions of {names}:", file=sys.stderr)
        for line in lines:
            print(f"  {line}", file=sys.stderr)
        print("A fresh `make clean test` installs them; if a lock file is stale, run `make lock`.", file=sys.stderr)
        return 1
    print(f"{sys.prefix}: {len(expected)} packages, each at its version in {names}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
