"""The Arrow C stream reader: every column type lead data has becomes the text a CSV of the
same values would hold (what type inference, encoding and explanations then read)."""

from __future__ import annotations

import math

import pandas as pd
import pyarrow as pa
import pytest

import leadsim
from leadsim import _native


def texts(data, source="<test>"):
    if isinstance(data, pd.DataFrame):
        data = pa.Table.from_pandas(data, preserve_index=False)
    return dict(_native._read_text(data.__arrow_c_stream__(), source))


def test_numbers_booleans_and_missing_values():
    t = pa.table(
        {
            "f8": pa.array([1.5, None, 4.0, math.nan, 1e-7, -0.0], pa.float64()),
            "f4": pa.array([0.1, 2.5, None, 3.0, 1.0, 7.25], pa.float32()),
            "i8": pa.array([-3, 0, None, 2**63 - 1, 5, 6], pa.int64()),
            "i1": pa.array([-128, 127, 0, None, 1, 2], pa.int8()),
            "u4": pa.array([0, 4294967295, None, 1, 2, 3], pa.uint32()),
            "u8": pa.array([2**64 - 1, 0, 1, 2, 3, None], pa.uint64()),
            "b": pa.array([True, False, None, True, True, False]),
            "n": pa.nulls(6),
        }
    )
    got = texts(t)
    # Floats in Rust's shortest round-trip text; NaN and null are missing, as an empty field.
    assert got["f8"] == ["1.5", None, "4.0", None, "1e-7", "-0.0"]
    # float32 keeps its own shortest text (0.1, not 0.10000000149011612).
    assert got["f4"] == ["0.1", "2.5", None, "3.0", "1.0", "7.25"]
    assert got["i8"] == ["-3", "0", None, str(2**63 - 1), "5", "6"]
    assert got["i1"] == ["-128", "127", "0", None, "1", "2"]
    assert got["u4"] == ["0", "4294967295", None, "1", "2", "3"]
    assert got["u8"] == [str(2**64 - 1), "0", "1", "2", "3", None]
    assert got["b"] == ["True", "False", None, "True", "True", "False"]
    assert got["n"] == [None] * 6


def test_every_kind_of_string_and_dictionaries():
    values = ["short", None, "a much longer text than twelve bytes", "  padded  ", "", "émoji ✓"]
    # What a CSV field of each value reads as: trimmed, empty = missing.
    expected = ["short", None, "a much longer text than twelve bytes", "padded", None, "émoji ✓"]
    t = pa.table(
        {
            "utf8": pa.array(values, pa.string()),
            "large": pa.array(values, pa.large_string()),
            "view": pa.array(values, pa.string_view()),
            "dict": pa.array(values, pa.string()).dictionary_encode(),
            "dict16": pa.DictionaryArray.from_arrays(
                pa.array([1, None, 0, 1, 2, 0], pa.int16()), pa.array(["x", "y", None])
            ),
        }
    )
    got = texts(t)
    for c in ("utf8", "large", "view", "dict"):
        assert got[c] == expected, c
    assert got["dict16"] == ["y", None, "x", "y", None, "x"]


def test_pandas_categoricals_and_nullable_dtypes():
    df = pd.DataFrame(
        {
            "cat": pd.Categorical(["b", None, "a", "b"]),
            "Int64": pd.array([1, None, 3, 4], dtype="Int64"),
            "boolean": pd.array([True, None, False, True], dtype="boolean"),
            "obj": pd.Series(["x", None, 3, "y"], dtype=object).astype(str).where(
                lambda s: s != "None"
            ),
        }
    )
    got = texts(df)
    assert got["cat"] == ["b", None, "a", "b"]
    assert got["Int64"] == ["1", None, "3", "4"]
    assert got["boolean"] == ["True", None, "False", "True"]
    assert got["obj"] == ["x", None, "3", "y"]


def test_sliced_batches_keep_their_rows():
    t = pa.table({"i": pa.array(range(100)), "s": pa.array([f"v{k}" for k in range(100)])})
    batches = t.slice(3, 50).to_batches() + t.slice(60, 7).to_batches()
    got = texts(pa.RecordBatchReader.from_batches(t.schema, batches))
    rows = list(range(3, 53)) + list(range(60, 67))
    assert got["i"] == [str(k) for k in rows]
    assert got["s"] == [f"v{k}" for k in rows]


def test_unsupported_types_and_bad_tables_are_input_errors():
    t = pa.table({"ok": [1, 2], "when": pa.array([0, 1], pa.timestamp("s"))})
    with pytest.raises(leadsim.InputError, match=r'<test>: column "when" has Arrow type "tss:"'):
        texts(t)
    with pytest.raises(leadsim.InputError, match="header but no data rows"):
        texts(pa.table({"a": pa.array([], pa.int64())}))
    with pytest.raises(leadsim.InputError, match=r'names column "a" twice'):
        texts(pa.Table.from_arrays([pa.array([1]), pa.array([2])], names=["a", "a"]))


def test_a_stream_is_consumed_once():
    capsule = pa.table({"a": [1]}).__arrow_c_stream__()
    _native._read_text(capsule, "<t>")
    with pytest.raises(ValueError, match="already consumed"):
        _native._read_text(capsule, "<t>")
