"""Training: session-parallel mini-batches, popularity-based negative sampling, BPR-max and cross-entropy.

Session-parallel mini-batches (Hidasi et al. 2016): ``batch_size`` slots each walk through one session; at
every step a slot feeds its current click and predicts the next one. When a slot's session ends, the next
unused session takes the slot and its hidden state row is reset to zeros. Sessions with fewer than two
clicks have no (input, target) pair and are skipped. When no session is left, finished slots are dropped
(the batch shrinks) until every session is consumed.

Negatives (Hidasi & Karatzoglou 2018): the other targets of the mini-batch, plus ``n_sample`` extra
negatives shared by the whole mini-batch, drawn with probability proportional to ``count^alpha``.
A negative equal to a row's own target is masked out for that row. A ``repeat`` model
(:mod:`.model`) also scores each row's own recent items, which join that row's negatives: without them
nothing would stop the repeat bonus from growing without bound, since the session's other items are
rarely among the shared negatives.
"""
from __future__ import annotations

import logging
import math
import time
from dataclasses import asdict, dataclass, fields
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional

import numpy as np
import torch
import torch.nn.functional as F

from .model import GRU4Rec

log = logging.getLogger(__name__)


@dataclass
class TrainConfig:
    loss: str = "bpr-max"          # "bpr-max" | "cross-entropy"
    bpreg: float = 1.0             # BPR-max score regularisation weight (lambda)
    batch_size: int = 32
    n_sample: int = 2048           # shared extra negatives per mini-batch (0 = in-batch only)
    sample_alpha: float = 0.75     # popularity exponent of the sampling distribution
    optimizer: str = "adagrad"     # "adagrad" | "adam"
    learning_rate: float = 0.05
    epochs: int = 10
    shuffle_sessions: bool = False  # keep chronological session order (as in the papers) unless True
    seed: int = 42
    log_every: int = 500           # progress log every N mini-batches

    def __post_init__(self) -> None:
        if self.loss not in ("bpr-max", "cross-entropy"):
            raise ValueError(f"loss must be 'bpr-max' or 'cross-entropy', got {self.loss!r}")
        if self.optimizer not in ("adagrad", "adam"):
            raise ValueError(f"optimizer must be 'adagrad' or 'adam', got {self.optimizer!r}")
        if self.batch_size < 1 or self.n_sample < 0 or self.epochs < 0 or self.log_every < 1:
            raise ValueError("batch_size >= 1, n_sample >= 0, epochs >= 0, log_every >= 1 required")
        if self.learning_rate <= 0:
            raise ValueError(f"learning_rate must be > 0, got {self.learning_rate}")

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "TrainConfig":
        names = {f.name for f in fields(TrainConfig)}
        return TrainConfig(**{k: v for k, v in d.items() if k in names})

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


@dataclass
class Batch:
    inputs: np.ndarray   # int64 [b] model index of the current click of each active slot
    targets: np.ndarray  # int64 [b] model index of the next click
    reset: np.ndarray    # bool [b] the slot started a new session: zero its hidden state before this step
    keep: np.ndarray     # int64 [b] row of the previous batch's hidden state that each slot continues
    index: np.ndarray    # int64 [b] position of the current click in the concatenated ``items``
    pos: np.ndarray      # int64 [b] position of the current click within its session (0 = first click)


def recent_window(items: np.ndarray, batch: Batch, size: int) -> np.ndarray:
    """The session's ``size`` most recent clicks at each slot of ``batch``, most recent first, starting with
    the current click (``batch.inputs``): int64 ``[b, size]``, -1 where the session has fewer clicks (and
    wherever ``items`` has -1, an item unknown to the model). The window the exported repeat graph takes
    as ``recent_items`` and the serving side builds from its session state."""
    if size < 1:
        raise ValueError(f"size must be >= 1, got {size}")
    back = np.arange(size, dtype=np.int64)
    idx = batch.index[:, None] - back[None, :]
    inside = back[None, :] <= batch.pos[:, None]
    return np.where(inside, items[np.maximum(idx, 0)], -1).astype(np.int64)


def session_parallel_batches(items: np.ndarray, offsets: np.ndarray, batch_size: int,
                             order: Optional[np.ndarray] = None) -> Iterator[Batch]:
    """Yield session-parallel mini-batches over sessions given as concatenated ``items`` + ``offsets``.

    ``order`` (default: file order) lists the sessions to use. Sessions shorter than 2 are skipped.
    The caller carries the hidden state: ``h = h[:, batch.keep]; h[:, batch.reset] = 0``."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    lengths = offsets[1:] - offsets[:-1]
    if order is None:
        order = np.arange(len(lengths))
    order = order[lengths[order] >= 2]
    n = len(order)
    slots = order[:batch_size].copy()          # session of each active slot
    pos = np.zeros(len(slots), dtype=np.int64)  # index of the current click within the session
    reset = np.ones(len(slots), dtype=bool)
    keep = np.arange(len(slots))
    next_session = len(slots)
    while len(slots) > 0:
        start = offsets[slots] + pos
        yield Batch(items[start], items[start + 1], reset, keep, start, pos)
        pos = pos + 1
        finished = pos + 1 >= lengths[slots]
        reset = np.zeros(len(slots), dtype=bool)
        if finished.any():
            fin = np.flatnonzero(finished)
            n_new = min(len(fin), n - next_session)
            refill, drop = fin[:n_new], fin[n_new:]
            slots[refill] = order[next_session:next_session + n_new]
            pos[refill] = 0
            reset[refill] = True
            next_session += n_new
            if len(drop):
                alive = np.ones(len(slots), dtype=bool)
                alive[drop] = False
                keep = np.flatnonzero(alive)
                slots, pos, reset = slots[keep], pos[keep], reset[keep]
            else:
                keep = np.arange(len(slots))
        else:
            keep = np.arange(len(slots))


class PopularitySampler:
    """Draws item indices with probability proportional to ``count ** alpha`` (alpha=0: uniform)."""

    def __init__(self, counts: np.ndarray, alpha: float, rng: np.random.Generator) -> None:
        if len(counts) == 0:
            raise ValueError("cannot sample from an empty catalog")
        w = np.asarray(counts, dtype=np.float64) ** alpha
        if not np.all(np.isfinite(w)) or w.sum() <= 0:
            raise ValueError("sampling weights must be finite with a positive sum")
        self.p = w / w.sum()
        self.cdf = np.cumsum(self.p)
        self.cdf[-1] = 1.0
        self.rng = rng

    def sample(self, n: int) -> np.ndarray:
        idx = np.searchsorted(self.cdf, self.rng.random(n), side="right")
        return np.minimum(idx, len(self.cdf) - 1).astype(np.int64)


def bpr_max_loss(scores: torch.Tensor, neg_mask: torch.Tensor, bpreg: float) -> torch.Tensor:
    """BPR-max (Hidasi & Karatzoglou 2018, eq. for L_bpr-max with score regularisation), mean over rows.

    ``scores`` [b, 1+m]: column 0 = the target's score r_i, columns 1.. = negatives r_j.
    ``neg_mask`` [b, m] bool: which negatives count for the row.
    L = -log( sum_j s_j * sigmoid(r_i - r_j) ) + bpreg * sum_j s_j * r_j^2,  s = softmax over the row's negatives.
    """
    pos, neg = scores[:, :1], scores[:, 1:]
    very_neg = torch.finfo(scores.dtype).min / 4
    neg_m = neg.masked_fill(~neg_mask, very_neg)
    log_norm = torch.logsumexp(neg_m, dim=1)                         # log sum_j exp(r_j)
    log_s = neg_m - log_norm.unsqueeze(1)                              # log s_j
    log_terms = (log_s + F.logsigmoid(pos - neg)).masked_fill(~neg_mask, very_neg)
    loss = -torch.logsumexp(log_terms, dim=1)
    reg = (log_s.exp() * neg.pow(2) * neg_mask).sum(dim=1)
    return (loss + bpreg * reg).mean()


def cross_entropy_loss(scores: torch.Tensor, neg_mask: torch.Tensor) -> torch.Tensor:
    """Softmax cross-entropy over (target + the row's negatives); column 0 is the target. Mean over rows."""
    very_neg = torch.finfo(scores.dtype).min / 4
    masked = torch.cat([scores[:, :1], scores[:, 1:].masked_fill(~neg_mask, very_neg)], dim=1)
    return -(masked[:, 0] - torch.logsumexp(masked, dim=1)).mean()


def sampled_loss(scores: torch.Tensor, mask: torch.Tensor, cfg: TrainConfig) -> torch.Tensor:
    """The configured loss (``cfg.loss``) over :func:`sampled_scores`' scores and negative mask."""
    return bpr_max_loss(scores, mask, cfg.bpreg) if cfg.loss == "bpr-max" else cross_entropy_loss(scores, mask)


def sampled_scores(model: GRU4Rec, out: torch.Tensor, targets: torch.Tensor,
                   extra: Optional[torch.Tensor], recent: Optional[torch.Tensor] = None
                   ) -> "tuple[torch.Tensor, torch.Tensor]":
    """Scores [b, 1 + b + m] laid out as (own target, all b batch targets, m extra) and the negative mask
    [b, b + m] (excludes the row's own target and any candidate equal to it).

    With ``recent`` [b, R] (a ``repeat`` model; most recent first, -1 = padding) every score gets the row's
    repeat bonus, and R more columns hold the row's own recent items as negatives [b, 1 + b + m + R]; a
    recent item counts once (its most recent position), and not when it is the target, padding, or
    already among the shared candidates."""
    cand = targets if extra is None else torch.cat([targets, extra])
    s = model.score_items(out, cand)                                   # [b, b+m]
    mask = cand.unsqueeze(0) != targets.unsqueeze(1)
    if recent is not None:
        w, emb = model.repeat_weights(out, recent)
        match = recent.unsqueeze(2) == cand.view(1, 1, -1)             # [b, R, b+m]
        s = s + torch.bmm(w.unsqueeze(1), match.to(w.dtype)).squeeze(1)
        same = recent.unsqueeze(2) == recent.unsqueeze(1)               # [b, R, R]
        total = torch.bmm(same.to(w.dtype), w.unsqueeze(2)).squeeze(2)  # each recent item's whole bonus
        valid = recent >= 0
        bias = model.out_bias(torch.where(valid, recent, torch.zeros_like(recent))).squeeze(2)
        own = torch.bmm(emb, out.unsqueeze(2)).squeeze(2) + bias + total  # [b, R]
        first = ~(same & model.rep_earlier.unsqueeze(0)).any(dim=2)
        own_mask = valid & first & (recent != targets.unsqueeze(1)) & ~match.any(dim=2)
        s = torch.cat([s, own], dim=1)
        mask = torch.cat([mask, own_mask], dim=1)
    pos = s.diagonal().unsqueeze(1)
    return torch.cat([pos, s], dim=1), mask


#: rows per mini-batch (the first ones) on which the mixture's gate and explore temperature learn with the
#: whole catalog's scores
CALIBRATION_ROWS = 16


def mixture_loss(model: GRU4Rec, out: torch.Tensor, targets: torch.Tensor, extra: Optional[torch.Tensor],
                 recent: torch.Tensor, cfg: TrainConfig) -> torch.Tensor:
    """Loss of the repeat/explore mixture (``repeat_mode = "mixture"``, :mod:`.model`), three parts summed:

    * the catalog scores learn exactly as a plain model's (the configured sampled loss over the target,
      the other targets of the mini-batch and the shared negatives, every row), so the GRU is the plain
      GRU; the repeat head reads the session state detached, so its gradients never reach the GRU;
    * the attention learns ``-log R(target)`` by the exact softmax over the R positions on the rows whose
      target is a recent item;
    * on the first :data:`CALIBRATION_ROWS` rows, with the whole catalog's scores (detached): the explore
      temperature learns ``-log E(target)`` on the explore rows, E = softmax of ``tau * s`` over the catalog
      less the recent items (exact normaliser), and the gate ``P(target among the recent items)`` by binary
      cross-entropy, from the state and the GRU's own softmax mass on the recent items
      (:meth:`GRU4Rec.repeat_mass`)."""
    loss = sampled_loss(*sampled_scores(model, out, targets, extra), cfg)
    head = out.detach()
    gate, log_rep, valid, same = model.mixture_parts(head, recent, shield=True)
    at_target = (recent == targets.unsqueeze(1)) & valid
    is_rep = at_target.any(dim=1)
    b = len(targets)
    rep_nll = -(log_rep.masked_fill(~at_target, -1e30).max(dim=1).values)
    loss = loss + rep_nll[is_rep].sum() / b
    # the gate and the temperature need the whole catalog's scores: on the first CALIBRATION_ROWS rows
    rows = torch.arange(min(b, CALIBRATION_ROWS), device=targets.device)
    with torch.no_grad():
        full = model.score_items(head[rows])
        v = valid[rows]
        first = model.first_positions(v, same[rows])
        seen = torch.zeros_like(full).scatter_add_(1, recent[rows].clamp(min=0), v.to(full.dtype)) > 0
        s_t = full.gather(1, targets[rows].unsqueeze(1)).squeeze(1)
    tau = model.explore_temperature()
    log_z = torch.logsumexp((full * tau).masked_fill(seen, -1e30), dim=1)
    explore = ~is_rep[rows]
    if explore.any():  # -log E(target): only tau learns here (the scores are detached)
        loss = loss + (log_z - s_t * tau)[explore].mean()
    mass = model.repeat_mass(full * tau.detach(), recent[rows], first, log_z.detach())
    gate = gate[rows] + model.rep_mass_weight * mass
    loss = loss + F.binary_cross_entropy_with_logits(gate, is_rep[rows].to(gate.dtype))
    return loss


def resolve_device(name: str) -> torch.device:
    if name not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'cpu' or 'cuda', got {name!r}")
    if name == "cuda" and not torch.cuda.is_available():
        log.warning("CUDA requested but not available; falling back to CPU")
        return torch.device("cpu")
    return torch.device(name)


def make_optimizers(model: GRU4Rec, cfg: TrainConfig) -> List[torch.optim.Optimizer]:
    emb = [p for n, p in model.named_parameters() if n.startswith(("in_emb", "out_emb", "out_bias"))]
    dense = [p for n, p in model.named_parameters() if not n.startswith(("in_emb", "out_emb", "out_bias"))]
    if cfg.optimizer == "adagrad":  # torch's Adagrad accepts sparse gradients
        return [torch.optim.Adagrad(emb + dense, lr=cfg.learning_rate)]
    if model.config.sparse:
        return [torch.optim.SparseAdam(emb, lr=cfg.learning_rate), torch.optim.Adam(dense, lr=cfg.learning_rate)]
    return [torch.optim.Adam(emb + dense, lr=cfg.learning_rate)]


def set_seed(seed: int) -> None:
    torch.manual_seed(seed)
    np.random.seed(seed)


def train(model: GRU4Rec, items: np.ndarray, offsets: np.ndarray, counts: np.ndarray, cfg: TrainConfig,
          device: torch.device = torch.device("cpu"), epochs: Optional[int] = None,
          max_batches: Optional[int] = None, on_epoch_end: Optional[Callable[[int], bool]] = None,
          should_stop: Optional[Callable[[], bool]] = None,
          epoch_start: Optional[Callable[[int], int]] = None) -> Dict[str, float]:
    """Train ``model`` in place on encoded sessions (``items`` model indices, ``offsets``).

    Returns ``{"seconds": ..., "clicks": ..., "last_loss": ..., "epochs": ..., "stopped": 0|1,
    "last_epoch_first_session": ...}`` (the first session of the last epoch that ran).
    ``max_batches`` caps the total number of mini-batches (for tests). ``on_epoch_end(epoch)`` (1-based) runs
    after every epoch (the model is in train mode again afterwards) and returns False to stop early;
    ``should_stop()`` is asked every 50 mini-batches and stops training within the epoch when True (the
    tuner's time budget); then ``stopped`` is 1. ``epoch_start(epoch)`` (1-based), asked before every
    epoch, gives the index of the first session the epoch trains on: the sessions are in chronological
    order, so an epoch that cannot cover them all covers the most recent ones (the tuner's last epoch);
    an index past the last session ends the training."""
    if np.any(items < 0):
        raise ValueError("training items must all be in the vocabulary (no -1 indices)")
    set_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    sampler = PopularitySampler(counts, cfg.sample_alpha, rng) if cfg.n_sample > 0 else None
    model.to(device).train()
    optimizers = make_optimizers(model, cfg)
    n_epochs = cfg.epochs if epochs is None else epochs
    t0 = time.perf_counter()
    clicks_total, batches_total, last_loss = 0, 0, float("nan")
    epochs_done, stopped, first_session = 0, False, 0
    n_sessions = len(offsets) - 1
    for epoch in range(n_epochs):
        start = 0 if epoch_start is None else max(0, int(epoch_start(epoch + 1)))
        if start >= n_sessions:
            log.info("epoch %d: no session left to train on within the budget; training ends", epoch + 1)
            break
        first_session = start
        if first_session:
            log.info("epoch %d trains on the most recent %d of %d sessions", epoch + 1, n_sessions - first_session,
                     n_sessions)
        if cfg.shuffle_sessions:
            order: Optional[np.ndarray] = first_session + rng.permutation(n_sessions - first_session)
        else:
            order = np.arange(first_session, n_sessions) if first_session else None
        hidden = model.init_hidden(cfg.batch_size, device)
        t_ep, clicks_ep, loss_sum, n_b = time.perf_counter(), 0, 0.0, 0
        t_log, clicks_log = t_ep, 0
        for batch in session_parallel_batches(items, offsets, cfg.batch_size, order):
            keep = torch.from_numpy(batch.keep).to(device)
            hidden = hidden.detach()[:, keep] if len(batch.keep) != hidden.shape[1] else hidden.detach()
            if batch.reset.any():
                hidden[:, torch.from_numpy(batch.reset).to(device)] = 0.0
            x = torch.from_numpy(batch.inputs).to(device)
            y = torch.from_numpy(batch.targets).to(device)
            hidden = model.step(x, hidden)
            extra = torch.from_numpy(sampler.sample(cfg.n_sample)).to(device) if sampler is not None else None
            recent = (torch.from_numpy(recent_window(items, batch, model.config.recent_items)).to(device)
                      if model.config.repeat else None)
            if recent is not None and model.config.repeat_mode == "mixture":
                loss = mixture_loss(model, model.output(hidden), y, extra, recent, cfg)
            else:
                loss = sampled_loss(*sampled_scores(model, model.output(hidden), y, extra, recent), cfg)
            for opt in optimizers:
                opt.zero_grad(set_to_none=True)
            loss.backward()
            for opt in optimizers:
                opt.step()
            b = len(batch.inputs)
            clicks_ep += b
            clicks_log += b
            last_loss = float(loss)
            loss_sum += last_loss
            n_b += 1
            batches_total += 1
            if not math.isfinite(last_loss):
                raise FloatingPointError(f"loss is {last_loss} at epoch {epoch + 1}, batch {n_b}")
            if n_b % cfg.log_every == 0:
                now = time.perf_counter()
                log.info("epoch %d batch %d: loss %.4f, %.0f clicks/s", epoch + 1, n_b, loss_sum / n_b,
                         clicks_log / max(now - t_log, 1e-9))
                t_log, clicks_log = now, 0
            if max_batches is not None and batches_total >= max_batches:
                break
            if should_stop is not None and n_b % 50 == 0 and should_stop():
                stopped = True
                break
        dt = time.perf_counter() - t_ep
        clicks_total += clicks_ep
        log.info("epoch %d/%d done: %d clicks in %.1f s (%.0f clicks/s), mean loss %.4f", epoch + 1, n_epochs,
                 clicks_ep, dt, clicks_ep / max(dt, 1e-9), loss_sum / max(n_b, 1))
        if stopped:
            log.info("epoch %d stopped early (time budget)", epoch + 1)
            break
        epochs_done += 1
        if max_batches is not None and batches_total >= max_batches:
            break
        if on_epoch_end is not None:
            carry_on = on_epoch_end(epoch + 1)
            model.train()
            if not carry_on:
                break
    model.eval()
    return {"seconds": time.perf_counter() - t0, "clicks": float(clicks_total), "last_loss": last_loss,
            "epochs": float(epochs_done), "stopped": float(stopped), "last_epoch_first_session": float(first_session)}
