"""The system-package machinery: the list, require(), the end-of-run summary, strict mode and the install script."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..support import system

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "support" / "system-packages.sh"
LIST = "# a comment\n\nthing  thing-pkg  {pattern}  The thing, for some tests\n"


def test_the_list_names_every_server_and_browser_the_suite_starts():
    requirements = system.read_requirements()
    assert {name: r.package for name, r in requirements.items()} == {
        "postgresql": "postgresql", "redis": "redis-server", "chromium": "chromium"}
    assert requirements["redis"].purpose.startswith("Redis")


def test_path_takes_the_newest_match_and_honours_the_environment(tmp_path):
    for version in ("14", "15"):
        (tmp_path / version).mkdir()
        (tmp_path / version / "initdb").touch()
    thing = system.read_requirements(LIST.format(pattern=tmp_path / "*" / "initdb"))["thing"]
    assert thing.path({}) == str(tmp_path / "15" / "initdb")
    assert thing.path({"THING_PATH": str(tmp_path / "14" / "initdb")}) == str(tmp_path / "14" / "initdb")
    assert thing.path({"THING_PATH": str(tmp_path / "nowhere")}) is None


@pytest.mark.parametrize("value, strict", [(None, False), ("", False), ("0", False), ("1", True), ("yes", True)])
def test_strict_mode_is_test_strict_set_to_anything_but_0(value, strict):
    assert system.is_strict({} if value is None else {"TEST_STRICT": value}) is strict


def test_require_returns_the_path_skips_or_fails(tmp_path):
    (tmp_path / "thing").touch()
    present = system.read_requirements(LIST.format(pattern=tmp_path / "thing"))
    assert system.require("thing", environ={}, requirements=present) == str(tmp_path / "thing")
    absent = system.read_requirements(LIST.format(pattern=tmp_path / "missing"))
    with pytest.raises(pytest.skip.Exception, match="sudo apt-get install -y thing-pkg"):
        system.require("thing", environ={}, requirements=absent)
    with pytest.raises(pytest.fail.Exception, match="TEST_STRICT"):
        system.require("thing", environ={"TEST_STRICT": "1"}, requirements=absent)


def test_summary_counts_reasons_and_gives_one_command_for_the_packages():
    requirements = system.read_requirements()
    chromium = system.skip_reason(requirements["chromium"])
    redis = system.skip_reason(requirements["redis"])
    lines = system.skip_summary([chromium, chromium, redis, "flaky elsewhere"], requirements=requirements)
    assert lines[0] == "4 test(s) skipped:"
    assert f"  2 x {chromium}" in lines and f"  1 x {redis}" in lines and "  1 x flaky elsewhere" in lines
    assert lines[-1].startswith("Run them too: sudo apt-get install -y chromium redis-server")
    assert system.skip_summary([]) == []
    assert not any("apt-get" in line for line in system.skip_summary(["flaky elsewhere"]))
    assert system.skip_summary(["x"], strict=True)[-1].startswith("TEST_STRICT is set")


SAMPLE = '''
import pytest

@pytest.mark.requires("chromium")
def test_needs_chromium():
    pass

def test_plain():
    pass
'''


def run_pytest(tmp_path, sample=SAMPLE, **env):
    """Run pytest with this suite's conftest on a sample test file; returns (exit code, output)."""
    (tmp_path / "test_sample.py").write_text(sample)
    environ = {k: v for k, v in os.environ.items() if k != "TEST_STRICT"}
    environ.update(CHROMIUM_PATH=str(tmp_path / "no-chromium"), **env)
    result = subprocess.run([sys.executable, "-m", "pytest", "-c", str(ROOT / "pytest.ini"), "--rootdir", str(ROOT),
                             "-p", "tests.conftest", str(tmp_path / "test_sample.py")],
                            cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout + result.stderr


def test_a_run_missing_a_package_skips_and_ends_with_the_command(tmp_path):
    code, output = run_pytest(tmp_path)
    assert code == 0, output
    assert "1 passed, 1 skipped" in output
    summary = output[output.index("skipped tests"):]
    assert f"1 x Chromium, for the browser tests of the embedded admin: {tmp_path / 'no-chromium'} not found" in summary
    assert "Run them too: sudo apt-get install -y chromium" in summary


def test_a_strict_run_missing_a_package_fails(tmp_path):
    code, output = run_pytest(tmp_path, TEST_STRICT="1")
    assert code == 1, output
    assert "1 passed, 1 error" in output
    assert "TEST_STRICT is set and a system package is missing" in output


def test_a_strict_run_fails_on_any_skip(tmp_path):
    sample = "import pytest\n\ndef test_skips():\n    pytest.skip('not today')\n"
    code, output = run_pytest(tmp_path, sample)
    assert code == 0 and "1 x not today" in output, output
    code, output = run_pytest(tmp_path, sample, TEST_STRICT="1")
    assert code == 1 and "TEST_STRICT is set: a skipped test fails the run." in output, output


def script(tmp_path, pattern, **env):
    """Run system-packages.sh on a one-line list without installing anything; returns (exit code, stderr)."""
    listing = tmp_path / "list.txt"
    listing.write_text(LIST.format(pattern=pattern))
    environ = {k: v for k, v in os.environ.items() if k != "TEST_STRICT"}
    environ.update(SYSTEM_PACKAGES_LIST=str(listing), SYSTEM_PACKAGES_INSTALL="no", **env)
    result = subprocess.run(["bash", str(SCRIPT)], env=environ, capture_output=True, text=True, timeout=60)
    return result.returncode, result.stderr


def test_the_install_script_is_quiet_when_everything_is_there(tmp_path):
    (tmp_path / "thing").touch()
    assert script(tmp_path, tmp_path / "thing") == (0, "")


def test_the_install_script_goes_on_without_a_package_but_not_in_strict_mode(tmp_path):
    code, said = script(tmp_path, tmp_path / "missing")
    assert code == 0 and "install them with: sudo apt-get install -y thing-pkg" in said
    code, said = script(tmp_path, tmp_path / "missing", TEST_STRICT="1")
    assert code == 1 and "TEST_STRICT is set" in said
    # The list's <NAME>_PATH override applies to the script too.
    (tmp_path / "elsewhere").touch()
    assert script(tmp_path, tmp_path / "missing", THING_PATH=str(tmp_path / "elsewhere")) == (0, "")
