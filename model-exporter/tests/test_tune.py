"""The self-tuning exporter (``train`` without ``--hparams``): split, budget, test-file isolation, record."""
import builtins
import json
import os
from typing import Any, Dict, List

import numpy as np
import pytest

from conftest import write
from insession_exporter import cli, tune
from insession_exporter.data import read_sessions
from insession_exporter.tune import TuneSettings, candidates, search, time_split


class FakeClock:
    """Advances ``step`` seconds every time it is read: the budget is counted in reads, not wall time."""

    def __init__(self, step: float) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def _sessions_tsv(tmp_path, name: str, n_sessions: int, seed: int, t0: float = 0.0) -> str:
    """Sessions that walk a ring of 30 items (next item = current + 1 or + 2), with click times; the file
    lists the sessions in shuffled order so that time order and file order differ."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(n_sessions):
        start = t0 + 100.0 * s
        item = int(rng.integers(30))
        for c in range(int(rng.integers(2, 7))):
            rows.append((f"s{seed}-{s}", f"i{item}", start + c))
            item = (item + int(rng.integers(1, 3))) % 30
    sessions = sorted({r[0] for r in rows})
    order = {sid: i for i, sid in enumerate(rng.permutation(sessions))}
    rows.sort(key=lambda r: (order[r[0]], r[2]))
    return write(tmp_path, name, "SessionId\tItemId\tTime\n" + "".join(f"{a}\t{b}\t{c}\n" for a, b, c in rows))


SMALL = dict(max_trials=3, max_epochs=2, valid_fraction=0.2, trial_max_events=10_000)


def test_validation_split_is_the_end_of_training_by_time_and_never_overlaps(tmp_path):
    path = _sessions_tsv(tmp_path, "train.tsv", 200, seed=1)
    data = read_sessions(path)
    split = time_split(data, valid_fraction=0.2, valid_max_events=10_000)
    train_ids, valid_ids = set(split.train.session_ids), set(split.valid.session_ids)
    assert not train_ids & valid_ids
    assert train_ids | valid_ids == set(data.session_ids)
    # by time: every validation session starts after every training-part session (sessions start 100 s apart)
    start = {sid: int(sid.split("-")[1]) for sid in data.session_ids}
    assert max(start[s] for s in train_ids) < min(start[s] for s in valid_ids)
    assert split.valid.num_events <= 0.2 * data.num_events
    assert split.valid.num_events > 0.2 * data.num_events - 7  # within one session of the target
    assert split.train.num_events + split.valid.num_events == data.num_events
    assert split.boundary["first_valid_session"] == split.valid.session_ids[0]
    assert split.boundary["last_train_session"] == split.train.session_ids[-1]
    # the cap on validation events wins over the fraction
    capped = time_split(data, valid_fraction=0.2, valid_max_events=30)
    assert capped.valid.num_events <= 30 and capped.valid.session_ids == data.session_ids[-capped.valid.num_sessions:]


def test_split_refuses_data_too_small_to_split(tmp_path):
    data = read_sessions(write(tmp_path, "one.tsv", "SessionId\tItemId\tTime\na\tx\t1\na\ty\t2\n"))
    with pytest.raises(ValueError, match="too little training data"):
        time_split(data, valid_fraction=0.2, valid_max_events=100)


def test_candidates_start_with_the_recipes_and_are_distinct():
    cands = candidates(TuneSettings(max_trials=8))
    mixture = {"repeat": True, "repeat_mode": "mixture", "gate_features": True}
    assert cands[:2] == [{**a, **mixture} for a in tune.ANCHORS]  # the recipes, repeat-aware (and plain: below)
    assert any(c.get("repeat") for c in cands[2:]) and any("repeat" not in c for c in cands[2:])
    assert all(c["gate_features"] for c in cands if c.get("repeat"))
    assert len(cands) == 8
    assert len({json.dumps(c, sort_keys=True) for c in cands}) == 8
    # no plain candidate is a configuration some mixture candidate already measures as its GRU
    measured = {json.dumps(tune._plain(c), sort_keys=True) for c in cands if c.get("repeat")}
    assert all(json.dumps(c, sort_keys=True) not in measured for c in cands if "repeat" not in c)
    assert [tune._plain(c) for c in cands[:2]] == [dict(a) for a in tune.ANCHORS]
    for c in cands:
        assert ("embedding_size" in c) == (not c["constrained_embedding"])
        assert ("bpreg" in c) == (c["loss"] == "bpr-max")
        assert c.get("repeat", True) is True  # plain candidates carry no "repeat": false


def test_a_mixture_trial_offers_its_plain_twin_with_the_epochs_each_ranking_wants():
    params = {**tune.ANCHORS[0], **tune.MIXTURE}

    def epoch(n: int, mixture: float, plain: float) -> Dict[str, Any]:
        return {"epoch": n, "recall@20": 0.5, "mrr@20": mixture, "plain": {"recall@20": 0.4, "mrr@20": plain},
                "seconds": 10.0 * n}

    # the plain ranking peaked at epoch 2 and went on only because the mixture kept improving
    trial = {"trial": 3, "params": params, "ended_by": "max_epochs", "clicks_per_second": 1000.0,
             "epochs": [epoch(1, 0.10, 0.20), epoch(2, 0.12, 0.25), epoch(3, 0.13, 0.24)]}
    own, twin = tune._options(trial, max_epochs=3)
    assert (own["ranking"], own["params"], own["best_epoch"], own["mrr@20"]) == ("mixture", params, 3, 0.13)
    assert (own["ended_by"], own["wanted_epochs"]) == ("max_epochs", 3)  # still improving: as many as allowed
    assert (twin["ranking"], twin["params"], twin["best_epoch"], twin["mrr@20"]) == ("plain", tune.ANCHORS[0], 2, 0.25)
    assert (twin["ended_by"], twin["wanted_epochs"]) == ("patience", 2)
    assert twin["trial"] == own["trial"] == 3 and twin["clicks_per_second"] == 1000.0
    plain_trial = {**trial, "params": dict(tune.ANCHORS[1]), "ended_by": "patience",
                   "epochs": [{k: v for k, v in epoch(n, m, 0.0).items() if k != "plain"}
                              for n, m in ((1, 0.2), (2, 0.1))]}
    (only,) = tune._options(plain_trial, max_epochs=3)
    assert (only["ranking"], only["params"], only["best_epoch"], only["wanted_epochs"]) == \
        ("plain", tune.ANCHORS[1], 1, 1)


def test_tuner_never_reads_the_test_file_before_tuning_ends(tmp_path, monkeypatch):
    train_path = _sessions_tsv(tmp_path, "train.tsv", 150, seed=2)
    test_path = _sessions_tsv(tmp_path, "test.tsv", 30, seed=3, t0=1e6)
    tuning_over: List[bool] = []
    opened_test: List[bool] = []
    real_open, real_search = builtins.open, cli.search

    def guarded_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, (str, os.PathLike)) and os.path.abspath(file) == os.path.abspath(test_path):
            if not tuning_over:
                raise AssertionError("the tuner opened the test file")
            opened_test.append(True)
        return real_open(file, *args, **kwargs)

    def search_then_mark(*args: Any, **kwargs: Any) -> tune.TuneResult:
        result = real_search(*args, **kwargs)
        tuning_over.append(True)
        return result

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(cli, "search", search_then_mark)
    meta = cli.train_and_export(train_path, None, str(tmp_path / "bundle"), "gru4rec-tuned", test_file=test_path,
                                tune_settings=TuneSettings(budget_seconds=1e9, **SMALL), clock=FakeClock(1.0))
    assert tuning_over and opened_test  # the guard was live, and the test file was read after tuning
    assert meta["metrics"]["test_file"] == "test.tsv"
    assert "test.tsv" not in json.dumps(meta["tuning"])


def test_budget_stops_the_search(tmp_path):
    data = read_sessions(_sessions_tsv(tmp_path, "train.tsv", 150, seed=4))
    settings = {**SMALL, "max_trials": 6}
    unlimited = search(data, TuneSettings(budget_seconds=1e9, **settings), clock=FakeClock(1.0))
    assert unlimited.record["search_stopped"] == "all candidates tried"
    assert len(unlimited.record["trials"]) == 6
    # one clock read = 1 s: with a budget whose search share is half of what the six trials took, the search
    # must stop early, and within a few reads of its share
    budget = unlimited.record["search_seconds"]
    limited = search(data, TuneSettings(budget_seconds=budget, **settings), clock=FakeClock(1.0))
    assert limited.record["search_stopped"] == "search budget spent"
    assert 1 <= len(limited.record["trials"]) < 6
    assert limited.record["budget_seconds"] == budget
    assert limited.record["search_seconds"] <= budget / 2 + 10
    assert limited.deadline == pytest.approx(1.0 + budget)


def test_a_budget_shorter_than_one_epoch_still_measures_one_trial(tmp_path):
    data = read_sessions(_sessions_tsv(tmp_path, "train.tsv", 150, seed=5))
    result = search(data, TuneSettings(budget_seconds=2, **SMALL), clock=FakeClock(1.0))
    trials = result.record["trials"]
    assert len(trials) == 1 and len(trials[0]["epochs"]) == 1
    assert result.hparams["epochs"] == 1 and result.record["chosen"]["trial"] == 1


def test_search_record_lands_in_metadata_and_the_choice_is_retrained_on_all_training_data(tmp_path, monkeypatch):
    train_path = _sessions_tsv(tmp_path, "train.tsv", 150, seed=6)
    calls: List[Dict[str, Any]] = []
    real_train = cli.train

    def recording_train(model, items, offsets, counts, cfg, **kwargs):
        calls.append({"events": len(items), "sessions": len(offsets) - 1, "cfg": cfg.to_dict(),
                      "hidden": model.config.hidden_size})
        return real_train(model, items, offsets, counts, cfg, **kwargs)

    monkeypatch.setattr(cli, "train", recording_train)
    out = tmp_path / "bundle"
    meta = cli.train_and_export(train_path, None, str(out), "gru4rec-tuned",
                                tune_settings=TuneSettings(budget_seconds=1e9, **SMALL), clock=FakeClock(1.0))
    with open(out / "metadata.json", encoding="utf-8") as f:
        on_disk = json.load(f)
    rec = on_disk["tuning"]
    assert rec == meta["tuning"]
    assert rec["budget_seconds"] == 1e9
    assert rec["split"]["valid_events"] > 0 and rec["split"]["first_valid_session"]
    assert len(rec["trials"]) == 3
    for t in rec["trials"]:
        assert set(t["params"]) >= {"hidden_size", "learning_rate", "loss", "batch_size", "dropout_hidden"}
        assert t["seconds"] > 0 and 1 <= len(t["epochs"]) <= 2
        assert all({"recall@20", "mrr@20", "seconds"} <= set(e) for e in t["epochs"])
    # every ranking measured: each trial's own, and the plain twin of each mixture trial
    rankings = [(t["plain"]["mrr@20"], t["plain"]["recall@20"], t["trial"], "plain", tune._plain(t["params"]))
                for t in rec["trials"] if "plain" in t]
    rankings += [(t["mrr@20"], t["recall@20"], t["trial"], "mixture" if t["params"].get("repeat") else "plain",
                  t["params"]) for t in rec["trials"] if "mrr@20" in t]
    assert any(r[3] == "plain" and r[4] == dict(tune.ANCHORS[0]) for r in rankings)  # the recipe, measured
    top = max(r[0] for r in rankings)  # MRR@20 first; within 1 % of the best, Recall@20 decides
    best = max((r for r in rankings if r[0] >= 0.99 * top), key=lambda r: (r[1], r[0]))
    chosen = rec["chosen"]
    assert (chosen["mrr@20"], chosen["recall@20"]) == best[:2]
    assert (chosen["trial"], chosen["ranking"], chosen["params"]) == best[2:] or \
        sum(1 for r in rankings if r[:2] == best[:2]) > 1  # a tie between rankings: either is right
    # unlimited budget: early stopping's best epoch, or every epoch when the trial never stopped improving
    assert chosen["final_epochs"] == (chosen["best_epoch"] if chosen["ended_by"] == "patience" else 2)
    assert rec["final_training"]["epochs_completed"] == chosen["final_epochs"]
    assert rec["final_training"]["last_epoch_sessions"] == rec["final_training"]["sessions"]  # every epoch whole
    # retrained: the last training call saw every training event, with the chosen configuration
    data = read_sessions(train_path)
    final = calls[-1]
    assert final["events"] == data.num_events == on_disk["training_data"]["events"]
    assert final["sessions"] == data.num_sessions
    assert all(c["events"] < data.num_events for c in calls[:-1])  # the trials never saw the validation split
    for key, value in chosen["params"].items():
        assert on_disk["hyperparameters"][key] == value
    assert final["cfg"]["epochs"] == chosen["final_epochs"] == on_disk["hyperparameters"]["epochs"]
    assert final["hidden"] == chosen["params"]["hidden_size"]


def test_cli_tunes_without_hparams_and_refuses_a_budget_with_them(tmp_path, monkeypatch):
    train_path = _sessions_tsv(tmp_path, "train.tsv", 120, seed=7)
    seen: Dict[str, Any] = {}

    def fake_train_and_export(train_file, hparams, out_dir, name, **kwargs):
        seen.update(hparams=hparams, name=name, settings=kwargs["tune_settings"])
        return {"metrics": {}}

    monkeypatch.setattr(cli, "train_and_export", fake_train_and_export)
    assert cli.main(["train", "--train", train_path, "--out", str(tmp_path / "b"), "--tune-budget-minutes", "3"]) == 0
    assert seen["hparams"] is None and seen["name"] == "gru4rec-tuned"
    assert seen["settings"].budget_seconds == 180
    assert cli.main(["train", "--train", train_path, "--out", str(tmp_path / "b")]) == 0
    assert seen["settings"].budget_seconds == 20 * 60
    hp = write(tmp_path, "hp.json", '{"hidden_size": 8}')
    assert cli.main(["train", "--train", train_path, "--out", str(tmp_path / "b"), "--hparams", hp,
                     "--tune-budget-minutes", "3"]) == 2


def test_bad_tuning_arguments_are_clear_errors(tmp_path):
    train_path = _sessions_tsv(tmp_path, "train.tsv", 60, seed=8)
    with pytest.raises(ValueError, match="--epochs needs --hparams"):
        cli.train_and_export(train_path, None, str(tmp_path / "b"), "x", epochs=3)
    with pytest.raises(ValueError, match="budget must be > 0"):
        TuneSettings(budget_seconds=0)
    assert cli.main(["train", "--train", train_path, "--out", str(tmp_path / "b"), "--tune-budget-minutes", "0"]) == 2
    assert not (tmp_path / "b").exists()


def test_the_tuner_picks_repeat_aware_scoring_where_repeats_dominate(tmp_path):
    from test_repeat import repeat_shop
    shop = repeat_shop(600, 11)
    path = write(tmp_path, "shop.tsv", "SessionId\tItemId\tPos\n" + "".join(
        f"{sid}\t{item}\t{p}\n" for sid, s in zip(shop.session_ids, shop.sessions) for p, item in enumerate(s)))
    result = search(read_sessions(path), TuneSettings(budget_seconds=1e9, **{**SMALL, "max_trials": 4}),
                    clock=FakeClock(1.0))
    trials = result.record["trials"]
    assert [t["params"].get("repeat", False) for t in trials[:2]] == [True, True]
    assert result.record["chosen"]["ranking"] == "mixture"
    assert result.hparams["repeat"] is True and result.hparams["repeat_mode"] == "mixture"
    assert result.hparams["gate_features"] is True
    # each recipe with the mixture beats the recipe itself (its GRU's own ranking, measured in the same trial)
    assert all(t["mrr@20"] > t["plain"]["mrr@20"] for t in trials[:2])


def test_mrr_decides_and_within_one_percent_recall_breaks_the_tie():
    def e(n: int, mrr: float, recall: float) -> Dict[str, Any]:
        return {"epoch": n, "mrr@20": mrr, "recall@20": recall}

    # 0.1594 is within 1 % of 0.1598: the epoch with the far better recall wins
    assert tune._best([e(1, 0.1598, 0.368), e(2, 0.1594, 0.418), e(3, 0.1485, 0.428)])["epoch"] == 2
    # beyond 1 %, MRR@20 wins whatever the recall
    assert tune._best([e(1, 0.1600, 0.30), e(2, 0.1580, 0.50)])["epoch"] == 1
    # a full tie goes to the later epoch
    assert tune._best([e(1, 0.15, 0.4), e(2, 0.15, 0.4)])["epoch"] == 2


def test_recent_start_keeps_the_most_recent_sessions_that_fit():
    offsets = np.array([0, 3, 4, 8, 10])  # training clicks per session: 2, 0, 3, 1 (a 1-click session costs none)
    assert [tune.recent_start(offsets, c) for c in (0, 0.5, 1, 3, 4, 5.9, 6, 100)] == [4, 4, 3, 3, 1, 1, 0, 0]


def test_an_epoch_that_cannot_be_whole_trains_on_the_most_recent_sessions(tmp_path):
    from insession_exporter.data import Vocabulary
    from insession_exporter.model import GRU4Rec, ModelConfig
    from insession_exporter.train import TrainConfig, train
    data = read_sessions(_sessions_tsv(tmp_path, "train.tsv", 80, seed=9))
    vocab = Vocabulary.from_sessions(data)
    items, offsets = vocab.encode(data)
    clicks = np.maximum(np.diff(offsets) - 1, 0)
    starts = {1: 0, 2: 50, 3: len(clicks)}  # whole, the last 30 sessions, then none left: training ends
    model = GRU4Rec(ModelConfig(num_items=len(vocab), hidden_size=8, embedding_size=8))
    stats = train(model, items, offsets, vocab.counts, TrainConfig(batch_size=4, n_sample=8, epochs=5),
                  epoch_start=lambda e: starts[e])
    assert stats["epochs"] == 2 and stats["last_epoch_first_session"] == 50  # of the last epoch that ran
    assert stats["clicks"] == clicks.sum() + clicks[50:].sum()


def test_the_final_training_fills_the_budget_with_the_most_recent_sessions():
    offsets = np.arange(0, 101, 5)  # 20 sessions of 4 training clicks: 80 clicks an epoch
    clock = FakeClock(1.0)
    budget = tune.FinalTrainingBudget(deadline=60.0, offsets=offsets, clock=clock)  # started at 1
    assert budget.epoch_start(1) == 0 and not budget.should_stop()  # the first epoch is never cut
    clock.now = 40.0
    assert budget.on_epoch_end(1)  # read at 41: 40 s for 80 clicks, 0.5 s a click
    # read at 42: 18 s left, 95 % of it = 34.2 clicks -> the last 8 sessions (32 clicks)
    assert budget.epoch_start(2) == 12
    clock.now = 52.0
    assert budget.on_epoch_end(2)  # read at 53: 112 clicks in 52 s, 0.464 s a click
    # read at 54: 6 s left, 95 % of it = 12.3 clicks -> the last 3 sessions
    assert budget.epoch_start(3) == 17
    clock.now = 70.0
    assert budget.should_stop() and not budget.on_epoch_end(3)
    assert budget.epoch_start(4) == 20  # nothing fits any more


def test_a_ranking_far_behind_the_best_by_the_same_epoch_does_not_keep_a_trial_going():
    def h(*mrrs: float) -> List[Dict[str, Any]]:
        return [{"epoch": n, "mrr@20": m, "recall@20": 0.4} for n, m in enumerate(mrrs, start=1)]

    histories = [h(0.150, 0.159, 0.155), h(0.120, 0.135)]
    assert not tune._in_contention({"epoch": 2, "mrr@20": 0.135}, histories)  # 15 % behind at epoch 2: out
    assert tune._in_contention({"epoch": 2, "mrr@20": 0.150}, histories)  # 6 % behind: may still win
    # judged epoch for epoch: a slow first epoch is compared with the others' first epochs, not their best
    assert tune._in_contention({"epoch": 1, "mrr@20": 0.140}, histories)
    assert not tune._in_contention({"epoch": 1, "mrr@20": 0.130}, histories)
