"""gpu_check sections about the environment: installed packages, mmcv's ops (compiled for CUDA?)
and their device results against their CPU results, also under bf16 autocast."""
import importlib
from typing import List

import torch

from ..radio.precision import autocast
from .check_env import report as env_report
from .gpu_check_plan import CheckPlan

#: optional packages whose absence turns sections into "skipped" rows
OPTIONAL_PACKAGES = ('timm', 'mmcv', 'mmengine', 'mmseg', 'mmdet', 'segment_anything', 'sam3', 'onnxruntime')


def _version(name: str) -> str:
    try:
        module = importlib.import_module(name)
    except Exception as err:  # noqa: BLE001 (a broken install raises more than ImportError)
        return f'missing ({type(err).__name__})'
    return str(getattr(module, '__version__', 'installed'))


def check_env(plan: CheckPlan) -> List[dict]:
    """Versions of torch, CUDA, cuDNN and the optional packages; mmcv's ops and setup_env.sh's plan."""
    info = env_report()
    rows = [{'check': 'env', 'item': 'torch', 'value': torch.__version__},
            {'check': 'env', 'item': 'torch CUDA / cuDNN',
             'value': f'{torch.version.cuda} / {torch.backends.cudnn.version() if torch.cuda.is_available() else "-"}'},
            {'check': 'env', 'item': 'CUDA devices', 'value': info.get('cuda_devices', 0)},
            {'check': 'env', 'item': 'TF32 matmul / cuDNN',
             'value': f'{torch.backends.cuda.matmul.allow_tf32} / {torch.backends.cudnn.allow_tf32}'}]
    rows += [{'check': 'env', 'item': name, 'value': _version(name)} for name in OPTIONAL_PACKAGES]
    rows.append({'check': 'env', 'item': 'mmcv ops compiled for', 'value':
                 'no mmcv' if not info['mmcv'] else f"CUDA {info['ops_cuda']}" if info['ops_cuda']
                 else 'CPU only' if info['ops'] else 'no compiled ops',
                 'ok': bool(info['ops_cuda']) or not plan.device.startswith('cuda') or not info['mmcv']})
    rows.append({'check': 'env', 'item': 'setup_env.sh mmcv plan', 'value': f"{info['plan']}: {info['plan_message']}"})
    return rows


def check_mmcv_ops(plan: CheckPlan) -> List[dict]:
    """RoIAlign, NMS and MultiScaleDeformableAttention on the device vs on the CPU, in fp32 and
    inside bf16 autocast on bf16 inputs (radio_dense runs these ops in fp32 there: :mod:`radio_dense.openmmlab.engine.mmcv_fp32_ops`)."""
    try:
        import mmcv.ops  # noqa: F401
        from ..openmmlab.engine.mmcv_fp32_ops import patch_mmcv_ops_precision
    except Exception as err:  # noqa: BLE001
        return [{'check': 'mmcv_ops', 'skipped': f'mmcv with compiled ops not importable ({type(err).__name__}: '
                                                 f'{str(err)[:120]}); see tools/setup_env.sh'}]
    patch_mmcv_ops_precision()
    info = env_report()
    if plan.device.startswith('cuda') and not info['ops_cuda']:
        return [{'check': 'mmcv_ops', 'ok': False, 'error': 'mmcv ops were compiled without CUDA: their first CUDA '
                                                           'call fails. Rebuild with tools/setup_env.sh on this machine.'}]
    rows = []
    for name, case in (('RoIAlign', _roi_align_case), ('nms', _nms_case), ('MultiScaleDeformableAttention', _msda_case)):
        for dtype in (torch.float32, torch.bfloat16):
            row = {'check': 'mmcv_ops', 'op': name, 'autocast': 'bf16' if dtype == torch.bfloat16 else 'none',
                   'device_vs': 'cpu fp32'}
            try:
                fn, inputs = case()
                # bf16 rows feed bf16 tensors, as layers under bf16 autocast hand them to the op; the
                # reference is the CPU op in fp32 on the same (rounded) values
                inputs = [t.to(dtype).float() if isinstance(t, torch.Tensor) and t.is_floating_point() else t
                          for t in inputs]
                reference = fn(*inputs)
                device_inputs = [t.to(plan.device, dtype if t.is_floating_point() else t.dtype)
                                 if isinstance(t, torch.Tensor) else t for t in inputs]
                with autocast(plan.device, dtype):
                    got = fn(*device_inputs)
                diff = (got.float().cpu() - reference.float()).abs().max().item()
                tolerance = 1e-4 if dtype == torch.float32 else 0.02
                row.update(max_abs_diff=diff, tolerance=tolerance, ok=diff <= tolerance)
            except Exception as err:  # noqa: BLE001 (a missing kernel must not hide the other ops)
                row.update(ok=False, error=f'{type(err).__name__}: {str(err).splitlines()[0][:160]}')
            rows.append(row)
    return rows


def _roi_align_case():
    from mmcv.ops import RoIAlign
    g = torch.Generator().manual_seed(0)
    feats = torch.rand(2, 16, 32, 48, generator=g)
    xy = torch.rand(8, 2, generator=g) * torch.tensor([300.0, 200.0])
    wh = torch.rand(8, 2, generator=g) * 80 + 8
    rois = torch.cat([torch.tensor([0, 1] * 4, dtype=torch.float)[:, None], xy, xy + wh], dim=1)
    op = RoIAlign((7, 7), spatial_scale=1 / 8, sampling_ratio=0, aligned=True)
    return (lambda f, r: op(f, r)), (feats, rois)


def _nms_case():
    from mmcv.ops import nms
    g = torch.Generator().manual_seed(0)
    xy = torch.rand(200, 2, generator=g) * 400
    boxes = torch.cat([xy, xy + torch.rand(200, 2, generator=g) * 100 + 4], dim=1)
    scores = torch.rand(200, generator=g)
    return (lambda b, s: nms(b, s, 0.5)[1].float()), (boxes, scores)


def _msda_case():
    from mmcv.ops import MultiScaleDeformableAttention
    torch.manual_seed(0)
    attn = MultiScaleDeformableAttention(embed_dims=64, num_heads=4, num_levels=2, num_points=4, batch_first=True).eval()
    shapes = torch.tensor([[16, 16], [8, 8]])
    start = torch.tensor([0, 256])
    value = torch.rand(2, 320, 64)
    query = torch.rand(2, 50, 64)
    refs = torch.rand(2, 50, 2, 2)

    def run(q, v, r, s, i):
        module = attn.to(q.device)
        with torch.no_grad():
            return module(q, value=v, reference_points=r, spatial_shapes=s, level_start_index=i)
    return run, (query, value, refs, shapes, start)
