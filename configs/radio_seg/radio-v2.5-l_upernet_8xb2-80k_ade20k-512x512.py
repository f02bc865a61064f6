# RADIOv2.5-L fully fine-tuned with SimpleFPN + UPerNet on ADE20K, layer-wise lr decay 0.85.
_base_ = ['./radio-v2.5-b_upernet_8xb2-80k_ade20k-512x512.py', '../_base_/releases/radio_v2.5-l.py']
model = dict(
    backbone=dict(_base_.radio_backbone, drop_path_rate=_base_.radio_drop_path_rate),
    neck=dict(in_channels=_base_.radio_width))
optim_wrapper = dict(paramwise_cfg=dict(decay_rate=_base_.radio_layer_decay))
