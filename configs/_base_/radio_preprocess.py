# Shared by every RADIO segmentation config: the OpenMMLab modules of radio_dense and an
# EncoderDecoder whose data preprocessor only converts to RGB floats in [0, 255]: RADIOBackbone
# applies the checkpoint's own input conditioner (its mean/std), so no statistics are restated here.
custom_imports = dict(imports=['radio_dense.openmmlab.seg'], allow_failed_imports=False)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=dict(type='SegDataPreProcessor', mean=None, std=None, bgr_to_rgb=True, pad_val=0,
                           seg_pad_val=255),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
