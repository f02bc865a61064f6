"""``build_radio_sam``: a :class:`RadioSam` from plain arguments (what configs and tools use)."""
import warnings
from typing import Any, Dict, Optional, Union

import torch
from torch import nn

from ..radio import RADIOModel, radio_from_config
from ..radio.conditioner import InputConditioner
from .modeling import AdaptorNeck, ConvNeck, RadioSam, RadioSamImageEncoder
from .modeling.radio_sam import RADIO_PIXEL_MEAN, RADIO_PIXEL_STD

NECK_TYPES = ('adaptor', 'conv')


def build_radio_encoder(cfg: Union[RADIOModel, Dict[str, Any]], adaptor_name: Optional[str] = None) -> RADIOModel:
    """The RADIO of a RadioSam: :func:`radio_dense.radio_from_config` plus the adaptor the neck reads.

    ``cfg``: ``dict(source=<zoo name | .pth.tar | HF folder or repo>, **load_radio kwargs)`` for
    pretrained weights, ``dict(arch='vit-b-16', **create_radio kwargs)`` for a random model, or a
    ``RADIOModel``. ``adaptor_name`` is added to ``adaptor_names`` (the ``'adaptor'`` neck needs it).
    """
    return radio_from_config(cfg, extra_adaptors=[adaptor_name] if adaptor_name else ())


def _external_statistics(radio: RADIOModel):
    conditioner = radio.make_preprocessor_external()
    if isinstance(conditioner, InputConditioner):
        return (255.0 * conditioner.norm_mean.flatten()).tolist(), (255.0 * conditioner.norm_std.flatten()).tolist()
    warnings.warn('The RADIO input conditioner was already external; assuming the CLIP mean/std RADIO uses.')
    return list(RADIO_PIXEL_MEAN), list(RADIO_PIXEL_STD)


def _build_neck(neck: Union[str, Dict[str, Any], nn.Module], radio: RADIOModel) -> nn.Module:
    if isinstance(neck, nn.Module):
        return neck
    cfg = {'type': neck} if isinstance(neck, str) else dict(neck)
    kind = cfg.pop('type', 'adaptor')
    if kind == 'adaptor':
        return AdaptorNeck(**cfg)
    if kind == 'conv':
        if 'in_channels' not in cfg:
            if cfg.get('source', 'backbone') != 'backbone':
                raise ValueError(f"Set in_channels for a conv neck reading adaptor {cfg['source']!r}")
            cfg['in_channels'] = radio.embed_dim
        return ConvNeck(**cfg)
    raise ValueError(f'Unknown neck type {kind!r}; use one of {NECK_TYPES} or pass an nn.Module')


def build_radio_sam(encoder: Union[RADIOModel, Dict[str, Any]], neck: Union[str, Dict[str, Any], nn.Module] = 'adaptor',
                    decoder_checkpoint: Optional[str] = None, checkpoint: Optional[str] = None,
                    resolution: int = 1024, pad_to_square: bool = True, freeze_encoder: bool = True,
                    seed: Optional[int] = None) -> RadioSam:
    """Build a :class:`RadioSam`.

    Args:
        encoder: a ``RADIOModel`` or a config dict (see :func:`build_radio_encoder`). Its input
            conditioner is detached: ``RadioSam.preprocess`` normalises.
        neck: ``'adaptor'`` (the checkpoint's ``sam`` adaptor, 256 ch), ``'conv'`` (trainable SAM-style
            neck on backbone features), a dict ``{'type': ..., **kwargs}`` or a module.
        decoder_checkpoint: official SAM checkpoint or extracted ``.safetensors`` for the prompt
            encoder and mask decoder; ``None``: random initialisation.
        checkpoint: a full RadioSam state dict (e.g. a fine-tuned conv neck), loaded last.
        resolution / pad_to_square: the model's default geometry.
        freeze_encoder: RADIO gets no gradients (necks and decoder can still train).
        seed: seed for the random parts (neck, decoder without checkpoint).
    """
    neck_cfg = {'type': neck} if isinstance(neck, str) else neck
    adaptor_name = None
    if isinstance(neck_cfg, dict) and neck_cfg.get('type', 'adaptor') == 'adaptor':
        adaptor_name = neck_cfg.get('adaptor_name', 'sam')
    elif isinstance(neck_cfg, dict) and neck_cfg.get('source', 'backbone') != 'backbone':
        adaptor_name = neck_cfg['source']
    radio = build_radio_encoder(encoder, adaptor_name)
    pixel_mean, pixel_std = _external_statistics(radio)
    if seed is not None:
        torch.manual_seed(seed)
    image_encoder = RadioSamImageEncoder(radio, _build_neck(neck_cfg, radio), img_size=resolution,
                                         freeze_radio=freeze_encoder)
    model = RadioSam(image_encoder, pixel_mean=pixel_mean, pixel_std=pixel_std, resolution=resolution,
                     pad_to_square=pad_to_square)
    if decoder_checkpoint:
        model.load_decoder_weights(decoder_checkpoint)
    if checkpoint:
        from .model_checkpoint import load_radio_sam_weights
        load_radio_sam_weights(model, checkpoint)
    return model.eval()
