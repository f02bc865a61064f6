"""One way in, no side effects: what importing each part of radio_dense pulls in and changes."""
import json
import subprocess
import sys

from .conftest import REPO_ROOT

OPENMMLAB = ('mmengine', 'mmcv', 'mmseg', 'mmdet')

# Runs in a fresh interpreter: which heavy packages got imported, and did torch's global state change?
# torch and timm (the core's own dependencies) are imported first: importing them registers torch's
# DTensor classes as safe globals by itself.
PROBE = r'''
import json, sys
import timm, torch
before = (list(map(repr, torch.serialization.get_safe_globals())), torch.get_default_dtype(),
          torch.get_num_threads(), torch.is_grad_enabled())
import {module}
after = (list(map(repr, torch.serialization.get_safe_globals())), torch.get_default_dtype(),
         torch.get_num_threads(), torch.is_grad_enabled())
top = sorted({{m.split('.')[0] for m in sys.modules}})
print(json.dumps(dict(modules=top, changed=repr(before) != repr(after), safe_globals=after[0])))
'''


def _probe(module: str) -> dict:
    out = subprocess.run([sys.executable, '-c', PROBE.format(module=module)], cwd=REPO_ROOT, capture_output=True,
                         text=True, timeout=300, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_radio_dense_is_model_api_only():
    probe = _probe('radio_dense')
    heavy = [m for m in probe['modules'] if m in OPENMMLAB + ('segment_anything',)]
    assert heavy == [], f'import radio_dense imported {heavy}'
    assert not probe['changed'], 'import radio_dense changed global torch state'
    import radio_dense
    assert {'load_radio', 'create_radio', 'RADIOModel', 'RADIO_ZOO'} <= set(radio_dense.__all__)


def test_import_sam_needs_no_openmmlab():
    probe = _probe('radio_dense.sam')
    assert 'segment_anything' in probe['modules']
    assert [m for m in probe['modules'] if m in OPENMMLAB] == []
    assert not probe['changed']


def test_openmmlab_installs_the_checkpoint_allow_list():
    probe = _probe('radio_dense.openmmlab')
    assert probe['changed'] and any('HistoryBuffer' in g for g in probe['safe_globals'])


def test_core_installs_beside_any_torch_and_only_mm_caps_it(monkeypatch):
    """#20.4: installing radio_dense must not swap a newer torch for an older one; mmcv's build pins it."""
    import runpy
    import setuptools
    captured = {}
    monkeypatch.setattr(setuptools, 'setup', lambda **kwargs: captured.update(kwargs))
    monkeypatch.chdir(REPO_ROOT)
    runpy.run_path(str(REPO_ROOT / 'setup.py'), run_name='__main__')
    core_torch = [r for r in captured['install_requires'] if r.startswith('torch') and not r.startswith('torchv')]
    assert core_torch == ['torch>=2.1']
    assert 'torch>=2.1,<2.10' in captured['extras_require']['mm']
    assert not any(r.startswith('torch') and '<' in r for name, extra in captured['extras_require'].items()
                   if name != 'mm' for r in extra)
