"""A spool: records parked on disk between phases, read back in the order they were written.

A spool can also be a checkpoint: `Spool(path, count=N, size=S)` reopens one, cuts it back to the
last committed record, and appends from there. The count of whole records and the bytes they take
change together (one attribute, set after the record is written), so an interrupt between any two
statements still leaves a mark that a checkpoint can save.
"""
from __future__ import annotations

import os
import pickle
import struct
import tempfile
from typing import Any, Iterator

from cleaner.sinks.atomic import write_error

_LEN = struct.Struct("<Q")


class Spool:
    def __init__(self, path: str | None = None, directory: str | None = None, *, keep: bool = False,
                 count: int = 0, size: int | None = None):
        if path is None:
            fd, path = tempfile.mkstemp(prefix="cleaner-spool-", suffix=".bin", dir=directory)
            os.close(fd)
        self.path, self.keep = path, keep
        mode = "r+b" if size is not None and os.path.exists(path) else "w+b"
        try:
            self._f = open(path, mode)
            if size is not None:
                self._f.truncate(size)
                self._f.seek(size)
        except OSError as e:
            raise write_error(path, e) from None
        self._mark = (count, size or 0)          # (whole records, their bytes)

    @property
    def count(self) -> int:
        return self._mark[0]

    def write(self, obj: Any) -> None:
        self.write_raw(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))

    def write_raw(self, data: bytes) -> None:
        """Append one record already pickled (by a worker: the parent never unpickles it)."""
        count, size = self._mark
        try:
            self._f.write(_LEN.pack(len(data)) + data)
        except OSError as e:
            raise write_error(self.path, e) from None
        self._mark = (count + 1, size + _LEN.size + len(data))

    def commit(self) -> tuple[int, int]:
        """Flush to disk; returns (records, bytes) of the whole records now safely there."""
        mark = self._mark
        try:
            self._f.flush()
            os.fsync(self._f.fileno())
        except OSError as e:
            raise write_error(self.path, e) from None
        return mark

    def raw(self) -> Iterator[bytes]:
        """The records as written, still pickled (to hand on to another process unopened)."""
        self._f.flush()
        with open(self.path, "rb", buffering=1 << 20) as f:
            for _ in range(self.count):
                head = f.read(_LEN.size)
                if len(head) < _LEN.size:
                    return
                (n,) = _LEN.unpack(head)
                yield f.read(n)

    def __iter__(self) -> Iterator[Any]:
        return map(pickle.loads, self.raw())

    def close(self) -> None:
        try:
            self._f.close()
        finally:
            if not self.keep:
                try:
                    os.unlink(self.path)
                except OSError:
                    pass

    def __enter__(self) -> "Spool":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
