# C-RADIOv4-H's `sam3` adaptor (distilled from SAM3's vision trunk) in place of SAM3's own ViT; SAM3's text encoder,
# fusion transformer, decoder and heads from Meta's sam3.pt (https://huggingface.co/facebook/sam3). 1152 px gives
# RADIO SAM3's 72 x 72 token grid. Use: python tools/sam3_predict.py IMAGE --config THIS --text "a dog"
# (or tools/sam3_app.py --config THIS); set model.encoder.vitdet_window_size (e.g. 16) for ViTDet attention.
_base_ = ['../_base_/releases/c-radio_v4-h.py']
model = dict(type='build_radio_sam3', encoder=dict(source=_base_.radio_zoo_name, vitdet_window_size=None),
             sam3_checkpoint='checkpoints/sam3.pt', resolution=1152)
