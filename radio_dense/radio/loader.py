"""``load_radio`` (zoo name, torch.hub file, HF snapshot or repo id) and ``create_radio`` (random init)."""
import dataclasses
import os
from typing import Dict, Optional, Sequence, Union

import torch

from .adaptors import Adaptor
from .architectures import TrunkSpec, resolve_trunk_spec
from .checkpoint import RadioCheckpoint, RadioCheckpointError, download_hf_snapshot, read_checkpoint
from .conditioner import InputConditioner
from .cpe import num_registers_for
from .feature_normalizer import FeatureNormalizer, IntermediateFeatureNormalizer
from .model import RADIOModel
from .vit import RadioViT
from .zoo import RADIO_ZOO, ZooEntry, fetch_zoo_checkpoint, zoo_entry, zoo_entry_for_file

_FILE_SUFFIXES = ('.pth', '.tar', '.pt', '.bin', '.safetensors', '.ckpt')
# Trunk tensors that upstream drops on purpose (classifier head, unused final norm).
_IGNORED_TRUNK_PREFIXES = ('head.', 'fc_norm.', 'head_drop.')


def _num_cls_tokens(args: dict) -> int:
    if not args.get('cls_token_per_teacher', True):
        return 1
    return len({t['name'] for t in args.get('teachers', [])}) or 1


def _trunk_state(ckpt: RadioCheckpoint, final_norm: bool) -> Dict[str, torch.Tensor]:
    state = {}
    for k, v in ckpt.trunk.items():
        if k.startswith(_IGNORED_TRUNK_PREFIXES) or (not final_norm and k.startswith('norm.')):
            continue
        state[k.replace('.grandma', '.gamma')] = v
    return state


def _build_trunk(ckpt: RadioCheckpoint, drop_path_rate: float = 0.0) -> RadioViT:
    args = ckpt.args
    if args.get('cpe_max_size') is None:
        raise RadioCheckpointError(
            f'{ckpt.source} is a RADIO model without cropped position embedding (RADIOv1/E-RADIO); '
            f'radio_dense supports the ViT releases with CPE (RADIOv2 and later)')
    spec = resolve_trunk_spec(args['model'])
    if spec.init_values is None and any(k.startswith('blocks.0.ls1.') for k in ckpt.trunk):
        spec = dataclasses.replace(spec, init_values=1e-5)  # layer scale (timm 'gamma' / upstream 'grandma')
    num_cls = _num_cls_tokens(args)
    trunk = RadioViT(
        spec, max_input_size=args['cpe_max_size'], num_cls_tokens=num_cls,
        num_registers=num_registers_for(num_cls, args.get('register_multiple'), args.get('cpe_num_registers')),
        final_norm=bool(args.get('model_norm', False)),
        patch_bias='patch_generator.embedder.bias' in ckpt.trunk,
        normalize_patches='patch_generator.patch_normalizer.weight' in ckpt.trunk,
        drop_path_rate=drop_path_rate)
    try:
        result = trunk.load_state_dict(_trunk_state(ckpt, not isinstance(trunk.norm, torch.nn.Identity)),
                                       strict=False)
    except RuntimeError as err:  # size mismatches: say which file and what it claims to be
        raise RadioCheckpointError(
            f'{ckpt.source}: its weights do not fit the {args["model"]} trunk its args describe '
            f'(edited or mixed-up file?): {" ".join(str(err).split())}') from err
    if result.missing_keys or result.unexpected_keys:
        raise RadioCheckpointError(
            f'{ckpt.source} does not match a {args["model"]} RADIO trunk: missing keys '
            f'{result.missing_keys[:8]}, unexpected keys {result.unexpected_keys[:8]}')
    return trunk


def _select_adaptors(ckpt: RadioCheckpoint, adaptor_names: Optional[Union[str, Sequence[str]]]) -> Dict[str, Adaptor]:
    if adaptor_names is None:
        return {}
    names = [adaptor_names] if isinstance(adaptor_names, str) else list(adaptor_names)
    adaptors = {}
    for name in names:
        if name not in ckpt.adaptors:
            raise ValueError(
                f'Unknown adaptor {name!r}. This checkpoint has adaptors for: {sorted(ckpt.adaptors)} '
                f'(teachers: {ckpt.teacher_names})')
        version = ckpt.args.get('mlp_version', 'v1')
        spatial = ckpt.args.get('spatial_mlp_version') or version
        adaptors[name] = Adaptor.from_state(ckpt.adaptors[name], ckpt.adaptor_head_idx[name], version, spatial,
                                            ckpt.adaptor_upsample.get(name, 1))
    return adaptors


def build_radio(ckpt: RadioCheckpoint, adaptor_names: Optional[Union[str, Sequence[str]]] = None,
                vitdet_window_size: Optional[int] = None, num_global: Optional[int] = None,
                global_block_indices: Optional[Sequence[int]] = None, zoo: Optional[ZooEntry] = None,
                dtype: Optional[torch.dtype] = None, pad_windows: bool = True,
                drop_path_rate: float = 0.0) -> RADIOModel:
    """Assemble a :class:`RADIOModel` from a read checkpoint (see :func:`load_radio`)."""
    trunk = _build_trunk(ckpt, drop_path_rate)
    conditioner = InputConditioner()
    if ckpt.conditioner:
        conditioner.load_state_dict(ckpt.conditioner)
    feat_norm = inter_norm = None
    if ckpt.feature_normalizer:
        feat_norm = FeatureNormalizer(ckpt.feature_normalizer['mean'].shape[0])
        feat_norm.load_state_dict(ckpt.feature_normalizer)
    if ckpt.inter_feature_normalizer:
        means = ckpt.inter_feature_normalizer['means']
        inter_norm = IntermediateFeatureNormalizer(means.shape[0], means.shape[1],
                                                   rot_per_layer=ckpt.inter_feature_normalizer['rotation'].ndim == 3)
        inter_norm.load_state_dict(ckpt.inter_feature_normalizer)
    meta = ckpt.meta
    if zoo is None and meta.get('version') in RADIO_ZOO:
        zoo = RADIO_ZOO[meta['version']]
    model = RADIOModel(
        trunk, conditioner, ckpt.summary_idxs,
        patch_size=meta.get('patch_size') or (zoo.patch_size if zoo else None),
        max_resolution=meta.get('max_resolution') or (zoo.max_resolution if zoo else None),
        preferred_resolution=meta.get('preferred_resolution') or (zoo.preferred_resolution if zoo else None),
        adaptors=_select_adaptors(ckpt, adaptor_names), feature_normalizer=feat_norm,
        inter_feature_normalizer=inter_norm, pad_windows=pad_windows)
    if vitdet_window_size is not None:
        if zoo is not None and not zoo.supports_vitdet:
            raise ValueError('vitdet_window_size is not supported for this RADIO version; leave it at None')
        num_windowed = None
        if num_global is None and global_block_indices is None and zoo is not None:
            num_global, num_windowed = zoo.vitdet_num_global, zoo.vitdet_num_windowed
        trunk.set_vitdet(vitdet_window_size, num_global, num_windowed, global_block_indices)
    if dtype is not None:
        model.to(dtype=dtype)
        conditioner.dtype = dtype
    return model.eval()


def resolve_source(source: str, progress: bool = True) -> tuple:
    """``(local path, zoo entry or None)`` for a zoo name, local file/folder or HF repo id."""
    if source in RADIO_ZOO:
        return fetch_zoo_checkpoint(source, progress=progress), RADIO_ZOO[source]
    if os.path.exists(source):
        return source, zoo_entry_for_file(source)
    looks_like_path = source.startswith(('.', '/', '~')) or source.endswith(_FILE_SUFFIXES) or source.count('/') > 1 \
        or os.sep != '/' and os.sep in source
    if looks_like_path:
        raise FileNotFoundError(f'No RADIO checkpoint at {source}: no such file or folder '
                                f'(working directory: {os.getcwd()})')
    if source.count('/') == 1:
        return download_hf_snapshot(source), None
    zoo_entry(source)  # raises KeyError with the known versions
    raise AssertionError('unreachable')


def load_radio(source: str, adaptor_names: Optional[Union[str, Sequence[str]]] = None,
               vitdet_window_size: Optional[int] = None, num_global: Optional[int] = None,
               global_block_indices: Optional[Sequence[int]] = None, dtype: Optional[torch.dtype] = None,
               progress: bool = True, pad_windows: bool = True, drop_path_rate: float = 0.0) -> RADIOModel:
    """Load a pretrained RADIO model, in eval mode.

    Args:
        source: a zoo name (``'radio_v2.5-l'``, see ``RADIO_ZOO``; downloaded once into the torch
            hub cache), a local torch.hub checkpoint (``.pth.tar``), a local Hugging Face snapshot
            folder (``config.json`` + ``model.safetensors``) or a Hugging Face repo id
            (``'nvidia/RADIO-L'``; config and safetensors only, no remote code).
        adaptor_names: teacher adaptors to attach (``'clip'``, ``'siglip'``, ``'dino_v2'``, ``'sam'``...).
        vitdet_window_size: window side in patches for ViTDet attention (``None``: global everywhere).
        num_global / global_block_indices: ViTDet schedule (default: the release's own, e.g. 4 evenly
            spaced global blocks, the last one global).
        dtype: cast parameters (default float32).
        pad_windows: accept any multiple of the patch size in ViTDet mode by padding the token
            grid to whole windows (padded tokens are masked out); ``False`` requires multiples of
            ``patch_size * window``, as upstream.
        drop_path_rate: stochastic depth for fine-tuning.
    """
    path, entry = resolve_source(source, progress=progress)
    return build_radio(read_checkpoint(path), adaptor_names, vitdet_window_size, num_global,
                       global_block_indices, entry, dtype, pad_windows, drop_path_rate)


def create_radio(arch: str = 'radio-tiny', teachers: Sequence[str] = ('clip', 'siglip', 'dino_v2', 'sam'),
                 cpe_max_size: int = 1024, register_multiple: int = 8,
                 vitdet_window_size: Optional[int] = None, num_global: Optional[int] = None,
                 global_block_indices: Optional[Sequence[int]] = None, drop_path_rate: float = 0.0,
                 pad_windows: bool = True, seed: Optional[int] = None) -> RADIOModel:
    """A random-initialised RADIO of a named architecture (``'radio-tiny'``, ``'vit-b-16'``, ``'vit-l-16'``...).

    Same layout as RADIOv2.5 (one summary token per teacher, registers up to a multiple of 8, CPE),
    for tests, benchmarks and training from scratch.
    """
    if seed is not None:
        torch.manual_seed(seed)
    spec: TrunkSpec = resolve_trunk_spec(arch)
    num_cls = len(teachers)
    trunk = RadioViT(spec, cpe_max_size, num_cls, num_registers_for(num_cls, register_multiple, None),
                     drop_path_rate=drop_path_rate)
    for blk in trunk.blocks:
        for m in blk.modules():
            if isinstance(m, torch.nn.Linear):
                torch.nn.init.trunc_normal_(m.weight, std=0.02)
                torch.nn.init.zeros_(m.bias)
    model = RADIOModel(trunk, InputConditioner(), list(range(num_cls)), pad_windows=pad_windows)
    if vitdet_window_size is not None:
        trunk.set_vitdet(vitdet_window_size, num_global, None, global_block_indices)
    return model.eval()
