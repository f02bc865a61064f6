# C-RADIOv3-B linear probe on ADE20K (upstream protocol: frozen trunk, BN + 1x1 conv, AdamW 1e-3, 80k).
_base_ = ['./radio-v2.5-b_linear_8xb2-80k_ade20k-512x512.py', '../_base_/releases/c-radio_v3-b.py']
model = dict(
    backbone=_base_.radio_backbone,
    decode_head=dict(in_channels=_base_.radio_width, channels=_base_.radio_width))
