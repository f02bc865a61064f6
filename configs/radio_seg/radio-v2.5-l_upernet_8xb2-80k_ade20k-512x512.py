# RADIOv2.5-L fully fine-tuned with SimpleFPN + UPerNet on ADE20K, layer-wise lr decay 0.85.
_base_ = ['./radio-v2.5-b_upernet_8xb2-80k_ade20k-512x512.py']
model = dict(
    backbone=dict(checkpoint='radio_v2.5-l', arch='vit-l-16', drop_path_rate=0.2),
    neck=dict(in_channels=1024))
optim_wrapper = dict(paramwise_cfg=dict(decay_rate=0.85))
