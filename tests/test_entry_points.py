"""The command-line entry points work from an installed radio_dense, outside the checkout.

The checkout is installed into a scratch virtual environment (its dependencies come from this
interpreter's site-packages through a ``.pth`` file), as a plain ``pip install`` (a wheel) and as
``tools/setup_env.sh`` installs it for ``make`` (editable, with this environment's setuptools); then
every ``radio-*`` console command, ``python -m radio_dense.tools.<tool>`` and the web app's package
are run from an empty folder with no PYTHONPATH.
"""
import ast
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from .conftest import REPO_ROOT

pytestmark = pytest.mark.slow


def _console_scripts():
    tree = ast.parse((REPO_ROOT / 'setup.py').read_text())
    node = next(n for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == 'CONSOLE_SCRIPTS')
    return ast.literal_eval(node.value)


@pytest.fixture(scope='module', params=['wheel', 'editable'])
def venv(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(f'venv_{request.param}')
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(root)], check=True, timeout=120)
    python = root / 'bin' / 'python'
    site = subprocess.run([str(python), '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, '_radio_dense_deps.pth').write_text(sysconfig.get_paths()['purelib'] + '\n')
    target = ['-e', str(REPO_ROOT)] if request.param == 'editable' else [str(REPO_ROOT)]
    install = subprocess.run([sys.executable, '-m', 'pip', '--python', str(python), 'install', '-q', '--no-deps',
                              '--no-build-isolation', '--no-index', *target], capture_output=True, text=True,
                             timeout=600)
    assert install.returncode == 0, install.stdout[-2000:] + install.stderr[-2000:]
    return request.param, root


def _run(venv_root: Path, cwd: Path, *cmd: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'PYTHONHOME', 'VIRTUAL_ENV')}
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f'{cmd} failed ({proc.returncode}):\n{proc.stdout[-1500:]}{proc.stderr[-3000:]}'
    return proc.stdout


def test_every_console_command_answers_help(venv, tmp_path):
    kind, root = venv
    scripts = _console_scripts()
    assert len(scripts) >= 13
    for name, _ in scripts:
        assert f'usage: {name}' in _run(root, tmp_path, str(root / 'bin' / name), '--help'), name


def test_python_m_tools_and_the_web_app_package(venv, tmp_path):
    kind, root = venv
    python = str(root / 'bin' / 'python')
    assert 'usage: ' in _run(root, tmp_path, python, '-m', 'radio_dense.tools.sam_predict', '--help')
    assert 'usage: ' in _run(root, tmp_path, python, '-m', 'radio_dense.tools.deploy.export_onnx', '--help')
    where = _run(root, tmp_path, python, '-c', 'import radio_dense.tools.sam_app, radio_dense.apps.sam_web.server as s; '
                                               'print(s.__file__)').strip()
    expected = REPO_ROOT if kind == 'editable' else root
    assert Path(where).resolve().is_relative_to(expected.resolve()), where
