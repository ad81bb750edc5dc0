import hashlib
import inspect
import json
import os

import numpy as np
import onnx
import pytest
import torch

from conftest import YC_TRAIN, needs_data
from insession_exporter import cli
from insession_exporter.data import SessionData, Vocabulary
from insession_exporter.export import SUPPORTED_TORCH, export, graph_specs, onnx_export_options, tensor_specs
from insession_exporter.model import GRU4Rec, ModelConfig, StepModule
from insession_exporter.onnx_numpy import check_parity, run
from insession_exporter.train import TrainConfig, train


def small_data() -> SessionData:
    rng = np.random.default_rng(3)
    sessions = [[f"9{int(i):08d}" for i in rng.integers(0, 40, size=rng.integers(1, 6))] for _ in range(300)]
    return SessionData("synthetic", [str(i) for i in range(300)], sessions)


def trained(cfg: ModelConfig, data: SessionData, steps: int = 30):
    vocab = Vocabulary.from_sessions(data)
    items, offsets = vocab.encode(data)
    cfg.num_items = len(vocab)
    torch.manual_seed(0)
    model = GRU4Rec(cfg)
    train(model, items, offsets, vocab.counts, TrainConfig(batch_size=8, n_sample=16, epochs=1, seed=0),
          max_batches=steps)
    return model, vocab


@pytest.mark.parametrize("layers,constrained,top_k", [(1, False, 10), (2, False, 7), (1, True, 1000)])
def test_export_bundle(tmp_path, layers, constrained, top_k):
    model, vocab = trained(ModelConfig(num_items=1, hidden_size=12, embedding_size=6, layers=layers,
                                       constrained_embedding=constrained, dropout_hidden=0.2), small_data())
    out = str(tmp_path / "bundle")
    meta = export(model, out, vocab, name="test-bundle", top_k=top_k, hyperparameters={"a": 1},
                  training_data={"train_file": "x", "sessions": 1, "events": 2, "items": len(vocab)},
                  metrics={"test_file": "y", "recall@20": 0.1, "mrr@20": 0.05, "pop_recall@20": 0.0,
                           "pop_mrr@20": 0.0})
    k = min(top_k, len(vocab))
    hs = 12 * layers
    assert sorted(os.listdir(out)) == ["items.tsv", "metadata.json", "model.onnx", "parity.json"]

    # ONNX graph: valid, opset 14, names / types / shapes with the dynamic "batch" axis
    proto = onnx.load(os.path.join(out, "model.onnx"))
    onnx.checker.check_model(proto)
    assert [o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")] == [14]
    assert graph_specs(proto) == tensor_specs(hs, k)
    assert graph_specs(proto)["inputs"][0] == {"name": "item_idx", "type": "int64", "shape": ["batch"]}

    # metadata: all contract fields, checksums and sizes match the files
    with open(os.path.join(out, "metadata.json"), encoding="utf-8") as f:
        md = json.load(f)
    assert md == meta
    assert set(md) == {"format_version", "name", "version", "created", "model_type", "num_items", "hidden_size",
                       "top_k", "opset", "inputs", "outputs", "hyperparameters", "training_data", "metrics",
                       "files"}
    assert (md["format_version"], md["model_type"], md["opset"]) == (1, "gru4rec", 14)
    assert (md["num_items"], md["hidden_size"], md["top_k"]) == (len(vocab), hs, k)
    assert set(md["files"]) == {"model.onnx", "items.tsv", "parity.json"}
    for name, info in md["files"].items():
        data = open(os.path.join(out, name), "rb").read()
        assert info == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    assert Vocabulary.read_tsv(os.path.join(out, "items.tsv")).item_ids == vocab.item_ids

    # parity.json = outputs of the exported step module in eval mode (dropout off), and the ONNX graph agrees
    with open(os.path.join(out, "parity.json"), encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    assert [len(c["item_idx"]) for c in cases] == [8, 3]
    assert not any(any(row) for row in cases[1]["hidden"])
    step = StepModule(model.eval(), top_k).eval()
    for c in cases:
        with torch.no_grad():
            nh, s, i = step(torch.tensor(c["item_idx"]), torch.tensor(c["hidden"]))
        assert torch.equal(i, torch.tensor(c["topk_items"]))
        assert torch.allclose(s, torch.tensor(c["topk_scores"]), atol=1e-6)
        assert torch.allclose(nh, torch.tensor(c["new_hidden"]), atol=1e-6)
        assert np.all(np.diff(np.array(c["topk_scores"]), axis=1) <= 0)
    assert check_parity(os.path.join(out, "model.onnx"), cases) < 1e-4

    # dynamic batch: another batch size through the ONNX graph matches PyTorch
    x = torch.tensor([0, 3, 1, 2, 5])
    h = torch.randn(5, hs) * 0.3
    with torch.no_grad():
        nh, s, i = step(x, h)
    o = run(proto, {"item_idx": x.numpy(), "hidden": h.numpy()})
    assert np.array_equal(o["topk_items"], i.numpy()) and o["topk_items"].dtype == np.int64
    assert np.allclose(o["topk_scores"], s.numpy(), atol=1e-5) and np.allclose(o["new_hidden"], nh.numpy(), atol=1e-5)


def test_parity_check_detects_a_mismatch(tmp_path):
    model, vocab = trained(ModelConfig(num_items=1, hidden_size=8, embedding_size=4), small_data(), steps=5)
    out = str(tmp_path / "b")
    export(model, out, vocab, name="b", top_k=5)
    with open(os.path.join(out, "parity.json"), encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    cases[0]["new_hidden"][0][0] += 1e-3
    with pytest.raises(AssertionError, match="new_hidden"):
        check_parity(os.path.join(out, "model.onnx"), cases)


def test_export_rejects_bad_arguments(tmp_path):
    model, vocab = trained(ModelConfig(num_items=1, hidden_size=8, embedding_size=4), small_data(), steps=1)
    with pytest.raises(ValueError, match="vocabulary"):
        export(model, str(tmp_path / "x"), Vocabulary(["a"], np.array([1])), name="x")
    with pytest.raises(ValueError, match="name"):
        export(model, str(tmp_path / "x"), vocab, name="a/b")


@needs_data
def test_cli_train_export_and_evaluate_bundle_on_a_real_slice(tmp_path):
    # a small slice of the yoochoose 100k files, written as GRU4Rec TSV
    def write_slice(src, dst, n_lines):
        with open(src, encoding="utf-8") as f:
            lines = f.readlines()[:n_lines]
        # do not cut a session in half
        last = lines[-1].split("\t")[0]
        lines = [ln for ln in lines if ln.split("\t")[0] != last] if len(lines) > 2 else lines
        (tmp_path / dst).write_text("".join(lines), encoding="utf-8")
        return str(tmp_path / dst)
    tr = write_slice(YC_TRAIN, "train.txt", 4000)
    hp = {"hidden_size": 16, "embedding_size": 16, "batch_size": 16, "n_sample": 64, "epochs": 1, "top_k": 20,
          "learning_rate": 0.1}
    (tmp_path / "hp.json").write_text(json.dumps(hp), encoding="utf-8")
    out = str(tmp_path / "bundle")
    assert cli.main(["--log-level", "WARNING", "train", "--train", tr, "--test", tr,
                     "--hparams", str(tmp_path / "hp.json"), "--out", out, "--name", "slice"]) == 0
    md = json.load(open(os.path.join(out, "metadata.json"), encoding="utf-8"))
    assert set(md["metrics"]) == {"test_file", "recall@20", "mrr@20", "pop_recall@20", "pop_mrr@20"}
    assert md["training_data"]["events"] == sum(1 for _ in open(tr)) - 1
    # evaluating the exported ONNX graph reproduces the PyTorch metrics
    res = cli.evaluate_bundle(out, tr)
    assert res["recall@20"] == pytest.approx(md["metrics"]["recall@20"], abs=2e-4)
    assert res["mrr@20"] == pytest.approx(md["metrics"]["mrr@20"], abs=2e-4)
    (tmp_path / "bad.json").write_text('{"hiden_size": 3}', encoding="utf-8")
    assert cli.main(["train", "--train", tr, "--hparams", str(tmp_path / "bad.json"), "--out", out]) == 2


def _export_113(model, args, f, export_params=True, verbose=False, training=None, input_names=None,
                output_names=None, operator_export_type=None, opset_version=None, do_constant_folding=True,
                dynamic_axes=None, keep_initializers_as_inputs=None, custom_opsets=None,
                export_modules_as_functions=False):
    """The signature of torch 1.13 - 2.4's torch.onnx.export: the TorchScript exporter only."""


def _export_2x(model, args, f, *, kwargs=None, export_params=True, verbose=None, input_names=None,
               output_names=None, opset_version=None, dynamic_axes=None, keep_initializers_as_inputs=False,
               dynamo=True, external_data=True, dynamic_shapes=None, optimize=True, verify=False,
               do_constant_folding=True):
    """The shape of torch >= 2.9's torch.onnx.export: the dynamo exporter unless dynamo=False."""


def test_export_options_keep_the_torchscript_exporter_on_every_supported_torch():
    assert onnx_export_options(_export_113, "1.13.1") == {}
    assert onnx_export_options(_export_113, "2.4.1+cpu") == {}
    assert onnx_export_options(_export_2x, "2.11.0+cu128") == {"dynamo": False, "external_data": False}
    assert onnx_export_options(_export_2x, "2.12.0.dev20261101") == {"dynamo": False, "external_data": False}
    # this machine's torch: whatever its version, the options fit its own torch.onnx.export
    options = onnx_export_options()
    assert set(options) <= set(inspect.signature(torch.onnx.export).parameters)
    assert options.get("dynamo", False) is False


@pytest.mark.parametrize("version", ["1.12.1", "3.0.0", "nightly"])
def test_export_options_refuse_a_torch_outside_the_supported_range(version):
    with pytest.raises(RuntimeError, match=rf"PyTorch (version )?'?{version}.*torch >=1\.13,<3 \(see requirements.txt\)"):
        onnx_export_options(_export_2x, version)


def test_exported_model_is_one_self_contained_opset_14_file(tmp_path):
    model, vocab = trained(ModelConfig(num_items=1, hidden_size=8, embedding_size=8), small_data(), steps=5)
    out = str(tmp_path / "bundle")
    export(model, out, vocab, name="one-file", top_k=5, write_parity=False)
    assert sorted(os.listdir(out)) == ["items.tsv", "metadata.json", "model.onnx"]
    proto = onnx.load(os.path.join(out, "model.onnx"), load_external_data=False)
    assert not any(t.data_location == onnx.TensorProto.EXTERNAL for t in proto.graph.initializer)
    assert [o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")] == [14]


def test_requirements_state_the_supported_torch_range():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    spec = "torch" + ",".join(SUPPORTED_TORCH)
    with open(os.path.join(here, "requirements.txt"), encoding="utf-8") as f:
        assert spec in [line.strip() for line in f]
    with open(os.path.join(here, "pyproject.toml"), encoding="utf-8") as f:
        assert f'"{spec}"' in f.read()
