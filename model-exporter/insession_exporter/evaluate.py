"""Next-item evaluation (the protocol of ../shared/data/README.md).

For every position of every test session: feed the click, rank the full catalog, the target is the next
click. Recall@K (= hit rate) and MRR@K, averaged over all predictions.

* Ties are conservative: rank = 1 + number of OTHER items whose score is >= the target's score.
* A target item unknown to the model is a miss (it still counts as a prediction).
* An input click on an unknown item does not advance the session: the hidden state stays as it was (zeros
  if the session starts with it), and the prediction for the next click is made from that state.
  Nothing is reset.
* A ``repeat`` model sees the session's ``recent_items`` most recent clicks, the current one first (an
  unknown item is -1 there, as padding), the window the serving side feeds the exported graph.
"""
from __future__ import annotations

import logging
from typing import Dict, Optional

import numpy as np
import torch

from .model import GRU4Rec
from .train import recent_window, session_parallel_batches

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


def repeat_targets(items: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Bool per click position ``i`` of ``items``: the next click (the target predicted at ``i``) is a known
    item that the session already clicked at or before ``i`` (a *repeat* target; the others are *explore*
    targets), as ``./insession evaluate`` splits them."""
    out = np.zeros(len(items), dtype=bool)
    for s in range(len(offsets) - 1):
        seen = set()
        for i in range(int(offsets[s]), int(offsets[s + 1]) - 1):
            seen.add(int(items[i]))
            out[i] = items[i + 1] >= 0 and int(items[i + 1]) in seen
    return out


@torch.no_grad()
def evaluate_model(model: GRU4Rec, items: np.ndarray, offsets: np.ndarray, k: int = 20,
                   batch_size: int = 256, device: torch.device = torch.device("cpu"),
                   plain_too: bool = False) -> Dict[str, float]:
    """Recall@k / MRR@k of ``model`` on encoded test sessions (``items`` may contain -1 = unknown), overall
    and on repeat / explore targets apart (``repeat_*``, ``explore_*``, see :func:`repeat_targets`).

    ``plain_too`` (a mixture model, ``repeat_mode = "mixture"``): also the overall figures of its GRU's own
    catalog scores (``plain_*``), which rank exactly as the plain model of the same configuration would,
    since training never lets the mixture's head change the GRU (:func:`.train.mixture_loss`)."""
    if plain_too and not (model.config.repeat and model.config.repeat_mode == "mixture"):
        raise ValueError("plain_too needs a mixture model (repeat_mode 'mixture'): only its GRU trains as the "
                         "plain model's")
    model.to(device).eval()
    acc, acc_repeat, acc_explore = RankAccumulator(k), RankAccumulator(k), RankAccumulator(k)
    acc_plain = RankAccumulator(k) if plain_too else None
    is_repeat = torch.from_numpy(repeat_targets(items, offsets))
    hidden = model.init_hidden(batch_size, device)
    for batch in session_parallel_batches(items, offsets, batch_size):
        hidden = hidden[:, torch.from_numpy(batch.keep).to(device)]
        hidden[:, torch.from_numpy(batch.reset).to(device)] = 0.0
        x = torch.from_numpy(batch.inputs).to(device)
        y = torch.from_numpy(batch.targets).to(device)
        known_in = x >= 0
        stepped = model.step(x.clamp(min=0), hidden)
        hidden = torch.where(known_in.view(1, -1, 1), stepped, hidden)
        recent = (torch.from_numpy(recent_window(items, batch, model.config.recent_items)).to(device)
                  if model.config.repeat else None)
        if acc_plain is not None and recent is not None:  # the mixture from the catalog scores ranked here too
            plain = model.score_items(hidden[-1])
            acc_plain.add(conservative_ranks(plain, y).cpu())
            scores = model.mixture_log_probs(plain, hidden[-1], recent)
        elif recent is not None:
            scores = model.score_items_repeat(hidden[-1], recent)
        else:
            scores = model.score_items(hidden[-1])
        ranks = conservative_ranks(scores, y).cpu()
        acc.add(ranks)
        rep = is_repeat[torch.from_numpy(batch.index)]
        acc_repeat.add(ranks[rep])
        acc_explore.add(ranks[~rep])
    out = {**acc.result(), **acc_repeat.result("repeat_"), **acc_explore.result("explore_")}
    return out if acc_plain is None else {**out, **acc_plain.result("plain_")}


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


def evaluate_spop(counts: np.ndarray, items: np.ndarray, offsets: np.ndarray, k: int = 20,
                  recent_items: Optional[int] = None) -> Dict[str, float]:
    """S-POP baseline (as the Java ``SessionPopularityScorer``): the session's own known items first, by how
    often the session clicked them (ties: the more recent first), then the catalog by training clicks.
    ``recent_items``: only the session's last N clicks count (default: the whole session so far).
    Same protocol and tie rule as :func:`evaluate_pop`."""
    acc = RankAccumulator(k)
    c = np.asarray(counts, dtype=np.float64)
    pop_rank = (len(c) - np.searchsorted(np.sort(c), c, side="left")).astype(np.float64)
    ranks = []
    for s in range(len(offsets) - 1):
        sess = items[offsets[s]:offsets[s + 1]]
        for t in range(len(sess) - 1):
            target = int(sess[t + 1])
            seen = sess[max(0, t + 1 - recent_items) if recent_items else 0:t + 1]
            # score = count + recency in (0, 1): distinct session items never tie
            score: Dict[int, float] = {}
            for p, item in enumerate(seen.tolist()):
                if item >= 0:
                    score[item] = score.get(item, 0.0) // 1 + 1 + (p + 1) / (len(seen) + 1)
            if target < 0:
                ranks.append(np.inf)
            elif target in score:
                ranks.append(1.0 + sum(1 for v in score.values() if v > score[target]))
            else:  # after the session's items, among the others by popularity (ties conservative)
                others = pop_rank[target] - sum(1 for i in score if c[i] >= c[target])
                ranks.append(len(score) + others)
    acc.add(torch.tensor(ranks, dtype=torch.float64))
    return acc.result(prefix="spop_")


def evaluate_all(model: Optional[GRU4Rec], counts: np.ndarray, items: np.ndarray, offsets: np.ndarray,
                 k: int = 20, device: torch.device = torch.device("cpu")) -> Dict[str, float]:
    out = evaluate_pop(counts, items, offsets, k)
    if model is not None:
        out.update(evaluate_model(model, items, offsets, k, device=device))
    return out
