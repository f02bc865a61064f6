# As radio-v2.5-l_sam-vit-h-decoder_1024.py with the long side at 512 px (grid 32x32, masks prompts 128x128).
_base_ = './radio-v2.5-l_sam-vit-h-decoder_1024.py'
model = dict(resolution=512)
