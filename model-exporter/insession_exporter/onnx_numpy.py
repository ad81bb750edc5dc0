"""A tiny NumPy interpreter for the ONNX ops that the exported GRU4Rec step graph uses.

ONNX Runtime for Python is not available on the build machine and ``onnx.reference`` only exists in
onnx >= 1.13, so this executes the graph node by node to check PyTorch-vs-ONNX parity in Python.
It supports only the ops the step graph needs and raises ``NotImplementedError`` for any other op
(or attribute value it does not implement), so it can never silently mis-execute a graph.
The authoritative runtime check is still the Java test that replays ``parity.json`` through ONNX Runtime.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, Sequence

import numpy as np
import onnx
from onnx import numpy_helper


def _attrs(node: onnx.NodeProto) -> Dict[str, Any]:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _gemm(node: onnx.NodeProto, a: np.ndarray, b: np.ndarray, c: Any = None) -> List[np.ndarray]:
    at = _attrs(node)
    if at.get("transA", 0):
        a = a.T
    if at.get("transB", 0):
        b = b.T
    y = at.get("alpha", 1.0) * (a @ b)
    if c is not None:
        y = y + at.get("beta", 1.0) * c
    return [y.astype(a.dtype)]


def _split(node: onnx.NodeProto, x: np.ndarray, split: Any = None) -> List[np.ndarray]:
    at = _attrs(node)
    axis = at.get("axis", 0)
    if split is None:
        split = at.get("split")
    if split is None:
        n = len(node.output)
        split = [x.shape[axis] // n] * n
    idx = np.cumsum(split)[:-1]
    return list(np.split(x, idx, axis=axis))


def _slice(node: onnx.NodeProto, x: np.ndarray, starts: np.ndarray, ends: np.ndarray, axes: Any = None,
           steps: Any = None) -> List[np.ndarray]:
    axes = list(range(len(starts))) if axes is None else list(axes)
    steps = [1] * len(starts) if steps is None else list(steps)
    sl = [slice(None)] * x.ndim
    for s, e, a, st in zip(starts, ends, axes, steps):
        sl[int(a)] = slice(int(s), int(min(e, np.iinfo(np.int64).max)), int(st))
    return [x[tuple(sl)]]


def _topk(node: onnx.NodeProto, x: np.ndarray, k: np.ndarray) -> List[np.ndarray]:
    at = _attrs(node)
    if at.get("largest", 1) != 1 or at.get("sorted", 1) != 1:
        raise NotImplementedError("TopK with largest=0 or sorted=0")
    axis = at.get("axis", -1)
    kk = int(np.asarray(k).reshape(-1)[0])
    order = np.argsort(-x, axis=axis, kind="stable")  # ties: lower index first, as the ONNX spec says
    idx = np.take(order, np.arange(kk), axis=axis)
    return [np.take_along_axis(x, idx, axis=axis), idx.astype(np.int64)]


def _reshape(node: onnx.NodeProto, x: np.ndarray, shape: np.ndarray) -> List[np.ndarray]:
    if _attrs(node).get("allowzero", 0):
        raise NotImplementedError("Reshape with allowzero=1")
    dims = [x.shape[i] if int(d) == 0 else int(d) for i, d in enumerate(np.asarray(shape).reshape(-1))]
    return [x.reshape(dims)]


def _concat(node: onnx.NodeProto, *xs: np.ndarray) -> List[np.ndarray]:
    return [np.concatenate(xs, axis=_attrs(node)["axis"])]


def _gather(node: onnx.NodeProto, data: np.ndarray, idx: np.ndarray) -> List[np.ndarray]:
    return [np.take(data, idx, axis=_attrs(node).get("axis", 0))]


def _transpose(node: onnx.NodeProto, x: np.ndarray) -> List[np.ndarray]:
    return [np.transpose(x, _attrs(node).get("perm"))]


def _unsqueeze(node: onnx.NodeProto, x: np.ndarray, axes: np.ndarray) -> List[np.ndarray]:
    for a in sorted(int(v) for v in axes):
        x = np.expand_dims(x, a)
    return [x]


def _squeeze(node: onnx.NodeProto, x: np.ndarray, axes: Any = None) -> List[np.ndarray]:
    return [np.squeeze(x) if axes is None else np.squeeze(x, axis=tuple(int(a) for a in axes))]


def _reduce_max(node: onnx.NodeProto, x: np.ndarray) -> List[np.ndarray]:
    at = _attrs(node)
    axes = at.get("axes")
    return [np.max(x, axis=None if axes is None else tuple(axes), keepdims=bool(at.get("keepdims", 1)))]


def _quantize_linear(node: onnx.NodeProto, x: np.ndarray, scale: np.ndarray, zero_point: Any = None) -> List[np.ndarray]:
    if np.ndim(scale) != 0:
        raise NotImplementedError("QuantizeLinear with a per-axis scale")
    zp = np.zeros((), dtype=np.uint8) if zero_point is None else zero_point
    info = np.iinfo(zp.dtype)
    # x / scale in float32, rounded half to even, then saturated: as the ONNX spec says
    q = np.rint(x.astype(np.float32) / scale.astype(np.float32)) + zp.astype(np.float32)
    return [np.clip(q, info.min, info.max).astype(zp.dtype)]


def _matmul_integer(node: onnx.NodeProto, a: np.ndarray, b: np.ndarray, a_zero_point: Any = None,
                    b_zero_point: Any = None) -> List[np.ndarray]:
    a_zp = 0 if a_zero_point is None else a_zero_point
    b_zp = 0 if b_zero_point is None else b_zero_point
    if np.ndim(a_zp) != 0 or np.ndim(b_zp) != 0:
        raise NotImplementedError("MatMulInteger with per-row/per-column zero points")
    # exact: |products| < 2^53 for any realistic inner size, so float64 BLAS is exact and fast
    y = (a.astype(np.float64) - float(a_zp)) @ (b.astype(np.float64) - float(b_zp))
    return [y.astype(np.int32)]


_CASTS = {onnx.TensorProto.FLOAT: np.float32, onnx.TensorProto.INT32: np.int32, onnx.TensorProto.INT64: np.int64,
          onnx.TensorProto.BOOL: np.bool_}


def _cast(node: onnx.NodeProto, x: np.ndarray) -> List[np.ndarray]:
    to = _attrs(node)["to"]
    if to not in _CASTS:
        raise NotImplementedError(f"Cast to ONNX type {to}")
    return [x.astype(_CASTS[to])]


def _reduce_sum(node: onnx.NodeProto, x: np.ndarray, axes: Any = None) -> List[np.ndarray]:
    at = _attrs(node)
    if axes is None or np.size(axes) == 0:
        if at.get("noop_with_empty_axes", 0):
            return [x]
        axes = None
    return [np.sum(x, axis=None if axes is None else tuple(int(a) for a in np.asarray(axes).reshape(-1)),
                   keepdims=bool(at.get("keepdims", 1))).astype(x.dtype)]


def _constant_of_shape(node: onnx.NodeProto, shape: np.ndarray) -> List[np.ndarray]:
    value = _attrs(node).get("value")
    v = np.zeros(1, dtype=np.float32) if value is None else numpy_helper.to_array(value)
    return [np.full(tuple(int(d) for d in shape), v.reshape(-1)[0], dtype=v.dtype)]


def _gather_elements(node: onnx.NodeProto, data: np.ndarray, idx: np.ndarray) -> List[np.ndarray]:
    axis = _attrs(node).get("axis", 0)
    if np.any(idx < 0) or np.any(idx >= data.shape[axis]):
        raise NotImplementedError("GatherElements with negative or out-of-range indices")
    return [np.take_along_axis(data, idx, axis=axis)]


def _scatter_elements(node: onnx.NodeProto, data: np.ndarray, idx: np.ndarray, updates: np.ndarray) -> List[np.ndarray]:
    """ScatterElements without reduction. Duplicate indices whose updates differ leave the result
    undefined by the spec (runtimes may pick either), so they raise here; negative indices too, since
    the graph is meant never to use them (-1 would address the last element)."""
    at = _attrs(node)
    if at.get("reduction", "none") not in ("none", b"none"):
        raise NotImplementedError(f"ScatterElements with reduction {at['reduction']!r}")
    axis = at.get("axis", 0)
    if data.ndim != 2 or axis not in (1, -1):
        raise NotImplementedError("ScatterElements other than on axis 1 of a 2-D tensor")
    if np.any(idx < 0) or np.any(idx >= data.shape[1]):
        raise NotImplementedError("ScatterElements with negative or out-of-range indices")
    out = data.copy()
    for row in range(idx.shape[0]):
        written: Dict[int, Any] = {}
        for col, val in zip(idx[row].tolist(), updates[row].tolist()):
            if col in written and written[col] != val:
                raise ValueError(f"ScatterElements: row {row} writes column {col} twice with different values "
                                 f"({written[col]} and {val}): the result would depend on the runtime")
            written[col] = val
            out[row, col] = val
    return [out]


def _reduce_log_sum_exp(node: onnx.NodeProto, x: np.ndarray) -> List[np.ndarray]:
    at = _attrs(node)
    axes = None if at.get("axes") is None else tuple(at["axes"])
    keep = bool(at.get("keepdims", 1))
    m = np.max(x, axis=axes, keepdims=True)
    m = np.where(np.isfinite(m), m, 0).astype(x.dtype)
    y = np.log(np.sum(np.exp(x - m), axis=axes, keepdims=True)) + m
    return [(y if keep else np.squeeze(y, axis=axes)).astype(x.dtype)]


def _softmax(node: onnx.NodeProto, x: np.ndarray) -> List[np.ndarray]:
    axis = int(_attrs(node).get("axis", -1))
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return [(e / np.sum(e, axis=axis, keepdims=True)).astype(x.dtype)]


def _clip(node: onnx.NodeProto, x: np.ndarray, lo: Any = None, hi: Any = None) -> List[np.ndarray]:
    y = x if lo is None else np.maximum(x, lo)
    return [(y if hi is None else np.minimum(y, hi)).astype(x.dtype)]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return (1.0 / (1.0 + np.exp(-x))).astype(x.dtype)


_OPS: Dict[str, Callable[..., List[np.ndarray]]] = {
    "Add": lambda n, a, b: [a + b],
    "Sub": lambda n, a, b: [a - b],
    "Mul": lambda n, a, b: [a * b],
    "Div": lambda n, a, b: [a / b],
    "Abs": lambda n, x: [np.abs(x)],
    "ReduceMax": _reduce_max,
    "QuantizeLinear": _quantize_linear,
    "MatMulInteger": _matmul_integer,
    "Cast": _cast,
    "MatMul": lambda n, a, b: [a @ b],
    "Sigmoid": lambda n, x: [_sigmoid(x)],
    "Tanh": lambda n, x: [np.tanh(x)],
    "Exp": lambda n, x: [np.exp(x)],
    "Log": lambda n, x: [np.log(x)],
    "Neg": lambda n, x: [-x],
    "Clip": _clip,
    "Softmax": _softmax,
    "ReduceLogSumExp": _reduce_log_sum_exp,
    "Identity": lambda n, x: [x],
    "Shape": lambda n, x: [np.array(x.shape, dtype=np.int64)],
    "Gemm": _gemm,
    "Split": _split,
    "Slice": _slice,
    "TopK": _topk,
    "Concat": _concat,
    "Reshape": _reshape,
    "Gather": _gather,
    "Transpose": _transpose,
    "Equal": lambda n, a, b: [np.equal(a, b)],
    "Greater": lambda n, a, b: [np.greater(a, b)],
    "GreaterOrEqual": lambda n, a, b: [np.greater_equal(a, b)],
    "And": lambda n, a, b: [np.logical_and(a, b)],
    "Not": lambda n, x: [np.logical_not(x)],
    "Where": lambda n, c, a, b: [np.where(c, a, b)],
    "ReduceSum": _reduce_sum,
    "ConstantOfShape": _constant_of_shape,
    "GatherElements": _gather_elements,
    "ScatterElements": _scatter_elements,
    "Unsqueeze": _unsqueeze,
    "Squeeze": _squeeze,
}


def run(model: "onnx.ModelProto | str", feeds: Mapping[str, np.ndarray]) -> Dict[str, np.ndarray]:
    """Execute ``model`` on ``feeds`` and return all graph outputs by name."""
    if isinstance(model, str):
        model = onnx.load(model)
    env: Dict[str, Any] = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    env.update({k: np.asarray(v) for k, v in feeds.items()})
    env[""] = None  # omitted optional inputs
    for node in model.graph.node:
        if node.domain not in ("", "ai.onnx"):
            raise NotImplementedError(f"op domain {node.domain!r}")
        if node.op_type == "Constant":
            out = [numpy_helper.to_array(_attrs(node)["value"])]
        else:
            fn = _OPS.get(node.op_type)
            if fn is None:
                raise NotImplementedError(f"ONNX op {node.op_type} is not supported by onnx_numpy")
            out = fn(node, *[env[i] for i in node.input])
        for name, val in zip(node.output, out):
            env[name] = val
    return {o.name: env[o.name] for o in model.graph.output}


def onnxruntime_runner(onnx_path: str) -> Callable[[Mapping[str, np.ndarray]], Dict[str, np.ndarray]]:
    """``feeds -> outputs by name`` through ONNX Runtime for Python (CPU), for machines that have it.
    Raises ``ImportError`` where it is not installed (the build machine)."""
    import onnxruntime  # optional: not on the build machine

    session = onnxruntime.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]

    def run_ort(feeds: Mapping[str, np.ndarray]) -> Dict[str, np.ndarray]:
        return dict(zip(names, session.run(None, dict(feeds))))
    return run_ort


def check_parity(onnx_path: str, cases: Sequence[Mapping[str, Any]], atol: float = 1e-4,
                 runner: "Callable[[Mapping[str, np.ndarray]], Dict[str, np.ndarray]] | None" = None) -> float:
    """Run every parity case through the ONNX graph (this interpreter, or ``runner``); require identical
    ``topk_items`` and scores/hidden states within ``atol``. Returns the largest absolute difference seen.
    Raises ``AssertionError``."""
    if runner is None:
        proto = onnx.load(onnx_path)

        def runner(feeds: Mapping[str, np.ndarray]) -> Dict[str, np.ndarray]:
            return run(proto, feeds)
    worst = 0.0
    for n, case in enumerate(cases):
        feeds = {"item_idx": np.asarray(case["item_idx"], dtype=np.int64),
                 "hidden": np.asarray(case["hidden"], dtype=np.float32)}
        if "recent_items" in case:
            feeds["recent_items"] = np.asarray(case["recent_items"], dtype=np.int64)
        out = runner(feeds)
        if not np.array_equal(out["topk_items"], np.asarray(case["topk_items"], dtype=np.int64)):
            raise AssertionError(f"{onnx_path}: parity case {n}: topk_items differ")
        for key in ("new_hidden", "topk_scores"):
            d = float(np.max(np.abs(out[key] - np.asarray(case[key], dtype=np.float32)), initial=0.0))
            worst = max(worst, d)
            if not d <= atol:
                raise AssertionError(f"{onnx_path}: parity case {n}: {key} differs by {d} > {atol}")
    return worst
