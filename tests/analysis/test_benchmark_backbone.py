"""benchmark_backbone.py and its helpers: timings, memory probes, hub export, upstream parity."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from radio_dense import create_radio, load_radio
from radio_dense.analysis.benchmark import cpu_rss_supported, max_abs_diff, probe_cpu_memory
from radio_dense.radio.hub_export import save_hub_checkpoint


def test_hub_export_round_trip(tmp_path, hub_checkpoint):
    model = load_radio(hub_checkpoint, adaptor_names=['clip', 'sam'])
    path = save_hub_checkpoint(model, str(tmp_path / 'copy.pth.tar'))
    again = load_radio(path, adaptor_names=['clip', 'sam'])
    x = torch.rand(1, 3, 64, 96)
    with torch.no_grad():
        a, b = model(x), again(x)
    for key in a:
        assert torch.equal(a[key].summary, b[key].summary) and torch.equal(a[key].features, b[key].features)


@pytest.mark.skipif(not cpu_rss_supported(), reason='needs Linux /proc/self/clear_refs')
def test_cpu_peak_rss_sees_a_large_allocation():
    # in a fresh interpreter: in a long-lived one (a pytest worker) freed memory still resident is reused unseen
    code = ('import torch; from radio_dense.analysis.benchmark import cpu_peak_rss_mb; '
            'print(cpu_peak_rss_mb(lambda: torch.ones(64 * 2 ** 20 // 4).sum()))')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2]).stdout
    assert 60 < float(out.split()[-1]) < 200, out


@pytest.mark.skipif(not cpu_rss_supported(), reason='needs Linux /proc/self/clear_refs')
def test_memory_probe_process(tmp_path):
    path = save_hub_checkpoint(create_radio('radio-tiny', seed=0), str(tmp_path / 'tiny.pth.tar'))
    peaks = probe_cpu_memory(path, [('ours', None, 64), ('ours', 2, 64)], timeout=900)  # slow on a loaded machine
    assert set(peaks) == {('ours', None, 64), ('ours', 2, 64)}
    assert all(0 <= v < 500 for v in peaks.values())


def test_benchmark_tool_ours_only(tool, tmp_path, capsys):
    out = tmp_path / 'bench.json'
    rc = tool('analysis/benchmark_backbone.py').main(
        ['--arch', 'radio-tiny', '--sizes', '64', '--vitdet', '2', '--repeats', '2', '--no-memory', '--json', str(out)])
    assert rc == 0
    table = capsys.readouterr().out
    assert '| global | 64 |' in table and '| vitdet 2 | 64 |' in table and 'GFLOP/s' in table
    assert 'vitdet 2 64px: time' in table
    rows = json.loads(out.read_text())['rows']
    assert [r['mode'] for r in rows] == ['global', 'vitdet 2'] and all(r['ours_ms'] > 0 for r in rows)


def test_benchmark_tool_against_upstream(tool, tmp_path, upstream_dir):
    out = tmp_path / 'bench.json'
    rc = tool('analysis/benchmark_backbone.py').main(
        ['--arch', 'radio-tiny', '--sizes', '64', '--vitdet', '2', '--repeats', '1', '--no-memory',
         '--upstream', upstream_dir, '--json', str(out)])
    assert rc == 0
    rows = json.loads(out.read_text())['rows']
    for r in rows:
        assert r['max_abs_diff'] < 1e-4, r
        assert r['upstream_ms'] > 0


def test_max_abs_diff_accepts_both_output_kinds():
    a = (torch.zeros(1, 4), torch.zeros(1, 9, 4))
    b = {'backbone': (torch.zeros(1, 4), torch.full((1, 9, 4), 0.5))}
    assert max_abs_diff(a, b) == 0.5


def test_benchmark_sam_interleaves_encoders_and_reports_clicks(tool, tmp_path, capsys):
    out = tmp_path / 'sam.json'
    rc = tool('analysis/benchmark_sam.py').main(
        ['--device', 'cpu', '--encoders', 'radio-tiny (global)', '--resolution', '256', '--random-embedding',
         '--repeats', '2', '--decoder-repeats', '2', '--threads', '1', '--exact-decoder', '--out-json', str(out)])
    assert rc == 0
    result = json.loads(out.read_text())
    assert len(result['load_per_round']) == 2
    row, exact = result['rows']
    assert row['grid'] == '16x16' and row['set_image_ms'] == '-' and 0 < row['click_min_ms'] <= row['click_ms']
    assert exact['encoder'] == 'radio-tiny (global) [sam forward]' and exact['click_ms'] > 0
    assert 'load average at the start of each round' in capsys.readouterr().out
