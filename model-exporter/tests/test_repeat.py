"""Repeat-aware scoring (``repeat``): the recent-items window, the bonus with padding and duplicates, training
with the session's own items as negatives, export with a third input, parity through the NumPy interpreter,
and a toy shop where repeats dominate."""
import json
import os

import numpy as np
import onnx
import pytest
import torch

from insession_exporter import cli
from insession_exporter.data import SessionData, Vocabulary
from insession_exporter.evaluate import evaluate_model, evaluate_spop, repeat_targets
from insession_exporter.export import export, graph_specs, tensor_specs
from insession_exporter.model import GRU4Rec, ModelConfig, StepModule
from insession_exporter.onnx_numpy import check_parity, run
from insession_exporter.quantize import quantize_bundle
from insession_exporter.train import TrainConfig, recent_window, sampled_scores, session_parallel_batches, train
from test_quantize import with_outputs


def repeat_model(num_items: int = 12, hidden: int = 6, recent: int = 4, seed: int = 0) -> GRU4Rec:
    torch.manual_seed(seed)
    return GRU4Rec(ModelConfig(num_items=num_items, hidden_size=hidden, embedding_size=5, repeat=True,
                               recent_items=recent, sparse=False)).eval()


def naive_bonus(scores: torch.Tensor, recent: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    out = scores.clone()
    for b in range(recent.shape[0]):
        for j in range(recent.shape[1]):
            if recent[b, j] >= 0:
                out[b, recent[b, j]] += w[b, j]
    return out


def test_config_validates_the_repeat_keys():
    assert ModelConfig(num_items=3).repeat is False and ModelConfig(num_items=3).recent_items == 10
    with pytest.raises(ValueError, match="recent_items"):
        ModelConfig(num_items=3, repeat=True, recent_items=0)
    with pytest.raises(ValueError, match="repeat"):
        ModelConfig(num_items=3, repeat="yes")
    # a plain model has no repeat parameters: its state_dict (and graph) is what it was before
    plain = GRU4Rec(ModelConfig(num_items=5, hidden_size=4, embedding_size=3))
    assert not any(k.startswith("rep_") for k in plain.state_dict())
    with pytest.raises(ValueError, match="repeat=True"):
        plain.repeat_weights(torch.zeros(1, 4), torch.zeros(1, 10, dtype=torch.int64))


def test_recent_window_is_most_recent_first_with_padding_and_unknown_items():
    # sessions [3, 4, -1, 5] and [7, 8]; batch size 1 walks them one after the other
    items = np.array([3, 4, -1, 5, 7, 8])
    offsets = np.array([0, 4, 6])
    windows = [recent_window(items, b, 3).tolist()[0] for b in session_parallel_batches(items, offsets, 1)]
    assert windows == [[3, -1, -1], [4, 3, -1], [-1, 4, 3], [7, -1, -1]]
    with pytest.raises(ValueError, match="size"):
        recent_window(items, next(session_parallel_batches(items, offsets, 1)), 0)


def test_repeat_bonus_sums_duplicates_and_never_touches_an_item_through_padding():
    m = repeat_model(num_items=12, recent=4)
    out = torch.randn(4, 6)
    recent = torch.tensor([[5, 5, 2, 5],        # item 5 three times
                           [11, -1, -1, -1],    # only the current click: padding must not reach item 11 = last
                           [0, -1, 0, 3],       # an unknown item (-1) between known ones, item 0 twice
                           [7, 6, 5, 4]])       # all distinct
    with torch.no_grad():
        w, emb = m.repeat_weights(out, recent)
        scores = m.score_items(out)
        full = m.score_items_repeat(out, recent)
    assert w.shape == (4, 4) and emb.shape == (4, 4, 6)
    assert torch.all(w[recent < 0] == 0) and torch.all(w[recent >= 0] != 0)
    assert torch.allclose(full, naive_bonus(scores, recent, w), atol=1e-6)
    # item 5 in row 0 gets all three bonuses; items not in a row's window keep their plain score
    assert torch.allclose(full[0, 5] - scores[0, 5], w[0, [0, 1, 3]].sum(), atol=1e-6)
    untouched = torch.ones_like(full, dtype=torch.bool)
    for b in range(4):
        untouched[b, recent[b][recent[b] >= 0]] = False
    assert torch.equal(full[untouched], scores[untouched])
    with pytest.raises(ValueError, match=r"\[batch, 4\]"):
        m.repeat_weights(out, recent[:, :3])


def test_step_module_takes_recent_items_only_for_a_repeat_model():
    m = repeat_model()
    step = StepModule(m, 5)
    x, h = torch.tensor([1, 2]), torch.zeros(2, 6)
    with pytest.raises(ValueError, match="recent_items"):
        step(x, h)
    plain = StepModule(GRU4Rec(ModelConfig(num_items=12, hidden_size=6, embedding_size=5)), 5)
    with pytest.raises(ValueError, match="recent_items"):
        plain(x, h, torch.full((2, 4), -1))
    with torch.no_grad():
        nh, s, i = step(x, h, torch.tensor([[1, -1, -1, -1], [2, 1, 2, -1]]))
    assert nh.shape == (2, 6) and s.shape == (2, 5) and i.shape == (2, 5)


def test_sampled_scores_add_the_bonus_and_the_sessions_own_items_as_negatives():
    m = repeat_model(num_items=12, recent=4)
    out = torch.randn(3, 6)
    targets = torch.tensor([5, 9, 1])
    extra = torch.tensor([2, 10])
    recent = torch.tensor([[4, 5, 4, 8],      # target 5 is a repeat; 4 twice; 8 only here
                           [3, -1, -1, -1],   # one known item
                           [1, 2, 7, -1]])    # 1 = target, 2 = a shared negative already
    scores, mask = sampled_scores(m, out, targets, extra, recent)
    cand = torch.cat([targets, extra])
    with torch.no_grad():
        full = m.score_items_repeat(out, recent)
    n_shared = len(cand)
    assert scores.shape == (3, 1 + n_shared + 4) and mask.shape == (3, n_shared + 4)
    assert torch.allclose(scores[:, 0], full.gather(1, targets.unsqueeze(1)).squeeze(1), atol=1e-6)
    assert torch.allclose(scores[:, 1:1 + n_shared], full[:, cand], atol=1e-6)
    own = scores[:, 1 + n_shared:]
    own_mask = mask[:, n_shared:]
    # row 0: 4 (first position only; 4 twice), 5 is the target, 8 counts
    assert own_mask[0].tolist() == [True, False, False, True]
    assert torch.allclose(own[0, [0, 3]], full[0, [4, 8]], atol=1e-6)
    assert own_mask[1].tolist() == [True, False, False, False]
    # row 2: 1 is the target, 2 is among the shared candidates, 7 counts, padding never
    assert own_mask[2].tolist() == [False, False, True, False]
    scores.sum().backward()
    assert m.rep_gate.weight.grad is not None and m.rep_query.weight.grad is not None


def tiny_sessions(n: int, seed: int) -> SessionData:
    rng = np.random.default_rng(seed)
    sessions = [[f"i{int(x)}" for x in rng.integers(0, 25, size=rng.integers(1, 9))] for _ in range(n)]
    return SessionData("synthetic", [str(i) for i in range(n)], sessions)


def trained_repeat(data: SessionData, recent: int = 5, steps: int = 30):
    vocab = Vocabulary.from_sessions(data)
    items, offsets = vocab.encode(data)
    torch.manual_seed(0)
    model = GRU4Rec(ModelConfig(num_items=len(vocab), hidden_size=10, embedding_size=6, repeat=True,
                                recent_items=recent, dropout_hidden=0.1))
    train(model, items, offsets, vocab.counts, TrainConfig(batch_size=8, n_sample=16, epochs=1, seed=0),
          max_batches=steps)
    return model, vocab


def test_export_repeat_bundle_with_parity_through_the_interpreter(tmp_path):
    model, vocab = trained_repeat(tiny_sessions(300, 3), recent=5)
    out = str(tmp_path / "bundle")
    meta = export(model, out, vocab, name="repeat-bundle", top_k=10)
    proto = onnx.load(os.path.join(out, "model.onnx"))
    onnx.checker.check_model(proto)
    assert [o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")] == [14]
    assert graph_specs(proto) == tensor_specs(10, 10, 5)
    assert graph_specs(proto)["inputs"][2] == {"name": "recent_items", "type": "int64", "shape": ["batch", 5]}
    with open(os.path.join(out, "metadata.json"), encoding="utf-8") as f:
        md = json.load(f)
    assert md == meta and md["repeat"] is True and md["recent_items"] == 5
    assert md["hyperparameters"] == {}
    assert [i["name"] for i in md["inputs"]] == ["item_idx", "hidden", "recent_items"]

    with open(os.path.join(out, "parity.json"), encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    rows = [r for c in cases for r in c["recent_items"]]
    for c in cases:  # every window starts with the current click
        assert [r[0] for r in c["recent_items"]] == c["item_idx"]
    assert cases[0]["recent_items"][0][1:] == [-1] * 4                               # all padding but the click
    assert any(len([x for x in r if x >= 0]) > len({x for x in r if x >= 0}) for r in rows)  # repeats in a row
    assert any(-1 in r[:j] for r in rows for j in range(len(r)) if r[j] >= 0)        # -1 between known items
    assert any(r == [r[0]] + [-1] * 4 for r in rows) and any(-1 not in r for r in rows)
    assert check_parity(os.path.join(out, "model.onnx"), cases) < 1e-4

    # the bonus matters in the graph: the same state with another window gives another list
    step = StepModule(model.eval(), 10).eval()
    x = torch.tensor([0, 3, 1, 2])
    h = torch.randn(4, 10) * 0.5
    recent = torch.tensor([[0, 3, 3, -1, -1], [3, -1, -1, -1, -1], [1, 2, 1, 2, 1], [2, 9, -1, 9, 4]])
    with torch.no_grad():
        nh, s, i = step(x, h, recent)
        _, s0, _ = step(x, h, torch.full_like(recent, -1))
    o = run(proto, {"item_idx": x.numpy(), "hidden": h.numpy(), "recent_items": recent.numpy()})
    assert np.array_equal(o["topk_items"], i.numpy())
    assert np.allclose(o["topk_scores"], s.numpy(), atol=1e-5) and np.allclose(o["new_hidden"], nh.numpy(), atol=1e-5)
    assert not torch.allclose(s, s0)

    # a parity case that disagrees is caught
    cases[0]["recent_items"][1][2] = cases[0]["item_idx"][1] + 1 if cases[0]["item_idx"][1] + 1 < len(vocab) else 0
    cases[0]["topk_scores"][1][0] += 0.5
    with pytest.raises(AssertionError):
        check_parity(os.path.join(out, "model.onnx"), cases)


def test_interpreter_refuses_a_scatter_whose_result_would_depend_on_the_runtime():
    node = onnx.helper.make_node("ScatterElements", ["d", "i", "u"], ["o"], axis=1)
    graph = onnx.helper.make_graph(
        [node], "g",
        [onnx.helper.make_tensor_value_info(n, t, None) for n, t in
         (("d", onnx.TensorProto.FLOAT), ("i", onnx.TensorProto.INT64), ("u", onnx.TensorProto.FLOAT))],
        [onnx.helper.make_tensor_value_info("o", onnx.TensorProto.FLOAT, None)])
    model = onnx.helper.make_model(graph)
    d = np.zeros((1, 3), dtype=np.float32)
    same = run(model, {"d": d, "i": np.array([[2, 2]]), "u": np.array([[1.0, 1.0]], dtype=np.float32)})
    assert same["o"].tolist() == [[0.0, 0.0, 1.0]]
    with pytest.raises(ValueError, match="twice with different values"):
        run(model, {"d": d, "i": np.array([[2, 2]]), "u": np.array([[1.0, 2.0]], dtype=np.float32)})
    with pytest.raises(NotImplementedError, match="negative"):
        run(model, {"d": d, "i": np.array([[-1]]), "u": np.array([[1.0]], dtype=np.float32)})


def test_evaluating_the_exported_graph_gives_the_pytorch_figures(tmp_path):
    data = tiny_sessions(400, 5)
    model, vocab = trained_repeat(data, recent=3, steps=60)
    out = str(tmp_path / "b")
    export(model, out, vocab, name="b", top_k=20)
    path = tmp_path / "test.tsv"
    path.write_text("SessionId\tItemId\tPos\n" + "".join(
        f"{sid}\t{item}\t{p}\n" for sid, s in zip(data.session_ids[:150], data.sessions[:150])
        for p, item in enumerate(s)), encoding="utf-8")
    items, offsets = vocab.encode(data.head(150))
    expected = evaluate_model(model, items, offsets, k=20)
    got = cli.evaluate_bundle(out, str(path))
    assert got["predictions"] == expected["predictions"] > 300
    assert got["recall@20"] == pytest.approx(expected["recall@20"], abs=1e-9)
    assert got["mrr@20"] == pytest.approx(expected["mrr@20"], abs=1e-6)


def test_repeat_and_explore_targets_split_the_predictions():
    # [1, 2, 1, 3, 2] and [4, -1, 4]: targets 2 (explore), 1 (repeat), 3 (explore), 2 (repeat); -1 (unknown,
    # explore), 4 (repeat)
    items = np.array([1, 2, 1, 3, 2, 4, -1, 4])
    offsets = np.array([0, 5, 8])
    assert repeat_targets(items, offsets).tolist() == [False, True, False, True, False, False, True, False]
    torch.manual_seed(0)
    m = GRU4Rec(ModelConfig(num_items=6, hidden_size=5, embedding_size=4, sparse=False))
    r = evaluate_model(m, items, offsets, k=6)
    assert (r["predictions"], r["repeat_predictions"], r["explore_predictions"]) == (6, 3, 3)
    assert r["recall@6"] == pytest.approx((r["repeat_recall@6"] * 3 + r["explore_recall@6"] * 3) / 6)


def test_spop_ranks_the_sessions_items_by_count_then_recency():
    counts = np.array([9, 8, 7, 6, 5])
    # session [3, 4, 3, 4, 0, 2]: predictions after each click
    items = np.array([3, 4, 3, 4, 0, 2])
    r = evaluate_spop(counts, items, np.array([0, 6]), k=5)
    # targets: 4 (rank 5: 3, then 0, 1, 2 by clicks), 3 (rank 2: 4 more recent, same count), 4 (rank 2: 3 has
    # count 2), 0 (rank 3: 4, 3, then 0), 2 (rank 5: 4, 3 (count 2, 4 newer), 0 (count 1), then 1, 2)
    assert r["spop_predictions"] == 5
    assert r["spop_mrr@5"] == pytest.approx((1 / 5 + 1 / 2 + 1 / 2 + 1 / 3 + 1 / 5) / 5)


def repeat_shop(n_sessions: int, seed: int, n_items: int = 1000) -> SessionData:
    """A shop where repeats dominate: two clicks in three go back to the session's previous item (back and
    forth between two products), the others go to a random product."""
    rng = np.random.default_rng(seed)
    sessions = []
    for _ in range(n_sessions):
        s = [int(rng.integers(n_items))]
        for _ in range(int(rng.integers(3, 9))):
            s.append(s[-2] if len(s) >= 2 and rng.random() < 2 / 3 else int(rng.integers(n_items)))
        sessions.append([f"p{i}" for i in s])
    return SessionData(f"repeat-shop-{seed}", [str(i) for i in range(n_sessions)], sessions)


def results_on_the_repeat_shop(variants):
    """Test figures of a model per variant (extra ``ModelConfig`` keys; hidden 24, 3 epochs) trained on
    :func:`repeat_shop`, and S-POP's on the same test sessions."""
    train_data, test_data = repeat_shop(1500, 1), repeat_shop(300, 2)
    vocab = Vocabulary.from_sessions(train_data)
    items, offsets = vocab.encode(train_data)
    t_items, t_offsets = vocab.encode(test_data)
    results = {}
    for name, keys in variants.items():
        torch.manual_seed(0)
        model = GRU4Rec(ModelConfig(num_items=len(vocab), hidden_size=24, embedding_size=24, **keys))
        train(model, items, offsets, vocab.counts,
              TrainConfig(batch_size=32, n_sample=32, epochs=3, learning_rate=0.1, seed=0))
        results[name] = evaluate_model(model, t_items, t_offsets, k=20)
    return results, evaluate_spop(vocab.counts, t_items, t_offsets, k=20)


def test_repeat_model_beats_the_plain_gru_and_spop_where_repeats_dominate():
    results, spop = results_on_the_repeat_shop({False: {}, True: {"repeat": True, "recent_items": 5}})
    assert results[True]["repeat_predictions"] > 0.5 * results[True]["predictions"]
    assert results[True]["mrr@20"] > results[False]["mrr@20"] + 0.05
    assert results[True]["mrr@20"] > spop["spop_mrr@20"] + 0.05
    assert results[True]["repeat_mrr@20"] > results[False]["repeat_mrr@20"]


def test_quantized_repeat_bundle_adds_the_bonus_in_the_row_relative_scale(tmp_path):
    model, vocab = trained_repeat(tiny_sessions(300, 7), recent=5, steps=60)
    src = str(tmp_path / "float")
    export(model, src, vocab, name="rep", top_k=10)
    out = str(tmp_path / "int8")
    meta = quantize_bundle(src, out)
    proto = onnx.load(os.path.join(out, "model.onnx"))
    assert graph_specs(proto) == tensor_specs(10, 10, 5)
    assert meta["repeat"] is True and meta["recent_items"] == 5
    assert "MatMulInteger" in {n.op_type for n in proto.graph.node}
    cases = json.load(open(os.path.join(out, "parity.json"), encoding="utf-8"))["cases"]
    float_cases = json.load(open(os.path.join(src, "parity.json"), encoding="utf-8"))["cases"]
    assert [c["recent_items"] for c in cases] == [c["recent_items"] for c in float_cases]
    assert check_parity(os.path.join(out, "model.onnx"), cases) == 0.0
    assert meta["quantization"]["parity_vs_float"]["top20_overlap_mean"] >= 0.9

    # the ranking is that of (row-relative int8 scores + bonus / row factor), scaled back after TopK
    scatter = next(n for n in proto.graph.node if n.op_type == "ScatterElements")
    concat = next(n for n in proto.graph.node if n.op_type == "Concat" and n.output[0] == scatter.input[0])
    relative, factor, bonus = concat.input[0], "quantized/row_factor", "quantized/row_relative_bonus"
    c = cases[0]
    feeds = {"item_idx": np.asarray(c["item_idx"]), "hidden": np.asarray(c["hidden"], dtype=np.float32),
             "recent_items": np.asarray(c["recent_items"])}
    got = run(with_outputs(proto, relative, factor, bonus), feeds)
    for r, window in enumerate(c["recent_items"]):
        expected = got[relative][r].copy()
        for j, item in enumerate(window):
            if item >= 0 and item not in window[:j]:
                expected[item] = expected[item] + got[bonus][r][j]
        order = np.argsort(-expected, kind="stable")[:10]
        assert got["topk_items"][r].tolist() == order.tolist()
        assert np.array_equal(got["topk_scores"][r], expected[order] * got[factor][r][0])
    # the bonus in the int8 graph still changes the lists, as in the float graph
    without = run(proto, {**feeds, "recent_items": np.full_like(feeds["recent_items"], -1)})
    assert not np.array_equal(without["topk_scores"], got["topk_scores"])


def test_export_checks_parity_with_onnxruntime_where_the_interpreter_lacks_an_op(tmp_path, monkeypatch):
    """A newer torch may export an op the NumPy interpreter does not know; where ONNX Runtime for Python is
    installed (the GPU machines), export verifies with it instead of failing after training."""
    import sys
    import types

    from insession_exporter import onnx_numpy
    model, vocab = trained_repeat(tiny_sessions(100, 9), recent=3, steps=5)
    real_run = onnx_numpy.run
    used = []

    class FakeSession:  # stands in for onnxruntime.InferenceSession, computing with the real interpreter
        def __init__(self, path, providers):
            self.proto = onnx.load(path)
            used.append(providers)

        def get_outputs(self):
            return [types.SimpleNamespace(name=o.name) for o in self.proto.graph.output]

        def run(self, _names, feeds):
            out = real_run(self.proto, feeds)
            return [out[o.name] for o in self.proto.graph.output]

    def lacking(proto, feeds):
        raise NotImplementedError("ONNX op Expand is not supported by onnx_numpy")

    monkeypatch.setattr(onnx_numpy, "run", lacking)
    monkeypatch.setitem(sys.modules, "onnxruntime", types.SimpleNamespace(InferenceSession=FakeSession))
    export(model, str(tmp_path / "b"), vocab, name="b", top_k=5)
    assert used == [["CPUExecutionProvider"]]
    # without ONNX Runtime the interpreter's refusal stands
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(NotImplementedError, match="Expand"):
        export(model, str(tmp_path / "c"), vocab, name="c", top_k=5)
