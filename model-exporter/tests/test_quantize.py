"""Int8 catalog scoring (quantize.py): the contract holds, the GRU step is untouched, lists stay close to
the float model's, a session's list does not depend on its batch, and the bundle is self-consistent."""
import hashlib
import json
import os

import numpy as np
import onnx
import pytest

from conftest import YC_TEST, needs_data
from insession_exporter import cli
from insession_exporter.export import export, graph_specs, tensor_specs
from insession_exporter.model import ModelConfig
from insession_exporter.onnx_numpy import check_parity, run
from insession_exporter.quantize import SCHEME, quantize_bundle, quantize_weights
from test_export import small_data, trained


@pytest.fixture(scope="module")
def float_bundle(tmp_path_factory):
    model, vocab = trained(ModelConfig(num_items=1, hidden_size=24, embedding_size=24, constrained_embedding=True),
                           small_data(), steps=60)
    out = str(tmp_path_factory.mktemp("float") / "bundle")
    export(model, out, vocab, name="small", top_k=30)
    return out


def test_weights_round_trip_within_half_a_step():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(50, 8)).astype(np.float32)
    w[7] = 0.0  # an item that never learned anything
    b = rng.normal(size=50).astype(np.float32)
    codes, scale = quantize_weights(w, b)
    assert codes.dtype == np.int8 and codes.shape == (9, 50) and scale.shape == (50,)
    assert codes.min() >= -127 and codes.max() <= 127
    back = codes.T.astype(np.float32) * scale[:, None]
    wb = np.concatenate([w, b[:, None]], axis=1)
    assert np.all(np.abs(back - wb) <= scale[:, None] / 2 + 1e-7)
    assert scale[7] > 0 and np.all(codes[:8, 7] == 0)


def test_quantized_bundle_keeps_the_contract_and_stays_close_to_float(float_bundle, tmp_path):
    out = str(tmp_path / "int8")
    meta = quantize_bundle(float_bundle, out)
    src = json.load(open(os.path.join(float_bundle, "metadata.json"), encoding="utf-8"))

    assert sorted(os.listdir(out)) == ["items.tsv", "metadata.json", "model.onnx", "parity.json"]
    proto = onnx.load(os.path.join(out, "model.onnx"))
    onnx.checker.check_model(proto)
    assert graph_specs(proto) == tensor_specs(src["hidden_size"], src["top_k"])
    assert [o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")] == [14]
    ops = {n.op_type for n in proto.graph.node}
    assert "MatMulInteger" in ops and not any(n.op_type == "Gemm" and n.output[0].endswith("Gemm_output_0")
                                              and "out_emb" in n.input[1] for n in proto.graph.node)
    assert all(n.domain in ("", "ai.onnx") for n in proto.graph.node)

    assert meta == json.load(open(os.path.join(out, "metadata.json"), encoding="utf-8"))
    assert meta["name"] == "small-int8" and meta["metrics"] == {}
    q = meta["quantization"]
    assert q["scheme"] == SCHEME
    assert q["source"] == {"name": "small", "version": src["version"],
                           "model_sha256": src["files"]["model.onnx"]["sha256"]}
    for name, info in meta["files"].items():
        data = open(os.path.join(out, name), "rb").read()
        assert info == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}

    # parity.json: the float fixture's inputs with this graph's own outputs
    cases = json.load(open(os.path.join(out, "parity.json"), encoding="utf-8"))["cases"]
    float_cases = json.load(open(os.path.join(float_bundle, "parity.json"), encoding="utf-8"))["cases"]
    assert [c["item_idx"] for c in cases] == [c["item_idx"] for c in float_cases]
    assert check_parity(os.path.join(out, "model.onnx"), cases) == 0.0
    float_proto = onnx.load(os.path.join(float_bundle, "model.onnx"))
    for qc, fc in zip(cases, float_cases):
        # the GRU step runs in float32 exactly as in the float graph: the stored session state is the same
        same_inputs = {"item_idx": np.asarray(qc["item_idx"], dtype=np.int64),
                       "hidden": np.asarray(qc["hidden"], dtype=np.float32)}
        assert np.array_equal(np.asarray(qc["new_hidden"], dtype=np.float32),
                              run(float_proto, same_inputs)["new_hidden"])
        assert np.all(np.diff(np.asarray(qc["topk_scores"]), axis=1) <= 0)
        assert np.allclose(qc["topk_scores"], fc["topk_scores"], atol=0.05 * np.abs(fc["topk_scores"]).max())
    assert q["parity_vs_float"]["top20_overlap_mean"] >= 0.9
    assert q["parity_vs_float"]["top20_overlap_min"] >= 0.75


def test_a_sessions_list_does_not_depend_on_its_batch(float_bundle, tmp_path):
    out = str(tmp_path / "int8")
    quantize_bundle(float_bundle, out)
    proto = onnx.load(os.path.join(out, "model.onnx"))
    rng = np.random.default_rng(5)
    items = rng.integers(0, 40, size=9).astype(np.int64)
    hidden = (rng.normal(size=(9, 24)) * 0.4).astype(np.float32)
    hidden[4] *= 25  # one session with a far larger state must not change the others' quantisation
    together = run(proto, {"item_idx": items, "hidden": hidden})
    for r in range(len(items)):
        alone = run(proto, {"item_idx": items[r:r + 1], "hidden": hidden[r:r + 1]})
        assert np.array_equal(alone["topk_items"][0], together["topk_items"][r])
        assert np.array_equal(alone["topk_scores"][0], together["topk_scores"][r])


def test_quantize_refuses_what_it_cannot_do(float_bundle, tmp_path):
    out = str(tmp_path / "int8")
    quantize_bundle(float_bundle, out)
    with pytest.raises(ValueError, match="already quantised"):
        quantize_bundle(out, str(tmp_path / "again"))
    with pytest.raises(ValueError, match="another directory"):
        quantize_bundle(float_bundle, float_bundle)
    damaged = str(tmp_path / "damaged")
    os.makedirs(damaged)
    for f in os.listdir(float_bundle):
        with open(os.path.join(float_bundle, f), "rb") as src, open(os.path.join(damaged, f), "wb") as dst:
            dst.write(src.read())
    with open(os.path.join(damaged, "items.tsv"), "a", encoding="utf-8") as f:
        f.write("x\n")
    with pytest.raises(ValueError, match="checksum"):
        quantize_bundle(damaged, str(tmp_path / "never"))


@needs_data
def test_cli_quantize_measures_the_new_bundle(tmp_path):
    tiny = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                        "streams-app", "src", "test", "resources", "bundles", "tiny")
    out = str(tmp_path / "tiny-int8")
    assert cli.main(["--log-level", "WARNING", "quantize", "--bundle", tiny, "--out", out, "--test", YC_TEST]) == 0
    md = json.load(open(os.path.join(out, "metadata.json"), encoding="utf-8"))
    src = md["quantization"]["source_metrics"]
    assert md["metrics"]["test_file"] == os.path.basename(YC_TEST)
    # the int8 model ranks as well as the float one (within a point of Recall@20 / MRR@20)
    assert md["metrics"]["recall@20"] == pytest.approx(src["recall@20"], abs=0.01)
    assert md["metrics"]["mrr@20"] == pytest.approx(src["mrr@20"], abs=0.01)
    assert cli.main(["--log-level", "WARNING", "quantize", "--bundle", out, "--out", str(tmp_path / "x")]) == 2
