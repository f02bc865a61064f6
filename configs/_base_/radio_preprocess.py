# Shared by every RADIO segmentation config: registration of radio_dense and an EncoderDecoder
# whose data preprocessor gives RADIO what it expects: RGB normalised with the OpenAI CLIP
# mean/std (x 255). RADIO's own input conditioner is then detached by RADIOBackbone.
custom_imports = dict(imports=['radio_dense.openmmlab.seg'], allow_failed_imports=False)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=dict(
        type='SegDataPreProcessor',
        mean=[122.7709383, 116.7460125, 104.09373615],
        std=[68.5005327, 66.6321579, 70.32316305],
        bgr_to_rgb=True, pad_val=0, seg_pad_val=255),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
