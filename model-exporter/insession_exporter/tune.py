"""Self-tuning: what ``train`` does without a hyperparameter file.

1. **Validation split by time.** The readers return sessions in chronological order of their first click
   (file order for files without time, such as the SR-GNN TSVs). The last sessions, covering
   ``valid_fraction`` of the training events (at most ``valid_max_events``), become the validation split;
   the sessions before them are the search's training part. No session is in both. The test file is never
   an input of the tuner (it takes the training sessions only).
2. **Search.** Trials of a small space anchored at the checked-in recipes (``hparams/*.json``): the recipes
   first, then both recipes with the repeat/explore mixture (``repeat``, its gate reading the window:
   ``gate_features``), then seeded random draws (``repeat`` among the drawn keys). Each trial trains on the most recent ``trial_max_events`` events of the
   training part with a vocabulary of that part only (validation items it never saw are misses, as in the
   test protocol), evaluates Recall@20 / MRR@20 on the validation split after every epoch and stops early
   when MRR@20 does not improve (patience 1) or at ``max_epochs``. The first trial always finishes its
   first epoch, however short the budget, so that there is always a measured choice.
3. **Budget.** The whole command (search and final training) gets ``budget_seconds``. The search may use
   ``search_share`` of it, less the time one full-data epoch of the best trial so far would take at its
   measured throughput, and stops (mid-trial if need be) when that is spent; the final training gets what is
   left, and is stopped at the end of the budget, but never within its first epoch.
4. **Choice and retraining.** The trial with the best validation MRR@20 (ties: Recall@20) wins; its
   configuration is retrained on the *full* training data (split included) for its best epoch count
   (``max_epochs`` when the budget or ``max_epochs``, not early stopping, ended the trial), capped so that it
   fits the rest of the budget at the throughput the trial measured.

The record of the search (split boundary, budget, every trial with its parameters, validation metrics
per epoch and seconds, the choice) goes into the bundle's ``metadata.json`` under ``tuning``.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

import numpy as np
import torch

from .data import SessionData, Vocabulary
from .evaluate import evaluate_model
from .model import GRU4Rec, ModelConfig
from .train import TrainConfig, train

log = logging.getLogger(__name__)

Clock = Callable[[], float]

# The checked-in recipes (hparams/diginetica.json = yoochoose-1-64.json, hparams/yoochoose-100k.json) are
# the first trials; every other trial draws each key from these choices.
ANCHORS: Tuple[Dict[str, Any], ...] = (
    {"hidden_size": 256, "constrained_embedding": True, "dropout_embedding": 0.0, "dropout_hidden": 0.2,
     "loss": "bpr-max", "bpreg": 1.0, "n_sample": 2048, "sample_alpha": 0.2, "learning_rate": 0.05,
     "batch_size": 64},
    {"hidden_size": 100, "constrained_embedding": True, "dropout_embedding": 0.0, "dropout_hidden": 0.3,
     "loss": "bpr-max", "bpreg": 1.0, "n_sample": 2048, "sample_alpha": 0.25, "learning_rate": 0.1,
     "batch_size": 32},
)
# The repeat/explore mixture with its window-aware gate (model.py), as every repeat-aware trial has it.
MIXTURE: Dict[str, Any] = {"repeat": True, "repeat_mode": "mixture", "gate_features": True}
# Then both recipes with the mixture: shops differ most in how often sessions go back to their own items,
# so the search measures that switch early, on the configurations most likely to win.
REPEAT_ANCHORS: Tuple[Dict[str, Any], ...] = tuple({**a, **MIXTURE} for a in ANCHORS)
SPACE: Dict[str, Tuple[Any, ...]] = {
    "hidden_size": (64, 100, 128, 256),
    "constrained_embedding": (True, True, False),     # the recipes' choice, drawn twice as often
    "embedding_size": (64, 128, 256),                 # only when not constrained
    "dropout_embedding": (0.0, 0.0, 0.25),
    "dropout_hidden": (0.0, 0.1, 0.2, 0.3, 0.5),
    "loss": ("bpr-max", "bpr-max", "cross-entropy"),
    "bpreg": (0.5, 1.0, 2.0),                         # only with bpr-max
    "n_sample": (512, 2048),
    "sample_alpha": (0.0, 0.2, 0.5, 0.75),
    "learning_rate": (0.02, 0.05, 0.1, 0.2),          # Adagrad
    "batch_size": (32, 64, 128),
    "repeat": (False, True),                          # the repeat/explore mixture over the 10 most recent items
}
# Fixed for every trial (the recipes agree on them).
FIXED: Dict[str, Any] = {"layers": 1, "optimizer": "adagrad", "top_k": 100, "seed": 42}


@dataclass(frozen=True)
class TuneSettings:
    budget_seconds: float = 20 * 60.0
    search_share: float = 0.5          # of the budget, for the search; the rest is for the final training
    valid_fraction: float = 0.1        # of the training events, at the end
    valid_max_events: int = 30_000
    trial_max_events: int = 100_000    # most recent events of the training part used by each trial
    max_epochs: int = 5                # per trial (and for the final training)
    max_trials: int = 12
    seed: int = 42

    def __post_init__(self) -> None:
        if not self.budget_seconds > 0:
            raise ValueError(f"the tuning budget must be > 0 seconds, got {self.budget_seconds}")
        if not 0.0 < self.search_share < 1.0:
            raise ValueError(f"search_share must be in (0, 1), got {self.search_share}")
        if not 0.0 < self.valid_fraction < 0.5:
            raise ValueError(f"valid_fraction must be in (0, 0.5), got {self.valid_fraction}")
        if self.valid_max_events < 2 or self.trial_max_events < 2 or self.max_epochs < 1 or self.max_trials < 1:
            raise ValueError("valid_max_events >= 2, trial_max_events >= 2, max_epochs >= 1, max_trials >= 1 "
                             "required")


@dataclass(frozen=True)
class Split:
    train: SessionData
    valid: SessionData
    boundary: Dict[str, Any]


def time_split(data: SessionData, valid_fraction: float, valid_max_events: int) -> Split:
    """The last sessions (chronological order of the reader) covering ``valid_fraction`` of the events,
    at most ``valid_max_events``, are the validation split; the sessions before them the training part."""
    lengths = [len(s) for s in data.sessions]
    target = min(int(round(valid_fraction * sum(lengths))), valid_max_events)
    first_valid, events = len(lengths), 0
    while first_valid > 0 and events + lengths[first_valid - 1] <= max(target, 1):
        first_valid -= 1
        events += lengths[first_valid]
    if first_valid == len(lengths) or first_valid == 0 \
            or not any(n >= 2 for n in lengths[first_valid:]) or not any(n >= 2 for n in lengths[:first_valid]):
        raise ValueError(f"{data.source}: too little training data to carve a validation split from its end "
                         f"({data.num_sessions} sessions, {data.num_events} events); pass --hparams")
    train_part = SessionData(data.source, data.session_ids[:first_valid], data.sessions[:first_valid])
    valid = SessionData(data.source, data.session_ids[first_valid:], data.sessions[first_valid:])
    boundary = {"order": "chronological by first click (file order for files without time)",
                "train_sessions": train_part.num_sessions, "train_events": train_part.num_events,
                "valid_sessions": valid.num_sessions, "valid_events": valid.num_events,
                "last_train_session": train_part.session_ids[-1], "first_valid_session": valid.session_ids[0]}
    return Split(train_part, valid, boundary)


def most_recent(data: SessionData, max_events: int) -> SessionData:
    """The last sessions of ``data`` holding at most ``max_events`` events (at least one session)."""
    start, events = len(data.sessions), 0
    while start > 0 and (start == len(data.sessions) or events + len(data.sessions[start - 1]) <= max_events):
        start -= 1
        events += len(data.sessions[start])
    return SessionData(data.source, data.session_ids[start:], data.sessions[start:])


def candidates(settings: TuneSettings) -> List[Dict[str, Any]]:
    """The anchors (the recipes, then :data:`REPEAT_ANCHORS`), then distinct seeded random draws from
    :data:`SPACE`; ``max_trials`` in all. ``repeat`` appears in a candidate only when True (a plain
    candidate reads like a recipe)."""
    rng = np.random.default_rng(settings.seed)
    out: List[Dict[str, Any]] = []
    seen = set()

    def add(params: Dict[str, Any]) -> None:
        p = {**params}
        if p["constrained_embedding"]:
            p.pop("embedding_size", None)
        if p["loss"] != "bpr-max":
            p.pop("bpreg", None)
        if not p.get("repeat", False):
            p.pop("repeat", None)
        else:  # the repeat/explore mixture: the logit-space bonus lost to the plain GRU on both data sets
            p.update(MIXTURE)
        key = tuple(sorted(p.items()))
        if key not in seen:
            seen.add(key)
            out.append(p)

    for a in ANCHORS + REPEAT_ANCHORS:
        add(dict(a))
    for _ in range(1000):
        if len(out) >= settings.max_trials:
            break
        add({k: v[int(rng.integers(len(v)))] for k, v in SPACE.items()})
    return out[:settings.max_trials]


def full_config(params: Mapping[str, Any], epochs: int) -> Dict[str, Any]:
    """A complete hyperparameter dict (as a hparams file would give it) for ``params``."""
    return {**FIXED, **params, "epochs": epochs}


def _metric_key(m: Mapping[str, float]) -> Tuple[float, float]:
    return (m["mrr@20"], m["recall@20"])


@dataclass
class TuneResult:
    hparams: Dict[str, Any]                 # the chosen configuration, epochs = final epoch count
    record: Dict[str, Any] = field(default_factory=dict)  # metadata.json -> "tuning"
    deadline: float = 0.0                   # clock value at which the whole budget is spent


def search(data: SessionData, settings: TuneSettings, device: torch.device = torch.device("cpu"),
           clock: Clock = time.monotonic) -> TuneResult:
    """Run the search on ``data`` (the training sessions only) and choose the final configuration."""
    start = clock()
    deadline = start + settings.budget_seconds
    search_deadline = start + settings.search_share * settings.budget_seconds
    split = time_split(data, settings.valid_fraction, settings.valid_max_events)
    trial_data = most_recent(split.train, settings.trial_max_events)
    vocab = Vocabulary.from_sessions(trial_data)
    items, offsets = vocab.encode(trial_data)
    v_items, v_offsets = vocab.encode(split.valid)
    log.info("tuning: budget %.0f s (search %.0f s); validation = last %d sessions / %d events (from session %s); "
             "trials train on the last %d sessions / %d events before it, %d items",
             settings.budget_seconds, settings.search_share * settings.budget_seconds, split.valid.num_sessions,
             split.valid.num_events, split.boundary["first_valid_session"], trial_data.num_sessions,
             trial_data.num_events, len(vocab))
    cands = candidates(settings)
    trials: List[Dict[str, Any]] = []
    stop_reason = "all candidates tried"
    for n, params in enumerate(cands, start=1):
        measured = [t for t in trials if "best_epoch" in t]
        if measured:  # keep one full-data epoch of the best configuration so far for the final training
            lead = max(measured, key=_metric_key)
            reserve = 1.1 * data.num_events / max(lead["clicks_per_second"], 1e-9)
            search_deadline = min(search_deadline, max(deadline - reserve, start))
        if trials and clock() >= search_deadline:
            stop_reason = "search budget spent"
            break
        t0 = clock()
        history: List[Dict[str, float]] = []
        ended: List[str] = []
        hp = full_config(params, settings.max_epochs)
        torch.manual_seed(hp["seed"])
        model = GRU4Rec(ModelConfig.from_dict({**hp, "num_items": len(vocab)}))
        tcfg = TrainConfig.from_dict({**hp, "log_every": 10 ** 9})

        def on_epoch_end(epoch: int) -> bool:
            m = evaluate_model(model, v_items, v_offsets, k=20, device=device)
            history.append({"epoch": epoch, "recall@20": round(m["recall@20"], 6), "mrr@20": round(m["mrr@20"], 6),
                            "seconds": round(clock() - t0, 3)})
            best = max(history, key=_metric_key)
            if best["epoch"] < epoch:  # patience 1: this epoch did not improve on the best
                ended.append("patience")
                return False
            if clock() >= search_deadline:
                ended.append("budget")
                return False
            return True

        # the first trial always finishes its first epoch, so that there is a measured configuration
        first = not trials
        stats = train(model, items, offsets, vocab.counts, tcfg, device=device, on_epoch_end=on_epoch_end,
                      should_stop=lambda: not (first and not history) and clock() >= search_deadline)
        seconds = clock() - t0
        ended_by = ended[0] if ended else ("budget" if stats["stopped"] else "max_epochs")
        trial: Dict[str, Any] = {"trial": n, "params": params, "epochs": history, "ended_by": ended_by,
                                 "seconds": round(seconds, 3),
                                 "clicks_per_second": round(stats["clicks"] / max(seconds, 1e-9), 1)}
        if history:
            best = max(history, key=_metric_key)
            trial.update({"best_epoch": best["epoch"], "recall@20": best["recall@20"], "mrr@20": best["mrr@20"]})
            log.info("tuning trial %d/%d: %s -> best epoch %d of %d, validation recall@20 %.4f mrr@20 %.4f, "
                     "%.0f s", n, len(cands), params, best["epoch"], len(history), best["recall@20"],
                     best["mrr@20"], seconds)
        else:
            trial["unfinished"] = "stopped by the search budget before its first epoch ended"
            log.info("tuning trial %d/%d: %s -> stopped by the budget before its first epoch ended, %.0f s",
                     n, len(cands), params, seconds)
        trials.append(trial)
        if clock() >= search_deadline:
            stop_reason = "search budget spent"
            break
    done = [t for t in trials if "best_epoch" in t]
    best = max(done, key=_metric_key)
    remaining = deadline - clock()
    full_events = data.num_events
    seconds_per_epoch = full_events / max(best["clicks_per_second"], 1e-9)
    fits = int(remaining // seconds_per_epoch) if seconds_per_epoch > 0 else best["best_epoch"]
    # early stopping measured the best epoch count; a trial the budget or max_epochs ended may have had
    # more good epochs ahead, so then the final training takes as many as fit (up to max_epochs)
    wanted = best["best_epoch"] if best["ended_by"] == "patience" else settings.max_epochs
    epochs = max(1, min(wanted, fits))
    log.info("tuning chose trial %d (%s): validation recall@20 %.4f mrr@20 %.4f; retraining on all %d events for %d "
             "epoch(s) (best epoch %d, about %.0f s per epoch, %.0f s of the budget left)", best["trial"],
             best["params"], best["recall@20"], best["mrr@20"], full_events, epochs, best["best_epoch"],
             seconds_per_epoch, remaining)
    record = {
        "budget_seconds": settings.budget_seconds,
        "search_seconds": round(clock() - start, 3),
        "search_stopped": stop_reason,
        "selection": "validation mrr@20, ties by recall@20; patience 1 on validation mrr@20 per trial",
        "device": str(device),
        "settings": {"search_share": settings.search_share, "valid_fraction": settings.valid_fraction,
                     "valid_max_events": settings.valid_max_events, "trial_max_events": settings.trial_max_events,
                     "max_epochs": settings.max_epochs, "max_trials": settings.max_trials, "seed": settings.seed},
        "split": {**split.boundary, "trial_sessions": trial_data.num_sessions, "trial_events": trial_data.num_events},
        "trials": trials,
        "chosen": {"trial": best["trial"], "params": best["params"], "recall@20": best["recall@20"],
                   "mrr@20": best["mrr@20"], "best_epoch": best["best_epoch"], "ended_by": best["ended_by"],
                   "final_epochs": epochs},
    }
    return TuneResult(full_config(best["params"], epochs), record, deadline)


def record_final_training(record: Dict[str, Any], stats: Mapping[str, float], clock_seconds: float) -> None:
    """Add the final training's figures to the search record."""
    record["final_training"] = {"seconds": round(clock_seconds, 3), "epochs_completed": int(stats["epochs"]),
                                "stopped_by_budget": bool(stats["stopped"]),
                                "clicks": int(stats["clicks"])}
    if stats["stopped"]:
        log.warning("the final training reached the end of the tuning budget and stopped within an epoch")
