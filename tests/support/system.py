"""The system programs some tests need (PostgreSQL, Redis, Chromium): where they are, and what a missing one means.

One list, system-packages.txt, feeds both this module and system-packages.sh (which `make test` runs to install
them). A test that needs a missing program is skipped, and the run ends with the one command that enables it;
in strict mode (TEST_STRICT=1, as .ci/run sets it) the same test fails instead, and so does any other skip.
"""

import glob
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE_LIST = Path(__file__).with_name("system-packages.txt")


@dataclass(frozen=True)
class Requirement:
    """One line of the package list."""

    name: str
    package: str
    pattern: str
    purpose: str

    def wanted(self, environ=os.environ):
        """The path (or glob) looked for: $<NAME>_PATH when set, else the list's."""
        return environ.get(f"{self.name.upper()}_PATH") or self.pattern

    def path(self, environ=os.environ):
        """Where the program is installed (the newest version when several are), or None."""
        found = sorted(glob.glob(self.wanted(environ)))
        return found[-1] if found else None


def read_requirements(text=None):
    """The package list as {name: Requirement}."""
    text = PACKAGE_LIST.read_text() if text is None else text
    requirements = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, package, pattern, purpose = line.split(maxsplit=3)
            requirements[name] = Requirement(name, package, pattern, purpose)
    return requirements


def is_strict(environ=os.environ):
    """Whether a missing program (or any skip) fails the run: TEST_STRICT set to anything but 0."""
    return environ.get("TEST_STRICT", "0").strip() not in ("", "0")


def install_command(packages):
    """The one command that installs these Debian packages."""
    return "sudo apt-get install -y " + " ".join(sorted(packages))


def skip_reason(requirement, environ=os.environ):
    """Why a test needing this missing requirement is skipped (and how to enable it)."""
    return (f"{requirement.purpose}: {requirement.wanted(environ)} not found "
            f"(enable with: {install_command([requirement.package])})")


def require(name, *, environ=os.environ, requirements=None):
    """The path of a required program; skips the calling test without it (fails it in strict mode)."""
    requirement = (requirements or read_requirements())[name]
    path = requirement.path(environ)
    if path:
        return path
    reason = skip_reason(requirement, environ)
    if is_strict(environ):
        pytest.fail(f"TEST_STRICT is set and a system package is missing. {reason}", pytrace=False)
    pytest.skip(reason)


def skip_summary(reasons, *, strict=False, requirements=None):
    """The closing lines of a run with skips: each reason with its count, then the command enabling them."""
    if not reasons:
        return []
    requirements = requirements or read_requirements()
    counts = Counter(reasons)
    lines = [f"{len(reasons)} test(s) skipped:"]
    lines += [f"  {count} x {reason}" for reason, count in sorted(counts.items())]
    packages = {r.package for r in requirements.values() if any(skip_reason(r) == reason for reason in counts)}
    if packages:
        lines.append(f"Run them too: {install_command(packages)}   (or `make test` as root)")
    if strict:
        lines.append("TEST_STRICT is set: a skipped test fails the run.")
    return lines
