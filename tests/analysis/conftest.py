"""Helpers of the analysis-tool tests: run a tool's ``main`` in-process, find an upstream checkout."""
import importlib
import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def load_tool(relpath: str):
    """Import a tool (``'analysis/gpu_check.py'``) as its module of radio_dense.tools; ``main(argv)`` is then
    callable."""
    return importlib.import_module('radio_dense.tools.' + relpath[:-len('.py')].replace('/', '.'))


@pytest.fixture(scope='session')
def tool():
    return load_tool


@pytest.fixture(scope='session')
def upstream_dir() -> str:
    """A NVlabs/RADIO checkout ($RADIO_UPSTREAM, default /tmp/radio_up); tests needing it skip without."""
    path = os.environ.get('RADIO_UPSTREAM', '/tmp/radio_up')
    if not (Path(path) / 'hubconf.py').is_file():
        pytest.skip(f'no NVlabs/RADIO checkout at {path} (set RADIO_UPSTREAM)')
    pytest.importorskip('einops')
    return path
