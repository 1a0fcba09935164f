"""The one error type of scan specifications."""

from __future__ import annotations


class SpecError(ValueError):
    """A bad scan specification: ``key`` is the dotted spec key at fault (``"axes.N.thickness"``).

    The message is one line, ``"<key>: <what is wrong>"``, prefixed by ``"<file>:<line>: "``
    (``where``) when the spec came from a TOML file.
    """

    def __init__(self, key: str | None, message: str, where: str | None = None) -> None:
        self.key = key
        self.reason = message
        self.where = where
        text = f"{key}: {message}" if key else message
        super().__init__(f"{where}: {text}" if where else text)
