"""One exception tree: everything designlens raises on purpose derives from DesignlensError."""

from __future__ import annotations


class DesignlensError(Exception):
    """Base of every error designlens raises on purpose."""


class InputError(DesignlensError):
    """An input (path, image, token file) cannot be used; the message names it."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str]]:
        # Keeps the two-argument constructor picklable across worker processes.
        return (type(self), (self.source, self.reason))


class PluginError(DesignlensError):
    """A plugin failed to load or broke its contract."""


class TokenFormatError(DesignlensError):
    """A token document (DTCG) is malformed; the message names the token path."""


class UsageError(DesignlensError):
    """The caller asked for something that does not exist (unknown type, format, option)."""


class AliasError(TokenFormatError):
    """An alias points at nothing or, through a chain, back at itself; the message names the chain."""

    def __init__(self, message: str, chain: tuple[str, ...]) -> None:
        super().__init__(message)
        self.chain = chain

    def __reduce__(self) -> tuple[type[AliasError], tuple[str, tuple[str, ...]]]:
        return (type(self), (str(self), self.chain))


class RuntimeFailure(DesignlensError):
    """A worker or worker pool failed (crash, hang, protocol breach, restart budget spent)."""


class Interrupted(DesignlensError):
    """A job stopped on request (SIGINT, SIGTERM, cancel) before it finished; it can be resumed."""

    def __init__(self, job_id: str, pending: int) -> None:
        super().__init__(f"job {job_id} interrupted with {pending} instance(s) pending")
        self.job_id = job_id
        self.pending = pending
