import torch

from conftest import YC_TEST, YC_TRAIN, needs_data
from insession_exporter.data import Vocabulary, read_sessions
from insession_exporter.evaluate import evaluate_model, evaluate_pop
from insession_exporter.model import GRU4Rec, ModelConfig
from insession_exporter.train import TrainConfig, train


@needs_data
def test_trained_model_beats_pop_on_held_out_sessions():
    train_data = read_sessions(YC_TRAIN).head(6000)
    test_data = read_sessions(YC_TEST).head(1500)
    vocab = Vocabulary.from_sessions(train_data)
    items, offsets = vocab.encode(train_data)
    t_items, t_offsets = vocab.encode(test_data)
    torch.manual_seed(0)
    model = GRU4Rec(ModelConfig(num_items=len(vocab), hidden_size=32, embedding_size=32))
    train(model, items, offsets, vocab.counts,
          TrainConfig(loss="bpr-max", batch_size=32, n_sample=256, epochs=3, learning_rate=0.1, seed=0))
    m = evaluate_model(model, t_items, t_offsets)
    p = evaluate_pop(vocab.counts, t_items, t_offsets)
    assert m["predictions"] == p["pop_predictions"] > 3000
    assert m["recall@20"] > p["pop_recall@20"] + 0.1
    assert m["mrr@20"] > p["pop_mrr@20"] + 0.05
