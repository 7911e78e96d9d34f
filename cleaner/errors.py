"""How errors reach the user: one line, and the exit status the contract gives them."""
from __future__ import annotations

# The exit statuses of the contract, shared by the command line and the commands it runs.
EXIT_OK = 0             # finished (check: nothing found; fix: nothing changed)
EXIT_NOTHING = 1        # nothing could be processed (check: findings; fix: a file was rewritten)
EXIT_USAGE = 2          # usage or configuration error, or a named file that cannot be read or written
EXIT_INTERRUPTED = 130  # Ctrl-C
EXIT_TERMINATED = 143   # SIGTERM, handled as Ctrl-C is


def one_line(e: BaseException) -> str:
    msg = str(e).strip().splitlines()
    text = msg[0] if msg else type(e).__name__
    return text if not isinstance(e, (KeyError, TypeError, AttributeError, AssertionError)) or str(e) else f"{type(e).__name__}: {text}"


class ConfigError(ValueError):
    """A bad configuration: the message names the file and the key (exit status 2)."""


def exit_code_for(e: BaseException) -> int:
    try:
        from cleaner.ruleset import RuleError
    except ImportError:  # pragma: no cover
        RuleError = ConfigError  # type: ignore[misc,assignment]
    if isinstance(e, (ConfigError, RuleError, UsageError)):
        return 2
    return 1


class UsageError(ValueError):
    """The command was pointed at the wrong thing (a path that is no corpus): exit status 2."""


class DocumentFailure(Exception):
    """A step's verdict that one document cannot be processed (the run goes on).

    `str(e)` is shown as it is (`cleaner: SOURCE: REASON`); `kind` is the failure's key in the
    stats (`failures: {kind: n}`).
    """

    def __init__(self, reason: str, kind: str):
        super().__init__(reason)
        self.kind = kind
