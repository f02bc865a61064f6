# RADIOv2.5-L at 2048 px with ViTDet windowed attention (16x16-patch windows, the release's global
# blocks): linear cost in the image size for the windowed blocks.
_base_ = './radio-v2.5-l_sam-vit-h-decoder_2048.py'
model = dict(encoder=dict(vitdet_window_size=16))
