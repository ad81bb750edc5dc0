"""Export a trained GRU4Rec as a model bundle (docs/model-bundle.md, format version 1)."""
from __future__ import annotations

import datetime as _dt
import hashlib
import inspect
import json
import logging
import os
import re
from typing import Any, Callable, Dict, List, Mapping, Optional

import onnx
import torch

from .data import Vocabulary
from .model import GRU4Rec, StepModule

log = logging.getLogger(__name__)

OPSET = 14
FORMAT_VERSION = 1
INPUT_NAMES = ["item_idx", "hidden"]
#: the third input of a repeat model: the session's recent items, most recent (the current click) first
RECENT_INPUT = "recent_items"
OUTPUT_NAMES = ["new_hidden", "topk_scores", "topk_items"]
BATCH_AXIS = "batch"
PARITY_SEED = 1234
#: the PyTorch versions whose TorchScript ONNX exporter this module uses (requirements.txt says the same)
SUPPORTED_TORCH = (">=1.13", "<3")


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def tensor_specs(hidden_size: int, top_k: int, recent_items: Optional[int] = None) -> Dict[str, List[Dict[str, Any]]]:
    """The inputs/outputs of the step model as written to metadata.json (``recent_items``: R of a repeat
    model, which takes a third input ``recent_items`` int64 [batch, R])."""
    recent = [] if recent_items is None else [
        {"name": RECENT_INPUT, "type": "int64", "shape": [BATCH_AXIS, recent_items]}]
    return {
        "inputs": [{"name": "item_idx", "type": "int64", "shape": [BATCH_AXIS]},
                   {"name": "hidden", "type": "float32", "shape": [BATCH_AXIS, hidden_size]}, *recent],
        "outputs": [{"name": "new_hidden", "type": "float32", "shape": [BATCH_AXIS, hidden_size]},
                    {"name": "topk_scores", "type": "float32", "shape": [BATCH_AXIS, top_k]},
                    {"name": "topk_items", "type": "int64", "shape": [BATCH_AXIS, top_k]}],
    }


_ONNX_TYPES = {onnx.TensorProto.FLOAT: "float32", onnx.TensorProto.INT64: "int64"}


def graph_specs(model_proto: onnx.ModelProto) -> Dict[str, List[Dict[str, Any]]]:
    """Names, element types and shapes (dim_param for symbolic axes) of an ONNX graph's inputs/outputs."""
    def spec(v: onnx.ValueInfoProto) -> Dict[str, Any]:
        t = v.type.tensor_type
        shape = [d.dim_param if d.HasField("dim_param") else int(d.dim_value) for d in t.shape.dim]
        return {"name": v.name, "type": _ONNX_TYPES.get(t.elem_type, str(t.elem_type)), "shape": shape}
    inits = {i.name for i in model_proto.graph.initializer}
    return {"inputs": [spec(v) for v in model_proto.graph.input if v.name not in inits],
            "outputs": [spec(v) for v in model_proto.graph.output]}


def onnx_export_options(export_fn: Callable[..., Any] = torch.onnx.export,
                        torch_version: str = torch.__version__) -> Dict[str, Any]:
    """Keyword arguments for ``export_fn`` (``torch.onnx.export``) that select the TorchScript exporter
    and a single self-contained ``model.onnx``, whatever the PyTorch version.

    Up to torch 2.4 ``torch.onnx.export`` is the TorchScript exporter and has no ``dynamo`` parameter.
    From 2.5 it has one, and from 2.9 it defaults to ``True`` (the dynamo exporter: opset 18, weights
    in a separate ``model.onnx.data``), so ``dynamo=False`` is passed whenever the signature has it,
    and ``external_data=False`` whenever it has that: a bundle under 2 GB is one file.
    Raises ``RuntimeError`` naming the supported range for a torch outside :data:`SUPPORTED_TORCH`
    (older than 1.13 is untested; 3.x is expected to drop the TorchScript exporter)."""
    supported = f"torch {','.join(SUPPORTED_TORCH)} (see requirements.txt)"
    m = re.match(r"(\d+)\.(\d+)", torch_version)
    if m is None:
        raise RuntimeError(f"cannot read the PyTorch version {torch_version!r}; export supports {supported}")
    if not (1, 13) <= (int(m.group(1)), int(m.group(2))) < (3, 0):
        raise RuntimeError(f"PyTorch {torch_version} is not supported for export: the bundle needs the "
                           f"TorchScript ONNX exporter at opset {OPSET}, tested with {supported}")
    params = inspect.signature(export_fn).parameters
    options: Dict[str, Any] = {}
    if "dynamo" in params:
        options["dynamo"] = False
    if "external_data" in params:
        options["external_data"] = False
    return options


def parity_recent_items(item_idx: torch.Tensor, recent_items: int, g: torch.Generator) -> torch.Tensor:
    """Recent-item windows for parity inputs: row ``b`` starts with ``item_idx[b]`` (the current click) and
    holds a random number of earlier clicks, then -1 padding; earlier clicks are drawn from a few items
    so that rows repeat items (also the current one). Row 0 is all padding after the current click,
    row 1 (when there is one) is full and repeats the current click at its last position, row 2 has an
    unknown item (-1) between known ones."""
    b, n = len(item_idx), int(item_idx.max()) + 1
    pool = torch.randint(0, max(n, 1), (3,), generator=g, dtype=torch.int64)
    out = torch.full((b, recent_items), -1, dtype=torch.int64)
    out[:, 0] = item_idx
    for row in range(1, b):
        length = recent_items if row == 1 else int(torch.randint(1, recent_items + 1, (1,), generator=g))
        for j in range(1, length):
            pick = int(torch.randint(0, 4, (1,), generator=g))
            out[row, j] = item_idx[row] if pick == 3 else pool[pick]
    if b > 1 and recent_items > 1:
        out[1, recent_items - 1] = item_idx[1]
    if b > 2 and recent_items > 2:  # an unknown item (-1) between known ones
        out[2, 1], out[2, 2] = -1, pool[0]
    return out


def _parity_cases(step: StepModule, hidden_size: int) -> List[Dict[str, Any]]:
    """Two fixed cases: batch of 8 random items with random hidden states, batch of 3 from zeros (a repeat
    model also gets recent-item windows with repeats and padding, :func:`parity_recent_items`)."""
    g = torch.Generator().manual_seed(PARITY_SEED)
    n = step.model.num_items
    inputs = [
        (torch.randint(0, n, (8,), generator=g, dtype=torch.int64),
         (torch.rand(8, hidden_size, generator=g) * 2 - 1) * 0.5),
        (torch.randint(0, n, (3,), generator=g, dtype=torch.int64), torch.zeros(3, hidden_size)),
    ]
    repeat = step.model.config.repeat
    cases = []
    with torch.no_grad():
        for x, h in inputs:
            recent = parity_recent_items(x, step.model.config.recent_items, g) if repeat else None
            nh, s, i = step(x, h, recent)
            cases.append({"item_idx": x.tolist(), "hidden": h.tolist(),
                          **({RECENT_INPUT: recent.tolist()} if recent is not None else {}),
                          "new_hidden": nh.tolist(), "topk_scores": s.tolist(), "topk_items": i.tolist()})
    return cases


def _verify_parity(onnx_path: str, cases: List[Dict[str, Any]]) -> None:
    """The parity cases through the NumPy interpreter; where a newer torch exported an op the interpreter
    does not implement (it refuses rather than guess) and ONNX Runtime for Python is installed, through
    ONNX Runtime instead (the authoritative runtime); otherwise the ``NotImplementedError`` stands."""
    from .onnx_numpy import check_parity, onnxruntime_runner
    try:
        check_parity(onnx_path, cases, atol=1e-4)
    except NotImplementedError as err:
        try:
            runner = onnxruntime_runner(onnx_path)
        except ImportError:
            raise err from None
        log.warning("the NumPy ONNX interpreter cannot run %s (%s); checking parity with ONNX Runtime",
                    onnx_path, err)
        check_parity(onnx_path, cases, atol=1e-4, runner=runner)


def export(model: GRU4Rec, bundle_dir: str, vocab: Vocabulary, *, name: str, top_k: int = 100,
           hyperparameters: Optional[Mapping[str, Any]] = None,
           training_data: Optional[Mapping[str, Any]] = None,
           metrics: Optional[Mapping[str, Any]] = None,
           tuning: Optional[Mapping[str, Any]] = None,
           write_parity: bool = True, verify: bool = True,
           now: Optional[_dt.datetime] = None, retrieval: Any = None) -> Dict[str, Any]:
    """Write a model bundle for ``model`` to ``bundle_dir`` and return its metadata.

    Steps: ``model.eval()`` (on CPU); wrap it in :class:`StepModule` (``item_idx`` int64 [batch],
    ``hidden`` float32 [batch, hidden_size], and for a ``repeat`` model ``recent_items`` int64 [batch, R])
    -> (``new_hidden``, ``topk_scores``, ``topk_items``) with TopK inside the graph (a repeat bundle's
    ``metadata.json`` has ``"repeat": true`` and ``"recent_items": R``); ``torch.onnx.export`` (the TorchScript exporter on every supported torch, see
    :func:`onnx_export_options`) with opset 14, a dynamic ``batch`` axis and no external data;
    ``onnx.checker``;
    check the graph's tensor names, types and shapes against the contract; write ``items.tsv``,
    ``parity.json`` (fixed inputs + PyTorch outputs, unless ``write_parity`` is False) and ``metadata.json``
    with SHA-256 and size of every other file (and ``tuning``, the tuner's search record, when given).
    With ``verify`` the ONNX graph is also executed by the package's NumPy interpreter on the parity inputs
    and compared with PyTorch (tolerance 1e-4).

    ``retrieval`` chooses how the graph finds the top-K (:func:`.ivf.retrieval_choice`): None or ``"exact"``
    scores the whole catalog; ``"ivf"``, ``"auto"`` (IVF from 200,000 items) or ``{"type": "ivf", "lists": L,
    "probe": P, ...}`` rewrites the exported graph to an IVF search with exact re-rank (:mod:`.ivf`), and
    ``metadata.json`` gets ``retrieval``. Checked before anything is written.

    ``top_k`` is capped at the number of items. Raises ``ValueError`` on inconsistent arguments.
    """
    from .ivf import apply_ivf, retrieval_choice
    if len(vocab) != model.num_items:
        raise ValueError(f"vocabulary has {len(vocab)} items but the model has {model.num_items}")
    if not name or any(c in name for c in "/\\\n"):
        raise ValueError(f"bad bundle name {name!r}")
    ivf = retrieval_choice(retrieval, model.num_items)
    if ivf is not None and model.config.repeat:
        raise ValueError("IVF retrieval of a repeat-aware model is not supported (its repeat bonus is added to "
                         "every catalog score); use exact retrieval")
    os.makedirs(bundle_dir, exist_ok=True)
    model = model.cpu().eval()
    step = StepModule(model, top_k).eval()
    k = step.top_k
    hidden_size = model.config.layers * model.config.hidden_size
    repeat = model.config.repeat
    recent_size = model.config.recent_items if repeat else None

    onnx_path = os.path.join(bundle_dir, "model.onnx")
    x = torch.zeros(2, dtype=torch.int64)
    h = torch.zeros(2, hidden_size)
    args = (x, h) if not repeat else (x, h, torch.full((2, model.config.recent_items), -1, dtype=torch.int64))
    input_names = INPUT_NAMES + ([RECENT_INPUT] if repeat else [])
    options = onnx_export_options()
    with torch.no_grad():
        torch.onnx.export(step, args, onnx_path, opset_version=OPSET, input_names=input_names,
                          output_names=OUTPUT_NAMES, do_constant_folding=True,
                          dynamic_axes={n: {0: BATCH_AXIS} for n in input_names + OUTPUT_NAMES}, **options)
    proto = onnx.load(onnx_path, load_external_data=False)
    external = [t.name for t in proto.graph.initializer if t.data_location == onnx.TensorProto.EXTERNAL]
    if external:
        raise RuntimeError(f"{onnx_path}: {len(external)} weights in external data files "
                           f"(e.g. {external[0]!r}); a bundle's model.onnx must be self-contained "
                           f"(torch {torch.__version__}, export options {options})")
    onnx.checker.check_model(proto)
    expected = tensor_specs(hidden_size, k, recent_size)
    actual = graph_specs(proto)
    if actual != expected:
        raise RuntimeError(f"{onnx_path}: graph inputs/outputs {actual} do not match the contract {expected}")
    opset = [o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")]
    if opset != [OPSET]:
        raise RuntimeError(f"{onnx_path}: opset {opset}, expected [{OPSET}]")

    vocab.write_tsv(os.path.join(bundle_dir, "items.tsv"))
    files = ["model.onnx", "items.tsv"]
    parity_path = os.path.join(bundle_dir, "parity.json")
    if write_parity:
        cases = _parity_cases(step, hidden_size)
        with open(parity_path, "w", encoding="utf-8") as f:
            json.dump({"cases": cases}, f, separators=(",", ":"))
            f.write("\n")
        files.append("parity.json")
        if verify:
            _verify_parity(onnx_path, cases)
    elif os.path.exists(parity_path):
        os.remove(parity_path)

    now = (now or _dt.datetime.now(_dt.timezone.utc)).astimezone(_dt.timezone.utc).replace(microsecond=0)
    meta: Dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "name": name,
        "version": now.strftime("%Y%m%dT%H%M%SZ"),
        "created": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "model_type": "gru4rec",
        "num_items": model.num_items,
        "hidden_size": hidden_size,
        "top_k": k,
        "opset": OPSET,
        **({"repeat": True, "recent_items": recent_size, "repeat_mode": model.config.repeat_mode} if repeat else {}),
        **expected,
        "hyperparameters": dict(hyperparameters or {}),
        "training_data": dict(training_data or {}),
        "metrics": dict(metrics or {}),
        **({"tuning": dict(tuning)} if tuning is not None else {}),
        "files": {f: {"sha256": sha256_file(os.path.join(bundle_dir, f)),
                      "bytes": os.path.getsize(os.path.join(bundle_dir, f))} for f in files},
    }
    with open(os.path.join(bundle_dir, "metadata.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    log.info("exported bundle %s to %s (%d items, hidden %d, top_k %d, model.onnx %d bytes)", name, bundle_dir,
             model.num_items, hidden_size, k, meta["files"]["model.onnx"]["bytes"])
    if ivf is not None:
        meta = apply_ivf(bundle_dir, ivf, now=now, keep_metrics=True)
    return meta


def replace_nodes(model: onnx.ModelProto, nodes: List[onnx.NodeProto]) -> onnx.ModelProto:
    """Gives the model's graph `nodes` as its nodes, drops the initializers no node reads any more,
    and checks the model (the last step of a graph rewrite: int8 scoring, IVF retrieval)."""
    graph = model.graph
    del graph.node[:]
    graph.node.extend(nodes)
    used = {i for n in graph.node for i in n.input}
    kept = [i for i in graph.initializer if i.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    onnx.checker.check_model(model)
    return model
