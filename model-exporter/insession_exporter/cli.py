"""Command line: ``python3 -m insession_exporter train|quantize|index|synthetic|evaluate ...`` (see README.md)."""
from __future__ import annotations

import argparse
import ctypes
import json
import logging
import os
import sys
import time
from dataclasses import fields
from typing import Any, Dict, List, Optional

import numpy as np
import torch

from .data import Vocabulary, read_sessions
from .evaluate import evaluate_all
from .export import export
from .model import GRU4Rec, ModelConfig
from .ivf import IvfSettings, ivf_bundle, retrieval_choice
from .quantize import quantize_bundle, write_metrics
from .train import TrainConfig, resolve_device, train
from .tune import Clock, FinalTrainingBudget, TuneSettings, record_final_training, search

log = logging.getLogger("insession_exporter")

_MODEL_KEYS = {f.name for f in fields(ModelConfig)} - {"num_items"}
_TRAIN_KEYS = {f.name for f in fields(TrainConfig)}
_OTHER_KEYS = {"top_k", "comment", "retrieval"}


def load_hparams(path: str) -> Dict[str, Any]:
    """A flat JSON object of ModelConfig + TrainConfig fields plus ``top_k``; unknown keys are an error."""
    try:
        with open(path, encoding="utf-8") as f:
            hp = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise ValueError(f"{path}: cannot read hyperparameters: {e}") from e
    if not isinstance(hp, dict):
        raise ValueError(f"{path}: expected a JSON object")
    unknown = set(hp) - _MODEL_KEYS - _TRAIN_KEYS - _OTHER_KEYS
    if unknown:
        raise ValueError(f"{path}: unknown hyperparameters {sorted(unknown)}")
    return hp


def train_and_export(train_file: str, hparams: Optional[Dict[str, Any]], out_dir: str, name: str,
                     test_file: Optional[str] = None, epochs: Optional[int] = None, device_name: str = "cpu",
                     max_batches: Optional[int] = None, tune_settings: Optional[TuneSettings] = None,
                     clock: Clock = time.monotonic, retrieval: Any = None) -> Dict[str, Any]:
    """Read, train, evaluate (when ``test_file``), export. Returns the bundle metadata.

    With ``hparams`` None the exporter tunes itself (:mod:`.tune`) on the training file within
    ``tune_settings.budget_seconds`` and records the search in ``metadata.json`` -> ``tuning``; the test
    file is read only after the final model is trained.

    ``retrieval`` (``--retrieval``) overrides the recipe's ``"retrieval"`` (exact when neither says);
    see :func:`.export.export`."""
    torch.set_num_threads(1)
    device = resolve_device(device_name)
    began = clock()  # the tuning budget counts the reading of the data in
    train_data = read_sessions(train_file)
    tuning: Optional[Dict[str, Any]] = None
    deadline: Optional[float] = None
    if hparams is None:
        if epochs is not None:
            raise ValueError("--epochs needs --hparams (without it the tuner chooses the epochs)")
        result = search(train_data, tune_settings or TuneSettings(), device=device, clock=clock, start=began)
        hp, tuning, deadline = dict(result.hparams), result.record, result.deadline
    else:
        hp = dict(hparams)
    hp.pop("comment", None)
    retrieval = hp.pop("retrieval", None) if retrieval is None else retrieval
    hp.pop("retrieval", None)
    if epochs is not None:
        hp["epochs"] = epochs
    vocab = Vocabulary.from_sessions(train_data)
    retrieval_choice(retrieval, len(vocab))  # a bad setting fails before the training, not after it
    items, offsets = vocab.encode(train_data)
    mcfg = ModelConfig.from_dict({**hp, "num_items": len(vocab)})
    tcfg = TrainConfig.from_dict(hp)
    torch.manual_seed(tcfg.seed)
    model = GRU4Rec(mcfg)
    log.info("training on %s: %d sessions, %d events, %d items; device %s; %s", train_file,
             train_data.num_sessions, train_data.num_events, len(vocab), device, hp)
    t_train = clock()
    if deadline is None:
        stats = train(model, items, offsets, vocab.counts, tcfg, device=device, max_batches=max_batches)
    else:  # the rest of the tuning budget
        budget = FinalTrainingBudget(deadline, offsets, clock)
        stats = train(model, items, offsets, vocab.counts, tcfg, device=device, max_batches=max_batches,
                      on_epoch_end=budget.on_epoch_end, should_stop=budget.should_stop,
                      epoch_start=budget.epoch_start)
    log.info("trained %d clicks in %.1f s", stats["clicks"], stats["seconds"])
    if tuning is not None:
        record_final_training(tuning, stats, clock() - t_train, train_data.num_sessions)
    metrics: Dict[str, Any] = {}
    if test_file:
        test = read_sessions(test_file)
        t_items, t_offsets = vocab.encode(test)
        t0 = time.perf_counter()
        m = evaluate_all(model, vocab.counts, t_items, t_offsets, k=20, device=device)
        log.info("evaluated %s in %.1f s: %d predictions; GRU4Rec recall@20 %.4f mrr@20 %.4f; "
                 "POP recall@20 %.4f mrr@20 %.4f", test_file, time.perf_counter() - t0, m["predictions"],
                 m["recall@20"], m["mrr@20"], m["pop_recall@20"], m["pop_mrr@20"])
        log.info("GRU4Rec on repeat targets (%d): recall@20 %.4f mrr@20 %.4f; on explore targets (%d): "
                 "recall@20 %.4f mrr@20 %.4f", m["repeat_predictions"], m["repeat_recall@20"],
                 m["repeat_mrr@20"], m["explore_predictions"], m["explore_recall@20"], m["explore_mrr@20"])
        metrics = {"test_file": os.path.basename(test_file), "recall@20": round(m["recall@20"], 6),
                   "mrr@20": round(m["mrr@20"], 6), "pop_recall@20": round(m["pop_recall@20"], 6),
                   "pop_mrr@20": round(m["pop_mrr@20"], 6)}
    hyper = {**{k: v for k, v in mcfg.to_dict().items() if k != "num_items"}, **tcfg.to_dict(),
             "top_k": hp.get("top_k", 100)}
    training_data = {"train_file": os.path.basename(train_file), "sessions": train_data.num_sessions,
                     "events": train_data.num_events, "items": len(vocab)}
    return export(model, out_dir, vocab, name=name, top_k=int(hp.get("top_k", 100)), hyperparameters=hyper,
                  training_data=training_data, metrics=metrics, tuning=tuning, retrieval=retrieval)


def synthetic_bundle(out_dir: str, num_items: int, hidden_size: int, *, top_k: int = 100, seed: int = 42,
                     retrieval: Any = None) -> Dict[str, Any]:
    """A **synthetic** bundle for speed measurements: an untrained GRU4Rec (constrained embedding, random
    weights ~ U(-0.1, 0.1), seeded) over ``num_items`` made-up items ``synthetic-<i>``; same graph and
    contract as a trained bundle of that size. Its lists mean nothing; its name says ``synthetic``."""
    if num_items < 1 or hidden_size < 1:
        raise ValueError(f"synthetic bundle needs num_items and hidden_size >= 1, got {num_items}, {hidden_size}")
    torch.manual_seed(seed)
    model = GRU4Rec(ModelConfig(num_items=num_items, hidden_size=hidden_size, constrained_embedding=True))
    vocab = Vocabulary([f"synthetic-{i}" for i in range(num_items)], np.ones(num_items, dtype=np.int64))
    return export(model, out_dir, vocab, name=f"synthetic-{num_items}x{hidden_size}", top_k=top_k,
                  hyperparameters={"synthetic": True, "seed": seed, "hidden_size": hidden_size},
                  training_data={"synthetic": "random weights, no training"}, retrieval=retrieval)


def _ivf_settings(args: argparse.Namespace, bundle_dir: str) -> IvfSettings:
    """The ``index`` options; on a source that is already IVF, its index's sizes with the new ``--probe``."""
    with open(os.path.join(bundle_dir, "metadata.json"), encoding="utf-8") as f:
        src = json.load(f)
    num_items = int(src["num_items"])
    given = {k: v for k, v in (("lists", args.lists), ("probe", args.probe), ("cap_factor", args.cap_factor))
             if v is not None}
    if src.get("retrieval", {}).get("type") == "ivf":
        if set(given) != {"probe"}:
            raise ValueError(f"{bundle_dir} already has ivf retrieval: give --probe alone to search more or fewer "
                             "of its lists, or index the exact bundle")
        r = src["retrieval"]
        given = {"lists": r["lists"], "probe": args.probe, "cap_factor": r["kmeans"]["cap_factor"]}
    return IvfSettings.from_dict({"type": "ivf", **given}, num_items)


def _retrieval_arg(value: str) -> Any:
    """``exact``, ``ivf``, ``auto`` or a JSON object such as ``{"type": "ivf", "lists": 1024, "probe": 16}``."""
    if value.lstrip().startswith("{"):
        try:
            return json.loads(value)
        except json.JSONDecodeError as e:
            raise argparse.ArgumentTypeError(f"--retrieval: not valid JSON: {e}") from e
    if value not in ("exact", "ivf", "auto"):
        raise argparse.ArgumentTypeError(f"--retrieval must be exact, ivf, auto or a JSON object, got {value!r}")
    return value


def evaluate_bundle(bundle_dir: str, test_file: str) -> Dict[str, float]:
    """Evaluate a bundle's ``model.onnx`` (executed with the NumPy ONNX interpreter) on ``test_file``.

    Uses the same protocol as training-time evaluation (a repeat bundle gets the same ``recent_items``
    windows), but ranks only within the bundle's ``top_k``
    (enough for Recall@20/MRR@20 when top_k >= 20); ties at the top-k boundary are resolved by TopK."""
    import onnx

    from .evaluate import RankAccumulator, evaluate_pop
    from .onnx_numpy import run
    from .train import recent_window, session_parallel_batches

    with open(os.path.join(bundle_dir, "metadata.json"), encoding="utf-8") as f:
        meta = json.load(f)
    if meta.get("top_k", 0) < 20:
        raise ValueError(f"{bundle_dir}: top_k {meta.get('top_k')} < 20, cannot compute @20 metrics")
    vocab = Vocabulary.read_tsv(os.path.join(bundle_dir, "items.tsv"))
    proto = onnx.load(os.path.join(bundle_dir, "model.onnx"))
    test = read_sessions(test_file)
    items, offsets = vocab.encode(test)
    acc = RankAccumulator(20)
    hs = int(meta["hidden_size"])
    recent_size = int(meta["recent_items"]) if meta.get("repeat") else 0
    hidden = np.zeros((256, hs), dtype=np.float32)
    if np.any(items < 0):
        raise ValueError(f"{test_file}: contains items unknown to the bundle; use 'train --test' for the "
                         "full protocol (unknown inputs do not advance the state)")
    for batch in session_parallel_batches(items, offsets, 256):
        hidden = hidden[batch.keep]
        hidden[batch.reset] = 0.0
        feeds = {"item_idx": batch.inputs, "hidden": hidden}
        if recent_size:
            feeds["recent_items"] = recent_window(items, batch, recent_size)
        out = run(proto, feeds)
        hidden = out["new_hidden"]
        hit = out["topk_items"][:, :20] == batch.targets[:, None]
        ranks = np.where(hit.any(axis=1), hit.argmax(axis=1) + 1, np.inf)
        acc.add(torch.from_numpy(ranks.astype(np.float64)))
    res = acc.result()
    res.update(evaluate_pop(vocab.counts, items, offsets, 20))
    return res


def keep_freed_memory() -> bool:
    """Let glibc keep large freed blocks for reuse instead of unmapping them. PyTorch's CPU allocator
    returns every tensor to malloc, and glibc serves blocks above its mmap threshold (32 MB at most) with
    fresh pages: evaluating 256 sessions against 43,097 items allocates several such [256, N] tensors per
    batch, and on this machine each cost ~200 ms of page faults against ~3 ms with reused memory (the
    mixture's full-catalog ops made the diginetica evaluation take minutes). No-op off glibc."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(-3, 1 << 30)) and bool(libc.mallopt(-1, 1 << 30))  # M_MMAP_/M_TRIM_THRESHOLD
    except (OSError, AttributeError):
        return False


def main(argv: Optional[List[str]] = None) -> int:
    keep_freed_memory()
    p = argparse.ArgumentParser(prog="python3 -m insession_exporter", description=__doc__)
    p.add_argument("--log-level", default="INFO")
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train", help="train GRU4Rec, evaluate (with --test) and export a model bundle")
    t.add_argument("--train", required=True, help="training sessions (any supported format)")
    t.add_argument("--test", help="test sessions for Recall@20/MRR@20 (model and POP)")
    t.add_argument("--hparams", help="hyperparameter JSON, e.g. hparams/yoochoose-100k.json (a reproducible "
                                      "recipe); without it the exporter tunes itself on the training file")
    t.add_argument("--tune-budget-minutes", type=float,
                   help="without --hparams: time for the whole training, search included (default 20)")
    t.add_argument("--out", required=True, help="bundle directory to write")
    t.add_argument("--name", help="bundle name (default: gru4rec-<hparams file stem>, or gru4rec-tuned)")
    t.add_argument("--epochs", type=int, help="override the epochs of the hparams file")
    t.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    t.add_argument("--retrieval", type=_retrieval_arg,
                   help="how the graph finds the top-K: exact (whole catalog; the default unless the recipe has "
                        "\"retrieval\"), ivf (IVF index, sizes from the catalogue), auto (ivf from 200,000 items) "
                        "or a JSON object {\"type\": \"ivf\", \"lists\": L, \"probe\": P}")
    q = sub.add_parser("quantize", help="write an int8 copy of a bundle (catalog scoring in int8, see quantize.py)")
    q.add_argument("--bundle", required=True, help="the float bundle to quantise")
    q.add_argument("--out", required=True, help="bundle directory to write")
    q.add_argument("--name", help="bundle name (default: the source's name + '-int8')")
    q.add_argument("--test", help="test sessions: measure Recall@20/MRR@20 of the new bundle (NumPy interpreter)")
    ix = sub.add_parser("index", help="write a copy of an exact bundle that finds its top-K with an IVF index "
                                      "(approximate, exact re-rank; see ivf.py)")
    ix.add_argument("--bundle", required=True, help="the exact float bundle")
    ix.add_argument("--out", required=True, help="bundle directory to write")
    ix.add_argument("--name", help="bundle name (default: the source's name + '-ivf')")
    ix.add_argument("--lists", type=int, help="number of inverted lists (default: derived from the catalogue)")
    ix.add_argument("--probe", type=int, help="lists searched per session (default: derived)")
    ix.add_argument("--cap-factor", type=float, help="list size = cap_factor x num_items / lists (default 1.5)")
    ix.add_argument("--test", help="test sessions: measure Recall@20/MRR@20 of the new bundle (NumPy interpreter)")
    sy = sub.add_parser("synthetic", help="a synthetic (untrained, random) bundle of any size, for speed tests")
    sy.add_argument("--items", type=int, required=True)
    sy.add_argument("--hidden-size", type=int, default=256)
    sy.add_argument("--top-k", type=int, default=100)
    sy.add_argument("--retrieval", type=_retrieval_arg, default="exact", help="exact (default), ivf, auto or JSON")
    sy.add_argument("--out", required=True)
    e = sub.add_parser("evaluate", help="evaluate a bundle's model.onnx on a test file (NumPy ONNX interpreter)")
    e.add_argument("--bundle", required=True)
    e.add_argument("--test", required=True)
    args = p.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        if args.cmd == "train":
            if args.hparams is not None:
                if args.tune_budget_minutes is not None:
                    raise ValueError("--tune-budget-minutes applies only without --hparams (the file is the recipe)")
                hp: Optional[Dict[str, Any]] = load_hparams(args.hparams)
                name = args.name or "gru4rec-" + os.path.splitext(os.path.basename(args.hparams))[0]
                settings = None
            else:
                hp, name = None, args.name or "gru4rec-tuned"
                minutes = 20.0 if args.tune_budget_minutes is None else args.tune_budget_minutes
                settings = TuneSettings(budget_seconds=minutes * 60.0)
            meta = train_and_export(args.train, hp, args.out, name, test_file=args.test, epochs=args.epochs,
                                    device_name=args.device, tune_settings=settings, retrieval=args.retrieval)
            log.info("metrics: %s", json.dumps(meta["metrics"]))
        elif args.cmd == "quantize":
            meta = quantize_bundle(args.bundle, args.out, name=args.name)
            if args.test:
                res = evaluate_bundle(args.out, args.test)
                meta = write_metrics(args.out, {"test_file": os.path.basename(args.test),
                                                **{k: round(v, 6) for k, v in res.items()}})
            log.info("quantization: %s; metrics: %s", json.dumps(meta["quantization"]["parity_vs_float"]),
                     json.dumps(meta["metrics"]))
        elif args.cmd == "index":
            meta = ivf_bundle(args.bundle, args.out, _ivf_settings(args, args.bundle), name=args.name)
            if args.test:
                res = evaluate_bundle(args.out, args.test)
                meta = write_metrics(args.out, {"test_file": os.path.basename(args.test),
                                                **{k: round(v, 6) for k, v in res.items()}})
            log.info("retrieval: %s; metrics: %s", json.dumps({k: meta["retrieval"][k] for k in (
                "lists", "probe", "list_size", "spilled_items", "parity_vs_exact")}), json.dumps(meta["metrics"]))
        elif args.cmd == "synthetic":
            meta = synthetic_bundle(args.out, args.items, args.hidden_size, top_k=args.top_k,
                                    retrieval=args.retrieval)
            log.info("synthetic bundle %s: %s", args.out, json.dumps(meta.get("retrieval", "exact")))
        else:
            res = evaluate_bundle(args.bundle, args.test)
            log.info("bundle %s on %s: %s", args.bundle, args.test, json.dumps(res))
    except ValueError as err:
        log.error("%s", err)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
