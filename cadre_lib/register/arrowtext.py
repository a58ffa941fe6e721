"""Fast text lookups: Arrow hashing instead of Python objects, for millions of codes and ids."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def as_arrow_text(values: pd.Series | pd.Index | np.ndarray | list[str] | pa.ChunkedArray
                  ) -> pa.Array | pa.ChunkedArray:
    """Text values as an Arrow large_string array (zero-copy for pandas' Arrow-backed ``str``); NaN/None
    become nulls."""
    if isinstance(values, pa.ChunkedArray):
        return values
    return pa.array(values, type=pa.large_string(), from_pandas=True)


def _stacked(columns: list[pd.Series]) -> pa.ChunkedArray:
    """Several text columns as one Arrow array (their chunks side by side, no copy)."""
    chunks: list[pa.Array] = []
    for values in columns:
        arr = as_arrow_text(values)
        chunks.extend(arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr])
    return pa.chunked_array(chunks, type=pa.large_string())


def _split(flat: np.ndarray, columns: list[pd.Series]) -> list[np.ndarray]:
    return np.split(flat, np.cumsum([len(c) for c in columns])[:-1])


def lookup(values: pd.Series | pd.Index | np.ndarray | pa.ChunkedArray,
           keys: pd.Series | pd.Index | np.ndarray) -> np.ndarray:
    """Position of each text value in ``keys`` (unique), -1 where absent or missing: the same as
    ``pd.Index(keys).get_indexer(values)``, without turning millions of cells into Python strings."""
    pos = pc.index_in(as_arrow_text(values), value_set=as_arrow_text(keys))
    out: np.ndarray = np.asarray(pc.fill_null(pos, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    return out


def lookup_many(columns: list[pd.Series], keys: pd.Series | pd.Index | np.ndarray) -> list[np.ndarray]:
    """:func:`lookup` of several columns in the same keys, hashing the keys once."""
    return _split(lookup(_stacked(columns), keys), columns) if columns else []


def isin(values: pd.Series | pd.Index | np.ndarray | pa.ChunkedArray,
         keys: pd.Series | pd.Index | np.ndarray | list[str]) -> np.ndarray:
    """``values.isin(keys)`` for text, as a numpy bool array."""
    found = pc.is_in(as_arrow_text(values), value_set=as_arrow_text(keys))
    out: np.ndarray = np.asarray(pc.fill_null(found, False).to_numpy(zero_copy_only=False), dtype=bool)
    return out


def isin_many(columns: list[pd.Series], keys: pd.Series | pd.Index | np.ndarray) -> list[np.ndarray]:
    """:func:`isin` of several columns in the same keys, hashing the keys once."""
    return _split(isin(_stacked(columns), keys), columns) if columns else []

def nfc_series(s: pd.Series) -> pd.Series:
    """NFC-normalise a text column, as a ``str`` Series (Arrow-backed). Only the distinct values of a
    non-ASCII column go through the normaliser; a chunk already in NFC is kept as it is."""
    arr = as_arrow_text(s)
    if len(arr) > arr.null_count and not pc.all(pc.string_is_ascii(arr)).as_py():
        chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
        arr = pa.chunked_array([_nfc_chunk(c) for c in chunks], type=pa.large_string())
    return pd.Series(pd.array(arr, dtype="str"), index=s.index)


def _nfc_chunk(chunk: pa.Array) -> pa.Array:
    encoded = pc.dictionary_encode(chunk)
    normal = pc.utf8_normalize(encoded.dictionary, form="NFC")
    if normal.equals(encoded.dictionary):
        return chunk
    return pa.DictionaryArray.from_arrays(encoded.indices, normal).dictionary_decode()
