"""The repeat/explore mixture (``repeat_mode = "mixture"``): the distribution it ranks by, a GRU that trains
exactly as the plain one, export with parity through the NumPy interpreter, a toy shop where repeats
dominate, and the int8 refusal."""
import json
import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from insession_exporter.data import Vocabulary
from insession_exporter.evaluate import evaluate_model
from insession_exporter.export import export, graph_specs, tensor_specs
from insession_exporter.model import GRU4Rec, ModelConfig, StepModule
from insession_exporter.onnx_numpy import check_parity, run
from insession_exporter.quantize import quantize_bundle
from insession_exporter.train import TrainConfig, train
from test_repeat import results_on_the_repeat_shop, tiny_sessions


def mixture_model(num_items: int = 12, hidden: int = 6, recent: int = 4, seed: int = 0,
                  gate_features: bool = False) -> GRU4Rec:
    torch.manual_seed(seed)
    model = GRU4Rec(ModelConfig(num_items=num_items, hidden_size=hidden, embedding_size=5, repeat=True,
                                repeat_mode="mixture", recent_items=recent, sparse=False,
                                gate_features=gate_features)).eval()
    with torch.no_grad():  # away from the initial values, so that every part matters
        model.rep_log_temp.fill_(0.7)
        model.rep_base_weight.fill_(0.4)
        model.rep_mass_weight.fill_(0.6)
        model.out_bias.weight.normal_()
        if gate_features:
            model.rep_feature_gate.weight.copy_(torch.tensor([[1.5, -0.8, 0.9, 2.0]]))
            model.rep_feature_gate.bias.fill_(-0.3)
    return model


def naive_mixture(model: GRU4Rec, out: torch.Tensor, recent: torch.Tensor) -> torch.Tensor:
    """P(i) computed item by item from the definition: p * sum of the attention of the positions holding i,
    or (1 - p) * exp(tau s_i) / sum over the items not among the recent ones; the gate p reads the state and
    the tempered softmax mass of the recent items against the others."""
    s = model.score_items(out)
    tau = float(model.rep_log_temp.exp())
    probs = torch.zeros_like(s)
    for b in range(recent.shape[0]):
        pos = [j for j in range(recent.shape[1]) if recent[b, j] >= 0]
        items = {int(recent[b, j]) for j in pos}
        h = out[b]
        others = [i for i in range(s.shape[1]) if i not in items]
        z = torch.logsumexp(tau * s[b, others], dim=0)
        mass = (torch.logsumexp(tau * s[b, sorted(items)], dim=0) - z) if items else 0.0
        a = []
        for j in pos:
            e = model.out_emb.weight[recent[b, j]]
            base = float(h @ e + model.out_bias.weight[recent[b, j], 0])
            a.append(float(model.rep_query(h) @ e) + float(model.rep_position(h)[j])
                     + float(model.rep_base_weight) * base)
        attn = torch.softmax(torch.tensor(a), dim=0) if a else torch.zeros(0)
        logit = model.rep_gate(h) + float(model.rep_mass_weight) * mass
        if model.config.gate_features:
            # repeated share of the known positions, log(1 + known), current click seen before, attention peak
            per_item = {i: sum(float(attn[k]) for k, j in enumerate(pos) if int(recent[b, j]) == i) for i in items}
            current = int(recent[b, 0])
            facts = [(len(pos) - len(items)) / max(len(pos), 1), float(np.log1p(len(pos))),
                     float(current >= 0 and any(int(recent[b, j]) == current for j in pos if j > 0)),
                     max(per_item.values()) if per_item else 0.0]
            logit = logit + model.rep_feature_gate(torch.tensor(facts))
        p = torch.sigmoid(logit).item() if pos else 0.0
        for i in others:
            probs[b, i] = (1 - p) * torch.exp(tau * s[b, i] - z)
        for k, j in enumerate(pos):
            probs[b, recent[b, j]] += p * attn[k]
    return probs


def test_config_validates_the_repeat_mode():
    assert ModelConfig(num_items=3).repeat_mode == "bonus"
    with pytest.raises(ValueError, match="repeat_mode"):
        ModelConfig(num_items=3, repeat=True, repeat_mode="blend")
    with pytest.raises(ValueError, match="gate_features"):
        ModelConfig(num_items=3, repeat=True, gate_features=True)  # the bonus form has no gate to feed


def test_gate_features_describe_the_window():
    model = mixture_model(recent=4, gate_features=True)
    out = torch.randn(4, 6)
    recent = torch.tensor([[3, 5, 3, 3], [2, -1, -1, -1], [-1, -1, -1, -1], [1, 2, 1, -1]])
    with torch.no_grad():
        _, log_rep, valid, same = model.mixture_parts(out, recent)
        facts = model.gate_features(valid, same, log_rep)
    assert torch.allclose(facts[:, 0], torch.tensor([2 / 4, 0.0, 0.0, 1 / 3]))       # repeated share
    assert torch.allclose(facts[:, 1], torch.log1p(torch.tensor([4.0, 1.0, 0.0, 3.0])))  # window length
    assert facts[:, 2].tolist() == [1.0, 0.0, 0.0, 1.0]                                  # current click again
    assert facts[1, 3] == pytest.approx(1.0) and facts[2, 3] == 0.0                       # attention peak
    assert (facts[[0, 3], 3] > 0).all() and (facts[[0, 3], 3] <= 1).all()


@pytest.mark.parametrize("gate_features", [False, True], ids=["state-gate", "feature-gate"])
def test_mixture_scores_are_the_log_of_the_repeat_explore_distribution(gate_features):
    model = mixture_model(gate_features=gate_features)
    out = torch.randn(5, 6)
    # duplicates, padding between known items, a row of padding only, a full row
    recent = torch.tensor([[3, 3, -1, 5], [0, -1, -1, -1], [-1, -1, -1, -1], [1, 2, 4, 11], [7, -1, 8, 7]])
    with torch.no_grad():
        log_p = model.mixture_log_probs(model.score_items(out), out, recent)
        expected = naive_mixture(model, out, recent)
    assert torch.allclose(log_p.exp(), expected, atol=1e-6)
    assert torch.allclose(torch.logsumexp(log_p, dim=1), torch.zeros(5), atol=1e-5)
    # without a known recent item the row is the explore softmax over the whole catalog
    with torch.no_grad():
        assert torch.allclose(log_p[2], F.log_softmax(model.score_items(out[2:3])[0] *
                                                      model.rep_log_temp.exp(), dim=0), atol=1e-5)


@pytest.mark.parametrize("gate_features", [False, True], ids=["state-gate", "feature-gate"])
def test_the_gru_of_a_mixture_model_trains_exactly_as_the_plain_model(gate_features):
    data = tiny_sessions(300, 5)
    vocab = Vocabulary.from_sessions(data)
    items, offsets = vocab.encode(data)
    trained = {}
    figures = {}
    for mode in (None, "mixture"):
        torch.manual_seed(0)
        cfg = ModelConfig(num_items=len(vocab), hidden_size=10, embedding_size=6, dropout_hidden=0.1,
                          **({"repeat": True, "repeat_mode": mode, "recent_items": 4,
                              "gate_features": gate_features} if mode else {}))
        model = GRU4Rec(cfg)
        train(model, items, offsets, vocab.counts, TrainConfig(batch_size=8, n_sample=16, epochs=1, seed=0),
              max_batches=40)
        trained[mode] = model.state_dict()
        figures[mode] = evaluate_model(model, items, offsets, k=5, plain_too=mode is not None)
    # so the mixture's GRU ranks exactly as the plain model (what the tuner measures as a trial's plain twin)
    assert {k: figures["mixture"][f"plain_{k}"] for k in ("recall@5", "mrr@5", "predictions")} == \
        {k: figures[None][k] for k in ("recall@5", "mrr@5", "predictions")}
    assert figures["mixture"]["mrr@5"] != figures[None]["mrr@5"]
    with pytest.raises(ValueError, match="plain_too needs a mixture model"):
        evaluate_model(GRU4Rec(ModelConfig(num_items=len(vocab), hidden_size=4)), items, offsets, plain_too=True)
    plain, mixture = trained[None], trained["mixture"]
    assert set(plain) < set(mixture)
    for name, value in plain.items():  # the repeat head's gradients never reach the GRU or the embeddings
        assert torch.equal(value, mixture[name]), name
    assert not torch.equal(mixture["rep_log_temp"], torch.zeros(()))  # the explore temperature learned
    if gate_features:
        assert not torch.equal(mixture["rep_feature_gate.weight"], torch.zeros(1, 4))  # and the feature gate


@pytest.mark.parametrize("gate_features", [False, True], ids=["state-gate", "feature-gate"])
def test_export_mixture_bundle_with_parity_through_the_interpreter(tmp_path, gate_features):
    data = tiny_sessions(300, 3)
    vocab = Vocabulary.from_sessions(data)
    items, offsets = vocab.encode(data)
    torch.manual_seed(0)
    model = GRU4Rec(ModelConfig(num_items=len(vocab), hidden_size=10, embedding_size=6, repeat=True,
                                repeat_mode="mixture", recent_items=5, gate_features=gate_features))
    train(model, items, offsets, vocab.counts, TrainConfig(batch_size=8, n_sample=16, epochs=1, seed=0),
          max_batches=30)
    out = str(tmp_path / "bundle")
    meta = export(model, out, vocab, name="mixture-bundle", top_k=10)
    assert meta["repeat"] is True and meta["recent_items"] == 5
    assert graph_specs(__import__("onnx").load(os.path.join(out, "model.onnx"))) == tensor_specs(10, 10, 5)
    with open(os.path.join(out, "parity.json"), encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    assert check_parity(os.path.join(out, "model.onnx"), cases) < 1e-4
    # the graph's scores are the mixture's log-probabilities: the recent items' ranks follow the window
    step = StepModule(model.eval(), 10).eval()
    x = torch.tensor([0, 3, 1])
    h = torch.randn(3, 10) * 0.5
    recent = torch.tensor([[0, 3, 3, -1, -1], [3, -1, -1, -1, -1], [1, 2, 1, 2, 1]])
    with torch.no_grad():
        nh, s, i = step(x, h, recent)
        _, s0, i0 = step(x, h, torch.full_like(recent, -1))
    o = run(os.path.join(out, "model.onnx"), {"item_idx": x.numpy(), "hidden": h.numpy(), "recent_items": recent.numpy()})
    assert np.array_equal(o["topk_items"], i.numpy())
    assert np.allclose(o["topk_scores"], s.numpy(), atol=1e-5) and np.allclose(o["new_hidden"], nh.numpy(), atol=1e-5)
    assert (s <= 0).all() and not torch.equal(i, i0)


def test_mixture_beats_the_plain_gru_and_spop_where_repeats_dominate():
    results, spop = results_on_the_repeat_shop(
        {None: {}, "mixture": {"repeat": True, "repeat_mode": "mixture", "recent_items": 5}})
    assert results["mixture"]["mrr@20"] > results[None]["mrr@20"] + 0.05
    assert results["mixture"]["mrr@20"] > spop["spop_mrr@20"] + 0.05
    assert results["mixture"]["repeat_mrr@20"] > results[None]["repeat_mrr@20"]


def test_quantize_refuses_a_mixture_bundle(tmp_path):
    data = tiny_sessions(200, 4)
    vocab = Vocabulary.from_sessions(data)
    model = GRU4Rec(ModelConfig(num_items=len(vocab), hidden_size=8, embedding_size=4, repeat=True,
                                repeat_mode="mixture", recent_items=3)).eval()
    src = str(tmp_path / "float")
    export(model, src, vocab, name="mixture", top_k=5,
           hyperparameters={**model.config.to_dict(), "top_k": 5})
    with pytest.raises(ValueError, match="mixture"):
        quantize_bundle(src, str(tmp_path / "int8"))
    assert not os.path.exists(tmp_path / "int8")
