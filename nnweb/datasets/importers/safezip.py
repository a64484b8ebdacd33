"""Careful reading of uploaded zip archives.

Every entry is checked before a byte is extracted: names must stay inside the
archive's folder (no ``..``, no absolute or drive paths), symlinks and
encrypted entries are refused, the declared uncompressed total and each entry's
compression ratio are bounded, and reading is capped at the declared size so an
entry that lies about its size is caught while it is read.
"""

from __future__ import annotations

import os
import posixpath
import stat
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

from ..limits import Limits, human_bytes
from . import DatasetRejected

JUNK_PARTS = {"__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini"}
CHUNK = 1 << 16


def _is_junk(name: str) -> bool:
    parts = name.split("/")
    return any(p in JUNK_PARTS or p.startswith("._") for p in parts)


def check_entry_name(name: str) -> str:
    """Normalised relative path of an entry, or DatasetRejected if it escapes."""
    where = f"archive entry {name!r}"
    if "\x00" in name:
        raise DatasetRejected("contains a NUL character", where=where)
    if "\\" in name:
        raise DatasetRejected(
            "uses '\\' in its path; only '/' separators are accepted", where=where
        )
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise DatasetRejected(
            "is an absolute path; entries must stay inside the archive", where=where
        )
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise DatasetRejected("escapes its folder with '..'", where=where)
    norm = posixpath.normpath(name) if parts else ""
    return norm


class SafeZip:
    """A validated view of an uploaded zip. Use :meth:`files` and :meth:`read`."""

    def __init__(
        self, source: str | os.PathLike | BinaryIO, limits: Limits, what: str = "archives"
    ):
        self.limits = limits
        if isinstance(source, str | os.PathLike):
            size = os.path.getsize(source)
        else:
            source.seek(0, os.SEEK_END)
            size = source.tell()
            source.seek(0)
        if size > limits.archive_max_bytes:
            raise DatasetRejected(
                f"the file is {human_bytes(size)}; the limit for {what} is "
                f"{human_bytes(limits.archive_max_bytes)}"
            )
        try:
            self.zf = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError, ValueError) as err:
            raise DatasetRejected(f"not a readable zip archive ({err})") from None
        infos = self.zf.infolist()
        if len(infos) > limits.max_zip_entries:
            raise DatasetRejected(
                f"the archive holds {len(infos)} entries; the limit is {limits.max_zip_entries}"
            )
        self.entries: dict[str, zipfile.ZipInfo] = {}
        declared_total = 0
        for info in infos:
            norm = check_entry_name(info.filename)
            where = f"archive entry {info.filename!r}"
            mode = (info.external_attr >> 16) & 0xFFFF
            if stat.S_ISLNK(mode):
                raise DatasetRejected("is a symbolic link; links are not accepted", where=where)
            if info.flag_bits & 0x1:
                raise DatasetRejected(
                    "is encrypted; upload an archive without a password", where=where
                )
            if info.is_dir() or not norm or _is_junk(norm):
                continue
            if norm in self.entries:
                raise DatasetRejected("appears twice in the archive", where=where)
            declared_total += info.file_size
            if declared_total > limits.max_uncompressed_bytes:
                raise DatasetRejected(
                    "the archive would unpack to more than "
                    f"{human_bytes(limits.max_uncompressed_bytes)}; that is the limit"
                )
            if (
                info.file_size > 1024 * 1024
                and info.compress_size * limits.max_zip_ratio < info.file_size
            ):
                raise DatasetRejected(
                    f"compresses {info.file_size / max(info.compress_size, 1):.0f}:1 "
                    f"(limit {limits.max_zip_ratio:g}:1); zip bombs are refused",
                    where=where,
                )
            self.entries[norm] = info
        if declared_total > 16 * 1024 * 1024 and declared_total > size * limits.max_zip_ratio:
            raise DatasetRejected(
                f"the archive would unpack to {human_bytes(declared_total)} from "
                f"{human_bytes(size)} (more than {limits.max_zip_ratio:g}:1); zip bombs are refused"
            )
        self.bytes_read = 0

    def files(self) -> list[str]:
        return sorted(self.entries)

    def read(self, name: str) -> bytes:
        """Read one entry, never more than it declared (and the archive-wide cap)."""
        info = self.entries[name]
        where = f"archive entry {name!r}"
        out = bytearray()
        try:
            with self.zf.open(info) as fh:
                while True:
                    chunk = fh.read(min(CHUNK, info.file_size + 1 - len(out)) or 1)
                    if not chunk:
                        break
                    out += chunk
                    if len(out) > info.file_size:
                        raise DatasetRejected(
                            "holds more data than its header declares; refused as a zip bomb",
                            where=where,
                        )
                    if self.bytes_read + len(out) > self.limits.max_uncompressed_bytes:
                        raise DatasetRejected(
                            "the archive unpacks to more than "
                            f"{human_bytes(self.limits.max_uncompressed_bytes)}; that is the limit"
                        )
        except DatasetRejected:
            raise
        except zipfile.BadZipFile as err:
            raise DatasetRejected(
                f"its data does not match what its header declares ({err}); "
                "damaged archives and zip bombs are refused",
                where=where,
            ) from None
        except (OSError, EOFError, ValueError, NotImplementedError) as err:
            raise DatasetRejected(f"cannot be read ({err})", where=where) from None
        if len(out) != info.file_size:
            raise DatasetRejected(
                f"is {len(out)} bytes but declares {info.file_size}; the archive is damaged",
                where=where,
            )
        self.bytes_read += len(out)
        return bytes(out)

    def iter_read(self) -> Iterator[tuple[str, bytes]]:
        for name in self.files():
            yield name, self.read(name)

    def close(self) -> None:
        self.zf.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
