"""A time limit that can stop C code: run a function in a helper process, kill it when it overruns.

A SIGALRM handler runs only between Python bytecodes, so a page that keeps lxml's parser busy for
minutes cannot be stopped by it (and a broad `except Exception` in a library swallows it). Here each
calling process (each local worker, or the main process of a -j 1 run) forks one persistent helper
that inherits the built step (rules, models) and runs calls sent over a pipe. When a call has not
answered within its limit the helper is killed (SIGKILL) and the next call forks a fresh one, as
datatrove runs its extractor in a subprocess with a timeout. A call costs two pickles of its
argument and result; the fork happens once per process (and once after each kill).

The helper ignores Ctrl-C (the caller decides), dies with its caller (PR_SET_PDEATHSIG on Linux,
else at the end of its pipe), and holds no file descriptor of the caller but its pipe (an output
lock or a terminal pipe is never kept open by it). Where `fork` is missing, or a fresh helper does
not answer a ping within STARTUP_SECONDS (a lock held by another thread at fork time), the
caller falls back to running calls itself (`available` turns False).
"""
from __future__ import annotations

import os
import pickle
import signal
import threading
from contextlib import contextmanager
from multiprocessing.connection import Connection, Pipe
from typing import Any, Callable, Iterator

STARTUP_SECONDS = 10.0
_PING = None          # the message a fresh helper answers without calling fn
_PR_SET_PDEATHSIG = 1


class CallTimeout(Exception):
    """The call did not finish within its limit (the helper running it was killed)."""


class _Expired(BaseException):
    """Raised by the SIGALRM handler: not an Exception, so a library's `except Exception` cannot
    swallow it on its way out of the timed block."""


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """In-process fallback: CallTimeout when the block runs longer than `seconds`.

    SIGALRM acts only in a process's main thread and only between Python bytecodes (C code runs on
    until it returns); elsewhere the block runs unbounded.
    """
    if not seconds or seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise _Expired()

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Expired:
        raise CallTimeout(f"took longer than {seconds:g} s") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class HelperDied(Exception):
    """The helper ended during a call (killed from outside, or crashed in C code)."""


def _die_with_parent(parent: int) -> None:
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass      # not Linux: the helper still ends at the end of its pipe
    if os.getppid() != parent:                         # the caller died before prctl took effect
        os._exit(0)


def _serve(fn: Callable[[Any], Any], conn: Connection) -> None:
    """The helper's loop: receive an argument, send back ("ok", result) or ("error", exception)."""
    while True:
        try:
            arg = conn.recv()
        except (EOFError, OSError):
            return
        if arg is _PING:
            conn.send(("ok", None))
            continue
        try:
            reply: tuple = ("ok", fn(arg))
        except BaseException as e:  # noqa: BLE001 - the caller re-raises it
            reply = ("error", e)
        try:
            conn.send(reply)
        except (pickle.PicklingError, TypeError, AttributeError):
            conn.send(("error", RuntimeError(f"{type(reply[1]).__name__}: {reply[1]}")))


class _Helper:
    def __init__(self, fn: Callable[[Any], Any]):
        parent, child = Pipe()
        caller = os.getpid()
        pid = os.fork()
        if pid == 0:                                   # the helper
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.setitimer(signal.ITIMER_REAL, 0)
                _die_with_parent(caller)
                keep = child.fileno()
                os.closerange(3, keep)
                os.closerange(keep + 1, 65536)
                devnull = os.open(os.devnull, os.O_RDWR)   # stdout may be the corpus (-o -): never write there
                os.dup2(devnull, 0)
                os.dup2(devnull, 1)
                _serve(fn, child)
            finally:
                os._exit(0)
        child.close()
        self.pid, self.conn, self.owner = pid, parent, os.getpid()

    def kill(self, grace: float = 0.0) -> str:
        """Kill the helper (after `grace` seconds to end by itself: its pipe closed, it is exiting)
        and reap it; how it ended, for a message."""
        import time

        deadline = time.monotonic() + grace
        try:
            while True:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() >= deadline:
                    os.kill(self.pid, signal.SIGKILL)
                    _, status = os.waitpid(self.pid, 0)
                    break
                time.sleep(0.01)
        except (ChildProcessError, ProcessLookupError):
            status = 0
        self.conn.close()
        if os.WIFSIGNALED(status):
            return f"signal {signal.Signals(os.WTERMSIG(status)).name}"
        return f"exit status {os.WEXITSTATUS(status)}" if os.WIFEXITED(status) else "ended"


class Watchdog:
    """`call(arg, seconds)`: `fn(arg)` in a helper process, killed after `seconds`.

    One helper per calling thread (and per process: a forked worker never uses its parent's).
    `prepare` runs in the caller before each helper is forked (load what every call needs once).
    """

    def __init__(self, fn: Callable[[Any], Any], prepare: Callable[[], None] | None = None):
        from cleaner.engines.local import can_fork

        self.fn, self.prepare = fn, prepare
        self.available = can_fork()
        self._local = threading.local()

    def __getstate__(self) -> dict:
        # sent to another process (spawn, Ray): helpers are per process, never shipped
        return {"fn": self.fn, "prepare": self.prepare, "available": self.available}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._local = threading.local()

    def _helper(self) -> _Helper | None:
        h = getattr(self._local, "helper", None)
        if h is not None and h.owner == os.getpid():
            return h
        if self.prepare is not None:
            self.prepare()
        h = _Helper(self.fn)
        try:
            self._exchange(h, _PING, STARTUP_SECONDS)
        except Exception:  # noqa: BLE001 - a helper that cannot run: calls run in this process
            h.kill()
            self.available = False
            return None
        self._local.helper = h
        return h

    def _exchange(self, h: _Helper, arg: Any, seconds: float) -> Any:
        try:
            h.conn.send(arg)
            ready = h.conn.poll(seconds)
        except (OSError, EOFError):
            ready = True                               # the helper is gone: recv says how
        if not ready:
            h.kill()
            raise CallTimeout(f"took longer than {seconds:g} s")
        try:
            kind, value = h.conn.recv()
        except (EOFError, OSError):
            how = h.kill(grace=1.0)
            raise HelperDied(f"the extraction process ended unexpectedly ({how})") from None
        if kind == "error":
            raise value
        return value

    def call(self, arg: Any, seconds: float | None) -> Any:
        """`fn(arg)` stopped after `seconds` with CallTimeout: in the helper (then replaced), or in
        this process under `time_budget` when no helper can run (or `seconds` is None: unbounded)."""
        h = self._helper() if seconds and seconds > 0 and self.available else None
        if h is None:
            with time_budget(seconds):
                return self.fn(arg)
        try:
            return self._exchange(h, arg, seconds)
        except (CallTimeout, HelperDied):
            self._local.helper = None
            raise

    def close(self) -> None:
        h = getattr(self._local, "helper", None)
        if h is not None and h.owner == os.getpid():
            h.kill()
        self._local.helper = None
