"""``radio_from_config``: the one way from a configuration to a RADIO model.

Every part of radio_dense that is told "which RADIO" (the OpenMMLab backbone, the SAM builder,
the analysis tools) passes a dict to this function instead of choosing between
:func:`load_radio` and :func:`create_radio` itself.
"""
from typing import Any, Mapping, Optional, Sequence, Union

from .loader import create_radio, load_radio
from .model import RADIOModel

RadioConfig = Union[RADIOModel, Mapping[str, Any]]


def _names(value: Optional[Union[str, Sequence[str]]]) -> list:
    return [value] if isinstance(value, str) else list(value or [])


def radio_from_config(cfg: RadioConfig, extra_adaptors: Sequence[str] = ()) -> RADIOModel:
    """A RADIO model from ``dict(source=..., **load options)`` or ``dict(arch=..., **create options)``.

    Args:
        cfg: exactly one of

            - ``source``: pretrained weights, anything :func:`load_radio` accepts (zoo name,
              ``.pth.tar``, Hugging Face folder or repo id), with :func:`load_radio`'s keyword
              arguments (``adaptor_names``, ``vitdet_window_size``, ``drop_path_rate``, ``dtype``...);
            - ``arch``: a random-initialised architecture (``'radio-tiny'``, ``'vit-b-16'``...) with
              :func:`create_radio`'s keyword arguments (``seed``, ``vitdet_window_size``...).

            A ``RADIOModel`` is returned as it is.
        extra_adaptors: adaptors the caller needs on top of ``cfg``'s ``adaptor_names`` (e.g. the
            ``'sam'`` adaptor for SAM's ``adaptor`` neck); only a pretrained ``source`` has them.
    """
    if isinstance(cfg, RADIOModel):
        missing = [n for n in extra_adaptors if n not in cfg.adaptors]
        if missing:
            raise ValueError(f'The given RADIOModel has no adaptor(s) {missing}; it has {sorted(cfg.adaptors)}')
        return cfg
    options = dict(cfg)
    source, arch = options.pop('source', None), options.pop('arch', None)
    if (source is None) == (arch is None):
        raise ValueError(f"A RADIO config needs exactly one of 'source' (pretrained: zoo name, .pth.tar, Hugging "
                         f"Face folder or repo id) and 'arch' (random: 'radio-tiny', 'vit-b-16', 'vit-l-16'...); "
                         f"got {dict(cfg)}")
    names = _names(options.pop('adaptor_names', None))
    names += [n for n in extra_adaptors if n not in names]
    if source is not None:
        return load_radio(source, adaptor_names=names or None, **options)
    if names:
        raise ValueError(f'The adaptors {names} need pretrained weights (source=...): a random arch={arch!r} has no '
                         f'trained adaptors')
    return create_radio(arch, **options)
