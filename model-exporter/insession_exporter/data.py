"""Readers for the session click-stream formats under ../shared/data (beside the checkout), and the item vocabulary.

Supported formats (item ids and session ids are kept as strings):

* TSV with header ``SessionId<TAB>ItemId<TAB>Pos``  (SR-GNN splits; ``Pos`` = 0-based click position, no time)
* TSV with header ``SessionId<TAB>ItemId<TAB>Time`` (GRU4Rec format; ``Time`` = unix seconds, float)
* (both TSVs: columns found by header name, any order; extra columns such as ``SessionTime`` are ignored)
* raw DIGINETICA CSV with header ``session_id;user_id;item_id;timeframe;eventdate``
* raw YOOCHOOSE ``.dat`` without header: ``session,ISO-8601 time,item,category``

Every reader returns a :class:`SessionData`: sessions in chronological order of their first click
(file order when there is no time), each session's clicks in click order. Bad input raises
``ValueError`` naming the file and the 1-based line number.
"""
from __future__ import annotations

import logging
import os
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Dict, Iterable, List, Tuple

import numpy as np

log = logging.getLogger(__name__)

# One parsed click: (session id, item id, sort key within session, session order key)
_Click = Tuple[str, str, float, Tuple]


@dataclass(frozen=True)
class SessionData:
    """Sessions read from one file. ``sessions[i]`` holds the item ids of ``session_ids[i]`` in click order."""

    source: str
    session_ids: List[str]
    sessions: List[List[str]]

    @property
    def num_events(self) -> int:
        return sum(len(s) for s in self.sessions)

    @property
    def num_sessions(self) -> int:
        return len(self.sessions)

    def item_counts(self) -> Counter:
        return Counter(item for s in self.sessions for item in s)

    def head(self, num_sessions: int) -> "SessionData":
        """The first ``num_sessions`` sessions (handy for slices in tests)."""
        return SessionData(self.source, self.session_ids[:num_sessions], self.sessions[:num_sessions])


def _bad(path: str, lineno: int, msg: str) -> ValueError:
    return ValueError(f"{path}:{lineno}: {msg}")


def _group(path: str, clicks: Iterable[_Click]) -> SessionData:
    """Group clicks by session; order clicks by their key (stable) and sessions by their order key."""
    by_session: Dict[str, List[Tuple[float, int, str]]] = {}
    session_key: Dict[str, Tuple] = {}
    for n, (sid, item, key, skey) in enumerate(clicks):
        lst = by_session.get(sid)
        if lst is None:
            by_session[sid] = lst = []
            session_key[sid] = skey
        elif skey < session_key[sid]:
            session_key[sid] = skey
        lst.append((key, n, item))
    order = sorted(by_session, key=lambda s: session_key[s])
    sessions = [[item for _, _, item in sorted(by_session[s])] for s in order]
    data = SessionData(source=path, session_ids=order, sessions=sessions)
    log.info("read %s: %d events, %d sessions", path, data.num_events, data.num_sessions)
    return data


def _read_lines(path: str) -> List[str]:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().splitlines()
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: not UTF-8 text: {e}") from e


def read_tsv(path: str) -> SessionData:
    """TSV with a header naming ``SessionId``, ``ItemId`` and ``Time`` or ``Pos`` (tab-separated).

    Columns are found by their header name, in any order; other columns (such as SR-GNN's
    ``SessionTime``) are ignored. With both ``Time`` and ``Pos``, ``Time`` orders the clicks."""
    lines = _read_lines(path)
    if not lines:
        raise ValueError(f"{path}:1: empty file, expected a header 'SessionId<TAB>ItemId<TAB>Pos|Time'")
    header = [h.strip() for h in lines[0].rstrip("\r").split("\t")]
    key_name = "Time" if "Time" in header else "Pos"
    missing = [c for c in ("SessionId", "ItemId") if c not in header] + ([] if key_name in header else ["Pos or Time"])
    if missing:
        raise _bad(path, 1, f"expected a header with columns SessionId, ItemId and Pos or Time (other columns are "
                            f"ignored), missing {', '.join(missing)}: {lines[0]!r}")
    repeated = sorted({h for h in header if header.count(h) > 1 and h in ("SessionId", "ItemId", key_name)})
    if repeated:
        raise _bad(path, 1, f"column {repeated[0]} appears more than once: {lines[0]!r}")
    at_sid, at_item, at_key = header.index("SessionId"), header.index("ItemId"), header.index(key_name)
    has_time = key_name == "Time"

    def clicks() -> Iterable[_Click]:
        for lineno, line in enumerate(lines[1:], start=2):
            line = line.rstrip("\r")
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) != len(header):
                raise _bad(path, lineno, f"expected {len(header)} tab-separated fields (as in the header), "
                                         f"got {len(parts)}: {line!r}")
            sid, item, k = parts[at_sid].strip(), parts[at_item].strip(), parts[at_key].strip()
            if not sid or not item:
                raise _bad(path, lineno, f"empty SessionId or ItemId: {line!r}")
            try:
                key = float(k) if has_time else float(int(k))
            except ValueError:
                raise _bad(path, lineno, f"bad {key_name} value {k!r}") from None
            if key != key or (not has_time and key < 0):
                raise _bad(path, lineno, f"bad {key_name} value {k!r}")
            # sessions ordered by first click time; without time: by first appearance in the file
            yield sid, item, key, ((key,) if has_time else (lineno,))

    return _group(path, clicks())


def read_diginetica_csv(path: str) -> SessionData:
    """Raw CIKM Cup 2016 ``train-item-views`` CSV: ``session_id;user_id;item_id;timeframe;eventdate``.

    ``timeframe`` is ms since the session's first event; sessions are ordered by (eventdate, first timeframe,
    session id)."""
    lines = _read_lines(path)
    expected = "session_id;user_id;item_id;timeframe;eventdate"
    if not lines or lines[0].strip().replace("sessionId;userId;itemId", "session_id;user_id;item_id") != expected:
        raise _bad(path, 1, f"expected header {expected!r}, got {lines[0] if lines else ''!r}")

    def clicks() -> Iterable[_Click]:
        for lineno, line in enumerate(lines[1:], start=2):
            line = line.rstrip("\r")
            if not line.strip():
                continue
            parts = line.split(";")
            if len(parts) != 5:
                raise _bad(path, lineno, f"expected 5 ';'-separated fields, got {len(parts)}: {line!r}")
            sid, _user, item, tf, date = (p.strip() for p in parts)
            if not sid or not item:
                raise _bad(path, lineno, f"empty session_id or item_id: {line!r}")
            try:
                t = float(int(tf))
                datetime.strptime(date, "%Y-%m-%d")
            except ValueError:
                raise _bad(path, lineno, f"bad timeframe {tf!r} or eventdate {date!r}") from None
            yield sid, item, t, (date, t, int(sid) if sid.isdigit() else 0, sid)

    return _group(path, clicks())


def _parse_iso(ts: str) -> float:
    if ts.endswith("Z"):
        ts = ts[:-1] + "+00:00"
    return datetime.fromisoformat(ts).timestamp()


def read_yoochoose_dat(path: str) -> SessionData:
    """Raw RecSys Challenge 2015 ``yoochoose-clicks.dat``: no header, ``session,ISO time,item,category``."""
    lines = _read_lines(path)

    def clicks() -> Iterable[_Click]:
        for lineno, line in enumerate(lines, start=1):
            line = line.rstrip("\r")
            if not line.strip():
                continue
            parts = line.split(",")
            if len(parts) != 4:
                raise _bad(path, lineno, f"expected 4 ','-separated fields (session,time,item,category), "
                                         f"got {len(parts)}: {line!r}")
            sid, ts, item, _cat = (p.strip() for p in parts)
            if not sid or not item:
                raise _bad(path, lineno, f"empty session or item: {line!r}")
            try:
                t = _parse_iso(ts)
            except ValueError:
                raise _bad(path, lineno, f"bad ISO-8601 timestamp {ts!r}") from None
            yield sid, item, t, (t,)

    return _group(path, clicks())


def read_sessions(path: str) -> SessionData:
    """Read any supported format, chosen from the first line of the file."""
    if not os.path.isfile(path):
        raise ValueError(f"{path}: no such file")
    with open(path, encoding="utf-8", errors="replace") as f:
        first = f.readline().strip()
    if "SessionId" in (h.strip() for h in first.split("\t")):
        return read_tsv(path)
    if first.lower().startswith(("session_id;", "sessionid;")):
        return read_diginetica_csv(path)
    if first.count(",") == 3:
        return read_yoochoose_dat(path)
    raise _bad(path, 1, "unknown format: expected a 'SessionId<TAB>ItemId<TAB>Pos|Time' header, "
                        "a diginetica 'session_id;user_id;item_id;timeframe;eventdate' header, "
                        "or yoochoose 'session,time,item,category' rows")


@dataclass(frozen=True)
class Vocabulary:
    """Model index <-> item id, with training click counts. Index 0 is the most clicked item
    (ties broken by item id), so ``items.tsv`` reads as a popularity list."""

    item_ids: List[str]
    counts: np.ndarray  # int64 [num_items]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {item: i for i, item in enumerate(self.item_ids)})

    @staticmethod
    def from_sessions(data: SessionData) -> "Vocabulary":
        counts = data.item_counts()
        items = sorted(counts, key=lambda it: (-counts[it], it))
        return Vocabulary(items, np.array([counts[i] for i in items], dtype=np.int64))

    def __len__(self) -> int:
        return len(self.item_ids)

    def index(self, item: str) -> int:
        """Model index of ``item``, or -1 when it is not in the vocabulary."""
        return self._index.get(item, -1)  # type: ignore[attr-defined]

    def encode(self, data: SessionData) -> Tuple[np.ndarray, np.ndarray]:
        """Concatenated model indices (-1 = unknown item) and session offsets ``[num_sessions + 1]``."""
        lengths = np.array([len(s) for s in data.sessions], dtype=np.int64)
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        idx = np.fromiter((self.index(i) for s in data.sessions for i in s), dtype=np.int64,
                          count=int(offsets[-1]))
        return idx, offsets

    def write_tsv(self, path: str) -> None:
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write("index\titem_id\tcount\n")
            for i, (item, c) in enumerate(zip(self.item_ids, self.counts)):
                if "\t" in item or "\n" in item:
                    raise ValueError(f"item id {item!r} contains a tab or newline; cannot write {path}")
                f.write(f"{i}\t{item}\t{int(c)}\n")

    @staticmethod
    def read_tsv(path: str) -> "Vocabulary":
        lines = _read_lines(path)
        if not lines or lines[0] != "index\titem_id\tcount":
            raise _bad(path, 1, "expected header 'index<TAB>item_id<TAB>count'")
        items: List[str] = []
        counts: List[int] = []
        for lineno, line in enumerate(lines[1:], start=2):
            parts = line.split("\t")
            if len(parts) != 3 or parts[0] != str(len(items)):
                raise _bad(path, lineno, f"expected '{len(items)}<TAB>item_id<TAB>count', got {line!r}")
            try:
                counts.append(int(parts[2]))
            except ValueError:
                raise _bad(path, lineno, f"bad count {parts[2]!r}") from None
            items.append(parts[1])
        return Vocabulary(items, np.array(counts, dtype=np.int64))
