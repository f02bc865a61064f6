# As radio-v2.5-l_sam-vit-h-decoder_1024.py with the long side at 2048 px (grid 128x128, masks prompts 512x512).
_base_ = './radio-v2.5-l_sam-vit-h-decoder_1024.py'
model = dict(resolution=2048)
