"""``load_radio`` (zoo name, torch.hub file, HF snapshot or repo id) and ``create_radio`` (random init)."""
import os
from typing import Dict, Optional, Sequence, Tuple, Union

import torch
from torch import nn

from .adaptors import Adaptor
from .architectures import UnsupportedTrunkError, build_vit, canonical_trunk_name
from .checkpoint import RadioCheckpoint, RadioCheckpointError, download_hf_snapshot, read_checkpoint
from .conditioner import InputConditioner
from .cpe import num_registers_for
from .feature_normalizer import FeatureNormalizer, IntermediateFeatureNormalizer
from .model import RADIOModel
from .vit import RadioViT
from .release_layouts import RELEASE_LAYOUTS
from .zoo import (DEFAULT_VERSION, RADIO_ZOO, ZooEntry, fetch_zoo_checkpoint, require_vitdet_support, zoo_entry,
                  zoo_entry_for_file)

_FILE_SUFFIXES = ('.pth', '.tar', '.pt', '.bin', '.safetensors', '.ckpt')
# Trunk tensors upstream's model holds (or its checkpoints carry) but never uses in RADIO's forward:
# timm's classifier/pooling heads, the register token of the ``*_v2`` trunks and the pre-norm
# (RADIO's patch generator replaces timm's token preparation).
_IGNORED_TRUNK_PREFIXES = ('head.', 'fc_norm.', 'head_drop.', 'attn_pool.', 'norm_pre.', 'reg_token')
_LAYER_SCALE_NAMES = ('.gamma', '.grandma')  # timm's name, upstream's name (both load, as upstream)


def _num_cls_tokens(args: dict) -> int:
    if not args.get('cls_token_per_teacher', True):
        return 1
    return len({t['name'] for t in args.get('teachers', [])}) or 1


def _trunk_state(ckpt: RadioCheckpoint, trunk: RadioViT) -> Dict[str, torch.Tensor]:
    expected = set(trunk.state_dict())
    state = {}
    for k, v in ckpt.trunk.items():
        if k.startswith(_IGNORED_TRUNK_PREFIXES) or (k.startswith('norm.') and isinstance(trunk.norm, nn.Identity)):
            continue
        if k not in expected and k.endswith(_LAYER_SCALE_NAMES):
            stem = k.rsplit('.', 1)[0]
            k = next((stem + n for n in _LAYER_SCALE_NAMES if stem + n in expected), k)
        state[k] = v
    return state


def _build_trunk(ckpt: RadioCheckpoint, drop_path_rate: float = 0.0) -> RadioViT:
    """The trunk upstream's ``create_model_from_args`` builds: ``args.model`` + ``args.model_kwargs``."""
    args = ckpt.args
    if args.get('cpe_max_size') is None:
        raise RadioCheckpointError(
            f'{ckpt.source} is a RADIO model without cropped position embedding (RADIOv1/E-RADIO); '
            f'radio_dense supports the ViT releases with CPE (RADIOv2 and later)')
    try:
        vit = build_vit(args['model'], args.get('model_kwargs'), global_pool=args.get('gp'))
    except UnsupportedTrunkError as err:
        raise RadioCheckpointError(f'{ckpt.source}: {err}') from err
    num_cls = _num_cls_tokens(args)
    trunk = RadioViT(
        vit, max_input_size=args['cpe_max_size'], num_cls_tokens=num_cls,
        num_registers=num_registers_for(num_cls, args.get('register_multiple'), args.get('cpe_num_registers')),
        final_norm=bool(args.get('model_norm', False)),
        patch_bias='patch_generator.embedder.bias' in ckpt.trunk,
        normalize_patches='patch_generator.patch_normalizer.weight' in ckpt.trunk,
        drop_path_rate=drop_path_rate, arch=args['model'], model_kwargs=args.get('model_kwargs'))
    try:
        result = trunk.load_state_dict(_trunk_state(ckpt, trunk), strict=False)
    except RuntimeError as err:  # size mismatches: say which file and what it claims to be
        raise RadioCheckpointError(
            f'{ckpt.source}: its weights do not fit the {args["model"]} trunk its args describe '
            f'(edited or mixed-up file?): {" ".join(str(err).split())}') from err
    if result.missing_keys or result.unexpected_keys:
        raise RadioCheckpointError(
            f'{ckpt.source} does not match a {args["model"]} RADIO trunk (model_kwargs '
            f'{args.get("model_kwargs") or {}}): missing keys {result.missing_keys[:8]}, unexpected keys '
            f'{result.unexpected_keys[:8]}')
    return trunk


def adaptor_mlp_versions(args: dict, teacher_name: str) -> Tuple[str, str]:
    """``(summary, feature)`` head versions of a teacher, as upstream's ``GenericAdaptor`` picks them.

    The teacher's own ``mlp_version`` / ``spatial_mlp_version`` win over the checkpoint's global
    ones; a teacher overriding only ``mlp_version`` keeps the global feature version.
    """
    summary = args.get('mlp_version') or 'v1'
    feature = args.get('spatial_mlp_version') or summary
    teacher = next((t for t in args.get('teachers', []) if t.get('name') == teacher_name), {})
    return teacher.get('mlp_version') or summary, teacher.get('spatial_mlp_version') or feature


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
        version, spatial = adaptor_mlp_versions(ckpt.args, name)
        try:
            adaptors[name] = Adaptor.from_state(ckpt.adaptors[name], ckpt.adaptor_head_idx[name], version, spatial,
                                                ckpt.adaptor_upsample.get(name, 1))
        except ValueError as err:
            raise RadioCheckpointError(f'{ckpt.source}: adaptor {name!r}: {err}') from err
    return adaptors


def build_adaptors(ckpt: RadioCheckpoint, adaptor_names: Union[str, Sequence[str]]) -> Dict[str, Adaptor]:
    """The named teacher adaptors of a read checkpoint, without its trunk (to pair with a RADIO built from it)."""
    return _select_adaptors(ckpt, adaptor_names)


def checkpoint_dtype(args: dict) -> torch.dtype:
    """The dtype upstream runs a checkpoint in: ``args.dtype`` (a ``torch.dtype`` or its name), else float32."""
    dtype = args.get('dtype') or torch.float32
    if isinstance(dtype, str):
        dtype = getattr(torch, dtype.split('.')[-1], None)
    if not isinstance(dtype, torch.dtype):
        raise RadioCheckpointError(f'args.dtype {args.get("dtype")!r} is not a torch dtype')
    return dtype


def build_radio(ckpt: RadioCheckpoint, adaptor_names: Optional[Union[str, Sequence[str]]] = None,
                vitdet_window_size: Optional[int] = None, num_global: Optional[int] = None,
                global_block_indices: Optional[Sequence[int]] = None, zoo: Optional[ZooEntry] = None,
                dtype: Optional[Union[torch.dtype, str]] = None, pad_windows: bool = True,
                drop_path_rate: float = 0.0) -> RADIOModel:
    """Assemble a :class:`RADIOModel` from a read checkpoint (see :func:`load_radio`)."""
    if isinstance(dtype, str) and dtype != 'checkpoint':
        raise ValueError(f"dtype must be a torch.dtype, None (float32) or 'checkpoint', got {dtype!r}")
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
            require_vitdet_support(next(n for n, e in RADIO_ZOO.items() if e is zoo), vitdet_window_size)
        num_windowed = None
        if num_global is None and global_block_indices is None and zoo is not None:
            num_global, num_windowed = zoo.vitdet_num_global, zoo.vitdet_num_windowed
        trunk.set_vitdet(vitdet_window_size, num_global, num_windowed, global_block_indices)
    if dtype == 'checkpoint':
        _to_checkpoint_dtype(model, checkpoint_dtype(ckpt.args))
    elif dtype is not None:
        model.to(dtype=dtype)
        conditioner.dtype = dtype
    return model.eval()


def _to_checkpoint_dtype(model: RADIOModel, dtype: torch.dtype) -> None:
    """What upstream does with ``args.dtype``: trunk, conditioner output and normalisers in it, adaptors float32."""
    model.model.to(dtype=dtype)
    model.input_conditioner.dtype = dtype
    for normalizer in (model.feature_normalizer, model.inter_feature_normalizer):
        if normalizer is not None:
            normalizer.to(dtype=dtype)


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


def load_radio(source: Optional[str] = None, adaptor_names: Optional[Union[str, Sequence[str]]] = None,
               vitdet_window_size: Optional[int] = None, num_global: Optional[int] = None,
               global_block_indices: Optional[Sequence[int]] = None,
               dtype: Optional[Union[torch.dtype, str]] = None, progress: bool = True, pad_windows: bool = True, drop_path_rate: float = 0.0) -> RADIOModel:
    """Load a pretrained RADIO model, in eval mode.

    Args:
        source: a zoo name (``'radio_v2.5-l'``, see ``RADIO_ZOO``; downloaded once into the torch
            hub cache; ``None`` gives upstream's default ``DEFAULT_VERSION = 'c-radio_v4-h'``), a
            local torch.hub checkpoint (``.pth.tar``), a local Hugging Face snapshot
            folder (``config.json`` + ``model.safetensors``) or a Hugging Face repo id
            (``'nvidia/RADIO-L'``; config and safetensors only, no remote code).
        adaptor_names: teacher adaptors to attach (``'clip'``, ``'siglip'``, ``'dino_v2'``, ``'sam'``...).
        vitdet_window_size: window side in patches for ViTDet attention (``None``: global everywhere).
        num_global / global_block_indices: ViTDet schedule (default: the release's own, e.g. 4 evenly
            spaced global blocks, the last one global).
        dtype: ``None`` (default): float32 everywhere, whatever the checkpoint says (best for
            training and for comparing numbers). A ``torch.dtype``: the whole model, adaptors
            included, cast to it. ``'checkpoint'``: upstream's choice, i.e. the trunk, the input
            conditioner's output and the feature normalisers in the checkpoint's ``args.dtype``
            (e.g. bfloat16; float32 when it has none) and the adaptors in float32. Upstream
            always does the latter, so ``None`` differs from upstream on checkpoints whose
            ``args.dtype`` is not float32.
        pad_windows: accept any multiple of the patch size in ViTDet mode by padding the token
            grid to whole windows (padded tokens are masked out); ``False`` requires multiples of
            ``patch_size * window``, as upstream.
        drop_path_rate: stochastic depth for fine-tuning.
    """
    source = DEFAULT_VERSION if source is None else source
    require_vitdet_support(source, vitdet_window_size)  # before any download
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
    for tests, benchmarks and training from scratch. A release name (``'c-radio_v4-h'``, see
    :data:`~radio_dense.radio.release_layouts.RELEASE_LAYOUTS`) builds that release's architecture
    (trunk, summary tokens, registers, position grid: its weights' names and shapes) and ignores
    ``teachers``, ``cpe_max_size`` and ``register_multiple``.
    """
    if seed is not None:
        torch.manual_seed(seed)
    num_cls = len(teachers)
    num_registers = num_registers_for(num_cls, register_multiple, None)
    layout = RELEASE_LAYOUTS.get(arch)
    if layout is not None:
        require_vitdet_support(arch, vitdet_window_size)
        num_cls, num_registers, cpe_max_size = len(layout.teachers), layout.num_registers, layout.cpe_max_size
    trunk = RadioViT(build_vit(arch), cpe_max_size, num_cls, num_registers,
                     drop_path_rate=drop_path_rate, arch=canonical_trunk_name(arch),
                     model_kwargs=layout.model_kwargs if layout else None)
    for blk in trunk.blocks:
        for m in blk.modules():
            if isinstance(m, torch.nn.Linear):
                torch.nn.init.trunc_normal_(m.weight, std=0.02)
                torch.nn.init.zeros_(m.bias)
    model = RADIOModel(trunk, InputConditioner(), list(range(num_cls)), pad_windows=pad_windows)
    if vitdet_window_size is not None:
        trunk.set_vitdet(vitdet_window_size, num_global, None, global_block_indices)
    return model.eval()
