# RADIOv2.5-B: its `sam` adaptor (distilled from SAM ViT-H's image encoder, 256 ch, stride 16) feeds
# the prompt encoder and mask decoder of the official SAM ViT-H checkpoint. 1024 px, square padding.
# Decoder weights: python tools/convert/extract_sam_decoder.py sam_vit_h_4b8939.pth checkpoints/sam_vit_h_decoder.safetensors
# Use: python tools/sam_predict.py IMAGE --config THIS --points 500,375   (or tools/sam_eval.py / tools/sam_app.py)
custom_imports = dict(imports=['radio_dense.openmmlab.sam'], allow_failed_imports=False)
model = dict(
    type='build_radio_sam',
    encoder=dict(source='radio_v2.5-b', adaptor_names=['sam']),
    neck=dict(type='adaptor', adaptor_name='sam'),
    decoder_checkpoint='checkpoints/sam_vit_h_decoder.safetensors',
    resolution=1024,
    pad_to_square=True)
