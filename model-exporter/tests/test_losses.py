import math

import numpy as np
import pytest
import torch

from insession_exporter.model import GRU4Rec, ModelConfig
from insession_exporter.train import PopularitySampler, bpr_max_loss, cross_entropy_loss, sampled_scores


def sig(x):
    return 1 / (1 + math.exp(-x))


def test_bpr_max_hand_checked():
    scores = torch.tensor([[1.0, 0.0, 2.0]])          # target 1.0, negatives 0.0 and 2.0
    mask = torch.tensor([[True, True]])
    s0, s1 = 1 / (1 + math.e ** 2), math.e ** 2 / (1 + math.e ** 2)   # softmax over the negatives
    expected = -math.log(s0 * sig(1.0) + s1 * sig(-1.0)) + 0.5 * (s0 * 0.0 + s1 * 4.0)
    assert bpr_max_loss(scores, mask, bpreg=0.5).item() == pytest.approx(expected, rel=1e-6)


def test_bpr_max_masked_negative_is_ignored_and_rows_are_averaged():
    a = bpr_max_loss(torch.tensor([[1.0, 0.0, 2.0, 50.0]]), torch.tensor([[True, True, False]]), 0.5)
    b = bpr_max_loss(torch.tensor([[1.0, 0.0, 2.0]]), torch.tensor([[True, True]]), 0.5)
    assert a.item() == pytest.approx(b.item(), rel=1e-6)
    two = bpr_max_loss(torch.tensor([[1.0, 0.0, 2.0], [3.0, -1.0, 0.0]]), torch.ones(2, 2, dtype=torch.bool), 0.0)
    r2 = -math.log((math.exp(-1) * sig(4) + 1 * sig(3)) / (math.exp(-1) + 1))
    r1 = bpr_max_loss(torch.tensor([[1.0, 0.0, 2.0]]), torch.ones(1, 2, dtype=torch.bool), 0.0).item()
    assert two.item() == pytest.approx((r1 + r2) / 2, rel=1e-6)


def test_cross_entropy_hand_checked():
    scores = torch.tensor([[1.0, 0.0, 2.0, 9.0]])
    mask = torch.tensor([[True, True, False]])
    expected = -math.log(math.e / (math.e + 1 + math.e ** 2))
    assert cross_entropy_loss(scores, mask).item() == pytest.approx(expected, rel=1e-6)


def test_sampled_scores_layout_and_duplicate_target_mask():
    torch.manual_seed(0)
    m = GRU4Rec(ModelConfig(num_items=10, hidden_size=4, embedding_size=3, sparse=False))
    out = torch.randn(3, 4)
    targets = torch.tensor([1, 2, 1])
    extra = torch.tensor([2, 7])
    scores, mask = sampled_scores(m, out, targets, extra)
    full = m.score_items(out)
    assert scores.shape == (3, 1 + 3 + 2)
    assert torch.allclose(scores[:, 0], full[torch.arange(3), targets])
    assert torch.allclose(scores[:, 1:], full[:, [1, 2, 1, 2, 7]])
    assert mask.tolist() == [[False, True, False, True, True],
                             [True, False, True, False, True],
                             [False, True, False, True, True]]


@pytest.mark.parametrize("alpha", [0.0, 0.5, 0.75, 1.0])
def test_popularity_sampling_distribution(alpha):
    counts = np.array([1, 4, 9, 16, 0, 70])
    s = PopularitySampler(counts, alpha, np.random.default_rng(1))
    draws = s.sample(200_000)
    freq = np.bincount(draws, minlength=len(counts)) / len(draws)
    w = counts.astype(float) ** alpha
    if alpha == 0.0:
        w = np.ones(len(counts))
    assert np.allclose(freq, w / w.sum(), atol=0.005)
    if alpha > 0:
        assert freq[4] == 0.0   # zero count, positive alpha: never drawn
