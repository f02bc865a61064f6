# RADIOv2.5-L + a DPT-style head for NYUv2 depth (frozen trunk, blocks 6/12/18/24 reassembled at x4/x2/x1/x0.5).
_base_ = ['./radio_v2.5-b_dpt_8xb8-25k_nyu-depth-480x480.py', '../_base_/releases/radio_v2.5-l.py']
model = dict(
    backbone=dict(_base_.radio_backbone, out_indices=(5, 11, 17, 23)),
    decode_head=dict(in_channels=[_base_.radio_width] * 4))
