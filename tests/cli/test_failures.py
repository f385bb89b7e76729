"""What a user sees when something fails: one line and an exit status, never a traceback (coop/cli.py's doc).

Output that cannot be written (a full device, a closed pipe, a target that is not a regular file, a
folder that takes no files), bugs (the safety net), Ctrl-C, memory, warnings, bad option values.
The cases that need a real process (stdout on /dev/full, a closed pipe, signals) run ``coop`` as one;
the others run in-process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import coop.scenarios
from tests.cli.helpers import COOP, invoke, one_line, run_coop, run_script

HAS_DEV_FULL = Path("/dev/full").exists()
CHEAP_OUTPUT = [("list",), ("list", "--format", "json"), ("validate", "ai-arms-race"), ("export", "ai-arms-race"),
                ("--help",), ("export", "--help")]


def _raises(exc: BaseException):
    def raiser(*args, **kwargs):
        raise exc

    return raiser


# ----------------------------------------------------------------------------- standard output
@pytest.mark.skipif(not HAS_DEV_FULL, reason="needs /dev/full")
@pytest.mark.parametrize("args", CHEAP_OUTPUT, ids=" ".join)
def test_stdout_on_a_full_device_is_one_line_and_status_2(args):
    with open("/dev/full", "w") as full:
        res = run_coop(*args, stdout=full)
    assert res.returncode == 2
    assert "cannot write to standard output (No space left on device)" in one_line(res.stderr)


@pytest.mark.parametrize("args", CHEAP_OUTPUT[:4], ids=" ".join)
def test_a_closed_pipe_ends_quietly_with_status_141(args):
    # as `coop list | head -0`: the reader is gone before coop writes (it takes longer than this to start)
    proc = subprocess.Popen([*COOP, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 141
    assert err == ""  # no traceback, no "Exception ignored ... BrokenPipeError" at exit


def test_a_closed_stdout_is_one_line():
    res = run_coop("list", stdout=subprocess.DEVNULL, preexec_fn=lambda: os.close(1))
    assert res.returncode == 2
    assert "standard output (it is closed)" in one_line(res.stderr)


class _Report:
    """Stands in for a solve report (the solving is not what these tests are about)."""

    sections = ("stage",)

    def text(self) -> str:
        return "a report\n" * 1000

    def render(self, fmt: str, brief: bool = False) -> str:
        return self.text()

    def to_dict(self) -> dict:
        return {"report": ["line"] * 1000}


@pytest.mark.parametrize("errno_, strerror", [(28, "No space left on device"), (5, "Input/output error"),
                                              (32, "Broken pipe")])
@pytest.mark.parametrize("args", [("solve", "ai-arms-race"), ("solve", "ai-arms-race", "--format", "json"),
                                  ("list",), ("validate", "ai-arms-race"), ("export", "ai-arms-race")], ids=" ".join)
def test_every_command_survives_a_failing_stdout(monkeypatch, args, errno_, strerror):
    import click

    import coop.sections.report

    real_echo = click.echo

    def echo(message=None, file=None, nl=True, err=False, color=None):
        if not err and file is None:
            raise OSError(errno_, strerror)
        real_echo(message, file=file, nl=nl, err=err, color=color)

    monkeypatch.setattr(click, "echo", echo)
    monkeypatch.setattr(coop.sections.report, "analyse", lambda *a, **k: _Report())
    res = invoke(*args)
    if errno_ == 32:  # a closed pipe: quietly
        assert res.exit_code == 141 and res.stderr == ""
    else:
        assert res.exit_code == 2
        assert one_line(res.stderr) == f"coop: error: cannot write to standard output ({strerror})"


# ----------------------------------------------------------------------------- output files
DEVICES = [p for p in ("/dev/full", "/dev/null") if Path(p).exists()]
SYSTEM_FOLDERS = ("/dev", "/proc", "/sys")


@pytest.fixture
def no_system_files(monkeypatch):
    """A safety belt for the tests that name devices: should coop ever try to rename a file over a device
    (or anything in /dev, /proc, /sys), the test fails instead."""
    real_replace = os.replace

    def guarded(src, dst, *args, **kwargs):
        if os.path.realpath(dst).startswith(SYSTEM_FOLDERS):
            raise AssertionError(f"coop tried to replace {dst}")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", guarded)
    import coop.sweeps.run

    monkeypatch.setattr(coop.sweeps.run, "run", _raises(AssertionError("work started")))


@pytest.mark.parametrize("device", DEVICES)
def test_a_device_is_never_a_target(no_system_files, device):
    # without --force: should the check ever be lost, coop stops at "file exists" and still writes nothing
    res = invoke("export", "ai-arms-race", "-o", device)
    assert res.exit_code == 2
    assert one_line(res.stderr) == (f"coop: error: {device}: this is a device, not a regular file; coop writes its "
                                    "output only to regular files (choose another name)")
    assert Path(device).is_char_device()


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("command", [("export", "ai-arms-race", "-o"), ("sweep", "ai-arms-race", "-o"),
                                     ("sweep", "ai-arms-race", "--plot"),
                                     ("plot", "ai-arms-race", "--kind", "payoff-sets", "-o")], ids=" ".join)
def test_a_link_to_a_device_is_never_followed_into_it(tmp_path, no_system_files, device, command):
    suffix = ".csv" if command[-1] == "-o" and command[0] == "sweep" else ".png" if command[0] != "export" else ""
    target = tmp_path / f"out{suffix or '.nfg'}"  # a table or figure is named by its suffix
    target.symlink_to(device)
    res = invoke(*command, target, "--force")
    assert res.exit_code == 2
    assert f"{target}: this is a device, not a regular file" in one_line(res.stderr)
    assert Path(device).is_char_device() and target.is_symlink()


def test_a_fifo_is_never_a_target(tmp_path, no_system_files):
    fifo = tmp_path / "out.png"
    os.mkfifo(fifo)
    res = invoke("plot", "ai-arms-race", "--kind", "critical-delta", "-o", fifo, "--force")
    assert res.exit_code == 2 and "this is a pipe, not a regular file" in one_line(res.stderr)


@pytest.mark.skipif(not Path("/proc/version").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("args", [("export", "ai-arms-race", "-o", "/proc/version", "--force"),
                                  ("plot", "ai-arms-race", "--kind", "payoff-sets", "-o", "/proc/version", "--force"),
                                  ("plot", "ai-arms-race", "--kind", "payoff-sets", "-o", "/proc/coop.png"),
                                  ("sweep", "ai-arms-race", "-o", "/proc/coop.csv")], ids=" ".join)
def test_proc_files_are_refused_in_one_line(no_system_files, args):
    before = Path("/proc/version").read_text()
    res = invoke(*args)
    assert res.exit_code == 2
    one_line(res.stderr)
    assert Path("/proc/version").read_text() == before


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux /sys")
def test_a_read_only_file_system_is_one_line(no_system_files):
    res = invoke("export", "ai-arms-race", "-o", "/sys/coop.nfg")
    assert res.exit_code == 2
    assert "/sys/coop.nfg: cannot create a file in the folder '/sys'" in one_line(res.stderr)


def test_a_folder_that_refuses_new_files_is_one_line_before_any_work(tmp_path, monkeypatch):
    from coop import output_files

    monkeypatch.setattr(output_files, "_new_temp", _raises(PermissionError(13, "Permission denied")))
    monkeypatch.setattr(coop.scenarios, "load", _raises(AssertionError("work started")))
    res = invoke("sweep", "ai-arms-race", "-o", tmp_path / "t.csv")
    assert res.exit_code == 2
    assert f"cannot create a file in the folder '{tmp_path}' (Permission denied)" in one_line(res.stderr)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write in any folder")
@pytest.mark.parametrize("args", [("export", "ai-arms-race", "-o"), ("plot", "ai-arms-race", "--kind",
                                                                      "critical-delta", "-o")], ids=" ".join)
def test_a_folder_without_write_permission_is_one_line(tmp_path, args):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        res = invoke(*args, folder / "out.png")
    finally:
        folder.chmod(0o700)
    assert res.exit_code == 2
    assert "cannot create a file in the folder" in one_line(res.stderr)
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("args", [("export", "ai-arms-race", "-o"), ("plot", "ai-arms-race", "--kind",
                                                                      "critical-delta", "-o"),
                                  ("sweep", "ai-arms-race", "--plot"), ("sweep", "ai-arms-race", "-o")],
                         ids=" ".join)
def test_a_missing_folder_is_one_line(tmp_path, args):
    name = "out.csv" if args[-1] == "-o" and args[0] == "sweep" else "out.png"
    res = invoke(*args, tmp_path / "missing" / name)
    assert res.exit_code == 2
    assert "does not exist" in one_line(res.stderr)


def _fail_midway(fh_or_path, *_args, **_kwargs):
    """Stands in for a writer: half a file, then a full disk."""
    if isinstance(fh_or_path, (str, os.PathLike)):
        Path(fh_or_path).write_bytes(b"half a file")
    else:
        fh_or_path.write("half a file")
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize("interrupt", [False, True], ids=["disk-full", "ctrl-c"])
@pytest.mark.parametrize("kind", ["export", "plot"])
def test_a_failed_write_leaves_the_existing_file_as_it_was(tmp_path, monkeypatch, kind, interrupt):
    import matplotlib.figure

    from coop import output_files

    target = tmp_path / ("old.nfg" if kind == "export" else "old.png")
    target.write_bytes(b"precious")
    target.chmod(0o640)

    def fail(*args, **kwargs):
        if interrupt:
            raise KeyboardInterrupt
        _fail_midway(*args, **kwargs)

    if kind == "export":
        class Failing:  # open() in coop.output_files: a file whose write fails midway
            def __init__(self, path, *args, **kwargs):
                self.fh = open(path, *args, **kwargs)  # noqa: SIM115

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.fh.close()

            def write(self, text):
                fail(self.fh)

        monkeypatch.setattr(output_files, "open", Failing, raising=False)
        res = invoke("export", "ai-arms-race", "-o", target, "--force")
    else:
        import coop.sections.report

        # the drawing is not what is tested here: any figure will do
        monkeypatch.setattr(coop.sections.report, "draw_figure", lambda *args: matplotlib.figure.Figure())
        monkeypatch.setattr(matplotlib.figure.Figure, "savefig", lambda self, path, **kw: fail(path))
        res = invoke("plot", "ai-arms-race", "--kind", "critical-delta", "-o", target, "--force")
    if interrupt:
        assert res.exit_code == 130 and one_line(res.stderr, "coop: interrupted") == "coop: interrupted"
    else:
        assert res.exit_code == 2
        line = one_line(res.stderr)
        assert "No space left on device" in line and "the existing file is unchanged" in line
    assert target.read_bytes() == b"precious"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary file left behind
    assert target.stat().st_mode & 0o777 == 0o640


# ----------------------------------------------------------------------------- the safety net
def test_a_bug_is_one_line_with_status_1(monkeypatch):
    monkeypatch.setattr(coop.scenarios, "bundled_scenarios", _raises(RuntimeError("boom:\n  second line")))
    res = invoke("list")
    assert res.exit_code == 1
    assert one_line(res.stderr, "coop: internal error: ") == (
        "coop: internal error: RuntimeError: boom: second line (this is a bug in coop; run again with -v to see "
        "the traceback)")


def test_a_bug_with_v_shows_the_traceback(monkeypatch):
    monkeypatch.setattr(coop.scenarios, "bundled_scenarios", _raises(ZeroDivisionError("division by zero")))
    res = invoke("list", "-v")
    assert res.exit_code == 1
    lines = res.stderr.strip().splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert "ZeroDivisionError: division by zero" in res.stderr
    assert lines[-1] == ("coop: internal error: ZeroDivisionError: division by zero (this is a bug in coop; the "
                         "traceback is above)")
    # the level does not stick: the next command without -v is one line again
    assert one_line(invoke("list").stderr, "coop: internal error: ")


def test_the_safety_net_covers_every_command(monkeypatch):
    import coop.inputs

    monkeypatch.setattr(coop.inputs, "load_input", _raises(AssertionError()))
    for command in ("solve", "validate", "export", "plot"):
        extra = ("--kind", "payoff-sets") if command == "plot" else ()
        res = invoke(command, "ai-arms-race", *extra)
        assert res.exit_code == 1, command
        assert one_line(res.stderr, "coop: internal error: AssertionError (this is a bug in coop")


@pytest.mark.parametrize("args", [("list",), ("validate", "ai-arms-race")], ids=" ".join)
def test_ctrl_c_is_one_line_with_status_130(monkeypatch, args):
    import coop.inputs

    monkeypatch.setattr(coop.scenarios, "bundled_scenarios", _raises(KeyboardInterrupt()))
    monkeypatch.setattr(coop.inputs, "load_input", _raises(KeyboardInterrupt()))
    res = invoke(*args)
    assert res.exit_code == 130
    assert one_line(res.stderr, "coop: interrupted") == "coop: interrupted"


def test_ctrl_c_in_a_sweep_keeps_its_own_message(monkeypatch, tmp_path):
    import coop.sweeps.run

    def interrupted(*args, **kwargs):  # the executor says what it kept and how to resume, then re-raises
        print("coop sweep interrupted: 3 of 9 points are kept in STORE; resume ...", file=sys.stderr)
        err = KeyboardInterrupt()
        err.sweep_reported = True
        raise err

    monkeypatch.setattr(coop.sweeps.run, "run", interrupted)
    res = invoke("sweep", "ai-arms-race", "-p", "relative_gains=0:1:9", "--store", tmp_path / "s")
    assert res.exit_code == 130
    assert one_line(res.stderr, "coop sweep interrupted: 3 of 9 points are kept")


def test_ctrl_c_before_a_sweep_starts_is_one_line(monkeypatch):
    # interrupted while the scenario loads or the first point is timed: the executor has said nothing yet
    import coop.sweeps.run

    monkeypatch.setattr(coop.sweeps.run, "run", _raises(KeyboardInterrupt()))
    res = invoke("sweep", "ai-arms-race", "-p", "relative_gains=0:1:9")
    assert res.exit_code == 130
    assert one_line(res.stderr, "coop: interrupted") == "coop: interrupted"


def test_sigint_in_a_real_process_is_one_line_with_status_130():
    script = textwrap.dedent("""
        import sys, time
        import coop.scenarios
        def slow():
            print("ready", file=sys.stderr, flush=True)
            time.sleep(30)
        coop.scenarios.bundled_scenarios = slow
        from coop.cli import cli
        cli(["list"], prog_name="coop")
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stderr.readline() == "ready\n"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert one_line(err, "coop: interrupted") == "coop: interrupted"
    assert out == ""


@pytest.mark.parametrize("make", ["numpy", "bare"])
def test_out_of_memory_is_one_accurate_line_with_status_2(monkeypatch, make):
    def exhausted(*args, **kwargs):
        if make == "numpy":
            np.empty((10**7, 10**7))  # 728 TiB: NumPy says which array it could not allocate
        raise MemoryError

    import coop.inputs

    monkeypatch.setattr(coop.inputs, "load_input", exhausted)
    res = invoke("solve", "ai-arms-race")
    assert res.exit_code == 2
    line = one_line(res.stderr)
    assert line.startswith("coop: error: not enough memory for this input (")
    assert "--method" not in line and "smaller game" not in line
    if make == "numpy":
        assert "unable to allocate 728" in line and "array with shape (10000000, 10000000)" in line


# ----------------------------------------------------------------------------- warnings
NOISY_LIST = textwrap.dedent("""
    import numpy as np
    import coop.scenarios
    real = coop.scenarios.bundled_scenarios
    def noisy():
        np.float64(1e308) * np.float64(10)  # RuntimeWarning: overflow encountered
        import warnings
        warnings.warn("a Python warning", UserWarning)
        return real()
    coop.scenarios.bundled_scenarios = noisy
    from coop.cli import cli
    cli(["list", *{extra}], prog_name="coop")
""")


@pytest.mark.parametrize("verbose", [False, True])
def test_warnings_are_shown_only_with_v(verbose):
    res = run_script(NOISY_LIST.format(extra=["-v"] if verbose else []))
    assert res.returncode == 0
    assert "ai-arms-race" in res.stdout
    if verbose:
        assert "coop: RuntimeWarning: overflow encountered" in res.stderr
        assert "coop: UserWarning: a Python warning" in res.stderr
    else:
        assert res.stderr == ""


def test_warnings_in_process_are_shown_only_with_v(monkeypatch):
    real = coop.scenarios.bundled_scenarios

    def noisy():
        np.float64(1e308) * np.float64(10)
        return real()

    monkeypatch.setattr(coop.scenarios, "bundled_scenarios", noisy)
    assert invoke("list").stderr == ""
    assert "coop: RuntimeWarning: overflow encountered in scalar multiply" in invoke("list", "-v").stderr


def test_an_overflowing_parameter_prints_no_warning():
    # issue 15: this printed NumPy's RuntimeWarning with a source path before its error line
    res = run_coop("validate", "ai-arms-race", "--set", "relative_gains=1e308")
    assert "Warning" not in res.stderr and "Traceback" not in res.stderr
    if res.returncode:
        assert res.returncode == 2
        one_line(res.stderr)


# ----------------------------------------------------------------------------- bad option values
BAD_VALUES = [
    *[(("solve", "ai-arms-race", "--tol"), v) for v in ("nan", "NaN", "inf", "-inf", "0", "-1", "1e-400", "abc",
                                                                  "0.5")],
    *[(("plot", "ai-arms-race", "--kind", "payoff-sets", "--delta"), v)
      for v in ("nan", "inf", "-inf", "-0.1", "1", "1.5", "x")],
    *[(("sweep", "ai-arms-race", "--design", "random", "-p", "relative_gains=0:1", "--points"), v)
      for v in ("0", "-5", "nan", "1.5", "1e3", str(10**8))],
    *[(("sweep", "ai-arms-race", "--seed"), v) for v in ("-1", "nan", "inf", "0.5")],
    *[(("sweep", "ai-arms-race", "--workers"), v) for v in ("0", "-1", "nan", "inf", "2.5")],
    *[((command, "ai-arms-race", "--set"), f"relative_gains={v}")
      for command in ("solve", "validate", "export", "sweep") for v in ("nan", "inf", "-inf", "1e309", "")],
]


@pytest.mark.parametrize("args, value", BAD_VALUES, ids=[f"{a[0]} {a[-1]} {v}" for a, v in BAD_VALUES])
def test_a_bad_option_value_is_one_line_before_any_work(monkeypatch, args, value):
    import coop.inputs
    import coop.sweeps.run

    monkeypatch.setattr(coop.inputs, "load_input", _raises(AssertionError("work started")))
    monkeypatch.setattr(coop.sweeps.run, "run", _raises(AssertionError("work started")))
    res = invoke(*args, value)
    assert res.exit_code == 2, res.stderr
    line = one_line(res.stderr)
    assert (f"'{args[-1]}'" in line) or "NAME=NUMBER" in line, line
    assert f"(see 'coop {args[0]} --help')" in line


@pytest.mark.parametrize("args", [("solv", "ai-arms-race"), ("solve",), ("solve", "ai-arms-race", "--tool", "1"),
                                  ("solve", "ai-arms-race", "--format", "xml"), ("plot", "ai-arms-race")],
                         ids=" ".join)
def test_usage_errors_are_one_line_with_status_2(args):
    res = invoke(*args)
    assert res.exit_code == 2
    assert one_line(res.stderr).endswith("--help')")
