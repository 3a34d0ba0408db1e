"""The exceptions leadsim raises.

Every error of the Rust library maps to exactly one class here (the mapping is a ``match`` in
``python/src/errors.rs``, so a new kind of error cannot slip through unmapped). The message is
the one the ``leadsim`` command line prints after ``error:``, and the exception carries what
was wrong as attributes:

* ``kind``: the library's name for the error (``"BadValue"``, ``"Separation"``,
  ``"InvalidHyperparameter"``, ...);
* the fields of that error, e.g. ``path``, ``line``, ``column``, ``value``, ``reason`` for a
  bad value, ``name`` and ``value`` for an option, ``field``, ``problem`` and ``message`` for
  a scenario file problem.

The message is the library's; the command line appends a flag hint to a few (``; set
--alpha ...``), which Python callers, who set options rather than flags, do not get.

``line`` is the 1-based line of a CSV file (the header is line 1). For a DataFrame it is the
line the row would have in ``df.to_csv(index=False)``: row position + 2.

Catch :class:`LeadsimError` for all of them; :class:`InputError`, :class:`ParameterError`,
:class:`ConfigError` and :class:`ModelError` are also :class:`ValueError`, and
:class:`FileError` is an :class:`OSError`.
"""

from __future__ import annotations

__all__ = [
    "LeadsimError",
    "InputError",
    "ParameterError",
    "ConfigError",
    "ModelError",
    "FitError",
    "FileError",
    "CancelledError",
    "LeadsimWarning",
]


class LeadsimError(Exception):
    """Base class of every error leadsim raises."""

    kind: str = ""


class InputError(LeadsimError, ValueError):
    """Bad data: a malformed or empty file, a bad value, an unknown or missing column, a
    target that is not a binary outcome or has a single class."""


class ParameterError(LeadsimError, ValueError):
    """An option outside its valid range (``holdout=1.5``, ``threads=0``, an unknown
    objective or preset...). Carries ``name`` (the option) and ``value``, with the variant's
    other fields (``reason``, ``suggestion``...)."""


class ConfigError(LeadsimError, ValueError):
    """A scenario (file, TOML text or dict) with an unknown key or a value out of range.
    Carries ``path``, ``field`` (the dotted key path), ``problem`` (its kind, such as
    ``"UnknownKey"`` or ``"OutOfRange"``) and ``message``. Also a column mapping of a CRM
    export that cannot be used."""


class ModelError(LeadsimError, ValueError):
    """A file that is not a leadsim model, or one of an unsupported format version."""


class FitError(LeadsimError):
    """The model cannot be fitted as asked: perfect separation, too few rows, no
    convergence, a numerical failure. The message says what to change (``alpha=``,
    ``exclude=``, ``max_iter=``)."""


class FileError(LeadsimError, OSError):
    """A file could not be read or written. Carries ``path`` (also ``filename``), ``errno``
    and ``strerror`` like an :class:`OSError`."""

    def __str__(self) -> str:
        # OSError would print "[Errno 2] ..." once errno is set; keep the library's message.
        return str(self.args[0]) if self.args else ""


class CancelledError(LeadsimError):
    """A run was cancelled before it finished. Ctrl-C raises :class:`KeyboardInterrupt`
    instead; this class exists so that every library error has a Python class."""


class LeadsimWarning(UserWarning):
    """Warnings the command line prints on stderr (dropped columns, in-sample metrics,
    unbounded queues, unmet precision targets, unseen levels) are issued with this category."""
