"""Freeze the parameters a model's forward cannot give a gradient to.

PyTorch DDP with ``find_unused_parameters=False`` (mmengine's default) expects a gradient for every
parameter with ``requires_grad`` at every iteration; one it never gets (a trunk's final norm the
outputs skip, an adaptor's summary head when only its features are used, blocks after the last
output index) ends training at the second iteration with "Expected to have finished reduction in
the prior iteration". Which parameters those are depends on the configuration, so it is derived
from the forward itself: one forward on a tiny input builds the autograd graph, and every
trainable parameter that graph does not reach is frozen.
"""
from typing import Callable, Iterable, List, Set

import torch
from mmengine.logging import print_log
from torch import nn


def reached_parameters(outputs) -> Set[int]:
    """``id()`` of every leaf tensor the autograd graph of ``outputs`` (tensors, nested sequences) reaches."""
    stack = [t.grad_fn for t in _tensors(outputs) if t.grad_fn is not None]
    seen, leaves = set(), set()
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        variable = getattr(node, 'variable', None)  # AccumulateGrad: a leaf that would receive a gradient
        if variable is not None:
            leaves.add(id(variable))
        stack.extend(next_node for next_node, _ in node.next_functions)
    return leaves


def _tensors(obj) -> Iterable[torch.Tensor]:
    if isinstance(obj, torch.Tensor):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _tensors(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _tensors(v)


def freeze_unreached(module: nn.Module, run: Callable[[], object], owner: str) -> List[str]:
    """Run ``run()`` (a forward of ``module`` on a tiny input) and freeze what its outputs do not depend on.

    The probe runs in eval mode (no running statistics change, no dropout) with gradients on, then
    every submodule gets its train/eval mode back. Parameters on the meta device are left alone
    (nothing can run). Returns the names of the parameters frozen; a log line lists them.
    """
    trainable = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
    if not trainable or any(p.is_meta for _, p in trainable):
        return []
    modes = [(m, m.training) for m in module.modules()]
    try:
        for m, _ in modes:
            m.training = False
        with torch.enable_grad():
            reached = reached_parameters(run())
    finally:
        for m, training in modes:
            m.training = training
    frozen = [n for n, p in trainable if id(p) not in reached]
    for n, p in trainable:
        if id(p) not in reached:
            p.requires_grad_(False)
    if frozen:
        print_log(f'{owner}: {len(frozen)} parameter(s) cannot receive a gradient in this configuration and are '
                  f'frozen (DDP with find_unused_parameters=False needs a gradient for every trainable parameter): '
                  f'{_summarise(frozen, [n for n, _ in trainable])}', logger='current')
    return frozen


def _summarise(frozen: List[str], trainable: List[str], limit: int = 8) -> str:
    """The frozen names as the largest submodules frozen whole (``radio.model.blocks.3.*``), at most ``limit``."""
    frozen_set, parts = set(frozen), []
    for name in frozen:
        pieces = name.split('.')
        for k in range(1, len(pieces) + 1):
            prefix = '.'.join(pieces[:k])
            under = [n for n in trainable if n == prefix or n.startswith(prefix + '.')]
            if all(n in frozen_set for n in under):
                label = prefix if k == len(pieces) else prefix + '.*'
                if label not in parts:
                    parts.append(label)
                break
    more = f' and {len(parts) - limit} more' if len(parts) > limit else ''
    return ', '.join(parts[:limit]) + more
