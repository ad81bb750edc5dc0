import numpy as np
import pytest

from insession_exporter.train import session_parallel_batches


def encode(sessions):
    items = np.array([i for s in sessions for i in s], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in sessions])]).astype(np.int64)
    return items, offsets


def test_session_parallel_hand_made():
    # session 1 has one click: it contributes nothing and is skipped
    sessions = [[10, 11, 12, 13], [20, 21], [30], [40, 41, 42], [50, 51]]
    items, offsets = encode(sessions)
    got = [(b.inputs.tolist(), b.targets.tolist(), b.reset.tolist(), b.keep.tolist())
           for b in session_parallel_batches(items, offsets, 2)]
    assert got == [
        ([10, 20], [11, 21], [True, True], [0, 1]),
        ([11, 40], [12, 41], [False, True], [0, 1]),   # session 20-21 ended, 40.. takes slot 1
        ([12, 41], [13, 42], [False, False], [0, 1]),
        ([50], [51], [True], [0]),                     # slot 0 refilled with 50..; slot 1 dropped (none left)
    ]


def test_every_pair_once_and_state_resets_at_boundaries():
    rng = np.random.default_rng(0)
    sessions = [list(rng.integers(0, 100, size=rng.integers(1, 7))) for _ in range(200)]
    items, offsets = encode(sessions)
    expected = sorted((s[p], s[p + 1], p) for s in sessions for p in range(len(s) - 1))
    seen = []
    # carry a fake "hidden state" = number of clicks fed in the current session; it must equal the position
    h = np.zeros(7, dtype=np.int64)
    for b in session_parallel_batches(items, offsets, 7):
        h = h[b.keep]
        h[b.reset] = 0
        seen.extend(zip(b.inputs.tolist(), b.targets.tolist(), h.tolist()))
        h = h + 1
    assert sorted(seen) == expected


@pytest.mark.parametrize("bs", [1, 3, 50])
def test_batch_sizes(bs):
    items, offsets = encode([[1, 2, 3], [4, 5], [6, 7, 8, 9]])
    pairs = [(i, t) for b in session_parallel_batches(items, offsets, bs)
             for i, t in zip(b.inputs.tolist(), b.targets.tolist())]
    assert sorted(pairs) == [(1, 2), (2, 3), (4, 5), (6, 7), (7, 8), (8, 9)]
    with pytest.raises(ValueError):
        next(session_parallel_batches(items, offsets, 0))
