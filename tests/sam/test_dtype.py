"""--dtype on the SAM side: the predictor's embedding and clicks under bf16 autocast, float32 out."""
import numpy as np
import torch
import torch.nn.functional as F

from radio_dense.radio.precision import DTYPE_CHOICES
from radio_dense.sam import RadioSamPredictor
from radio_dense.tools.tool_args import DTYPES

from .conftest import shapes_image


def test_tool_dtype_choices_match_the_library():
    assert DTYPES == DTYPE_CHOICES


def test_bf16_predictor_agrees_with_fp32(radio_sam):
    image = shapes_image()
    click = dict(point_coords=np.array([[120.0, 90.0]]), point_labels=np.array([1]), multimask_output=True)
    fp32 = RadioSamPredictor(radio_sam, 256)
    fp32.set_image(image)
    bf16 = RadioSamPredictor(radio_sam, 256, dtype='bf16')
    bf16.set_image(image)
    assert fp32.dtype == torch.float32 and bf16.dtype == torch.bfloat16
    assert bf16.features.dtype == torch.float32
    assert F.cosine_similarity(bf16.features.flatten(), fp32.features.flatten(), dim=0) > 0.999
    masks, iou, low = bf16.predict(**click)
    ref_masks, ref_iou, ref_low = fp32.predict(**click)
    assert low.dtype == iou.dtype == np.float32 and masks.shape == ref_masks.shape
    assert np.corrcoef(low.ravel(), ref_low.ravel())[0, 1] > 0.99


def test_predictor_follows_the_models_inference_dtype(radio_sam):
    """What the tools' --dtype sets: every predictor made for the model (app, AMG, eval) uses it."""
    radio_sam.inference_dtype = torch.bfloat16
    try:
        assert RadioSamPredictor(radio_sam, 256).dtype == torch.bfloat16
        assert RadioSamPredictor(radio_sam, 256, dtype='fp32').dtype == torch.float32
    finally:
        del radio_sam.inference_dtype
