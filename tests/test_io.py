"""Atomic writes of qdgain._io: content, permissions, no temporary left on failure."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qdgain._io import atomic_write, atomic_write_bytes, atomic_write_text


def test_text_and_bytes_round_trip_with_plain_open_permissions(tmp_path: Path) -> None:
    p = atomic_write_text(tmp_path / "a.txt", "µ 1\n")
    assert p.read_text(encoding="utf-8") == "µ 1\n"
    q = atomic_write_bytes(tmp_path / "b.bin", b"\x00\x01", fsync=True)
    assert q.read_bytes() == b"\x00\x01"
    umask = os.umask(0)
    os.umask(umask)
    assert (q.stat().st_mode & 0o777) == (0o666 & ~umask)
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a.txt", "b.bin"]


def test_failed_writer_keeps_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    p = atomic_write_text(tmp_path / "a.txt", "old")

    def boom(tmp: str) -> None:
        Path(tmp).write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write(p, boom)
    assert p.read_text() == "old"
    assert [x.name for x in tmp_path.iterdir()] == ["a.txt"]


def test_suffix_reaches_the_writer(tmp_path: Path) -> None:
    seen = []
    atomic_write(tmp_path / "f.png", lambda tmp: (seen.append(tmp), Path(tmp).write_bytes(b"")),
                 suffix=".tmp.png")
    assert seen[0].endswith(".tmp.png")
