"""tools/analysis/gpu_check.py --device cpu --quick: every section runs and reports real numbers."""
import json

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
    assert list(sections) == ['fidelity', 'sdpa_kernels', 'latency', 'sam']

    fidelity = sections['fidelity']['rows']
    exact = [r for r in fidelity if r['check'] == 'fp32 device vs cpu']
    assert [r['mode'] for r in exact] == ['global', 'vitdet 4'] and all(r['max_abs_diff'] == 0 for r in exact)
    bf16 = [r for r in fidelity if r['check'] == 'bf16 autocast vs fp32']
    assert all(0.99 < r['min_cosine'] <= 1.0 and 0 < r['rel_l2'] < 0.05 for r in bf16)

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
