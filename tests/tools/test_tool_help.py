"""Every tool answers --help (exit 0) without importing torch or OpenMMLab first: it parses, then loads."""
import subprocess
import sys
from pathlib import Path

import pytest

from ..analysis.conftest import load_tool

REPO = Path(__file__).resolve().parents[2]
# a tool is a script under tools/ (helpers such as tool_args.py, tools/common/ have no __main__ block)
TOOLS = sorted(p.relative_to(REPO).as_posix() for p in (REPO / 'tools').rglob('*.py')
               if "if __name__ == '__main__':" in p.read_text())
HEAVY = ('torch', 'mmengine', 'mmseg', 'mmdet', 'segment_anything', 'cv2')

# runs the tool as __main__ with --help and reports which heavy modules were imported by then
PROBE = r'''
import runpy, sys
path = sys.argv[1]
sys.argv = [path, '--help']
try:
    runpy.run_path(path, run_name='__main__')
except SystemExit as exit:
    code = exit.code
else:
    code = 'no exit'
print('HEAVY:', sorted(m for m in sys.modules if m.split('.')[0] in {heavy}))
print('EXIT:', code)
'''.replace('{heavy}', repr(set(HEAVY)))


def test_every_tool_is_listed():
    assert len(TOOLS) >= 20 and 'tools/train.py' in TOOLS and 'tools/analysis/analyze_logs.py' in TOOLS


@pytest.mark.parametrize('tool', TOOLS)
def test_help_exits_zero_before_heavy_imports(tool):
    proc = subprocess.run([sys.executable, '-c', PROBE, str(REPO / tool)], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'usage:' in proc.stdout, proc.stdout[-2000:]
    assert 'EXIT: 0' in proc.stdout, proc.stdout[-500:]
    assert 'HEAVY: []' in proc.stdout, f'{tool} imports heavy modules before parsing: {proc.stdout[-500:]}'


def test_light_choice_lists_match_the_library():
    from radio_dense.tools import tool_args
    from radio_dense.tools.common.sam3_model_args import SIZES
    from radio_dense.sam3.geometry import MODES
    assert tool_args.SAM3_MODES == MODES and tool_args.SAM3_SIZES == tuple(sorted(SIZES))
    gpu_check = load_tool('analysis/gpu_check.py')
    from radio_dense.analysis.gpu_check import CHECKS
    assert gpu_check.CHECK_NAMES == tuple(CHECKS)
