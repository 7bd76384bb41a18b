"""The canonical ZIP form of a package, shared by the writer and the verifier.

The writer uses ``zipfile`` with the settings of ``member_info``; the verifier rebuilds what
every header must then be (``local_header``, ``central_record``, ``end_records``) and compares
byte for byte, so that a changed byte anywhere in the ZIP structure is found, not only in the
members' contents. The rules are those of ``zipfile`` (CPython 3.11) for a seekable file:

- no data descriptors; general-purpose flags ``0x0800`` (names are UTF-8) on every member;
- method 0 (stored) for ``evidence/…``, 8 (deflated) for the rest;
- every member's time is the archiving day at 00:00:00 (MS-DOS format);
- version 2.0 (20), made by Unix (3), external attributes ``-rw-r--r--``; no comments;
- ZIP64 (version 4.5) as ``zipfile`` does it: a local ZIP64 extra when the uncompressed size
  times 1.05 exceeds ``ZIP64_LIMIT``; central ZIP64 fields when a size or the local header's
  offset exceeds it; ZIP64 end records when the count, the directory's size or its offset do.

A test writes packages with ``zipfile`` (also with a lowered ``ZIP64_LIMIT``) and checks that
these functions give the same bytes, so a change in ``zipfile`` cannot slip by.
"""

from __future__ import annotations

import datetime as dt
import struct
import zipfile

ZIP64_LIMIT = (1 << 31) - 1  # zipfile.ZIP64_LIMIT
FILECOUNT_LIMIT = (1 << 16) - 1
FLAGS = 0x0800
EXTERNAL_ATTR = 0o100644 << 16
MADE_BY_UNIX = 3
VERSION = 20
VERSION_ZIP64 = 45

LOCAL = struct.Struct("<4s2B4HL2L2H")  # zipfile.structFileHeader, 30 bytes
CENTRAL = struct.Struct("<4s4B4HL2L5H2L")  # zipfile.structCentralDir, 46 bytes
END = struct.Struct("<4s4H2LH")  # zipfile.structEndArchive, 22 bytes
END64 = struct.Struct("<4sQ2H2L4Q")  # zipfile.structEndArchive64, 56 bytes
LOCATOR64 = struct.Struct("<4sLQL")  # zipfile.structEndArchive64Locator, 20 bytes
LOCAL_SIG = b"PK\x03\x04"
CENTRAL_SIG = b"PK\x01\x02"
END_SIG = b"PK\x05\x06"
END64_SIG = b"PK\x06\x06"
LOCATOR64_SIG = b"PK\x06\x07"


def dos_time(day: dt.date) -> tuple[int, int]:
    """(time, date) of ``day`` at 00:00:00 in MS-DOS format."""
    return 0, (day.year - 1980) << 9 | day.month << 5 | day.day


class _Utf8Name(zipfile.ZipInfo):
    """Every name is written as UTF-8 with flag bit 11 set, ASCII names included."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.filename.encode("utf-8"), self.flag_bits | FLAGS


def member_info(name: str, *, day: dt.date, stored: bool, size: int) -> zipfile.ZipInfo:
    """The ``ZipInfo`` the writer opens a member with; ``size`` is its uncompressed size."""
    info = _Utf8Name(name, date_time=(day.year, day.month, day.day, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.create_system = MADE_BY_UNIX
    info.create_version = info.extract_version = VERSION
    info.external_attr = EXTERNAL_ATTR
    info.file_size = size
    return info


def local_zip64(size: int) -> bool:
    """Whether the local header carries ZIP64 sizes (``zipfile``'s own rule)."""
    return size * 1.05 > ZIP64_LIMIT


def local_header(*, name: bytes, method: int, time: int, date: int, crc: int,
                 compressed: int, size: int) -> bytes:
    extra = b""
    version = VERSION
    csize, usize = compressed, size
    if local_zip64(size):
        extra = struct.pack("<HHQQ", 1, 16, size, compressed)
        csize = usize = 0xFFFFFFFF
        version = VERSION_ZIP64
    return LOCAL.pack(LOCAL_SIG, version, 0, FLAGS, method, time, date, crc, csize, usize,
                      len(name), len(extra)) + name + extra


def central_record(*, name: bytes, method: int, time: int, date: int, crc: int,
                   compressed: int, size: int, offset: int) -> bytes:
    values: list[int] = []
    csize, usize, where = compressed, size, offset
    if size > ZIP64_LIMIT or compressed > ZIP64_LIMIT:
        values += [size, compressed]
        csize = usize = 0xFFFFFFFF
    if offset > ZIP64_LIMIT:
        values.append(offset)
        where = 0xFFFFFFFF
    extra = struct.pack("<HH" + "Q" * len(values), 1, 8 * len(values), *values) if values \
        else b""
    version = VERSION_ZIP64 if values or local_zip64(size) else VERSION
    return CENTRAL.pack(CENTRAL_SIG, version, MADE_BY_UNIX, version, 0, FLAGS, method, time,
                        date, crc, csize, usize, len(name), len(extra), 0, 0, 0,
                        EXTERNAL_ATTR, where) + name + extra


def end_records(*, count: int, directory_size: int, directory_offset: int) -> bytes:
    """What follows the central directory: [ZIP64 end record, ZIP64 locator,] end record."""
    out = b""
    if (count > FILECOUNT_LIMIT or directory_offset > ZIP64_LIMIT
            or directory_size > ZIP64_LIMIT):
        out += END64.pack(END64_SIG, 44, VERSION_ZIP64, VERSION_ZIP64, 0, 0, count, count,
                          directory_size, directory_offset)
        out += LOCATOR64.pack(LOCATOR64_SIG, 0, directory_offset + directory_size, 1)
        count = min(count, 0xFFFF)
        directory_size = min(directory_size, 0xFFFFFFFF)
        directory_offset = min(directory_offset, 0xFFFFFFFF)
    return out + END.pack(END_SIG, 0, 0, count, count, directory_size, directory_offset, 0)
