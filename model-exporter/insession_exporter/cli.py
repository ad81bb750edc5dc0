"""Command line: ``python3 -m insession_exporter train|quantize|evaluate ...`` (see README.md)."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from dataclasses import fields
from typing import Any, Callable, Dict, List, Optional

import numpy as np
import torch

from .data import Vocabulary, read_sessions
from .evaluate import evaluate_all
from .export import export
from .model import GRU4Rec, ModelConfig
from .quantize import quantize_bundle, write_metrics
from .train import TrainConfig, resolve_device, train
from .tune import Clock, TuneSettings, record_final_training, search

log = logging.getLogger("insession_exporter")

_MODEL_KEYS = {f.name for f in fields(ModelConfig)} - {"num_items"}
_TRAIN_KEYS = {f.name for f in fields(TrainConfig)}
_OTHER_KEYS = {"top_k", "comment"}


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
                     clock: Clock = time.monotonic) -> Dict[str, Any]:
    """Read, train, evaluate (when ``test_file``), export. Returns the bundle metadata.

    With ``hparams`` None the exporter tunes itself (:mod:`.tune`) on the training file within
    ``tune_settings.budget_seconds`` and records the search in ``metadata.json`` -> ``tuning``; the test
    file is read only after the final model is trained."""
    torch.set_num_threads(1)
    device = resolve_device(device_name)
    train_data = read_sessions(train_file)
    tuning: Optional[Dict[str, Any]] = None
    on_epoch_end: Optional[Callable[[int], bool]] = None
    should_stop: Optional[Callable[[], bool]] = None
    if hparams is None:
        if epochs is not None:
            raise ValueError("--epochs needs --hparams (without it the tuner chooses the epochs)")
        result = search(train_data, tune_settings or TuneSettings(), device=device, clock=clock)
        hp, tuning = dict(result.hparams), result.record
        deadline = result.deadline
        first_epoch_done: List[bool] = []

        def epoch_ended(epoch: int) -> bool:
            first_epoch_done.append(True)
            return clock() < deadline

        def budget_spent() -> bool:  # at the end of the budget, but never within the first epoch
            return bool(first_epoch_done) and clock() >= deadline

        on_epoch_end, should_stop = epoch_ended, budget_spent
    else:
        hp = dict(hparams)
    hp.pop("comment", None)
    if epochs is not None:
        hp["epochs"] = epochs
    vocab = Vocabulary.from_sessions(train_data)
    items, offsets = vocab.encode(train_data)
    mcfg = ModelConfig.from_dict({**hp, "num_items": len(vocab)})
    tcfg = TrainConfig.from_dict(hp)
    torch.manual_seed(tcfg.seed)
    model = GRU4Rec(mcfg)
    log.info("training on %s: %d sessions, %d events, %d items; device %s; %s", train_file,
             train_data.num_sessions, train_data.num_events, len(vocab), device, hp)
    t_train = clock()
    stats = train(model, items, offsets, vocab.counts, tcfg, device=device, max_batches=max_batches,
                  on_epoch_end=on_epoch_end, should_stop=should_stop)
    log.info("trained %d clicks in %.1f s", stats["clicks"], stats["seconds"])
    if tuning is not None:
        record_final_training(tuning, stats, clock() - t_train)
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
                  training_data=training_data, metrics=metrics, tuning=tuning)


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


def main(argv: Optional[List[str]] = None) -> int:
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
    q = sub.add_parser("quantize", help="write an int8 copy of a bundle (catalog scoring in int8, see quantize.py)")
    q.add_argument("--bundle", required=True, help="the float bundle to quantise")
    q.add_argument("--out", required=True, help="bundle directory to write")
    q.add_argument("--name", help="bundle name (default: the source's name + '-int8')")
    q.add_argument("--test", help="test sessions: measure Recall@20/MRR@20 of the new bundle (NumPy interpreter)")
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
                                    device_name=args.device, tune_settings=settings)
            log.info("metrics: %s", json.dumps(meta["metrics"]))
        elif args.cmd == "quantize":
            meta = quantize_bundle(args.bundle, args.out, name=args.name)
            if args.test:
                res = evaluate_bundle(args.out, args.test)
                meta = write_metrics(args.out, {"test_file": os.path.basename(args.test),
                                                **{k: round(v, 6) for k, v in res.items()}})
            log.info("quantization: %s; metrics: %s", json.dumps(meta["quantization"]["parity_vs_float"]),
                     json.dumps(meta["metrics"]))
        else:
            res = evaluate_bundle(args.bundle, args.test)
            log.info("bundle %s on %s: %s", args.bundle, args.test, json.dumps(res))
    except ValueError as err:
        log.error("%s", err)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
