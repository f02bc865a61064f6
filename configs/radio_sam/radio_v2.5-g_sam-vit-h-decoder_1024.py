# RADIOv2.5-g's `sam` adaptor + SAM ViT-H prompt encoder / mask decoder, 1024 px, square padding (see the B config).
_base_ = ['./radio-v2.5-b_sam-vit-h-decoder_1024.py', '../_base_/releases/radio_v2.5-g.py']
model = dict(encoder=dict(source=_base_.radio_zoo_name))
