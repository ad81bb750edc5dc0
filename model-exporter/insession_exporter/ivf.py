"""Approximate top-K for large catalogues: an inverted-file (IVF) index over the item embeddings, in the graph.

The exact step graph scores every item (``new_hidden x W^T + b``, one ``Gemm`` over ``num_items``) and
takes ``TopK``; at a million items that product is most of the work. This module rewrites that
``Gemm -> TopK`` into an IVF search with an exact re-rank, keeping the bundle contract (same inputs,
outputs, shapes, standard opset-14 ops), so the Java scorer serves it unchanged. Scheme ``ivf-v1``:

* **index** (export time, NumPy, seeded): the items as ``[W_i | b_i]`` (the output bias as an extra
  column, so the coarse score ranks by ``h.W_i + b_i`` like the exact one) are clustered by k-means
  (L2, k-means++ start on a sample of at most ``sample_per_list`` points per list, ``iterations``
  Lloyd rounds on that sample) into ``lists`` centroids;
* **assignment with spill**: every item lies in exactly one list; lists hold at most ``list_size``
  items (``ceil(cap_factor * num_items / lists)``). Items are placed nearest-centroid first, in
  order of how close they are to their nearest centroid; an item whose nearest list is full
  **spills to its next-nearest centroid** that has room. When the ``probe`` smallest lists would
  hold fewer than ``top_k`` items (k-means leaves tiny lists around outliers), every list is
  raised to ``ceil(top_k / probe)`` items with the items nearest its centroid from bigger lists.
  The lists are padded with -1 to ``list_size`` (a fixed shape for the graph);
* **search** (in the graph, per session): ``[h | 1] . centroids^T`` -> ``TopK(probe)`` lists ->
  ``Gather`` of their item ids ``[batch, probe * list_size]`` -> ``Gather`` of those items' embedding
  rows and biases -> exact re-rank ``h . W_i + b_i`` (``MatMul``) -> padding masked to ``-inf`` ->
  ``TopK(top_k)`` -> ``GatherElements`` back to item indices.

So the graph returns exactly what an exact search restricted to the probed lists returns (ties in the
final ``TopK`` go to the earlier candidate: the better-ranked list first, then the list's order,
which is increasing item index). :func:`search` is the NumPy reference of the same search.

Every session has at least ``top_k`` real candidates: the export refuses settings where the ``probe``
smallest lists together hold fewer than ``top_k`` items. Int8 catalog scoring (``quantize``) and
repeat-aware bundles are refused in combination with IVF (each with a message saying why).
"""
from __future__ import annotations

import datetime as _dt
import json
import logging
import math
import os
import shutil
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .export import RECENT_INPUT, graph_specs, replace_nodes, sha256_file, tensor_specs

log = logging.getLogger(__name__)

SCHEME = "ivf-v1"
#: catalogues below this many items are scored exactly by ``--retrieval auto`` (the CLI default)
AUTO_MIN_ITEMS = 200_000
_P = "ivf/"  # name prefix of every node and initializer this module adds


@dataclass(frozen=True)
class IvfSettings:
    """How the index is built and searched. ``probe`` lists of ``list_size`` items are re-ranked per session."""
    lists: int
    probe: int
    cap_factor: float = 1.5
    seed: int = 1234
    iterations: int = 15
    sample_per_list: int = 64

    def __post_init__(self) -> None:
        if self.lists < 1:
            raise ValueError(f"IVF lists must be >= 1, got {self.lists}")
        if not 1 <= self.probe <= self.lists:
            raise ValueError(f"IVF probe must be between 1 and lists ({self.lists}), got {self.probe}")
        if not self.cap_factor >= 1.0:
            raise ValueError(f"IVF cap_factor must be >= 1 (lists must hold every item), got {self.cap_factor}")
        if self.iterations < 0 or self.sample_per_list < 1:
            raise ValueError("IVF iterations must be >= 0 and sample_per_list >= 1")

    def list_size(self, num_items: int) -> int:
        return max(1, math.ceil(self.cap_factor * num_items / self.lists))

    @staticmethod
    def derived(num_items: int) -> "IvfSettings":
        """Sizes from the catalogue: about ``2 sqrt(num_items)`` lists (a power of two, at least 16, at most
        num_items / 16) and 1/16 of them probed (at least 8): a session re-ranks about 9 % of the catalogue
        (``probe x list_size``), which favours speed; README.md ("IVF retrieval") has the recall it costs."""
        if num_items < 256:
            raise ValueError(f"a catalogue of {num_items} items is too small for an IVF index (exact is cheaper)")
        lists = 2 ** round(math.log2(2 * math.sqrt(num_items)))
        lists = max(16, min(lists, 2 ** int(math.log2(num_items // 16))))
        return IvfSettings(lists=lists, probe=max(8, lists // 16))

    @staticmethod
    def from_dict(d: Mapping[str, Any], num_items: int) -> "IvfSettings":
        """``{"type": "ivf", "lists": L, "probe": P, ...}``; absent sizes are derived from the catalogue."""
        known = {"type", "lists", "probe", "cap_factor", "seed", "iterations", "sample_per_list"}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown retrieval settings {sorted(unknown)} (known: {sorted(known)})")
        if d.get("type", "ivf") != "ivf":
            raise ValueError(f"retrieval type {d.get('type')!r} is not 'ivf'")
        base = asdict(IvfSettings.derived(num_items)) if ("lists" not in d or "probe" not in d) else {}
        if "lists" in d and "probe" not in d:
            base["probe"] = max(1, min(int(d["lists"]), max(8, int(d["lists"]) // 16)))
        base.update({k: v for k, v in d.items() if k != "type"})
        return IvfSettings(**base)


@dataclass(frozen=True)
class IvfIndex:
    centroids: np.ndarray  # float32 [lists, hidden + 1]: the last column pairs with the appended 1
    list_items: np.ndarray  # int64 [lists, list_size], -1 pads; each item in exactly one list
    spilled: int  # items not in their nearest centroid's list

    @property
    def list_sizes(self) -> np.ndarray:
        return (self.list_items >= 0).sum(axis=1)


def retrieval_choice(value: Any, num_items: int) -> Optional[IvfSettings]:
    """None (exact scoring) or the IVF settings for ``value``: ``"exact"``, ``"ivf"`` (sizes derived),
    ``"auto"`` (IVF from :data:`AUTO_MIN_ITEMS` items), None (= exact) or a settings object
    ``{"type": "ivf"|"exact", ...}``. Raises ``ValueError`` on anything else."""
    if value is None or value == "exact":
        return None
    if value == "auto":
        return IvfSettings.derived(num_items) if num_items >= AUTO_MIN_ITEMS else None
    if value == "ivf":
        return IvfSettings.derived(num_items)
    if isinstance(value, Mapping):
        if value.get("type") == "exact" and len(value) == 1:
            return None
        return IvfSettings.from_dict(value, num_items)
    raise ValueError(f"retrieval must be 'exact', 'ivf', 'auto' or an object with \"type\", got {value!r}")


def _sq_dist(points: np.ndarray, centroids: np.ndarray, c_norms: np.ndarray) -> np.ndarray:
    """Squared L2 distances up to each point's own constant (|p|^2 omitted): |c|^2 - 2 p.c."""
    return c_norms[None, :] - 2.0 * (points @ centroids.T)


#: float64 distances computed at once: 2^26 (512 MiB), so 4,096 lists over a million items fit in memory
_DISTANCE_BLOCK = 1 << 26


def _rows_per_block(lists: int) -> int:
    return max(1, _DISTANCE_BLOCK // max(1, lists))


def _nearest(points: np.ndarray, centroids: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Each point's nearest centroid and its :func:`_sq_dist`, a block of rows at a time."""
    c_norms = (centroids ** 2).sum(axis=1)
    nearest = np.empty(len(points), dtype=np.int64)
    nearest_d = np.empty(len(points))
    step = _rows_per_block(len(centroids))
    for s in range(0, len(points), step):
        d = _sq_dist(points[s:s + step], centroids, c_norms)
        nearest[s:s + step] = d.argmin(axis=1)
        nearest_d[s:s + step] = d[np.arange(len(d)), nearest[s:s + step]]
    return nearest, nearest_d


def kmeans(points: np.ndarray, lists: int, *, seed: int, iterations: int, sample_per_list: int) -> np.ndarray:
    """L2 k-means centroids ``[lists, dim]`` (float32): k-means++ start and Lloyd rounds on a seeded sample of
    at most ``lists * sample_per_list`` points; an empty cluster gets the sample point farthest from its
    centroid."""
    if lists > len(points):
        raise ValueError(f"{lists} IVF lists for {len(points)} items: at most one list per item")
    rng = np.random.default_rng(seed)
    n_sample = min(len(points), lists * sample_per_list)
    sample = points[np.sort(rng.choice(len(points), n_sample, replace=False))].astype(np.float64)
    # k-means++ on the sample, greedy over a few candidates per step would be nicer; one draw per step suffices
    centroids = np.empty((lists, sample.shape[1]))
    s_norms = (sample ** 2).sum(axis=1)

    def sq_dist_to(centroid: np.ndarray) -> np.ndarray:  # |s|^2 - 2 s.c + |c|^2: a matrix-vector product
        return np.maximum(s_norms - 2.0 * (sample @ centroid) + centroid @ centroid, 0.0)

    centroids[0] = sample[rng.integers(n_sample)]
    closest = sq_dist_to(centroids[0])
    for c in range(1, lists):
        total = closest.sum()
        pick = rng.choice(n_sample, p=closest / total) if total > 0 else rng.integers(n_sample)
        centroids[c] = sample[pick]
        closest = np.minimum(closest, sq_dist_to(centroids[c]))
    for _ in range(iterations):
        nearest, nearest_d = _nearest(sample, centroids)
        sums = np.zeros_like(centroids)
        np.add.at(sums, nearest, sample)
        counts = np.bincount(nearest, minlength=lists)
        empty = np.flatnonzero(counts == 0)
        centroids = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], centroids)
        if len(empty):
            far = np.argsort(-(nearest_d + (sample ** 2).sum(axis=1)))[:len(empty)]
            centroids[empty] = sample[far]
    return centroids.astype(np.float32)


def assign(points: np.ndarray, centroids: np.ndarray, list_size: int, *, candidates: int = 16,
           chunk: Optional[int] = None) -> Tuple[np.ndarray, int]:
    """Each point into one list of at most ``list_size``: nearest centroid first, points closest to their
    nearest centroid placed first, a point whose list is full spills to its next-nearest centroid with room
    (among its ``candidates`` nearest, then any). Returns (``[lists, list_size]`` int64 padded with -1, within
    a list in increasing point index; the number of spilled points)."""
    lists = len(centroids)
    if lists * list_size < len(points):
        raise ValueError(f"{lists} lists of {list_size} cannot hold {len(points)} items")
    c64 = centroids.astype(np.float64)
    c_norms = (c64 ** 2).sum(axis=1)
    r = min(candidates, lists)
    near = np.empty((len(points), r), dtype=np.int64)
    near_d = np.empty((len(points), r))
    chunk = chunk or _rows_per_block(lists)
    for s in range(0, len(points), chunk):
        d = _sq_dist(points[s:s + chunk].astype(np.float64), c64, c_norms)
        part = np.argpartition(d, r - 1, axis=1)[:, :r] if r < lists else np.tile(np.arange(lists), (len(d), 1))
        pd = np.take_along_axis(d, part, axis=1)
        order = np.argsort(pd, axis=1, kind="stable")
        near[s:s + chunk] = np.take_along_axis(part, order, axis=1)
        near_d[s:s + chunk] = np.take_along_axis(pd, order, axis=1)
    fill = np.zeros(lists, dtype=np.int64)
    owner = np.full(len(points), -1, dtype=np.int64)
    spilled = 0
    for p in np.lexsort((np.arange(len(points)), near_d[:, 0])):  # closest to its nearest centroid first
        for j in range(r):
            c = near[p, j]
            if fill[c] < list_size:
                break
        else:  # every candidate list full: the nearest list with room
            room = np.flatnonzero(fill < list_size)
            c = room[_sq_dist(points[p:p + 1].astype(np.float64), c64[room], c_norms[room])[0].argmin()]
        owner[p] = c
        fill[c] += 1
        spilled += int(c != near[p, 0])
    return _lists_of(owner, lists, list_size), spilled


def _lists_of(owner: np.ndarray, lists: int, list_size: int) -> np.ndarray:
    """``[lists, list_size]`` item indices from each item's list, -1 padded, increasing index within a list."""
    fill = np.bincount(owner, minlength=lists)
    out = np.full((lists, list_size), -1, dtype=np.int64)
    order = np.lexsort((np.arange(len(owner)), owner))  # by list, then point index
    starts = np.concatenate([[0], np.cumsum(fill)[:-1]])
    out[owner[order], np.arange(len(order)) - starts[owner[order]]] = order
    return out


def fill_small_lists(points: np.ndarray, centroids: np.ndarray, list_items: np.ndarray,
                     min_size: int) -> Tuple[np.ndarray, int]:
    """Raises every list to at least ``min_size`` items: smallest list first (ties: lower list), it takes the
    items nearest its centroid from lists that stay above ``min_size``. k-means on a catalogue with outliers can
    leave lists of a few items, and a session whose probed lists are all small would see fewer than ``top_k``
    items. Returns (the new lists, laid out as :func:`assign` does; how many items moved)."""
    lists, list_size = list_items.shape
    if min_size > list_size or lists * min_size > len(points):
        raise ValueError(f"{lists} lists cannot each hold {min_size} of {len(points)} items in lists of {list_size}")
    owner = np.empty(len(points), dtype=np.int64)
    for c, row in enumerate(list_items):
        owner[row[row >= 0]] = c
    fill = np.bincount(owner, minlength=lists)
    moved = 0
    p64 = points.astype(np.float64)
    p_norms = (p64 ** 2).sum(axis=1)
    for c in np.lexsort((np.arange(lists), fill)):
        if fill[c] >= min_size:
            break  # in order of size: every later list is as big
        d = p_norms - 2.0 * (p64 @ centroids[c].astype(np.float64))  # |p - c|^2 up to the constant |c|^2
        for p in np.argsort(d, kind="stable"):
            if fill[c] >= min_size:
                break
            if owner[p] != c and fill[owner[p]] > min_size:
                fill[owner[p]] -= 1
                owner[p] = c
                fill[c] += 1
                moved += 1
    return _lists_of(owner, lists, list_size), moved


def build_index(weight: np.ndarray, bias: np.ndarray, settings: IvfSettings,
                top_k: Optional[int] = None) -> IvfIndex:
    """The IVF index of the items ``[W | b]`` (weight ``[num_items, hidden]``, bias ``[num_items]``). With
    ``top_k``, when the ``probe`` smallest lists would hold fewer than ``top_k`` items, every list is raised to
    ``ceil(top_k / probe)`` items (:func:`fill_small_lists`; the moved items count as spilled)."""
    points = np.concatenate([weight, bias[:, None]], axis=1).astype(np.float32)
    centroids = kmeans(points, settings.lists, seed=settings.seed, iterations=settings.iterations,
                       sample_per_list=settings.sample_per_list)
    list_size = settings.list_size(len(points))
    list_items, spilled = assign(points, centroids, list_size)
    index = IvfIndex(centroids, list_items, spilled)
    min_size = math.ceil(top_k / settings.probe) if top_k else 0
    if top_k and _fewest_seen(index, settings.probe) < top_k and min_size <= list_size \
            and settings.lists * min_size <= len(points):
        list_items, moved = fill_small_lists(points, centroids, list_items, min_size)
        log.info("IVF: %d items moved into lists smaller than %d (top_k %d / probe %d)", moved, min_size, top_k,
                 settings.probe)
        index = IvfIndex(centroids, list_items, spilled + moved)
    return index


def _fewest_seen(index: IvfIndex, probe: int) -> int:
    """The fewest items a session can see: those of the ``probe`` smallest lists."""
    return int(np.sort(index.list_sizes)[:probe].sum())


def check_probe(index: IvfIndex, probe: int, top_k: int) -> None:
    """Every session must see at least ``top_k`` real candidates: the ``probe`` smallest lists must hold them."""
    smallest = _fewest_seen(index, probe)
    if smallest < top_k:
        raise ValueError(f"IVF probe {probe} can see only {smallest} items (its {probe} smallest lists) but "
                         f"top_k is {top_k}: raise probe or lower lists")


def search(hidden: np.ndarray, weight: np.ndarray, bias: np.ndarray, index: IvfIndex, probe: int,
           k: int) -> Tuple[np.ndarray, np.ndarray]:
    """NumPy reference of the graph's search: per row, the ``probe`` lists with the best ``[h | 1] . c``
    (ties: lower list), their items re-ranked exactly by ``h . W_i + b_i`` (float32), best ``k`` (ties:
    earlier candidate). Returns (scores ``[batch, k]`` float32, items ``[batch, k]`` int64)."""
    h = hidden.astype(np.float32)
    coarse = h @ index.centroids[:, :-1].T + index.centroids[:, -1]
    lists = np.argsort(-coarse, axis=1, kind="stable")[:, :probe]
    cand = index.list_items[lists].reshape(len(h), -1)
    safe = np.where(cand >= 0, cand, 0)
    scores = np.empty(cand.shape, dtype=np.float32)
    for r in range(len(h)):  # row by row: [batch, candidates, hidden] would not fit for large batches
        scores[r] = weight[safe[r]] @ h[r] + bias[safe[r]]
    scores = np.where(cand >= 0, scores, np.float32(-np.inf))
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(scores, order, axis=1), np.take_along_axis(cand, order, axis=1)


def _find_catalog(graph: onnx.GraphProto) -> Tuple[onnx.NodeProto, onnx.NodeProto]:
    """The ``TopK`` node and the exact catalog ``Gemm`` (hidden x W^T + b, constant W and b) that feeds it."""
    if any(i.name == RECENT_INPUT for i in graph.input):
        raise ValueError("IVF retrieval of a repeat-aware bundle is not supported: its repeat bonus is added to "
                         "every catalog score before TopK, so a recent item outside the probed lists would lose "
                         "its bonus; serve a repeat bundle with exact scoring")
    topks = [n for n in graph.node if n.op_type == "TopK"]
    if len(topks) != 1:
        raise ValueError(f"expected one TopK node in the step graph, found {len(topks)}")
    topk = topks[0]
    producers = [n for n in graph.node if topk.input[0] in n.output]
    if any(n.op_type == "MatMulInteger" for n in graph.node):
        raise ValueError("IVF retrieval of an int8 bundle is not supported: build the IVF index from the float "
                         "bundle (the re-rank scores only probe x list_size gathered rows per session, where "
                         "int8 would save little)")
    if len(producers) != 1 or producers[0].op_type != "Gemm":
        kind = producers[0].op_type if producers else "a graph input"
        raise ValueError(f"TopK reads {kind}, not the catalog Gemm: is this bundle already an IVF bundle?")
    gemm = producers[0]
    attrs = {a.name: helper.get_attribute_value(a) for a in gemm.attribute}
    inits = {i.name for i in graph.initializer}
    if (attrs.get("transB") != 1 or attrs.get("transA", 0) != 0 or attrs.get("alpha", 1.0) != 1.0
            or attrs.get("beta", 1.0) != 1.0 or len(gemm.input) != 3
            or gemm.input[1] not in inits or gemm.input[2] not in inits):
        raise ValueError(f"catalog Gemm {gemm.name!r} is not hidden x W^T + b with constant W and b")
    return topk, gemm


def catalog_weights(proto: onnx.ModelProto) -> Tuple[np.ndarray, np.ndarray]:
    """The catalog ``Gemm``'s item embedding ``[num_items, hidden]`` and bias ``[num_items]``."""
    _, gemm = _find_catalog(proto.graph)
    inits = {i.name: i for i in proto.graph.initializer}
    return numpy_helper.to_array(inits[gemm.input[1]]), numpy_helper.to_array(inits[gemm.input[2]])


def ivf_graph(proto: onnx.ModelProto, index: IvfIndex, probe: int) -> onnx.ModelProto:
    """A copy of the step graph whose catalog ``Gemm -> TopK`` is the IVF search (module docstring)."""
    model = onnx.ModelProto()
    model.CopyFrom(proto)
    graph = model.graph
    topk, gemm = _find_catalog(graph)
    hidden, weight, bias = gemm.input
    k_input = topk.input[1]
    new: List[onnx.NodeProto] = []

    def c(name: str, value: Any, dtype: Any) -> str:
        graph.initializer.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), _P + name))
        return _P + name

    def node(op: str, inputs: Sequence[str], name: str, outputs: int = 1, **attrs: Any) -> List[str]:
        outs = [_P + name] if outputs == 1 else [f"{_P}{name}_{i}" for i in range(outputs)]
        new.append(helper.make_node(op, list(inputs), outs, name=_P + name, **attrs))
        return outs

    cw = c("centroid_weights", index.centroids[:, :-1], np.float32)
    cb = c("centroid_bias", index.centroids[:, -1], np.float32)
    lists = c("list_items", index.list_items, np.int64)
    n_probe = c("probe", [probe], np.int64)
    flat = c("candidates_shape", [0, -1], np.int64)
    zero_i, axis2 = c("zero_index", 0, np.int64), c("axis2", [2], np.int64)
    minus_inf = c("minus_inf", -np.inf, np.float32)

    coarse = node("Gemm", [hidden, cw, cb], "coarse_scores", transB=1)[0]
    probed = node("TopK", [coarse, n_probe], "probed_lists", outputs=2, axis=-1, largest=1, sorted=1)[1]
    cand = node("Reshape", [node("Gather", [lists, probed], "probed_items", axis=0)[0], flat], "candidates")[0]
    real = node("GreaterOrEqual", [cand, zero_i], "real_candidates")[0]
    safe = node("Where", [real, cand, zero_i], "gather_index")[0]
    rows = node("Gather", [weight, safe], "candidate_rows", axis=0)[0]  # [batch, M, hidden]
    column = node("Unsqueeze", [hidden, axis2], "hidden_column")[0]  # [batch, hidden, 1]
    dots = node("Squeeze", [node("MatMul", [rows, column], "candidate_dots")[0], axis2], "candidate_dot")[0]
    scores = node("Add", [dots, node("Gather", [bias, safe], "candidate_bias", axis=0)[0]], "candidate_scores")[0]
    masked = node("Where", [real, scores, minus_inf], "masked_scores")[0]
    positions = _P + "topk_positions"
    topk_items = topk.output[1]
    topk.input[0], topk.input[1] = masked, k_input
    topk.output[1] = positions
    back = helper.make_node("GatherElements", [cand, positions], [topk_items], name=_P + "topk_items", axis=1)

    nodes: List[onnx.NodeProto] = []
    for n in graph.node:
        if n is gemm:
            continue
        if n is topk:
            nodes.extend(new)
            nodes.append(n)
            nodes.append(back)
        else:
            nodes.append(n)
    return replace_nodes(model, nodes)


def _overlap(exact: Sequence[Mapping[str, Any]], approx: Sequence[Mapping[str, Any]], k: int = 20) -> Dict[str, float]:
    overlaps = [len(set(e[:k]) & set(a[:k])) / min(k, len(e))
                for f, q in zip(exact, approx) for e, a in zip(f["topk_items"], q["topk_items"])]
    return {f"top{k}_overlap_mean": float(np.mean(overlaps)), f"top{k}_overlap_min": float(np.min(overlaps))}


def apply_ivf(bundle_dir: str, settings: IvfSettings, *, now: Optional[_dt.datetime] = None,
              name: Optional[str] = None, keep_metrics: bool = False) -> Dict[str, Any]:
    """Rewrite the exact bundle in ``bundle_dir`` in place to IVF retrieval; returns the new metadata.

    ``model.onnx`` gets the IVF search, ``parity.json`` (same inputs) this graph's own outputs (NumPy
    interpreter), ``metadata.json`` the ``retrieval`` record (settings, list sizes, spilled items, top-20
    overlap with the exact lists on the parity inputs) and new checksums; ``metrics`` starts empty (the
    exact bundle's are kept under ``retrieval.source_metrics``) unless ``keep_metrics`` (``export``: there the
    metrics are PyTorch's exact evaluation, named so in ``retrieval.source_metrics``). Raises ``ValueError`` for an int8, repeat-aware
    or already-IVF bundle and for settings that cannot give ``top_k`` candidates."""
    from .onnx_numpy import run

    with open(os.path.join(bundle_dir, "metadata.json"), encoding="utf-8") as f:
        meta = json.load(f)
    if meta.get("retrieval", {}).get("type", "exact") != "exact":
        raise ValueError(f"{bundle_dir}: already has {meta['retrieval']['type']} retrieval")
    if "quantization" in meta:
        raise ValueError(f"{bundle_dir}: IVF retrieval of an int8 bundle ({meta['quantization'].get('scheme')}) is "
                         "not supported: build the IVF index from the float bundle")
    path = os.path.join(bundle_dir, "model.onnx")
    proto = onnx.load(path)
    weight, bias = catalog_weights(proto)
    top_k = int(meta["top_k"])
    if settings.lists > len(weight):
        raise ValueError(f"IVF lists {settings.lists} > num_items {len(weight)}")
    index = build_index(weight, bias, settings, top_k)
    check_probe(index, settings.probe, top_k)
    out = ivf_graph(proto, index, settings.probe)
    expected = tensor_specs(meta["hidden_size"], top_k)
    if graph_specs(out) != expected:
        raise RuntimeError(f"IVF graph {graph_specs(out)} breaks the contract {expected}")
    onnx.save(out, path)
    agreement: Dict[str, float] = {}
    files = [f for f in meta["files"]]
    parity_path = os.path.join(bundle_dir, "parity.json")
    if "parity.json" in files:
        with open(parity_path, encoding="utf-8") as f:
            exact_cases = json.load(f)["cases"]
        cases = []
        for case in exact_cases:
            inputs = {k: case[k] for k in ("item_idx", "hidden")}
            res = run(out, {"item_idx": np.asarray(inputs["item_idx"], dtype=np.int64),
                            "hidden": np.asarray(inputs["hidden"], dtype=np.float32)})
            cases.append({**inputs, **{k: v.tolist() for k, v in res.items()}})
        with open(parity_path, "w", encoding="utf-8") as f:
            json.dump({"cases": cases}, f, separators=(",", ":"))
            f.write("\n")
        agreement = _overlap(exact_cases, cases)
    sizes = index.list_sizes
    now = (now or _dt.datetime.now(_dt.timezone.utc)).astimezone(_dt.timezone.utc).replace(microsecond=0)
    list_size = int(index.list_items.shape[1])
    src = {"name": meta["name"], "version": meta["version"], "model_sha256": meta["files"]["model.onnx"]["sha256"]}
    meta.update({
        "name": name or meta["name"],
        "version": now.strftime("%Y%m%dT%H%M%SZ"),
        "created": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "metrics": dict(meta.get("metrics", {})) if keep_metrics else {},
        "retrieval": {
            "type": "ivf",
            "scheme": SCHEME,
            "lists": settings.lists,
            "probe": settings.probe,
            "list_size": list_size,
            "candidates": settings.probe * list_size,
            "spill": "an item whose nearest list is full goes to its next-nearest centroid with room; when the probe "
                     "smallest lists would hold fewer than top_k items, each list takes the items nearest its "
                     "centroid up to ceil(top_k / probe)",
            "kmeans": {"seed": settings.seed, "iterations": settings.iterations,
                       "sample_per_list": settings.sample_per_list, "cap_factor": settings.cap_factor,
                       "metric": "L2 on [W_i | b_i]"},
            "list_sizes": {"min": int(sizes.min()), "max": int(sizes.max()), "mean": round(float(sizes.mean()), 2)},
            "spilled_items": index.spilled,
            "source": dict(src),
            "source_metrics": meta.get("metrics", {}),
            "parity_vs_exact": agreement,
        },
        "files": {f: {"sha256": sha256_file(os.path.join(bundle_dir, f)),
                      "bytes": os.path.getsize(os.path.join(bundle_dir, f))} for f in files},
    })
    with open(os.path.join(bundle_dir, "metadata.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    log.info("IVF retrieval for %s: %d lists of %d (sizes %d-%d, %d items spilled), probe %d = %d candidates of %d "
             "items; top-20 overlap with exact on the parity inputs %s", meta["name"], settings.lists, list_size,
             sizes.min(), sizes.max(), index.spilled, settings.probe, settings.probe * list_size, len(weight),
             agreement or "n/a")
    return meta


def ivf_bundle(src_dir: str, out_dir: str, settings: Optional[IvfSettings] = None, *, name: Optional[str] = None,
               now: Optional[_dt.datetime] = None) -> Dict[str, Any]:
    """Copy the exact bundle ``src_dir`` to ``out_dir`` and rewrite the copy to IVF retrieval
    (:func:`apply_ivf`; sizes derived from the catalogue when ``settings`` is None). The name defaults
    to the source's with ``-ivf``."""
    with open(os.path.join(src_dir, "metadata.json"), encoding="utf-8") as f:
        src = json.load(f)
    for fname, info in src["files"].items():
        if sha256_file(os.path.join(src_dir, fname)) != info["sha256"]:
            raise ValueError(f"{src_dir}/{fname}: checksum does not match metadata.json")
    if os.path.abspath(src_dir) == os.path.abspath(out_dir):
        raise ValueError("write the IVF bundle to another directory than its source")
    if src.get("retrieval", {}).get("type", "exact") == "ivf":
        return _reprobe(src_dir, out_dir, src, settings, name=name, now=now)
    settings = settings or IvfSettings.derived(int(src["num_items"]))
    os.makedirs(out_dir, exist_ok=True)
    for fname in list(src["files"]) + ["metadata.json"]:
        shutil.copyfile(os.path.join(src_dir, fname), os.path.join(out_dir, fname))
    return apply_ivf(out_dir, settings, now=now, name=name or src["name"] + "-ivf")


def _reprobe(src_dir: str, out_dir: str, src: Mapping[str, Any], settings: Optional[IvfSettings], *,
             name: Optional[str], now: Optional[_dt.datetime]) -> Dict[str, Any]:
    """A copy of the IVF bundle ``src_dir`` that searches ``settings.probe`` lists of the **same** index (only the
    graph's ``ivf/probe`` constant changes): for comparing probes without rebuilding the index. Any other
    setting that differs from the source's index is refused."""
    from .onnx_numpy import run

    r = src["retrieval"]
    if settings is None or settings.lists != r["lists"] or settings.cap_factor != r["kmeans"]["cap_factor"]:
        raise ValueError(f"{src_dir} already has ivf retrieval ({r['lists']} lists): only --probe can change "
                         "(build a new index from the exact bundle for other sizes)")
    proto = onnx.load(os.path.join(src_dir, "model.onnx"))
    inits = {i.name: i for i in proto.graph.initializer}
    lists = numpy_helper.to_array(inits[_P + "list_items"])
    check_probe(IvfIndex(np.zeros((len(lists), 1), np.float32), lists, 0), settings.probe, int(src["top_k"]))
    inits[_P + "probe"].CopyFrom(numpy_helper.from_array(np.asarray([settings.probe], np.int64), _P + "probe"))
    os.makedirs(out_dir, exist_ok=True)
    onnx.save(proto, os.path.join(out_dir, "model.onnx"))
    shutil.copyfile(os.path.join(src_dir, "items.tsv"), os.path.join(out_dir, "items.tsv"))
    files = ["model.onnx", "items.tsv"]
    meta = {k: v for k, v in src.items() if k != "files"}
    retrieval = dict(r, probe=settings.probe, candidates=settings.probe * r["list_size"])
    if "parity.json" in src["files"]:
        with open(os.path.join(src_dir, "parity.json"), encoding="utf-8") as f:
            cases = [{k: c[k] for k in ("item_idx", "hidden")} for c in json.load(f)["cases"]]
        for c in cases:
            c.update({k: v.tolist() for k, v in run(proto, {"item_idx": np.asarray(c["item_idx"], np.int64),
                                                            "hidden": np.asarray(c["hidden"], np.float32)}).items()})
        with open(os.path.join(out_dir, "parity.json"), "w", encoding="utf-8") as f:
            json.dump({"cases": cases}, f, separators=(",", ":"))
            f.write("\n")
        files.append("parity.json")
        retrieval["parity_vs_exact"] = {}  # the exact lists are not in this bundle; see the source's
    now = (now or _dt.datetime.now(_dt.timezone.utc)).astimezone(_dt.timezone.utc).replace(microsecond=0)
    meta.update({"name": name or f"{src['name']}-probe{settings.probe}", "version": now.strftime("%Y%m%dT%H%M%SZ"),
                 "created": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "metrics": {}, "retrieval": retrieval,
                 "files": {f: {"sha256": sha256_file(os.path.join(out_dir, f)),
                               "bytes": os.path.getsize(os.path.join(out_dir, f))} for f in files}})
    with open(os.path.join(out_dir, "metadata.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    log.info("re-probed %s to %s: probe %d of %d lists", src_dir, out_dir, settings.probe, r["lists"])
    return meta
