# RADIOv2.5-L linear probe on ADE20K (upstream protocol).
_base_ = ['./radio-v2.5-b_linear_8xb2-80k_ade20k-512x512.py']
model = dict(
    backbone=dict(checkpoint='radio_v2.5-l', arch='vit-l-16'),
    decode_head=dict(in_channels=1024, channels=1024))
