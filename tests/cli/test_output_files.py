"""coop.output_files: every file coop writes is checked first and appears whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from coop.errors import InputError
from coop.output_files import check_target, figure_format, replacing, write_text
from coop.sweeps import output as sweep_output


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_new_file_appears_whole_with_the_usual_permissions(tmp_path):
    out = write_text(tmp_path / "a.nfg", "NFG 1 R")
    assert out.read_text() == "NFG 1 R" and names(tmp_path) == ["a.nfg"]
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_replacing_keeps_the_permissions_of_the_file_it_replaces(tmp_path):
    out = tmp_path / "a.csv"
    out.write_text("old")
    out.chmod(0o600)
    write_text(out, "new", force=True)
    assert out.read_text() == "new" and out.stat().st_mode & 0o777 == 0o600


def test_an_existing_file_needs_force(tmp_path):
    out = tmp_path / "a.csv"
    out.write_text("old")
    with pytest.raises(InputError, match="file exists; use --force"):
        write_text(out, "new")
    assert out.read_text() == "old"


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt(), ValueError("bug")])
def test_a_failure_leaves_the_old_file_and_no_temporary_file(tmp_path, error):
    out = tmp_path / "a.csv"
    out.write_text("old")
    with pytest.raises(InputError if isinstance(error, OSError) else type(error)) as caught:
        with replacing(out, force=True) as tmp:
            tmp.write_text("half")
            raise error
    if isinstance(error, OSError):
        assert str(caught.value) == (f"{out}: cannot write the file (No space left on device); the existing file is "
                                     "unchanged")
    assert out.read_text() == "old" and names(tmp_path) == ["a.csv"]


def test_a_link_is_followed_and_kept(tmp_path):
    real = tmp_path / "real.nfg"
    real.write_text("old")
    link = tmp_path / "link.nfg"
    link.symlink_to(real)
    write_text(link, "new", force=True)
    assert link.is_symlink() and real.read_text() == "new"


def test_targets_that_are_not_regular_files_are_refused(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="this is a pipe, not a regular file"):
        check_target(fifo, force=True)
    with pytest.raises(InputError, match="this is a folder, not a regular file"):
        check_target(tmp_path, force=True)
    if Path("/dev/null").exists():
        with pytest.raises(InputError, match="this is a device, not a regular file"):
            write_text("/dev/null", "x", force=True)
        assert Path("/dev/null").is_char_device()


def test_a_target_that_becomes_a_device_while_writing_is_not_replaced(tmp_path):
    out = tmp_path / "a.csv"
    with pytest.raises(InputError, match="not a regular file"), replacing(out) as tmp:
        tmp.write_text("data")
        os.mkfifo(out)  # made while the content was written
    assert names(tmp_path) == ["a.csv"] and not out.is_file()


def test_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(InputError, match="the folder .* does not exist"):
        check_target(tmp_path / "no" / "a.csv")


@pytest.mark.parametrize("name, fmt", [("a.png", "png"), ("a.SVG", "svg"), ("dir.x/a.pdf", "pdf")])
def test_figure_formats(name, fmt):
    assert figure_format(name) == fmt


@pytest.mark.parametrize("name", ["a.jpg", "a", "a.png.tmp", ".png"])
def test_other_figure_suffixes_are_refused(name):
    with pytest.raises(InputError, match=r"unknown figure format .*; name the file \.png, \.svg or \.pdf"):
        figure_format(name)


@pytest.mark.parametrize("suffix", [".csv", ".json", ".parquet"])
def test_a_sweep_table_that_fails_midway_leaves_the_old_file(tmp_path, monkeypatch, suffix):
    out = tmp_path / f"t{suffix}"
    out.write_bytes(b"precious")

    def fail(parts, fh, *args):
        next(iter(parts))
        if isinstance(fh, (str, os.PathLike)):
            Path(fh).write_bytes(b"half")
        else:
            fh.write("half")
        raise OSError(28, "No space left on device")

    for writer in ("_write_csv", "_write_json", "_write_parquet"):
        monkeypatch.setattr(sweep_output, writer, fail)
    table = pd.DataFrame({"x": [0.0, 1.0]})
    with pytest.raises(InputError, match="No space left on device"):
        sweep_output.write_table(table, out, force=True)
    assert out.read_bytes() == b"precious" and names(tmp_path) == [out.name]


def test_a_sweep_table_refuses_a_device(tmp_path):
    link = tmp_path / "t.csv"
    if not Path("/dev/null").exists():
        pytest.skip("needs /dev/null")
    link.symlink_to("/dev/null")
    with pytest.raises(InputError, match="this is a device"):
        sweep_output.write_table(pd.DataFrame({"x": [0.0]}), link, force=True)
