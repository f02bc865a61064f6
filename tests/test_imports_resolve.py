"""Every import statement of the package, its tools and apps resolves (lazy ones inside functions too).

A lazy import that names a moved module (``from .hub_export import ...`` after the module moved to
``radio/``) fails only when its code path runs; this finds it on the source. Project modules are
imported and each imported name must exist; third-party modules must be installed (the full
environment of ``tools/setup_env.sh``).
"""
import ast
import importlib
import importlib.util
from pathlib import Path
from typing import Iterator, Optional, Tuple

import pytest

from .conftest import REPO_ROOT
from .test_layering import _module_package, _package_files

pytest.importorskip('mmseg', reason='needs the full environment (tools/setup_env.sh): OpenMMLab code is checked too')

PROJECT = ('radio_dense', 'tests')
#: imports that only resolve in a context the code sets up itself: upstream NVlabs/RADIO's
#: ``hubconf`` and ``radio`` package, from a checkout put on sys.path by the benchmark / fixture tools
CONTEXT_ONLY = {'hubconf', 'radio'}


def _resolve(path: Path, node: ast.AST) -> Iterator[Tuple[str, Optional[str]]]:
    """(module, imported name or None) of one import statement, relative imports made absolute."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name, None
    elif isinstance(node, ast.ImportFrom):
        module = node.module or ''
        if node.level:
            package = _module_package(path)
            module = '.'.join(package[:len(package) - node.level + 1] + ((module,) if module else ()))
        for alias in node.names:
            yield module, alias.name


def _problem(module: str, name: Optional[str]) -> Optional[str]:
    top = module.split('.')[0]
    if top in CONTEXT_ONLY:
        return None
    if top not in PROJECT:
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        return None if found else f'module {module} is not installed'
    try:
        imported = importlib.import_module(module)
    except ImportError as err:
        return f'module {module} cannot be imported: {err}'
    if name is None or name == '*' or hasattr(imported, name):
        return None
    if importlib.util.find_spec(f'{module}.{name}') is not None:
        return None
    return f'{module} has no {name!r}'


def test_every_import_resolves():
    problems = []
    for path in _package_files():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            for module, name in _resolve(path, node):
                problem = _problem(module, name)
                if problem:
                    problems.append(f'{path.relative_to(REPO_ROOT)}:{node.lineno}: {problem}')
    assert problems == [], 'imports that fail when their code runs:\n' + '\n'.join(problems)


def test_a_moved_module_is_found(tmp_path):
    """The check itself: a relative import of a module that is not there is reported."""
    package = REPO_ROOT / 'radio_dense' / 'analysis'
    node = ast.parse('from .hub_export import export_hub_checkpoint').body[0]
    [(module, name)] = list(_resolve(package / 'gpu_check.py', node))
    assert module == 'radio_dense.analysis.hub_export'
    assert 'cannot be imported' in _problem(module, name)
    node = ast.parse('from ..radio import no_such_name').body[0]
    [(module, name)] = list(_resolve(package / 'gpu_check.py', node))
    assert _problem(module, name) == "radio_dense.radio has no 'no_such_name'"
