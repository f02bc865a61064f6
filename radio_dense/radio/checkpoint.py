"""Read RADIO checkpoints (torch.hub files and Hugging Face snapshots) into one form, safely.

Nothing here executes pickled code: torch files load with ``weights_only=True`` and only
``argparse.Namespace`` (the ``args`` of upstream checkpoints) allow-listed; Hugging Face
snapshots are read from ``config.json`` and safetensors, never with ``trust_remote_code``.
"""
import argparse
import json
import os
import warnings
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import torch

from .safe_io import Tensors, UnsafeFileError, read_tensors, safe_torch_load, strip_prefix

#: Classes upstream RADIO checkpoints pickle besides tensors and plain containers (their ``args``).
RADIO_CHECKPOINT_GLOBALS = [argparse.Namespace]


class RadioCheckpointError(ValueError):
    """A file or folder that is not a loadable RADIO checkpoint; the message says why and what to do."""


@dataclass
class RadioCheckpoint:
    """A RADIO checkpoint in layout-independent form."""

    args: Dict[str, Any]
    trunk: Tensors
    conditioner: Tensors = field(default_factory=dict)
    adaptors: Dict[str, Tensors] = field(default_factory=dict)  # name -> {'summary.*', 'feature.*'}
    adaptor_head_idx: Dict[str, int] = field(default_factory=dict)
    adaptor_upsample: Dict[str, int] = field(default_factory=dict)
    summary_idxs: List[int] = field(default_factory=list)
    feature_normalizer: Tensors = field(default_factory=dict)
    inter_feature_normalizer: Tensors = field(default_factory=dict)
    meta: Dict[str, Any] = field(default_factory=dict)  # version, patch_size, max/preferred resolution
    source: str = ''

    @property
    def teacher_names(self) -> List[str]:
        return [t['name'] for t in self.args.get('teachers', [])]


def _teacher_adaptors(ckpt: RadioCheckpoint, state: Tensors) -> None:
    per_teacher = ckpt.args.get('cls_token_per_teacher', True)
    for tidx, teacher in enumerate(ckpt.args.get('teachers', [])):
        name = teacher['name']
        adaptor: Tensors = {}
        for src, dst in (('_heads', 'summary'), ('_feature_projections', 'feature')):
            for key in (f'{src}.{tidx}.', f'{src}.{name}.'):
                adaptor.update({f'{dst}.{k}': v for k, v in strip_prefix(state, key).items()})
        if adaptor and name not in ckpt.adaptors:
            ckpt.adaptors[name] = adaptor
            ckpt.adaptor_head_idx[name] = teacher.get('token_slot', tidx) if per_teacher else 0
            ckpt.adaptor_upsample[name] = teacher.get('fd_upsample_factor') or 1


def _hub_summary_idxs(args: Dict[str, Any]) -> List[int]:
    """Upstream's ``summary_idxs``: the first teacher of each name with ``use_summary``, or ``[0]``
    when all teachers share one summary token (``cls_token_per_teacher=False``)."""
    if not args.get('cls_token_per_teacher', True):
        return [0]
    first: Dict[str, int] = {}
    for i, t in enumerate(args.get('teachers', [])):
        if t.get('use_summary', True):
            first.setdefault(t['name'], i)
    return sorted(first.values())


def read_hub_checkpoint(path: str) -> RadioCheckpoint:
    """Read an upstream torch.hub file (``{'args': Namespace, 'state_dict'|'state_dict_ema': ...}``)."""
    try:
        chk = safe_torch_load(path, RADIO_CHECKPOINT_GLOBALS)
    except UnsafeFileError as err:
        raise RadioCheckpointError(f'{err} Pass a RADIO .pth.tar file, a Hugging Face snapshot folder or a zoo '
                                   f'name.') from err
    if not isinstance(chk, dict) or 'args' not in chk or not ({'state_dict', 'state_dict_ema'} & set(chk)):
        keys = sorted(chk)[:10] if isinstance(chk, dict) else type(chk).__name__
        raise RadioCheckpointError(
            f"{path} is not a RADIO torch.hub checkpoint: expected a dict with 'args' and "
            f"'state_dict' or 'state_dict_ema', found {keys}")
    ema = 'state_dict_ema' in chk
    state = chk['state_dict_ema' if ema else 'state_dict']
    args = chk['args']
    args = dict(vars(args)) if isinstance(args, argparse.Namespace) else dict(args)
    if ema:
        args['spectral_reparam'] = False
    trunk = strip_prefix(state, 'base_model.')
    if not trunk:
        raise RadioCheckpointError(f"{path} has no 'base_model.*' tensors: not a RADIO checkpoint")
    if args.get('spectral_reparam') or any('parametrizations.' in k for k in trunk):
        raise RadioCheckpointError(
            f'{path} is a training checkpoint with spectral reparametrisation; use the released '
            f'inference checkpoint (state_dict_ema) instead')
    ckpt = RadioCheckpoint(
        args=args, trunk=trunk, conditioner=strip_prefix(state, 'input_conditioner.'),
        summary_idxs=_hub_summary_idxs(args),
        feature_normalizer=strip_prefix(state, '_feature_normalizer.'),
        inter_feature_normalizer=strip_prefix(state, '_intermediate_feature_normalizer.'), source=path)
    _teacher_adaptors(ckpt, state)
    return ckpt


def read_safetensors_file(path: str) -> Tensors:
    """Tensors of one ``.safetensors`` file; a :class:`RadioCheckpointError` naming it when unreadable."""
    try:
        return read_tensors(path)
    except UnsafeFileError as err:
        raise RadioCheckpointError(str(err)) from err


def _read_safetensors(folder: str) -> Tensors:
    index = os.path.join(folder, 'model.safetensors.index.json')
    files = [os.path.join(folder, 'model.safetensors')]
    if os.path.isfile(index):
        with open(index) as f:
            files = sorted({os.path.join(folder, v) for v in json.load(f)['weight_map'].values()})
    state: Tensors = {}
    for file in files:
        if not os.path.isfile(file):
            raise RadioCheckpointError(f'{file} is missing: a RADIO Hugging Face snapshot needs config.json and model.safetensors')
        state.update(read_safetensors_file(file))
    return state


def read_hf_snapshot(folder: str) -> RadioCheckpoint:
    """Read a Hugging Face RADIO snapshot folder (``config.json`` + ``model.safetensors``)."""
    cfg_path = os.path.join(folder, 'config.json')
    try:
        with open(cfg_path) as f:
            config = json.load(f)
    except (OSError, json.JSONDecodeError) as err:
        raise RadioCheckpointError(f'{cfg_path} is missing or not valid JSON: {err}') from err
    if not isinstance(config, dict):
        raise RadioCheckpointError(f'{cfg_path} holds a JSON {type(config).__name__}, not an object: not a RADIO '
                                   f'config (expected {{"args": {{...}}, "version": ...}}); re-download the snapshot')
    if not isinstance(config.get('args'), dict) or 'teachers' not in config['args']:
        raise RadioCheckpointError(f"{cfg_path} is not a RADIO config: no 'args' with 'teachers'")
    state = _read_safetensors(folder)
    root = strip_prefix(state, 'radio_model.')
    trunk = strip_prefix(root, 'model.')
    if not trunk:
        raise RadioCheckpointError(f"{folder} has no 'radio_model.model.*' tensors: not a RADIO snapshot")
    args = config['args']
    ckpt = RadioCheckpoint(
        args=args, trunk=trunk, conditioner=strip_prefix(root, 'input_conditioner.'),
        # Upstream's HF model ignores cls_token_per_teacher here (and then indexes past its single
        # summary token); the torch.hub rule is what it evidently intends.
        summary_idxs=_hub_summary_idxs(args) if not args.get('cls_token_per_teacher', True)
        else [i for i, t in enumerate(args['teachers']) if t.get('use_summary', True)],
        feature_normalizer=strip_prefix(root, 'feature_normalizer.'),
        inter_feature_normalizer=strip_prefix(root, 'inter_feature_normalizer.'), source=folder,
        meta={k: config.get(k) for k in ('version', 'patch_size', 'max_resolution', 'preferred_resolution')})
    for name, acfg in (config.get('adaptor_configs') or {}).items():
        ada = strip_prefix(root, f'adaptors.{name}.')
        if ada:
            ckpt.adaptors[name] = {f'{dst}.{k}': v for src, dst in (('head_mlp.', 'summary'), ('feat_mlp.', 'feature'))
                                   for k, v in strip_prefix(ada, src).items()}
            ckpt.adaptor_head_idx[name] = int(acfg.get('head_idx', 0))
            ckpt.adaptor_upsample[name] = int((acfg.get('feature') or {}).get('upsample_factor') or 1)
    return ckpt


def download_hf_snapshot(repo_id: str, revision: Optional[str] = None) -> str:
    """Download (or find in the HF cache) the config and safetensors of a Hugging Face RADIO repo."""
    try:
        from huggingface_hub import snapshot_download
    except ImportError as err:
        raise ImportError('Loading from a Hugging Face repo id needs huggingface_hub: pip install huggingface_hub') from err
    try:
        return snapshot_download(repo_id, revision=revision,
                                 allow_patterns=['config.json', '*.safetensors', '*.safetensors.index.json'])
    except Exception as err:
        raise RadioCheckpointError(
            f'Could not get {repo_id!r} from the Hugging Face hub (or its cache): {err}. Offline, download '
            f'the snapshot elsewhere and pass its folder instead.') from err


def warn_non_finite(ckpt: RadioCheckpoint) -> None:
    """Warn (once per load) when the checkpoint holds NaN/inf weights: every output would be NaN."""
    groups = {'': ckpt.trunk, 'input_conditioner.': ckpt.conditioner, 'feature_normalizer.': ckpt.feature_normalizer,
              'inter_feature_normalizer.': ckpt.inter_feature_normalizer}
    groups.update({f'adaptors.{name}.': tensors for name, tensors in ckpt.adaptors.items()})
    bad = [prefix + key for prefix, tensors in groups.items() for key, value in tensors.items()
           if value.is_floating_point() and not bool(torch.isfinite(value).all())]
    if bad:
        warnings.warn(f'{ckpt.source} holds NaN/inf values in {len(bad)} tensor(s), e.g. {bad[:4]}: the model will '
                      f'output NaN. The file is probably corrupt or from a diverged training run.', RuntimeWarning,
                      stacklevel=3)


def read_checkpoint(path: str) -> RadioCheckpoint:
    """Read a local torch.hub file or Hugging Face snapshot folder (warns about NaN/inf weights)."""
    if os.path.isdir(path):
        ckpt = read_hf_snapshot(path)
    elif not os.path.isfile(path):
        raise FileNotFoundError(f'No RADIO checkpoint at {path}: no such file or folder')
    else:
        ckpt = read_hub_checkpoint(path)
    warn_non_finite(ckpt)
    return ckpt
