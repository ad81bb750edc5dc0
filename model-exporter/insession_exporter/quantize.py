"""Int8 catalog scoring: rewrite a bundle so that its largest cost, scoring every item, runs in int8.

In the exported step graph almost all the work at serving time is one ``Gemm`` of the new hidden
state against the whole item embedding (``num_items`` x ``hidden_size``), followed by ``TopK``
(BENCHMARKS.md: 89-97% of the time on the diginetica bundle). This module replaces that ``Gemm`` by
an integer matrix product that ONNX Runtime runs with its int8 kernels, and leaves the GRU step (and
so the hidden state the topology stores) untouched and exact. Scheme ``int8-catalog-v2``:

* weights: the item embedding with the output bias as one extra column, ``W' = [W | b]``, quantised
  per item (per row), symmetric, to int8 codes in [-127, 127] with scale ``max|W'_j| / 127``;
* activations: the hidden state with a constant 1 appended, ``x' = [x | 1]``, divided by its own
  largest magnitude (``>= 1`` thanks to the appended 1, so never zero), times 63, and quantised per
  row to **7-bit** codes ``round(63 x'/max|x'|) + 64`` in [1, 127] (zero point 64, step 1/63). Per
  row, so that a session's list never depends on which other sessions share its micro-batch;
* ``scores_j = MatMulInteger(x'_q, W'_q^T)_j * scale_j`` ranks the items; the row's own factor
  (``max|x'| / 63``) is the same for every item of the row, so it is applied after ``TopK``, to the
  ``top_k`` scores only.

Why 7 bits: ONNX Runtime's u8 x s8 kernel on AVX2 / AVX-512BW without VNNI (``vpmaddubsw``) adds
pairs of u8*s8 products into int16 with saturation. With codes <= 127 and weights in [-127, 127]
every pair is at most 2*127*127 = 32,258 < 32,767, so no CPU saturates and every CPU (VNNI, AVX2,
ARM dot products) computes the same exact int32 products: the lists are identical everywhere.
The int32 sums cannot overflow while ``hidden_size + 1 <= MAX_INNER_SIZE`` (K*127*127 < 2^31),
which :func:`quantize_graph` enforces. The proof is in model-exporter/README.md; the tests check it
with a NumPy emulation of the AVX2 kernel (``tests/test_quantize.py``).

A repeat-aware graph (``recent_items`` input) adds each recent item's bonus to the catalog scores
before ``TopK``; there the bonus is divided by the row's factor, so that the ranking and the scores
after the final ``Mul`` are those of ``scores + bonus`` (the bonus itself stays float32).

The graph keeps the bundle contract (same inputs, outputs, shapes; standard ONNX opset 14 ops only),
so the Java side serves it unchanged. ``parity.json`` is rewritten with this graph's own outputs
(computed by the NumPy interpreter) for the Java parity test, and ``metadata.json`` records the
scheme, the source bundle and how close the int8 lists are to the float ones.
"""
from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import shutil
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .export import RECENT_INPUT, graph_specs, replace_nodes, sha256_file, tensor_specs
from .onnx_numpy import run

log = logging.getLogger(__name__)

SCHEME = "int8-catalog-v2"
WEIGHT_MAX = 127  # weight codes in [-WEIGHT_MAX, WEIGHT_MAX]
ACTIVATION_LEVELS = 63  # activation codes round(63 * x / max|x|) + 64: 7 bits, [1, 127]
ACTIVATION_ZERO_POINT = 64
ACTIVATION_CODE_MAX = ACTIVATION_ZERO_POINT + ACTIVATION_LEVELS  # 127
#: the largest inner size (hidden_size + 1) whose int32 sums cannot overflow: K * 127 * 127 < 2^31
MAX_INNER_SIZE = (2 ** 31 - 1) // (ACTIVATION_CODE_MAX * WEIGHT_MAX)
_Q = "quantized/"  # name prefix of every node and initializer this module adds


def _producer(graph: onnx.GraphProto, tensor: str, op: str, what: str) -> onnx.NodeProto:
    producers = [n for n in graph.node if tensor in n.output]
    if len(producers) != 1 or producers[0].op_type != op:
        kind = producers[0].op_type if producers else "a graph input"
        raise ValueError(f"{what} reads {kind}, not {op}: is this bundle already quantised?")
    return producers[0]


def _find_catalog_gemm(graph: onnx.GraphProto
                       ) -> Tuple[onnx.NodeProto, onnx.NodeProto, Optional[onnx.NodeProto]]:
    """The ``TopK`` node, the catalog ``Gemm`` (hidden x embedding^T + bias) whose scores it ranks and,
    in a repeat-aware graph, the ``Add`` that adds each recent item's bonus to its gathered score
    (Gemm -> Concat (dummy column) -> GatherElements / ScatterElements -> Slice -> TopK; see
    ``GRU4Rec.add_repeat_bonus``); None in a plain graph, where the Gemm feeds TopK directly."""
    topks = [n for n in graph.node if n.op_type == "TopK"]
    if len(topks) != 1:
        raise ValueError(f"expected one TopK node in the step graph, found {len(topks)}")
    topk = topks[0]
    bonus_add: Optional[onnx.NodeProto] = None
    if any(i.name == RECENT_INPUT for i in graph.input):
        scatter = _producer(graph, _producer(graph, topk.input[0], "Slice", "TopK").input[0],
                            "ScatterElements", "the repeat graph's Slice")
        gemm = _producer(graph, _producer(graph, scatter.input[0], "Concat", "ScatterElements").input[0],
                         "Gemm", "the repeat graph's Concat")
        bonus_add = _producer(graph, _producer(graph, scatter.input[2], "Where", "ScatterElements").input[1],
                              "Add", "the repeat graph's update Where")
        gathered = [i for i in bonus_add.input
                    if any(n.op_type == "GatherElements" and i in n.output for n in graph.node)]
        if len(gathered) != 1:
            raise ValueError("the repeat graph's update Add does not add a bonus to a gathered score")
    else:
        gemm = _producer(graph, topk.input[0], "Gemm", "TopK")
    attrs = {a.name: helper.get_attribute_value(a) for a in gemm.attribute}
    inits = {i.name for i in graph.initializer}
    if (attrs.get("transB") != 1 or attrs.get("transA", 0) != 0 or attrs.get("alpha", 1.0) != 1.0
            or attrs.get("beta", 1.0) != 1.0 or len(gemm.input) != 3
            or gemm.input[1] not in inits or gemm.input[2] not in inits):
        raise ValueError(f"catalog Gemm {gemm.name!r} is not hidden x W^T + b with constant W and b")
    return topk, gemm, bonus_add


def quantize_weights(weight: np.ndarray, bias: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """``[W | b]`` per row, symmetric: int8 ``[hidden+1, num_items]`` (transposed, as MatMulInteger's B)
    and the float32 scale of each item. An all-zero row gets scale 1 (its codes are 0 either way)."""
    wb = np.concatenate([weight, bias[:, None]], axis=1).astype(np.float32)
    scale = (np.abs(wb).max(axis=1) / np.float32(WEIGHT_MAX)).astype(np.float32)
    scale[scale == 0] = 1.0
    codes = np.clip(np.rint(wb / scale[:, None]), -WEIGHT_MAX, WEIGHT_MAX).astype(np.int8)
    return np.ascontiguousarray(codes.T), scale


def quantize_activations(hidden: np.ndarray) -> np.ndarray:
    """The activation codes the quantised graph computes from ``hidden`` float32 ``[batch, hidden_size]``:
    ``round(63 * [h | 1] / max|[h | 1]|) + 64`` per row, uint8 in [1, 127] (a NumPy mirror of the graph,
    for the tests and the README's proof)."""
    x = np.concatenate([hidden.astype(np.float32), np.ones((hidden.shape[0], 1), dtype=np.float32)], axis=1)
    unit = x / np.abs(x).max(axis=1, keepdims=True)
    return (np.rint(unit * np.float32(ACTIVATION_LEVELS)) + ACTIVATION_ZERO_POINT).astype(np.uint8)


def quantize_graph(proto: onnx.ModelProto) -> onnx.ModelProto:
    """A copy of the step graph with its catalog Gemm in int8 (module docstring); contract unchanged."""
    model = onnx.ModelProto()
    model.CopyFrom(proto)
    graph = model.graph
    topk, gemm, bonus_add = _find_catalog_gemm(graph)
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    hidden, weight_name, bias_name = gemm.input
    inner = inits[weight_name].shape[1] + 1
    if inner > MAX_INNER_SIZE:
        raise ValueError(f"hidden size {inner - 1} too large for {SCHEME}: int32 sums are exact only up to "
                         f"{MAX_INNER_SIZE - 1}")
    codes, scale = quantize_weights(inits[weight_name], inits[bias_name])

    def c(name: str, value: Any, dtype: Any) -> str:
        graph.initializer.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), _Q + name))
        return _Q + name

    w_codes = c("weight_codes", codes, np.int8)
    w_scale = c("weight_scale", scale, np.float32)
    levels = c("activation_levels", ACTIVATION_LEVELS, np.float32)
    a_scale = c("activation_scale", 1.0, np.float32)  # the step, max/63, is in the Div and Mul that feed it
    a_zero = c("activation_zero_point", ACTIVATION_ZERO_POINT, np.uint8)
    zero, one = c("zero", [0], np.int64), c("one", [1], np.int64)
    f0, f1 = c("f0", 0.0, np.float32), c("f1", 1.0, np.float32)

    def node(op: str, inputs: Sequence[str], name: str, **attrs: Any) -> str:
        new.append(helper.make_node(op, list(inputs), [_Q + name], name=_Q + name, **attrs))
        return _Q + name

    new: List[onnx.NodeProto] = []
    first = node("Slice", [hidden, zero, one, one], "first_column")
    ones = node("Add", [node("Mul", [first, f0], "zeros"), f1], "ones")
    extended = node("Concat", [hidden, ones], "hidden_and_one", axis=1)
    row_max = node("ReduceMax", [node("Abs", [extended], "abs")], "row_max", axes=[1], keepdims=1)
    # |x| <= max|x| gives |x / max| <= 1 exactly in IEEE arithmetic, so |63 x / max| <= 63 and the
    # codes stay in [1, 127]: QuantizeLinear's scale is 1, so no platform-dependent rounding of 1/63
    unit = node("Div", [extended, row_max], "unit_rows")
    levelled = node("Mul", [unit, levels], "levelled_rows")
    a_codes = node("QuantizeLinear", [levelled, a_scale, a_zero], "activation_codes")
    products = node("MatMulInteger", [a_codes, w_codes, a_zero], "products")
    scores = node("Mul", [node("Cast", [products], "products_float", to=TensorProto.FLOAT), w_scale],
                  "row_relative_scores")
    row_factor = node("Div", [row_max, levels], "row_factor")
    topk_scores = topk.output[0]
    topk.output[0] = _Q + "topk_row_relative"
    rescale = helper.make_node("Mul", [topk.output[0], row_factor], [topk_scores], name=_Q + "topk_scores")
    unscale_bonus: List[onnx.NodeProto] = []
    if bonus_add is None:
        topk.input[0] = scores
    else:
        # every consumer of the float scores (the dummy-column Concat and its Slice) reads the row-relative
        # ones instead, and each recent item's bonus is divided by the same row factor that multiplies the
        # top-k scores after TopK: the ranking is that of (scores + bonus), the output scores too
        next(n for n in new if n.output[0] == scores).output[0] = gemm.output[0]
        bonus = next(i for i in bonus_add.input
                     if not any(n.op_type == "GatherElements" and i in n.output for n in graph.node))
        relative_bonus = _Q + "row_relative_bonus"
        unscale_bonus.append(helper.make_node("Div", [bonus, row_factor], [relative_bonus], name=relative_bonus))
        bonus_add.input[list(bonus_add.input).index(bonus)] = relative_bonus

    nodes: List[onnx.NodeProto] = []
    for n in graph.node:
        if n is gemm:
            if bonus_add is not None:
                nodes.extend(new)
            continue
        if n is bonus_add:
            nodes.extend(unscale_bonus)
        if n is topk:
            if bonus_add is None:
                nodes.extend(new)
            nodes.append(n)
            nodes.append(rescale)
        else:
            nodes.append(n)
    return replace_nodes(model, nodes)


def _compare(float_cases: Sequence[Mapping[str, Any]], int8_cases: Sequence[Mapping[str, Any]],
             k: int = 20) -> Dict[str, float]:
    """How far the int8 lists are from the float ones on the parity inputs: top-k overlap and score error."""
    overlaps, score_err = [], 0.0
    for f, q in zip(float_cases, int8_cases):
        for fi, qi, fs, qs in zip(f["topk_items"], q["topk_items"], f["topk_scores"], q["topk_scores"]):
            overlaps.append(len(set(fi[:k]) & set(qi[:k])) / min(k, len(fi)))
            score_err = max(score_err, float(np.max(np.abs(np.asarray(fs) - np.asarray(qs)))))
    return {f"top{k}_overlap_mean": float(np.mean(overlaps)), f"top{k}_overlap_min": float(np.min(overlaps)),
            "topk_score_max_abs_diff": score_err}


def quantize_bundle(src_dir: str, out_dir: str, *, name: Optional[str] = None,
                    now: Optional[_dt.datetime] = None) -> Dict[str, Any]:
    """Write an int8 copy of the bundle in ``src_dir`` to ``out_dir`` and return its metadata.

    The name defaults to the source's with ``-int8``. ``parity.json`` (needs the source's, for its
    inputs) holds this graph's outputs. ``metrics`` starts empty (the source's are kept under
    ``quantization.source_metrics``); :func:`write_metrics` records the new bundle's own.
    Raises ``ValueError`` on a bundle that is not a float step graph."""
    with open(os.path.join(src_dir, "metadata.json"), encoding="utf-8") as f:
        src = json.load(f)
    for fname, info in src["files"].items():
        if sha256_file(os.path.join(src_dir, fname)) != info["sha256"]:
            raise ValueError(f"{src_dir}/{fname}: checksum does not match metadata.json")
    if "quantization" in src:
        raise ValueError(f"{src_dir}: already quantised ({src['quantization'].get('scheme')})")
    if src.get("retrieval", {}).get("type", "exact") != "exact":
        raise ValueError(f"{src_dir}: int8 scoring of an {src['retrieval']['type']} retrieval bundle is not supported "
                         "(its re-rank gathers probe x list_size rows per session, where int8 would save little); "
                         "quantise the exact bundle, or build the IVF index from the float bundle")
    if src.get("repeat") and src.get("repeat_mode", "bonus") == "mixture":
        raise ValueError(f"{src_dir}: int8 scoring of a repeat/explore mixture bundle is not supported yet (its "
                         "explore softmax needs every item's score, not only their order); serve the float bundle")
    if os.path.abspath(src_dir) == os.path.abspath(out_dir):
        raise ValueError("write the quantised bundle to another directory than its source")
    expected = tensor_specs(src["hidden_size"], src["top_k"], src["recent_items"] if src.get("repeat") else None)
    proto = quantize_graph(onnx.load(os.path.join(src_dir, "model.onnx")))
    if graph_specs(proto) != expected:
        raise RuntimeError(f"quantised graph {graph_specs(proto)} breaks the contract {expected}")

    os.makedirs(out_dir, exist_ok=True)
    onnx.save(proto, os.path.join(out_dir, "model.onnx"))
    shutil.copyfile(os.path.join(src_dir, "items.tsv"), os.path.join(out_dir, "items.tsv"))
    files = ["model.onnx", "items.tsv"]
    agreement: Dict[str, float] = {}
    src_parity = os.path.join(src_dir, "parity.json")
    if os.path.exists(src_parity):
        with open(src_parity, encoding="utf-8") as f:
            float_cases = json.load(f)["cases"]
        cases = []
        for case in float_cases:
            inputs = {k: case[k] for k in ("item_idx", "hidden", RECENT_INPUT) if k in case}
            out = run(proto, {k: np.asarray(v, dtype=np.float32 if k == "hidden" else np.int64)
                              for k, v in inputs.items()})
            cases.append({**inputs, **{k: v.tolist() for k, v in out.items()}})
        with open(os.path.join(out_dir, "parity.json"), "w", encoding="utf-8") as f:
            json.dump({"cases": cases}, f, separators=(",", ":"))
            f.write("\n")
        files.append("parity.json")
        agreement = _compare(float_cases, cases)

    now = (now or _dt.datetime.now(_dt.timezone.utc)).astimezone(_dt.timezone.utc).replace(microsecond=0)
    meta = {k: v for k, v in src.items() if k != "files"}
    meta.update({
        "name": name or src["name"] + "-int8",
        "version": now.strftime("%Y%m%dT%H%M%SZ"),
        "created": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "metrics": {},
        "quantization": {
            "scheme": SCHEME,
            "what": "catalog scoring (hidden x item embedding + bias) in int8; GRU step in float32",
            "weights": "int8 in [-127, 127], symmetric, one scale per item, output bias as an extra column",
            "activations": "7-bit codes in [1, 127] (zero point 64, step max|row|/63), one scale per row "
                           "(per session, batch-independent); no int16 saturation on any CPU",
            "source": {"name": src["name"], "version": src["version"],
                       "model_sha256": src["files"]["model.onnx"]["sha256"]},
            "source_metrics": src.get("metrics", {}),
            "parity_vs_float": agreement,
        },
        "files": {f: {"sha256": sha256_file(os.path.join(out_dir, f)),
                      "bytes": os.path.getsize(os.path.join(out_dir, f))} for f in files},
    })
    _write_metadata(out_dir, meta)
    log.info("quantised %s/%s to %s (%s): top-20 overlap with float on the parity inputs %s",
             src["name"], src["version"], out_dir, meta["name"], agreement or "n/a (no parity.json)")
    return meta


def write_metrics(bundle_dir: str, metrics: Mapping[str, Any]) -> Dict[str, Any]:
    """Record ``metrics`` (measured on the bundle itself) in its ``metadata.json``; returns the metadata."""
    with open(os.path.join(bundle_dir, "metadata.json"), encoding="utf-8") as f:
        meta = json.load(f)
    meta["metrics"] = dict(metrics)
    _write_metadata(bundle_dir, meta)
    return meta


def _write_metadata(bundle_dir: str, meta: Mapping[str, Any]) -> None:
    with open(os.path.join(bundle_dir, "metadata.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
