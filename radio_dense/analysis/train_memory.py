"""Plan a training run before launching it: FLOPs and peak memory per GPU of a RADIO trunk, from shapes alone.

Memory per GPU = weights + gradients + AdamW state (+ bf16 autocast's weight copies) + activations kept for
backward. Activations are counted per block from what a timm ViT block saves for backward with a fused
(flash / memory-efficient) attention kernel, as on GPUs: the inputs of both norms, of the qkv, output projection
and both MLP matmuls, q, k and v, and the GELU input -- ``(8 + 2 * mlp_ratio) * width`` values per token, plus
``2 * width`` with layer scale; no ``tokens x tokens`` score matrix (:func:`block_saved_values`, checked
against autograd's saved tensors in tests/analysis/test_train_memory.py). ``with_cp`` keeps only each block's
input, plus one block's activations while it is recomputed. bf16 autocast stores the matmul inputs in bf16
and the norms' inputs in fp32. Heads and necks are not in these numbers (their parameters are, in the
config-level planner): at the configs' crops the trunk dominates.

FLOPs: 2 per multiply-add of every matmul: the block's linear layers on every token (windowed blocks: the
spatial tokens; summary and register tokens skip them), plus attention's ``q @ k^T`` and ``attn @ v`` over the
tokens each token attends to (all of them, or its window).
"""
import math
from dataclasses import dataclass
from typing import Dict, Optional, Sequence

from ..radio.architectures import TrunkSpec

GB = 1e9
ADAMW_STATE_BYTES = 8  # exp_avg + exp_avg_sq in fp32


@dataclass(frozen=True)
class TrunkShape:
    """What the memory and FLOPs of a trunk's forward depend on."""

    spec: TrunkSpec
    prefix_tokens: int  # summary + register tokens
    height: int  # input pixels (padded to the patch size by the backbone)
    width: int
    window: Optional[int] = None  # ViTDet window side in patches
    is_global: Optional[Sequence[bool]] = None  # per block, in ViTDet mode

    @property
    def grid(self):
        p = self.spec.patch_size
        return math.ceil(self.height / p), math.ceil(self.width / p)

    @property
    def tokens(self) -> int:
        h, w = self.grid
        if self.window:  # windows pad the grid to whole windows
            h, w = math.ceil(h / self.window) * self.window, math.ceil(w / self.window) * self.window
        return self.prefix_tokens + h * w


def block_saved_values(spec: TrunkSpec) -> float:
    """Values one block keeps for backward per token, in units of the width (see the module docstring)."""
    return 8 + 2 * spec.mlp_ratio + (2 if spec.init_values else 0)


def block_parameters(spec: TrunkSpec) -> int:
    h, m = spec.embed_dim, int(round(spec.embed_dim * spec.mlp_ratio))
    norms = 4 * h
    attention = 3 * h * h + 3 * h + h * h + h
    mlp = h * m + m + m * h + h
    return norms + attention + mlp + (2 * h if spec.init_values else 0)


def trunk_flops(shape: TrunkShape, batch: int = 1) -> float:
    """Forward FLOPs of the blocks (patch embedding and heads excluded)."""
    spec, tokens = shape.spec, shape.tokens
    h, m = spec.embed_dim, spec.embed_dim * spec.mlp_ratio
    per_token = 2 * (4 * h * h + 2 * h * m)
    spatial = tokens - shape.prefix_tokens
    total = 0.0
    for i in range(spec.depth):
        windowed = shape.window and shape.is_global is not None and not shape.is_global[i]
        queries = spatial if windowed else tokens  # prefix tokens skip windowed blocks
        attended = shape.window ** 2 if windowed else tokens
        total += queries * per_token + 4 * queries * attended * h
    return batch * total


@dataclass(frozen=True)
class MemoryPlan:
    """Bytes per GPU of one training step, by part."""

    weights: float
    gradients: float
    optimizer: float
    activations: Dict[str, float]  # 'fp32', 'fp32+cp', 'bf16', 'bf16+cp'
    autocast_weights: float  # bf16 copies of the weights autocast keeps during a step

    def peak(self, mode: str) -> float:
        extra = self.autocast_weights if mode.startswith('bf16') else 0.0
        return self.weights + self.gradients + self.optimizer + extra + self.activations[mode]


def plan_memory(shape: TrunkShape, batch: int, total_parameters: int, trainable_parameters: int,
                trunk_trains: bool = True, shards: int = 1) -> MemoryPlan:
    """Peak memory of a training step with AdamW (fp32 master weights, as mmengine's optimizer wrappers keep).

    ``trunk_trains=False`` (a frozen trunk, linear probe): the trunk runs without saving activations.
    ``shards``: FSDP's full sharding over that many GPUs: weights, gradients and AdamW state are split, plus
    two blocks' gathered weights and gradients at a time (the one computing and the one prefetched).
    """
    spec = shape.spec
    per_token = block_saved_values(spec)
    values = batch * shape.tokens * spec.embed_dim  # one width-sized value per token
    acts = {}
    for dtype, size in (('fp32', 4), ('bf16', 2)):
        norm_inputs = 2 * values * 4  # LayerNorm inputs stay fp32 under autocast
        block = (per_token - 2) * values * size + norm_inputs
        if not trunk_trains:
            acts[dtype] = acts[dtype + '+cp'] = 0.0
            continue
        acts[dtype] = spec.depth * block
        acts[dtype + '+cp'] = spec.depth * values * size + block  # block inputs + one block recomputed
    trunk_params = spec.depth * block_parameters(spec)
    gathered = 2 * block_parameters(spec) if shards > 1 else 0
    return MemoryPlan(weights=4.0 * (total_parameters / shards + gathered),
                      gradients=4.0 * (trainable_parameters / shards + gathered),
                      optimizer=ADAMW_STATE_BYTES * trainable_parameters / shards, activations=acts,
                      autocast_weights=2.0 * (trunk_params if trunk_trains else 0))
