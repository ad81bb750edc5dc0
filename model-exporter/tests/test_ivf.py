"""IVF retrieval (ivf.py): the graph runs exactly the NumPy reference search, which returns what an exact
search of the same candidates returns; its recall against exact top-K is at least a bound computed from the
index's geometry; the bundle keeps the contract and records the index; bad combinations are refused."""
import json
import os

import numpy as np
import onnx
import pytest

from insession_exporter import cli, ivf
from insession_exporter.export import graph_specs, sha256_file, tensor_specs
from insession_exporter.ivf import (AUTO_MIN_ITEMS, SCHEME, IvfIndex, IvfSettings, assign, build_index, fill_small_lists,
                                    catalog_weights, check_probe, ivf_bundle, ivf_graph, retrieval_choice, search)
from insession_exporter.onnx_numpy import check_parity, run
from insession_exporter.quantize import quantize_bundle

SETTINGS = {"type": "ivf", "lists": 32, "probe": 4}


@pytest.fixture(scope="module")
def exact_bundle(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("ivf") / "exact")
    cli.synthetic_bundle(out, 600, 16, top_k=20, seed=7)
    return out


@pytest.fixture(scope="module")
def ivf_dir(exact_bundle, tmp_path_factory):
    out = str(tmp_path_factory.mktemp("ivf") / "ivf")
    ivf_bundle(exact_bundle, out, IvfSettings(lists=32, probe=4))
    return out


def index_of(proto: onnx.ModelProto) -> IvfIndex:
    inits = {i.name: onnx.numpy_helper.to_array(i) for i in proto.graph.initializer}
    centroids = np.concatenate([inits["ivf/centroid_weights"], inits["ivf/centroid_bias"][:, None]], axis=1)
    return IvfIndex(centroids, inits["ivf/list_items"], 0)


def test_graph_returns_the_numpy_reference_search_and_the_exact_search_of_its_candidates(exact_bundle, ivf_dir):
    weight, bias = catalog_weights(onnx.load(os.path.join(exact_bundle, "model.onnx")))
    proto = onnx.load(os.path.join(ivf_dir, "model.onnx"))
    index = index_of(proto)
    rng = np.random.default_rng(5)
    for batch in (1, 7, 64):
        feeds = {"item_idx": rng.integers(0, 600, batch), "hidden": rng.uniform(-1, 1, (batch, 16)).astype(np.float32)}
        out = run(proto, feeds)
        exact = run(onnx.load(os.path.join(exact_bundle, "model.onnx")), feeds)
        np.testing.assert_array_equal(out["new_hidden"], exact["new_hidden"])  # the GRU step is untouched
        scores, items = search(out["new_hidden"], weight, bias, index, 4, 20)
        np.testing.assert_array_equal(out["topk_items"], items)
        np.testing.assert_allclose(out["topk_scores"], scores, atol=1e-5)
        # the exact search restricted to the probed lists' items gives the same list
        full = out["new_hidden"] @ weight.T + bias
        coarse = out["new_hidden"] @ index.centroids[:, :-1].T + index.centroids[:, -1]
        for r in range(batch):
            probed = np.argsort(-coarse[r], kind="stable")[:4]
            cand = index.list_items[probed].reshape(-1)
            cand = cand[cand >= 0]
            allowed = np.full(600, -np.inf, dtype=np.float32)
            allowed[cand] = full[r, cand]
            assert list(np.argsort(-allowed, kind="stable")[:20]) == list(out["topk_items"][r])
        assert (out["topk_items"] >= 0).all() and (out["topk_items"] < 600).all()
        assert np.isfinite(out["topk_scores"]).all()


def test_every_item_is_in_exactly_one_list_of_the_fixed_size():
    rng = np.random.default_rng(1)
    points = rng.normal(size=(1000, 9)).astype(np.float32)
    centroids = points[rng.choice(1000, 20, replace=False)]
    lists, spilled = assign(points, centroids, 60)
    assert lists.shape == (20, 60)
    real = lists[lists >= 0]
    assert sorted(real.tolist()) == list(range(1000))
    assert ((lists >= 0).sum(axis=1) <= 60).all()
    for row in lists:  # padding at the end, items in increasing index
        n = int((row >= 0).sum())
        assert (row[n:] == -1).all() and (np.diff(row[:n]) > 0).all()
    nearest = ((points[:, None, :] - centroids[None]) ** 2).sum(-1).argmin(1)
    owner = np.empty(1000, dtype=np.int64)
    for c, row in enumerate(lists):
        owner[row[row >= 0]] = c
    assert spilled == int((owner != nearest).sum()) and spilled > 0  # 60 < what the biggest cluster wants
    unbounded, none = assign(points, centroids, 1000)
    assert none == 0 and np.array_equal(np.sort(unbounded[unbounded >= 0]), np.arange(1000))


def test_small_lists_are_filled_with_the_items_nearest_their_centroid():
    rng = np.random.default_rng(3)
    points = rng.normal(size=(1000, 9)).astype(np.float32)
    far = np.full((2, 9), 40.0, dtype=np.float32)  # two centroids among outliers: nothing is nearest to them
    far[1] *= -1
    centroids = np.concatenate([points[rng.choice(1000, 18, replace=False)], far])
    lists, _ = assign(points, centroids, 100)
    assert (lists[18:] >= 0).sum() == 0

    filled, moved = fill_small_lists(points, centroids, lists, 7)

    sizes = (filled >= 0).sum(axis=1)
    assert sizes.min() == 7 and moved == 14 and sizes.sum() == 1000
    assert sorted(filled[filled >= 0].tolist()) == list(range(1000))
    for c in (18, 19):  # each empty list holds the 7 items nearest its centroid (opposite corners: no overlap)
        nearest = np.argsort(((points - centroids[c]) ** 2).sum(axis=1), kind="stable")
        assert set(filled[c][filled[c] >= 0].tolist()) == set(nearest[:7].tolist())
    with pytest.raises(ValueError, match="cannot each hold 101"):
        fill_small_lists(points, centroids, lists, 101)


def test_an_index_with_tiny_lists_is_filled_so_every_session_sees_top_k_items():
    rng = np.random.default_rng(5)
    weight = rng.uniform(-0.1, 0.1, size=(3000, 16)).astype(np.float32)  # no clusters: k-means leaves tiny lists
    bias = np.zeros(3000, dtype=np.float32)
    settings = IvfSettings(lists=100, probe=2)
    plain = build_index(weight, bias, settings)
    assert int(np.sort(plain.list_sizes)[:2].sum()) < 50
    with pytest.raises(ValueError, match="can see only"):
        check_probe(plain, 2, 50)

    index = build_index(weight, bias, settings, top_k=50)

    check_probe(index, 2, 50)
    assert index.list_sizes.min() >= 25 and index.spilled > plain.spilled
    assert sorted(index.list_items[index.list_items >= 0].tolist()) == list(range(3000))


def test_distances_in_blocks_give_the_same_index(monkeypatch):
    rng = np.random.default_rng(9)
    weight = rng.normal(size=(2000, 12)).astype(np.float32)
    bias = rng.normal(size=2000).astype(np.float32)
    settings = IvfSettings(lists=40, probe=4)
    whole = build_index(weight, bias, settings, top_k=20)

    monkeypatch.setattr(ivf, "_DISTANCE_BLOCK", 100)  # 2 rows of 40 centroids at a time
    blocks = build_index(weight, bias, settings, top_k=20)

    np.testing.assert_array_equal(blocks.centroids, whole.centroids)
    np.testing.assert_array_equal(blocks.list_items, whole.list_items)
    assert blocks.spilled == whole.spilled


def certified_exact(hidden: np.ndarray, weight: np.ndarray, bias: np.ndarray, index: IvfIndex, probe: int,
                    k: int) -> np.ndarray:
    """Rows whose IVF top-k provably equals the exact top-k, from the index's geometry alone: an item i of list
    l scores [h|1].[W_i|b_i] <= [h|1].c_l + |[h|1]| r_l (Cauchy-Schwarz, r_l = the list's largest distance to
    its centroid), so when the k-th IVF score beats that bound for every list not probed, no unprobed item can
    enter the top-k."""
    points = np.concatenate([weight, bias[:, None]], axis=1)
    radius = np.zeros(len(index.centroids))
    for c, row in enumerate(index.list_items):
        members = row[row >= 0]
        if len(members):
            radius[c] = np.sqrt(((points[members] - index.centroids[c]) ** 2).sum(axis=1)).max()
    ext = np.concatenate([hidden, np.ones((len(hidden), 1), dtype=np.float32)], axis=1)
    coarse = ext @ index.centroids.T
    upper = coarse + np.linalg.norm(ext, axis=1, keepdims=True) * radius[None, :]
    scores, _ = search(hidden, weight, bias, index, probe, k)
    order = np.argsort(-coarse, axis=1, kind="stable")
    unprobed_best = np.take_along_axis(upper, order[:, probe:], axis=1).max(axis=1)
    return scores[:, k - 1] > unprobed_best


def test_recall_against_exact_top_k_is_at_least_the_certified_bound():
    rng = np.random.default_rng(11)
    clusters, per, dim, k = 32, 150, 24, 20  # two lists per cluster: k-means++ seeds every cluster
    centres = rng.normal(size=(clusters, dim)) * 4.0
    weight = (np.repeat(centres, per, axis=0) + rng.normal(size=(clusters * per, dim)) * 0.5).astype(np.float32)
    bias = rng.normal(size=clusters * per).astype(np.float32) * 0.1
    # lists large enough that nothing spills: a spilled item lies far from its list's centroid, which widens
    # that list's radius and so weakens the certificate (the spill itself is tested above)
    index = build_index(weight, bias, IvfSettings(lists=64, probe=1, cap_factor=3.0, seed=3))
    assert index.spilled == 0
    # sessions whose state points at one or two clusters, as trained states point at a few item groups
    picks = rng.integers(0, clusters, (400, 2))
    hidden = (centres[picks[:, 0]] + 0.3 * centres[picks[:, 1]] + rng.normal(size=(400, dim)) * 0.2)
    hidden = (hidden / np.linalg.norm(hidden, axis=1, keepdims=True)).astype(np.float32)
    exact = np.argsort(-(hidden @ weight.T + bias), axis=1, kind="stable")[:, :k]
    for probe in (2, 4, 8):
        _, items = search(hidden, weight, bias, index, probe, k)
        recall = np.mean([len(set(a) & set(b)) / k for a, b in zip(exact, items)])
        certified = certified_exact(hidden, weight, bias, index, probe, k)
        bound = certified.mean()
        assert bound > 0.5, f"probe {probe}: the bound {bound} says too little to test anything"
        assert recall >= bound, f"probe {probe}: recall {recall} below the certified bound {bound}"
        for r in np.flatnonzero(certified):
            assert set(items[r]) == set(exact[r])
    _, all_lists = search(hidden, weight, bias, index, 64, k)
    np.testing.assert_array_equal(np.sort(all_lists, axis=1), np.sort(exact, axis=1))  # probing all = exact


def test_ivf_bundle_keeps_the_contract_and_records_the_index(exact_bundle, ivf_dir):
    with open(os.path.join(exact_bundle, "metadata.json"), encoding="utf-8") as f:
        src = json.load(f)
    with open(os.path.join(ivf_dir, "metadata.json"), encoding="utf-8") as f:
        md = json.load(f)
    proto = onnx.load(os.path.join(ivf_dir, "model.onnx"))
    onnx.checker.check_model(proto)
    assert [o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")] == [14]
    assert graph_specs(proto) == tensor_specs(16, 20) == {k: md[k] for k in ("inputs", "outputs")}
    inits = {i.name: tuple(i.dims) for i in proto.graph.initializer}
    assert not [n.name for n in proto.graph.node  # nothing multiplies the whole catalog any more
                if n.op_type in ("Gemm", "MatMul") and any(inits.get(i, (0,))[0] == 600 for i in n.input)]
    r = md["retrieval"]
    assert (r["type"], r["scheme"], r["lists"], r["probe"]) == ("ivf", SCHEME, 32, 4)
    assert r["list_size"] == int(np.ceil(1.5 * 600 / 32)) and r["candidates"] == 4 * r["list_size"]
    assert r["list_sizes"]["max"] <= r["list_size"] and r["list_sizes"]["mean"] == pytest.approx(600 / 32)
    assert r["source"] == {"name": src["name"], "version": src["version"],
                           "model_sha256": src["files"]["model.onnx"]["sha256"]}
    assert 0 < r["parity_vs_exact"]["top20_overlap_mean"] <= 1
    assert md["name"] == src["name"] + "-ivf" and md["metrics"] == {}
    assert sorted(os.listdir(ivf_dir)) == sorted(list(md["files"]) + ["metadata.json"])
    for name, info in md["files"].items():
        assert info == {"sha256": sha256_file(os.path.join(ivf_dir, name)),
                        "bytes": os.path.getsize(os.path.join(ivf_dir, name))}
    with open(os.path.join(ivf_dir, "parity.json"), encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    assert check_parity(os.path.join(ivf_dir, "model.onnx"), cases) == 0.0
    with open(os.path.join(exact_bundle, "parity.json"), encoding="utf-8") as f:
        assert [c["hidden"] for c in json.load(f)["cases"]] == [c["hidden"] for c in cases]


def test_export_with_retrieval_writes_an_ivf_bundle_directly(tmp_path):
    out = str(tmp_path / "direct")
    meta = cli.synthetic_bundle(out, 600, 16, top_k=20, seed=7, retrieval=SETTINGS)
    assert meta["retrieval"]["lists"] == 32 and meta["name"] == "synthetic-600x16"
    with open(os.path.join(out, "parity.json"), encoding="utf-8") as f:
        check_parity(os.path.join(out, "model.onnx"), json.load(f)["cases"])


def test_refuses_int8_repeat_ivf_and_too_small_probes(exact_bundle, ivf_dir, tmp_path):
    int8 = str(tmp_path / "int8")
    quantize_bundle(exact_bundle, int8)
    with pytest.raises(ValueError, match="IVF retrieval of an int8 bundle"):
        ivf_bundle(int8, str(tmp_path / "x"), IvfSettings(lists=32, probe=4))
    with pytest.raises(ValueError, match="int8 scoring of an ivf retrieval bundle is not supported"):
        quantize_bundle(ivf_dir, str(tmp_path / "y"))
    with pytest.raises(ValueError, match="already has ivf retrieval .32 lists.: only --probe can change"):
        ivf_bundle(ivf_dir, str(tmp_path / "z"), IvfSettings(lists=16, probe=4))
    with pytest.raises(ValueError, match="top_k is 20: raise probe or lower lists"):
        ivf_bundle(exact_bundle, str(tmp_path / "w"), IvfSettings(lists=200, probe=1))
    repeat = onnx.load(os.path.join(exact_bundle, "model.onnx"))
    repeat.graph.input.append(onnx.helper.make_tensor_value_info("recent_items", onnx.TensorProto.INT64, ["b", 3]))
    with pytest.raises(ValueError, match="repeat-aware bundle is not supported"):
        ivf_graph(repeat, IvfIndex(np.zeros((2, 17), np.float32), np.zeros((2, 300), np.int64), 0), 1)
    index = IvfIndex(np.zeros((3, 17), np.float32), np.array([[0, 1, -1], [2, -1, -1], [3, 4, 5]]), 0)
    with pytest.raises(ValueError, match="can see only 3 items"):
        check_probe(index, 2, 4)


def test_retrieval_choice_and_derived_sizes():
    assert retrieval_choice(None, 10 ** 6) is None and retrieval_choice("exact", 10 ** 6) is None
    assert retrieval_choice("auto", AUTO_MIN_ITEMS - 1) is None
    assert retrieval_choice("auto", AUTO_MIN_ITEMS) == IvfSettings.derived(AUTO_MIN_ITEMS)
    assert retrieval_choice({"type": "exact"}, 1000) is None
    assert retrieval_choice({"type": "ivf", "lists": 1024, "probe": 16}, 10 ** 6) == IvfSettings(1024, 16)
    assert IvfSettings.derived(43097) == IvfSettings(lists=512, probe=32)
    assert IvfSettings.derived(1_000_000) == IvfSettings(lists=2048, probe=128)
    for bad, msg in (("fast", "retrieval must be"), ({"type": "hnsw"}, "is not 'ivf'"),
                     ({"type": "ivf", "lists": 8, "probe": 9}, "probe must be between"),
                     ({"type": "ivf", "list": 8}, "unknown retrieval settings"),
                     ({"type": "ivf", "lists": 8, "probe": 2, "cap_factor": 0.5}, "cap_factor must be")):
        with pytest.raises(ValueError, match=msg):
            retrieval_choice(bad, 10 ** 5)
    with pytest.raises(ValueError, match="too small for an IVF index"):
        IvfSettings.derived(100)


def test_cli_index_command_and_recipe_key(exact_bundle, tmp_path):
    out = str(tmp_path / "cli")
    assert cli.main(["index", "--bundle", exact_bundle, "--out", out, "--lists", "16", "--probe", "3"]) == 0
    with open(os.path.join(out, "metadata.json"), encoding="utf-8") as f:
        assert json.load(f)["retrieval"]["lists"] == 16
    assert cli.main(["index", "--bundle", exact_bundle, "--out", str(tmp_path / "bad"), "--lists", "16",
                     "--probe", "17"]) == 2
    hp = tmp_path / "hp.json"
    hp.write_text(json.dumps({"hidden_size": 8, "retrieval": {"type": "ivf", "lists": 64}}), encoding="utf-8")
    assert cli.load_hparams(str(hp))["retrieval"] == {"type": "ivf", "lists": 64}


def test_index_on_an_ivf_bundle_changes_only_the_probe(ivf_dir, tmp_path):
    out = str(tmp_path / "probe8")
    assert cli.main(["index", "--bundle", ivf_dir, "--out", out, "--probe", "8"]) == 0
    with open(os.path.join(ivf_dir, "metadata.json"), encoding="utf-8") as f:
        src = json.load(f)
    with open(os.path.join(out, "metadata.json"), encoding="utf-8") as f:
        md = json.load(f)
    assert md["retrieval"]["probe"] == 8 and md["retrieval"]["candidates"] == 8 * src["retrieval"]["list_size"]
    assert {k: v for k, v in md["retrieval"].items() if k not in ("probe", "candidates", "parity_vs_exact")} == \
        {k: v for k, v in src["retrieval"].items() if k not in ("probe", "candidates", "parity_vs_exact")}
    a, b = onnx.load(os.path.join(ivf_dir, "model.onnx")), onnx.load(os.path.join(out, "model.onnx"))
    np.testing.assert_array_equal(index_of(a).list_items, index_of(b).list_items)
    with open(os.path.join(out, "parity.json"), encoding="utf-8") as f:
        assert check_parity(os.path.join(out, "model.onnx"), json.load(f)["cases"]) == 0.0
    weight = onnx.numpy_helper.to_array(next(i for i in b.graph.initializer if tuple(i.dims) == (600, 16)))
    bias = onnx.numpy_helper.to_array(next(i for i in b.graph.initializer if tuple(i.dims) == (600,)))
    hidden = np.random.default_rng(2).uniform(-1, 1, (5, 16)).astype(np.float32)
    out8 = run(b, {"item_idx": np.arange(5), "hidden": hidden})
    _, items = search(out8["new_hidden"], weight, bias, index_of(b), 8, 20)
    np.testing.assert_array_equal(out8["topk_items"], items)
    assert cli.main(["index", "--bundle", ivf_dir, "--out", str(tmp_path / "x"), "--lists", "8", "--probe", "2"]) == 2
