# Shared by every RADIO detection / instance-segmentation config (mmdet): the OpenMMLab modules of
# radio_dense and a data preprocessor that only converts to RGB floats in [0, 255] (RADIOBackbone
# applies the checkpoint's own input conditioner), batches padded to a multiple of 32 (SimpleFPN's
# coarsest level before the extra pooled one; RADIOBackbone itself pads to the patch size). Model bases use it as
# ``model = dict(data_preprocessor=_base_.radio_det_data_preprocessor, ...)``: a base cannot set
# ``model`` itself because mmengine refuses the same key in two sibling bases.
# radio_dense.openmmlab.det adds ContiguousRoIExtractor (mmcv's RoIAlign misreads non-contiguous maps).
custom_imports = dict(imports=['radio_dense.openmmlab.det'], allow_failed_imports=False)
radio_det_data_preprocessor = dict(
    type='DetDataPreprocessor',
    mean=None,
    std=None,
    bgr_to_rgb=True,
    pad_mask=True,
    pad_size_divisor=32)
