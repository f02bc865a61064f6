"""Build small random-weight RADIO checkpoints with upstream's own code and record upstream's outputs.

Maintainer tool: it imports NVlabs/RADIO from a local checkout (never vendored into radio_dense)
and writes what ``tests/radio/test_upstream_fixtures.py`` and ``test_trunks.py`` compare against::

    git -C /work/.mirror/NVlabs+RADIO/repo archive HEAD | tar -x -C /tmp/radio_upstream
    pip install einops          # upstream's own dependency, not radio_dense's
    PYTHONPATH=. python tools/dev/make_upstream_fixture.py /tmp/radio_upstream [--case NAME ...]

For every model case (``MODEL_CASES``) it writes ``tests/fixtures/upstream/<case>/``:

- ``model.pth.tar``: the torch.hub layout (``{'args': Namespace, 'state_dict': ...}``), half
  precision weights like the released ``*_half.pth.tar`` files;
- ``hf/config.json`` + ``hf/model.safetensors``: the same weights in the Hugging Face layout, laid
  out as upstream's ``hf_hub.py`` converts a hub checkpoint (written here directly because
  ``transformers`` is not needed to lay out a dict; per-teacher head versions are honoured, which
  ``hf_hub.py`` does not do for teachers that override the global ``mlp_version``);
- ``reference.pt`` (tensors, deduplicated by content) and ``reference.json`` (the calls: which
  loader arguments, which input, which keyword arguments, and which tensor each output is).

The upstream model is ``hubconf.radio_model(version=<file>, ...)`` in float32 on CPU. Teachers of
type ``siglip2`` / ``open_clip`` get upstream's ``GenericAdaptor`` (the vision side of their
adaptors: same heads, same forward; the text towers need downloads and play no part in images).

``releases/<release>.json`` records, for every release in ``RELEASE_LAYOUTS``, the parameter names and
shapes of the trunk upstream builds from that release's ``args`` (on the ``meta`` device; ``--case releases``).

``text/`` records upstream's text towers (``--case text``: tests/radio/upstream_text_fixture.py).

``trunks/`` records, for every trunk name upstream registers plus a few timm ones, the output of
upstream's CPE trunk at real width and depth 2 with :mod:`tests.radio.seeded_weights` weights, and
the full-depth parameter layout (built on the ``meta`` device).
"""
import argparse
import copy
import hashlib
import itertools
import json
import math
import os
import sys
import zlib
from typing import Any, Dict, List, Optional

import radio_dense.tools  # noqa: F401  (first: the tools' process settings, before torch loads)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('upstream', help='path of an NVlabs/RADIO checkout')
    parser.add_argument('--case', action='append',
                        help="case(s) to (re)build: a MODEL_CASES name, 'radio_tiny', 'trunks', 'releases' (each "
                             "release's parameter layout) or 'text' (upstream's text towers; default: all)")
    parser.add_argument('--out', help='output folder (default: tests/fixtures/upstream)')
    return parser.parse_args(argv)


if __name__ == '__main__':
    _ARGS = parse_args()  # answers --help before torch and the test helpers load

import torch  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
from tests.radio.seeded_weights import seeded_state, seeded_tensor  # noqa: E402
from tests.radio.upstream_fixtures import flatten_outputs  # noqa: E402

OUT_DIR = os.path.join(REPO, 'tests', 'fixtures', 'upstream')

_BASE_ARGS = dict(in_chans=None, input_size=None, pretrained=False, num_classes=0, drop=0.0, drop_path=None,
                  drop_block=None, gp=None, bn_momentum=None, bn_eps=None, torchscript=False,
                  initial_checkpoint='', spectral_reparam=False, spectral_heads=False, damp=None,
                  dtype=torch.float32)


def _teacher(name, type_, summary=(64, 48), feature=(64, 40), use_summary=True, **extra):
    return dict(name=name, type=type_, use_summary=use_summary, _summary=summary, _feature=feature, **extra)


# Each case: upstream ``args`` (model, model_kwargs, teachers...), HF ``version``, inputs (name:
# (B, H, W)), ViTDet windows (window: input names) and the forward_intermediates index choices.
MODEL_CASES: Dict[str, Dict[str, Any]] = {
    # C-RADIOv4 style: SigLIP2-g / DINOv3 / SAM3 teachers as upstream names them, per-teacher head
    # overrides (attn feature head, v1 summary head), an upsampling SAM3 head, PHI-S feature
    # normalisers, ViTDet (8 blocks: 4 global).
    'cradio_v4': dict(
        version='c-radio_v4-so400m',
        args=dict(model='vit_so400m_v2_patch16_224', model_kwargs=dict(depth=8, embed_dim=96, num_heads=6),
                  cpe_max_size=512, register_multiple=8, cls_token_per_teacher=True, model_norm=False,
                  mlp_version='v2', spatial_mlp_version=None,
                  teachers=[_teacher('siglip2-g', 'siglip2', model='siglip2-g-384'),
                            _teacher('dino_v3', 'dino_v3', spatial_mlp_version='attn', feature=(64, 48)),
                            _teacher('sam3', 'sam3', use_summary=False, mlp_version='v1', fd_upsample_factor=2,
                                     feature=(64, 4 * 32))]),
        num_inner=1, feature_normalizers=True,
        inputs={'sq64': (1, 64, 64), 'ns96x128': (2, 96, 128)},
        vitdet={2: ['sq64', 'ns96x128'], 4: ['ns128x192']}, extra_inputs={'ns128x192': (1, 128, 192)},
        fi_indices=[[1, 4, -2], 3], fi_input=(1, 48, 80)),
    # Patch 14 (RADIOv2.5-g style teachers, CLIP through open_clip), registers up to 8, ViTDet.
    # HF ``version`` radio_v1: the patch-14 release with upstream's default ViTDet schedule (the one
    # upstream's torch.hub loader uses for a local file), so both layouts share the references.
    'patch14': dict(
        version='radio_v1',
        args=dict(model='vit_small_patch14_224', model_kwargs=dict(depth=8, embed_dim=96, num_heads=3),
                  cpe_max_size=448, register_multiple=8, cls_token_per_teacher=True, model_norm=False,
                  mlp_version='v2',
                  teachers=[_teacher('clip', 'open_clip', model='ViT-H-14', pretrained='x'),
                            _teacher('siglip', 'siglip'), _teacher('dino_v2', 'dino_v2'),
                            _teacher('sam', 'sam', use_summary=False, feature=(64, 256))]),
        num_inner=1, feature_normalizers=False,
        inputs={'sq56': (1, 56, 56), 'ns84x140': (2, 84, 140)},
        vitdet={2: ['sq56', 'ns112x168']}, extra_inputs={'ns112x168': (1, 112, 168)},
        fi_indices=[[1, 4, -2], 3], fi_input=(1, 42, 70)),
    # MLP v1 summary heads, no registers, one summary token shared by all teachers, a final model
    # norm. (Upstream c0f3701 cannot run v1 *feature* heads: GenericAdaptor passes ``images=`` to
    # MLP.forward, which does not take it; so features use v2 through spatial_mlp_version.)
    'mlp_v1_final_norm': dict(
        version='radio_v2.5-b',
        args=dict(model='vit_tiny_patch16_224', model_kwargs=dict(depth=2), cpe_max_size=256,
                  register_multiple=None, cpe_num_registers=None, cls_token_per_teacher=False, model_norm=True,
                  mlp_version='v1', spatial_mlp_version='v2',
                  teachers=[_teacher('clip', 'clip'), _teacher('dino_v2', 'dino_v2'),
                            _teacher('sam', 'sam', use_summary=False)]),
        num_inner=0, feature_normalizers=False,
        inputs={'sq64': (1, 64, 64), 'ns48x80': (2, 48, 80)}, vitdet={}, extra_inputs={},
        fi_indices=[[0], 2], fi_input=(2, 48, 80)),
    # The model_kwargs example, narrower, plus keys upstream pops (weight_init) or passes on
    # to timm (qkv_bias, init_values: timm's own layer scale, stored as ``gamma``).
    'model_kwargs': dict(
        version='radio_v2.5-b',
        args=dict(model='vit_small_patch16_224',
                  model_kwargs=dict(depth=8, embed_dim=96, num_heads=4, qkv_bias=False, init_values=0.1,
                                    weight_init='jax'),
                  cpe_max_size=256, register_multiple=None, cpe_num_registers=4, cls_token_per_teacher=True,
                  model_norm=True, mlp_version='v2',
                  teachers=[_teacher('clip', 'clip'), _teacher('sam', 'sam', use_summary=False, fd_upsample_factor=2,
                                                               feature=(64, 4 * 24))]),
        num_inner=0, feature_normalizers=False,
        inputs={'sq64': (1, 64, 64), 'ns48x80': (2, 48, 80)}, vitdet={2: ['sq64']}, extra_inputs={},
        fi_indices=[[1, 4, -2], 3], fi_input=(1, 48, 80), bf16_check=True),
}

# radio_tiny: the tools' embedded default checkpoint and the fixture most tests load. RADIOv2.5
# layout (the four v2.5 teachers as released, CLIP and SigLIP through open_clip, one summary token per
# teacher, registers up to 8, CPE up to 1024 px, v2 heads with one inner block) on a timm ViT-Tiny
# trunk, with seeded random weights at an initialised model's scales. Hub layout only (the HF layout
# is covered by the cases above); its references use the keys of ``reference_index.json`` (see
# ``RADIO_TINY_CALLS``).
RADIO_TINY: Dict[str, Any] = dict(
    version='radio_v2.5-b', release_like=True, num_inner=1, feature_normalizers=False,
    args=dict(model='vit_tiny_patch16_224', model_kwargs={}, cpe_max_size=1024, register_multiple=8,
              cls_token_per_teacher=True, model_norm=False, mlp_version='v2',
              teachers=[_teacher('clip', 'open_clip', summary=(256, 64), feature=(256, 80),
                                 model='ViT-H-14-378-quickgelu', pretrained='dfn5b', input_size=378),
                        _teacher('siglip', 'open_clip', summary=(256, 72), feature=(256, 72),
                                 model='ViT-SO400M-14-SigLIP-384', pretrained='webli', input_size=384),
                        _teacher('dino_v2', 'dino_v2', summary=(256, 96), feature=(256, 96),
                                 model='dinov2_vitg14_reg', input_size=448),
                        _teacher('sam', 'sam', use_summary=False, summary=(256, 32), feature=(256, 256),
                                 model='vit-h', input_size=1024)]))
# radio_tiny's calls: plain forwards with every adaptor (square, a batch of 2 non-square, tall), one
# backbone-only forward at cpe_max_size (1024 px high), forward_intermediates, ViTDet windows 4 and 8
# (upstream's default schedule: blocks 2, 5, 8, 11 global).
RADIO_TINY_CALLS = dict(
    plain={'sq224': (1, 224, 224), 'ns128x192': (2, 128, 192), 'ns208x80': (1, 208, 80)},
    backbone_only={'ns1024x48': (1, 1024, 48)},
    intermediates=('ns128x192', [1, 5, 11]),
    vitdet={4: {'sq128': (1, 128, 128), 'ns128x192': (2, 128, 192)}, 8: {'sq256': (1, 256, 256)}})

# Trunk names upstream registers (radio/extra_timm_models.py), with the model_kwargs their
# variants need, plus timm's own ViTs.
TRUNK_CASES: Dict[str, Dict[str, Any]] = {
    'vit_tiny_patch14_224': {}, 'vit_small_patch14_224': {}, 'vit_base_patch14_224': {},
    'vit_base_patch16_v2_224': {}, 'vit_large_patch16_v2_224': {},
    'vit_so400m_patch16_224': {}, 'vit_so400m_v2_patch16_224': {},
    'vit_huge_patch16_224': {}, 'vit_huge_patch16_224_mlpnorm': {},
    'vit_giant_patch16_224': {}, 'vit_giant_patch16_224+scaled_ln': {'scaled_ln': True},
    'vit_bigG_patch14_224': {}, 'vit_large_dyt_patch16_224': {},
    'vit_tiny_patch16_224': {}, 'vit_large_patch14_reg4_dinov2': {},
    'vit_base_patch16_224+qk_norm': {'qk_norm': True, 'init_values': 0.1},
    'vit_small_patch16_224+avg_pool': {'_gp': 'avg'},
}


# ---------------------------------------------------------------------------------------------
def _import_upstream(path: str):
    sys.path.insert(0, os.path.abspath(path))
    import hubconf  # noqa: F401  (registers upstream's timm models and adaptors)
    from radio.adaptor_generic import GenericAdaptor
    from radio.adaptor_registry import adaptor_registry

    for kind in ('siglip2', 'open_clip'):  # vision side only: no text tower download
        adaptor_registry._registry[kind] = lambda main, cfg, state: GenericAdaptor(main, cfg, state)
    return hubconf


def _namespace(args: Dict[str, Any]) -> argparse.Namespace:
    full = {**_BASE_ARGS, **copy.deepcopy(args)}
    full['teachers'] = [{k: v for k, v in t.items() if not k.startswith('_')} for t in args['teachers']]
    full.setdefault('model_kwargs', {})
    full.setdefault('spatial_mlp_version', None)
    return argparse.Namespace(**full)


def _random_like(state: Dict[str, torch.Tensor], prefix: str) -> Dict[str, torch.Tensor]:
    return {k: seeded_tensor(prefix + k, tuple(v.shape)) for k, v in state.items() if v.is_floating_point()}


def _release_like(state: Dict[str, torch.Tensor], prefix: str) -> Dict[str, torch.Tensor]:
    """Seeded random weights with the scales of an initialised ViT (timm: normal 0.02; heads 0.05; position
    embedding 0.1), norm weights and biases spread around 1 and 0 so a skipped norm affine or bias shows."""
    out = {}
    for k, v in state.items():
        if not v.is_floating_point():
            continue
        z = torch.randn(tuple(v.shape), generator=torch.Generator().manual_seed(zlib.crc32((prefix + k).encode())))
        head, leaf = prefix.startswith('_'), k.rsplit('.', 1)[-1]
        if 'pos_embed' in k:
            out[k] = 0.1 * z
        elif v.ndim == 1 and leaf == 'weight':  # LayerNorm
            out[k] = 1 + (0.06 if head else 0.12) * z
        elif leaf == 'bias' or 'token' in k:
            out[k] = 0.02 * z
        else:
            out[k] = (0.05 if head else 0.02) * z
    return out


def _orthogonal(n: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    q, _ = torch.linalg.qr(torch.randn(n, n, generator=g))
    return q


def _head_versions(args: argparse.Namespace, teacher: Dict[str, Any]):
    summary = teacher.get('mlp_version') or args.mlp_version
    feature = teacher.get('spatial_mlp_version') or args.spatial_mlp_version or args.mlp_version
    return summary, feature


def _num_inner(case: Dict[str, Any], version: str) -> int:
    # Upstream c0f3701 counts v1 inner layers by keys ('inner.N.0.weight') that never exist, so it
    # can only load v1 heads without inner layers.
    return 0 if version == 'v1' else case['num_inner']


def build_hub_checkpoint(case: Dict[str, Any]) -> Dict[str, Any]:
    """An upstream torch.hub checkpoint dict with random weights, built with upstream's classes."""
    from radio.adaptor_module_factory import create_mlp_from_config
    from radio.input_conditioner import get_default_conditioner
    from radio.radio_model import create_model_from_args

    args = _namespace(case['args'])
    weights = _release_like if case.get('release_like') else _random_like
    trunk = create_model_from_args(copy.deepcopy(args))
    state = {f'base_model.{k}': v for k, v in weights(trunk.state_dict(), 'base_model.').items()}
    state.update({f'input_conditioner.{k}': v for k, v in get_default_conditioner().state_dict().items()})
    dim = trunk.embed_dim
    for tidx, teacher in enumerate(case['args']['teachers']):
        summary_v, feature_v = _head_versions(args, teacher)
        ups = teacher.get('fd_upsample_factor')
        heads = {
            '_heads': create_mlp_from_config(summary_v, dim, *teacher['_summary'], _num_inner(case, summary_v),
                                             is_summary=True),
            '_feature_projections': create_mlp_from_config(
                feature_v, dim, *teacher['_feature'], _num_inner(case, feature_v), is_summary=False,
                **({'upsample_factor': ups} if ups else {})),
        }
        for src, module in heads.items():
            prefix = f'{src}.{tidx}.'
            state.update({prefix + k: v for k, v in weights(module.state_dict(), prefix).items()})
    if case['feature_normalizers']:
        depth = len(trunk.blocks)
        state['_feature_normalizer.mean'] = 0.1 * seeded_tensor('fn.mean', (dim,))
        state['_feature_normalizer.tx'] = _orthogonal(dim, 1) * 1.5
        state['_intermediate_feature_normalizer.alphas'] = 0.5 + seeded_tensor('ifn.alphas', (depth,)).abs() * 0.3
        state['_intermediate_feature_normalizer.rotation'] = torch.stack([_orthogonal(dim, 10 + i) for i in range(depth)])
        state['_intermediate_feature_normalizer.means'] = 0.1 * seeded_tensor('ifn.means', (depth, dim))
    return {'args': args, 'state_dict': {k: _release_dtype(k, v) for k, v in state.items()}}


def _release_dtype(key: str, v: torch.Tensor) -> torch.Tensor:
    """Half precision like the released ``*_half`` files (the input conditioner stays float32)."""
    return v.half() if v.is_floating_point() and not key.startswith('input_conditioner.') else v


def write_hf_snapshot(hub_model, chk: Dict[str, Any], case: Dict[str, Any], folder: str) -> None:
    """The HF layout of ``chk`` as upstream's ``hf_hub.py`` lays it out (``radio_model.*`` keys)."""
    from safetensors.torch import save_file
    from radio.adaptor_module_factory import get_mlp_info_from_state
    from radio.common import RESOURCE_MAP

    resource = RESOURCE_MAP[case['version']]
    args = chk['args']
    cfg_args = {k: (str(v).split('.')[-1] if k == 'dtype' else v) for k, v in vars(args).items()}
    adaptor_configs = {}
    per_teacher = getattr(args, 'cls_token_per_teacher', True)
    for tidx, teacher in enumerate(args.teachers):
        summary_v, feature_v = _head_versions(args, teacher)
        ada_state = {f'{dst}{k[len(src):]}': v for k, v in chk['state_dict'].items()
                     for src, dst in ((f'_heads.{tidx}.', 'summary.'), (f'_feature_projections.{tidx}.', 'feature.'))
                     if k.startswith(src)}
        s_info = get_mlp_info_from_state(summary_v, ada_state, 'summary.')
        f_info = get_mlp_info_from_state(feature_v, ada_state, 'feature.')
        keys = ('input_dim', 'hidden_dim', 'output_dim', 'num_inner')
        adaptor_configs[teacher['name']] = {
            'summary': dict(zip(keys, s_info)),
            'feature': {**dict(zip(keys, f_info)), 'upsample_factor': teacher.get('fd_upsample_factor', 1),
                        'upsample_rank': teacher.get('fd_upsample_rank')},
            'head_idx': teacher.get('token_slot', tidx) if per_teacher else 0,
        }
    state = {f'radio_model.{k}': v for k, v in hub_model.state_dict().items()}
    state['radio_model.summary_idxs'] = torch.tensor(
        [i for i, t in enumerate(args.teachers) if t.get('use_summary', True)], dtype=torch.int64)
    state = {k: _release_dtype(k[len('radio_model.'):], v).contiguous() for k, v in state.items()}
    norm_sd = {k: v for k, v in chk['state_dict'].items() if k.startswith('_intermediate_feature_normalizer.')}
    config = {
        'architectures': ['RADIOModel'], 'model_type': 'radio', 'args': cfg_args, 'version': case['version'],
        # as upstream's RADIOConfig fills them in: from its RESOURCE_MAP entry of ``version``
        'patch_size': resource.patch_size, 'max_resolution': resource.max_resolution,
        'preferred_resolution': list(resource.preferred_resolution), 'adaptor_names': None,
        'adaptor_configs': adaptor_configs, 'vitdet_window_size': None,
        'feature_normalizer_config': ({'embed_dim': hub_model.embed_dim}
                                      if '_feature_normalizer.mean' in chk['state_dict'] else None),
        'inter_feature_normalizer_config': ({
            'num_intermediates': norm_sd['_intermediate_feature_normalizer.means'].shape[0],
            'embed_dim': norm_sd['_intermediate_feature_normalizer.means'].shape[1],
            'rot_per_layer': norm_sd['_intermediate_feature_normalizer.rotation'].ndim == 3} if norm_sd else None),
    }
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, 'config.json'), 'w') as f:
        json.dump(config, f, indent=1)
    save_file(state, os.path.join(folder, 'model.safetensors'))


class References:
    """Output tensors deduplicated by content, and the calls that produced them."""

    def __init__(self):
        self.tensors: Dict[str, torch.Tensor] = {}
        self.calls: List[Dict[str, Any]] = []

    def add_tensor(self, t: torch.Tensor) -> str:
        t = t.detach().contiguous()
        key = hashlib.sha1(t.float().numpy().tobytes() + str(tuple(t.shape)).encode()).hexdigest()[:16]
        self.tensors.setdefault(key, t.clone())
        return key

    def add_call(self, name: str, load: Dict[str, Any], method: str, input_name: str, kwargs: Dict[str, Any],
                 output, note: Optional[str] = None) -> None:
        flat = {path: self.add_tensor(t) for path, t in flatten_outputs(output).items()}
        self.calls.append(dict(name=name, load=load, method=method, input=input_name, kwargs=kwargs, outputs=flat,
                               **({'note': note} if note else {})))


_NCHW_KEYS = {'forward': 'feature_fmt', 'forward_intermediates': 'output_fmt'}


def call_upstream(model, method: str, x: torch.Tensor, kwargs: Dict[str, Any], patch_size: int):
    """``(output, note)``. Upstream's NCHW path crashes for ``attn`` feature heads (``AttnFDHead`` has no
    ``upsample_factor``); then the NLC output is taken and laid out as NCHW, and the note says so."""
    fn = getattr(model, method)
    try:
        return fn(x, **kwargs), None
    except AttributeError as err:
        if 'upsample_factor' not in str(err) or kwargs.get(_NCHW_KEYS[method]) != 'NCHW':
            raise
    out = fn(x, **{**kwargs, _NCHW_KEYS[method]: 'NLC'})
    grid = (x.shape[-2] // patch_size, x.shape[-1] // patch_size)
    return _as_nchw(out, grid), 'NCHW laid out from upstream NLC: upstream AttnFDHead has no upsample_factor'


def _as_nchw(obj, grid):
    if isinstance(obj, torch.Tensor):  # spatial tokens (B, h*w*u*u, C)
        u = round((obj.shape[1] / (grid[0] * grid[1])) ** 0.5)
        return obj.reshape(obj.shape[0], grid[0] * u, grid[1] * u, -1).permute(0, 3, 1, 2)
    if isinstance(obj, dict):
        return {k: _as_nchw(v, grid) for k, v in obj.items()}
    if hasattr(obj, '_fields'):  # RadioOutput(summary, features)
        return type(obj)(obj[0], _as_nchw(obj[1], grid))
    return type(obj)(_as_nchw(v, grid) for v in obj)


def fi_matrix(index_choices: List[Any]) -> List[Dict[str, Any]]:
    """Every combination of forward_intermediates' flags; indices and output_fmt alternate over them."""
    combos = []
    flags = itertools.product([False, True], [False, True], [False, True], [False, True], ['sparse', 'dense'],
                              ['none', 'pre-alpha', 'post-alpha'])
    for n, (prefix, norm, stop, only, agg, alpha) in enumerate(flags):
        combos.append(dict(indices=index_choices[n % len(index_choices)], return_prefix_tokens=prefix, norm=norm,
                           stop_early=stop, intermediates_only=only, aggregation=agg, norm_alpha_scheme=alpha,
                           output_fmt=('NCHW', 'NLC')[(n // 2) % 2]))
    return combos


def make_model_case(hubconf, name: str, case: Dict[str, Any], out_dir: str) -> None:
    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    hub_path = os.path.join(folder, 'model.pth.tar')
    chk = build_hub_checkpoint(case)
    torch.save(chk, hub_path)
    teachers = [t['name'] for t in case['args']['teachers']]
    g = torch.Generator().manual_seed(1234)
    shapes = {**case['inputs'], **case['extra_inputs'], 'fi': case['fi_input']}
    inputs = {k: torch.randint(0, 256, (b, 3, h, w), generator=g, dtype=torch.uint8) for k, (b, h, w) in shapes.items()}
    refs = References()

    def load(**kw):
        return hubconf.radio_model(version=hub_path, progress=False, **kw).eval()

    with torch.no_grad():
        model = load(adaptor_names=teachers)
        write_hf_snapshot(model, chk, case, os.path.join(folder, 'hf'))
        plain = dict(adaptor_names=teachers)
        p = model.patch_size or model.model.patch_size
        for inp in case['inputs']:
            for fmt in ('NLC', 'NCHW'):
                kwargs = {'feature_fmt': fmt}
                refs.add_call(f'forward.{inp}.{fmt}', plain, 'forward', inp, kwargs,
                              *call_upstream(model, 'forward', inputs[inp].float() / 255, kwargs, p))
        fi_input = 'fi'
        for n, kwargs in enumerate(fi_matrix(case['fi_indices'])):
            refs.add_call(f'fi.{n}', plain, 'forward_intermediates', fi_input, kwargs,
                          *call_upstream(model, 'forward_intermediates', inputs[fi_input].float() / 255, kwargs, p))
        for window, names in case['vitdet'].items():
            vd = dict(adaptor_names=teachers, vitdet_window_size=window)
            vd_model = load(**vd)
            for inp in names:
                refs.add_call(f'vitdet{window}.{inp}', vd, 'forward', inp, {'feature_fmt': 'NLC'},
                              vd_model(inputs[inp].float() / 255))
        if case.get('bf16_check'):
            bf16 = copy.deepcopy(chk)
            bf16['args'].dtype = torch.bfloat16
            bf16_path = os.path.join(folder, 'tmp_bf16.pth.tar')
            torch.save(bf16, bf16_path)
            bf_model = hubconf.radio_model(version=bf16_path, progress=False, adaptor_names=teachers).eval()
            os.remove(bf16_path)
            inp = list(case['inputs'])[0]
            refs.add_call(f'dtype_bf16.{inp}', dict(adaptor_names=teachers, args_dtype='bfloat16'), 'forward', inp,
                          {'feature_fmt': 'NLC'}, bf_model(inputs[inp].float() / 255))
    torch.save({**{f'input.{k}': v for k, v in inputs.items()}, **refs.tensors}, os.path.join(folder, 'reference.pt'))
    meta = dict(case=name, version=case['version'], summary_idxs=model.summary_idxs.tolist(),
                summary_dim=model.summary_dim, num_summary_tokens=model.num_summary_tokens,
                num_cls_tokens=model.num_cls_tokens, depth=len(model.model.blocks), teachers=teachers)
    with open(os.path.join(folder, 'reference.json'), 'w') as f:
        json.dump(dict(meta=meta, calls=refs.calls), f, indent=0)
    print(f'{name}: {len(refs.calls)} calls, {len(refs.tensors)} distinct tensors, '
          f'{sum(os.path.getsize(os.path.join(r, x)) for r, _, fs in os.walk(folder) for x in fs) / 1e6:.2f} MB')


def make_radio_tiny(hubconf, out_dir: str) -> None:
    """``radio_tiny/``: ``radio-tiny.pth.tar`` and upstream's outputs under the keys of ``RADIO_TINY_CALLS``."""
    folder = os.path.join(out_dir, 'radio_tiny')
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, 'radio-tiny.pth.tar')
    torch.save(build_hub_checkpoint(RADIO_TINY), path)
    teachers = [t['name'] for t in RADIO_TINY['args']['teachers']]
    g = torch.Generator().manual_seed(1234)

    def image(b, h, w):
        return torch.randint(0, 256, (b, 3, h, w), generator=g, dtype=torch.uint8)

    calls, out = RADIO_TINY_CALLS, {}
    with torch.no_grad():
        model = hubconf.radio_model(version=path, progress=False, adaptor_names=teachers).eval()
        out['meta.summary_idxs'] = model.summary_idxs.clone()
        out['meta.num_summary_tokens'] = torch.tensor(model.num_summary_tokens)
        for case, shape in {**calls['plain'], **calls['backbone_only']}.items():
            x = out[f'plain.{case}.input'] = image(*shape)
            result = model(x.float() / 255)
            for name in ['backbone'] + (teachers if case in calls['plain'] else []):
                key = f'plain.{case}' + ('' if name == 'backbone' else f'.{name}')
                out[f'{key}.summary'], out[f'{key}.features'] = result[name].summary, result[name].features
        case, indices = calls['intermediates']
        out['intermediates.indices'] = torch.tensor(indices)
        blocks = model.forward_intermediates(out[f'plain.{case}.input'].float() / 255, indices=indices,
                                             output_fmt='NCHW', intermediates_only=True, norm=False,
                                             aggregation='sparse')
        out.update({f'intermediates.{case}.block{i}': t for i, t in zip(indices, blocks)})
        for window, cases in calls['vitdet'].items():
            vd_model = hubconf.radio_model(version=path, progress=False, vitdet_window_size=window).eval()
            for case, shape in cases.items():
                x = out[f'vitdet{window}.{case}.input'] = image(*shape)
                out[f'vitdet{window}.{case}.summary'], out[f'vitdet{window}.{case}.features'] = vd_model(x.float() / 255)
    out = {k: v.contiguous().clone() for k, v in out.items()}
    torch.save(out, os.path.join(folder, 'reference.pt'))
    index = dict(case='radio_tiny', version=RADIO_TINY['version'], args=RADIO_TINY['args'], calls=calls,
                 tensors={k: list(v.shape) for k, v in out.items()})
    with open(os.path.join(folder, 'reference_index.json'), 'w') as f:
        json.dump(index, f, indent=1, default=str)
    print(f'radio_tiny: {len(out)} tensors, '
          f'{sum(os.path.getsize(os.path.join(folder, x)) for x in os.listdir(folder)) / 1e6:.2f} MB')


def _trunk_args(name: str, extra: Dict[str, Any], depth: Optional[int]) -> argparse.Namespace:
    kwargs = {k: v for k, v in extra.items() if not k.startswith('_')}
    if depth is not None:
        kwargs['depth'] = depth
    return _namespace(dict(model=name.split('+')[0], model_kwargs=kwargs, gp=extra.get('_gp'), cpe_max_size=448,
                           register_multiple=8, cls_token_per_teacher=True, model_norm=True, mlp_version='v2',
                           teachers=[dict(name='a'), dict(name='b'), dict(name='c')]))


def make_trunk_cases(out_dir: str) -> None:
    """Upstream's CPE trunks at real width, depth 2, seeded weights: outputs and full-depth layouts."""
    from radio.radio_model import create_model_from_args

    folder = os.path.join(out_dir, 'trunks')
    os.makedirs(folder, exist_ok=True)
    tensors, index = {}, {}
    for name, extra in TRUNK_CASES.items():
        args = _trunk_args(name, extra, depth=2)
        trunk = create_model_from_args(copy.deepcopy(args)).eval()
        layout = {k: list(v.shape) for k, v in trunk.state_dict().items()}
        trunk.load_state_dict(seeded_state((k, tuple(s)) for k, s in layout.items()))
        p = trunk.patch_generator.patch_size
        x = seeded_tensor(f'input.{name}', (1, 3, 4 * p, 3 * p))
        with torch.no_grad():
            tensors[f'{name}.input'], tensors[f'{name}.output'] = x, trunk.forward_features(x)
        with torch.device('meta'):
            full = create_model_from_args(copy.deepcopy(_trunk_args(name, extra, depth=None)))
        index[name] = dict(args={k: v for k, v in vars(args).items() if k != 'dtype'}, layout=layout,
                           full_layout={k: list(v.shape) for k, v in full.state_dict().items()})
        print(f'trunk {name}: {sum(v.numel() for v in full.state_dict().values()) / 1e6:.0f}M params at full depth')
    torch.save(tensors, os.path.join(folder, 'reference.pt'))
    with open(os.path.join(folder, 'reference.json'), 'w') as f:
        json.dump(index, f)


def make_release_layouts(out_dir: str) -> None:
    """Each release's trunk as upstream's ``create_model_from_args`` builds it from the release's ``args``
    (:data:`radio_dense.radio.release_layouts.RELEASE_LAYOUTS`), on the meta device: parameter names -> shapes."""
    from radio.radio_model import create_model_from_args

    from radio_dense.radio.release_layouts import RELEASE_LAYOUTS

    folder = os.path.join(out_dir, 'releases')
    os.makedirs(folder, exist_ok=True)
    for name, layout in sorted(RELEASE_LAYOUTS.items()):
        args = layout.upstream_args()
        with torch.device('meta'):
            trunk = create_model_from_args(_namespace(args))
        shapes = {k: list(v.shape) for k, v in trunk.state_dict().items()}
        with open(os.path.join(folder, f'{name}.json'), 'w') as f:
            json.dump(dict(release=name, args=args, parameters=shapes), f, indent=0)
        print(f'release {name}: {sum(math.prod(s) for s in shapes.values()) / 1e6:.1f}M trunk parameters')


def main(argv=None) -> None:
    opts = _ARGS if argv is None and '_ARGS' in globals() else parse_args(argv)
    extra = ['radio_tiny', 'trunks', 'text', 'releases']
    unknown = sorted(set(opts.case or []) - {*MODEL_CASES, *extra})
    if unknown:
        raise SystemExit(f'unknown --case {unknown}; choose from {[*MODEL_CASES, *extra]}')
    opts.out = opts.out or OUT_DIR
    torch.set_num_threads(1)
    hubconf = _import_upstream(opts.upstream)
    for name in opts.case or [*MODEL_CASES, *extra]:
        if name == 'trunks':
            make_trunk_cases(opts.out)
        elif name == 'releases':
            make_release_layouts(opts.out)
        elif name == 'radio_tiny':
            make_radio_tiny(hubconf, opts.out)
        elif name == 'text':
            from tests.radio.upstream_text_fixture import make_text_case
            make_text_case(opts.out)
        else:
            make_model_case(hubconf, name, MODEL_CASES[name], opts.out)


if __name__ == '__main__':
    main()
