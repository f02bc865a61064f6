"""The tools' embedded default checkpoint is inside the repository, and where it is missing (an
installed radio_dense) each tool names options it really has."""
import contextlib
import io
import re
import subprocess

import pytest
from PIL import Image

from radio_dense.tools.common import default_checkpoint

from ..analysis.conftest import load_tool
from ..conftest import REPO_ROOT


def test_default_checkpoint_is_inside_the_repository():
    path = default_checkpoint.FIXTURE_CHECKPOINT
    assert path.is_file() and path.resolve().is_relative_to(REPO_ROOT)
    assert default_checkpoint.default_checkpoint() == str(path)


def test_nothing_in_the_repository_reads_beside_it():
    tracked = subprocess.run(['git', 'ls-files', '-z'], cwd=REPO_ROOT, capture_output=True, text=True,
                             check=True).stdout.split('\0')
    texts = [p for p in tracked if p.endswith(('.py', '.md', '.sh', '.txt', '.json', '.ini', '.cfg', '.yml', '.yaml'))
             or p in ('Makefile', '.ci/run')]
    outside = re.compile(r"\.\./shared|'shared' */|\"shared\" */")
    hits = [p for p in texts if p != 'tests/tools/test_default_checkpoint.py' and (REPO_ROOT / p).is_file()
            and outside.search((REPO_ROOT / p).read_text(errors='replace'))]
    assert len(texts) > 100 and hits == []


def _help(tool, argv):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        tool.parse_args(argv + ['--help'])
    return out.getvalue()


@pytest.fixture
def image(tmp_path):
    path = tmp_path / 'img.png'
    Image.new('RGB', (64, 48), (120, 30, 200)).save(path)
    return str(path)


@pytest.mark.parametrize('tool_path, argv, needed', [
    ('demo.py', ['--skip-train'], ['--checkpoint']),
    ('analysis/visualize_features.py', [], ['--checkpoint', '--arch']),
    ('analysis/resolution_sweep.py', [], ['--checkpoint', '--arch']),
    ('deploy/export_onnx.py', ['backbone', '--out', 'x.onnx'], ['--checkpoint', '--arch']),
    ('sam_predict.py', ['IMAGE', '--points', '10,10'], ['--radio', '--config']),
    ('sam3_predict.py', ['IMAGE', '--text', 'shape'], ['--radio']),
])
def test_missing_default_names_the_tools_own_options(monkeypatch, tmp_path, image, tool_path, argv, needed):
    monkeypatch.setattr(default_checkpoint, 'FIXTURE_CHECKPOINT', tmp_path / 'absent' / 'radio-tiny.pth.tar')
    monkeypatch.chdir(tmp_path)
    argv = [image if a == 'IMAGE' else a for a in argv]
    tool = load_tool(tool_path)
    with pytest.raises(SystemExit) as err, contextlib.redirect_stdout(io.StringIO()):
        tool.main(argv)
    message = str(err.value.code)
    assert 'absent' in message and 'is missing' in message, message
    named = set(re.findall(r'(--[a-z][a-z0-9-]*)', message))
    assert set(needed) <= named, message
    options = set(re.findall(r'(--[a-z][a-z0-9-]*)', _help(tool, argv[:1] if tool_path.startswith('deploy') else [])))
    assert named <= options, f'{tool_path} names options it lacks: {sorted(named - options)}'
