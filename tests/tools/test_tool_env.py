"""Every tool applies the tools' process settings (OMP_WAIT_POLICY=PASSIVE unless the user set one)
before torch loads: ``radio_dense.tools`` sets them and every tool imports it before anything heavy."""
import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .test_tool_help import TOOLS as TOOL_FILES

REPO = Path(__file__).resolve().parents[2]
TOOLS = [REPO / p for p in TOOL_FILES]


def _first_heavy_import(path: Path):
    """The first module-level import that is neither the standard library nor radio_dense.tools, if it
    comes before ``import radio_dense.tools``; ``None`` when radio_dense.tools comes first."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module]
        else:
            continue
        for name in names:
            if name == 'radio_dense.tools' or name.startswith('radio_dense.tools.'):
                return None
            if name.split('.')[0] not in sys.stdlib_module_names:
                return name
    return 'no import of radio_dense.tools'


def test_every_tool_imports_the_tool_settings_first():
    assert len(TOOLS) >= 25
    late = {str(p.relative_to(REPO)): _first_heavy_import(p) for p in TOOLS}
    assert {k: v for k, v in late.items() if v} == {}


def test_the_checker_sees_a_late_import(tmp_path):
    bad = tmp_path / 'bad.py'
    bad.write_text('import os\nimport torch\nfrom radio_dense.tools.tool_args import key_value\n')
    assert _first_heavy_import(bad) == 'torch'


PROBE = "import os, sys, radio_dense.tools; print(os.environ.get('OMP_WAIT_POLICY'), 'torch' in sys.modules)"


@pytest.mark.parametrize('user_value, expected', [(None, 'PASSIVE'), ('ACTIVE', 'ACTIVE')])
def test_tools_package_sets_passive_wait_policy_before_torch(user_value, expected):
    env = {k: v for k, v in os.environ.items() if k != 'OMP_WAIT_POLICY'}
    if user_value:
        env['OMP_WAIT_POLICY'] = user_value
    out = subprocess.run([sys.executable, '-c', PROBE], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=120, check=True).stdout.split()
    assert out == [expected, 'False']
