"""GRU4Rec session model, written from the papers:

* B. Hidasi, A. Karatzoglou, L. Baltrunas, D. Tikk: "Session-based Recommendations with Recurrent Neural
  Networks", ICLR 2016 (GRU over the click sequence, session-parallel mini-batches, in-batch negatives).
* B. Hidasi, A. Karatzoglou: "Recurrent Neural Networks with Top-k Gains for Session-based
  Recommendations", CIKM 2018 (additional shared negatives sampled by popularity^alpha, BPR-max loss
  with score regularisation, cross-entropy over target + negatives).

Architecture: item embedding -> dropout -> GRU (``layers`` stacked cells) -> dropout -> scores
``h . W_out[item] + b_out[item]``. With ``constrained_embedding`` the input embedding is the output
embedding (``W_in = W_out``, so the embedding size equals the hidden size).

Repeat-aware scoring (``repeat``), after the repeat/explore decomposition of

* P. Ren, Z. Chen, J. Li, Z. Ren, J. Ma, M. de Rijke: "RepeatNet: A Repeat Aware Neural Recommendation
  Machine for Session-based Recommendation", AAAI 2019 (a gate decides per session and step between
  re-recommending the session's own items, weighted by attention over them, and exploring new ones);
* M. Li, A. Vardasbi, A. Yates, M. de Rijke: "Repetition and Exploration in Sequential Recommendation",
  SIGIR 2023 (repeat and explore targets behave differently and must be measured apart),

written in logit space so that the sampled losses stay as they are: with ``r_1..r_R`` the session's
``recent_items`` most recent items (``r_1`` = the current click, -1 = padding) and ``h`` the session
representation,

    s_i = h . W_out[i] + b_out[i] + sum_{j: r_j = i} w_j,
    w_j = g(h) * u_j,  g(h) = sigmoid(w_g . h + b_g)                      (repeat gate),
    u_j = (Q h + b_Q) . W_out[r_j] + (P h + b_P)_j                         (attention over the recent items)

``u_j`` is a bilinear attention score of the recent item's embedding (Luong et al., EMNLP 2015) plus a
session-dependent preference for position ``j`` (how far back the item was clicked); the gate scales all
of them at once, so a step can switch the session's own items off (explore) or boost them (repeat).
An item clicked several times gets the sum of its positions' bonuses. RepeatNet mixes two softmax
distributions in probability space, which needs the whole catalog's normaliser; the logit form needs only
the scores of the candidates, so the model trains with today's sampled BPR-max / cross-entropy, the
session's own items joining each row's negatives (:func:`train.sampled_scores`). Everything is
stateless: the recent items are already in the serving side's session state, so the stored state stays
the GRU's hidden vector (O(1) per event).

``repeat_mode = "mixture"`` is RepeatNet's own form, in probability space:

    P(i) = p * R(i) + (1 - p) * E(i),   p = sigmoid(w_g . h + b_g + w_m * m),
    m = log sum_{i in r} exp(tau * s_i) - log sum_{k not in r} exp(tau * s_k)   (the GRU's own repeat mass),
    R(i) = sum_{j: r_j = i} softmax_j(a),  a_j = (Q h + b_Q) . W_out[r_j] + (P h + b_P)_j + w_s * s_{r_j},
    E(i) = exp(tau * s_i) / sum_{k not in r} exp(tau * s_k)  for i not among the recent items (else 0),

with ``s_i = h . W_out[i] + b_out[i]`` the plain catalog scores and ``a_j`` the bonus form's attention plus
the recent item's own catalog score (weight ``w_s``). The graph ranks by ``log P(i)``; the explore
normaliser is a sum over the whole catalog, which exact scoring computes anyway. Training
(:func:`train.mixture_loss`) keeps the GRU exactly the plain one: the catalog scores learn with the sampled
loss as before, and the head (gate, attention, temperature ``tau``) learns from the detached session
state and embeddings by the exact decomposed likelihood (RepeatNet's explore part excludes the recent
items, so ``-log P(target)`` splits into a gate term, a repeat or an explore term).

With ``gate_features`` the gate's logit also gets ``w_f . f``, ``f`` four facts about the window
(:meth:`GRU4Rec.gate_features`): the share of its known positions that repeat a more recent one,
``log(1 + known positions)``, whether the current click repeats an earlier window item, and
``max_i R(i)``; ``w_f`` starts at 0.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Dict, Mapping, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


#: inputs of the mixture gate's window features (:meth:`GRU4Rec.gate_features`)
GATE_FEATURES = 4


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
    repeat: bool = False            # repeat-aware scoring over the session's recent items (module docstring)
    recent_items: int = 10          # R: how many of the session's most recent items the repeat part sees
    repeat_mode: str = "bonus"      # "bonus" (logit-space bonus) | "mixture" (RepeatNet probability mixture)
    gate_features: bool = False     # mixture: the gate also reads how repetitive the window is (gate_features)

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
        if not isinstance(self.repeat, bool):
            raise ValueError(f"repeat must be true or false, got {self.repeat!r}")
        if self.repeat_mode not in ("bonus", "mixture"):
            raise ValueError(f"repeat_mode must be 'bonus' or 'mixture', got {self.repeat_mode!r}")
        if not isinstance(self.gate_features, bool):
            raise ValueError(f"gate_features must be true or false, got {self.gate_features!r}")
        if self.gate_features and not (self.repeat and self.repeat_mode == "mixture"):
            raise ValueError("gate_features needs repeat = true and repeat_mode = 'mixture'")
        if isinstance(self.recent_items, bool) or not isinstance(self.recent_items, int) or self.recent_items < 1:
            raise ValueError(f"recent_items must be an integer >= 1, got {self.recent_items!r}")

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
        if c.repeat:
            # built without drawing from the global RNG (reset_parameters draws their values after the GRU's),
            # so a repeat model's GRU starts from the same values as the plain model's
            with torch.random.fork_rng(devices=[]):
                self._build_repeat_head(c)
        else:
            self.rep_query = self.rep_position = self.rep_gate = None
        self.reset_parameters()

    def _build_repeat_head(self, c: ModelConfig) -> None:
        self.rep_query: Optional[nn.Linear] = nn.Linear(c.hidden_size, c.hidden_size)
        self.rep_position: Optional[nn.Linear] = nn.Linear(c.hidden_size, c.recent_items)
        self.rep_gate: Optional[nn.Linear] = nn.Linear(c.hidden_size, 1)
        if c.repeat_mode == "mixture":
            # log of the explore temperature tau (E = softmax(tau * s) over the items not among the recent ones)
            self.rep_log_temp = nn.Parameter(torch.zeros(()))
            # weight of a recent item's own catalog score in the attention over the recent items
            self.rep_base_weight = nn.Parameter(torch.ones(()))
            # weight of the GRU's own softmax mass on the recent items in the gate (repeat_mass)
            self.rep_mass_weight = nn.Parameter(torch.ones(()))
            if c.gate_features:
                # the gate's weights of the window's shape (gate_features); zero at the start
                self.rep_feature_gate = nn.Linear(GATE_FEATURES, 1)
        # [j, k] True when k < j: position k is more recent than j (not saved: derived from recent_items)
        self.register_buffer("rep_earlier", torch.from_numpy(
            np.tril(np.ones((c.recent_items, c.recent_items), dtype=bool), k=-1)), persistent=False)

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
        for lin in (self.rep_query, self.rep_position, self.rep_gate):
            if lin is not None:
                nn.init.xavier_uniform_(lin.weight)
                nn.init.zeros_(lin.bias)
        if self.config.gate_features:
            nn.init.zeros_(self.rep_feature_gate.weight)
            nn.init.zeros_(self.rep_feature_gate.bias)

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

    def repeat_weights(self, out: torch.Tensor, recent: torch.Tensor) -> "tuple[torch.Tensor, torch.Tensor]":
        """Per-position repeat bonuses ``w`` [B, R] (0 at padding) for session representations ``out`` [B, H]
        and recent items ``recent`` int64 [B, R] (most recent first, -1 = padding / unknown item), and the
        recent items' output embeddings [B, R, H] (padding rows hold item 0's: their bonus is 0)."""
        if self.rep_query is None or self.rep_position is None or self.rep_gate is None:
            raise ValueError("repeat_weights needs a model built with repeat=True")
        if not torch.jit.is_tracing() and (recent.dim() != 2 or recent.shape[1] != self.config.recent_items):
            raise ValueError(f"recent items must be [batch, {self.config.recent_items}], got {list(recent.shape)}")
        valid = recent >= 0
        emb = self.out_emb(torch.where(valid, recent, torch.zeros_like(recent)))           # [B, R, H]
        query = self.rep_query(out)                                                        # [B, H]
        u = torch.matmul(emb, query.unsqueeze(2)).squeeze(2) + self.rep_position(out)      # [B, R]
        w = torch.sigmoid(self.rep_gate(out)) * u
        return w * valid.to(w.dtype), emb

    def score_items_repeat(self, out: torch.Tensor, recent: torch.Tensor) -> torch.Tensor:
        """Scores ``[B, num_items]`` of the whole catalog for a ``repeat`` model: the catalog scores with the
        repeat bonuses added, or the mixture's log-probabilities (``repeat_mode = "mixture"``)."""
        if self.config.repeat_mode == "mixture":
            return self.mixture_log_probs(self.score_items(out), out, recent)
        w, _ = self.repeat_weights(out, recent)
        return self.add_repeat_bonus(self.score_items(out), recent, w)

    def mixture_parts(self, out: torch.Tensor, recent: torch.Tensor, shield: bool = False
                      ) -> "tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]":
        """The repeat part of the mixture: gate logit ``[B]`` (log p_repeat = logsigmoid of it), each recent
        position's item log-probability under the repeat distribution ``[B, R]`` (the log of the summed
        attention of every position holding the same item; -inf-ish at padding), the validity mask and the
        ``same item`` matrix ``[B, R, R]``. ``shield`` (training) reads the catalog embeddings detached, so
        that the head's gradients reach only its own parameters."""
        if self.rep_query is None or self.rep_position is None or self.rep_gate is None:
            raise ValueError("mixture_parts needs a model built with repeat=True")
        valid = recent >= 0
        idx = torch.where(valid, recent, torch.zeros_like(recent))
        weight, bias_weight = self.out_emb.weight, self.out_bias.weight
        if shield:
            weight, bias_weight = weight.detach(), bias_weight.detach()
        emb = F.embedding(idx, weight)                                                       # [B, R, H]
        query = self.rep_query(out)
        a = torch.matmul(emb, query.unsqueeze(2)).squeeze(2) + self.rep_position(out)      # [B, R]
        bias = F.embedding(idx, bias_weight).squeeze(2)
        base = torch.matmul(emb, out.unsqueeze(2)).squeeze(2) + bias                       # s_{r_j}
        a = a + self.rep_base_weight * base
        a = a.masked_fill(~valid, -1e4)
        attn = torch.softmax(a, dim=1) * valid.to(a.dtype)
        same = (recent.unsqueeze(2) == recent.unsqueeze(1)) & valid.unsqueeze(2)         # [B, R, R]
        total = torch.matmul(same.to(a.dtype), attn.unsqueeze(2)).squeeze(2)              # [B, R]
        log_rep = torch.log(total.clamp(min=1e-30))
        gate = self.rep_gate(out).squeeze(1)
        if self.config.gate_features:
            gate = gate + self.rep_feature_gate(self.gate_features(valid, same, log_rep.detach())).squeeze(1)
        return gate, log_rep, valid, same

    def gate_features(self, valid: torch.Tensor, same: torch.Tensor, log_rep: torch.Tensor) -> torch.Tensor:
        """``[B, GATE_FEATURES]`` facts about the window that the session state may hold only vaguely: the
        share of its known positions that repeat a more recent one (how repetitive the session has been),
        ``log(1 + known positions)`` (how long it is, up to R), whether the current click repeats an earlier
        item of the window, and the repeat attention's largest probability (how sure it is of one item)."""
        fv = valid.to(log_rep.dtype)
        known = fv.sum(dim=1)
        distinct = self.first_positions(valid, same).to(log_rep.dtype).sum(dim=1)
        repetitive = (known - distinct) / known.clamp(min=1.0)
        length = torch.log1p(known)
        if self.config.recent_items > 1:
            current_again = same[:, 0, 1:].any(dim=1).to(log_rep.dtype)
        else:
            current_again = torch.zeros_like(known)
        peak = torch.exp(log_rep.masked_fill(~valid, -1e30).max(dim=1).values) * valid.any(dim=1).to(fv.dtype)
        return torch.stack([repetitive, length, current_again, peak], dim=1)

    def first_positions(self, valid: torch.Tensor, same: torch.Tensor) -> torch.Tensor:
        """``[B, R]`` True at each distinct known item's most recent position (``same``: the ``[B, R, R]``
        same-item matrix of the window): the one position that writes the item's value in the graph."""
        return valid & ~(same & self.rep_earlier.unsqueeze(0)).any(dim=2)

    def repeat_mass(self, tau_scores: torch.Tensor, recent: torch.Tensor, first: torch.Tensor,
                    log_z: torch.Tensor) -> torch.Tensor:
        """The gate's second input ``[B]``: how much of the tempered catalog softmax the session's own items
        hold against the rest, ``logsumexp_{distinct recent i}(tau s_i) - log Z`` (``log Z`` over the other
        items, ``first`` marks each distinct item's most recent position); 0 where no recent item is known."""
        own = tau_scores.gather(1, recent.clamp(min=0)).masked_fill(~first, -1e30)
        mass = torch.logsumexp(own, dim=1) - log_z
        return torch.where(first.any(dim=1), mass, torch.zeros_like(mass))

    def explore_temperature(self) -> torch.Tensor:
        return self.rep_log_temp.exp()

    def mixture_log_probs(self, scores: torch.Tensor, out: torch.Tensor, recent: torch.Tensor) -> torch.Tensor:
        """log P(i) ``[B, N]`` of the mixture p * R(i) + (1 - p) * E(i) (RepeatNet): R over the recent items,
        E the softmax of the catalog scores over the items *not* among them."""
        n = self.num_items
        gate, log_rep, valid, same = self.mixture_parts(out, recent)
        write = self.first_positions(valid, same)
        index = torch.where(write, recent, torch.full_like(recent, n))
        very_neg = torch.full_like(log_rep, -1e30)
        scores = scores * self.explore_temperature()
        wide = torch.cat([scores, torch.zeros_like(scores[:, :1])], dim=1)
        excl = wide.scatter(1, index, torch.where(write, very_neg, torch.zeros_like(log_rep)))[:, :n]
        log_z = torch.logsumexp(excl, dim=1, keepdim=True)
        any_recent = valid.any(dim=1)
        gate = gate + self.rep_mass_weight * self.repeat_mass(scores, recent, write, log_z.squeeze(1))
        log_p = torch.where(any_recent, F.logsigmoid(gate), torch.full_like(gate, -1e30)).unsqueeze(1)
        log_not = torch.where(any_recent, F.logsigmoid(-gate), torch.zeros_like(gate)).unsqueeze(1)
        explore = torch.cat([scores - log_z + log_not, torch.zeros_like(scores[:, :1])], dim=1)
        rep = torch.where(write, log_p + log_rep, torch.zeros_like(log_rep))
        return explore.scatter(1, index, rep)[:, :n]

    def add_repeat_bonus(self, scores: torch.Tensor, recent: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        """``scores`` [B, N] (the whole catalog) with ``sum_{j: recent_j = i} w_j`` added to item ``i``'s
        score, in ops that give the same result on every runtime (opset 14 has ``ScatterElements`` without
        reduction, where duplicate indices leave the result undefined):

        * each distinct item's total bonus is summed first (``[B, R, R]`` equality matrix times ``w``);
        * only the first (most recent) position of each distinct item writes; the other positions of the
          same item and the padding (-1) write 0 into an extra dummy column ``N`` that is cut off
          afterwards, so no index is ever negative (ScatterElements would read -1 as the last item), every
          real column is written at most once and the dummy column always with the same value."""
        n = self.num_items
        valid = recent >= 0
        same = recent.unsqueeze(2) == recent.unsqueeze(1)                                      # [B, R, R]
        total = torch.matmul(same.to(w.dtype), w.unsqueeze(2)).squeeze(2)                      # [B, R]
        write = self.first_positions(valid, same)
        index = torch.where(write, recent, torch.full_like(recent, n))
        wide = torch.cat([scores, torch.zeros_like(scores[:, :1])], dim=1)                     # [B, N + 1]
        update = torch.where(write, wide.gather(1, index) + total, torch.zeros_like(total))
        wide = wide.scatter(1, index, update)
        return wide[:, :n]


class StepModule(nn.Module):
    """The exported step: ``(item_idx int64 [B], hidden float32 [B, layers*H])`` ->
    ``(new_hidden [B, layers*H], topk_scores [B, k], topk_items int64 [B, k])``, TopK inside the graph.
    Stacked layers' states are concatenated along the last axis (layer 0 first). A ``repeat`` model takes
    a third input ``recent_items`` int64 ``[B, R]`` (most recent first, starting with the current click;
    -1 = padding or an item unknown to the model) and adds the repeat bonuses before TopK."""

    def __init__(self, model: GRU4Rec, top_k: int) -> None:
        super().__init__()
        if top_k < 1:
            raise ValueError(f"top_k must be >= 1, got {top_k}")
        self.model = model
        self.top_k = min(top_k, model.num_items)

    def forward(self, item_idx: torch.Tensor, hidden: torch.Tensor,
                recent_items: Optional[torch.Tensor] = None) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        c = self.model.config
        if c.repeat != (recent_items is not None):
            raise ValueError("recent_items is required by a repeat model and refused by a plain one")
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
        if recent_items is not None and c.repeat_mode == "mixture":
            scores = self.model.mixture_log_probs(scores, x, recent_items)
        elif recent_items is not None:
            w, _ = self.model.repeat_weights(x, recent_items)
            scores = self.model.add_repeat_bonus(scores, recent_items, w)
        topk_scores, topk_items = torch.topk(scores, self.top_k, dim=1)
        return new_hidden, topk_scores, topk_items
