"""A scenario dict written as TOML text, for the library's scenario parser.

Every top-level key becomes one line, ``key = value``, with nested dicts as inline tables and
lists as arrays (``[[scenario]]`` entries become ``scenario = [{...}, {...}]``, which TOML reads
the same way). Keys keep the dict's order, which matters for a ``[sweep]``: its axes run in
the order written. Numbers are written as Python prints them (``repr``), so a sweep label
reads like the value in the dict.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import ConfigError

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def dumps(doc: Mapping[str, Any], source: str) -> str:
    """TOML text for ``doc``; ``source`` names the dict in error messages."""
    if not isinstance(doc, Mapping):
        raise _error(source, "", f"a scenario must be a dict, not {type(doc).__name__}")
    return "".join(
        f"{_key(k, '', source)} = {_value(v, str(k), source)}\n" for k, v in doc.items()
    )


def _error(source: str, field: str, message: str) -> ConfigError:
    """A :class:`ConfigError` with the attributes the library's errors carry."""
    e = ConfigError(f"{source}: {field}: {message}" if field else f"{source}: {message}")
    e.kind, e.path, e.field, e.message = "Config", source, field, message
    return e


def _key(key: Any, parent: str, source: str) -> str:
    if not isinstance(key, str):
        raise _error(source, parent, f"keys must be strings, found {key!r}")
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _string(s: str) -> str:
    out = []
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _value(v: Any, path: str, source: str) -> str:
    # numpy scalars and arrays (np.float64, np.bool_, np.array([...])) as Python values.
    if hasattr(v, "tolist") and not isinstance(v, (str, bytes, Mapping, Sequence)):
        v = v.tolist()
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        x = float(v)
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return repr(x)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, Mapping):
        items = [
            f"{_key(k, path, source)} = {_value(x, f'{path}.{k}', source)}" for k, x in v.items()
        ]
        return "{ " + ", ".join(items) + " }" if items else "{}"
    if isinstance(v, Sequence) and not isinstance(v, (bytes, bytearray)):
        return "[" + ", ".join(_value(x, f"{path}[{i}]", source) for i, x in enumerate(v)) + "]"
    if v is None:
        raise _error(source, path, "None has no TOML form; leave the key out to take its default")
    raise _error(source, path, f"a {type(v).__name__} has no TOML form")
