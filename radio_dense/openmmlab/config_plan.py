"""Plan a config's training before launching it: parameters, trunk GFLOPs at its crop and peak memory per GPU.

The whole model is built on the meta device (no weights, no download, no memory), so parameters are exact
(total, and trainable: a frozen trunk has no gradients nor optimizer state). Activations and FLOPs are the
trunk's, from :mod:`radio_dense.analysis.train_memory` (necks and heads add their own activations; at these
crops the trunk dominates). bf16 means mmengine's ``AmpOptimWrapper`` (``--amp bf16``): fp32 master weights,
autocast activations.
"""
import os
import re
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

import torch
from mmengine.config import Config

from ..analysis.train_memory import GB, MemoryPlan, TrunkShape, plan_memory, trunk_flops
from .config_model import build_model, load_config

#: the per-GPU memory the configs are written for (A100 / H100 80 GB)
GPU_GB = 80.0
MODES = ('fp32', 'fp32+cp', 'bf16', 'bf16+cp')


@dataclass
class ConfigPlan:
    config: str
    crop: Tuple[int, int]
    batch: int
    parameters: int
    trainable: int
    gflops: float  # trunk forward, per image
    with_cp: bool
    memory: MemoryPlan
    shards: int = 1  # FSDP: GPUs the weights, gradients and AdamW state are split over

    @property
    def configured_mode(self) -> str:
        return 'fp32+cp' if self.with_cp else 'fp32'

    def peak_gb(self, mode: Optional[str] = None) -> float:
        return self.memory.peak(mode or self.configured_mode) / GB

    def fitting_switches(self, limit_gb: float = GPU_GB) -> Dict[str, float]:
        """The other precision / checkpointing modes and their peaks that fit ``limit_gb``."""
        return {m: self.peak_gb(m) for m in MODES if self.peak_gb(m) <= limit_gb}


def _crop(cfg: Config) -> Tuple[int, int]:
    """The training input (height, width) the config's batches have."""
    pre = cfg.model.get('data_preprocessor', {})
    for aug in pre.get('batch_augments') or []:
        if aug.get('size'):
            return tuple(aug['size'])
    if pre.get('size'):
        return tuple(pre['size'])
    if 'crop_size' in cfg:
        return tuple(cfg.crop_size)
    for step in cfg.get('test_pipeline', []):  # keep-ratio detectors: the short and long side of the scale
        if step.get('type') == 'Resize' and step.get('keep_ratio') and step.get('scale'):
            w, h = step['scale']
            return (min(w, h), max(w, h))
    if 'image_size' in cfg:
        size = cfg.image_size
        return (size, size) if isinstance(size, int) else tuple(size)
    raise ValueError('cannot tell the training input size of this config')


def plan_config(path: str) -> ConfigPlan:
    """Build ``path``'s model on the meta device and plan one training step at its own batch and crop."""
    cfg = load_config(path)
    backbone = cfg.model.backbone
    with torch.device('meta'):
        model = build_model(cfg, random_init=True, device='meta')
    radio_backbone = getattr(model.backbone, 'vit', model.backbone)  # RADIOAdapter wraps a RADIOBackbone
    trunk = radio_backbone.radio.model
    crop, batch = _crop(cfg), cfg.train_dataloader.batch_size
    shape = TrunkShape(trunk.spec, trunk.num_summary_tokens, *crop, window=trunk.window_size,
                       is_global=trunk.is_global if trunk.window_size else None)
    parameters = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    trunk_trains = any(p.requires_grad for p in trunk.parameters())
    shards = _fsdp_gpus(cfg, path)
    return ConfigPlan(path, crop, batch, parameters, trainable, trunk_flops(shape) / 1e9,
                      bool(backbone.get('with_cp', False)),
                      plan_memory(shape, batch, parameters, trainable, trunk_trains=trunk_trains, shards=shards), shards)


def _fsdp_gpus(cfg: Config, path: str) -> int:
    """GPUs an FSDP config shards over: its name's ``<gpus>xb<batch>`` (8 when it does not say); 1 without FSDP."""
    if cfg.get('strategy', {}).get('type') != 'FSDPStrategy':
        return 1
    match = re.search(r'_(\d+)xb\d+', os.path.basename(path))
    return int(match.group(1)) if match else 8


def markdown_table(plans, limit_gb: float = GPU_GB) -> str:
    """One row per config: sizes, GFLOPs, memory parts and peaks in GB, and what fits ``limit_gb``."""
    lines = [f'| config | crop | batch/GPU | params (M) | trainable (M) | trunk GFLOPs/img | weights+grads+AdamW | '
             f'act fp32 | act fp32+cp | act bf16 | act bf16+cp | peak as configured | fits {limit_gb:.0f} GB with |',
             '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |']
    for p in plans:
        m = p.memory
        state = (m.weights + m.gradients + m.optimizer) / GB
        fits = ', '.join(p.fitting_switches(limit_gb)) or 'none: FSDP (shard weights, grads, AdamW) or a smaller batch'
        acts = ' | '.join(f'{m.activations[k] / GB:.1f}' for k in MODES)
        lines.append(f'| {p.config} | {p.crop[0]}x{p.crop[1]} | {p.batch} | {p.parameters / 1e6:.0f} | '
                     f'{p.trainable / 1e6:.0f} | {p.gflops:.0f} | {state:.1f} | {acts} | '
                     f'{p.peak_gb():.1f} ({p.configured_mode}{f", FSDP/{p.shards}" if p.shards > 1 else ""}) | {fits} |')
    return '\n'.join(lines)
