"""Replay the calls recorded by ``tools/dev/make_upstream_fixture.py`` on radio_dense and measure the gaps.

Used by the fidelity tests and by ``tools/dev/fidelity_report.py`` (the max-diff table of
``docs/fidelity.md``).
"""
import json
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Tuple

import torch

from radio_dense.radio import build_radio, load_radio, read_checkpoint

FIXTURES = Path(__file__).resolve().parents[1] / 'fixtures' / 'upstream'
MODEL_CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / 'model.pth.tar').is_file())
LAYOUTS = ('hub', 'hf')
TOL = 1e-4
BF16_TOL = 1e-2  # one bf16 step at |x| ~ 2, for kernels that round differently elsewhere (0 here)


def source(case: str, layout: str) -> str:
    return str(FIXTURES / case / ('model.pth.tar' if layout == 'hub' else 'hf'))


@lru_cache(maxsize=None)
def reference(case: str) -> Tuple[dict, Dict[str, torch.Tensor]]:
    with open(FIXTURES / case / 'reference.json') as f:
        index = json.load(f)
    return index, torch.load(FIXTURES / case / 'reference.pt', weights_only=True)


def flatten_outputs(obj, prefix: str = '') -> Dict[str, torch.Tensor]:
    """``{'0.backbone.1': tensor, ...}`` for nested tuples/lists/dicts of tensors (the fixture tool records with it)."""
    if isinstance(obj, torch.Tensor):
        return {prefix.rstrip('.'): obj}
    if obj is None:
        return {}
    items = obj.items() if isinstance(obj, dict) else enumerate(obj)
    out = {}
    for k, v in items:
        out.update(flatten_outputs(v, f'{prefix}{k}.'))
    return out


def load_model(case: str, layout: str, load: dict):
    """radio_dense's model for one recorded upstream ``radio_model(...)`` call."""
    load = dict(load)
    args_dtype = load.pop('args_dtype', None)
    if args_dtype is None:
        return load_radio(source(case, layout), **load)
    ckpt = read_checkpoint(source(case, layout))  # the same checkpoint, as if saved with args.dtype
    ckpt.args['dtype'] = getattr(torch, args_dtype) if layout == 'hub' else args_dtype
    return build_radio(ckpt, dtype='checkpoint', **load)


def replay(case: str, layout: str) -> List[Tuple[str, float, float]]:
    """``(call name, max abs diff, tolerance)`` for every recorded call; raises on shape/key mismatch."""
    index, tensors = reference(case)
    models = {}
    results = []
    for call in index['calls']:
        key = json.dumps(call['load'], sort_keys=True)
        if key not in models:
            models[key] = load_model(case, layout, call['load'])
        model = models[key]
        x = tensors[f'input.{call["input"]}'].float() / 255
        with torch.no_grad():
            out = flatten_outputs(getattr(model, call['method'])(x, **call['kwargs']))
        expected = {path: tensors[h] for path, h in call['outputs'].items()}
        if out.keys() != expected.keys():
            raise AssertionError(f'{case}/{layout} {call["name"]}: outputs {sorted(out)} != upstream {sorted(expected)}')
        worst = 0.0
        for path, exp in expected.items():
            got = out[path]
            if got.shape != exp.shape:
                raise AssertionError(f'{case}/{layout} {call["name"]}[{path}]: shape {tuple(got.shape)} != '
                                     f'{tuple(exp.shape)} (kwargs {call["kwargs"]})')
            worst = max(worst, (got.float() - exp.float()).abs().max().item())
        results.append((call['name'], worst, BF16_TOL if 'args_dtype' in call['load'] else TOL))
    return results
