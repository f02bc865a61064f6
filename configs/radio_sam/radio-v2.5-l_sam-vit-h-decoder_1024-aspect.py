# As radio-v2.5-l_sam-vit-h-decoder_1024.py but without square padding: the long side goes to 1024
# and the short side is padded only to a multiple of 16 (e.g. 768x1024 -> a 48x64 embedding).
_base_ = './radio-v2.5-l_sam-vit-h-decoder_1024.py'
model = dict(pad_to_square=False)
