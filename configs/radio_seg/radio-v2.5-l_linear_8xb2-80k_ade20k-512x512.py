# RADIOv2.5-L linear probe on ADE20K (upstream protocol).
_base_ = ['./radio-v2.5-b_linear_8xb2-80k_ade20k-512x512.py', '../_base_/releases/radio_v2.5-l.py']
model = dict(
    backbone=_base_.radio_backbone,
    decode_head=dict(in_channels=_base_.radio_width, channels=_base_.radio_width))
