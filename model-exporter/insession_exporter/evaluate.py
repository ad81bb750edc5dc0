"""Next-item evaluation (the protocol of ../shared/data/README.md).

For every position of every test session: feed the click, rank the full catalog, the target is the next
click. Recall@K (= hit rate) and MRR@K, averaged over all predictions.

* Ties are conservative: rank = 1 + number of OTHER items whose score is >= the target's score.
* A target item unknown to the model is a miss (it still counts as a prediction).
* An input click on an unknown item does not advance the session: the hidden state stays as it was (zeros
  if the session starts with it), and the prediction for the next click is made from that state.
  Nothing is reset.
"""
from __future__ import annotations

import logging
from typing import Dict, Optional

import numpy as np
import torch

from .model import GRU4Rec
from .train import session_parallel_batches

log = logging.getLogger(__name__)


def conservative_ranks(scores: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """1-based rank of each row's target (``targets`` [b], -1 = unknown -> rank = +inf as float) in
    ``scores`` [b, n]; items tied with the target count as ranked above it."""
    known = targets >= 0
    t = targets.clamp(min=0)
    target_scores = scores.gather(1, t.unsqueeze(1))
    ranks = (scores >= target_scores).sum(dim=1).to(torch.float64)  # includes the target itself
    return torch.where(known, ranks, torch.full_like(ranks, float("inf")))


class RankAccumulator:
    def __init__(self, k: int = 20) -> None:
        if k < 1:
            raise ValueError(f"k must be >= 1, got {k}")
        self.k = k
        self.n = 0
        self.hits = 0.0
        self.rr = 0.0

    def add(self, ranks: torch.Tensor) -> None:
        r = ranks.to(torch.float64)
        inside = r <= self.k
        self.n += int(r.numel())
        self.hits += float(inside.sum())
        self.rr += float(torch.where(inside, 1.0 / r, torch.zeros_like(r)).sum())

    def result(self, prefix: str = "") -> Dict[str, float]:
        n = max(self.n, 1)
        return {f"{prefix}recall@{self.k}": self.hits / n, f"{prefix}mrr@{self.k}": self.rr / n,
                f"{prefix}predictions": float(self.n)}


@torch.no_grad()
def evaluate_model(model: GRU4Rec, items: np.ndarray, offsets: np.ndarray, k: int = 20,
                   batch_size: int = 256, device: torch.device = torch.device("cpu")) -> Dict[str, float]:
    """Recall@k / MRR@k of ``model`` on encoded test sessions (``items`` may contain -1 = unknown)."""
    model.to(device).eval()
    acc = RankAccumulator(k)
    hidden = model.init_hidden(batch_size, device)
    for batch in session_parallel_batches(items, offsets, batch_size):
        hidden = hidden[:, torch.from_numpy(batch.keep).to(device)]
        hidden[:, torch.from_numpy(batch.reset).to(device)] = 0.0
        x = torch.from_numpy(batch.inputs).to(device)
        y = torch.from_numpy(batch.targets).to(device)
        known_in = x >= 0
        stepped = model.step(x.clamp(min=0), hidden)
        hidden = torch.where(known_in.view(1, -1, 1), stepped, hidden)
        scores = model.score_items(hidden[-1])
        acc.add(conservative_ranks(scores, y))
    return acc.result()


def evaluate_pop(counts: np.ndarray, items: np.ndarray, offsets: np.ndarray, k: int = 20) -> Dict[str, float]:
    """POP baseline: every prediction ranks the catalog by training click count (same protocol)."""
    acc = RankAccumulator(k)
    c = np.asarray(counts, dtype=np.float64)
    sorted_c = np.sort(c)
    # rank of an item = number of items with count >= its count (conservative ties)
    rank_of = (len(c) - np.searchsorted(sorted_c, c, side="left")).astype(np.float64)
    lengths = offsets[1:] - offsets[:-1]
    targets = np.concatenate([items[offsets[i] + 1:offsets[i + 1]] for i in range(len(lengths)) if lengths[i] >= 2]
                             or [np.zeros(0, dtype=np.int64)])
    ranks = np.where(targets >= 0, rank_of[np.maximum(targets, 0)], np.inf)
    acc.add(torch.from_numpy(ranks))
    return acc.result(prefix="pop_")


def evaluate_all(model: Optional[GRU4Rec], counts: np.ndarray, items: np.ndarray, offsets: np.ndarray,
                 k: int = 20, device: torch.device = torch.device("cpu")) -> Dict[str, float]:
    out = evaluate_pop(counts, items, offsets, k)
    if model is not None:
        out.update(evaluate_model(model, items, offsets, k, device=device))
    return out
