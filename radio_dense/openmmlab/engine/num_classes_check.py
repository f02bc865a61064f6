"""Check the model's ``num_classes`` against the data sets' classes when the runner is built.

Too few classes crash deep inside the loss (``IndexError: Target 4 is out of bounds``); too many
train silently with classes that never appear. Both are configuration mistakes with one fix.
"""
from typing import Iterator, List, Optional, Sequence, Tuple

from mmengine.config import Config, ConfigDict

LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


class NumClassesError(ValueError):
    """A head's ``num_classes`` that does not match the data set's classes."""


def _heads(node, path: str = 'model') -> Iterator[Tuple[str, int]]:
    """``(config path, num_classes)`` of every head in the model config (lists included)."""
    if isinstance(node, (dict, ConfigDict)):
        value = node.get('num_classes')
        if isinstance(value, int) and not isinstance(value, bool):
            yield f'{path}.num_classes', value
        for key, child in node.items():
            if key not in ('train_cfg', 'test_cfg', 'data_preprocessor', 'rpn_head'):  # RPN: object vs not
                yield from _heads(child, f'{path}.{key}')
    elif isinstance(node, (list, tuple)):
        for i, child in enumerate(node):
            yield from _heads(child, f'{path}.{i}')


def _dataset_classes(dataset, scope: str) -> Optional[Sequence[str]]:
    """The class names a dataset config declares (its ``metainfo`` or its type's ``METAINFO``)."""
    if not isinstance(dataset, (dict, ConfigDict)):
        return None
    if dataset.get('type') in ('ConcatDataset', 'RepeatDataset', 'ClassBalancedDataset', 'MultiImageMixDataset'):
        inner = dataset.get('datasets') or [dataset.get('dataset')]
        return next((c for c in (_dataset_classes(d, scope) for d in inner) if c), None)
    metainfo = dataset.get('metainfo') or {}
    if metainfo.get('classes'):
        return list(metainfo['classes'])
    try:
        registry = __import__(f'{scope}.registry', fromlist=['DATASETS']).DATASETS
        cls = registry.get(dataset.get('type')) if isinstance(dataset.get('type'), str) else dataset.get('type')
    except Exception:  # noqa: BLE001 - unknown type: the runner will say so
        return None
    classes = (getattr(cls, 'METAINFO', None) or {}).get('classes')
    return list(classes) if classes else None


def check_num_classes(cfg: Config) -> None:
    """:class:`NumClassesError` when a head's ``num_classes`` differs from the number of classes of a data set."""
    heads: List[Tuple[str, int]] = list(_heads(cfg.get('model') or {}))
    if not heads:
        return
    for loader in LOADERS:
        classes = _dataset_classes((cfg.get(loader) or {}).get('dataset'), cfg.get('default_scope') or 'mmengine')
        if not classes:
            continue
        wrong = [(path, n) for path, n in heads if n != len(classes)]
        if wrong:
            listing = ', '.join(map(str, classes[:12])) + (', ...' if len(classes) > 12 else '')
            settings = ' '.join(f'{path}={len(classes)}' for path, _ in wrong)
            raise NumClassesError(
                f'{", ".join(f"{p}={n}" for p, n in wrong)} but {loader}.dataset has {len(classes)} classes '
                f'({listing}). Too few classes crash the loss on the first label beyond them; too many train '
                f'classes that never occur. Set {settings} (e.g. --cfg-options {settings}), or give the data set '
                f'the matching metainfo=dict(classes=...).')
