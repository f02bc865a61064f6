"""Is this environment ready for the GPU? mmcv's compiled ops, and the plan ``tools/setup_env.sh`` follows.

    python -m radio_dense.analysis.check_env          # report: torch, CUDA, nvcc, mmcv ops (CPU / CUDA)
    python -m radio_dense.analysis.check_env --plan   # what setup_env.sh does about mmcv (shell variables)

mmseg/mmdet need mmcv's compiled ops: RoIAlign and NMS (Mask R-CNN), MultiScaleDeformableAttention
(ViT-Adapter, Mask2Former). A wheel built on a machine without a GPU holds CPU kernels only, and
the first CUDA call of one of them fails. :func:`mmcv_build_plan` decides, from what is installed,
whether to keep mmcv, build it (CPU only, or with ``FORCE_CUDA=1`` against a CUDA toolkit whose
major version matches torch's) or stop with what to install.

Standard library at import time (torch and mmcv are imported inside the functions), and no
relative imports: ``setup_env.sh`` runs this file by path before radio_dense is installed.
"""
import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from typing import Optional

MMCV_VERSION = '2.1.0'
#: what setup_env.sh runs to build mmcv's CUDA ops (never a cached CPU-only wheel)
CUDA_BUILD_COMMAND = (f'FORCE_CUDA=1 MMCV_WITH_OPS=1 pip install --no-build-isolation --no-binary mmcv '
                      f'--no-cache-dir --force-reinstall --no-deps mmcv=={MMCV_VERSION}')


@dataclass
class MmcvState:
    """What the environment has: a GPU, torch's CUDA, the CUDA compiler, mmcv and its ops."""

    gpu: bool
    torch_cuda: Optional[str]  # torch.version.cuda; None for a CPU-only torch
    nvcc: Optional[str]  # release of the nvcc that a build would use, e.g. '12.8'
    cuda_home: Optional[str]
    mmcv: Optional[str]  # mmcv.__version__; None when not importable
    ops: bool  # mmcv.ops imports (compiled extension present)
    ops_cuda: Optional[str]  # CUDA version mmcv's ops were compiled with; None for CPU-only ops
    ops_compiler: Optional[str] = None


@dataclass
class Plan:
    """``action``: 'ok' (nothing to do), 'build-cpu', 'build-cuda' or 'stop'; ``message`` says why / what to do."""

    action: str
    message: str
    cuda_home: Optional[str] = None


def _major(version: Optional[str]) -> Optional[str]:
    return version.split('.')[0] if version else None


def mmcv_build_plan(state: MmcvState) -> Plan:
    """What to do about mmcv in ``state``: keep it, build it (CPU or CUDA ops) or stop and say what to install."""
    if not state.gpu:
        if state.ops:
            return Plan('ok', f'mmcv {state.mmcv} with compiled ops; no CUDA GPU here, CPU ops are enough')
        return Plan('build-cpu', f'no CUDA GPU: building mmcv {MMCV_VERSION} with CPU ops (pip reuses a cached wheel)')
    if state.torch_cuda is None:
        return Plan('stop', 'A CUDA GPU is present but torch is a CPU-only build. Install the CUDA build of torch '
                            '(e.g. pip install torch==2.9.1 torchvision==0.24.1 --index-url '
                            'https://download.pytorch.org/whl/cu128), then run tools/setup_env.sh again.')
    if state.ops and state.ops_cuda and _major(state.ops_cuda) == _major(state.torch_cuda):
        return Plan('ok', f'mmcv {state.mmcv} ops compiled for CUDA {state.ops_cuda} (torch CUDA {state.torch_cuda})')
    why = ('mmcv is not installed' if state.mmcv is None
           else 'mmcv has no compiled ops' if not state.ops
           else 'mmcv ops were compiled for CPU only' if not state.ops_cuda
           else f'mmcv ops were compiled for CUDA {state.ops_cuda}, torch uses CUDA {state.torch_cuda}')
    toolkit = f'CUDA toolkit {state.torch_cuda}'
    if state.nvcc is None:
        return Plan('stop', f'{why}, and building its CUDA ops needs nvcc, which was not found (CUDA_HOME, '
                            f'/usr/local/cuda, PATH). Install the {toolkit} to match torch (e.g. apt install '
                            f'cuda-toolkit-{state.torch_cuda.replace(".", "-")} from NVIDIA\'s repository, or conda '
                            f'install -c nvidia cuda-toolkit={state.torch_cuda}), set CUDA_HOME to it and run '
                            f'tools/setup_env.sh again.')
    if _major(state.nvcc) != _major(state.torch_cuda):
        return Plan('stop', f'{why}; nvcc {state.nvcc} ({state.cuda_home}) cannot build extensions for torch built '
                            f'with CUDA {state.torch_cuda}: install the {toolkit} (or a torch built for CUDA '
                            f'{_major(state.nvcc)}.x) and point CUDA_HOME at it.')
    return Plan('build-cuda', f'{why}: building mmcv {MMCV_VERSION} CUDA ops with nvcc {state.nvcc} '
                              f'({state.cuda_home}) for torch CUDA {state.torch_cuda} (~15-30 min)', state.cuda_home)


# ----- detection -----
def find_nvcc() -> tuple:
    """``(release, cuda_home)`` of the CUDA compiler a build would use (torch's rules: CUDA_HOME, PATH, /usr/local/cuda)."""
    candidates = [os.environ.get('CUDA_HOME'), os.environ.get('CUDA_PATH')]
    on_path = shutil.which('nvcc')
    candidates += [os.path.dirname(os.path.dirname(on_path)) if on_path else None, '/usr/local/cuda']
    for home in filter(None, candidates):
        nvcc = os.path.join(home, 'bin', 'nvcc')
        if os.path.isfile(nvcc):
            try:
                out = subprocess.run([nvcc, '--version'], capture_output=True, text=True, timeout=30).stdout
            except (OSError, subprocess.SubprocessError):
                continue
            match = re.search(r'release (\d+\.\d+)', out)
            if match:
                return match.group(1), home
    return None, None


def gpu_present() -> bool:
    """A CUDA GPU on this machine: torch sees one, or ``nvidia-smi -L`` lists one (CPU-only torch)."""
    try:
        import torch
        if torch.cuda.is_available():
            return True
    except ImportError:
        pass
    if shutil.which('nvidia-smi') is None:
        return False
    try:
        out = subprocess.run(['nvidia-smi', '-L'], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and 'GPU' in out.stdout


def mmcv_ops_info() -> dict:
    """mmcv's version and how its ops were compiled (``cuda``: None for CPU-only ops)."""
    try:
        import mmcv
    except Exception:  # noqa: BLE001 (a broken install raises more than ImportError)
        return dict(mmcv=None, ops=False, ops_cuda=None, ops_compiler=None)
    try:
        from mmcv.ops import get_compiler_version, get_compiling_cuda_version
        cuda = get_compiling_cuda_version()
        compiler = get_compiler_version()
    except Exception:  # noqa: BLE001
        return dict(mmcv=mmcv.__version__, ops=False, ops_cuda=None, ops_compiler=None)
    cuda = None if not cuda or 'not available' in cuda else cuda
    return dict(mmcv=mmcv.__version__, ops=True, ops_cuda=cuda, ops_compiler=compiler)


def detect_state() -> MmcvState:
    try:
        import torch
        torch_cuda = torch.version.cuda
    except ImportError:
        torch_cuda = None
    nvcc, home = find_nvcc()
    return MmcvState(gpu=gpu_present(), torch_cuda=torch_cuda, nvcc=nvcc, cuda_home=home, **mmcv_ops_info())


def report(state: Optional[MmcvState] = None) -> dict:
    """The environment as a dict: torch, CUDA, nvcc, mmcv ops and the plan (also a gpu_check section)."""
    state = state or detect_state()
    out = asdict(state)
    try:
        import torch
        out['torch'] = torch.__version__
        out['cuda_devices'] = torch.cuda.device_count() if torch.cuda.is_available() else 0
    except ImportError:
        out['torch'] = None
    out['ops_ready_for_cuda'] = bool(state.ops and state.ops_cuda)
    plan = mmcv_build_plan(state)
    out['plan'] = plan.action
    out['plan_message'] = plan.message
    return out


def shell_plan(plan: Plan) -> str:
    """The plan as ``eval``-able shell assignments (``MMCV_ACTION``, ``MMCV_MESSAGE``, ``MMCV_CUDA_HOME``)."""
    return '\n'.join(f'{k}={shlex.quote(v or "")}' for k, v in
                     (('MMCV_ACTION', plan.action), ('MMCV_MESSAGE', plan.message), ('MMCV_CUDA_HOME', plan.cuda_home)))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--plan', action='store_true', help="print setup_env.sh's mmcv plan as shell variables")
    p.add_argument('--json', action='store_true', help='print the report as JSON')
    p.add_argument('--require-cuda-ops', action='store_true',
                   help='exit 1 unless mmcv ops are compiled for CUDA (when a GPU is present)')
    args = p.parse_args(argv)
    state = detect_state()
    if args.plan:
        print(shell_plan(mmcv_build_plan(state)))
        return 0
    info = report(state)
    if args.json:
        print(json.dumps(info, indent=1))
    else:
        for key, value in info.items():
            print(f'{key:>20}: {value}')
    if args.require_cuda_ops and state.gpu and not info['ops_ready_for_cuda']:
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
