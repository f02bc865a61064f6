"""Print the fidelity matrix of docs/fidelity.md: max abs diff to upstream per fixture case and call kind.

    PYTHONPATH=. python tools/dev/fidelity_report.py

Replays every call recorded in ``tests/fixtures/upstream`` (see ``tools/dev/make_upstream_fixture.py``)
on radio_dense in both checkpoint layouts, and every trunk of ``tests/fixtures/upstream/trunks``.
"""
import argparse
import json
import sys
from collections import defaultdict

import radio_dense.tools  # noqa: F401  (first: the tools' process settings, before torch loads)


def model_table() -> None:
    from tests.radio.upstream_fixtures import LAYOUTS, MODEL_CASES, replay
    print('| case | layout | kind | calls | max abs diff |\n|---|---|---|---|---|')
    for case in MODEL_CASES:
        for layout in LAYOUTS:
            by_kind = defaultdict(list)
            for name, diff, _ in replay(case, layout):
                by_kind[name.split('.')[0]].append(diff)
            for kind, diffs in by_kind.items():
                print(f'| {case} | {layout} | {kind} | {len(diffs)} | {max(diffs):.3g} |')


def trunk_table() -> None:
    import torch

    from radio_dense.radio import build_radio
    from radio_dense.radio.checkpoint import RadioCheckpoint
    from tests.radio.seeded_weights import seeded_state
    from tests.radio.upstream_fixtures import FIXTURES
    index = json.loads((FIXTURES / 'trunks' / 'reference.json').read_text())
    outputs = torch.load(FIXTURES / 'trunks' / 'reference.pt', weights_only=True)
    print('\n| trunk (real width, depth 2) | params at full depth | max abs diff |\n|---|---|---|')
    for name, entry in index.items():
        ckpt = RadioCheckpoint(args=dict(entry['args']), summary_idxs=[0, 1, 2], source=name,
                               trunk=seeded_state((k, tuple(s)) for k, s in entry['layout'].items()))
        model = build_radio(ckpt)
        with torch.no_grad():
            diff = (model.model.forward_features(outputs[f'{name}.input']) - outputs[f'{name}.output']).abs().max()
        params = sum(torch.Size(s).numel() for s in entry['full_layout'].values()) / 1e6
        print(f'| `{name}` | {params:.0f}M | {diff.item():.3g} |')


def main(argv=None) -> int:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args(argv)
    import torch
    torch.set_num_threads(1)
    model_table()
    trunk_table()
    return 0


if __name__ == '__main__':
    sys.exit(main())
