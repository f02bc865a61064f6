# Shared by every RADIO detection / instance-segmentation config (mmdet): registration of
# radio_dense and the data preprocessor RADIO expects: RGB normalised with the OpenAI CLIP
# mean/std (x 255), batches padded to a multiple of 32 (SimpleFPN's coarsest level before the
# extra pooled one; RADIOBackbone itself pads to the patch size). Model bases use it as
# ``model = dict(data_preprocessor=_base_.radio_det_data_preprocessor, ...)``: a base cannot set
# ``model`` itself because mmengine refuses the same key in two sibling bases.
# radio_dense.openmmlab.det adds ContiguousRoIExtractor (mmcv's RoIAlign misreads non-contiguous maps).
custom_imports = dict(imports=['radio_dense.openmmlab.det'], allow_failed_imports=False)
radio_det_data_preprocessor = dict(
    type='DetDataPreprocessor',
    mean=[122.7709383, 116.7460125, 104.09373615],
    std=[68.5005327, 66.6321579, 70.32316305],
    bgr_to_rgb=True,
    pad_mask=True,
    pad_size_divisor=32)
