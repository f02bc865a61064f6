"""tools/deploy/export_onnx.py end to end (the fast SAM target; the library is covered by the other tests)."""
import subprocess
import sys

import pytest

pytest.importorskip('onnxruntime', reason='ONNX tests need the deploy extra: pip install -e .[deploy]')

from tests.conftest import REPO_ROOT  # noqa: E402


def test_cli_exports_and_validates_sam_decoder(tmp_path):
    out = tmp_path / 'sam.onnx'
    proc = subprocess.run([sys.executable, str(REPO_ROOT / 'tools/deploy/export_onnx.py'), 'sam', '--grid', '12', '20',
                           '--out', str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert out.stat().st_size > 1e6  # the decoder's ~4M float32 weights are inside
    assert proc.stdout.count('max abs diff') == 2
    assert 'point_coords' in proc.stdout and 'random' in proc.stderr


def test_cli_rejects_bad_size():
    proc = subprocess.run([sys.executable, str(REPO_ROOT / 'tools/deploy/export_onnx.py'), 'backbone', '--arch',
                           'radio-tiny', '--out', 'x.onnx', '--validate', '240by400'], capture_output=True, text=True)
    assert proc.returncode == 2 and "expected HxW" in proc.stderr
