import numpy as np
import pytest
import torch

from insession_exporter.evaluate import RankAccumulator, conservative_ranks, evaluate_model, evaluate_pop
from insession_exporter.model import GRU4Rec, ModelConfig


def test_conservative_ranks_with_ties():
    scores = torch.tensor([[0.5, 0.9, 0.5, 0.1],    # target 0 tied with item 2 -> rank 3 (item 1 above, 2 tied)
                           [0.5, 0.9, 0.5, 0.1],    # target 1 -> rank 1
                           [1.0, 1.0, 1.0, 1.0],    # all tied -> rank 4
                           [0.0, 0.0, 0.0, 0.0]])   # unknown target -> miss
    ranks = conservative_ranks(scores, torch.tensor([0, 1, 3, -1]))
    assert ranks.tolist() == [3.0, 1.0, 4.0, float("inf")]


def test_rank_accumulator():
    acc = RankAccumulator(k=3)
    acc.add(torch.tensor([1.0, 3.0, 4.0, float("inf")]))
    r = acc.result()
    assert r["recall@3"] == pytest.approx(2 / 4)
    assert r["mrr@3"] == pytest.approx((1 + 1 / 3) / 4)
    assert r["predictions"] == 4


def test_pop_baseline_ties_and_unknown_targets():
    counts = np.array([5, 3, 3, 1])
    # sessions [0,1,2] and [3,-1,0]: targets 1, 2, -1, 0
    items = np.array([0, 1, 2, 3, -1, 0])
    offsets = np.array([0, 3, 6])
    r = evaluate_pop(counts, items, offsets, k=2)
    # ranks: item1 -> 3 (tied with item 2, both after item 0), item2 -> 3, unknown -> miss, item0 -> 1
    assert r["pop_recall@2"] == pytest.approx(1 / 4)
    assert r["pop_mrr@2"] == pytest.approx(1 / 4)
    assert r["pop_predictions"] == 4


def test_unknown_input_does_not_advance_state():
    torch.manual_seed(0)
    m = GRU4Rec(ModelConfig(num_items=6, hidden_size=5, embedding_size=4, sparse=False)).eval()
    # [1, 2, 3] vs [1, unknown, 2, 3]: the predictions after "2" and "3" are identical; the unknown
    # click's own prediction (target 2) is made from the state after "1".
    a = evaluate_model(m, np.array([1, 2, 3]), np.array([0, 3]), k=6)
    b = evaluate_model(m, np.array([1, -1, 2, 3]), np.array([0, 4]), k=6)
    assert a["predictions"] == 2 and b["predictions"] == 3
    # b: after "1" the target is unknown (miss); after the unknown click the state is still the one after
    # "1", so the prediction of "2" is a's first one; after "2" the prediction of "3" is a's second one.
    assert a["recall@6"] == 1.0 and b["recall@6"] == pytest.approx(2 / 3)
    assert b["mrr@6"] * 3 == pytest.approx(a["mrr@6"] * 2, rel=1e-9)


def test_unknown_input_state_is_kept_exactly():
    torch.manual_seed(0)
    m = GRU4Rec(ModelConfig(num_items=6, hidden_size=5, embedding_size=4, sparse=False)).eval()
    # one session of [unknown, 4]: the single prediction (target 4) is made from the zero state
    r = evaluate_model(m, np.array([-1, 4]), np.array([0, 2]), k=6)
    zero_rank = conservative_ranks(m.score_items(m.init_hidden(1)[-1]), torch.tensor([4]))[0].item()
    assert r["mrr@6"] == pytest.approx(1 / zero_rank)
