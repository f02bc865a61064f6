# C-RADIOv4-SO400M linear probe on Pascal VOC 2012 (upstream protocol).
_base_ = ['./radio-v2.5-b_linear_8xb2-80k_voc12-512x512.py', '../_base_/releases/c-radio_v4-so400m.py']
model = dict(
    backbone=_base_.radio_backbone,
    decode_head=dict(in_channels=_base_.radio_width, channels=_base_.radio_width))
