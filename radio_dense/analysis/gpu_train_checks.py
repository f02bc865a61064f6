"""gpu_check sections that train: backward + optimizer steps per precision, peak memory per
architecture at 1024 px, and 2-GPU DDP (NCCL, ``find_unused_parameters=False``).

Real architectures with random weights (no download); torch + timm only.
"""
import os
import tempfile
from typing import List, Optional

import torch
import torch.nn.functional as F

from ..radio import create_radio
from ..radio.precision import DTYPES, autocast
from .gpu_check_plan import CheckPlan, _mode
from .timing import median, synchronize, time_ms

TRAIN_STEPS = 3


def _loss(model, x) -> torch.Tensor:
    """A loss every trunk parameter contributes to: summary and patch features against fixed targets."""
    out = model(x)
    summary, features = out.summary.float(), out.features.float()
    return (summary - 0.1).pow(2).mean() + (features - 0.1).pow(2).mean()


def _grads(model) -> torch.Tensor:
    return torch.cat([p.grad.flatten().double() for p in model.parameters() if p.grad is not None])


def _reset_peak(device: str) -> None:
    if device.startswith('cuda'):
        synchronize(device)
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)


def _peak_gib(device: str) -> Optional[float]:
    if not device.startswith('cuda'):
        return None  # torch does not track CPU allocations
    synchronize(device)
    return torch.cuda.max_memory_allocated(device) / 2 ** 30


def _model(arch: str, window: Optional[int], device: str):
    """A random RADIO built directly on ``device`` (initialising a ViT-g on the CPU takes long)."""
    with torch.device(device):
        return create_radio(arch, vitdet_window_size=window, seed=0)


def _input_size(size: int, patch: int) -> int:
    return max(round(size / patch), 1) * patch


# ----- training steps per precision -----
def check_training(plan: CheckPlan) -> List[dict]:
    """Forward + backward + SGD steps in fp32, fp16 (GradScaler) and bf16 autocast, ViTDet.

    Per precision: median step time, peak memory, whether the loss falls and stays finite, and the
    cosine between the first step's gradients and fp32's.
    """
    rows = []
    for arch in plan.train_archs:
        model = _model(arch, plan.window, plan.device).train()
        initial = {k: v.clone() for k, v in model.state_dict().items()}
        size = _input_size(plan.train_size, model.patch_size)
        # one patch short of whole windows: the padded-window path trains too
        x = torch.rand(2, 3, size, size - model.patch_size, generator=torch.Generator().manual_seed(0))
        x = x.to(plan.device)
        reference = None
        for name in ('fp32', 'fp16', 'bf16'):
            model.load_state_dict(initial)
            row = {'check': 'training', 'arch': arch, 'mode': _mode(plan.window), 'input': f'{size}x{size - model.patch_size}',
                   'dtype': name}
            try:
                row.update(_train(model, x, DTYPES[name], plan))
            except RuntimeError as err:  # e.g. fp16 autocast kernels missing on this device
                row.update(ok=False, error=str(err).splitlines()[0][:200])
                rows.append(row)
                continue
            grads = row.pop('grads')
            if reference is None:
                reference = grads
            row['grad_cosine_vs_fp32'] = F.cosine_similarity(grads, reference, dim=0).item()
            row['ok'] = row['finite'] and row['loss_falls'] and row['grad_cosine_vs_fp32'] > 0.99
            rows.append(row)
        del model
    return rows


def _train(model, x, dtype: torch.dtype, plan: CheckPlan) -> dict:
    device_type = torch.device(plan.device).type
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    scaler = torch.amp.GradScaler(device_type, enabled=dtype == torch.float16)
    losses, first_grads = [], None

    def step():
        nonlocal first_grads
        optimizer.zero_grad(set_to_none=True)
        with autocast(plan.device, dtype):
            loss = _loss(model, x)
        scaler.scale(loss).backward()
        if first_grads is None:
            scaler.unscale_(optimizer)
            first_grads = _grads(model)
        scaler.step(optimizer)
        scaler.update()
        losses.append(loss.detach())

    _reset_peak(plan.device)
    times = time_ms(step, plan.device, plan.train_steps, 0)
    losses = torch.stack(losses).float().cpu()
    return {'step_ms': median(times), 'peak_gib': _peak_gib(plan.device),
            'loss_first': losses[0].item(), 'loss_last': losses[-1].item(), 'finite': bool(torch.isfinite(losses).all()),
            'loss_falls': bool(losses[-1] < losses[0]), 'grads': first_grads}


# ----- peak memory per architecture -----
def check_memory(plan: CheckPlan) -> List[dict]:
    """Peak device memory at ``memory_size`` px, batch 1, per architecture, global and ViTDet:
    bf16 inference and a bf16-autocast training step (forward + backward, fp32 weights and grads)."""
    rows = []
    for arch in plan.memory_archs:
        for window in (None, plan.window):
            row = {'check': 'memory', 'arch': arch, 'mode': _mode(window)}
            try:
                model = _model(arch, window, plan.device)
                size = _input_size(plan.memory_size, model.patch_size)
                x = torch.rand(1, 3, size, size, device=plan.device)
                row.update(input=size, params_m=sum(p.numel() for p in model.parameters()) / 1e6)
                _reset_peak(plan.device)
                with torch.no_grad(), autocast(plan.device, torch.bfloat16):
                    model.eval()(x)
                row['infer_bf16_gib'] = _peak_gib(plan.device)
                _reset_peak(plan.device)
                model.train()
                with autocast(plan.device, torch.bfloat16):
                    loss = _loss(model, x)
                loss.backward()
                row['train_bf16_gib'] = _peak_gib(plan.device)
                row['ok'] = bool(torch.isfinite(loss.detach()).item())
            except torch.cuda.OutOfMemoryError as err:
                row.update(ok=False, error=f'out of memory: {str(err).splitlines()[0][:160]}')
            finally:
                model = x = loss = None
                if plan.device.startswith('cuda'):
                    torch.cuda.empty_cache()
            rows.append(row)
    return rows


# ----- DDP -----
def ddp_steps(rank: int, world: int, backend: str, device: str, arch: str, size: int, window: Optional[int],
              steps: int = TRAIN_STEPS) -> dict:
    """In an initialised process group: DDP (``find_unused_parameters=False``) bf16 steps; the
    parameters must stay equal on every rank. Returns this rank's result."""
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel
    model = create_radio(arch, vitdet_window_size=window, seed=0).to(device).train()
    ddp = DistributedDataParallel(model, device_ids=[torch.device(device).index] if device.startswith('cuda') else None,
                                  find_unused_parameters=False)
    optimizer = torch.optim.SGD(ddp.parameters(), lr=0.1)
    size = _input_size(size, model.patch_size)
    losses = []
    for step in range(steps):
        x = torch.rand(1, 3, size, size - model.patch_size, generator=torch.Generator().manual_seed(rank * 100 + step))
        optimizer.zero_grad(set_to_none=True)
        with autocast(device, torch.bfloat16):
            loss = _loss(ddp, x.to(device))
        loss.backward()
        optimizer.step()
        losses.append(loss.detach().float())
    checksum = torch.stack([p.detach().double().sum() for p in model.parameters()]).to(device)
    gathered = [torch.zeros_like(checksum) for _ in range(world)]
    dist.all_gather(gathered, checksum)
    same = all(torch.equal(g, gathered[0]) for g in gathered)
    synchronize(device)
    return {'rank': rank, 'steps': steps, 'finite': bool(torch.isfinite(torch.stack(losses)).all().item()),
            'params_equal_across_ranks': same}


def _ddp_worker(rank: int, world: int, port: int, arch: str, size: int, window: int, out_dir: str) -> None:
    import json

    import torch.distributed as dist
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    torch.cuda.set_device(rank)
    dist.init_process_group('nccl', rank=rank, world_size=world)
    try:
        result = ddp_steps(rank, world, 'nccl', f'cuda:{rank}', arch, size, window)
    finally:
        dist.destroy_process_group()
    with open(os.path.join(out_dir, f'rank{rank}.json'), 'w') as f:
        json.dump(result, f)


def check_ddp(plan: CheckPlan) -> List[dict]:
    """2-process NCCL DDP on 2 GPUs; on CPU (``--quick``) the same steps in one gloo process."""
    arch = plan.train_archs[0] if plan.train_archs else plan.fidelity_arch
    if plan.device == 'cpu':
        return [_ddp_in_process(arch, plan)]
    count = torch.cuda.device_count()
    if count < 2:
        return [{'check': 'ddp', 'skipped': f'needs 2 CUDA GPUs, found {count}'}]
    import json
    import socket

    import torch.multiprocessing as mp
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        mp.spawn(_ddp_worker, args=(2, port, arch, 512, plan.window, tmp), nprocs=2, join=True)
        results = [json.load(open(os.path.join(tmp, f'rank{r}.json'))) for r in range(2)]
    return [{'check': 'ddp', 'backend': 'nccl', 'arch': arch, **r,
             'ok': r['finite'] and r['params_equal_across_ranks']} for r in results]


def _ddp_in_process(arch: str, plan: CheckPlan) -> dict:
    """The DDP code path in one gloo process (what a CPU smoke test can check)."""
    import socket

    import torch.distributed as dist
    if dist.is_initialized():
        return {'check': 'ddp', 'skipped': 'a process group is already initialised'}
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}', rank=0, world_size=1)
    try:
        result = ddp_steps(0, 1, 'gloo', 'cpu', arch, plan.train_size, plan.window, steps=2)
    finally:
        dist.destroy_process_group()
    return {'check': 'ddp', 'backend': 'gloo (1 process)', 'arch': arch, **result,
            'ok': result['finite'] and result['params_equal_across_ranks']}
