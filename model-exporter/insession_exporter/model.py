"""GRU4Rec session model, written from the papers:

* B. Hidasi, A. Karatzoglou, L. Baltrunas, D. Tikk: "Session-based Recommendations with Recurrent Neural
  Networks", ICLR 2016 (GRU over the click sequence, session-parallel mini-batches, in-batch negatives).
* B. Hidasi, A. Karatzoglou: "Recurrent Neural Networks with Top-k Gains for Session-based
  Recommendations", CIKM 2018 (additional shared negatives sampled by popularity^alpha, BPR-max loss
  with score regularisation, cross-entropy over target + negatives).

Architecture: item embedding -> dropout -> GRU (``layers`` stacked cells) -> dropout -> scores
``h . W_out[item] + b_out[item]``. With ``constrained_embedding`` the input embedding is the output
embedding (``W_in = W_out``, so the embedding size equals the hidden size).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Dict, Mapping, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class ModelConfig:
    num_items: int
    hidden_size: int = 100          # units per GRU layer
    layers: int = 1
    embedding_size: int = 100       # ignored (= hidden_size) with constrained_embedding
    constrained_embedding: bool = False
    dropout_embedding: float = 0.0
    dropout_hidden: float = 0.0
    sparse: bool = True             # sparse gradients for the embeddings (fast path with SparseAdam / Adagrad)
    init_scale: float = 0.1         # embeddings ~ U(-init_scale, init_scale)

    def __post_init__(self) -> None:
        if self.num_items < 1:
            raise ValueError(f"num_items must be >= 1, got {self.num_items}")
        if self.hidden_size < 1 or self.layers < 1:
            raise ValueError(f"hidden_size and layers must be >= 1, got {self.hidden_size}, {self.layers}")
        if not self.constrained_embedding and self.embedding_size < 1:
            raise ValueError(f"embedding_size must be >= 1, got {self.embedding_size}")
        for name in ("dropout_embedding", "dropout_hidden"):
            v = getattr(self, name)
            if not 0.0 <= v < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {v}")

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> "ModelConfig":
        names = {f.name for f in fields(ModelConfig)}
        return ModelConfig(**{k: v for k, v in d.items() if k in names})

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


class GRU4Rec(nn.Module):
    """GRU4Rec. The recurrent state of a batch of sessions is a tensor ``[layers, batch, hidden_size]``."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        c = config
        self.out_emb = nn.Embedding(c.num_items, c.hidden_size, sparse=c.sparse)
        self.out_bias = nn.Embedding(c.num_items, 1, sparse=c.sparse)
        if c.constrained_embedding:
            self.in_emb: Optional[nn.Embedding] = None
            in_size = c.hidden_size
        else:
            self.in_emb = nn.Embedding(c.num_items, c.embedding_size, sparse=c.sparse)
            in_size = c.embedding_size
        self.cells = nn.ModuleList(
            [nn.GRUCell(in_size if i == 0 else c.hidden_size, c.hidden_size) for i in range(c.layers)])
        self.drop_emb = nn.Dropout(c.dropout_embedding)
        self.drop_hidden = nn.Dropout(c.dropout_hidden)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        s = self.config.init_scale
        nn.init.uniform_(self.out_emb.weight, -s, s)
        nn.init.zeros_(self.out_bias.weight)
        if self.in_emb is not None:
            nn.init.uniform_(self.in_emb.weight, -s, s)
        for cell in self.cells:
            h = self.config.hidden_size
            for name, p in cell.named_parameters():
                if name.startswith("weight"):
                    # one orthogonal-ish block per gate, scaled like Glorot uniform
                    for g in range(3):
                        nn.init.xavier_uniform_(p.data[g * h:(g + 1) * h])
                else:
                    nn.init.zeros_(p)

    @property
    def num_items(self) -> int:
        return self.config.num_items

    def init_hidden(self, batch: int, device: Optional[torch.device] = None) -> torch.Tensor:
        return torch.zeros(self.config.layers, batch, self.config.hidden_size, device=device)

    def embed(self, item_idx: torch.Tensor) -> torch.Tensor:
        emb = self.out_emb if self.in_emb is None else self.in_emb
        return emb(item_idx)

    def step(self, item_idx: torch.Tensor, hidden: torch.Tensor) -> torch.Tensor:
        """Advance ``hidden`` [layers, B, H] by one click ``item_idx`` [B]; returns the new state."""
        x = self.drop_emb(self.embed(item_idx))
        new = []
        for layer, cell in enumerate(self.cells):
            h = cell(x, hidden[layer])
            new.append(h)
            x = self.drop_hidden(h) if layer + 1 < len(self.cells) else h
        return torch.stack(new)

    def output(self, hidden: torch.Tensor) -> torch.Tensor:
        """The top layer's state with dropout, i.e. the session representation that scores items."""
        return self.drop_hidden(hidden[-1])

    def score_items(self, out: torch.Tensor, items: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Scores ``[B, n]`` of ``items`` [n] (all items when None) for session representations ``out`` [B, H]."""
        if items is None:
            return out @ self.out_emb.weight.t() + self.out_bias.weight.t()
        w = self.out_emb(items)
        b = self.out_bias(items).squeeze(1)
        return out @ w.t() + b


class StepModule(nn.Module):
    """The exported step: ``(item_idx int64 [B], hidden float32 [B, layers*H])`` ->
    ``(new_hidden [B, layers*H], topk_scores [B, k], topk_items int64 [B, k])``, TopK inside the graph.
    Stacked layers' states are concatenated along the last axis (layer 0 first)."""

    def __init__(self, model: GRU4Rec, top_k: int) -> None:
        super().__init__()
        if top_k < 1:
            raise ValueError(f"top_k must be >= 1, got {top_k}")
        self.model = model
        self.top_k = min(top_k, model.num_items)

    def forward(self, item_idx: torch.Tensor, hidden: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        c = self.model.config
        x = self.model.embed(item_idx)
        states = []
        for layer, cell in enumerate(self.model.cells):
            h_prev = hidden[:, layer * c.hidden_size:(layer + 1) * c.hidden_size] if c.layers > 1 else hidden
            x = cell(x, h_prev)
            states.append(x)
        new_hidden = torch.cat(states, dim=1) if c.layers > 1 else states[0]
        # F.linear exports as one Gemm(transB=1) on the embedding itself; "x @ W.t()" would make the exporter
        # fold a transposed copy of W into the graph and double the file size.
        scores = F.linear(x, self.model.out_emb.weight, self.model.out_bias.weight.squeeze(1))
        topk_scores, topk_items = torch.topk(scores, self.top_k, dim=1)
        return new_hidden, topk_scores, topk_items
