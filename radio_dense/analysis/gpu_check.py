"""The checks of ``tools/analysis/gpu_check.py``: what a short loan of a GPU machine should measure.

Each check returns a list of row dicts and never raises for a missing optional part (upstream
checkout, mmcv, segment-anything, a second GPU, a kernel the device lacks): the row then says
``skipped`` and why, so one run always produces a complete report. Needs torch + timm only.
Training, peak memory and DDP checks live in :mod:`.gpu_train_checks`; the environment and
mmcv's ops in :mod:`.gpu_env_checks`.
"""
import time
from typing import Callable, Dict, List, Sequence

import torch

from ..radio import create_radio
from ..radio.precision import strict_fp32
from ..radio.self_correlation import set_last_block_self_correlation
from .flops import count_flops
from .gpu_check_plan import CheckPlan, _mode
from .timing import markdown_table, median, time_ms


def _outputs(model, x):
    out = model(x)
    return out.summary.float(), out.features.float()


# ----- 1. CPU vs device fidelity, bf16 agreement -----
def check_fidelity(plan: CheckPlan) -> List[dict]:
    """fp32 on the device vs fp32 on CPU (tolerance 1e-3), global and ViTDet with padded windows, each also
    with RADSeg's self-correlating attention (SCRA) in the last block (the zero-shot segmentor's option)."""
    rows = []
    for window in (None, plan.window):
        for scra in (None, 10.0):
            model = create_radio(plan.fidelity_arch, vitdet_window_size=window, seed=0).eval()
            set_last_block_self_correlation(model.blocks, scra)
            suffix = '' if scra is None else ', SCRA last block'
            patch = model.patch_size
            # one patch less than a window multiple in width: the ViTDet run pads and masks
            size = (plan.fidelity_size, plan.fidelity_size + patch * (plan.window - 1))
            x = torch.rand(2, 3, *size, generator=torch.Generator().manual_seed(0))
            with torch.no_grad(), strict_fp32():
                ref = _outputs(model, x)
                got = _outputs(model.to(plan.device), x.to(plan.device))
            diff = max((a.cpu() - b).abs().max().item() for a, b in zip(got, ref))
            rows.append({'check': 'fp32 device vs cpu' + suffix, 'mode': _mode(window),
                         'input': f'{size[0]}x{size[1]}', 'max_abs_diff': diff, 'tolerance': 1e-3, 'ok': diff <= 1e-3})
            rows.append(_bf16_row(model, x.to(plan.device), got, window, size, plan.device, suffix))
    return rows


def _bf16_row(model, x, fp32_out, window, size, device, suffix: str = '') -> dict:
    kind = 'cuda' if device.startswith('cuda') else 'cpu'
    with torch.no_grad(), torch.autocast(kind, dtype=torch.bfloat16):
        got = _outputs(model, x)
    cos = torch.nn.functional.cosine_similarity(got[1].flatten(1), fp32_out[1].flatten(1)).min().item()
    rel = ((got[1] - fp32_out[1]).norm() / fp32_out[1].norm()).item()
    return {'check': 'bf16 autocast vs fp32' + suffix, 'mode': _mode(window), 'input': f'{size[0]}x{size[1]}',
            'min_cosine': cos, 'rel_l2': rel, 'ok': cos > 0.99}


# ----- 2. which SDPA kernel serves ViTDet's padding masks -----
def check_sdpa_kernels(plan: CheckPlan) -> List[dict]:
    """Run ViTDet with padded windows under each SDPA backend; report the kernel that ran and the diff."""
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.profiler import ProfilerActivity, profile
    model = create_radio(plan.fidelity_arch, vitdet_window_size=plan.window, seed=0).eval().to(plan.device)
    patch = model.patch_size
    x = torch.rand(1, 3, patch * (2 * plan.window + 1), patch * (plan.window + 3), device=plan.device)
    dtype = torch.bfloat16 if plan.device.startswith('cuda') else torch.float32
    kind = 'cuda' if plan.device.startswith('cuda') else 'cpu'
    with torch.no_grad(), torch.autocast(kind, dtype=dtype, enabled=dtype != torch.float32):
        reference = _outputs(model, x)[1]
    rows = []
    for backend in (SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.CUDNN_ATTENTION,
                    SDPBackend.MATH):
        row = {'check': 'vitdet padded windows', 'backend': backend.name, 'dtype': str(dtype).split('.')[-1]}
        try:
            with torch.no_grad(), sdpa_kernel([backend]), torch.autocast(kind, dtype=dtype,
                                                                          enabled=dtype != torch.float32):
                activities = [ProfilerActivity.CPU]
                with profile(activities=activities) as prof:
                    out = _outputs(model, x)[1]
            ops = sorted({e.key for e in prof.key_averages() if 'attention' in e.key or 'sdpa' in e.key.lower()})
            row.update(ran=True, kernels=', '.join(k for k in ops if k.startswith('aten::_')) or ', '.join(ops),
                       max_abs_diff_vs_default=(out - reference).abs().max().item())
        except RuntimeError as err:
            row.update(ran=False, kernels='-', reason=str(err).splitlines()[0][:160])
        rows.append(row)
    return rows


# ----- 3. latency and MFU, ours (and upstream) -----
def check_latency(plan: CheckPlan) -> List[dict]:
    """Forward latency and MFU per architecture, size and mode (bf16 autocast on CUDA, fp32 on CPU)."""
    cuda = plan.device.startswith('cuda')
    dtype = 'bf16' if cuda else 'fp32'
    rows = []
    for arch in plan.archs:
        for window in (None, plan.window):
            model = create_radio(arch, vitdet_window_size=window, seed=0).eval()
            upstream = _upstream_model(plan, model, window)
            model = model.to(plan.device)
            for size in plan.sizes:
                flops = count_flops(model, (1, 3, size, size)).total
                x = torch.rand(1, 3, size, size, device=plan.device)
                row = {'check': 'latency', 'arch': arch, 'mode': _mode(window), 'input': size, 'dtype': dtype,
                       'gflops': flops / 1e9}
                for name, net in (('ours', model), ('upstream', upstream)):
                    if net is None:
                        continue
                    if name == 'upstream' and window and size % (model.patch_size * window):
                        continue
                    ms = median(time_ms(lambda: _forward(net, x, cuda), plan.device,
                                                   plan.repeats, plan.warmup))
                    row[f'{name}_ms'] = ms
                    row[f'{name}_tflops_per_s'] = flops / ms / 1e9
                    peak = plan.peak_tflops.get(dtype)
                    row[f'{name}_mfu'] = row[f'{name}_tflops_per_s'] / peak if peak else None
                rows.append(row)
            del model, upstream
            if cuda:
                torch.cuda.empty_cache()
    return rows


def _forward(model, x, cuda: bool):
    with torch.no_grad(), torch.autocast('cuda' if cuda else 'cpu', dtype=torch.bfloat16, enabled=cuda):
        return model(x)


def _upstream_model(plan: CheckPlan, model, window):
    if not plan.upstream:
        return None
    import os
    import tempfile
    from ..radio.hub_export import save_hub_checkpoint
    from .benchmark import build_upstream
    with tempfile.TemporaryDirectory() as tmp:
        path = save_hub_checkpoint(model, os.path.join(tmp, 'check.pth.tar'))
        return build_upstream(plan.upstream, path, window, plan.device)


# ----- 4. SAM prompting latency -----
def check_sam(plan: CheckPlan) -> List[dict]:
    """``set_image`` and one-click latency: RADIO encoders vs segment-anything's, interleaved run by run."""
    try:
        import numpy as np
        from segment_anything import SamPredictor, sam_model_registry
        from ..sam import RadioSamPredictor, build_radio_sam
    except ImportError as err:
        return [{'check': 'sam', 'skipped': f'segment-anything not importable: {err}'}]
    res = plan.sam_resolution
    predictors = {}
    for arch in plan.archs:
        for window in (None, plan.window):
            spec = dict(arch=arch, vitdet_window_size=window)
            sam = build_radio_sam(spec, neck='conv', resolution=res, seed=0).to(plan.device).eval()
            predictors[f'radio {arch} ({_mode(window)})'] = RadioSamPredictor(sam, res, True)
    for name in plan.sam_encoders:
        torch.manual_seed(0)
        predictors[f'sam {name}'] = SamPredictor(sam_model_registry[name]().to(plan.device).eval())
    image = (np.random.default_rng(0).random((res * 3 // 4, res, 3)) * 255).astype(np.uint8)
    click = dict(point_coords=np.array([[res * 0.4, res * 0.3]]), point_labels=np.array([1]), multimask_output=True)
    embed_ms = {n: [] for n in predictors}
    click_ms = {n: [] for n in predictors}
    with torch.inference_mode():
        for predictor in predictors.values():  # warm-up
            predictor.set_image(image)
            predictor.predict(**click)
        for _ in range(plan.repeats):
            for name, predictor in predictors.items():
                embed_ms[name] += time_ms(lambda: predictor.set_image(image), plan.device, 1, 0)
                click_ms[name] += time_ms(lambda: predictor.predict(**click), plan.device, 3, 0)
    return [{'check': 'sam', 'encoder': n, 'resolution': res, 'set_image_ms': median(embed_ms[n]),
             'click_ms': median(click_ms[n])} for n in predictors]


def _checks() -> Dict[str, Callable[[CheckPlan], List[dict]]]:
    from .gpu_env_checks import check_env, check_mmcv_ops
    from .gpu_train_checks import check_ddp, check_memory, check_training
    return {'env': check_env, 'fidelity': check_fidelity, 'sdpa_kernels': check_sdpa_kernels,
            'latency': check_latency, 'training': check_training, 'memory': check_memory,
            'mmcv_ops': check_mmcv_ops, 'ddp': check_ddp, 'sam': check_sam}


CHECKS = _checks()


def run_checks(plan: CheckPlan, names: Sequence[str] = tuple(CHECKS), log: Callable[[str], None] = print) -> dict:
    """Run the named checks; a check that fails is reported in its section, not raised."""
    report = {'device': plan.device, 'device_name': torch.cuda.get_device_name(plan.device)
              if plan.device.startswith('cuda') else 'cpu', 'torch': torch.__version__,
              'cuda': torch.version.cuda, 'sections': {}}
    for name in names:
        start = time.time()
        log(f'[gpu_check] {name}...')
        try:
            rows = CHECKS[name](plan)
        except Exception as err:  # a broken section must not hide the others' numbers
            rows = [{'check': name, 'error': f'{type(err).__name__}: {err}'[:500]}]
        report['sections'][name] = {'seconds': round(time.time() - start, 1), 'rows': rows}
    return report


def markdown_report(report: dict) -> str:
    """One markdown table per section."""
    lines = [f"# GPU check: {report['device_name']} ({report['device']}), torch {report['torch']}, "
             f"CUDA {report['cuda']}", '']
    for name, section in report['sections'].items():
        rows = section['rows']
        keys = [k for k in dict.fromkeys(k for r in rows for k in r) if k != 'check']
        lines += [f"## {name} ({section['seconds']} s)", '', markdown_table(rows, keys), '']
    return '\n'.join(lines)
