"""docs/architecture.md matches the tree: every module and folder of the package is named in it."""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_every_module_and_folder_is_in_the_architecture_tree():
    doc = (REPO / 'docs' / 'architecture.md').read_text()
    package = REPO / 'radio_dense'
    missing = [str(p.relative_to(REPO)) for p in sorted(package.rglob('*.py'))
               if p.name != '__init__.py' and '__pycache__' not in p.parts and not p.is_symlink()
               and not any(part in ('tools', 'apps') for part in p.relative_to(package).parts)
               and not re.search(rf'(?<![\w/]){re.escape(p.stem)}\.py\b', doc)]
    missing += [str(d.relative_to(REPO)) + '/' for d in sorted(package.rglob('*')) if d.is_dir()
                and d.name != '__pycache__' and not d.is_symlink() and f'{d.name}/' not in doc]
    assert not missing, f'add these to the tree in docs/architecture.md: {missing}'
