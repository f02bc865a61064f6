# C-RADIOv4-H + ViT-Adapter + Mask2Former, ADE20K semantic segmentation: the RADIOv2.5-B recipe (mmseg's
# Mask2Former 160k schedule, 512x512 crops, 8 GPUs x 2) with the release's adapter (interactions after each
# quarter of the blocks), its layer decay and activation checkpointing. Targets: see the B config.
_base_ = ['./radio-v2.5-b_adapter-mask2former_8xb2-160k_ade20k-512x512.py', '../_base_/releases/c-radio_v4-h.py']
model = dict(backbone=dict(_base_.radio_adapter, with_cp=True), decode_head=dict(in_channels=[_base_.radio_width] * 4))
optim_wrapper = dict(paramwise_cfg=dict(decay_rate=_base_.radio_layer_decay))
