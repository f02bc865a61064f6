# C-RADIOv4-SO400M's `sam3` adaptor + SAM3's prompting parts (see the C-RADIOv4-H config).
_base_ = './c-radio_v4-h_sam3_1152.py'
model = dict(encoder=dict(source='c-radio_v4-so400m'))
