"""The bundles committed under streams-app are consistent: checksums, contract, parity through ONNX."""
import hashlib
import json
import os

import onnx
import pytest

from insession_exporter.data import Vocabulary
from insession_exporter.export import graph_specs, tensor_specs
from insession_exporter.onnx_numpy import check_parity

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEST_BUNDLES = os.path.join(ROOT, "streams-app", "src", "test", "resources", "bundles")
BUNDLES = [os.path.join(TEST_BUNDLES, "tiny"), os.path.join(TEST_BUNDLES, "tiny-int8"),
           os.path.join(TEST_BUNDLES, "tiny-ivf"), os.path.join(TEST_BUNDLES, "tiny-mixture"),
           os.path.join(ROOT, "streams-app", "src", "main", "resources", "io", "insession", "demo", "bundle")]


@pytest.mark.parametrize("bundle", BUNDLES, ids=["tiny", "tiny-int8", "tiny-ivf", "tiny-mixture", "demo"])
def test_committed_bundle(bundle):
    if not os.path.isdir(bundle):
        pytest.skip(f"{bundle} not present")
    with open(os.path.join(bundle, "metadata.json"), encoding="utf-8") as f:
        md = json.load(f)
    assert sorted(os.listdir(bundle)) == sorted(list(md["files"]) + ["metadata.json"])
    for name, info in md["files"].items():
        data = open(os.path.join(bundle, name), "rb").read()
        assert info == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}, name
    proto = onnx.load(os.path.join(bundle, "model.onnx"))
    onnx.checker.check_model(proto)
    specs = tensor_specs(md["hidden_size"], md["top_k"], md["recent_items"] if md.get("repeat") else None)
    assert graph_specs(proto) == specs
    assert {k: md[k] for k in ("inputs", "outputs")} == specs
    assert len(Vocabulary.read_tsv(os.path.join(bundle, "items.tsv"))) == md["num_items"]
    with open(os.path.join(bundle, "parity.json"), encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    assert len(cases) >= 2
    assert check_parity(os.path.join(bundle, "model.onnx"), cases) < 1e-4
    m = md["metrics"]
    assert m["recall@20"] > m["pop_recall@20"] and m["mrr@20"] > m["pop_mrr@20"]


def test_committed_int8_bundle_is_made_from_the_committed_tiny_bundle():
    with open(os.path.join(TEST_BUNDLES, "tiny", "metadata.json"), encoding="utf-8") as f:
        tiny = json.load(f)
    with open(os.path.join(TEST_BUNDLES, "tiny-int8", "metadata.json"), encoding="utf-8") as f:
        int8 = json.load(f)
    assert int8["quantization"]["source"] == {"name": tiny["name"], "version": tiny["version"],
                                              "model_sha256": tiny["files"]["model.onnx"]["sha256"]}
    assert int8["files"]["items.tsv"] == tiny["files"]["items.tsv"]


def test_committed_ivf_bundle_is_made_from_the_committed_tiny_bundle():
    with open(os.path.join(TEST_BUNDLES, "tiny", "metadata.json"), encoding="utf-8") as f:
        tiny = json.load(f)
    with open(os.path.join(TEST_BUNDLES, "tiny-ivf", "metadata.json"), encoding="utf-8") as f:
        ivf = json.load(f)
    assert ivf["retrieval"]["source"] == {"name": tiny["name"], "version": tiny["version"],
                                          "model_sha256": tiny["files"]["model.onnx"]["sha256"]}
    assert ivf["retrieval"]["source_metrics"] == tiny["metrics"]
    assert ivf["files"]["items.tsv"] == tiny["files"]["items.tsv"]
