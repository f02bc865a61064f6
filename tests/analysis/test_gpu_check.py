"""tools/analysis/gpu_check.py --device cpu --quick: every section runs and reports real numbers."""
import json
import sys

from tests.conftest import REPO_ROOT


def _load_tool():
    import importlib.util
    spec = importlib.util.spec_from_file_location('gpu_check_tool', REPO_ROOT / 'tools/analysis/gpu_check.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gpu_check_quick_on_cpu(tmp_path):
    assert _load_tool().main(['--device', 'cpu', '--quick', '--out-dir', str(tmp_path)]) == 0
    report = json.loads((tmp_path / 'gpu_check.json').read_text())
    sections = report['sections']
    assert list(sections) == ['env', 'fidelity', 'sdpa_kernels', 'latency', 'training', 'memory', 'mmcv_ops', 'ddp',
                              'sam']
    env = {r['item']: r for r in sections['env']['rows']}
    assert env['mmcv ops compiled for']['value'] == 'CPU only' and env['timm']['value'].startswith('1.')
    assert env['setup_env.sh mmcv plan']['value'].startswith('ok: ')

    training = sections['training']['rows']
    assert [r['dtype'] for r in training] == ['fp32', 'fp16', 'bf16']
    assert all(r['ok'] and r['loss_last'] < r['loss_first'] and r['grad_cosine_vs_fp32'] > 0.99 for r in training)
    memory = sections['memory']['rows']
    assert [r['mode'] for r in memory] == ['global', 'vitdet 4'] and all(r['ok'] and r['params_m'] > 1 for r in memory)
    ops = sections['mmcv_ops']['rows']
    assert {(r['op'], r['autocast']) for r in ops if r['ok']} == {
        (op, a) for op in ('RoIAlign', 'nms', 'MultiScaleDeformableAttention') for a in ('none', 'bf16')}
    ddp = sections['ddp']['rows']
    assert ddp[0]['backend'] == 'gloo (1 process)' and ddp[0]['params_equal_across_ranks'] and ddp[0]['ok']

    fidelity = sections['fidelity']['rows']
    exact = [r for r in fidelity if r['check'] == 'fp32 device vs cpu']
    assert [r['mode'] for r in exact] == ['global', 'vitdet 4'] and all(r['max_abs_diff'] == 0 for r in exact)
    bf16 = [r for r in fidelity if r['check'].startswith('bf16 autocast vs fp32')]
    assert all(0.99 < r['min_cosine'] <= 1.0 and 0 < r['rel_l2'] < 0.05 for r in bf16) and len(bf16) == 4
    scra = [r for r in fidelity if r['check'] == 'fp32 device vs cpu, SCRA last block']
    assert [r['mode'] for r in scra] == ['global', 'vitdet 4'] and all(r['max_abs_diff'] == 0 for r in scra)

    kernels = {r['backend']: r for r in sections['sdpa_kernels']['rows']}
    assert kernels['FLASH_ATTENTION']['kernels'] == 'aten::_scaled_dot_product_flash_attention_for_cpu'
    assert kernels['MATH']['ran'] and kernels['MATH']['max_abs_diff_vs_default'] < 1e-5
    assert not kernels['EFFICIENT_ATTENTION']['ran'] and 'backend' in kernels['EFFICIENT_ATTENTION']['reason']

    latency = sections['latency']['rows']
    assert [(r['mode'], r['input']) for r in latency] == [('global', 64), ('global', 128), ('vitdet 4', 64),
                                                         ('vitdet 4', 128)]
    assert all(r['ours_ms'] > 0 and r['gflops'] > 0.1 and r['ours_mfu'] is None for r in latency)
    assert latency[2]['gflops'] < latency[0]['gflops']  # windows save attention FLOPs

    sam = sections['sam']['rows']
    assert [r['encoder'] for r in sam] == ['radio radio-tiny (global)', 'radio radio-tiny (vitdet 4)']
    assert all(r['set_image_ms'] > 0 and r['click_ms'] > 0 for r in sam)
    table = (tmp_path / 'gpu_check.md').read_text()
    assert '## latency' in table and '| radio-tiny | vitdet 4 | 128 |' in table


def test_gpu_check_without_optional_packages(tmp_path, monkeypatch):
    """The GPU machine has torch + timm only: mmcv's and SAM's sections say what is missing, the rest runs."""
    for name in ('mmcv', 'mmengine', 'mmseg', 'mmdet', 'segment_anything', 'sam3', 'onnxruntime'):
        monkeypatch.setitem(sys.modules, name, None)  # import raises ImportError
    for name in [m for m in sys.modules if m.startswith(('mmcv.', 'radio_dense.openmmlab', 'radio_dense.sam'))]:
        monkeypatch.delitem(sys.modules, name)
    out = tmp_path / 'out'
    assert _load_tool().main(['--device', 'cpu', '--quick', '--out-dir', str(out),
                              '--checks', 'env', 'memory', 'mmcv_ops', 'sam']) == 0
    sections = json.loads((out / 'gpu_check.json').read_text())['sections']
    env = {r['item']: r['value'] for r in sections['env']['rows']}
    assert env['mmcv'].startswith('missing') and env['segment_anything'].startswith('missing')
    assert env['mmcv ops compiled for'] == 'no mmcv'
    assert 'mmcv with compiled ops not importable' in sections['mmcv_ops']['rows'][0]['skipped']
    assert 'segment-anything not importable' in sections['sam']['rows'][0]['skipped']
    assert all(r['ok'] for r in sections['memory']['rows'])


def test_gpu_check_upstream_side_by_side_builds_from_our_checkpoint(monkeypatch):
    """--upstream: our model is saved as a hub checkpoint and handed to upstream's loader (was an ImportError)."""
    import os

    import torch

    from radio_dense.analysis import benchmark, gpu_check
    seen = {}

    def fake_build_upstream(upstream_dir, path, window, device):
        seen.update(dir=upstream_dir, window=window, device=device, saved=os.path.getsize(path) > 0,
                    keys=set(torch.load(path, map_location='cpu', weights_only=False)))
        return 'upstream model'

    monkeypatch.setattr(benchmark, 'build_upstream', fake_build_upstream)
    plan = gpu_check.CheckPlan.for_run('cpu', quick=True, upstream='/path/to/RADIO')
    model = gpu_check.create_radio('radio-tiny', vitdet_window_size=4, seed=0)
    assert gpu_check._upstream_model(plan, model, 4) == 'upstream model'
    assert seen['dir'] == '/path/to/RADIO' and seen['window'] == 4 and seen['saved'] and 'state_dict' in seen['keys']


def test_gpu_check_sections_listed_in_the_tool():
    from radio_dense.analysis.gpu_check import CHECKS
    assert tuple(CHECKS) == _load_tool().CHECK_NAMES
