"""The layering of docs/architecture.md, checked on the source: which part of radio_dense may import which.

Every ``import`` statement of the package counts, also those inside functions (a lazy import is
still a dependency). Runtime checks in ``tests/test_package.py`` cover what importing a package loads.
"""
import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, Set, Tuple

import pytest

from .conftest import REPO_ROOT

PACKAGE = REPO_ROOT / 'radio_dense'
OPENMMLAB = {'mmengine', 'mmcv', 'mmseg', 'mmdet', 'mmpretrain'}
#: modules whose job is to report whether OpenMMLab is installed and how mmcv was built: they must run
#: where it is missing (gpu_check on a bare GPU machine), so they probe it instead of needing it
ENVIRONMENT_PROBES = {'radio_dense/analysis/check_env.py', 'radio_dense/analysis/gpu_env_checks.py'}

#: part of radio_dense -> the other parts it may import (docs/architecture.md, "Each layer depends only
#: on the ones above it"). ``radio_dense`` itself is the package's ``__init__``.
MAY_IMPORT: Dict[str, Set[str]] = {
    'radio_dense': {'radio'},
    'radio': set(),
    'data': set(),
    'sam': {'radio'},
    'sam3': {'radio', 'sam'},  # sam3.visualize draws with sam.utils.visualize; `import radio_dense.sam3` stays light
    'deploy': {'radio', 'sam'},
    'analysis': {'radio', 'data', 'sam', 'deploy'},
    'openmmlab': {'radio', 'data', 'sam', 'sam3', 'deploy', 'analysis'},
    'tools': {'radio', 'data', 'sam', 'sam3', 'deploy', 'analysis', 'openmmlab', 'apps'},
    'apps': {'radio', 'data', 'sam', 'sam3', 'deploy', 'analysis'},
}


def _part(path: Path) -> str:
    if path.is_relative_to(PACKAGE):
        rel = path.relative_to(PACKAGE).parts
        return 'radio_dense' if len(rel) == 1 else rel[0]
    return path.relative_to(REPO_ROOT).parts[0]  # tools/ and apps/ (radio_dense.tools / .apps)


def _module_package(path: Path) -> Tuple[str, ...]:
    rel = path.relative_to(REPO_ROOT).with_suffix('').parts
    return rel[:-1]  # the package a module's relative imports start from (also for __init__)


def imports_of(path: Path) -> Iterator[Tuple[int, str]]:
    """(line, absolute module name) of every import in ``path``; relative imports resolved."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _module_package(path)[:len(_module_package(path)) - node.level + 1]
                yield node.lineno, '.'.join(base + ((node.module,) if node.module else ()))
            else:
                yield node.lineno, node.module


def _package_files():
    """The package's modules: radio_dense/ and the folders it links in as radio_dense.tools / .apps."""
    roots = [PACKAGE, REPO_ROOT / 'tools', REPO_ROOT / 'apps']
    return sorted(p for root in roots for p in root.rglob('*.py') if '__pycache__' not in p.parts)


def test_every_part_has_a_rule():
    parts = {_part(p) for p in _package_files()}
    assert parts <= set(MAY_IMPORT), f'parts of radio_dense without a layering rule: {parts - set(MAY_IMPORT)}'


def test_parts_import_only_the_layers_above_them():
    wrong = []
    for path in _package_files():
        part = _part(path)
        if str(path.relative_to(REPO_ROOT)) in ENVIRONMENT_PROBES:
            continue  # they check OpenMMLab's pieces where it is installed
        for line, name in imports_of(path):
            if name.startswith('radio_dense.'):
                other = name.split('.')[1]
                if other != part and other not in MAY_IMPORT[part]:
                    wrong.append(f'{path.relative_to(REPO_ROOT)}:{line} imports {name}')
    assert wrong == [], 'imports against docs/architecture.md\'s layering:\n' + '\n'.join(wrong)


def test_only_openmmlab_imports_openmmlab():
    """The one rule users rely on: nothing outside ``radio_dense.openmmlab`` needs mmcv or its codebases."""
    wrong = [f'{path.relative_to(REPO_ROOT)}:{line} imports {name}'
             for path in _package_files() if _part(path) not in ('openmmlab', 'tools')
             and str(path.relative_to(REPO_ROOT)) not in ENVIRONMENT_PROBES
             for line, name in imports_of(path) if name.split('.')[0] in OPENMMLAB]
    assert wrong == [], 'OpenMMLab imported outside radio_dense.openmmlab:\n' + '\n'.join(wrong)


def test_core_needs_only_torch_and_timm_at_import():
    """``radio_dense.radio`` imports, at module level, only the standard library, torch, timm and safetensors."""
    allowed = set(sys.stdlib_module_names) | {'torch', 'timm', 'safetensors', 'radio_dense'}
    wrong = []
    for path in (PACKAGE / 'radio').rglob('*.py'):
        for node in ast.parse(path.read_text()).body:  # module level only: optional extras load lazily
            if isinstance(node, (ast.Import, ast.ImportFrom)) and not getattr(node, 'level', 0):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
                wrong += [f'{path.relative_to(REPO_ROOT)}:{node.lineno} {n}' for n in names
                          if n.split('.')[0] not in allowed]
    assert wrong == [], 'the RADIO core imports more than torch + timm at module level:\n' + '\n'.join(wrong)


LOADED = r'''
import json, sys
import {module}
print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))
'''


@pytest.mark.parametrize('module, absent', [
    ('radio_dense.sam3', {'segment_anything', 'pycocotools', *OPENMMLAB}),
    ('radio_dense.deploy', OPENMMLAB),
    ('radio_dense.data', {'segment_anything', *OPENMMLAB}),
])
def test_importing_a_part_loads_only_its_layers(module, absent):
    out = subprocess.run([sys.executable, '-c', LOADED.format(module=module)], cwd=REPO_ROOT, capture_output=True,
                         text=True, timeout=300, check=True)
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert loaded & absent == set(), f'import {module} loaded {sorted(loaded & absent)}'
