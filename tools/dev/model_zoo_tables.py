#!/usr/bin/env python
"""Write the model-zoo table of each config folder's README.md from its metafile.yaml (as mmseg's folders have).

The table sits between two marker lines; the rest of the README is left as it is (a README without the
markers gets a "Model zoo" section at its end, a missing README is created). Targets are the published
numbers each config should reproduce, with where they are stated; Results stay empty until a config is
trained and evaluated. ``--check`` changes nothing and exits 1 when a table is stale (tests/test_metafiles.py
runs the same check)::

    python tools/dev/model_zoo_tables.py            # rewrite the tables
    python tools/dev/model_zoo_tables.py --check    # fail on a stale table
"""
import argparse
import sys
from pathlib import Path
from typing import Dict, List

import radio_dense.tools  # noqa: F401  (first: the tools' process settings, before torch loads)

REPO = Path(__file__).resolve().parents[2]
FAMILIES = ('radio_seg', 'radio_det', 'radio_sam', 'radio_zero_shot', 'radio_depth')
BEGIN = '<!-- model-zoo: written by tools/dev/model_zoo_tables.py from metafile.yaml; do not edit by hand -->'
END = '<!-- /model-zoo -->'
TITLES = {'radio_seg': 'RADIO semantic segmentation (mmseg)', 'radio_det': 'RADIO detection and instance segmentation (mmdet)',
          'radio_sam': 'RADIO + SAM decoders (segment-anything prompting)', 'radio_zero_shot': 'RADIO zero-shot segmentation',
          'radio_depth': 'RADIO depth and surface normals (Probe3D probes, mmseg)'}
INPUT_KEYS = ('Crop Size', 'Input Size', 'Resolution')
SCHEDULE_KEYS = (('Lr schd', '{} iters'), ('Iterations', '{} iters'), ('Epochs', '{} epochs'), ('Schedule', '{}'))


def _link(source: str) -> str:
    """``'https://x (what)'`` -> ``[what](https://x)``."""
    url, _, what = str(source).partition(' ')
    return f'[{what.strip("()") or "source"}]({url})' if url.startswith('http') else str(source)


def _cell(value) -> str:
    return str(value).replace('|', '\\|').replace('\n', ' ')


def _targets(model: dict) -> str:
    parts = []
    for target in model.get('Targets') or []:
        metrics = ', '.join(f'{k} {v}' for k, v in target['Metrics'].items())
        parts.append(f"{target['Dataset']} {metrics} ({_link(target['Source'])})")
    return '<br>'.join(parts) or '-'


def _results(model: dict) -> str:
    parts = [', '.join(f'{k} {v}' for k, v in r.get('Metrics', {}).items()) for r in model.get('Results') or []]
    return '<br>'.join(parts) or '-'


def _schedule(meta: dict) -> str:
    return next((fmt.format(meta[k]) for k, fmt in SCHEDULE_KEYS if k in meta), '-')


def zoo_table(metafile: dict) -> str:
    """The markdown table of one metafile's models, in its order."""
    lines = ['| config | backbone | input | schedule | batch | target (published) | result | weights |',
             '| --- | --- | --- | --- | --- | --- | --- | --- |']
    for model in metafile['Models']:
        meta = model.get('Metadata', {})
        config = Path(model['Config']).name
        weights = ' / '.join(filter(None, [
            f"[backbone]({meta['Backbone Weights']})" if meta.get('Backbone Weights') else '',
            f"[model]({model['Weights']})" if model.get('Weights') else '']))
        cells = [f'[{model["Name"]}]({config})', meta.get('Backbone', '-'),
                 next((meta[k] for k in INPUT_KEYS if k in meta), '-'), _schedule(meta), meta.get('Batch Size', '-'),
                 _targets(model), _results(model), weights or '-']
        lines.append('| ' + ' | '.join(_cell(c) for c in cells) + ' |')
    return '\n'.join(lines)


def render(readme: str, table: str, family: str) -> str:
    """``readme`` with its model-zoo section replaced by ``table`` (added at the end, or a new README, if absent)."""
    block = f'{BEGIN}\n{table}\n{END}'
    if BEGIN in readme and END in readme:
        head, rest = readme.split(BEGIN, 1)
        return head + block + rest.split(END, 1)[1]
    if not readme:
        readme = f'# {TITLES[family]}\n'
    return (readme.rstrip('\n') + '\n\n## Model zoo\n\nEvery config in this folder, from `metafile.yaml`: the published '
            'numbers it targets (and where they are stated), our results once measured, and the weights.\n\n'
            + block + '\n')


def expected_readmes(repo: Path = REPO) -> Dict[Path, str]:
    """README path -> its content with an up-to-date model-zoo table, for every config family."""
    import yaml
    out = {}
    for family in FAMILIES:
        folder = repo / 'configs' / family
        readme = folder / 'README.md'
        current = readme.read_text() if readme.exists() else ''
        table = zoo_table(yaml.safe_load((folder / 'metafile.yaml').read_text()))
        out[readme] = render(current, table, family)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--check', action='store_true', help='change nothing; exit 1 if a table is stale')
    args = parser.parse_args(argv)
    stale: List[Path] = []
    for readme, text in expected_readmes().items():
        if readme.exists() and readme.read_text() == text:
            continue
        stale.append(readme)
        if not args.check:
            readme.write_text(text)
            print(f'wrote {readme.relative_to(REPO)}')
    if args.check and stale:
        print('stale model-zoo tables (run python tools/dev/model_zoo_tables.py): '
              + ', '.join(str(p.relative_to(REPO)) for p in stale), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
