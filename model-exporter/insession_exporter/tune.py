"""Self-tuning: what ``train`` does without a hyperparameter file.

1. **Validation split by time.** The readers return sessions in chronological order of their first click
   (file order for files without time, such as the SR-GNN TSVs). The last sessions, covering
   ``valid_fraction`` of the training events (at most ``valid_max_events``), become the validation split;
   the sessions before them are the search's training part. No session is in both. The test file is never
   an input of the tuner (it takes the training sessions only).
2. **Search.** Trials of a small space anchored at the checked-in recipes (``hparams/*.json``): first both
   recipes with the repeat/explore mixture (``repeat``, its gate reading the window: ``gate_features``),
   then seeded random draws (``repeat`` among the drawn keys). A mixture trial measures two rankings: the
   mixture's, and its GRU's own catalog scores, which are exactly those of the plain model of the same
   configuration (the mixture's head never changes the GRU, :func:`.train.mixture_loss`), so the recipes
   themselves are measured without trials of their own. Each trial trains on the most recent
   ``trial_max_events`` events of the training part with a vocabulary of that part only (validation items
   it never saw are misses, as in the test protocol), evaluates Recall@20 / MRR@20 of its rankings on the
   validation split after every epoch and stops early when no ranking's best epoch (:func:`_best`) is the
   latest (patience 1), counting only rankings still in contention (:func:`_in_contention`), or at
   ``max_epochs``. The first trial always finishes its first epoch, however short the budget, so that
   there is always a measured choice.
3. **Budget.** The whole command (reading the data, search and final training) gets ``budget_seconds``.
   The search may use ``search_share`` of it, less the time the final training of the best ranking so far
   would want for up to ``reserve_epochs`` epochs of all the training data (at the clicks/s its trial
   measured, validation excluded, with :data:`RESERVE_MARGIN`), and stops (mid-trial if need be) when
   that is spent; the final training gets what is left, and is stopped at the end of the budget, but
   never within its first epoch.
4. **Choice and retraining.** The ranking with the best validation MRR@20 wins, rankings within
   :data:`MRR_TIE` of it counting as tied and decided by Recall@20 (:func:`_best`); its
   configuration (a plain one when a mixture trial's GRU won) is retrained on the *full* training data
   (split included) for its best epoch count (``max_epochs`` when it was still improving as the budget
   or ``max_epochs`` ended its trial), capped at the epochs that at least start within the rest of the
   budget; every epoch after the first covers the most recent sessions that fit before the deadline
   (:class:`FinalTrainingBudget`).

The record of the search (split boundary, budget, every trial with its parameters, validation metrics
per epoch and seconds, the choice) goes into the bundle's ``metadata.json`` under ``tuning``.
"""
from __future__ import annotations

import logging
import math
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
# The search's estimate of a full-data epoch (the trial's clicks/s) is optimistic: the whole catalog is larger
# than a trial's, and the mixture's calibration scores all of it.
RESERVE_MARGIN = 1.2
# The share of the time left that the final training's epochs after the first plan to fill (the rest is slack
# for the first epoch's throughput being a little optimistic).
FINAL_EPOCH_MARGIN = 0.95
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
    reserve_epochs: int = 2            # full-data epochs of the leading configuration the search leaves free
    seed: int = 42

    def __post_init__(self) -> None:
        if not self.budget_seconds > 0:
            raise ValueError(f"the tuning budget must be > 0 seconds, got {self.budget_seconds}")
        if not 0.0 < self.search_share < 1.0:
            raise ValueError(f"search_share must be in (0, 1), got {self.search_share}")
        if not 0.0 < self.valid_fraction < 0.5:
            raise ValueError(f"valid_fraction must be in (0, 0.5), got {self.valid_fraction}")
        if self.valid_max_events < 2 or self.trial_max_events < 2 or self.max_epochs < 1 or self.max_trials < 1 \
                or self.reserve_epochs < 1:
            raise ValueError("valid_max_events >= 2, trial_max_events >= 2, max_epochs >= 1, max_trials >= 1, "
                             "reserve_epochs >= 1 required")


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


def _plain(params: Mapping[str, Any]) -> Dict[str, Any]:
    """The plain configuration whose GRU a mixture candidate trains (the candidate without the mixture)."""
    return {k: v for k, v in params.items() if k not in MIXTURE}


def candidates(settings: TuneSettings) -> List[Dict[str, Any]]:
    """:data:`REPEAT_ANCHORS` (the recipes with the mixture: each trial also measures its recipe, the GRU it
    trains), then distinct seeded random draws from :data:`SPACE`; ``max_trials`` in all. ``repeat``
    appears in a candidate only when True (a plain candidate reads like a recipe); a plain draw that some
    mixture candidate already measures as its GRU is not drawn again."""
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
            seen.add(tuple(sorted(_plain(p).items())))  # a mixture trial measures its plain twin too
            out.append(p)

    for a in REPEAT_ANCHORS:
        add(dict(a))
    for _ in range(1000):
        if len(out) >= settings.max_trials:
            break
        add({k: v[int(rng.integers(len(v)))] for k, v in SPACE.items()})
    return out[:settings.max_trials]


def full_config(params: Mapping[str, Any], epochs: int) -> Dict[str, Any]:
    """A complete hyperparameter dict (as a hparams file would give it) for ``params``."""
    return {**FIXED, **params, "epochs": epochs}


#: validation MRR@20 within this share of the best counts as a tie, decided by Recall@20: on 30,000
#: validation events such differences are noise (one epoch more or less, 0.1598 against 0.1594, while
#: Recall@20 moved by 0.05 on diginetica)
MRR_TIE = 0.01


#: a ranking still improving keeps its trial going only within this share of the best MRR@20 any ranking had
#: reached by the same epoch
CONTENTION = 0.1


def _best(entries: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The best of ``entries`` (each with ``mrr@20`` and ``recall@20``): the highest Recall@20 among those
    whose MRR@20 is within :data:`MRR_TIE` of the highest (the later entry on a full tie)."""
    top = max(e["mrr@20"] for e in entries)
    close = [e for e in entries if e["mrr@20"] >= top * (1.0 - MRR_TIE)]
    return max(reversed(close), key=lambda e: (e["recall@20"], e["mrr@20"]))


@dataclass
class TuneResult:
    hparams: Dict[str, Any]                 # the chosen configuration, epochs = final epoch count
    record: Dict[str, Any] = field(default_factory=dict)  # metadata.json -> "tuning"
    deadline: float = 0.0                   # clock value at which the whole budget is spent


def _rankings(history: List[Dict[str, Any]]) -> Dict[str, List[Dict[str, float]]]:
    """A trial's validation figures per epoch for each of its rankings: ``own`` (the trained model's) and, for
    a mixture trial, ``plain`` (its GRU's own catalog scores)."""
    out: Dict[str, List[Dict[str, float]]] = {}
    for e in history:
        for name, m in (("own", e), ("plain", e.get("plain"))):
            if m is not None:
                out.setdefault(name, []).append({"epoch": e["epoch"], "recall@20": m["recall@20"],
                                                 "mrr@20": m["mrr@20"]})
    return out


def _in_contention(latest: Mapping[str, Any], histories: List[List[Dict[str, Any]]]) -> bool:
    """Whether a ranking whose ``latest`` epoch is its best may still become the choice: its MRR@20 is within
    :data:`CONTENTION` of the best any ranking of ``histories`` (every ranking measured so far, this
    trial's included) had reached by the same epoch. Compared epoch for epoch, a slow starter is not judged
    against another's fifth epoch; a plain twin far behind its mixture, or a draw far behind the recipes,
    does not keep a trial going."""
    reached = [e for h in histories for e in h if e["epoch"] <= latest["epoch"]]
    return latest["mrr@20"] >= (1.0 - CONTENTION) * _best(reached)["mrr@20"]


def _options(trial: Mapping[str, Any], max_epochs: int) -> List[Dict[str, Any]]:
    """What a measured trial offers the choice: its own ranking, and with a mixture its GRU's plain ranking
    (the plain configuration, measured for free). Each with its best epoch and the epoch count the final
    training would want (the best epoch when that ranking had stopped improving before the trial ended,
    else ``max_epochs``: it might have gone on improving)."""
    out = []
    for name, hist in _rankings(trial["epochs"]).items():
        best = _best(hist)
        ended = "patience" if best["epoch"] < len(hist) else trial["ended_by"]
        ranking = ("mixture" if trial["params"].get("repeat") else "plain") if name == "own" else "plain"
        out.append({"trial": trial["trial"], "ranking": ranking,
                    "params": dict(trial["params"]) if name == "own" else _plain(trial["params"]),
                    "recall@20": best["recall@20"], "mrr@20": best["mrr@20"], "best_epoch": best["epoch"],
                    "ended_by": ended, "wanted_epochs": best["epoch"] if ended == "patience" else max_epochs,
                    "clicks_per_second": trial["clicks_per_second"]})
    return out


def search(data: SessionData, settings: TuneSettings, device: torch.device = torch.device("cpu"),
           clock: Clock = time.monotonic, start: Optional[float] = None) -> TuneResult:
    """Run the search on ``data`` (the training sessions only) and choose the final configuration.
    ``start``: the clock value at which the budget began (default: now), so that a caller can count the
    reading of the data in."""
    start = clock() if start is None else start
    deadline = start + settings.budget_seconds
    search_deadline = start + settings.search_share * settings.budget_seconds
    split = time_split(data, settings.valid_fraction, settings.valid_max_events)
    trial_data = most_recent(split.train, settings.trial_max_events)
    vocab = Vocabulary.from_sessions(trial_data)
    items, offsets = vocab.encode(trial_data)
    v_items, v_offsets = vocab.encode(split.valid)
    full_clicks = data.num_events - data.num_sessions  # what one epoch on all the training data trains on
    log.info("tuning: budget %.0f s (search %.0f s); validation = last %d sessions / %d events (from session %s); "
             "trials train on the last %d sessions / %d events before it, %d items",
             settings.budget_seconds, settings.search_share * settings.budget_seconds, split.valid.num_sessions,
             split.valid.num_events, split.boundary["first_valid_session"], trial_data.num_sessions,
             trial_data.num_events, len(vocab))
    cands = candidates(settings)
    trials: List[Dict[str, Any]] = []
    options: List[Dict[str, Any]] = []
    measured: List[List[Dict[str, Any]]] = []  # every ranking's validation figures per epoch, trial by trial
    stop_reason = "all candidates tried"
    for n, params in enumerate(cands, start=1):
        if options:  # keep the final training's epochs of the best configuration so far out of the search
            lead = _best(options)
            epochs_kept = min(settings.reserve_epochs, lead["wanted_epochs"])
            reserve = RESERVE_MARGIN * epochs_kept * full_clicks / max(lead["clicks_per_second"], 1e-9)
            search_deadline = min(search_deadline, max(deadline - reserve, start))
        if trials and clock() >= search_deadline:
            stop_reason = "search budget spent"
            break
        t0 = clock()
        history: List[Dict[str, Any]] = []
        ended: List[str] = []
        evaluating: List[float] = []
        hp = full_config(params, settings.max_epochs)
        mixture = bool(params.get("repeat"))
        torch.manual_seed(hp["seed"])
        model = GRU4Rec(ModelConfig.from_dict({**hp, "num_items": len(vocab)}))
        tcfg = TrainConfig.from_dict({**hp, "log_every": 10 ** 9})

        def on_epoch_end(epoch: int) -> bool:
            e0 = clock()
            m = evaluate_model(model, v_items, v_offsets, k=20, device=device, plain_too=mixture)
            entry: Dict[str, Any] = {"epoch": epoch, "recall@20": round(m["recall@20"], 6),
                                     "mrr@20": round(m["mrr@20"], 6)}
            if mixture:
                entry["plain"] = {"recall@20": round(m["plain_recall@20"], 6), "mrr@20": round(m["plain_mrr@20"], 6)}
            entry["seconds"] = round(clock() - t0, 3)
            history.append(entry)
            evaluating.append(clock() - e0)
            # patience 1: stop when no ranking in contention has its best epoch now
            rankings = list(_rankings(history).values())
            histories = measured + rankings
            if not any(_best(h)["epoch"] == epoch and _in_contention(h[-1], histories) for h in rankings):
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
        training = max(seconds - sum(evaluating), 1e-9)
        ended_by = ended[0] if ended else ("budget" if stats["stopped"] else "max_epochs")
        trial: Dict[str, Any] = {"trial": n, "params": params, "epochs": history, "ended_by": ended_by,
                                 "seconds": round(seconds, 3), "training_seconds": round(training, 3),
                                 "clicks_per_second": round(stats["clicks"] / training, 1)}
        if history:
            offered = _options(trial, settings.max_epochs)
            own = offered[0]
            trial.update({"best_epoch": own["best_epoch"], "recall@20": own["recall@20"], "mrr@20": own["mrr@20"]})
            if mixture:
                twin = offered[1]
                trial["plain"] = {"best_epoch": twin["best_epoch"], "recall@20": twin["recall@20"],
                                  "mrr@20": twin["mrr@20"]}
            options.extend(offered)
            measured.extend(_rankings(history).values())
            log.info("tuning trial %d/%d: %s -> %s, %.0f s", n, len(cands), params, "; ".join(
                f"{o['ranking']} ranking: best epoch {o['best_epoch']} of {len(history)}, validation recall@20 "
                f"{o['recall@20']:.4f} mrr@20 {o['mrr@20']:.4f}" for o in offered), seconds)
        else:
            trial["unfinished"] = "stopped by the search budget before its first epoch ended"
            log.info("tuning trial %d/%d: %s -> stopped by the budget before its first epoch ended, %.0f s",
                     n, len(cands), params, seconds)
        trials.append(trial)
        if clock() >= search_deadline:
            stop_reason = "search budget spent"
            break
    best = _best(options)
    remaining = deadline - clock()
    seconds_per_epoch = full_clicks / max(best["clicks_per_second"], 1e-9)
    fits = max(remaining, 0.0) / seconds_per_epoch if seconds_per_epoch > 0 else float(best["wanted_epochs"])
    # the final training stops at the deadline (never within its first epoch): plan the epochs it may start
    epochs = max(1, min(best["wanted_epochs"], math.ceil(fits)))
    log.info("tuning chose trial %d's %s ranking (%s): validation recall@20 %.4f mrr@20 %.4f; retraining on all %d "
             "training clicks for %d epoch(s) (best epoch %d; about %.0f s per epoch, %.0f s of the budget left; "
             "epochs after the first on the most recent sessions that fit)", best["trial"], best["ranking"],
             best["params"], best["recall@20"], best["mrr@20"], full_clicks, epochs, best["best_epoch"],
             seconds_per_epoch, remaining)
    record = {
        "budget_seconds": settings.budget_seconds,
        "search_seconds": round(clock() - start, 3),
        "search_stopped": stop_reason,
        "selection": f"validation mrr@20, within {MRR_TIE:.0%} of the best a tie decided by recall@20, over every "
                     "trial's rankings (a mixture trial's GRU also ranks as its plain twin); patience 1 per ranking",
        "device": str(device),
        "settings": {"search_share": settings.search_share, "valid_fraction": settings.valid_fraction,
                     "valid_max_events": settings.valid_max_events, "trial_max_events": settings.trial_max_events,
                     "max_epochs": settings.max_epochs, "max_trials": settings.max_trials,
                     "reserve_epochs": settings.reserve_epochs, "seed": settings.seed},
        "split": {**split.boundary, "trial_sessions": trial_data.num_sessions, "trial_events": trial_data.num_events},
        "trials": trials,
        "chosen": {"trial": best["trial"], "ranking": best["ranking"], "params": best["params"],
                   "recall@20": best["recall@20"], "mrr@20": best["mrr@20"], "best_epoch": best["best_epoch"],
                   "ended_by": best["ended_by"], "final_epochs": epochs,
                   "epochs_estimated_to_fit": round(fits, 2)},
    }
    return TuneResult(full_config(best["params"], epochs), record, deadline)


def recent_start(offsets: np.ndarray, clicks: float) -> int:
    """Index of the first of the most recent sessions (chronological order) whose training clicks (length
    - 1 each) add up to at most ``clicks``: 0 when all fit, the number of sessions when not even the last
    one does."""
    per_session = np.maximum(np.diff(offsets) - 1, 0)
    from_the_end = np.cumsum(per_session[::-1])
    return len(per_session) - int(np.searchsorted(from_the_end, clicks, side="right"))


class FinalTrainingBudget:
    """The final training's callbacks for :func:`.train.train` within the budget's ``deadline``: the first
    epoch always runs whole; every later one covers the most recent sessions that fit before the deadline
    at the throughput the epochs so far measured (times :data:`FINAL_EPOCH_MARGIN`) — the sessions are in
    chronological order, and the most recent ones are most like what the shop will see next, so an epoch
    that cannot be whole leaves out the oldest ones rather than the newest. Should the estimate be wrong,
    training still stops at the deadline."""

    def __init__(self, deadline: float, offsets: np.ndarray, clock: Clock = time.monotonic) -> None:
        self.deadline = deadline
        self.offsets = offsets
        self.clock = clock
        self.from_the_end = np.cumsum(np.maximum(np.diff(offsets) - 1, 0)[::-1])  # clicks of the last k sessions
        self.started = clock()
        self.epoch_ends: List[float] = []
        self.first_session = 0
        self.clicks_trained = 0

    def _clicks_from(self, first_session: int) -> int:
        k = len(self.from_the_end) - first_session
        return int(self.from_the_end[k - 1]) if k > 0 else 0

    def on_epoch_end(self, epoch: int) -> bool:
        self.epoch_ends.append(self.clock())
        self.clicks_trained += self._clicks_from(self.first_session)
        return self.epoch_ends[-1] < self.deadline

    def should_stop(self) -> bool:
        return bool(self.epoch_ends) and self.clock() >= self.deadline

    def epoch_start(self, epoch: int) -> int:
        """0 for the first epoch; later, the most recent sessions that fit, at the throughput of every
        epoch so far."""
        if self.epoch_ends:
            seconds_per_click = max(self.epoch_ends[-1] - self.started, 1e-9) / max(self.clicks_trained, 1)
            fits = max(self.deadline - self.clock(), 0.0) * FINAL_EPOCH_MARGIN / seconds_per_click
            self.first_session = recent_start(self.offsets, fits)
        return self.first_session


def record_final_training(record: Dict[str, Any], stats: Mapping[str, float], clock_seconds: float,
                          sessions: int) -> None:
    """Add the final training's figures to the search record."""
    first = int(stats["last_epoch_first_session"])  # of the last epoch that ran
    record["final_training"] = {"seconds": round(clock_seconds, 3), "epochs_completed": int(stats["epochs"]),
                                "stopped_by_budget": bool(stats["stopped"]),
                                "clicks": int(stats["clicks"]),
                                "last_epoch_sessions": sessions - first,
                                "sessions": sessions}
    if stats["stopped"]:
        log.info("the final training stopped at the end of the tuning budget, within epoch %d",
                 int(stats["epochs"]) + 1)
