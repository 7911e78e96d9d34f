"""A spool: documents parked on disk between phases, read back in the order they were written."""
from __future__ import annotations

import os
import pickle
import struct
import tempfile
from typing import Any, Iterator

_LEN = struct.Struct("<Q")


class Spool:
    def __init__(self, directory: str | None = None):
        fd, self.path = tempfile.mkstemp(prefix="cleaner-spool-", suffix=".bin", dir=directory)
        self._f = os.fdopen(fd, "w+b")
        self.count = 0

    def write(self, obj: Any) -> None:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        self._f.write(_LEN.pack(len(data)))
        self._f.write(data)
        self.count += 1

    def __iter__(self) -> Iterator[Any]:
        self._f.flush()
        with open(self.path, "rb") as f:
            while True:
                head = f.read(_LEN.size)
                if not head:
                    return
                (n,) = _LEN.unpack(head)
                yield pickle.loads(f.read(n))

    def close(self) -> None:
        try:
            self._f.close()
        finally:
            try:
                os.unlink(self.path)
            except OSError:
                pass

    def __enter__(self) -> "Spool":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
